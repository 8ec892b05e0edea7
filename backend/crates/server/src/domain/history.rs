//! History retention (`[history]`): old job log lines, old ended jobs and delivered
//! commands and old audit events are removed in small batches, each its own short write
//! transaction, and the pass rests between batches, so agents' writes keep most of the
//! writer path through a long pass (see [`rest`]). Kept whatever their age:
//! the newest `jobs_keep_per_host` jobs of each host, every backup whose snapshot the host
//! still has, and every job that has not ended.

use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Duration, Utc};

use serde_json::json;

use super::{
    Domain, DomainError,
    audit::{self, Actor, Event},
};
use crate::store::{
    audit::{self as store_audit, PRUNED_ACTION},
    history as store,
};

/// After each batch the pass rests this many times as long as the batch held the writer
/// path. On SQLite every write waits for that one path, and a pass that took it back at
/// once left agents' log batches 8 % of their rate without a pass (`cairn-bench
/// retention`); resting nine times as long left them 85 %, short of the 90 % the design
/// asks. Nineteen times leaves the pass at most 5 % of the path; a first pass over a year
/// of history then takes minutes, which a background pass can.
const REST_FACTOR: u32 = 19;
/// The longest rest, whatever a batch took.
const MAX_REST: StdDuration = StdDuration::from_secs(5);
/// Pages given back to the file system per step on SQLite (32 MB at the default 4 KB page).
const GIVE_BACK_PAGES: u32 = 8192;

/// Rests after a batch that held the writer path for `took` (see [`REST_FACTOR`]).
async fn rest(took: StdDuration) {
    tokio::time::sleep((took * REST_FACTOR).min(MAX_REST)).await;
}

/// What one pass removed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PruneReport {
    /// Log lines of old ended jobs (their jobs stay).
    pub log_lines: u64,
    /// Jobs whose logs went in this pass.
    pub logs_of_jobs: u64,
    pub jobs: u64,
    pub commands: u64,
    /// Audit events removed from the start of the chain.
    pub audit_events: u64,
    /// Bytes handed back to the file system (SQLite; PostgreSQL reuses the space).
    pub bytes_given_back: u64,
}

impl PruneReport {
    /// Whether the pass removed nothing.
    pub fn is_empty(&self) -> bool {
        PruneReport { bytes_given_back: 0, ..self.clone() } == PruneReport::default()
    }
}

fn days_before(now: DateTime<Utc>, days: u64) -> Option<DateTime<Utc>> {
    (days > 0).then(|| now - Duration::days(days.min(36_500) as i64))
}

/// One pass as of `now` (the clock is a parameter so tests can age the history).
pub async fn prune(state: &Domain, now: DateTime<Utc>) -> Result<PruneReport, DomainError> {
    let h = &state.history;
    let batch = h.batch_size.max(1);
    let mut report = PruneReport::default();
    if let Some(cutoff) = days_before(now, h.job_logs_days) {
        loop {
            let txn = state.store.write().await?;
            let t = Instant::now(); // the time holding the writer path, not waiting for it
            let jobs = store::jobs_with_old_logs(&*txn, cutoff, batch).await?;
            if jobs.is_empty() {
                break;
            }
            report.log_lines += store::remove_logs(&*txn, &jobs, now).await?;
            report.logs_of_jobs += jobs.len() as u64;
            txn.commit().await?;
            rest(t.elapsed()).await;
        }
    }
    if let Some(cutoff) = days_before(now, h.jobs_days) {
        loop {
            let txn = state.store.write().await?;
            let t = Instant::now(); // the time holding the writer path, not waiting for it
            let jobs = store::removable_jobs(&*txn, cutoff, h.jobs_keep_per_host, batch).await?;
            if jobs.is_empty() {
                break;
            }
            report.jobs += store::remove_jobs(&*txn, &jobs).await?;
            txn.commit().await?;
            rest(t.elapsed()).await;
        }
    }
    if let Some(cutoff) = days_before(now, h.commands_days) {
        loop {
            let txn = state.store.write().await?;
            let t = Instant::now(); // the time holding the writer path, not waiting for it
            let removed = store::remove_delivered_commands(&*txn, cutoff, batch).await?;
            txn.commit().await?;
            if removed == 0 {
                break;
            }
            report.commands += removed;
            rest(t.elapsed()).await;
        }
    }
    if let Some(cutoff) = days_before(now, h.audit_days) {
        // Ten times the batch: each batch also appends the event that records it.
        let audit_batch = batch.saturating_mul(10);
        loop {
            let txn = state.store.write().await?;
            let t = Instant::now(); // the time holding the writer path, not waiting for it
            let Some((removed, start)) =
                store_audit::remove_oldest(&*txn, cutoff, audit_batch, now).await?
            else {
                break;
            };
            let details = json!({
                "removed": removed,
                "after_id": start.after_id,
                "prev_hash": start.prev_hash,
                "removed_in_all": start.removed,
                "older_than_days": h.audit_days,
            });
            audit::record(&*txn, &Actor::system(), Event::success(PRUNED_ACTION, None, details))
                .await?;
            txn.commit().await?;
            report.audit_events += removed;
            rest(t.elapsed()).await;
        }
    }
    if !report.is_empty() {
        loop {
            let t = Instant::now();
            match state.store.give_space_back(GIVE_BACK_PAGES).await {
                Ok(0) => break,
                Ok(bytes) => report.bytes_given_back += bytes,
                // The space stays in the file for the next rows; the next pass tries again.
                Err(e) => {
                    tracing::warn!("giving space back to the file system failed: {e}");
                    break;
                }
            }
            rest(t.elapsed()).await;
        }
    }
    Ok(report)
}

/// Runs a pass every `history.interval_secs` (the first a minute after start), logging
/// what each removed. Errors are logged and the next pass tries again.
pub async fn run(state: Domain) {
    let every = state.history.interval_secs;
    if every == 0 {
        return;
    }
    tokio::time::sleep(StdDuration::from_secs(60.min(every))).await;
    loop {
        let started = Instant::now();
        match prune(&state, Utc::now()).await {
            Ok(r) => tracing::info!(
                log_lines = r.log_lines,
                logs_of_jobs = r.logs_of_jobs,
                jobs = r.jobs,
                commands = r.commands,
                audit_events = r.audit_events,
                mb_given_back = r.bytes_given_back / 1_000_000,
                ms = started.elapsed().as_millis() as u64,
                "history pruned"
            ),
            Err(e) => tracing::error!("pruning history failed (tried again next pass): {e}"),
        }
        tokio::time::sleep(StdDuration::from_secs(every)).await;
    }
}
