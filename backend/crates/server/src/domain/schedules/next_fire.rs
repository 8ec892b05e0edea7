//! The next fire of a cron expression in a zone, remembered until it passes. Parsing an
//! expression costs about 13 µs (croner), and one page of the host list asks for hundreds
//! of schedules' next fires; a fleet shares a few expressions and zones, so nearly every
//! ask is a lookup.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex, MutexGuard};

use cairn_schedule::{Schedule, Tz};
use chrono::{DateTime, Utc};

/// Past this many remembered expressions the memo starts afresh: a bound, not a policy
/// (a fleet with staggered crons has a few thousand).
const MAX_ENTRIES: usize = 16_384;

/// One expression in one zone: its parse (`None` when it does not parse: it fires never)
/// and its first fire after `since`, which stays the answer for any instant in
/// `[since, next)`.
struct Memo {
    schedule: Option<Schedule>,
    since: DateTime<Utc>,
    next: Option<DateTime<Utc>>,
}

#[derive(Default)]
pub(super) struct NextFires {
    by_zone: HashMap<Tz, HashMap<String, Memo>>,
    len: usize,
}

static MEMO: LazyLock<Mutex<NextFires>> = LazyLock::new(Mutex::default);

/// The process's memo, held for one batch of asks (never across an await).
pub(super) fn memo() -> MutexGuard<'static, NextFires> {
    // A panic while held leaves at worst a stale entry that is checked before use.
    MEMO.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl NextFires {
    /// The first fire of `expr` read in `zone` strictly after `now`, as
    /// [`Schedule::next_after`] says.
    pub(super) fn after(
        &mut self,
        expr: &str,
        zone: Tz,
        now: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        if let Some(m) = self.by_zone.get_mut(&zone).and_then(|z| z.get_mut(expr)) {
            if m.since <= now && m.next.is_none_or(|n| now < n) {
                return m.next;
            }
            m.since = now;
            m.next = m.schedule.as_ref().and_then(|s| s.next_after(zone, now));
            return m.next;
        }
        if self.len >= MAX_ENTRIES {
            self.by_zone.clear();
            self.len = 0;
        }
        let schedule = Schedule::parse(expr).ok();
        let next = schedule.as_ref().and_then(|s| s.next_after(zone, now));
        self.by_zone
            .entry(zone)
            .or_default()
            .insert(expr.to_string(), Memo { schedule, since: now, next });
        self.len += 1;
        next
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn remembered_fires_are_what_the_cron_says_at_every_instant() {
        let zone = cairn_schedule::zone("Europe/Berlin").unwrap();
        let s = Schedule::parse("0 */6 * * *").unwrap();
        let mut m = NextFires::default();
        let start = DateTime::parse_from_rfc3339("2026-03-28T20:59:00Z").unwrap().to_utc();
        // Across the spring change, a minute at a time, and back in time once.
        for i in (0..24 * 60).chain([5, 0]) {
            let now = start + Duration::minutes(i);
            assert_eq!(m.after("0 */6 * * *", zone, now), s.next_after(zone, now), "{now}");
        }
        assert_eq!(m.after("banana", zone, start), None);
        assert_eq!(m.len, 2);
    }
}
