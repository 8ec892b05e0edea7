//! At start: jobs the journal says were running when the agent died. Each gets a `Finished`
//! event with outcome `lost` (class `agent.restarted`); a restic that survived is killed
//! (its pid, start time and boot match), and a lock it left in the repository is reported
//! in `stale_lock`, so an operator knows why the next check or prune may refuse to run.

use std::{sync::Arc, time::Duration};

use cairn_proto::{AgentConfig, JobOutcome, JobResult};
use cairn_restic::LockInfo;

use crate::{
    facts,
    jobs::Ctx,
    journal::{Entry, ProcessId, pid_running},
    runner,
};

/// Listing locks of a backend that does not answer must not hold the report forever.
const LOCKS_TIMEOUT: Duration = Duration::from_secs(60);

/// Reports each of `entries` (the journal, read before the outbox was opened with these
/// jobs kept open, so polls list them as unsent meanwhile) as lost.
pub async fn recover(ctx: Arc<Ctx>, entries: Vec<Entry>, config: Option<AgentConfig>) {
    for e in entries {
        recover_one(&ctx, e, config.as_ref()).await;
    }
}

async fn recover_one(ctx: &Ctx, e: Entry, config: Option<&AgentConfig>) {
    let job = e.job_id;
    // It did finish: the crash came between the outbox and the journal.
    if ctx.outbox.has_finished(job) {
        ctx.journal.remove(job);
        if let Err(e) = ctx.outbox.close(job) {
            tracing::error!(job = %job, "the job's events are on disk but not synced (retried): {e}");
        }
        return;
    }
    tracing::warn!(job = %job, "job was running when the agent stopped; reporting it lost");
    let mut message = String::from(
        "The agent was restarted while this job ran (it was killed, crashed, or the host rebooted), so its result is unknown.",
    );
    if let Some(p) = e.process.as_ref().filter(|p| p.still_running()) {
        stop(p).await;
        message
            .push_str(&format!(" restic (PID {}) was still running and has been stopped.", p.pid));
    }
    if let Some(dir) = e.staging.as_ref().filter(|d| d.exists()) {
        match std::fs::remove_dir_all(dir) {
            Ok(()) => message.push_str(" Its partly restored files were removed."),
            Err(err) => {
                tracing::warn!(job = %job, dir = %dir.display(), "cannot remove the staging directory: {err}")
            }
        }
    }
    let repo =
        e.repository_id.and_then(|id| config?.repositories.iter().find(|r| r.id == id).cloned());
    let stale_lock = match &repo {
        Some(cfg) => stale_lock(ctx, cfg, e.process.as_ref()).await,
        None => None,
    };
    if stale_lock.is_some() {
        message.push_str(
            " restic left a lock in the repository; it blocks check and prune until it is removed (restic unlock).",
        );
    }
    let result = JobResult {
        outcome: JobOutcome::Lost,
        error_class: Some("agent.restarted".into()),
        message: Some(message),
        stale_lock,
        ..JobResult::default()
    };
    ctx.finish(job, result);
}

/// SIGKILLs the group of a restic that outlived the agent, and waits (briefly) for it.
async fn stop(p: &ProcessId) {
    tracing::warn!(pid = p.pid, "restic outlived the agent; killing its process group");
    p.kill_group();
    for _ in 0..50 {
        if !p.still_running() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The lock the lost job's restic left, described for people: one of this machine's locks
/// whose process is gone, preferring the one with the job's restic pid.
async fn stale_lock(
    ctx: &Ctx,
    cfg: &cairn_proto::RepositoryConfig,
    process: Option<&ProcessId>,
) -> Option<String> {
    let restic = match runner::restic(&ctx.restic).await {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!("cannot look for stale locks: {e}");
            return None;
        }
    };
    let repo = runner::repo(cfg);
    let locks = match tokio::time::timeout(LOCKS_TIMEOUT, restic.list_locks(&repo)).await {
        Ok(Ok(locks)) => locks,
        Ok(Err(e)) => {
            tracing::warn!("cannot list the locks of {}: {e}", repo.display_url());
            return None;
        }
        Err(_) => {
            tracing::warn!("listing the locks of {} timed out", repo.display_url());
            return None;
        }
    };
    pick_stale(&locks, &facts::kernel_hostname(), process.map(|p| p.pid)).map(describe)
}

/// restic records the kernel's hostname in its locks (not the one the agent may report).
fn pick_stale<'a>(locks: &'a [LockInfo], host: &str, pid: Option<u32>) -> Option<&'a LockInfo> {
    let dead_here = |l: &&LockInfo| l.hostname == host && !pid_running(l.pid);
    locks
        .iter()
        .filter(dead_here)
        .find(|l| Some(l.pid) == pid)
        .or_else(|| locks.iter().find(dead_here))
}

fn describe(l: &LockInfo) -> String {
    format!(
        "{} lock {} held by PID {} on {} by {} since {}; that process no longer runs",
        if l.exclusive { "exclusive" } else { "shared" },
        l.id.get(..8).unwrap_or(&l.id),
        l.pid,
        l.hostname,
        l.username,
        l.time.format("%Y-%m-%d %H:%M:%S UTC"),
    )
}

#[cfg(test)]
mod tests {
    use cairn_proto::{JobEventKind, JobKind, LogStream};
    use chrono::Utc;
    use tokio::sync::Notify;
    use uuid::Uuid;

    use super::*;
    use crate::{
        events,
        jobs::{Registry, ResticSettings},
        journal::Journal,
        outbox::Outbox,
    };

    fn lock(pid: u32, host: &str) -> LockInfo {
        LockInfo {
            id: "0123456789abcdef".into(),
            time: Utc::now(),
            exclusive: false,
            hostname: host.into(),
            username: "root".into(),
            pid,
            uid: 0,
            gid: 0,
        }
    }

    #[test]
    fn the_lost_jobs_lock_is_preferred_and_live_ones_are_left_alone() {
        let me = std::process::id();
        let gone = u32::MAX - 7;
        let also_gone = u32::MAX - 8;
        let locks = vec![
            lock(me, "here"),
            lock(also_gone, "elsewhere"),
            lock(also_gone, "here"),
            lock(gone, "here"),
        ];
        assert_eq!(pick_stale(&locks, "here", Some(gone)).map(|l| l.pid), Some(gone));
        assert_eq!(pick_stale(&locks, "here", None).map(|l| l.pid), Some(also_gone));
        assert!(pick_stale(&locks[..2], "here", Some(me)).is_none(), "a live process's lock");
        let d = describe(&locks[3]);
        assert!(
            d.starts_with("shared lock 01234567 held by PID") && d.contains("on here by root"),
            "{d}"
        );
    }

    fn ctx(dir: &std::path::Path, running: &[Uuid]) -> Ctx {
        Ctx {
            outbox: Outbox::open(dir, running).unwrap(),
            journal: Journal::new(dir),
            jobs: Registry::default(),
            restic: ResticSettings { binary: "/usr/bin/restic".into(), cache_dir: None },
            reconnected: Notify::new(),
            catalogs: crate::catalog::store::Catalogs::new(dir),
        }
    }

    /// A journal left by a killed agent: the jobs, with a few events, get `lost` appended
    /// after them (also when every event was delivered and the file is gone: the sequence
    /// goes on, it does not restart at 1); a job whose Finished made it to the outbox is
    /// only cleaned up.
    #[tokio::test]
    async fn journal_jobs_are_reported_lost_after_their_events() {
        let dir = tempfile::tempdir().unwrap();
        let (lost, delivered, done) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        {
            let ctx = ctx(dir.path(), &[]);
            for job in [lost, delivered, done] {
                ctx.outbox.open_job(job);
                ctx.journal
                    .write(&Entry {
                        job_id: job,
                        kind: Some(JobKind::Backup),
                        repository_id: Some(Uuid::new_v4()),
                        started_at: Some(Utc::now()),
                        // A pid that cannot be running.
                        process: Some(ProcessId {
                            pid: u32::MAX - 3,
                            pgid: u32::MAX - 3,
                            boot_id: None,
                            start_ticks: None,
                        }),
                        staging: None,
                    })
                    .unwrap();
                ctx.emit(job, events::started(Some(u32::MAX - 3)));
                ctx.emit(job, events::log(LogStream::Stdout, "working"));
            }
            ctx.emit(
                done,
                events::finished(JobResult {
                    outcome: JobOutcome::Succeeded,
                    ..Default::default()
                }),
            );
            let b = ctx.outbox.next_batch(delivered).unwrap().unwrap();
            assert!(ctx.outbox.ack(&b, 2));
            // …and the agent dies here, before removing the journal entries.
        }
        let entries = Journal::new(dir.path()).list();
        let ids: Vec<Uuid> = entries.iter().map(|e| e.job_id).collect();
        let ctx = Arc::new(ctx(dir.path(), &ids));
        assert_eq!(entries.len(), 3);
        let (running, mut unsent) = ctx.poll_lists();
        unsent.sort();
        let mut all = vec![lost, delivered, done];
        all.sort();
        assert_eq!((running, unsent), (vec![], all), "reported as unsent before recovery");

        recover(ctx.clone(), entries, None).await;
        assert!(ctx.journal.list().is_empty());
        let b = ctx.outbox.next_batch(lost).unwrap().unwrap();
        assert_eq!(b.events.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![1, 2, 3]);
        let last = b.events.last().unwrap();
        assert_eq!(last.kind, JobEventKind::Finished);
        let r = last.result.clone().unwrap();
        assert_eq!(r.outcome, JobOutcome::Lost);
        assert_eq!(r.error_class.as_deref(), Some("agent.restarted"));
        assert!(r.message.unwrap().contains("restarted"));
        assert_eq!(r.stale_lock, None, "the repository is not in the config: nothing to list");
        let b = ctx.outbox.next_batch(delivered).unwrap().unwrap();
        assert_eq!(b.events.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![3]);
        assert_eq!(b.events[0].kind, JobEventKind::Finished);
        // The finished job gets nothing new.
        let b = ctx.outbox.next_batch(done).unwrap().unwrap();
        assert_eq!(b.events.len(), 3);
        assert_eq!(b.events[2].result.as_ref().unwrap().outcome, JobOutcome::Succeeded);
    }
}
