//! The names job lists show beside each job (its host's and its repository's), remembered
//! for a few seconds so that a page of jobs costs one query, not one plus a lookup per row.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use sea_orm::ConnectionTrait;
use uuid::Uuid;

use super::DomainError;
use crate::store::{
    epoch, hosts,
    jobs::{JobRow, NamedJobRow},
    repositories,
};

/// How long a name is shown without reading it again. A hostname is the agent's to
/// report (it can change with any poll), so a renamed machine shows its new name in job
/// lists within this time; a repository renamed or deleted in this process is read again
/// at once.
pub const TTL: Duration = Duration::from_secs(10);

/// Names remembered at most per kind; the memory is emptied when it is full.
const MAX_NAMES: usize = 100_000;

#[derive(Default)]
pub struct Names {
    hosts: Mutex<Memory>,
    repositories: Mutex<Memory>,
}

#[derive(Default)]
struct Memory {
    names: HashMap<Uuid, (Option<String>, Instant)>,
    /// `epoch::REPOSITORY_NAMES` when the names were read (0 for hosts).
    epoch: u64,
}

impl Memory {
    /// The names of `ids` known and fresh, and the ids to read.
    fn split(&mut self, ids: &[Uuid], epoch: u64) -> (HashMap<Uuid, Option<String>>, Vec<Uuid>) {
        if self.epoch != epoch {
            self.names.clear();
            self.epoch = epoch;
        }
        let mut known = HashMap::with_capacity(ids.len());
        let mut missing = Vec::new();
        for id in ids {
            match self.names.get(id) {
                Some((name, at)) if at.elapsed() < TTL => {
                    known.insert(*id, name.clone());
                }
                _ => missing.push(*id),
            }
        }
        missing.sort();
        missing.dedup();
        (known, missing)
    }

    /// Remembers what a read that began at `epoch` found; an id it did not find has no
    /// name (deleted).
    fn learn(&mut self, asked: &[Uuid], found: Vec<(Uuid, String)>, epoch: u64) {
        if self.epoch != epoch {
            return;
        }
        if self.names.len() + asked.len() > MAX_NAMES {
            self.names.clear();
        }
        let now = Instant::now();
        for id in asked {
            self.names.insert(*id, (None, now));
        }
        for (id, name) in found {
            self.names.insert(id, (Some(name), now));
        }
    }
}

impl Names {
    /// `rows` with their host's and repository's names: from memory, reading only the
    /// names not known or older than [`TTL`] (in at most one query per kind).
    pub async fn of_jobs<C: ConnectionTrait>(
        &self,
        db: &C,
        rows: Vec<JobRow>,
    ) -> Result<Vec<NamedJobRow>, DomainError> {
        let host_ids: Vec<Uuid> = rows.iter().map(|r| r.host_id).collect();
        let repo_ids: Vec<Uuid> = rows.iter().filter_map(|r| r.repository_id).collect();
        let hostnames =
            lookup(&self.hosts, &host_ids, 0, |ids| async move { hosts::names_of(db, &ids).await })
                .await?;
        let repos = lookup(
            &self.repositories,
            &repo_ids,
            epoch::REPOSITORY_NAMES.now(),
            |ids| async move { repositories::names_of(db, &ids).await },
        )
        .await?;
        Ok(rows
            .into_iter()
            .map(|row| NamedJobRow {
                hostname: hostnames.get(&row.host_id).cloned().flatten(),
                repository_name: row.repository_id.and_then(|id| repos.get(&id).cloned().flatten()),
                row,
            })
            .collect())
    }
}

/// The names of `ids`: those in `memory` and fresh, and the others through `read` (one
/// call, for the missing ids only), which `memory` then keeps.
async fn lookup<F, Fut>(
    memory: &Mutex<Memory>,
    ids: &[Uuid],
    epoch: u64,
    read: F,
) -> Result<HashMap<Uuid, Option<String>>, DomainError>
where
    F: FnOnce(Vec<Uuid>) -> Fut,
    Fut: Future<Output = Result<Vec<(Uuid, String)>, crate::store::StoreError>>,
{
    let (mut known, missing) = match memory.lock() {
        Ok(mut m) => m.split(ids, epoch),
        Err(_) => (HashMap::new(), ids.to_vec()),
    };
    if missing.is_empty() {
        return Ok(known);
    }
    let found = read(missing.clone()).await?;
    for id in &missing {
        known.insert(*id, None);
    }
    for (id, name) in &found {
        known.insert(*id, Some(name.clone()));
    }
    if let Ok(mut m) = memory.lock() {
        m.learn(&missing, found, epoch);
    }
    Ok(known)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::StoreError;
    use std::sync::atomic::{AtomicUsize, Ordering};

    async fn ask(
        memory: &Mutex<Memory>,
        ids: &[Uuid],
        epoch: u64,
        db: &[(Uuid, String)],
        reads: &AtomicUsize,
    ) -> HashMap<Uuid, Option<String>> {
        lookup(memory, ids, epoch, |asked| async move {
            reads.fetch_add(1, Ordering::SeqCst);
            Ok::<_, StoreError>(db.iter().filter(|(id, _)| asked.contains(id)).cloned().collect())
        })
        .await
        .unwrap_or_default()
    }

    #[tokio::test]
    async fn names_are_read_once_then_remembered_and_read_again_after_a_change() {
        let (a, b, gone) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let db = vec![(a, "web-01".to_string()), (b, "db-01".to_string())];
        let memory = Mutex::new(Memory::default());
        let reads = AtomicUsize::new(0);

        let first = ask(&memory, &[a, b, a, gone], 1, &db, &reads).await;
        assert_eq!(first.get(&a), Some(&Some("web-01".to_string())));
        assert_eq!(first.get(&b), Some(&Some("db-01".to_string())));
        assert_eq!(first.get(&gone), Some(&None), "an id that does not exist has no name");
        assert_eq!(reads.load(Ordering::SeqCst), 1, "one read for the missing ids");

        let again = ask(&memory, &[b, gone], 1, &db, &reads).await;
        assert_eq!(again.get(&b), Some(&Some("db-01".to_string())));
        assert_eq!(reads.load(Ordering::SeqCst), 1, "known names are not read again");

        // A rename moves the epoch on: every name is read again.
        let renamed = vec![(a, "web-02".to_string()), (b, "db-01".to_string())];
        let after = ask(&memory, &[a], 2, &renamed, &reads).await;
        assert_eq!(after.get(&a), Some(&Some("web-02".to_string())));
        assert_eq!(reads.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn an_old_name_is_read_again() {
        let a = Uuid::now_v7();
        let memory = Mutex::new(Memory::default());
        let reads = AtomicUsize::new(0);
        ask(&memory, &[a], 0, &[(a, "old".into())], &reads).await;
        if let Ok(mut m) = memory.lock() {
            for (_, at) in m.names.values_mut() {
                if let Some(t) = at.checked_sub(TTL) {
                    *at = t;
                }
            }
        }
        let now = ask(&memory, &[a], 0, &[(a, "new".into())], &reads).await;
        assert_eq!(now.get(&a), Some(&Some("new".to_string())));
        assert_eq!(reads.load(Ordering::SeqCst), 2);
    }
}
