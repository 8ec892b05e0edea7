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
    jobs::{self, Ctx, Registry, ResticSettings},
    journal::{Entry, Journal, ProcessId},
    outbox::Outbox,
    recovery,
};
use cairn_proto::{
    Action, AgentConfig, BackupSpec, CancelJob, Command, InitArgs, JobArgs, JobEvent, JobEventKind,
    JobKind, JobOutcome, JobSpec, LogStream, RepositoryConfig, RunJob, SnapshotsArgs,
};
use chrono::Utc;
use uuid::Uuid;

const PASSWORD: &str = "correct horse battery staple";

fn restic_path() -> PathBuf {
    let p = std::env::var_os("CAIRN_TEST_RESTIC")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/restic"));
    assert!(p.exists(), "restic not found at {} (apt-get install restic)", p.display());
    p
}

struct Fixture {
    dir: tempfile::TempDir,
    ctx: Arc<Ctx>,
    config: AgentConfig,
}

impl Fixture {
    fn new() -> Fixture {
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
            }],
            schedules: vec![],
        };
        Fixture { dir, ctx, config }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn repo_id(&self) -> Uuid {
        self.config.repositories[0].id
    }

    fn run(&self, args: JobArgs) -> Uuid {
        let job = Uuid::now_v7();
        let spec = JobSpec {
            job_id: job,
            repository_id: self.repo_id(),
            config_version: self.config.version,
            args,
            schedule_id: None,
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

    fn cancel(&self, job: Uuid) {
        let cmd = Command {
            id: Uuid::new_v4(),
            created_at: Utc::now(),
            action: Action::CancelJob(CancelJob { job_id: job }),
        };
        jobs::handle(&self.ctx, &cmd, Some(&self.config));
    }

    async fn wait(&self, job: Uuid, secs: u64) {
        let t0 = Instant::now();
        while self.ctx.jobs.contains(job) {
            assert!(t0.elapsed() < Duration::from_secs(secs), "job {job} still runs");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Reads the job's events as the uploader would, acknowledging each batch.
    fn drain(&self, job: Uuid) -> Vec<JobEvent> {
        let mut out = Vec::new();
        while let Some(b) = self.ctx.outbox.next_batch(job).unwrap() {
            self.ctx.outbox.ack(&b, b.last_seq());
            out.extend(b.events);
        }
        out
    }
}

fn result(events: &[JobEvent]) -> cairn_proto::JobResult {
    let last = events.last().expect("events");
    assert_eq!(last.kind, JobEventKind::Finished, "{events:#?}");
    last.result.clone().unwrap()
}

fn assert_contiguous(events: &[JobEvent]) {
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

fn backup_of(paths: &[&Path]) -> JobArgs {
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
    assert!(ev[0].kind == JobEventKind::Started && ev[0].pid.is_some(), "{:?}", ev[0]);
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
            break seen[0].pid.unwrap();
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
    let big = random_dir(&f.path("big"), 4, 25);
    // A restic started by "the previous agent": a plain child in its own process group.
    let repo = &f.config.repositories[0];
    use std::os::unix::process::CommandExt;
    let mut child = std::process::Command::new(restic_path())
        .args(["--json", "--cache-dir"])
        .arg(f.path("cache"))
        .args(["backup", "--host", "old-agent"])
        .arg(&big)
        .env("RESTIC_REPOSITORY", &repo.url)
        .env("RESTIC_PASSWORD", &repo.password)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .process_group(0)
        .spawn()
        .unwrap();
    let pid = child.id();
    let t0 = Instant::now();
    while std::fs::read_dir(f.path("repo/locks")).unwrap().count() == 0 {
        assert!(t0.elapsed() < Duration::from_secs(30), "restic never took its lock");
        std::thread::sleep(Duration::from_millis(20));
    }
    let job = Uuid::now_v7();
    f.ctx
        .journal
        .write(&Entry {
            job_id: job,
            kind: Some(JobKind::Backup),
            repository_id: Some(f.repo_id()),
            started_at: Some(Utc::now()),
            process: Some(ProcessId::of(pid)),
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
