//! A schedule's pre and post hooks around real backups: real `/bin/sh` processes, the real
//! restic, repositories in temp dirs. The hooks write what they saw (their environment,
//! their background children's pids) into files the tests read back.

use std::{
    path::Path,
    time::{Duration, Instant},
};

use cairn_proto::{
    BackupHooks, BackupSpec, Hook, InitArgs, JobArgs, JobEvent, JobEventKind, JobOutcome,
    JobResult, LogStream, MissedRun, ScheduleConfig,
};
use uuid::Uuid;

use crate::jobs::{Fixture, assert_contiguous, result, run_to_end, snapshot_ids};

fn hook(command: String, timeout_secs: u32) -> Option<Hook> {
    Some(Hook { command, timeout_secs })
}

/// Adds a manual schedule with these hooks backing up the fixture's data; returns its id.
pub(crate) fn with_schedule(f: &mut Fixture, hooks: BackupHooks, paths: &[&Path]) -> Uuid {
    let id = Uuid::new_v4();
    f.config.schedules.push(ScheduleConfig {
        id,
        name: "nightly db".into(),
        repository_id: f.repo_id(),
        cron: None,
        timezone: "UTC".into(),
        enabled: true,
        backup: backup_spec(paths),
        retention: None,
        forget_after_backup: false,
        prune_after_forget: false,
        prune_max_unused: None,
        copy_to: None,
        missed: MissedRun::RunOnce,
        hooks,
        blocked_by: None,
    });
    id
}

fn backup_spec(paths: &[&Path]) -> BackupSpec {
    BackupSpec {
        paths: paths.iter().map(|p| p.to_string_lossy().into_owned()).collect(),
        ..Default::default()
    }
}

/// Runs the schedule's backup to its end: its events and result.
pub(crate) async fn run_schedule(f: &Fixture, schedule: Uuid) -> (Uuid, Vec<JobEvent>, JobResult) {
    let spec = f.config.schedules.iter().find(|s| s.id == schedule).unwrap().backup.clone();
    let job = f.run_for(Some(schedule), JobArgs::Backup(spec));
    f.wait(job, 180).await;
    let ev = f.drain(job);
    assert_contiguous(&ev);
    let r = result(&ev);
    (job, ev, r)
}

/// `KEY=value` lines a hook wrote with `env > file`.
pub(crate) fn env_file(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("the hook did not write {}: {e}", path.display()));
    text.lines().map(str::to_owned).collect()
}

fn hook_lines(ev: &[JobEvent]) -> Vec<String> {
    ev.iter()
        .filter(|e| e.kind == JobEventKind::Log && e.stream == Some(LogStream::Hook))
        .filter_map(|e| e.line.clone())
        .collect()
}

fn agent_lines(ev: &[JobEvent]) -> Vec<String> {
    ev.iter()
        .filter(|e| e.stream == Some(LogStream::Agent))
        .filter_map(|e| e.line.clone())
        .collect()
}

/// A pre-hook that exits 3 stops the backup before restic runs (no snapshot); the job
/// fails `hook_failed` without the command in its message, and the post-hook still runs,
/// told the job failed.
#[tokio::test]
async fn a_failing_pre_hook_stops_the_backup_and_the_post_hook_still_runs() {
    let mut f = Fixture::new();
    assert_eq!(run_to_end(&f, JobArgs::Init(InitArgs {})).await.outcome, JobOutcome::Succeeded);
    let post_env = f.path("post.env");
    let hooks = BackupHooks {
        pre: hook("echo secret-token-in-pre; exit 3".into(), 30),
        post: hook(format!("env > '{}'", post_env.display()), 30),
    };
    let data = f.path("data");
    let schedule = with_schedule(&mut f, hooks, &[&data]);
    let (_, ev, r) = run_schedule(&f, schedule).await;
    assert_eq!(
        (r.outcome, r.error_class.as_deref()),
        (JobOutcome::Failed, Some("hook_failed")),
        "{r:?}"
    );
    let message = r.message.unwrap();
    assert_eq!(message, "The pre-hook exited with 3; the backup did not run.");
    assert!(snapshot_ids(&f).await.is_empty(), "restic made no snapshot");
    assert!(
        !ev.iter().any(|e| e.kind == JobEventKind::Started && e.pid.is_some()),
        "restic never started: {ev:#?}"
    );
    assert!(hook_lines(&ev).contains(&"pre-hook: secret-token-in-pre".to_owned()), "{ev:#?}");
    let env = env_file(&post_env);
    assert!(env.contains(&"CAIRN_JOB_STATUS=failed".to_owned()), "{env:?}");
    assert!(env.contains(&"CAIRN_HOOK=post".to_owned()), "{env:?}");
    assert!(!env.iter().any(|l| l.starts_with("CAIRN_SNAPSHOT_ID=")), "no snapshot: {env:?}");
    let notes = agent_lines(&ev);
    assert!(notes.iter().any(|l| l == "The pre-hook exited with 3."), "{notes:?}");
    assert!(notes.iter().any(|l| l == "The post-hook exited with 0."), "{notes:?}");
}

/// A backup that succeeds tells its post-hook so, with the job and the snapshot it made;
/// no RESTIC_* variable of the agent reaches the hook; hook output is in the job's log as
/// `hook` lines, and the pre-hook ran before restic.
#[tokio::test]
async fn a_succeeded_backup_tells_its_post_hook_and_hides_restic_secrets() {
    // The agent's own environment has a restic password (an operator's shell may): the
    // hook must not see it. nextest runs each test in its own process, so this changes
    // no other test's environment.
    // SAFETY: set before this test starts any thread of its own.
    unsafe { std::env::set_var("RESTIC_PASSWORD", "inherited-restic-secret") };
    let mut f = Fixture::new();
    assert_eq!(run_to_end(&f, JobArgs::Init(InitArgs {})).await.outcome, JobOutcome::Succeeded);
    let post_env = f.path("post.env");
    let pre_env = f.path("pre.env");
    let hooks = BackupHooks {
        pre: hook(
            format!("env > '{}'; echo pre says hi; echo pre warns >&2", pre_env.display()),
            30,
        ),
        post: hook(format!("env > '{}'; echo post says bye", post_env.display()), 30),
    };
    let data = f.path("data");
    let schedule = with_schedule(&mut f, hooks, &[&data]);
    let (job, ev, r) = run_schedule(&f, schedule).await;
    assert_eq!(r.outcome, JobOutcome::Succeeded, "{r:?}");
    let snapshot = r.summary.unwrap().snapshot_id.unwrap();
    assert_eq!(snapshot_ids(&f).await, vec![snapshot.clone()]);

    let env = env_file(&post_env);
    for want in [
        "CAIRN_JOB_STATUS=succeeded".to_owned(),
        format!("CAIRN_JOB_ID={job}"),
        format!("CAIRN_SNAPSHOT_ID={snapshot}"),
        format!("CAIRN_SCHEDULE_ID={schedule}"),
        "CAIRN_SCHEDULE_NAME=nightly db".to_owned(),
        "CAIRN_REPOSITORY=local".to_owned(),
        "CAIRN_HOOK=post".to_owned(),
    ] {
        assert!(env.contains(&want), "{want} missing from {env:?}");
    }
    let pre = env_file(&pre_env);
    assert!(pre.contains(&"CAIRN_HOOK=pre".to_owned()), "{pre:?}");
    assert!(!pre.iter().any(|l| l.starts_with("CAIRN_JOB_STATUS=")), "{pre:?}");
    for e in [&env, &pre] {
        assert!(!e.iter().any(|l| l.starts_with("RESTIC_")), "a RESTIC_* variable leaked: {e:?}");
        assert!(!e.iter().any(|l| l.contains(crate::jobs::PASSWORD)), "{e:?}");
    }

    // stdout and stderr are separate pipes: their lines' order between them is not kept.
    let mut lines = hook_lines(&ev);
    lines.sort();
    assert_eq!(lines, ["post-hook: post says bye", "pre-hook: pre says hi", "pre-hook: pre warns"]);
    // Order: pre-hook output, then restic, then the post-hook's.
    let pos = |f: &dyn Fn(&JobEvent) -> bool| ev.iter().position(f).unwrap();
    let pre_line = pos(&|e| e.line.as_deref() == Some("pre-hook: pre says hi"));
    let restic = pos(&|e| e.kind == JobEventKind::Started && e.pid.is_some());
    let post_line = pos(&|e| e.line.as_deref() == Some("post-hook: post says bye"));
    assert!(pre_line < restic && restic < post_line, "{ev:#?}");
}

/// A pre-hook past its 1 s timeout is stopped with its whole process group: a background
/// `sleep` dies with SIGTERM, one that ignores SIGTERM is SIGKILLed 5 s later; the job
/// fails `hook_failed` and restic never runs.
#[tokio::test]
async fn a_pre_hook_past_its_timeout_is_killed_with_its_background_children() {
    let mut f = Fixture::new();
    assert_eq!(run_to_end(&f, JobArgs::Init(InitArgs {})).await.outcome, JobOutcome::Succeeded);
    let plain = f.path("plain.pid");
    let stubborn = f.path("stubborn.pid");
    let command = format!(
        "sleep 300 & echo $! > '{}'; (trap '' TERM; exec sleep 301) & echo $! > '{}'; wait",
        plain.display(),
        stubborn.display()
    );
    let data = f.path("data");
    let schedule =
        with_schedule(&mut f, BackupHooks { pre: hook(command, 1), post: None }, &[&data]);
    let t0 = Instant::now();
    let (_, ev, r) = run_schedule(&f, schedule).await;
    let took = t0.elapsed();
    assert_eq!(
        (r.outcome, r.error_class.as_deref()),
        (JobOutcome::Failed, Some("hook_failed")),
        "{r:?}"
    );
    assert_eq!(
        r.message.as_deref(),
        Some("The pre-hook timed out after 1 s and was stopped; the backup did not run.")
    );
    // 1 s timeout + 5 s before SIGKILL for the stubborn child, plus restic's start-up.
    assert!(took < Duration::from_secs(15), "took {took:?}");
    assert!(took >= Duration::from_secs(5), "the SIGTERM-proof child got its 5 s: {took:?}");
    for file in [&plain, &stubborn] {
        let pid: u32 = std::fs::read_to_string(file).unwrap().trim().parse().unwrap();
        assert!(!cairn_agent::journal::pid_running(pid), "background child {pid} still runs");
    }
    assert!(snapshot_ids(&f).await.is_empty());
    assert!(!ev.iter().any(|e| e.kind == JobEventKind::Started && e.pid.is_some()));
}

/// A post-hook that fails turns a succeeded backup into a warning (the snapshot stays),
/// with its reason in the message and its output in the log.
#[tokio::test]
async fn a_failing_post_hook_makes_a_succeeded_backup_a_warning() {
    let mut f = Fixture::new();
    assert_eq!(run_to_end(&f, JobArgs::Init(InitArgs {})).await.outcome, JobOutcome::Succeeded);
    let hooks = BackupHooks { pre: None, post: hook("echo cannot notify >&2; exit 4".into(), 30) };
    let data = f.path("data");
    let schedule = with_schedule(&mut f, hooks, &[&data]);
    let (_, ev, r) = run_schedule(&f, schedule).await;
    assert_eq!(
        (r.outcome, r.error_class.as_deref()),
        (JobOutcome::Warning, Some("hook_failed")),
        "{r:?}"
    );
    let message = r.message.unwrap();
    assert!(message.starts_with("Backup finished: snapshot "), "{message}");
    assert!(message.ends_with(" The post-hook exited with 4."), "{message}");
    assert!(!message.contains("notify"), "no command text: {message}");
    assert_eq!(snapshot_ids(&f).await.len(), 1, "the snapshot stays");
    assert_eq!(hook_lines(&ev), vec!["post-hook: cannot notify".to_owned()]);
}

/// Cancelling a job while its pre-hook runs stops the hook at once (its group gone), the
/// job ends cancelled without running restic, and the post-hook still runs, told so.
#[tokio::test]
async fn cancel_stops_a_running_pre_hook_and_the_post_hook_learns_it() {
    let mut f = Fixture::new();
    assert_eq!(run_to_end(&f, JobArgs::Init(InitArgs {})).await.outcome, JobOutcome::Succeeded);
    let pid_file = f.path("pre.pid");
    let post_env = f.path("post.env");
    let hooks = BackupHooks {
        pre: hook(format!("sleep 300 & echo $! > '{}'; wait", pid_file.display()), 600),
        post: hook(format!("env > '{}'", post_env.display()), 30),
    };
    let data = f.path("data");
    let schedule = with_schedule(&mut f, hooks, &[&data]);
    let spec = f.config.schedules[0].backup.clone();
    let job = f.run_for(Some(schedule), JobArgs::Backup(spec));
    let t0 = Instant::now();
    while !pid_file.exists() || std::fs::read_to_string(&pid_file).unwrap().trim().is_empty() {
        assert!(t0.elapsed() < Duration::from_secs(30), "the pre-hook never started");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    f.cancel(job);
    f.wait(job, 30).await;
    let ev = f.drain(job);
    assert_contiguous(&ev);
    let r = result(&ev);
    assert_eq!(r.outcome, JobOutcome::Cancelled, "{r:?}");
    let pid: u32 = std::fs::read_to_string(&pid_file).unwrap().trim().parse().unwrap();
    assert!(!cairn_agent::journal::pid_running(pid), "the hook's child {pid} still runs");
    assert!(env_file(&post_env).contains(&"CAIRN_JOB_STATUS=cancelled".to_owned()));
    assert!(snapshot_ids(&f).await.is_empty());
}

/// Jobs of other kinds, and backups that are no schedule's, never run hooks.
#[tokio::test]
async fn only_a_schedules_backups_run_hooks() {
    let mut f = Fixture::new();
    let marker = f.path("hook-ran");
    let hooks = BackupHooks {
        pre: hook(format!("echo pre >> '{}'", marker.display()), 30),
        post: hook(format!("echo post >> '{}'", marker.display()), 30),
    };
    let data = f.path("data");
    let schedule = with_schedule(&mut f, hooks, &[&data]);
    let job = f.run_for(Some(schedule), JobArgs::Init(InitArgs {}));
    f.wait(job, 60).await;
    assert_eq!(result(&f.drain(job)).outcome, JobOutcome::Succeeded);
    let r = run_to_end(&f, JobArgs::Backup(backup_spec(&[&data]))).await;
    assert_eq!(r.outcome, JobOutcome::Succeeded, "{r:?}");
    assert!(!marker.exists(), "a hook ran");
    // The schedule's own backup does run them (the test above can fail).
    let (_, _, r) = run_schedule(&f, schedule).await;
    assert_eq!(r.outcome, JobOutcome::Succeeded, "{r:?}");
    assert_eq!(std::fs::read_to_string(&marker).unwrap(), "pre\npost\n");
}

/// A hook's output is kept within bounds: lines cut at 4 KiB, at most 2,000 lines, the cut
/// said once; the backup itself is not affected.
#[tokio::test]
async fn hook_output_is_capped() {
    let mut f = Fixture::new();
    assert_eq!(run_to_end(&f, JobArgs::Init(InitArgs {})).await.outcome, JobOutcome::Succeeded);
    let command = "head -c 10000 /dev/zero | tr '\\0' x; echo; seq 1 2500".to_owned();
    let data = f.path("data");
    let schedule =
        with_schedule(&mut f, BackupHooks { pre: hook(command, 30), post: None }, &[&data]);
    let (_, ev, r) = run_schedule(&f, schedule).await;
    assert_eq!(r.outcome, JobOutcome::Succeeded, "{r:?}");
    let lines = hook_lines(&ev);
    assert_eq!(lines.len(), cairn_agent::hooks::MAX_LINES, "{:?}", &lines[..3]);
    let long = &lines[0];
    assert!(long.ends_with("…[cut]"), "{}", &long[..40]);
    assert!(long.len() <= "pre-hook: ".len() + 4096 + "…[cut]".len(), "{}", long.len());
    assert_eq!(lines[1], "pre-hook: 1");
    assert_eq!(lines.last().map(String::as_str), Some("pre-hook: 1999"));
    let cut: Vec<String> =
        agent_lines(&ev).into_iter().filter(|l| l.contains("output is cut")).collect();
    assert_eq!(cut.len(), 1, "{cut:?}");
}
