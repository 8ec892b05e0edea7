//! Runs one job with restic: backup (then the host's snapshot list), init, or snapshots.
//! Every line and progress report goes to the outbox as it happens; the job always ends
//! with exactly one `Finished` event, whatever restic did.

use std::{sync::Arc, time::Duration};

use cairn_proto::{
    BackupSpec, JobArgs, JobOutcome, JobResult, JobSpec, LogStream, RepositoryConfig,
};
use cairn_restic::{
    BackupOptions, CancelToken, Event, GlobalOptions, Repo, Restic, RunControl, SnapshotFilter,
};
use tokio::sync::mpsc;
use uuid::Uuid;

use crate::{
    events::{self, StopReason},
    facts,
    jobs::{Ctx, ResticSettings},
    journal::{Entry, ProcessId},
};

/// Listing snapshots is quick; a backend that hangs must not hold the job forever.
const SNAPSHOTS_TIMEOUT: Duration = Duration::from_secs(300);

pub async fn run(
    ctx: Arc<Ctx>,
    spec: JobSpec,
    repo: RepositoryConfig,
    cancel: CancelToken,
    entry: Entry,
) -> JobOutcome {
    let job = spec.job_id;
    let result = execute(&ctx, &spec, &repo, &cancel, entry).await;
    let outcome = result.outcome;
    ctx.finish(job, result);
    outcome
}

/// The detected restic, set up for jobs: the cache directory, and killed by the kernel if
/// the agent dies (so it never runs on unsupervised, holding its lock).
pub async fn restic(settings: &ResticSettings) -> Result<Restic, cairn_restic::Error> {
    let globals = GlobalOptions { cache_dir: settings.cache_dir.clone(), ..Default::default() };
    Ok(Restic::detect(&settings.binary)
        .await?
        .with_globals(globals)
        .with_parent_death_signal(libc::SIGKILL))
}

pub fn repo(cfg: &RepositoryConfig) -> Repo {
    cfg.env.iter().fold(Repo::new(&cfg.url, &cfg.password), |r, (k, v)| r.with_env(k, v))
}

async fn execute(
    ctx: &Ctx,
    spec: &JobSpec,
    cfg: &RepositoryConfig,
    cancel: &CancelToken,
    entry: Entry,
) -> JobResult {
    let restic = match restic(&ctx.restic).await {
        Ok(r) => r,
        Err(e) => return events::from_error(&e),
    };
    let repo = repo(cfg);
    let run = Run {
        ctx,
        job: spec.job_id,
        restic: &restic,
        repo: &repo,
        cancel,
        host: facts::hostname(),
    };
    let mut entry = entry;
    match &spec.args {
        JobArgs::Backup(b) => run.backup(b, &mut entry).await,
        JobArgs::Init(_) => run.init().await,
        JobArgs::Snapshots(_) => run.snapshots().await,
        JobArgs::Forget(f) => run.forget(f, &cfg.guard, &mut entry).await,
        JobArgs::Prune(p) => run.prune(p.max_unused.clone(), &mut entry).await,
        JobArgs::Check(c) => run.check(c, &mut entry).await,
        JobArgs::Unlock(u) => run.unlock(u.remove_all).await,
        JobArgs::Stats(_) => run.stats().await,
    }
}

/// One job's run: what it needs to run restic and report.
pub(crate) struct Run<'a> {
    pub(crate) ctx: &'a Ctx,
    pub(crate) job: Uuid,
    pub(crate) restic: &'a Restic,
    pub(crate) repo: &'a Repo,
    pub(crate) cancel: &'a CancelToken,
    /// The hostname the agent reports; snapshots are made and listed under it.
    pub(crate) host: String,
}

impl Run<'_> {
    pub(crate) fn note(&self, line: &str) {
        self.ctx.emit(self.job, events::log(LogStream::Agent, line));
    }

    pub(crate) fn stopped(&self) -> JobResult {
        events::stopped(self.ctx.jobs.stop_reason(self.job).unwrap_or(StopReason::Requested))
    }

    /// Runs a streaming restic command (`run` gets its control), its lines and progress into
    /// the outbox as they come, and its pid into the journal (a crash of the agent then
    /// finds and stops it). `started` is said once restic runs, with its pid.
    pub(crate) async fn streamed<F>(
        &self,
        entry: &mut Entry,
        started: impl Fn(u32),
        run: impl FnOnce(RunControl) -> F,
    ) -> cairn_restic::Result<cairn_restic::Outcome>
    where
        F: std::future::Future<Output = cairn_restic::Result<cairn_restic::Outcome>>,
    {
        let (tx, mut rx) = mpsc::unbounded_channel();
        let ctl = RunControl::default().with_events(tx).with_cancel(self.cancel.clone());
        let run = run(ctl);
        // The runner drops the sender when restic is done, which ends this loop.
        let pump = async {
            while let Some(ev) = rx.recv().await {
                self.ctx.emit(self.job, events::from_restic(&ev));
                if let Event::Started { pid } = ev {
                    entry.process = Some(ProcessId::of(pid));
                    if let Err(e) = self.ctx.journal.write(entry) {
                        tracing::error!(job = %self.job, "cannot record restic's pid: {e}");
                    }
                    started(pid);
                }
            }
        };
        let (outcome, ()) = tokio::join!(run, pump);
        outcome
    }

    /// Sends the repository's list of this host's snapshots (the server replaces its own);
    /// a failure is only noted, the job's work is done.
    pub(crate) async fn report_snapshots(&self) -> Option<Vec<cairn_restic::Snapshot>> {
        match self.list_snapshots().await {
            Some(Ok(list)) => {
                self.ctx.emit(self.job, events::snapshots(&list));
                Some(list)
            }
            Some(Err(e)) => {
                self.note(&format!("cannot list the snapshots: {e}"));
                None
            }
            None => {
                self.note("listing the snapshots was cancelled");
                None
            }
        }
    }

    async fn backup(&self, b: &BackupSpec, entry: &mut Entry) -> JobResult {
        if b.paths.is_empty() {
            return events::failed("agent.invalid_job", "A backup job needs at least one path");
        }
        let opts = BackupOptions {
            excludes: b.excludes.clone(),
            exclude_files: b.exclude_files.iter().map(Into::into).collect(),
            one_file_system: b.one_file_system,
            limit_upload_kib: b.limit_upload_kib,
            limit_download_kib: b.limit_download_kib,
            tags: b.tags.clone(),
            host: Some(self.host.clone()),
            ..BackupOptions::new(&b.paths)
        };
        let started = |pid| {
            self.note(&format!(
                "restic {} (pid {pid}) backs up {} to {} as host {}",
                self.restic.version(),
                b.paths.join(", "),
                self.repo.display_url(),
                self.host
            ))
        };
        let outcome =
            self.streamed(entry, started, |ctl| self.restic.backup(self.repo, &opts, ctl));
        let outcome = match outcome.await {
            Ok(o) => o,
            Err(e) => return events::from_error(&e),
        };
        tracing::debug!(
            job = %self.job,
            status_lines = outcome.status_lines,
            progress_events = outcome.progress_events,
            "restic backup ended"
        );
        let mut result = events::backup_result(&outcome, self.ctx.jobs.stop_reason(self.job));
        if matches!(result.outcome, JobOutcome::Succeeded | JobOutcome::Warning) {
            // A failure here does not undo the backup, so it is only noted.
            if let Some(list) = self.report_snapshots().await
                && let Some(s) = result.summary.as_mut()
            {
                full_snapshot_id(s, &list);
            }
        }
        result
    }

    /// `None` when cancelled.
    async fn list_snapshots(&self) -> Option<Result<Vec<cairn_restic::Snapshot>, String>> {
        let filter = SnapshotFilter::host(self.host.clone());
        let list =
            tokio::time::timeout(SNAPSHOTS_TIMEOUT, self.restic.snapshots(self.repo, &filter));
        tokio::select! {
            r = list => Some(match r {
                Ok(Ok(list)) => Ok(list),
                Ok(Err(e)) => Err(e.to_string()),
                Err(_) => Err(format!("no answer within {} s", SNAPSHOTS_TIMEOUT.as_secs())),
            }),
            () = self.cancel.cancelled() => None,
        }
    }

    async fn init(&self) -> JobResult {
        self.ctx.emit(self.job, events::started(None));
        self.note(&format!("restic {} init of {}", self.restic.version(), self.repo.display_url()));
        // Dropping the future on cancel kills restic's process group.
        let r = tokio::select! {
            r = self.restic.init(self.repo) => r,
            () = self.cancel.cancelled() => return self.stopped(),
        };
        match r {
            Ok(init) => JobResult {
                outcome: JobOutcome::Succeeded,
                exit_code: Some(0),
                message: Some(format!("Repository created (id {}).", init.id)),
                ..JobResult::default()
            },
            Err(e) => events::from_error(&e),
        }
    }

    async fn snapshots(&self) -> JobResult {
        self.ctx.emit(self.job, events::started(None));
        self.note(&format!(
            "restic {} lists the snapshots of host {} in {}",
            self.restic.version(),
            self.host,
            self.repo.display_url()
        ));
        let filter = SnapshotFilter::host(self.host.clone());
        let r = tokio::select! {
            r = self.restic.snapshots(self.repo, &filter) => r,
            () = self.cancel.cancelled() => return self.stopped(),
        };
        match r {
            Ok(list) => {
                self.ctx.emit(self.job, events::snapshots(&list));
                JobResult {
                    outcome: JobOutcome::Succeeded,
                    exit_code: Some(0),
                    message: Some(format!(
                        "{} snapshot(s) of {} in the repository.",
                        list.len(),
                        self.host
                    )),
                    ..JobResult::default()
                }
            }
            Err(e) => events::from_error(&e),
        }
    }
}

/// restic before 0.17 puts only the short id (8 hex digits) in its backup summary; the
/// listing has the full one, which is what the server keys snapshots by.
fn full_snapshot_id(summary: &mut cairn_proto::BackupSummary, list: &[cairn_restic::Snapshot]) {
    let Some(short) = summary.snapshot_id.as_deref().filter(|id| !id.is_empty()) else { return };
    let mut matches = list.iter().filter(|s| s.id.starts_with(short));
    if let (Some(full), None) = (matches.next(), matches.next()) {
        summary.snapshot_id = Some(full.id.clone());
    }
}
