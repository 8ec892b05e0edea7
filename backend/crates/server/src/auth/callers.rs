//! A short-lived memory of the callers behind API tokens and browser sessions, so that a
//! request with a credential seen moments ago skips the database read that checks it.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::store::{epoch, sessions::SessionRow, tokens::TokenRow, users::UserRow};

/// How long a remembered caller is trusted without a change seen in this process. A change
/// made here (a revoked token, a disabled user, a signed-out session) is seen at once,
/// through [`epoch::AUTH`]; this bounds only what another process writes to the database
/// (the `cairn-server admin` commands).
pub const TTL: Duration = Duration::from_secs(5);

/// Callers remembered at most; the memory is emptied when it is full (a flood of distinct
/// credentials costs reads, never memory).
const MAX_ENTRIES: usize = 10_000;

/// What a credential was found to belong to: its row and its user's (absent when deleted).
#[derive(Clone)]
pub enum Found {
    Token(TokenRow, Option<UserRow>),
    Session(SessionRow, Option<UserRow>),
}

#[derive(Clone, PartialEq, Eq, Hash)]
pub enum Key {
    /// The SHA-256 of a token, as stored.
    Token(String),
    Session(Uuid),
}

struct Entry {
    found: Found,
    epoch: u64,
    read_at: Instant,
}

#[derive(Default)]
pub struct Callers {
    map: Mutex<HashMap<Key, Entry>>,
}

impl Callers {
    /// What `key` was found to be, if read since the last change to users, tokens or
    /// sessions and within [`TTL`].
    pub fn get(&self, key: &Key) -> Option<Found> {
        let epoch = epoch::AUTH.now();
        let map = self.map.lock().ok()?;
        let e = map.get(key)?;
        (e.epoch == epoch && e.read_at.elapsed() < TTL).then(|| e.found.clone())
    }

    /// Records a token's new last use on its remembered row, which stays as old as it was:
    /// the touch changes nothing a caller is checked by.
    pub fn touched(&self, key: &Key, at: DateTime<Utc>) {
        let Ok(mut map) = self.map.lock() else { return };
        if let Some(Entry { found: Found::Token(row, _), .. }) = map.get_mut(key) {
            row.last_used_at = Some(at);
        }
    }

    /// Remembers what `key` was found to be by a read that started at `epoch`
    /// ([`epoch::AUTH`] taken before the read): a change committed during the read
    /// has moved the epoch on, so the entry is never trusted.
    pub fn put(&self, key: Key, found: Found, epoch: u64) {
        let Ok(mut map) = self.map.lock() else { return };
        if map.len() >= MAX_ENTRIES && !map.contains_key(&key) {
            map.clear();
        }
        map.insert(key, Entry { found, epoch, read_at: Instant::now() });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn session() -> SessionRow {
        let now = Utc::now();
        SessionRow {
            id: Uuid::now_v7(),
            user_id: Uuid::now_v7(),
            refresh_hash: "r".into(),
            prev_refresh_hash: None,
            created_at: now,
            last_used_at: now,
            expires_at: now + chrono::Duration::hours(1),
            revoked_at: None,
            source_ip: None,
            user_agent: None,
        }
    }

    fn remembered(c: &Callers, key: &Key) -> Option<Uuid> {
        match c.get(key) {
            Some(Found::Session(s, _)) => Some(s.id),
            _ => None,
        }
    }

    #[test]
    fn a_change_forgets_what_was_read_before_it() {
        let c = Callers::default();
        let s = session();
        let key = Key::Session(s.id);
        // Other tests in this process may move the epoch too: retry until a quiet moment.
        let mut seen = false;
        for _ in 0..100 {
            let epoch = epoch::AUTH.now();
            c.put(key.clone(), Found::Session(s.clone(), None), epoch);
            if remembered(&c, &key) == Some(s.id) {
                seen = true;
                break;
            }
        }
        assert!(seen, "a fresh entry is remembered");
        epoch::AUTH.bump();
        assert_eq!(remembered(&c, &key), None, "a change made since the read forgets it");
        assert_eq!(remembered(&c, &Key::Session(Uuid::now_v7())), None);
    }

    #[test]
    fn a_read_that_began_before_a_change_is_never_trusted() {
        let c = Callers::default();
        let s = session();
        let before = epoch::AUTH.now();
        epoch::AUTH.bump(); // a writer's change lands while the read runs
        c.put(Key::Session(s.id), Found::Session(s.clone(), None), before);
        assert_eq!(remembered(&c, &Key::Session(s.id)), None);
    }

    #[test]
    fn a_full_memory_starts_over_instead_of_growing() {
        let c = Callers::default();
        let epoch = epoch::AUTH.now();
        for _ in 0..MAX_ENTRIES + 5 {
            let s = session();
            c.put(Key::Session(s.id), Found::Session(s, None), epoch);
        }
        let len = c.map.lock().map(|m| m.len()).unwrap_or(usize::MAX);
        assert!(len <= MAX_ENTRIES, "{len} entries");
        assert!(len >= 5, "the entries after the reset are kept: {len}");
    }
}
