//! A host's restore drill on a schedule, through the real server: the schedule is checked
//! (cron, zone, a linked repository) and shown in words with its next fire; a due fire
//! starts one drill job with the asked sample, started by "drill schedule"; a fire while
//! that drill runs adds none; a fire while the host is offline stays due and runs once it
//! is back; unlinking the repository removes the schedule; every change is audited.

use cairn_server::{domain::drill_schedule, store::drill_schedules, store::hosts};
use cairn_testkit::{Db, OneHost, db_tests, error_field};
use chrono::{DateTime, Duration, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn make_due(f: &OneHost) {
    let db = f.app.state().store.db();
    let mut row = drill_schedules::find(db, f.host).await.unwrap().unwrap();
    row.next_at = Some(Utc::now() - Duration::minutes(1));
    drill_schedules::save(db, row).await.unwrap();
}

async fn drills(f: &OneHost) -> Vec<Value> {
    let list: Value = f.admin.get("/api/v1/jobs?kind=drill").await.json().await.unwrap();
    list["items"].as_array().unwrap().clone()
}

async fn schedule(f: &OneHost) -> Value {
    let path = format!("/api/v1/hosts/{}/drill-schedule", f.host);
    let r = f.admin.get(&path).await;
    assert_eq!(r.status(), StatusCode::OK);
    r.json::<Value>().await.unwrap()["schedule"].clone()
}

fn next_at(s: &Value) -> DateTime<Utc> {
    s["next_at"].as_str().unwrap().parse().unwrap()
}

async fn a_drill_schedule_fires_one_drill_per_due_time(db: Db) {
    let f = OneHost::new(db, "web-1").await;
    let path = format!("/api/v1/hosts/{}/drill-schedule", f.host);
    assert!(schedule(&f).await.is_null(), "none yet");
    let r = f.admin.delete(&path).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND, "nothing to remove");

    for (body, code, field) in [
        (
            json!({ "repository_id": f.repo, "cron": "every sunday" }),
            "schedule.invalid_cron",
            "cron",
        ),
        (json!({ "repository_id": f.repo, "cron": "* * * * *" }), "schedule.invalid_cron", "cron"),
        (
            json!({ "repository_id": f.repo, "cron": "0 5 * * 0", "timezone": "Mars/Olympus" }),
            "schedule.invalid_timezone",
            "timezone",
        ),
        (
            json!({ "repository_id": uuid::Uuid::new_v4(), "cron": "0 5 * * 0" }),
            "drill_schedule.invalid",
            "repository_id",
        ),
    ] {
        let r = f.admin.put_json(&path, body.clone()).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(error_field(r).await, (code.into(), Some(field.into())), "{body}");
    }
    let r = f
        .admin
        .put_json(&path, json!({ "repository_id": f.repo, "cron": "0 5 * * 0", "files": 0 }))
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST, "a drill samples at least one file");

    let r = f
        .admin
        .put_json(
            &path,
            json!({ "repository_id": f.repo, "cron": "0 5 * * 0", "timezone": "Europe/Berlin", "files": 5 }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let set: Value = r.json().await.unwrap();
    assert_eq!(
        (set["cron"].as_str(), set["effective_timezone"].as_str(), set["files"].as_u64()),
        (Some("0 5 * * 0"), Some("Europe/Berlin"), Some(5))
    );
    assert_eq!(set["max_bytes"], 100 << 20, "the default byte budget");
    assert!(!set["description"].as_str().unwrap().is_empty(), "{set}");
    let next = next_at(&set);
    assert!(next > Utc::now() && next < Utc::now() + Duration::days(8), "{next}");
    assert_eq!(schedule(&f).await["cron"], "0 5 * * 0", "read back");

    // Due: one drill job with the asked sample, started by the schedule; the next fire
    // moves on to the next Sunday.
    let state = f.app.state();
    make_due(&f).await;
    drill_schedule::fire_due(state).await.unwrap();
    let jobs = drills(&f).await;
    assert_eq!(jobs.len(), 1, "{jobs:?}");
    let job = &jobs[0];
    assert_eq!(
        (job["host_id"].as_str(), job["actor"].as_str()),
        (Some(f.host.to_string().as_str()), Some("drill schedule"))
    );
    let poll: Value = f.agent.poll(0).await.json().await.unwrap();
    let cmd = poll["commands"].as_array().unwrap().iter().find(|c| c["id"] == job["id"]).cloned();
    let args = cmd.expect("the run command")["action"]["job"]["args"].clone();
    assert_eq!((args["files"].as_u64(), args["max_bytes"].as_u64()), (Some(5), Some(100 << 20)));
    assert!(next_at(&schedule(&f).await) > Utc::now(), "the fire moved on");

    // Due again while that drill runs: no second one, and the fire moves on.
    make_due(&f).await;
    drill_schedule::fire_due(state).await.unwrap();
    assert_eq!(drills(&f).await.len(), 1);
    assert!(next_at(&schedule(&f).await) > Utc::now(), "skipped, not kept");
    let at = Utc::now();
    let done = json!([{ "seq": 1, "at": at, "kind": "started" },
                      { "seq": 2, "at": at, "kind": "finished", "result": { "outcome": "succeeded" } }]);
    f.agent.send_events(job["id"].as_str().unwrap().parse().unwrap(), done).await;

    // The host offline: the fire stays due (one pending run) and runs once it is back.
    let db = state.store.db();
    let mut host = hosts::find(db, f.host).await.unwrap().unwrap();
    host.last_seen_at = Some(Utc::now() - Duration::hours(1));
    hosts::save(db, host).await.unwrap();
    make_due(&f).await;
    drill_schedule::fire_due(state).await.unwrap();
    drill_schedule::fire_due(state).await.unwrap();
    assert_eq!(drills(&f).await.len(), 1, "nothing runs on an offline host");
    assert!(next_at(&schedule(&f).await) < Utc::now(), "still due");
    f.agent.poll_ok(0).await;
    drill_schedule::fire_due(state).await.unwrap();
    assert_eq!(drills(&f).await.len(), 2, "one run once the host is back");

    // Unlinking the repository takes the schedule with it.
    let r = f
        .admin
        .put_json(
            &format!("/api/v1/hosts/{}/repositories", f.host),
            json!({ "repository_ids": [] }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    assert!(schedule(&f).await.is_null(), "gone with the link");

    // Set again and removed: both audited with what was set.
    let r = f
        .admin
        .put_json(
            &format!("/api/v1/hosts/{}/repositories", f.host),
            json!({ "repository_ids": [f.repo] }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = f.admin.put_json(&path, json!({ "repository_id": f.repo, "cron": "30 2 * * *" })).await;
    assert_eq!(r.status(), StatusCode::OK);
    let set: Value = r.json().await.unwrap();
    assert_eq!((set["files"].as_u64(), set.get("timezone")), (Some(20), None), "defaults: {set}");
    let r = f.admin.delete(&path).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert!(schedule(&f).await.is_null());
    let audit: Value = f.admin.get("/api/v1/audit?action=host.").await.json().await.unwrap();
    let actions: Vec<(String, Value)> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (e["action"].as_str().unwrap_or_default().to_string(), e["details"]["cron"].clone())
        })
        .collect();
    assert!(
        actions.contains(&("host.set_drill_schedule".into(), json!("0 5 * * 0"))),
        "{actions:?}"
    );
    assert!(
        actions.contains(&("host.set_drill_schedule".into(), json!("30 2 * * *"))),
        "{actions:?}"
    );
    assert!(actions.iter().any(|(a, _)| a == "host.delete_drill_schedule"), "{actions:?}");
}

db_tests!(a_drill_schedule_fires_one_drill_per_due_time);
