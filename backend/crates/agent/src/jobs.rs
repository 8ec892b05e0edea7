//! Jobs on this host: the registry of running jobs (with their cancel handles), turning the
//! server's `run_job` / `cancel_job` commands into runs, and the one way a job ends
//! (`Finished` into the outbox, then journal entry, registry slot and outbox box let go).

use std::{
    collections::HashMap,
    path::PathBuf,
    sync::{Arc, Mutex, MutexGuard},
};

use cairn_proto::{
    Action, AgentConfig, CancelJob, Command, JobArgs, JobEvent, JobResult, JobSpec, RunJob,
};
use cairn_restic::{CancelToken, Canceller, cancel_pair};
use tokio::sync::Notify;
use uuid::Uuid;

use crate::{
    events::{self, StopReason},
    journal::{Entry, Journal},
    outbox::Outbox,
};

/// How restic is run for jobs.
#[derive(Clone, Debug)]
pub struct ResticSettings {
    pub binary: PathBuf,
    /// Passed as `--cache-dir`: restic never sees the agent's own RESTIC_* variables
    /// (cairn-restic removes them), so RESTIC_CACHE_DIR arrives this way.
    pub cache_dir: Option<PathBuf>,
}

/// Everything a job needs, shared by the poll loop, the runners and the uploader.
pub struct Ctx {
    pub outbox: Outbox,
    pub journal: Journal,
    pub jobs: Registry,
    pub restic: ResticSettings,
    /// Woken when a poll succeeds after a failure, to cut the uploader's back-off short.
    pub reconnected: Notify,
    /// The snapshot catalogs (browse and search), kept current after backups and forgets.
    pub catalogs: Arc<crate::catalog::store::Catalogs>,
}

struct Slot {
    canceller: Canceller,
    reason: Option<StopReason>,
    /// The schedule the job runs for, if any: a fire that comes meanwhile waits for it.
    schedule: Option<Uuid>,
}

/// The jobs running now. A job is in here from the moment its command is handled until
/// its `Finished` event is in the outbox, so a poll never reports it as neither running
/// nor unsent.
#[derive(Default)]
pub struct Registry {
    jobs: Mutex<HashMap<Uuid, Slot>>,
}

impl Registry {
    fn lock(&self) -> MutexGuard<'_, HashMap<Uuid, Slot>> {
        self.jobs.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Registers a job; `None` when it is already registered.
    pub fn insert(&self, job: Uuid, schedule: Option<Uuid>) -> Option<CancelToken> {
        let mut jobs = self.lock();
        if jobs.contains_key(&job) {
            return None;
        }
        let (canceller, token) = cancel_pair();
        jobs.insert(job, Slot { canceller, reason: None, schedule });
        Some(token)
    }

    /// The job running for a schedule (its fire or its "Run now"), if one is.
    pub fn running_for(&self, schedule: Uuid) -> Option<Uuid> {
        self.lock().iter().find(|(_, s)| s.schedule == Some(schedule)).map(|(id, _)| *id)
    }

    pub fn contains(&self, job: Uuid) -> bool {
        self.lock().contains_key(&job)
    }

    /// Asks a running job to stop; false when it is not running. The first reason wins.
    pub fn cancel(&self, job: Uuid, reason: StopReason) -> bool {
        let mut jobs = self.lock();
        let Some(slot) = jobs.get_mut(&job) else { return false };
        slot.reason.get_or_insert(reason);
        slot.canceller.cancel();
        true
    }

    pub fn cancel_all(&self, reason: StopReason) {
        for slot in self.lock().values_mut() {
            slot.reason.get_or_insert(reason);
            slot.canceller.cancel();
        }
    }

    pub fn stop_reason(&self, job: Uuid) -> Option<StopReason> {
        self.lock().get(&job).and_then(|s| s.reason)
    }

    fn remove(&self, job: Uuid) {
        self.lock().remove(&job);
    }

    pub fn ids(&self) -> Vec<Uuid> {
        let mut v: Vec<Uuid> = self.lock().keys().copied().collect();
        v.sort();
        v
    }

    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }
}

impl Ctx {
    /// Appends an event to the job's outbox. A disk that refuses it loses that event (and
    /// says so in the agent's log); the job itself goes on.
    pub fn emit(&self, job: Uuid, event: JobEvent) {
        if let Err(e) = self.outbox.append(job, event) {
            tracing::error!(job = %job, "cannot store a job event: {e}");
        }
    }

    /// Ends a job. The order matters: the `Finished` event is on disk before the journal
    /// entry goes (else a crash in between would report a finished job as lost), and
    /// before the job leaves the registry (so polls keep listing it, as unsent).
    pub fn finish(&self, job: Uuid, result: JobResult) {
        tracing::info!(job = %job, outcome = ?result.outcome, class = ?result.error_class, "job finished");
        self.emit(job, events::finished(result));
        self.journal.remove(job);
        self.jobs.remove(job);
        if let Err(e) = self.outbox.close(job) {
            tracing::error!(job = %job, "the job's events are on disk but not synced (retried): {e}");
        }
    }

    /// The lists a poll reports: (running, unsent). A job is in one or the other.
    pub fn poll_lists(&self) -> (Vec<Uuid>, Vec<Uuid>) {
        // Running first: a job that finishes between the two reads is in the outbox by then.
        let running = self.jobs.ids();
        let unsent = self.outbox.unsent().into_iter().filter(|j| !running.contains(j)).collect();
        (running, unsent)
    }
}

/// Handles one job command of a poll answer (questions are answered by [`crate::asks`]).
/// Must run after the answer's config was applied.
pub fn handle(ctx: &Arc<Ctx>, cmd: &Command, config: Option<&AgentConfig>) {
    match &cmd.action {
        Action::Ping(_) => tracing::info!(command = %cmd.id, "command received: ping"),
        Action::RunJob(RunJob { job }) => start(ctx, job, config, vec![]),
        Action::CancelJob(CancelJob { job_id }) => {
            if ctx.jobs.cancel(*job_id, StopReason::Requested) {
                tracing::info!(job = %job_id, "cancelling job");
            } else {
                tracing::info!(job = %job_id, "cancel for a job that is not running");
            }
        }
        Action::Ask(_) => {
            tracing::warn!(command = %cmd.id, "a question reached the job handler; ignored")
        }
    }
}

/// Registers the job at once (the next poll lists it) and starts it in the background.
/// `intro` are a job's first events when the agent made it itself (a schedule's fire:
/// `created`, then why it runs): they go into the outbox before anything the run says, so
/// the server learns of the job from them.
pub fn start(ctx: &Arc<Ctx>, spec: &JobSpec, config: Option<&AgentConfig>, intro: Vec<JobEvent>) {
    start_with(ctx, spec, config, intro, None);
}

/// A cross-host restore's run command: the source repository is not in this host's config,
/// so its credentials are fetched for this job first (kept in memory only); a failure to
/// get them ends the job at once.
pub fn start_cross_host(
    ctx: &Arc<Ctx>,
    client: crate::client::Client,
    id: Arc<crate::identity::Identity>,
    host: Uuid,
    spec: JobSpec,
    config: Option<AgentConfig>,
) {
    // Registered first, so the next poll lists it as running while the credentials come
    // (and a repeated command is a duplicate, not a second fetch).
    let Some((cancel, entry)) = register(ctx, &spec, vec![]) else { return };
    let ctx = ctx.clone();
    tokio::spawn(async move {
        let repo = match client.job_repository(&id, host, spec.job_id).await {
            Ok(r) if r.id == spec.repository_id => Some(r),
            Ok(_) => None,
            Err(e) => {
                tracing::warn!(job = %spec.job_id, "cannot get the source repository's credentials: {e}");
                None
            }
        };
        launch(&ctx, &spec, config.as_ref(), repo, cancel, entry);
    });
}

/// Whether a run command is a cross-host restore whose repository this host does not have.
pub fn needs_credentials(spec: &JobSpec, config: Option<&AgentConfig>) -> bool {
    matches!(&spec.args, JobArgs::Restore(r) if r.source_host_id.is_some())
        && !config.is_some_and(|c| c.repositories.iter().any(|r| r.id == spec.repository_id))
}

fn start_with(
    ctx: &Arc<Ctx>,
    spec: &JobSpec,
    config: Option<&AgentConfig>,
    intro: Vec<JobEvent>,
    lent: Option<cairn_proto::RepositoryConfig>,
) {
    if let Some((cancel, entry)) = register(ctx, spec, intro) {
        launch(ctx, spec, config, lent, cancel, entry);
    }
}

/// Makes the job known (registry, outbox, journal); `None` for a duplicate command.
fn register(ctx: &Arc<Ctx>, spec: &JobSpec, intro: Vec<JobEvent>) -> Option<(CancelToken, Entry)> {
    let job = spec.job_id;
    if ctx.outbox.contains(job) {
        tracing::warn!(job = %job, "job already ran or runs here; duplicate command ignored");
        return None;
    }
    let Some(cancel) = ctx.jobs.insert(job, spec.schedule_id) else {
        tracing::warn!(job = %job, "job already runs; duplicate command ignored");
        return None;
    };
    tracing::info!(job = %job, kind = ?spec.args.kind(), schedule = ?spec.schedule_id, "job started");
    ctx.outbox.open_job(job);
    for event in intro {
        ctx.emit(job, event);
    }
    let entry = Entry {
        job_id: job,
        kind: Some(spec.args.kind()),
        repository_id: Some(spec.repository_id),
        started_at: Some(chrono::Utc::now()),
        process: None,
        staging: None,
    };
    if let Err(e) = ctx.journal.write(&entry) {
        tracing::error!(job = %job, "cannot write the job journal (a crash now would go unreported): {e}");
    }
    Some((cancel, entry))
}

/// Runs a registered job in the background, ending it at once when its repository is
/// unknown.
fn launch(
    ctx: &Arc<Ctx>,
    spec: &JobSpec,
    config: Option<&AgentConfig>,
    lent: Option<cairn_proto::RepositoryConfig>,
    cancel: CancelToken,
    entry: Entry,
) {
    let job = spec.job_id;
    let repo = config.and_then(|c| c.repositories.iter().find(|r| r.id == spec.repository_id));
    let Some(repo) = repo.cloned().or(lent) else {
        let version = config.map_or(0, |c| c.version);
        let msg = format!(
            "Repository {} is not in this host's configuration (version {version}); link it to the host first",
            spec.repository_id
        );
        ctx.finish(job, events::failed("agent.unknown_repository", &msg));
        return;
    };
    let schedule = spec
        .schedule_id
        .and_then(|id| config.and_then(|c| c.schedules.iter().find(|s| s.id == id)))
        .cloned();
    let source = match &spec.args {
        JobArgs::Copy(c) => config
            .and_then(|cfg| cfg.repositories.iter().find(|r| r.id == c.from_repository_id))
            .cloned(),
        _ => None,
    };
    let surround = crate::runner::Surround { schedule, source };
    let runner =
        tokio::spawn(crate::runner::run(ctx.clone(), spec.clone(), repo, surround, cancel, entry));
    // A schedule that forgets or copies after each backup does so once its backup
    // succeeded (the copy after the retention, when there is one).
    let follow_up = crate::scheduler::follow_up(spec, config);
    let kind = spec.args.kind();
    let ctx = ctx.clone();
    tokio::spawn(async move {
        match runner.await {
            Ok(outcome) => {
                if let Some((cfg, schedule)) = follow_up {
                    crate::scheduler::after_job(&ctx, &cfg, &schedule, kind, outcome);
                }
            }
            // A bug in a runner must not leave its job "running" for ever: the job still ends.
            Err(e) if ctx.jobs.contains(job) => {
                tracing::error!(job = %job, "the job's runner crashed: {e}");
                let msg =
                    "The agent hit an internal error while running this job; its log says more";
                ctx.finish(job, events::failed("agent.internal_error", msg));
            }
            Err(_) => {}
        }
    });
}

#[cfg(test)]
mod tests {
    use cairn_proto::JobOutcome;
    use chrono::Utc;

    use super::*;

    fn ctx(dir: &std::path::Path) -> Arc<Ctx> {
        Arc::new(Ctx {
            outbox: Outbox::open(dir, &[]).unwrap(),
            journal: Journal::new(dir),
            jobs: Registry::default(),
            restic: ResticSettings { binary: "/usr/bin/restic".into(), cache_dir: None },
            reconnected: Notify::new(),
            catalogs: crate::catalog::store::Catalogs::new(dir),
        })
    }

    fn run_job(job: Uuid, repository_id: Uuid) -> Command {
        Command {
            id: Uuid::new_v4(),
            created_at: Utc::now(),
            action: Action::RunJob(RunJob {
                job: JobSpec {
                    job_id: job,
                    repository_id,
                    config_version: 1,
                    args: cairn_proto::JobArgs::Snapshots(cairn_proto::SnapshotsArgs {}),
                    schedule_id: None,
                },
            }),
        }
    }

    #[tokio::test]
    async fn a_job_for_an_unknown_repository_fails_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = ctx(dir.path());
        let job = Uuid::new_v4();
        let config = AgentConfig { version: 4, repositories: vec![], schedules: vec![] };
        handle(&ctx, &run_job(job, Uuid::new_v4()), Some(&config));
        assert!(ctx.jobs.is_empty());
        assert!(ctx.journal.list().is_empty(), "the journal entry is gone");
        assert_eq!(ctx.poll_lists(), (vec![], vec![job]), "unsent until uploaded");
        let batch = ctx.outbox.next_batch(job).unwrap().unwrap();
        assert_eq!(batch.events.len(), 1);
        let r = batch.events[0].result.clone().unwrap();
        assert_eq!(r.outcome, JobOutcome::Failed);
        assert_eq!(r.error_class.as_deref(), Some("agent.unknown_repository"));
        assert!(r.message.unwrap().contains("(version 4)"));

        // The same command again (a redelivery) does not run the job twice.
        handle(&ctx, &run_job(job, Uuid::new_v4()), Some(&config));
        assert_eq!(ctx.outbox.next_batch(job).unwrap().unwrap().events.len(), 1);
    }

    #[test]
    fn cancel_reaches_the_token_and_keeps_the_first_reason() {
        let reg = Registry::default();
        let job = Uuid::new_v4();
        let schedule = Uuid::new_v4();
        let token = reg.insert(job, Some(schedule)).unwrap();
        assert!(reg.insert(job, None).is_none());
        assert_eq!(reg.running_for(schedule), Some(job));
        assert_eq!(reg.running_for(Uuid::new_v4()), None);
        assert!(!token.is_cancelled());
        assert!(reg.cancel(job, StopReason::Requested));
        reg.cancel_all(StopReason::AgentStopping);
        assert!(token.is_cancelled());
        assert_eq!(reg.stop_reason(job), Some(StopReason::Requested));
        assert!(!reg.cancel(Uuid::new_v4(), StopReason::Requested));
    }
}
