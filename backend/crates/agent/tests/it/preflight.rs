//! Preflight and extra options with the real restic: what blocks a backup before restic
//! runs, the agent's answer to the server's preflight question (findings, the exact argv,
//! the masked environment), and allow-listed options reaching restic (refused ones not).

use cairn_agent::asks;
use cairn_proto::{
    Answer, BackupHooks, BackupSpec, Hook, InitArgs, JobArgs, JobEventKind, JobOutcome,
    PreflightAnswer, PreflightQuery, Question, Severity,
};
use uuid::Uuid;

use crate::{
    hooks::{env_file, run_schedule, with_schedule},
    jobs::{Fixture, PASSWORD, assert_contiguous, restic_path, result, run_to_end, snapshot_ids},
};

fn codes(a: &PreflightAnswer) -> Vec<&str> {
    a.findings.iter().map(|f| f.code.as_str()).collect()
}

async fn ask(f: &Fixture, backup: BackupSpec, hooks: BackupHooks) -> PreflightAnswer {
    let q = Question::Preflight(PreflightQuery { repository_id: f.repo_id(), backup, hooks });
    match asks::answer(&f.ctx.restic, &f.ctx.catalogs, &q, Some(&f.config)).await {
        Answer::Preflight(a) => a,
        other => panic!("{other:?}"),
    }
}

/// A path that is not there blocks the backup before restic runs: `blocked` /
/// `preflight.failed`, the finding in the result, no snapshot; the post-hook still runs
/// and is told `blocked`.
#[tokio::test]
async fn preflight_blocks_a_backup_of_a_missing_path() {
    let mut f = Fixture::new();
    assert_eq!(run_to_end(&f, JobArgs::Init(InitArgs {})).await.outcome, JobOutcome::Succeeded);
    let post_env = f.path("post.env");
    let hooks = BackupHooks {
        pre: None,
        post: Some(Hook { command: format!("env > '{}'", post_env.display()), timeout_secs: 30 }),
    };
    let data = f.path("data");
    let missing = f.path("not-there");
    let schedule = with_schedule(&mut f, hooks, &[&data, &missing]);
    let (_, ev, r) = run_schedule(&f, schedule).await;
    assert_eq!(
        (r.outcome, r.error_class.as_deref()),
        (JobOutcome::Blocked, Some("preflight.failed")),
        "{r:?}"
    );
    let codes: Vec<&str> = r.findings.iter().map(|f| f.code.as_str()).collect();
    assert_eq!(codes, ["path.missing"], "{r:?}");
    assert_eq!(r.findings[0].severity, Severity::Blocked);
    let message = r.message.unwrap();
    assert!(message.contains(&format!("{} does not exist on ", missing.display())), "{message}");
    assert!(snapshot_ids(&f).await.is_empty(), "restic did not run");
    assert!(!ev.iter().any(|e| e.kind == JobEventKind::Started && e.pid.is_some()));
    assert!(env_file(&post_env).contains(&"CAIRN_JOB_STATUS=blocked".to_owned()));

    // Many at once: every one in the findings, the first five in the message.
    let paths: Vec<String> =
        (0..7).map(|i| f.path(&format!("gone-{i}")).to_string_lossy().into_owned()).collect();
    let r = run_to_end(&f, JobArgs::Backup(BackupSpec { paths, ..Default::default() })).await;
    assert_eq!(r.outcome, JobOutcome::Blocked, "{r:?}");
    assert_eq!(r.findings.len(), 7, "{r:?}");
    let message = r.message.unwrap();
    assert!(message.contains("gone-4 does not exist") && !message.contains("gone-5"), "{message}");
    assert!(message.ends_with(" And 2 more (see the findings)."), "{message}");
}

/// The answer for a spec that can run: no findings, the restic binary and exactly the
/// argv a backup job would run (with the extra option, `--`, then the paths), and the
/// environment with the password masked.
#[tokio::test]
async fn preflight_answers_what_a_good_backup_would_run() {
    let f = Fixture::new();
    assert_eq!(run_to_end(&f, JobArgs::Init(InitArgs {})).await.outcome, JobOutcome::Succeeded);
    let data = f.path("data").to_string_lossy().into_owned();
    let spec = BackupSpec {
        paths: vec![data.clone()],
        excludes: vec!["*.tmp".into()],
        extra_options: vec!["--exclude-larger-than=1K".into()],
        ..Default::default()
    };
    let hooks = BackupHooks {
        pre: Some(Hook { command: "/bin/true --ok".into(), timeout_secs: 5 }),
        post: Some(Hook { command: "sh -c 'exit 0'".into(), timeout_secs: 5 }),
    };
    let a = ask(&f, spec, hooks).await;
    assert!(a.findings.is_empty(), "{:#?}", a.findings);
    assert_eq!(a.command[0], restic_path().to_string_lossy());
    let dash = a.command.iter().position(|x| x == "--").expect("--");
    let backup = a.command.iter().position(|x| x == "backup").expect("backup");
    let extra = a.command.iter().position(|x| x == "--exclude-larger-than=1K").expect("extra");
    assert!(backup < extra && extra < dash, "{:?}", a.command);
    assert_eq!(a.command[dash + 1..], [data]);
    assert!(a.command.windows(2).any(|w| w == ["--host", &cairn_agent::facts::hostname()]));
    assert!(a.command.iter().all(|x| !x.contains(PASSWORD)), "{:?}", a.command);
    assert_eq!(
        a.env,
        [
            format!("RESTIC_REPOSITORY={}", f.config.repositories[0].url),
            "RESTIC_PASSWORD=***".into()
        ]
    );
    let restic = cairn_restic::Restic::detect(restic_path()).await.unwrap();
    assert_eq!(a.restic_version, restic.version().to_string());
}

/// The repository is opened with its password: a wrong one, no repository at all, and a
/// repository this agent does not know each get their own answer; local problems are
/// found in the same answer.
#[tokio::test]
async fn preflight_finds_a_wrong_password_and_a_missing_repository() {
    let mut f = Fixture::new();
    let spec = BackupSpec {
        paths: vec![f.path("data").to_string_lossy().into(), "/nonexistent/cairn".into()],
        ..Default::default()
    };
    let a = ask(&f, spec.clone(), BackupHooks::default()).await;
    assert_eq!(codes(&a), ["path.missing", "repository.missing"], "{a:#?}");

    assert_eq!(run_to_end(&f, JobArgs::Init(InitArgs {})).await.outcome, JobOutcome::Succeeded);
    f.config.repositories[0].password = "not the password".into();
    let a = ask(&f, spec.clone(), BackupHooks::default()).await;
    assert_eq!(codes(&a), ["path.missing", "repository.wrong_password"], "{a:#?}");
    let m = &a.findings[1].message;
    assert!(m.contains("restic.wrong_password") && !m.contains("not the password"), "{m}");
    assert!(!a.command.is_empty(), "the command is shown even when something blocks it");

    let q = Question::Preflight(PreflightQuery {
        repository_id: Uuid::new_v4(),
        backup: spec,
        hooks: BackupHooks::default(),
    });
    match asks::answer(&f.ctx.restic, &f.ctx.catalogs, &q, Some(&f.config)).await {
        Answer::Failed(e) => assert_eq!(e.error_class, "agent.unknown_repository"),
        other => panic!("{other:?}"),
    }
}

/// An allow-listed option reaches restic as it was given: `--exclude-larger-than=1K`
/// leaves the 4 KiB file out of the snapshot and keeps the small ones.
#[tokio::test]
async fn extra_options_reach_restic() {
    let f = Fixture::new();
    assert_eq!(run_to_end(&f, JobArgs::Init(InitArgs {})).await.outcome, JobOutcome::Succeeded);
    std::fs::write(f.path("data/big.bin"), vec![b'x'; 4096]).unwrap();
    let data = f.path("data").to_string_lossy().into_owned();
    let spec = BackupSpec {
        paths: vec![data.clone()],
        extra_options: vec!["--exclude-larger-than=1K".into()],
        ..Default::default()
    };
    let r = run_to_end(&f, JobArgs::Backup(spec.clone())).await;
    assert_eq!(r.outcome, JobOutcome::Succeeded, "{r:?}");
    let names = snapshot_files(&f, r.summary.unwrap().snapshot_id.unwrap()).await;
    assert!(names.contains(&format!("{data}/a.txt")), "{names:?}");
    assert!(!names.contains(&format!("{data}/big.bin")), "{names:?}");

    // Without the option the same file is saved (the assertion above can fail).
    let r = run_to_end(&f, JobArgs::Backup(BackupSpec { extra_options: vec![], ..spec })).await;
    let names = snapshot_files(&f, r.summary.unwrap().snapshot_id.unwrap()).await;
    assert!(names.contains(&format!("{data}/big.bin")), "{names:?}");
}

async fn snapshot_files(f: &Fixture, snapshot: String) -> Vec<String> {
    let restic = cairn_restic::Restic::detect(restic_path()).await.unwrap();
    let repo = cairn_agent::runner::repo(&f.config.repositories[0]);
    let opts = cairn_restic::LsOptions { snapshot, dir: None, recursive: true };
    restic.ls(&repo, &opts).await.unwrap().nodes.into_iter().map(|n| n.path).collect()
}

/// An option off the allow-list is refused by the agent itself, before anything runs.
#[tokio::test]
async fn a_disallowed_option_is_refused_before_restic_runs() {
    let f = Fixture::new();
    assert_eq!(run_to_end(&f, JobArgs::Init(InitArgs {})).await.outcome, JobOutcome::Succeeded);
    let spec = BackupSpec {
        paths: vec![f.path("data").to_string_lossy().into()],
        extra_options: vec!["--exclude-caches".into(), "--password-command=x".into()],
        ..Default::default()
    };
    let job = f.run(JobArgs::Backup(spec));
    f.wait(job, 60).await;
    let ev = f.drain(job);
    assert_contiguous(&ev);
    assert_eq!(ev.len(), 1, "nothing started, only the end: {ev:#?}");
    let r = result(&ev);
    assert_eq!(
        (r.outcome, r.error_class.as_deref()),
        (JobOutcome::Failed, Some("agent.invalid_job")),
        "{r:?}"
    );
    assert!(r.message.unwrap().contains("--password-command"));
    assert!(snapshot_ids(&f).await.is_empty());
}
