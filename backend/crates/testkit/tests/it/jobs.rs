//! Jobs through the real server with a simulated agent speaking the wire protocol: start
//! (and the refusals), dispatch, idempotent event batches, snapshots, the live SSE feed
//! with Last-Event-ID, cancel before and after delivery, and lost detection.

use cairn_testkit::{
    Db, OneHost, SendChecked,
    api::{JobStatus, NewBackup, NewEnrollmentToken, NewRepository},
    db_tests, error_code, error_field,
};
use reqwest::StatusCode;
use serde_json::{Value, json};

const SNAP: &str = "0b8c5f2f4e1d9a7c3b6e5d4c3b2a1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a";

/// A server, an admin, a repository, and an enrolled agent linked to it that has polled.
type Fixture = OneHost;

async fn fixture(db: Db) -> Fixture {
    OneHost::new(db, "web-1").await
}

async fn backup(f: &Fixture, paths: Value) -> reqwest::Response {
    f.admin
        .post(
            &format!("/api/v1/hosts/{}/backups", f.host),
            json!({ "repository_id": f.repo, "paths": paths, "tags": ["manual"] }),
        )
        .await
}

/// A backup of /etc, queued: its job id.
async fn queued_backup(f: &Fixture) -> String {
    let backup = NewBackup::new(f.repo, ["/etc"]).tags(["manual"]);
    let job = f.admin.start_backup(f.host, &backup).await;
    assert_eq!(job.status, JobStatus::Queued);
    job.id.to_string()
}

async fn job(f: &Fixture, id: &str) -> Value {
    f.admin.get(&format!("/api/v1/jobs/{id}")).await.json().await.unwrap()
}

fn ev(seq: u64, kind: &str, extra: Value) -> Value {
    let mut v = json!({ "seq": seq, "at": chrono::Utc::now().to_rfc3339(), "kind": kind });
    if let (Some(o), Some(e)) = (v.as_object_mut(), extra.as_object()) {
        o.extend(e.clone());
    }
    v
}

async fn backup_runs_and_reports(db: Db) {
    let mut f = fixture(db).await;
    // Refusals first: bad paths, an unlinked repository.
    let r = backup(&f, json!(["relative/path"])).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_field(r).await, ("request.invalid_body".into(), Some("paths".into())));
    let other = f
        .admin
        .create_repository(&NewRepository::new("other", "/srv/other", "repo-pass-456"))
        .await;
    let r = f
        .admin
        .post(
            &format!("/api/v1/hosts/{}/backups", f.host),
            json!({ "repository_id": other.id, "paths": ["/etc"] }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert_eq!(error_code(r).await, "job.repository_not_linked");

    let r = backup(&f, json!(["/etc", "/home"])).await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let created: Value = r.json().await.unwrap();
    let id = created["id"].as_str().unwrap().to_string();
    assert_eq!(
        (created["status"].as_str(), created["kind"].as_str()),
        (Some("queued"), Some("backup"))
    );
    assert_eq!(created["hostname"], "web-1");
    assert_eq!(created["repository_name"], "main");
    // One job per host and repository at a time.
    let r = backup(&f, json!(["/etc"])).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "job.already_running");
    assert_eq!(body["details"]["job_id"], id.as_str());

    // The poll hands the job over; the job is then dispatched.
    let v: Value = f.agent.poll(1).await.json().await.unwrap();
    let cmd = &v["commands"][0];
    assert_eq!(cmd["action"]["kind"], "run_job");
    assert_eq!(cmd["id"], id.as_str());
    let job_spec = &cmd["action"]["job"];
    assert_eq!(job_spec["args"]["kind"], "backup");
    assert_eq!(job_spec["args"]["paths"], json!(["/etc", "/home"]));
    assert_eq!(job_spec["repository_id"], f.repo.to_string());
    assert_eq!(job(&f, &id).await["status"], "dispatched");
    f.agent.running.push(id.parse().unwrap());

    let batch = json!([
        ev(1, "started", json!({ "pid": 4242 })),
        ev(2, "log", json!({ "stream": "stdout", "line": "open repository" })),
        ev(3, "log", json!({ "stream": "stderr", "line": "a warning" })),
        ev(
            4,
            "progress",
            json!({ "progress": { "fraction": 0.5, "total_files": 10, "files_done": 5, "total_bytes": 1000, "bytes_done": 500, "seconds_elapsed": 2, "current_files": ["/etc/passwd"] } })
        ),
    ]);
    let ack: Value =
        f.agent.send_events(id.parse().unwrap(), batch.clone()).await.json().await.unwrap();
    assert_eq!(ack, json!({ "stored_through": 4, "cancel_requested": false }));
    let j = job(&f, &id).await;
    assert_eq!(j["status"], "running");
    assert_eq!(j["progress"]["files_done"], 5);
    // A retried batch (the agent never saw the ack) plus one new line: nothing twice.
    let mut retry = batch.as_array().unwrap().clone();
    retry.push(ev(5, "log", json!({ "stream": "stdout", "line": "done" })));
    let ack: Value =
        f.agent.send_events(id.parse().unwrap(), json!(retry)).await.json().await.unwrap();
    assert_eq!(ack["stored_through"], 5);
    let logs: Value = f.admin.get(&format!("/api/v1/jobs/{id}/logs")).await.json().await.unwrap();
    let seqs: Vec<i64> =
        logs["items"].as_array().unwrap().iter().map(|l| l["seq"].as_i64().unwrap()).collect();
    assert_eq!(seqs, vec![2, 3, 5]);
    assert_eq!(logs["items"][1]["stream"], "stderr");
    assert_eq!(job(&f, &id).await["log_lines"], 3);
    // A batch not in the wire format is a clear 400 and stores nothing.
    let r =
        f.agent.send_events(id.parse().unwrap(), json!([{ "seq": "six", "kind": "log" }])).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "request.invalid_body", "{body}");
    assert!(body["message"].as_str().unwrap().contains("invalid type"), "{body}");
    assert_eq!(job(&f, &id).await["log_lines"], 3);

    // Lines and progress only (the common batch): one line a retry, one new, newer progress.
    let progress = |done: u64| json!({ "progress": { "fraction": 0.7, "total_files": 10, "files_done": done, "total_bytes": 1000, "bytes_done": 700, "seconds_elapsed": 3, "current_files": [] } });
    let lines = json!([
        ev(5, "log", json!({ "stream": "stdout", "line": "done" })),
        ev(6, "progress", progress(7)),
        ev(7, "log", json!({ "stream": "stdout", "line": "more" })),
    ]);
    let ack: Value = f.agent.send_events(id.parse().unwrap(), lines).await.json().await.unwrap();
    assert_eq!(ack, json!({ "stored_through": 7, "cancel_requested": false }));
    let j = job(&f, &id).await;
    assert_eq!((j["log_lines"].as_i64(), j["progress"]["files_done"].as_i64()), (Some(4), Some(7)));
    // A late retry of an older batch rolls neither the seq nor the progress back.
    let ack: Value = f
        .agent
        .send_events(id.parse().unwrap(), json!([ev(4, "progress", progress(5))]))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(ack["stored_through"], 7);
    let j = job(&f, &id).await;
    assert_eq!((j["log_lines"].as_i64(), j["progress"]["files_done"].as_i64()), (Some(4), Some(7)));
    // Lines for a job that does not exist: not found, nothing stored.
    let r = f
        .agent
        .send_events(uuid::Uuid::now_v7(), json!([ev(1, "log", json!({ "line": "x" }))]))
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    // Another host cannot write into this job.
    let intruder = f.admin.enroll_agent("db-1", &NewEnrollmentToken::default()).await;
    let r = intruder
        .send_events(id.parse().unwrap(), json!([ev(8, "log", json!({ "line": "x" }))]))
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let logs: Value = f.admin.get(&format!("/api/v1/jobs/{id}/logs")).await.json().await.unwrap();
    let seqs: Vec<i64> =
        logs["items"].as_array().unwrap().iter().map(|l| l["seq"].as_i64().unwrap()).collect();
    assert_eq!(seqs, vec![2, 3, 5, 7], "the intruder's line was rolled back");

    // Snapshots, then the end.
    let end = json!([
        ev(
            8,
            "snapshots",
            json!({ "snapshots": [
            { "id": SNAP, "time": "2026-11-21T10:00:00Z", "hostname": "web-1", "paths": ["/etc", "/home"], "tags": ["manual"] }
        ] })
        ),
        ev(
            9,
            "finished",
            json!({ "result": { "outcome": "succeeded", "exit_code": 0, "summary": {
            "files_new": 3, "files_changed": 0, "files_unmodified": 0, "dirs_new": 2, "dirs_changed": 0,
            "dirs_unmodified": 0, "data_added": 12345, "total_files_processed": 3,
            "total_bytes_processed": 999, "total_duration_secs": 1.5, "snapshot_id": SNAP } } })
        ),
    ]);
    f.agent.send_events(id.parse().unwrap(), end).await;
    let j = job(&f, &id).await;
    assert_eq!(j["status"], "succeeded");
    assert_eq!(j["summary"]["files_new"], 3);
    assert_eq!(j["exit_code"], 0);
    assert!(j["finished_at"].is_string());
    let snaps: Value = f
        .admin
        .get(&format!("/api/v1/hosts/{}/snapshots?with_total=true", f.host))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(snaps["total"], 1);
    let s = &snaps["items"][0];
    assert_eq!((s["short_id"].as_str(), s["data_added"].as_u64()), (Some(&SNAP[..8]), Some(12345)));
    assert_eq!((s["size"].as_u64(), s["files"].as_u64()), (Some(999), Some(3)), "{s}");
    assert_eq!(s["job_id"], id.as_str());
    assert_eq!(s["repository_name"], "main");

    // History filters.
    let list: Value = f
        .admin
        .get("/api/v1/jobs?status=succeeded&kind=backup&with_total=true")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 1);
    let list: Value =
        f.admin.get("/api/v1/jobs?status=running&with_total=true").await.json().await.unwrap();
    assert_eq!(list["total"], 0);
    let r = f.admin.get("/api/v1/jobs?status=nonsense").await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);

    // The live feed of a finished job: every line, the status, then `end`; and resumed.
    let body = f.admin.get(&format!("/api/v1/jobs/{id}/events")).await.text().await.unwrap();
    for needle in
        ["event: log", "id: 2\n", "id: 5\n", "event: status", "event: end", "\"succeeded\""]
    {
        assert!(body.contains(needle), "missing {needle:?} in {body}");
    }
    let resumed = f
        .admin
        .client
        .get(f.app.url(&format!("/api/v1/jobs/{id}/events")))
        .header("Last-Event-ID", "3")
        .header("Accept", "text/event-stream")
        .header("Accept-Encoding", "gzip, br")
        .send_checked()
        .await;
    // Never compressed: a compressor would hold live events back.
    assert!(resumed.headers().get("content-encoding").is_none());
    assert_eq!(resumed.headers()["content-type"], "text/event-stream");
    let resumed = resumed.text().await.unwrap();
    assert!(resumed.contains("id: 5\n") && !resumed.contains("id: 2\n"), "{resumed}");
}

async fn cancel_and_lost(db: Db) {
    let mut f = fixture(db).await;
    // Queued, never delivered: cancelled on the spot, and never handed out.
    let id = queued_backup(&f).await;
    let r = f.admin.post(&format!("/api/v1/jobs/{id}/cancel"), json!({})).await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "cancelled");
    let v: Value = f.agent.poll(1).await.json().await.unwrap();
    assert!(v["commands"].as_array().unwrap().is_empty(), "{v}");
    let r = f.admin.post(&format!("/api/v1/jobs/{id}/cancel"), json!({})).await;
    assert_eq!(error_code(r).await, "job.finished");

    // Running: the agent gets a cancel command and reports how it ended.
    let id = queued_backup(&f).await;
    f.agent.poll(1).await;
    f.agent.running = vec![id.parse().unwrap()];
    f.agent.send_events(id.parse().unwrap(), json!([ev(1, "started", json!({ "pid": 7 }))])).await;
    let r = f.admin.post(&format!("/api/v1/jobs/{id}/cancel"), json!({})).await;
    let j: Value = r.json().await.unwrap();
    assert_eq!(j["status"], "running");
    assert!(j["cancel_requested_at"].is_string());
    let v: Value = f.agent.poll(1).await.json().await.unwrap();
    assert_eq!(v["commands"][0]["action"]["kind"], "cancel_job");
    assert_eq!(v["commands"][0]["action"]["job_id"], id.as_str());
    // A viewer following live sees a new line as soon as it is stored.
    let mut live = f
        .admin
        .client
        .get(f.app.url(&format!("/api/v1/jobs/{id}/events")))
        .header("Accept", "text/event-stream")
        .send_checked()
        .await;
    let mut seen = String::new();
    while !seen.contains("event: status") {
        seen.push_str(&String::from_utf8_lossy(&live.chunk().await.unwrap().unwrap()));
    }
    let t0 = std::time::Instant::now();
    let ack: Value = f
        .agent
        .send_events(id.parse().unwrap(), json!([ev(2, "log", json!({ "line": "stopping" }))]))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(ack["cancel_requested"], true);
    while !seen.contains("stopping") {
        let chunk = tokio::time::timeout(std::time::Duration::from_secs(3), live.chunk())
            .await
            .expect("the live line arrives within 3 s")
            .unwrap()
            .unwrap();
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(seen.contains("id: 2\n"), "{seen}");
    assert!(t0.elapsed() < std::time::Duration::from_secs(3));
    drop(live);
    f.agent
        .send_events(
            id.parse().unwrap(),
            json!([ev(
                3,
                "finished",
                json!({ "result": { "outcome": "cancelled", "error_class": "restic.interrupted" } })
            )]),
        )
        .await;
    assert_eq!(job(&f, &id).await["status"], "cancelled");

    // Handed to the agent, then the agent no longer knows it: lost, never stuck.
    let id = queued_backup(&f).await;
    f.agent.running.clear();
    f.agent.poll(1).await; // receives it (dispatched)
    assert_eq!(job(&f, &id).await["status"], "dispatched");
    // It says it runs nothing: the command probably went to a dead connection, so it is
    // handed out again (at most three times in all), then given up as lost.
    for _ in 0..2 {
        let v: Value = f.agent.poll(1).await.json().await.unwrap();
        assert_eq!(v["commands"][0]["id"], id.as_str(), "re-sent: {v}");
    }
    let v: Value = f.agent.poll(1).await.json().await.unwrap();
    assert!(v["commands"].as_array().unwrap().is_empty(), "{v}");
    let j = job(&f, &id).await;
    assert_eq!(
        (j["status"].as_str(), j["error_class"].as_str()),
        (Some("lost"), Some("agent.lost"))
    );
    // An agent that turns out to know better (its outbox arrives late) still wins.
    f.agent
        .send_events(
            id.parse().unwrap(),
            json!([ev(1, "finished", json!({ "result": { "outcome": "succeeded" } }))]),
        )
        .await;
    assert_eq!(job(&f, &id).await["status"], "succeeded");

    // An offline host gets no job.
    use sea_orm::ConnectionTrait;
    f.app
        .state()
        .store
        .db()
        .execute_unprepared("UPDATE hosts SET last_seen_at = NULL")
        .await
        .unwrap();
    let r = backup(&f, json!(["/etc"])).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert_eq!(error_code(r).await, "host.offline");
    // Bad event batches are 400s, not 500s.
    let r = f
        .agent
        .send_events(
            id.parse().unwrap(),
            json!([{ "seq": 0, "at": "2026-01-01T00:00:00Z", "kind": "log" }]),
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r = f.agent.send_events(id.parse().unwrap(), json!([{ "seq": 1, "kind": "nope" }])).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}

db_tests!(backup_runs_and_reports, cancel_and_lost);
