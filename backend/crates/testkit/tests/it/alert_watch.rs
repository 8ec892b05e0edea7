//! The alert rules that watch for what did not happen, through the real server and its
//! sweep: a host with no schedule, a schedule whose fire passed with no backup ("nothing
//! ran"), a host past its RPO, a job that does not complete, a repository left locked, a
//! forget the delete guard stopped, an agent behind the server, and a backup that changed
//! far more than its baseline. Each opens once, and resolves by itself when it clears.

use cairn_server::{
    domain::alerts::sweep,
    store::{SWEEP_LOCK, hosts, jobs, schedules, watch},
};
use cairn_testkit::{Db, OneHost, api::NewBackup, db_tests};
use chrono::{Duration, Utc};
use reqwest::StatusCode;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use uuid::Uuid;

async fn alerts(f: &OneHost, query: &str) -> Vec<Value> {
    let r = f.admin.get(&format!("/api/v1/alerts{query}")).await;
    assert_eq!(r.status(), StatusCode::OK);
    r.json::<Value>().await.unwrap()["items"].as_array().unwrap().clone()
}

async fn open(f: &OneHost, rule: &str) -> Vec<Value> {
    alerts(f, &format!("?rule={rule}&state=open")).await
}

/// The agent reports `job` started and ended with `result`.
async fn finish(f: &OneHost, job: Uuid, result: Value) {
    let at = Utc::now();
    let r = f
        .agent
        .send_events(
            job,
            json!([{ "seq": 1, "at": at, "kind": "started" },
                   { "seq": 2, "at": at, "kind": "finished", "result": result }]),
        )
        .await;
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
}

fn summary(bytes: u64, files: u64) -> Value {
    json!({ "files_new": files, "files_changed": 0, "files_unmodified": 100, "dirs_new": 0,
            "dirs_changed": 0, "dirs_unmodified": 3, "data_added": bytes,
            "total_files_processed": 100 + files, "total_bytes_processed": bytes,
            "total_duration_secs": 1.0 })
}

/// A backup started by hand, handed to the agent and ended with `result`.
async fn backup(f: &OneHost, result: Value) -> Uuid {
    let job = f.admin.start_backup(f.host, &NewBackup::new(f.repo, ["/srv"])).await;
    f.agent.poll_ok(0).await;
    finish(f, job.id, result).await;
    job.id
}

async fn resolved_by_cairn(f: &OneHost, id: &str) -> Value {
    let r: Value = f.admin.get(&format!("/api/v1/alerts/{id}")).await.json().await.unwrap();
    assert_eq!(r["alert"]["state"], "resolved", "{r}");
    let last = r["events"].as_array().unwrap().iter().find(|e| e["kind"] == "resolved").cloned();
    let last = last.expect("a resolve event");
    assert!(last["actor"].is_null(), "Cairn resolved it: {last}");
    last
}

async fn unscheduled_nothing_ran_and_rpo(db: Db) {
    let f = OneHost::new(db, "web-1").await;
    let state = f.app.state();
    let db = state.store.db();
    sweep::run(state).await.unwrap();
    assert!(open(&f, "unscheduled").await.is_empty(), "a host just enrolled is given a day");

    // Enrolled two days ago with no schedule: "unscheduled".
    let mut host = hosts::find(db, f.host).await.unwrap().unwrap();
    host.created_at = Utc::now() - Duration::days(2);
    hosts::save(db, host).await.unwrap();
    sweep::run(state).await.unwrap();
    let un = open(&f, "unscheduled").await;
    assert_eq!(un.len(), 1, "{un:?}");
    assert_eq!(un[0]["severity"], "warning");

    // A nightly schedule, last changed three days ago, that never ran: "nothing ran";
    // the host has a schedule now, so "unscheduled" resolves.
    let r = f
        .admin
        .post(
            &format!("/api/v1/hosts/{}/schedules", f.host),
            json!({ "name": "nightly", "repository_id": f.repo, "cron": "0 3 * * *",
                    "timezone": "UTC", "backup": { "paths": ["/srv"] } }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let sid: Uuid = r.json::<Value>().await.unwrap()["id"].as_str().unwrap().parse().unwrap();
    let mut s = schedules::find(db, sid).await.unwrap().unwrap();
    s.updated_at = Utc::now() - Duration::days(3);
    schedules::save(db, s).await.unwrap();
    // Inside their window: an hourly schedule made just now, and a weekly one changed long
    // ago whose last backup succeeded an hour ago (its next fire is still ahead or within
    // the grace).
    for (name, cron) in [("hourly", "0 * * * *"), ("weekly", "0 4 * * 0")] {
        let r = f
            .admin
            .post(
                &format!("/api/v1/hosts/{}/schedules", f.host),
                json!({ "name": name, "repository_id": f.repo, "cron": cron,
                        "timezone": "UTC", "backup": { "paths": ["/srv"] } }),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        if name == "weekly" {
            let id: Uuid =
                r.json::<Value>().await.unwrap()["id"].as_str().unwrap().parse().unwrap();
            let mut w = schedules::find(db, id).await.unwrap().unwrap();
            w.updated_at = Utc::now() - Duration::days(30);
            schedules::save(db, w).await.unwrap();
            watch::backup_ok(db, f.host, Some(id), Utc::now() - Duration::hours(1)).await.unwrap();
        }
    }
    sweep::run(state).await.unwrap();
    sweep::run(state).await.unwrap();
    let late = open(&f, "nothing_ran").await;
    assert_eq!(late.len(), 1, "only the late schedule, once, not once per sweep: {late:?}");
    let late = &late[0];
    assert_eq!(
        (late["subject_kind"].as_str(), late["subject_id"].as_str(), late["severity"].as_str()),
        (Some("schedule"), Some(sid.to_string().as_str()), Some("error"))
    );
    let msg = late["message"].as_str().unwrap();
    assert!(msg.contains("should have run at") && msg.contains("03:00"), "{msg}");
    resolved_by_cairn(&f, un[0]["id"].as_str().unwrap()).await;

    // "Run now" on the schedule succeeds: "nothing ran" resolves in the job's transaction.
    let r = f.admin.post(&format!("/api/v1/schedules/{sid}/run"), json!({})).await;
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    let job: Uuid = r.json::<Value>().await.unwrap()["id"].as_str().unwrap().parse().unwrap();
    f.agent.poll_ok(0).await;
    finish(&f, job, json!({ "outcome": "succeeded", "summary": summary(1000, 1) })).await;
    let ev = resolved_by_cairn(&f, late["id"].as_str().unwrap()).await;
    assert_eq!(ev["details"]["job_id"], json!(job.to_string()), "{ev}");
    sweep::run(state).await.unwrap();
    assert!(open(&f, "nothing_ran").await.is_empty(), "the sweep agrees: on time");

    // An RPO: off by default; on for "prod" hosts it holds only those.
    sweep::run(state).await.unwrap();
    assert!(open(&f, "rpo_missed").await.is_empty(), "off by default");
    let r = f
        .admin
        .put_json(
            "/api/v1/alert-rules/rpo_missed",
            json!({ "enabled": true, "severity": "critical", "params": { "hours": 1 }, "host_tag": "prod" }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    db.execute_unprepared("UPDATE hosts SET last_backup_ok_at = NULL").await.unwrap();
    sweep::run(state).await.unwrap();
    assert!(open(&f, "rpo_missed").await.is_empty(), "web-1 is not a prod host");
    let mut host = hosts::find(db, f.host).await.unwrap().unwrap();
    host.tags = json!(["prod"]).to_string();
    hosts::save(db, host).await.unwrap();
    sweep::run(state).await.unwrap();
    let rpo = open(&f, "rpo_missed").await;
    assert_eq!(rpo.len(), 1, "{rpo:?}");
    assert_eq!(rpo[0]["severity"], "critical");
    assert!(rpo[0]["message"].as_str().unwrap().contains("over 1 hours"), "{}", rpo[0]);
    backup(&f, json!({ "outcome": "succeeded", "summary": summary(1000, 1) })).await;
    resolved_by_cairn(&f, rpo[0]["id"].as_str().unwrap()).await;
    sweep::run(state).await.unwrap();
    assert!(open(&f, "rpo_missed").await.is_empty(), "the sweep agrees: backed up");
}

async fn stuck_jobs_locks_guards_and_versions(db: Db) {
    let f = OneHost::new(db, "db-1").await;
    let state = f.app.state();
    let db = state.store.db();

    // A backup queued two hours ago and never started: "job stuck", naming the wait.
    let job = f.admin.start_backup(f.host, &NewBackup::new(f.repo, ["/srv"])).await;
    let mut row = jobs::find(db, job.id).await.unwrap().unwrap();
    row.created_at = Utc::now() - Duration::hours(2);
    jobs::update(db, row).await.unwrap();
    sweep::run(state).await.unwrap();
    sweep::run(state).await.unwrap();
    let stuck = open(&f, "job_stuck").await;
    assert_eq!(stuck.len(), 1, "{stuck:?}");
    assert_eq!(stuck[0]["job_id"], json!(job.id.to_string()));
    let msg = stuck[0]["message"].as_str().unwrap();
    assert!(msg.contains("queued for 2.0 h") && msg.contains("agent online"), "{msg}");
    // It runs and ends (locked out): the stuck alert resolves; the lock is remembered.
    f.agent.poll_ok(0).await;
    finish(
        &f,
        job.id,
        json!({ "outcome": "failed", "error_class": "restic.locked",
                "message": "repository is locked by PID 7255 on vm by root" }),
    )
    .await;
    let ev = resolved_by_cairn(&f, stuck[0]["id"].as_str().unwrap()).await;
    assert_eq!(ev["details"]["why"], "the job ended");

    // Locked just now: not yet. Seen locked an hour ago with nothing since: "locked".
    sweep::run(state).await.unwrap();
    assert!(open(&f, "repository_locked").await.is_empty(), "30 minutes' grace");
    assert!(watch::unlocked(db, f.repo, None).await.unwrap());
    let by = "backup: repository is locked by PID 7255 on vm by root".to_string();
    watch::locked(db, f.repo, Utc::now() - Duration::hours(1), Some(by)).await.unwrap();
    sweep::run(state).await.unwrap();
    let locked = open(&f, "repository_locked").await;
    assert_eq!(locked.len(), 1, "{locked:?}");
    assert!(locked[0]["message"].as_str().unwrap().contains("PID 7255"), "{}", locked[0]);
    // A check that succeeds proves nothing about a backup's lock; a backup that does, does.
    let r = f
        .admin
        .post(
            &format!("/api/v1/repositories/{}/jobs", f.repo),
            json!({ "host_id": f.host, "args": { "kind": "check" } }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::ACCEPTED, "{}", r.text().await.unwrap());
    let check: Uuid = r.json::<Value>().await.unwrap()["id"].as_str().unwrap().parse().unwrap();
    f.agent.poll_ok(0).await;
    finish(&f, check, json!({ "outcome": "succeeded" })).await;
    assert_eq!(open(&f, "repository_locked").await.len(), 1, "a check does not clear it");
    backup(&f, json!({ "outcome": "succeeded", "summary": summary(1000, 1) })).await;
    resolved_by_cairn(&f, locked[0]["id"].as_str().unwrap()).await;
    sweep::run(state).await.unwrap();
    assert!(open(&f, "repository_locked").await.is_empty());

    // A forget its delete guard stopped: "guard tripped", not "maintenance failed".
    let r = f
        .admin
        .post(
            &format!("/api/v1/repositories/{}/jobs", f.repo),
            json!({ "host_id": f.host, "args": { "kind": "forget", "policy": { "keep_last": 1 } } }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::ACCEPTED, "{}", r.text().await.unwrap());
    let forget: Uuid = r.json::<Value>().await.unwrap()["id"].as_str().unwrap().parse().unwrap();
    f.agent.poll_ok(0).await;
    finish(
        &f,
        forget,
        json!({ "outcome": "blocked", "error_class": "forget.guard",
                "message": "The forget would remove 9 of 10 snapshots; the guard allows 5." }),
    )
    .await;
    let guard = open(&f, "guard_tripped").await;
    assert_eq!(guard.len(), 1, "{guard:?}");
    assert_eq!(guard[0]["severity"], "warning");
    assert!(open(&f, "maintenance_failed").await.is_empty());

    // An agent older than the server: "version behind" (info), until it reports a newer one.
    let mut host = hosts::find(db, f.host).await.unwrap().unwrap();
    host.agent_version = "0.0.1".into();
    hosts::save(db, host).await.unwrap();
    sweep::run(state).await.unwrap();
    let behind = open(&f, "version_behind").await;
    assert_eq!(behind.len(), 1, "{behind:?}");
    assert_eq!(behind[0]["severity"], "info");
    assert!(behind[0]["message"].as_str().unwrap().contains("0.0.1"), "{}", behind[0]);
    f.agent.poll_ok(0).await;
    sweep::run(state).await.unwrap();
    resolved_by_cairn(&f, behind[0]["id"].as_str().unwrap()).await;
}

async fn a_backup_far_above_its_baseline_is_unusual(db: Db) {
    let f = OneHost::new(db, "files-1").await;
    const MIB: u64 = 1 << 20;
    // Five runs make a baseline (about 2 MiB and 20 files); none of them is judged.
    for i in 0..6 {
        backup(&f, json!({ "outcome": "succeeded", "summary": summary((2 + i % 2) * MIB, 20) }))
            .await;
    }
    assert!(open(&f, "unusual_change").await.is_empty(), "usual runs");
    // 500 MiB and 40,000 files: both measures far past 5× the median.
    let big =
        backup(&f, json!({ "outcome": "succeeded", "summary": summary(500 * MIB, 40_000) })).await;
    let un = open(&f, "unusual_change").await;
    assert_eq!(un.len(), 1, "{un:?}");
    assert_eq!(un[0]["job_id"], json!(big.to_string()));
    let msg = un[0]["message"].as_str().unwrap();
    assert!(
        msg.contains("added 500.0 MiB (usually 2.0 MiB)")
            && msg.contains("had 40000 files new or changed (usually 20)"),
        "{msg}"
    );
    let base = &un[0]["details"]["baseline"];
    assert_eq!((base["factor"].as_u64(), base["runs"].as_u64()), (Some(5), Some(6)), "{base}");
    // Above 5× but under the 100 MiB floor: not unusual, and it resolves the alert.
    backup(&f, json!({ "outcome": "succeeded", "summary": summary(20 * MIB, 20) })).await;
    let ev = resolved_by_cairn(&f, un[0]["id"].as_str().unwrap()).await;
    assert_eq!(ev["details"]["why"], "the next backup was within its baseline");
}

async fn one_replica_sweeps_at_a_time(db: Db) {
    let pg = matches!(db, Db::Postgres(_));
    let f = OneHost::new(db, "lead-1").await;
    let store = &f.app.state().store;
    let held = store.try_lead(SWEEP_LOCK).await.unwrap();
    assert!(held.is_some(), "the first taker leads");
    // On PostgreSQL a second taker (another replica) is refused while the first holds it;
    // SQLite has one server, which always leads.
    assert_eq!(store.try_lead(SWEEP_LOCK).await.unwrap().is_some(), !pg);
    held.unwrap().release().await.unwrap();
    assert!(store.try_lead(SWEEP_LOCK).await.unwrap().is_some(), "free again once released");
}

db_tests!(
    one_replica_sweeps_at_a_time,
    unscheduled_nothing_ran_and_rpo,
    stuck_jobs_locks_guards_and_versions,
    a_backup_far_above_its_baseline_is_unusual
);
