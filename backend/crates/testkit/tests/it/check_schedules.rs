//! A repository's check on a schedule of its own, through the real server: the schedule
//! is checked and shown in words with its next fire; a due fire starts one check job
//! through the preferred host (reading the asked subset, started by "check schedule");
//! a fire while that check runs adds none; a fire with no online host stays due and runs
//! once a host is back; removing the schedule stops it.

use cairn_server::{domain::check_schedule, store::hosts, store::repositories as repo_store};
use cairn_testkit::{Db, OneHost, db_tests, error_field};
use chrono::{Duration, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Makes the repository's scheduled check due now.
async fn make_due(f: &OneHost) {
    let db = f.app.state().store.db();
    let mut row = repo_store::find(db, f.repo).await.unwrap().unwrap();
    row.check_next_at = Some(Utc::now() - Duration::minutes(1));
    repo_store::save(db, row).await.unwrap();
}

async fn checks(f: &OneHost) -> Vec<Value> {
    let list: Value = f.admin.get("/api/v1/jobs?kind=check").await.json().await.unwrap();
    list["items"].as_array().unwrap().clone()
}

async fn repository(f: &OneHost) -> Value {
    f.admin.get(&format!("/api/v1/repositories/{}", f.repo)).await.json().await.unwrap()
}

async fn a_scheduled_check_fires_once_per_due_time(db: Db) {
    let f = OneHost::new(db, "db-1").await;
    let path = format!("/api/v1/repositories/{}", f.repo);
    for (schedule, field) in [
        (json!({ "cron": "every sunday" }), "check_schedule.cron"),
        (json!({ "cron": "* * * * *" }), "check_schedule.cron"),
        (json!({ "cron": "0 4 * * 0", "timezone": "Mars/Olympus" }), "check_schedule.timezone"),
        (
            json!({ "cron": "0 4 * * 0", "read_data_subset": "150%" }),
            "check_schedule.read_data_subset",
        ),
        (json!({ "cron": "0 4 * * 0", "host_id": uuid::Uuid::new_v4() }), "check_schedule.host_id"),
    ] {
        let r = f.admin.patch(&path, json!({ "check_schedule": schedule })).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{schedule}");
        assert_eq!(
            error_field(r).await,
            ("repository.invalid_check_schedule".into(), Some(field.into())),
            "{schedule}"
        );
    }
    let r = f
        .admin
        .patch(
            &path,
            json!({ "check_schedule": { "cron": "0 4 * * 0", "timezone": "Europe/Berlin",
                                        "read_data_subset": "5%", "host_id": f.host } }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let s = r.json::<Value>().await.unwrap()["check_schedule"].clone();
    assert_eq!(
        (s["cron"].as_str(), s["timezone"].as_str()),
        (Some("0 4 * * 0"), Some("Europe/Berlin"))
    );
    assert!(!s["description"].as_str().unwrap().is_empty(), "{s}");
    assert_eq!(
        (s["read_data_subset"].as_str(), s["host_id"].as_str()),
        (Some("5%"), Some(f.host.to_string().as_str()))
    );
    let next: chrono::DateTime<Utc> = s["next_at"].as_str().unwrap().parse().unwrap();
    assert!(next > Utc::now() && next < Utc::now() + Duration::days(8), "{next}");
    // An edit of something else keeps it.
    let r = f.admin.patch(&path, json!({ "name": "main-renamed" })).await;
    assert_eq!(r.json::<Value>().await.unwrap()["check_schedule"]["cron"], "0 4 * * 0");

    // Due: one check job through the preferred host, reading the subset; the next fire
    // moves on to the next Sunday.
    let state = f.app.state();
    make_due(&f).await;
    check_schedule::fire_due(state).await.unwrap();
    let jobs = checks(&f).await;
    assert_eq!(jobs.len(), 1, "{jobs:?}");
    let job = &jobs[0];
    assert_eq!(
        (job["host_id"].as_str(), job["actor"].as_str()),
        (Some(f.host.to_string().as_str()), Some("check schedule"))
    );
    let poll: Value = f.agent.poll(0).await.json().await.unwrap();
    let cmd = poll["commands"].as_array().unwrap().iter().find(|c| c["id"] == job["id"]).cloned();
    let cmd = cmd.expect("the run command");
    assert_eq!(cmd["action"]["job"]["args"]["read_data_subset"], "5%", "{cmd}");
    let next: chrono::DateTime<Utc> =
        repository(&f).await["check_schedule"]["next_at"].as_str().unwrap().parse().unwrap();
    assert!(next > Utc::now(), "the fire moved on: {next}");

    // Due again while that check still runs: no second one, and the fire moves on.
    make_due(&f).await;
    check_schedule::fire_due(state).await.unwrap();
    assert_eq!(checks(&f).await.len(), 1);
    let at = Utc::now();
    let done = json!([{ "seq": 1, "at": at, "kind": "started" },
                      { "seq": 2, "at": at, "kind": "finished", "result": { "outcome": "succeeded" } }]);
    f.agent.send_events(job["id"].as_str().unwrap().parse().unwrap(), done).await;

    // No host online: the fire stays due and runs once the host is back.
    let db = state.store.db();
    let mut host = hosts::find(db, f.host).await.unwrap().unwrap();
    host.last_seen_at = Some(Utc::now() - Duration::hours(1));
    hosts::save(db, host).await.unwrap();
    make_due(&f).await;
    check_schedule::fire_due(state).await.unwrap();
    check_schedule::fire_due(state).await.unwrap();
    assert_eq!(checks(&f).await.len(), 1, "nothing runs without a host");
    let due: chrono::DateTime<Utc> =
        repository(&f).await["check_schedule"]["next_at"].as_str().unwrap().parse().unwrap();
    assert!(due < Utc::now(), "still due: {due}");
    f.agent.poll_ok(0).await;
    check_schedule::fire_due(state).await.unwrap();
    assert_eq!(checks(&f).await.len(), 2, "one run once the host is back");

    // Removed: gone from the repository, recorded in the audit log.
    let r = f.admin.patch(&path, json!({ "check_schedule": null })).await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    assert!(r.json::<Value>().await.unwrap().get("check_schedule").is_none());
    let audit: Value =
        f.admin.get("/api/v1/audit?action=repository.update").await.json().await.unwrap();
    let details: Vec<Value> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["details"]["check_schedule"].clone())
        .collect();
    assert!(details.iter().any(|d| d["cron"] == "0 4 * * 0"), "{details:?}");
    assert!(details.iter().any(|d| d.is_object() && d["cron"].is_null()), "{details:?}");
}

db_tests!(a_scheduled_check_fires_once_per_due_time);
