//! Runs one job with restic: backup (then the host's snapshot list), init, or snapshots.
//! Every line and progress report goes to the outbox as it happens; the job always ends
//! with exactly one `Finished` event, whatever restic did.

use std::{sync::Arc, time::Duration};

use cairn_proto::{
    BackupHooks, BackupSpec, Hook, JobArgs, JobOutcome, JobResult, JobSpec, LogStream,
    RepositoryConfig, ScheduleConfig, Severity,
};
use cairn_restic::{
    BackupOptions, CancelToken, Event, GlobalOptions, Repo, Restic, RunControl, SnapshotFilter,
};
use tokio::sync::mpsc;
use uuid::Uuid;

use crate::{
    catalog,
    events::{self, StopReason},
    facts,
    hooks::{self, HookEnd, HookEnv, Phase},
    jobs::{Ctx, ResticSettings},
    journal::{Entry, ProcessId},
    preflight,
};

/// Listing snapshots is quick; a backend that hangs must not hold the job forever.
const SNAPSHOTS_TIMEOUT: Duration = Duration::from_secs(300);
/// A post-hook after a job the agent's own stop cancelled gets at most this long: the
/// agent waits 20 s for its jobs before it exits, and the hook must end before that.
const POST_HOOK_WHILE_STOPPING: Duration = Duration::from_secs(10);
/// Blocking findings quoted in a blocked backup's message; the rest are only counted.
const MESSAGE_FINDINGS: usize = 5;

/// The config a job runs with, beside its own repository's.
#[derive(Default)]
pub struct Surround {
    /// The schedule the job runs for, when the agent's config has it: its hooks run
    /// around a backup.
    pub schedule: Option<ScheduleConfig>,
    /// A copy's source repository, when the agent's config has it.
    pub source: Option<RepositoryConfig>,
}

pub async fn run(
    ctx: Arc<Ctx>,
    spec: JobSpec,
    repo: RepositoryConfig,
    surround: Surround,
    cancel: CancelToken,
    entry: Entry,
) -> JobOutcome {
    let job = spec.job_id;
    let result = execute(&ctx, &spec, &repo, &surround, &cancel, entry).await;
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

/// The restic options of a backup of `b` made as `host`: what a backup job of this spec
/// runs, and what the preflight answer shows it would run. The extra options are checked
/// against the allow-list here again: the server checked them, but this is what runs.
pub fn backup_options(b: &BackupSpec, host: &str) -> Result<BackupOptions, String> {
    if b.paths.is_empty() {
        return Err("A backup job needs at least one path".to_owned());
    }
    if b.extra_options.len() > cairn_proto::MAX_EXTRA_OPTIONS {
        return Err(format!(
            "A backup takes at most {} extra options; this one has {}",
            cairn_proto::MAX_EXTRA_OPTIONS,
            b.extra_options.len()
        ));
    }
    for arg in &b.extra_options {
        if let Err(why) = cairn_proto::allowed_option(arg) {
            let name: String = arg.split('=').next().unwrap_or(arg).chars().take(64).collect();
            return Err(format!(
                "The backup option {name:?} is refused ({why}); restic did not run"
            ));
        }
    }
    Ok(BackupOptions {
        excludes: b.excludes.clone(),
        exclude_files: b.exclude_files.iter().map(Into::into).collect(),
        one_file_system: b.one_file_system,
        limit_upload_kib: b.limit_upload_kib,
        limit_download_kib: b.limit_download_kib,
        tags: b.tags.clone(),
        host: Some(host.to_owned()),
        extra: b.extra_options.clone(),
        ..BackupOptions::new(&b.paths)
    })
}

async fn execute(
    ctx: &Ctx,
    spec: &JobSpec,
    cfg: &RepositoryConfig,
    surround: &Surround,
    cancel: &CancelToken,
    entry: Entry,
) -> JobResult {
    let schedule = surround.schedule.as_ref();
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
        repository: cfg.id,
    };
    let mut entry = entry;
    if let (Some(failed), JobArgs::Forget(_) | JobArgs::Prune(_)) = (&cfg.failed_check, &spec.args)
    {
        return run.held_by_check(failed);
    }
    match &spec.args {
        JobArgs::Backup(b) => run.backup(b, cfg, schedule, &mut entry).await,
        JobArgs::Init(_) => run.init().await,
        JobArgs::Snapshots(_) => run.snapshots().await,
        JobArgs::Forget(f) => run.forget(f, &cfg.guard, &mut entry).await,
        JobArgs::Prune(p) => run.prune(p, &mut entry).await,
        JobArgs::Restore(r) => run.restore(r, &mut entry).await,
        JobArgs::Drill(d) => run.drill(d, &mut entry).await,
        JobArgs::Check(c) => run.check(c, &mut entry).await,
        JobArgs::Unlock(u) => run.unlock(u.remove_all).await,
        JobArgs::Stats(_) => run.stats().await,
        JobArgs::KeyAdd(_) => run.key_add(cfg).await,
        JobArgs::KeyRemove(k) => run.key_remove(&k.key_id).await,
        JobArgs::Copy(c) => match &surround.source {
            Some(source) => run.copy(c, source, &mut entry).await,
            None => events::failed(
                "agent.unknown_repository",
                &format!(
                    "The copy's source repository {} is not in this host's configuration; link it to the host first",
                    c.from_repository_id
                ),
            ),
        },
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
    pub(crate) repository: Uuid,
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
                self.reconcile_catalog(&list).await;
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

    fn catalog_key(&self) -> catalog::store::Key {
        catalog::store::Key { repository: self.repository, hostname: self.host.clone() }
    }

    /// The catalog forgets what the repository no longer has (after a forget or prune, or
    /// any fresh listing of this host's snapshots).
    async fn reconcile_catalog(&self, list: &[cairn_restic::Snapshot]) {
        let keep: Vec<String> = list.iter().map(|s| s.id.clone()).collect();
        if let Err(e) = self.ctx.catalogs.retain(&self.catalog_key(), &keep).await {
            tracing::warn!(job = %self.job, "catalog not reconciled: {e}");
        }
    }

    /// A backup: preflight, the schedule's pre-hook, restic, the post-hook. The post-hook
    /// runs whatever happened before it (a blocked preflight, a failed pre-hook, a failed
    /// or cancelled restic), with that status in its environment.
    async fn backup(
        &self,
        b: &BackupSpec,
        cfg: &RepositoryConfig,
        schedule: Option<&ScheduleConfig>,
        entry: &mut Entry,
    ) -> JobResult {
        let opts = match backup_options(b, &self.host) {
            Ok(o) => o,
            Err(msg) => return events::failed("agent.invalid_job", &msg),
        };
        self.ctx.emit(self.job, events::started(None));
        // Hooks belong to a schedule's backups only.
        let with_hooks = schedule.filter(|s| !s.hooks.is_empty());
        let no_hooks = BackupHooks::default();
        let findings = preflight::local_checks(
            b,
            with_hooks.map_or(&no_hooks, |s| &s.hooks),
            self.ctx.restic.cache_dir.as_deref(),
            Some(self.restic.version()),
            &self.host,
        );
        for w in findings.iter().filter(|f| f.severity == Severity::Warning) {
            self.note(&format!("Preflight warning: {}", w.message));
        }
        let env = with_hooks.map(|s| HookEnv {
            job_id: self.job,
            schedule_id: s.id,
            schedule_name: s.name.clone(),
            repository: cfg.name.clone(),
            ..HookEnv::default()
        });
        let pre = with_hooks.and_then(|s| s.hooks.pre.as_ref());
        let blocked: Vec<&str> =
            preflight::blocked(&findings).map(|f| f.message.as_str()).collect();
        let mut result = if blocked.is_empty() {
            self.pre_hook_then_restic(b, &opts, pre.zip(env.as_ref()), entry).await
        } else {
            // The first few say what to fix; all of them are in `findings`.
            let mut message = format!(
                "Preflight found what stops this backup; restic did not run. {}",
                blocked[..blocked.len().min(MESSAGE_FINDINGS)].join(" ")
            );
            if blocked.len() > MESSAGE_FINDINGS {
                message.push_str(&format!(
                    " And {} more (see the findings).",
                    blocked.len() - MESSAGE_FINDINGS
                ));
            }
            self.note(&message);
            JobResult {
                outcome: JobOutcome::Blocked,
                error_class: Some("preflight.failed".to_owned()),
                message: Some(message),
                ..JobResult::default()
            }
        };
        if let (Some(post), Some(env)) = (with_hooks.and_then(|s| s.hooks.post.as_ref()), env) {
            self.post_hook(post, env, &mut result).await;
        }
        result.findings = findings;
        result
    }

    async fn pre_hook_then_restic(
        &self,
        b: &BackupSpec,
        opts: &BackupOptions,
        pre: Option<(&Hook, &HookEnv)>,
        entry: &mut Entry,
    ) -> JobResult {
        if let Some((hook, env)) = pre {
            let limit = Duration::from_secs(hook.timeout_secs.into());
            let end =
                hooks::run(self.ctx, self.job, Phase::Pre, hook, env, limit, Some(self.cancel))
                    .await;
            match end {
                HookEnd::Cancelled => return self.stopped(),
                end if !end.succeeded() => {
                    return events::failed(
                        "hook_failed",
                        &format!("The pre-hook {}; the backup did not run", end.describe()),
                    );
                }
                _ => {}
            }
            if self.cancel.is_cancelled() {
                return self.stopped();
            }
        }
        self.restic_backup(b, opts, entry).await
    }

    /// Runs the post-hook with the job's status so far; a failing one makes a succeeded
    /// job a warning (never the other way) and adds why to the message.
    async fn post_hook(&self, hook: &Hook, env: HookEnv, result: &mut JobResult) {
        let status = match result.outcome {
            JobOutcome::Succeeded => "succeeded",
            JobOutcome::Warning => "warning",
            JobOutcome::Failed | JobOutcome::Lost => "failed",
            JobOutcome::Cancelled => "cancelled",
            JobOutcome::Blocked => "blocked",
        };
        let env = HookEnv {
            job_status: Some(status),
            snapshot_id: result.summary.as_ref().and_then(|s| s.snapshot_id.clone()),
            ..env
        };
        let mut limit = Duration::from_secs(hook.timeout_secs.into());
        if self.ctx.jobs.stop_reason(self.job) == Some(StopReason::AgentStopping) {
            limit = limit.min(POST_HOOK_WHILE_STOPPING);
        }
        // A job cancelled already still gets its post-hook (that is what it is for); only a
        // cancel that comes while it runs stops it.
        let cancel = (!self.cancel.is_cancelled()).then_some(self.cancel);
        let end = hooks::run(self.ctx, self.job, Phase::Post, hook, &env, limit, cancel).await;
        if end.succeeded() {
            return;
        }
        let reason = format!("The post-hook {}.", end.describe());
        if result.outcome == JobOutcome::Succeeded {
            result.outcome = JobOutcome::Warning;
            result.error_class.get_or_insert_with(|| "hook_failed".to_owned());
        }
        result.message = Some(match result.message.take() {
            Some(m) => format!("{m} {reason}"),
            None => reason,
        });
    }

    /// restic's own part of a backup, then the host's snapshot list.
    async fn restic_backup(
        &self,
        b: &BackupSpec,
        opts: &BackupOptions,
        entry: &mut Entry,
    ) -> JobResult {
        let started = |pid| {
            self.note(&format!(
                "restic {} (pid {pid}) backs up {} to {} as host {}",
                self.restic.version(),
                b.paths.join(", "),
                self.repo.display_url(),
                self.host
            ))
        };
        let outcome = self.streamed(entry, started, |ctl| self.restic.backup(self.repo, opts, ctl));
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
            // Indexed in the background, after the job: browsing the new snapshot (and
            // searching across all) is then instant, and the job is not held up.
            if let Some(id) = result.summary.as_ref().and_then(|s| s.snapshot_id.as_deref()) {
                self.ctx.catalogs.start(
                    &self.catalog_key(),
                    id,
                    self.restic.clone(),
                    self.repo.clone(),
                );
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
