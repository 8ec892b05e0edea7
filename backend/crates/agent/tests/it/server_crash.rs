//! The server killed with SIGKILL in the middle of a backup, and restarted: the job still
//! ends `succeeded`, and its stored log is exactly what the agent read from restic, with
//! no gap and no line twice.
//!
//! Everything is real and in its own process: the `cairn-server` binary (`serve`, on
//! SQLite in a temp data dir; this test drives a process, so it runs on SQLite only), the
//! `cairn-agent` binary, restic and a repository in a temp dir. The server is set up over
//! HTTP like any fresh install (the setup token file, `POST /api/v1/setup`). The kill comes
//! once the job is `running` with its first lines stored and before restic has printed its
//! summary, so the rest of the log, the progress and the job's end all come after it.
//!
//! "What restic printed" is the agent's own record: every event it makes of restic's
//! output is appended to `<state>/outbox/<job>.jsonl` (seq 1, 2, 3 …) before it is sent,
//! and the file is deleted once the server acknowledged the last one. The test keeps a
//! hard link to that file, made as soon as it appears; the agent only ever appends to it,
//! so when the job is over the link holds the job's complete story. The stored log must
//! equal that record's log events (seq, stream and text, in order), the record must be
//! numbered 1…N without a hole, and, known in advance, the agent's note naming the 99 small
//! paths must be there once, with exactly one restic summary. (Missing paths, which made
//! restic print one line each, now stop a backup in the agent's preflight.)

use std::{
    collections::BTreeSet,
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

use crate::common::{Captured, Install, random_dir, sigkill, wait_for};
use cairn_testkit::{
    Session,
    api::{Job, JobStatus, NewBackup},
};
use serde_json::Value;
use uuid::Uuid;

const REPO_PASSWORD: &str = "repo-password-for-the-crash";

/// What the failure messages show.
struct Logs<'a> {
    /// The killed server's, once there is one.
    killed: Option<&'a Captured>,
    server: &'a Captured,
    agent: &'a Captured,
}

impl std::fmt::Display for Logs<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(killed) = self.killed {
            writeln!(f, "killed server's log:\n{}", killed.lock())?;
        }
        write!(f, "server log:\n{}\nagent log:\n{}", self.server.lock(), self.agent.lock())
    }
}

async fn wait_ended(admin: &Session, id: Uuid, secs: u64, logs: Logs<'_>) -> Job {
    let t0 = Instant::now();
    loop {
        let j = admin.job(id).await;
        if j.status.is_final() {
            return j;
        }
        assert!(t0.elapsed() < Duration::from_secs(secs), "the job did not end: {j:#?}\n{logs}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The job's events as the agent recorded them (one JSON object per line).
fn record(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap();
    text.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

fn is_summary(line: &str) -> bool {
    line.contains("\"message_type\":\"summary\"")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_killed_mid_backup_and_restarted_loses_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    // A fresh install: setup with the token the server wrote, a repository, an agent.
    let mut install = Install::new(tmp.path(), REPO_PASSWORD).await;
    let (repo, host) = (install.repo, install.host);
    let admin = &install.admin;
    let logs = || Logs { killed: None, server: &install.server_log, agent: &install.agent_log };

    // A backup that runs for a while (random data) and whose log is partly known in
    // advance: the agent's note on what restic backs up names every path.
    let big = random_dir(&tmp.path().join("big"), 12, 25);
    let small: Vec<PathBuf> = (0..99).map(|i| tmp.path().join(format!("small-{i:03}"))).collect();
    for (i, dir) in small.iter().enumerate() {
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join("f"), format!("file {i}\n")).unwrap();
    }
    let paths = std::iter::once(&big).chain(&small).map(|p| p.to_string_lossy().into_owned());
    let backup = NewBackup::new(repo, paths).tags(["crash"]);
    let job_id = admin.start_backup(host, &backup).await.id;

    // The agent's record of the job, kept past its deletion.
    let outbox_file = tmp.path().join(format!("state/outbox/{job_id}.jsonl"));
    let kept = tmp.path().join("record.jsonl");
    wait_for("the job's outbox file", 120, || outbox_file.exists()).await;
    std::fs::hard_link(&outbox_file, &kept).expect("a link to the outbox file while it is there");

    // Running, with some of its lines stored: the kill lands in the middle of the log.
    let t0 = Instant::now();
    let stored_before = loop {
        let j = admin.job(job_id).await;
        assert!(!j.status.is_final(), "the job ended before the kill: {j:#?}\n{}", logs());
        if j.status == JobStatus::Running {
            let lines = admin.job_logs(job_id).await;
            if lines.iter().any(|l| l.line.contains(" backs up ")) {
                break lines.len();
            }
        }
        assert!(t0.elapsed() < Duration::from_secs(120), "no log lines stored: {j:#?}\n{}", logs());
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let before = record(&kept);
    assert!(
        !before
            .iter()
            .any(|e| e["kind"] == "finished" || e["line"].as_str().is_some_and(is_summary)),
        "restic already finished: the backup should run longer\n{}",
        logs()
    );
    sigkill(&mut install.server).await;
    let killed_at = Instant::now();
    // The agent notices (its next events cannot be delivered) and keeps them on disk.
    wait_for("the agent to notice", 120, || {
        install.agent_log.lock().contains("cannot deliver job events")
    })
    .await;

    // The same binary on the same data and port, as systemd would restart it.
    let restic_running = tmp.path().join(format!("state/jobs/{job_id}.json")).exists();
    let first_log = install.restart_server().await;
    let logs = || Logs {
        killed: Some(&first_log),
        server: &install.server_log,
        agent: &install.agent_log,
    };
    let down = killed_at.elapsed();
    let admin = &install.admin;
    let done = wait_ended(admin, job_id, 300, logs()).await;
    eprintln!(
        "killed with {stored_before} log lines stored and {} events recorded; down {:.1} s; \
         restic still running at the restart: {restic_running}; the job took {:.1} s",
        before.len(),
        down.as_secs_f64(),
        t0.elapsed().as_secs_f64()
    );
    assert_eq!(done.status, JobStatus::Succeeded, "{done:#?}\n{}", logs());

    // The agent deletes its file once the server acknowledged the last event: from then
    // on nothing more is appended and the kept record is complete.
    wait_for("the outbox file deleted", 60, || !outbox_file.exists()).await;
    let events = record(&kept);
    let seqs: Vec<u64> = events.iter().map(|e| e["seq"].as_u64().unwrap()).collect();
    assert_eq!(seqs, (1..=events.len() as u64).collect::<Vec<_>>(), "the agent numbers 1…N");
    assert_eq!(events.iter().filter(|e| e["kind"] == "finished").count(), 1);
    assert_eq!(events.last().unwrap()["kind"], "finished");
    let printed: Vec<(u64, &str, &str)> = events
        .iter()
        .filter(|e| e["kind"] == "log")
        .map(|e| {
            let (stream, line) = (e["stream"].as_str().unwrap(), e["line"].as_str().unwrap());
            (e["seq"].as_u64().unwrap(), stream, line)
        })
        .collect();

    // Stored: exactly the recorded lines, in order, each once, none missing.
    let stored = admin.job_logs(job_id).await;
    eprintln!("{} events recorded, {} log lines stored in the end", events.len(), stored.len());
    assert_eq!(done.log_lines, stored.len() as i64, "{done:#?}");
    let stored_seqs: Vec<u64> = stored.iter().map(|l| l.seq as u64).collect();
    assert!(stored_seqs.windows(2).all(|w| w[0] < w[1]), "in order, no seq twice: {stored_seqs:?}");
    let stored: Vec<(u64, &str, &str)> =
        stored.iter().map(|l| (l.seq as u64, l.stream.as_str(), l.line.as_str())).collect();
    if stored != printed {
        let (s, p): (BTreeSet<_>, BTreeSet<_>) =
            (stored.iter().collect(), printed.iter().collect());
        panic!(
            "the stored log is not what the agent read from restic\nmissing: {:#?}\nextra: {:#?}\n({} stored, {} recorded)",
            p.difference(&s).collect::<Vec<_>>(),
            s.difference(&p).collect::<Vec<_>>(),
            stored.len(),
            printed.len()
        );
    }

    // And what is known in advance: the note naming each small path once, one summary.
    let notes: Vec<&str> =
        stored.iter().map(|(_, _, l)| *l).filter(|l| l.contains(" backs up ")).collect();
    assert_eq!(notes.len(), 1, "{notes:#?}");
    for dir in &small {
        assert!(notes[0].contains(&dir.display().to_string()), "{}", notes[0]);
    }
    let summaries: Vec<&str> =
        stored.iter().map(|(_, _, l)| *l).filter(|l| is_summary(l)).collect();
    assert_eq!(summaries.len(), 1, "{summaries:#?}");
    let snapshot = done.summary.as_ref().and_then(|s| s.snapshot_id.clone());
    let snaps = admin.snapshots(host).await.items;
    assert_eq!(snaps.len(), 1, "{snaps:#?}");
    assert_eq!(Some(&snaps[0].id), snapshot.as_ref(), "{done:#?}");

    // No process left behind (kill_on_drop covers a failed assertion above).
    install.agent.start_kill().unwrap();
    install.agent.wait().await.unwrap();
    sigkill(&mut install.server).await;
}
