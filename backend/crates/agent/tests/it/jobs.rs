//! Jobs run for real without a server: the agent's job code drives the real restic against
//! repositories in temp dirs, and every event lands in the outbox in `seq` order. Also the
//! journal recovery of a job whose agent died, with a real restic and its real lock.

use std::{
    collections::BTreeMap,
    io::Write,
    path::{Path, PathBuf},
    sync::Arc,
    time::{Duration, Instant},
};

use cairn_agent::{
    asks,
    jobs::{self, Ctx, Registry, ResticSettings},
    journal::{Entry, Journal, ProcessId},
    outbox::Outbox,
    recovery,
};
use cairn_proto::{
    Action, AgentConfig, Answer, BackupSpec, CancelJob, CheckArgs, Command, FailedCheck,
    ForgetArgs, InitArgs, JobArgs, JobEvent, JobEventKind, JobKind, JobOutcome, JobSpec, LogStream,
    PruneArgs, Question, RepositoryConfig, RetentionAnswer, RetentionPolicy, RetentionQuery,
    RunJob, SnapshotsArgs, StatsArgs, UnlockArgs,
};
use chrono::Utc;
use uuid::Uuid;

pub(crate) const PASSWORD: &str = "correct horse battery staple";

pub(crate) fn restic_path() -> PathBuf {
    let p = std::env::var_os("CAIRN_TEST_RESTIC")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/restic"));
    assert!(p.exists(), "restic not found at {} (apt-get install restic)", p.display());
    p
}

pub(crate) struct Fixture {
    pub(crate) dir: tempfile::TempDir,
    pub(crate) ctx: Arc<Ctx>,
    pub(crate) config: AgentConfig,
}

impl Fixture {
    pub(crate) fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("state");
        std::fs::create_dir_all(&state).unwrap();
        let ctx = Arc::new(Ctx {
            outbox: Outbox::open(&state, &[]).unwrap(),
            journal: Journal::new(&state),
            jobs: Registry::default(),
            restic: ResticSettings {
                binary: restic_path(),
                cache_dir: Some(dir.path().join("cache")),
            },
            reconnected: tokio::sync::Notify::new(),
            catalogs: cairn_agent::catalog::store::Catalogs::new(&state),
        });
        let data = dir.path().join("data");
        std::fs::create_dir_all(data.join("sub")).unwrap();
        for (name, text) in [("a.txt", "alpha\n"), ("b.txt", "bravo\n"), ("sub/c.txt", "charlie\n")]
        {
            std::fs::write(data.join(name), text).unwrap();
        }
        let config = AgentConfig {
            version: 2,
            repositories: vec![RepositoryConfig {
                id: Uuid::new_v4(),
                name: "local".into(),
                url: dir.path().join("repo").to_string_lossy().into(),
                password: PASSWORD.into(),
                env: BTreeMap::new(),
                guard: Default::default(),
                failed_check: None,
                new_password: None,
            }],
            schedules: vec![],
        };
        Fixture { dir, ctx, config }
    }

    pub(crate) fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub(crate) fn repo_id(&self) -> Uuid {
        self.config.repositories[0].id
    }

    pub(crate) fn run(&self, args: JobArgs) -> Uuid {
        self.run_for(None, args)
    }

    /// Runs a job as the schedule `schedule`'s (its "Run now"), when given.
    pub(crate) fn run_for(&self, schedule: Option<Uuid>, args: JobArgs) -> Uuid {
        let job = Uuid::now_v7();
        let spec = JobSpec {
            job_id: job,
            repository_id: self.repo_id(),
            config_version: self.config.version,
            args,
            schedule_id: schedule,
        };
        let cmd = Command {
            id: Uuid::new_v4(),
            created_at: Utc::now(),
            action: Action::RunJob(RunJob { job: spec }),
        };
        jobs::handle(&self.ctx, &cmd, Some(&self.config));
        // Registered synchronously: the very next poll lists it.
        assert_eq!(self.ctx.poll_lists().0, vec![job]);
        job
    }

    pub(crate) fn cancel(&self, job: Uuid) {
        let cmd = Command {
            id: Uuid::new_v4(),
            created_at: Utc::now(),
            action: Action::CancelJob(CancelJob { job_id: job }),
        };
        jobs::handle(&self.ctx, &cmd, Some(&self.config));
    }

    pub(crate) async fn wait(&self, job: Uuid, secs: u64) {
        let t0 = Instant::now();
        while self.ctx.jobs.contains(job) {
            assert!(t0.elapsed() < Duration::from_secs(secs), "job {job} still runs");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Reads the job's events as the uploader would, acknowledging each batch.
    pub(crate) fn drain(&self, job: Uuid) -> Vec<JobEvent> {
        let mut out = Vec::new();
        while let Some(b) = self.ctx.outbox.next_batch(job).unwrap() {
            self.ctx.outbox.ack(&b, b.last_seq());
            out.extend(b.events);
        }
        out
    }
}

pub(crate) fn result(events: &[JobEvent]) -> cairn_proto::JobResult {
    let last = events.last().expect("events");
    assert_eq!(last.kind, JobEventKind::Finished, "{events:#?}");
    last.result.clone().unwrap()
}

pub(crate) fn assert_contiguous(events: &[JobEvent]) {
    let seqs: Vec<u64> = events.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (1..=events.len() as u64).collect::<Vec<_>>());
    let finished = events.iter().filter(|e| e.kind == JobEventKind::Finished).count();
    assert_eq!(finished, 1, "exactly one Finished, last");
}

fn random_dir(dir: &Path, files: usize, mib: usize) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let mut urandom = std::fs::File::open("/dev/urandom").unwrap();
    let mut buf = vec![0u8; 1 << 20];
    for i in 0..files {
        let mut f = std::fs::File::create(dir.join(format!("blob{i}"))).unwrap();
        for _ in 0..mib {
            std::io::Read::read_exact(&mut urandom, &mut buf).unwrap();
            f.write_all(&buf).unwrap();
        }
    }
    dir.to_owned()
}

/// A restic backup of 100 MiB of random data that no agent started (a plain child in its
/// own process group), once it holds its lock on the fixture's repository.
fn foreign_backup(f: &Fixture, extra: &[&str]) -> std::process::Child {
    use std::os::unix::process::CommandExt;
    let big = random_dir(&f.path("big"), 4, 25);
    let repo = &f.config.repositories[0];
    let child = std::process::Command::new(restic_path())
        .args(["--json", "--cache-dir"])
        .arg(f.path("cache"))
        .arg("backup")
        .args(extra)
        .arg(&big)
        .env("RESTIC_REPOSITORY", &repo.url)
        .env("RESTIC_PASSWORD", &repo.password)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .process_group(0)
        .spawn()
        .unwrap();
    let t0 = Instant::now();
    while std::fs::read_dir(f.path("repo/locks")).unwrap().count() == 0 {
        assert!(t0.elapsed() < Duration::from_secs(30), "restic never took its lock");
        std::thread::sleep(Duration::from_millis(20));
    }
    child
}

pub(crate) fn backup_of(paths: &[&Path]) -> JobArgs {
    JobArgs::Backup(BackupSpec {
        paths: paths.iter().map(|p| p.to_string_lossy().into_owned()).collect(),
        excludes: vec!["*.skip".into()],
        tags: vec!["manual".into()],
        // Passed to the real restic by every backup here: restic would refuse a flag
        // it does not know.
        one_file_system: true,
        limit_upload_kib: Some(1_000_000),
        limit_download_kib: Some(1_000_000),
        ..Default::default()
    })
}

#[tokio::test]
async fn init_backup_and_snapshots_jobs() {
    let f = Fixture::new();
    let init = f.run(JobArgs::Init(InitArgs {}));
    f.wait(init, 60).await;
    let ev = f.drain(init);
    assert_contiguous(&ev);
    let r = result(&ev);
    assert_eq!(r.outcome, JobOutcome::Succeeded, "{r:?}");
    assert!(r.message.unwrap().starts_with("Repository created"));
    assert_eq!(ev[0].kind, JobEventKind::Started);

    std::fs::write(f.path("data/ignored.skip"), "excluded").unwrap();
    let job = f.run(backup_of(&[&f.path("data")]));
    f.wait(job, 120).await;
    assert!(f.ctx.journal.list().is_empty(), "the journal entry goes with the job");
    assert_eq!(f.ctx.poll_lists(), (vec![], vec![job]), "unsent until acknowledged");
    let ev = f.drain(job);
    assert_contiguous(&ev);
    assert_eq!(f.ctx.poll_lists(), (vec![], vec![]), "delivered: neither list");
    // The job starts (preflight, hooks) before restic does; restic's start has its pid.
    assert!(ev[0].kind == JobEventKind::Started && ev[0].pid.is_none(), "{:?}", ev[0]);
    assert!(ev.iter().any(|e| e.kind == JobEventKind::Started && e.pid.is_some()), "{ev:#?}");
    let agent_line = ev.iter().find(|e| e.stream == Some(LogStream::Agent)).unwrap();
    assert!(agent_line.line.as_deref().unwrap().contains("backs up"), "{agent_line:?}");
    assert!(ev.iter().any(|e| e.kind == JobEventKind::Progress));
    let r = result(&ev);
    assert_eq!(r.outcome, JobOutcome::Succeeded, "{r:?}");
    let summary = r.summary.unwrap();
    assert_eq!(summary.files_new, 3, "the excluded file is not counted");
    let snapshot_id = summary.snapshot_id.unwrap();
    let snaps = ev.iter().find(|e| e.kind == JobEventKind::Snapshots).unwrap();
    let snaps = snaps.snapshots.as_ref().unwrap();
    assert_eq!(snaps.len(), 1);
    assert_eq!(snaps[0].id, snapshot_id);
    assert_eq!(snaps[0].hostname, cairn_agent::facts::hostname());
    assert_eq!(snaps[0].tags, vec!["manual".to_owned()]);

    let list = f.run(JobArgs::Snapshots(SnapshotsArgs {}));
    f.wait(list, 60).await;
    let ev = f.drain(list);
    assert_contiguous(&ev);
    assert_eq!(result(&ev).outcome, JobOutcome::Succeeded);
    let snaps = ev.iter().find_map(|e| e.snapshots.clone()).unwrap();
    assert_eq!(snaps.iter().map(|s| s.id.clone()).collect::<Vec<_>>(), vec![snapshot_id]);

    // A second init of the same repository fails with restic's reason.
    let again = f.run(JobArgs::Init(InitArgs {}));
    f.wait(again, 60).await;
    let r = result(&f.drain(again));
    assert_eq!(r.outcome, JobOutcome::Failed);
    assert!(r.error_class.is_some() && r.message.is_some(), "{r:?}");
}

#[tokio::test]
async fn failures_are_classified() {
    let mut f = Fixture::new();
    // Not initialised: restic says there is no repository.
    let job = f.run(backup_of(&[&f.path("data")]));
    f.wait(job, 60).await;
    let r = result(&f.drain(job));
    assert_eq!(r.outcome, JobOutcome::Failed);
    assert_eq!(r.error_class.as_deref(), Some("restic.repo_missing"), "{r:?}");
    assert!(r.exit_code.is_some());

    let init = f.run(JobArgs::Init(InitArgs {}));
    f.wait(init, 60).await;
    f.drain(init);
    f.config.repositories[0].password = "not the password".into();
    let job = f.run(backup_of(&[&f.path("data")]));
    f.wait(job, 60).await;
    let r = result(&f.drain(job));
    assert_eq!(r.error_class.as_deref(), Some("restic.wrong_password"), "{r:?}");
    assert_eq!(r.message.as_deref(), Some("Wrong repository password (or no key found)."));

    // restic itself cannot run.
    let ctx = Arc::new(Ctx {
        outbox: Outbox::open(&f.path("state2"), &[]).unwrap(),
        journal: Journal::new(&f.path("state2")),
        jobs: Registry::default(),
        restic: ResticSettings { binary: "/nonexistent/restic".into(), cache_dir: None },
        reconnected: tokio::sync::Notify::new(),
        catalogs: cairn_agent::catalog::store::Catalogs::new(&f.path("state2")),
    });
    let f2 = Fixture { ctx, ..Fixture::new() };
    let job = f2.run(JobArgs::Init(InitArgs {}));
    f2.wait(job, 30).await;
    let r = result(&f2.drain(job));
    assert_eq!(r.error_class.as_deref(), Some("restic.not_runnable"), "{r:?}");
}

#[tokio::test]
async fn cancel_stops_restic_and_leaves_no_lock() {
    let f = Fixture::new();
    let init = f.run(JobArgs::Init(InitArgs {}));
    f.wait(init, 60).await;
    f.drain(init);
    let big = random_dir(&f.path("big"), 6, 25);
    let job = f.run(backup_of(&[&big]));
    // Cancel once restic reports progress (it holds its lock by then).
    let t0 = Instant::now();
    let mut seen = Vec::new();
    let pid = loop {
        assert!(t0.elapsed() < Duration::from_secs(60), "no progress: {seen:#?}");
        if let Some(b) = f.ctx.outbox.next_batch(job).unwrap() {
            seen = b.events;
        }
        if seen.iter().any(|e| e.kind == JobEventKind::Progress) {
            break seen.iter().find_map(|e| e.pid).unwrap();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    // The journal records restic's pid while it runs.
    let entry = f.ctx.journal.list().pop().unwrap();
    assert_eq!(entry.process.as_ref().map(|p| p.pid), Some(pid));
    f.cancel(job);
    f.wait(job, 30).await;
    let ev = f.drain(job);
    assert_contiguous(&ev);
    let r = result(&ev);
    assert_eq!(r.outcome, JobOutcome::Cancelled, "{r:?}");
    assert!(r.message.unwrap().starts_with("Cancelled on request"));
    assert!(!ev.iter().any(|e| e.kind == JobEventKind::Snapshots));
    assert!(!cairn_agent::journal::pid_running(pid), "restic {pid} still runs");
    let locks = std::fs::read_dir(f.path("repo/locks")).unwrap().count();
    assert_eq!(locks, 0, "a graceful stop removes restic's lock");
    assert_eq!(f.ctx.jobs.stop_reason(job), None, "the slot is gone");
}

/// The agent died mid-backup and restic lived on: at the next start the journal names the
/// job, the surviving restic is killed (its pid, start time and boot match), and the job
/// is reported lost with the lock that restic left.
#[tokio::test]
async fn a_journaled_job_is_reported_lost_with_its_stale_lock() {
    let f = Fixture::new();
    let init = f.run(JobArgs::Init(InitArgs {}));
    f.wait(init, 60).await;
    f.drain(init);
    // A restic started by "the previous agent".
    let mut child = foreign_backup(&f, &["--host", "old-agent"]);
    let pid = child.id();
    let job = Uuid::now_v7();
    f.ctx
        .journal
        .write(&Entry {
            job_id: job,
            kind: Some(JobKind::Backup),
            repository_id: Some(f.repo_id()),
            started_at: Some(Utc::now()),
            process: Some(ProcessId::of(pid)),
            staging: None,
        })
        .unwrap();
    f.ctx.emit(job, cairn_agent::events::started(Some(pid)));

    let leftovers = f.ctx.journal.list();
    assert_eq!(f.ctx.poll_lists(), (vec![], vec![job]), "reported while it is recovered");
    recovery::recover(f.ctx.clone(), leftovers, Some(f.config.clone())).await;
    let status = child.wait().unwrap();
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(status.signal(), Some(libc::SIGKILL), "the surviving restic was killed");
    assert!(f.ctx.journal.list().is_empty());

    let ev = f.drain(job);
    assert_contiguous(&ev);
    let r = result(&ev);
    assert_eq!(r.outcome, JobOutcome::Lost);
    assert_eq!(r.error_class.as_deref(), Some("agent.restarted"));
    let message = r.message.unwrap();
    assert!(message.contains(&format!("restic (PID {pid}) was still running")), "{message}");
    let lock = r.stale_lock.expect("the killed restic's lock is reported");
    assert!(
        lock.contains(&format!("PID {pid} on {}", cairn_agent::facts::kernel_hostname())),
        "{lock}"
    );
    assert!(lock.starts_with("shared lock"), "{lock}");
}

/// The repository's snapshots as restic lists them (ids).
pub(crate) async fn snapshot_ids(f: &Fixture) -> Vec<String> {
    let restic = cairn_restic::Restic::detect(restic_path()).await.unwrap();
    let repo = cairn_agent::runner::repo(&f.config.repositories[0]);
    let mut ids: Vec<String> = restic
        .snapshots(&repo, &cairn_restic::SnapshotFilter::default())
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    ids.sort();
    ids
}

pub(crate) async fn run_to_end(f: &Fixture, args: JobArgs) -> cairn_proto::JobResult {
    let job = f.run(args);
    f.wait(job, 180).await;
    let ev = f.drain(job);
    assert_contiguous(&ev);
    result(&ev)
}

/// The agent's answer to the server's retention preview of `keep_last n` (a dry run).
async fn preview(f: &Fixture, n: u32) -> RetentionAnswer {
    let Some(JobArgs::Forget(forget)) = Some(keep_last(n, false)) else { unreachable!() };
    let q = Question::RetentionPreview(RetentionQuery { repository_id: f.repo_id(), forget });
    match asks::answer(&f.ctx.restic, &f.ctx.catalogs, &q, Some(&f.config)).await {
        Answer::RetentionPreview(a) => a,
        other => panic!("{other:?}"),
    }
}

/// The agent's answer to the server's "who holds locks" question.
async fn locks_seen(f: &Fixture) -> Vec<cairn_proto::LockSeen> {
    let q = Question::Locks(cairn_proto::LocksQuery { repository_id: f.repo_id() });
    match asks::answer(&f.ctx.restic, &f.ctx.catalogs, &q, Some(&f.config)).await {
        Answer::Locks(a) => a.locks,
        other => panic!("{other:?}"),
    }
}

fn keep_last(n: u32, approved: bool) -> JobArgs {
    JobArgs::Forget(ForgetArgs {
        policy: RetentionPolicy { keep_last: Some(n), ..Default::default() },
        approved,
        ..Default::default()
    })
}

/// Retention for real: what the dry run says forget removes is what it removes, with
/// restic's reasons for what stays; a run past the delete guard removes nothing and ends
/// blocked with its report; the same run approved goes through.
#[tokio::test]
async fn forget_removes_what_its_dry_run_said_within_the_delete_guard() {
    let f = Fixture::new();
    assert_eq!(run_to_end(&f, JobArgs::Init(InitArgs {})).await.outcome, JobOutcome::Succeeded);
    for _ in 0..4 {
        let r = run_to_end(&f, backup_of(&[&f.path("data")])).await;
        assert_eq!(r.outcome, JobOutcome::Succeeded, "{r:?}");
    }
    let before = snapshot_ids(&f).await;
    assert_eq!(before.len(), 4);

    // What the server's retention preview gets from this agent (a dry run).
    let dry = preview(&f, 2).await;
    assert_eq!(dry.blocked_by, None, "half of four is within the guard");
    assert!(dry.report.keep.iter().all(|k| !k.reasons.is_empty()), "{dry:?}");
    let mut would: Vec<String> = dry.report.remove.iter().map(|s| s.id.clone()).collect();
    would.sort();
    assert_eq!(would.len(), 2);

    // Half of four: within the default guard (at most 50 %).
    let r = run_to_end(&f, keep_last(2, false)).await;
    assert_eq!(r.outcome, JobOutcome::Succeeded, "{r:?}");
    let report = r.forget.unwrap();
    assert!(report.removed);
    let mut removed: Vec<String> = report.remove.iter().map(|s| s.id.clone()).collect();
    removed.sort();
    assert_eq!(removed, would, "forget removed exactly what the dry run said");
    assert!(
        report.keep.iter().all(|k| k.reasons.iter().any(|r| r == "last snapshot")),
        "{report:?}"
    );
    let after = snapshot_ids(&f).await;
    assert_eq!(after.len(), 2);
    assert!(would.iter().all(|id| !after.contains(id)));

    // Three more, then keep one: four of five would go, past the guard.
    for _ in 0..3 {
        run_to_end(&f, backup_of(&[&f.path("data")])).await;
    }
    let five = snapshot_ids(&f).await;
    let blocked_by = preview(&f, 1).await.blocked_by.expect("the preview says the guard blocks it");
    assert!(blocked_by.contains("4 of 5"), "{blocked_by}");
    let r = run_to_end(&f, keep_last(1, false)).await;
    assert_eq!(r.outcome, JobOutcome::Blocked, "{r:?}");
    assert_eq!(r.error_class.as_deref(), Some("forget.guard"));
    assert!(r.message.as_deref().unwrap().contains("4 of 5"), "{r:?}");
    let report = r.forget.unwrap();
    assert_eq!((report.remove.len(), report.keep.len(), report.removed), (4, 1, false));
    assert_eq!(snapshot_ids(&f).await, five, "a blocked forget removes nothing");

    // Approved by an admin: the same run removes them.
    let r = run_to_end(&f, keep_last(1, true)).await;
    assert_eq!(r.outcome, JobOutcome::Succeeded, "{r:?}");
    assert_eq!(snapshot_ids(&f).await.len(), 1);

    // And prune, check and stats on what is left.
    // With the repack options, which restic 0.14 takes as they are.
    let prune = PruneArgs {
        max_unused: Some("0%".into()),
        max_repack_size: Some("1G".into()),
        repack_cacheable_only: false,
        repack_small: true,
        repack_uncompressed: true,
    };
    let r = run_to_end(&f, JobArgs::Prune(prune)).await;
    assert_eq!(r.outcome, JobOutcome::Succeeded, "{r:?}");
    let r =
        run_to_end(&f, JobArgs::Check(CheckArgs { read_data_subset: Some("50%".into()) })).await;
    assert_eq!(r.outcome, JobOutcome::Succeeded, "{r:?}");
    assert!(r.message.unwrap().contains("50% of the data"));
    let r = run_to_end(&f, JobArgs::Stats(StatsArgs {})).await;
    let stats = r.stats.expect("figures");
    assert_eq!(stats.snapshots, 1);
    // The fixture's three small files, restored in full.
    assert_eq!(stats.restore_size, "alpha\nbravo\ncharlie\n".len() as u64, "{stats:?}");
    assert!(stats.raw_size > 0 && stats.dedup_ratio > 0.0, "{stats:?}");
}

/// A repository missing a pack file fails its check with `restic.failed` (a verdict the
/// server keeps, unlike a check that could not reach the repository); while the server
/// says the newest check found errors, forget and prune remove nothing, approved or not.
#[tokio::test]
async fn a_damaged_repository_fails_its_check_and_holds_forget_and_prune() {
    let mut f = Fixture::new();
    run_to_end(&f, JobArgs::Init(InitArgs {})).await;
    for _ in 0..3 {
        let r = run_to_end(&f, backup_of(&[&f.path("data")])).await;
        assert_eq!(r.outcome, JobOutcome::Succeeded, "{r:?}");
    }
    let r = run_to_end(&f, JobArgs::Check(CheckArgs { read_data_subset: None })).await;
    assert_eq!(r.outcome, JobOutcome::Succeeded, "{r:?}");

    // Damage: one data pack gone.
    let pack = walk(&f.path("repo/data")).into_iter().next().expect("a data pack");
    std::fs::remove_file(&pack).unwrap();
    let r = run_to_end(&f, JobArgs::Check(CheckArgs { read_data_subset: None })).await;
    assert_eq!(
        (r.outcome, r.error_class.as_deref()),
        (JobOutcome::Failed, Some("restic.failed")),
        "{r:?}"
    );

    let failed = FailedCheck { job_id: Uuid::now_v7(), finished_at: Utc::now() };
    f.config.repositories[0].failed_check = Some(failed.clone());
    let before = snapshot_ids(&f).await;
    for args in [
        keep_last(1, false),
        keep_last(1, true),
        JobArgs::Prune(PruneArgs { max_unused: Some("0%".into()), ..Default::default() }),
    ] {
        let r = run_to_end(&f, args).await;
        assert_eq!(
            (r.outcome, r.error_class.as_deref()),
            (JobOutcome::Blocked, Some("check.failed")),
            "{r:?}"
        );
        let message = r.message.unwrap_or_default();
        assert!(message.contains(&failed.job_id.to_string()), "{message}");
    }
    assert_eq!(snapshot_ids(&f).await, before, "nothing removed");
}

/// Every file under `dir`, depth first.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() { out.extend(walk(&p)) } else { out.push(p) }
    }
    out
}

/// Safe unlock: a live lock (its restic still runs, on this host) stays; once that restic
/// is killed its lock is stale and goes.
#[tokio::test]
async fn unlock_removes_stale_locks_and_leaves_live_ones() {
    let f = Fixture::new();
    run_to_end(&f, JobArgs::Init(InitArgs {})).await;
    let mut child = foreign_backup(&f, &["--limit-upload", "2048"]);
    let pid = child.id();

    let r = run_to_end(&f, JobArgs::Unlock(UnlockArgs { remove_all: false })).await;
    assert_eq!(r.outcome, JobOutcome::Succeeded, "{r:?}");
    let locks = r.locks.unwrap();
    assert!(locks.removed.is_empty(), "{locks:?}");
    assert_eq!(locks.remaining.iter().map(|l| l.pid).collect::<Vec<_>>(), vec![pid]);
    assert!(r.message.unwrap().contains(&format!("PID {pid}")));
    assert_eq!(std::fs::read_dir(f.path("repo/locks")).unwrap().count(), 1, "the live lock stays");
    // Asked who holds it: this host, that PID, live.
    let seen = locks_seen(&f).await;
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!((seen[0].pid, seen[0].stale), (pid, false));
    assert_eq!(seen[0].hostname, cairn_agent::facts::hostname());
    assert!(seen[0].since <= Utc::now());

    child.kill().unwrap();
    child.wait().unwrap();
    // Its owner is gone: the same lock, now stale.
    let seen = locks_seen(&f).await;
    assert_eq!(seen.iter().map(|l| (l.pid, l.stale)).collect::<Vec<_>>(), vec![(pid, true)]);
    let r = run_to_end(&f, JobArgs::Unlock(UnlockArgs { remove_all: false })).await;
    let locks = r.locks.unwrap();
    assert_eq!(locks.removed.iter().map(|l| l.pid).collect::<Vec<_>>(), vec![pid], "{locks:?}");
    assert!(locks.remaining.is_empty());
    assert_eq!(std::fs::read_dir(f.path("repo/locks")).unwrap().count(), 0);
}
