//! The maintenance queue of each repository: prune, check and unlock never run beside a
//! backup or forget of the same repository (by any host), nor beside each other; a job that
//! would collide waits (`waiting_for` names the job) and gets its run command once that one
//! ends. Maintenance that hangs, or whose host went away, is failed at its lease's end so
//! it cannot hold backups back for long. restic's own locks stay the last line of defence.

use std::time::Duration as StdDuration;

use cairn_proto::{Action, CancelJob, JobKind, JobSpec, RunJob};
use chrono::Utc;
use uuid::Uuid;

use super::{
    Domain, DomainError,
    audit::Actor,
    fleet,
    jobs::{self as job_service, JobStatus},
};
use crate::store::{
    commands, hosts,
    jobs::{self, JobRow},
};

/// Kinds that need the repository to themselves (restic takes an exclusive lock, or
/// removes locks).
fn exclusive(k: JobKind) -> bool {
    matches!(k, JobKind::Prune | JobKind::Check | JobKind::Unlock | JobKind::KeyRemove)
}

/// Kinds that hold restic's shared lock (and so must not meet an exclusive one): those
/// that write snapshots, and a restore, which reads them. A copy writes its job's
/// repository, the mirror; its source is only read under restic's shared lock.
fn writes(k: JobKind) -> bool {
    matches!(
        k,
        JobKind::Backup | JobKind::Forget | JobKind::Copy | JobKind::Restore | JobKind::Drill
    )
}

/// Whether a job of kind `a` must wait for a job of kind `b` on the same repository.
pub fn collides(a: JobKind, b: JobKind) -> bool {
    (exclusive(a) && (exclusive(b) || writes(b))) || (writes(a) && exclusive(b))
}

/// The job on `repository` that a new job of `kind` would collide with, if any (the oldest).
pub async fn blocker<C: sea_orm::ConnectionTrait>(
    db: &C,
    repository: Uuid,
    kind: JobKind,
    except: Uuid,
) -> Result<Option<JobRow>, DomainError> {
    let mut active = jobs::active_on_repository(db, repository).await?;
    active.sort_by_key(|j| (j.created_at, j.id));
    Ok(active.into_iter().find(|j| j.id != except && collides(kind, j.kind)))
}

/// The run command of a job, as made when it is handed out.
pub fn run_command(job: &JobRow, config_version: i64) -> Result<cairn_proto::Command, DomainError> {
    let (Some(args), Some(repository_id)) = (job_service::args_of(job), job.repository_id) else {
        return Err(DomainError::Internal(format!(
            "job {} has no arguments or repository",
            job.id
        )));
    };
    let spec = JobSpec {
        job_id: job.id,
        repository_id,
        config_version: config_version.max(0) as u64,
        args,
        schedule_id: job.schedule_id,
    };
    Ok(fleet::command(job.id, Action::RunJob(RunJob { job: spec }), Utc::now()))
}

/// Hands out the waiting jobs of `repository` that nothing blocks any more, oldest first
/// (a released exclusive job then blocks the ones after it).
pub async fn release(state: &Domain, repository: Uuid) -> Result<(), DomainError> {
    // Most jobs end with nothing waiting behind them: a read, not the single writer's lock.
    if jobs::waiting_on_repository(state.store.db(), repository).await?.is_empty() {
        return Ok(());
    }
    let txn = state.store.write().await?;
    let waiting = jobs::waiting_on_repository(&*txn, repository).await?;
    let mut out = Vec::new();
    for mut job in waiting {
        match blocker(&*txn, repository, job.kind, job.id).await? {
            Some(b) => {
                if job.waiting_for != Some(b.id) {
                    job.waiting_for = Some(b.id);
                    jobs::update(&*txn, job).await?;
                }
            }
            None => {
                let Some(host) = hosts::find(&*txn, job.host_id).await? else { continue };
                let cmd = run_command(&job, host.config_version)?;
                commands::enqueue(&*txn, fleet::command_row(&cmd, job.host_id, &Actor::system())?)
                    .await?;
                job.waiting_for = None;
                let job = jobs::update(&*txn, job).await?;
                out.push((job.host_id, job.id, cmd));
            }
        }
    }
    txn.commit().await?;
    for (host, job, cmd) in out {
        tracing::info!(job = %job, repository = %repository, "the job it waited for ended; handed out");
        state.hub.deliver(host, vec![cmd]);
        state.hub.job_changed(job);
    }
    Ok(())
}

/// Maintenance (and forget) handed out longer than its lease, or whose host has been
/// offline for over ten times `offline_after_secs`, is failed (`job.lease_expired`), its
/// agent told to stop it, and its repository's queue moved on.
pub async fn expire_leases(state: &Domain) -> Result<usize, DomainError> {
    let kinds = [JobKind::Prune, JobKind::Check, JobKind::Unlock, JobKind::Forget];
    let candidates = jobs::handed_out_of_kinds(state.store.db(), &kinds).await?;
    if candidates.is_empty() {
        return Ok(0);
    }
    let now = Utc::now();
    let lease = chrono::Duration::hours(state.agents.maintenance_lease_hours as i64);
    let gone_after = StdDuration::from_secs(state.agents.offline_after_secs * 10);
    let txn = state.store.write().await?;
    let mut ended = Vec::new();
    for job in candidates {
        let Some(mut job) = jobs::find(&*txn, job.id).await? else { continue };
        if job.status.is_final() {
            continue;
        }
        let host = hosts::find(&*txn, job.host_id).await?;
        let since = job.started_at.or(job.dispatched_at).unwrap_or(job.created_at);
        let why = if now - since > lease {
            format!(
                "It ran past its lease of {} h; it was failed so the repository's other jobs can run. Its agent was told to stop it; restic's lock may remain (unlock removes it once stale).",
                state.agents.maintenance_lease_hours
            )
        } else if host.as_ref().is_none_or(|h| !fleet::is_online(h, gone_after, now)) {
            "Its host has been offline too long; it was failed so the repository's other jobs can run.".into()
        } else {
            continue;
        };
        job.status = JobStatus::Failed;
        job.finished_at = Some(now);
        job.error_class = Some("job.lease_expired".into());
        job.error_message = Some(why);
        let cancel =
            fleet::command(Uuid::now_v7(), Action::CancelJob(CancelJob { job_id: job.id }), now);
        commands::enqueue(&*txn, fleet::command_row(&cancel, job.host_id, &Actor::system())?)
            .await?;
        let job = jobs::update(&*txn, job).await?;
        ended.push((job, cancel));
    }
    txn.commit().await?;
    let count = ended.len();
    for (job, cancel) in ended {
        tracing::warn!(job = %job.id, kind = job.kind.as_str(), "maintenance lease expired; failed");
        state.hub.deliver(job.host_id, vec![cancel]);
        state.hub.job_changed(job.id);
        if let Some(repo) = job.repository_id {
            release(state, repo).await?;
        }
    }
    Ok(count)
}

/// Every 30 s: leases, then every repository with a waiting job (a release missed, e.g.
/// across a restart, happens here).
pub async fn run(state: Domain) {
    loop {
        tokio::time::sleep(StdDuration::from_secs(30)).await;
        // One replica sweeps at a time; the others skip this round.
        let lead = match state.store.try_lead(crate::store::SWEEP_LOCK).await {
            Ok(Some(lead)) => lead,
            Ok(None) => continue,
            Err(e) => {
                tracing::error!("the sweep's lock could not be taken (tried again in 30 s): {e}");
                continue;
            }
        };
        if let Err(e) = sweep(&state).await {
            tracing::error!("the maintenance queue's sweep failed (tried again in 30 s): {e}");
        }
        if let Err(e) = lead.release().await {
            tracing::warn!(
                "the sweep's lock was not released cleanly (it ends with its connection): {e}"
            );
        }
    }
}

pub async fn sweep(state: &Domain) -> Result<(), DomainError> {
    expire_leases(state).await?;
    for repo in jobs::repositories_with_waiting(state.store.db()).await? {
        release(state, repo).await?;
    }
    super::key_rotation::advance(state).await?;
    super::check_schedule::fire_due(state).await?;
    super::drill_schedule::fire_due(state).await?;
    super::alerts::sweep::run(state).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_waits_for_what() {
        use JobKind::*;
        for (a, b, waits) in [
            (Prune, Backup, true),
            (Backup, Prune, true),
            (Check, Forget, true),
            (Forget, Check, true),
            (Unlock, Prune, true),
            (Check, Check, true),
            (Backup, Backup, false),
            (Backup, Forget, false),
            (Stats, Prune, false),
            (Snapshots, Check, false),
            (Init, Backup, false),
        ] {
            assert_eq!(collides(a, b), waits, "{a:?} after {b:?}");
        }
    }
}
