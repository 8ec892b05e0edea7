//! Schedules on the agent's own clock, with the real server, agent and restic as processes:
//! a schedule fires while the server is down, and its run (job, log, snapshot) appears
//! once the server is back, once; then, with the agent stopped across fires, a `run_once`
//! schedule makes one run at start and a `skip` one makes none.

use std::time::{Duration, Instant};

use chrono::{DateTime, Timelike, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::common::{Install, json_of, sigkill, spawn_agent, wait_for};

const REPO_PASSWORD: &str = "repo-password-for-the-schedules";

/// The job id in the agent's "schedule fired … job=<id>" line for `schedule`, the n-th one.
fn fired(log: &str, schedule: &str, n: usize) -> Option<Uuid> {
    log.lines()
        .filter(|l| l.contains("schedule fired") && l.contains(&format!("schedule={schedule} ")))
        .nth(n)
        .and_then(|l| l.split_whitespace().find_map(|w| w.strip_prefix("job=")))
        .and_then(|id| id.parse().ok())
}

async fn schedule(install: &Install, name: &str, cron: &str, missed: &str, path: &str) -> Value {
    // Keeps the newest snapshot after each backup: the second run's forget removes one.
    let body = json!({
        "name": name,
        "repository_id": install.repo,
        "cron": cron,
        "timezone": "UTC",
        "missed": missed,
        "backup": { "paths": [path], "tags": ["scheduled"] },
        "retention": { "keep_last": 1 },
        "forget_after_backup": true,
    });
    let r = install.admin.post(&format!("/api/v1/hosts/{}/schedules", install.host), body).await;
    json_of(r, "create a schedule").await
}

/// The job once the server has it and it has ended (it may not know it yet: 404).
async fn ended(install: &Install, job: Uuid, secs: u64) -> Value {
    let t0 = Instant::now();
    loop {
        let r = install.admin.get(&format!("/api/v1/jobs/{job}")).await;
        if r.status().is_success() {
            let j: Value = r.json().await.unwrap();
            if ["succeeded", "warning", "failed", "cancelled", "lost"]
                .contains(&j["status"].as_str().unwrap_or_default())
            {
                return j;
            }
        }
        assert!(
            t0.elapsed() < Duration::from_secs(secs),
            "job {job} did not reach the server's history\n{}",
            install.logs()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The schedule's jobs of `kind` (`backup`, or `forget` for its retention).
async fn runs_of(install: &Install, schedule: &str, kind: &str) -> Vec<Value> {
    let page: Value = install
        .admin
        .get(&format!("/api/v1/jobs?host_id={}&limit=100", install.host))
        .await
        .json()
        .await
        .unwrap();
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|j| j["schedule_id"] == schedule && j["kind"] == kind)
        .cloned()
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schedules_fire_on_the_agents_clock_with_the_server_down_and_across_restarts() {
    let tmp = tempfile::tempdir().unwrap();
    let mut install = Install::new(tmp.path(), REPO_PASSWORD).await;
    let data = tmp.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(data.join("notes.txt"), "scheduled backups need no server\n").unwrap();
    let path = data.to_string_lossy().into_owned();

    // A daily cron for the next whole minute at least 20 s away: it fires once, soon.
    let soon = Utc::now() + chrono::Duration::seconds(80);
    let fire = soon.with_second(0).and_then(|t| t.with_nanosecond(0)).unwrap();
    let cron = format!("{} {} * * *", fire.minute(), fire.hour());
    let nightly = schedule(&install, "nightly", &cron, "run_once", &path).await;
    let skipper = schedule(&install, "skipper", "0 3 * * *", "skip", &path).await;
    let (nightly_id, skipper_id) =
        (nightly["id"].as_str().unwrap().to_string(), skipper["id"].as_str().unwrap().to_string());
    let first: DateTime<Utc> = serde_json::from_value(nightly["next_fires"][0].clone()).unwrap();
    assert_eq!(first, fire, "{nightly}");
    wait_for("both schedules armed", 60, || {
        install.agent_log.lock().matches("schedule armed").count() >= 2
    })
    .await;
    assert!(Utc::now() < fire - chrono::Duration::seconds(3), "the set-up outran the fire time");

    // The server goes away before the fire; the agent fires and runs it all the same.
    sigkill(&mut install.server).await;
    let log = &install.agent_log;
    wait_for("the fire", 120, || fired(&log.lock(), "nightly", 0).is_some()).await;
    let job = fired(&log.lock(), "nightly", 0).unwrap();
    wait_for("the run to end", 120, || {
        log.lock().contains(&format!("job={job} outcome=Succeeded"))
    })
    .await;
    assert!(
        tmp.path().join(format!("state/outbox/{job}.jsonl")).exists(),
        "its events wait in the outbox"
    );

    // The server is back: the run arrives as if it had run online, once.
    let _down_log = install.restart_server().await;
    let got = ended(&install, job, 120).await;
    assert_eq!(got["status"], "succeeded", "{got:#}\n{}", install.logs());
    assert_eq!(got["actor_kind"], "schedule");
    assert_eq!(got["actor"], "nightly");
    assert_eq!(got["schedule_id"], nightly_id.as_str());
    let created: DateTime<Utc> = serde_json::from_value(got["created_at"].clone()).unwrap();
    assert!(
        (created - fire).num_seconds().abs() <= 5,
        "made at the fire time: {created} vs {fire}"
    );
    let lines = install.admin.job_logs(job).await;
    assert_eq!(lines[0].stream, "agent");
    let want = format!(
        "Scheduled run of \"nightly\" ({cron}, UTC) for {}",
        fire.format("%Y-%m-%d %H:%M UTC")
    );
    assert!(lines[0].line.starts_with(&want), "{:?}", lines[0]);
    let snapshot = got["summary"]["snapshot_id"].as_str().unwrap().to_string();
    let snaps = install.admin.snapshots(install.host).await.items;
    assert!(snaps.iter().any(|s| s.id == snapshot), "{snaps:#?}");
    wait_for("the outbox emptied", 60, || {
        !tmp.path().join(format!("state/outbox/{job}.jsonl")).exists()
    })
    .await;
    assert_eq!(runs_of(&install, &nightly_id, "backup").await.len(), 1, "once, nothing duplicated");
    // Its retention ran after it, also on the agent's clock: one snapshot, nothing to remove.
    let forgets = runs_of(&install, &nightly_id, "forget").await;
    assert_eq!(forgets.len(), 1, "{forgets:#?}\n{}", install.logs());
    let forget = ended(&install, forgets[0]["id"].as_str().unwrap().parse().unwrap(), 60).await;
    assert_eq!(forget["status"], "succeeded", "{forget:#}");
    assert_eq!(forget["result"]["forget"]["remove"], json!([]), "{forget:#}");

    // The agent stopped for three days: both schedules missed fires while it was away.
    unsafe { libc::kill(install.agent.id().unwrap() as i32, libc::SIGTERM) };
    install.agent.wait().await.unwrap();
    let book_path = tmp.path().join("state/schedules.json");
    let mut book: Value =
        serde_json::from_str(&std::fs::read_to_string(&book_path).unwrap()).unwrap();
    let three_days_ago = Utc::now() - chrono::Duration::days(3);
    for id in [&nightly_id, &skipper_id] {
        book[id.as_str()]["last"] = json!(three_days_ago);
    }
    std::fs::write(&book_path, book.to_string()).unwrap();
    let (agent, agent_log) = spawn_agent(tmp.path());
    install.agent = agent;
    install.agent_log = agent_log;
    let log = &install.agent_log;
    wait_for("the catch-up run", 60, || fired(&log.lock(), "nightly", 0).is_some()).await;
    wait_for("the skip", 60, || log.lock().contains("skipped (missed: skip)")).await;
    let missed = fired(&log.lock(), "nightly", 0).unwrap();
    assert!(log.lock().contains(&format!("job={missed} trigger=missed")), "{}", install.logs());
    let got = ended(&install, missed, 120).await;
    assert_eq!(got["status"], "succeeded", "{got:#}\n{}", install.logs());
    let lines = install.admin.job_logs(missed).await;
    assert!(lines[0].line.contains("missed while the agent was stopped"), "{:?}", lines[0]);
    // Its retention removed the first run's snapshot: one of two, within the delete guard.
    wait_for("the second retention", 60, || {
        install.agent_log.lock().contains("retention after backup")
    })
    .await;
    let t0 = Instant::now();
    let forget = loop {
        let forgets = runs_of(&install, &nightly_id, "forget").await;
        if let Some(f) =
            forgets.iter().find(|f| f["created_at"].as_str() > got["created_at"].as_str())
        {
            break ended(&install, f["id"].as_str().unwrap().parse().unwrap(), 60).await;
        }
        assert!(t0.elapsed() < Duration::from_secs(60), "no retention after the catch-up run");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(forget["status"], "succeeded", "{forget:#}\n{}", install.logs());
    let removed = forget["result"]["forget"]["remove"].as_array().unwrap().clone();
    assert_eq!(removed.len(), 1, "{forget:#}");
    assert_eq!(removed[0]["id"], snapshot.as_str(), "the older snapshot went");
    // Three days of fires made one run, not three; the skipping schedule made none.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(runs_of(&install, &nightly_id, "backup").await.len(), 2);
    assert!(runs_of(&install, &skipper_id, "backup").await.is_empty());
    assert!(fired(&install.agent_log.lock(), "nightly", 1).is_none(), "{}", install.logs());

    install.agent.start_kill().unwrap();
    install.agent.wait().await.unwrap();
    sigkill(&mut install.server).await;
}
