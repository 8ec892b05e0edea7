//! Copies to a mirror on real restic repositories: a schedule that copies after each
//! backup starts the copy itself once the backup succeeded, and its report says what the
//! mirror holds; a second copy moves nothing; a copy whose source the agent does not know
//! fails clearly.

use std::time::{Duration, Instant};

use cairn_agent::jobs;
use cairn_proto::{
    Action, Command, CopyArgs, InitArgs, JobArgs, JobEventKind, JobOutcome, JobResult, JobSpec,
    RepositoryConfig, RunJob,
};
use chrono::Utc;
use uuid::Uuid;

use crate::{
    hooks::{run_schedule, with_schedule},
    jobs::{Fixture, assert_contiguous, result, run_to_end},
};

/// Adds a second, initialised repository to the fixture's config: the mirror.
async fn with_mirror(f: &mut Fixture) -> Uuid {
    let id = Uuid::new_v4();
    f.config.repositories.push(RepositoryConfig {
        id,
        name: "offsite".into(),
        url: f.path("mirror").to_string_lossy().into(),
        password: "the mirror's own password".into(),
        ..f.config.repositories[0].clone()
    });
    assert_eq!(run_on(f, id, JobArgs::Init(InitArgs {})).await.outcome, JobOutcome::Succeeded);
    id
}

/// Runs a job on `repository` to its end (the fixture's helpers run on the first one).
async fn run_on(f: &Fixture, repository: Uuid, args: JobArgs) -> JobResult {
    let job = Uuid::now_v7();
    let spec = JobSpec {
        job_id: job,
        repository_id: repository,
        config_version: f.config.version,
        args,
        schedule_id: None,
    };
    let cmd = Command {
        id: Uuid::new_v4(),
        created_at: Utc::now(),
        action: Action::RunJob(RunJob { job: spec }),
    };
    jobs::handle(&f.ctx, &cmd, Some(&f.config));
    f.wait(job, 180).await;
    let ev = f.drain(job);
    assert_contiguous(&ev);
    result(&ev)
}

/// The job the agent started by itself after `after` (a schedule's follow-up), once it ended.
async fn follow_up(f: &Fixture, after: Uuid) -> (Vec<cairn_proto::JobEvent>, JobResult) {
    let t0 = Instant::now();
    let job = loop {
        if let Some(j) = f.ctx.outbox.unsent().into_iter().find(|j| *j != after) {
            break j;
        }
        assert!(t0.elapsed() < Duration::from_secs(30), "no follow-up job started");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    f.wait(job, 180).await;
    let ev = f.drain(job);
    assert_contiguous(&ev);
    let r = result(&ev);
    (ev, r)
}

#[tokio::test]
async fn a_schedule_copies_each_backup_to_its_mirror() {
    let mut f = Fixture::new();
    assert_eq!(run_to_end(&f, JobArgs::Init(InitArgs {})).await.outcome, JobOutcome::Succeeded);
    let mirror = with_mirror(&mut f).await;
    let data = f.path("data");
    let schedule = with_schedule(&mut f, Default::default(), &[&data]);
    f.config.schedules[0].copy_to = Some(mirror);

    let (backup, _, r) = run_schedule(&f, schedule).await;
    assert_eq!(r.outcome, JobOutcome::Succeeded, "{r:?}");
    let (ev, r) = follow_up(&f, backup).await;
    let created = ev.iter().find(|e| e.kind == JobEventKind::Created).expect("made by the agent");
    let made = created.created.as_ref().unwrap();
    assert_eq!((made.schedule_id, made.repository_id), (schedule, mirror));
    assert!(matches!(&made.args, JobArgs::Copy(c) if c.from_repository_id == f.repo_id()));
    assert_eq!(r.outcome, JobOutcome::Succeeded, "{r:?}");
    let report = r.copy.expect("a copy report");
    assert_eq!((report.copied, report.source_snapshots, report.missing), (1, 1, 0), "{report:?}");
    assert_eq!(report.copied_newest, report.source_newest);
    assert!(report.copied_newest.is_some());

    // Copied again by hand: nothing new to move, nothing missing.
    let again =
        JobArgs::Copy(CopyArgs { from_repository_id: f.repo_id(), host: None, tags: vec![] });
    let r = run_on(&f, mirror, again).await;
    let report = r.copy.expect("a copy report");
    assert_eq!((report.copied, report.missing), (0, 0), "{report:?}");
    assert!(r.message.unwrap_or_default().contains("holds all 1"));

    // A source this host does not have: the job fails before restic runs.
    let unknown =
        JobArgs::Copy(CopyArgs { from_repository_id: Uuid::new_v4(), host: None, tags: vec![] });
    let r = run_on(&f, mirror, unknown).await;
    assert_eq!(
        (r.outcome, r.error_class.as_deref()),
        (JobOutcome::Failed, Some("agent.unknown_repository"))
    );
}
