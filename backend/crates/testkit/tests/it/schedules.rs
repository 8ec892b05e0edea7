//! Schedules through the real server: create, read, replace, delete, each refusal a person
//! can make, the cron preview, the host's config carrying its schedules to the agent (and
//! the version the agent acks), and "Run now" making a job that remembers its schedule.

use cairn_testkit::{
    Db, Session, TestApp,
    agent::SimAgent,
    api::{NewBackup, NewEnrollmentToken, NewRepository},
    db_tests, error_code, error_field,
};
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

struct Fixture {
    app: TestApp,
    admin: Session,
    agent: SimAgent,
    host: Uuid,
    repo: Uuid,
}

async fn fixture(db: Db) -> Fixture {
    let app = TestApp::spawn_with(db, |c| c.agents.poll_timeout_secs = 1).await;
    let admin = app.bootstrap().await;
    let repo = admin
        .create_repository(&NewRepository::new("main", "/srv/restic", "repo-pass-123"))
        .await
        .id;
    let agent = admin.enroll_agent("db-1", &NewEnrollmentToken::linked_to(repo)).await;
    let host = agent.id.unwrap();
    // The first poll records the facts, the host's zone among them (Europe/Berlin).
    agent.poll_ok(0).await;
    Fixture { app, admin, agent, host, repo }
}

fn nightly(repo: Uuid) -> Value {
    json!({
        "name": "nightly",
        "repository_id": repo,
        "cron": "0 3 * * *",
        "backup": { "paths": ["/etc", "/var/lib/app"], "excludes": ["*.tmp"], "tags": ["nightly"],
                    "one_file_system": true, "limit_upload_kib": 2048 },
        "retention": { "keep_daily": 7, "keep_weekly": 4, "keep_within": "2d" },
        "forget_after_backup": true,
        "prune_after_forget": true,
        "prune_max_unused": "5%"
    })
}

async fn create(f: &Fixture, body: Value) -> reqwest::Response {
    f.admin.post(&format!("/api/v1/hosts/{}/schedules", f.host), body).await
}

async fn schedules_are_stored_shown_and_sent_to_the_agent(db: Db) {
    let f = fixture(db).await;
    let r = create(&f, nightly(f.repo)).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let s: Value = r.json().await.unwrap();
    let id = s["id"].as_str().unwrap().to_string();
    assert_eq!(s["description"], "Every day at 03:00");
    // No zone of its own: the host's (the agent reported Europe/Berlin).
    assert!(s.get("timezone").is_none());
    assert_eq!(s["effective_timezone"], "Europe/Berlin");
    let fires: Vec<chrono::DateTime<chrono::Utc>> =
        serde_json::from_value(s["next_fires"].clone()).unwrap();
    assert_eq!(fires.len(), 5);
    let berlin = cairn_schedule::zone("Europe/Berlin").unwrap();
    for w in fires.windows(2) {
        assert!(w[0] < w[1]);
    }
    for t in &fires {
        let local = t.with_timezone(&berlin);
        assert_eq!(local.format("%H:%M").to_string(), "03:00", "{t}");
    }
    assert_eq!(s["backup"]["one_file_system"], true);
    assert_eq!(s["backup"]["limit_upload_kib"], 2048);
    assert_eq!(s["retention"]["keep_within"], "2d");
    assert_eq!(s["missed"], "run_once");
    assert_eq!(s["enabled"], true);

    // The agent's next poll carries the new config with the schedule in it.
    let before: Value =
        f.admin.get(&format!("/api/v1/hosts/{}", f.host)).await.json().await.unwrap();
    let version = before["config_version"].as_i64().unwrap();
    let poll = f.agent.poll_ok(0).await;
    let config = poll.config.expect("a newer config");
    assert_eq!(config.version as i64, version);
    assert_eq!(config.schedules.len(), 1);
    let sc = &config.schedules[0];
    assert_eq!(sc.id.to_string(), id);
    assert_eq!(sc.cron.as_deref(), Some("0 3 * * *"));
    assert_eq!(sc.timezone, "Europe/Berlin");
    assert_eq!(sc.backup.paths, vec!["/etc", "/var/lib/app"]);
    assert_eq!(sc.retention.as_ref().and_then(|r| r.keep_daily), Some(7));
    assert!(sc.forget_after_backup && sc.prune_after_forget);

    // Listed with the host's sync state: not in sync until the agent acks the version.
    let list: Value =
        f.admin.get(&format!("/api/v1/hosts/{}/schedules", f.host)).await.json().await.unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert_eq!(list["in_sync"], false);
    f.agent.poll_ok(version as u64).await;
    let list: Value =
        f.admin.get(&format!("/api/v1/hosts/{}/schedules", f.host)).await.json().await.unwrap();
    assert_eq!(
        (list["in_sync"].as_bool(), list["applied_config_version"].as_i64()),
        (Some(true), Some(version))
    );

    // Replace: a manual schedule in another zone, disabled; the version moves on.
    let mut manual = nightly(f.repo);
    // A manual schedule has no cron (absent, as the document says; not null).
    manual.as_object_mut().unwrap().remove("cron");
    manual["timezone"] = json!("America/New_York");
    manual["enabled"] = json!(false);
    manual["name"] = json!("on demand");
    let r = f.admin.put_json(&format!("/api/v1/schedules/{id}"), manual).await;
    assert_eq!(r.status(), StatusCode::OK);
    let s: Value = r.json().await.unwrap();
    assert_eq!(
        (s["name"].as_str(), s["effective_timezone"].as_str()),
        (Some("on demand"), Some("America/New_York"))
    );
    assert!(s.get("cron").is_none() && s.get("description").is_none());
    assert_eq!(s["next_fires"], json!([]));
    let got: Value = f.admin.get(&format!("/api/v1/schedules/{id}")).await.json().await.unwrap();
    assert_eq!(got["name"], "on demand");
    let poll = f.agent.poll_ok(version as u64).await;
    let config = poll.config.expect("the replaced schedule");
    assert!(config.version as i64 > version);
    assert_eq!((config.schedules[0].cron.as_deref(), config.schedules[0].enabled), (None, false));

    // Every change is in the audit log.
    let audit: Value = f.admin.get("/api/v1/audit?action=schedule.").await.json().await.unwrap();
    let actions: Vec<&str> =
        audit["items"].as_array().unwrap().iter().filter_map(|e| e["action"].as_str()).collect();
    assert_eq!(actions, vec!["schedule.update", "schedule.create"]);

    // The repository cannot be unlinked from under the schedule: the agent would keep a
    // schedule it cannot run.
    let r = f
        .admin
        .put_json(
            &format!("/api/v1/hosts/{}/repositories", f.host),
            json!({ "repository_ids": [] }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        (body["code"].as_str(), body["details"]["schedules"].clone()),
        (Some("host.repository_has_schedules"), json!(["on demand"]))
    );

    // Delete: gone from the list and from the agent's config.
    let r = f.admin.delete(&format!("/api/v1/schedules/{id}")).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = f.admin.get(&format!("/api/v1/schedules/{id}")).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let poll = f.agent.poll_ok(config.version).await;
    assert_eq!(poll.config.expect("the emptied set").schedules.len(), 0);
    // Without the schedule, unlinking works.
    let host = f.admin.link_repositories(f.host, &[]).await;
    assert!(host.repository_ids.is_empty());
}

async fn bad_schedules_are_refused_with_what_to_fix(db: Db) {
    let f = fixture(db).await;
    let with = |k: &str, v: Value| {
        let mut b = nightly(f.repo);
        b[k] = v;
        b
    };
    let cases = [
        (with("cron", json!("* * * * *")), "schedule.invalid_cron", "cron"),
        (with("cron", json!("0 3 * *")), "schedule.invalid_cron", "cron"),
        (with("cron", json!("0 0 30 2 *")), "schedule.invalid_cron", "cron"),
        (with("timezone", json!("Mars/Olympus")), "schedule.invalid_timezone", "timezone"),
        (with("name", json!("   ")), "schedule.invalid_name", "name"),
        (with("backup", json!({ "paths": ["relative"] })), "schedule.invalid_backup", "paths"),
        (with("retention", json!({})), "schedule.retention_keeps_nothing", "retention"),
        (
            with("retention", json!({ "keep_within": "2 weeks" })),
            "schedule.invalid_retention",
            "retention",
        ),
        (with("prune_max_unused", json!("lots")), "schedule.invalid_prune", "prune_max_unused"),
    ];
    for (body, code, field) in cases {
        let r = create(&f, body.clone()).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(error_field(r).await, (code.to_string(), Some(field.to_string())), "{body}");
    }
    let mut no_forget = nightly(f.repo);
    no_forget["forget_after_backup"] = json!(false);
    let r = create(&f, no_forget).await;
    assert_eq!(error_code(r).await, "schedule.prune_without_forget");
    // A repository not linked to the host.
    let other = f
        .admin
        .create_repository(&NewRepository::new("other", "/srv/other", "repo-pass-456"))
        .await;
    let r = create(&f, with("repository_id", json!(other.id))).await;
    assert_eq!(
        error_field(r).await,
        ("schedule.repository_not_linked".into(), Some("repository_id".into()))
    );
    // Names are unique per host.
    assert_eq!(create(&f, nightly(f.repo)).await.status(), StatusCode::CREATED);
    let r = create(&f, nightly(f.repo)).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert_eq!(error_code(r).await, "schedule.name_taken");
    // Unknown fields are refused by the document; an unknown host is a 404.
    let r = create(&f, with("colour", json!("blue"))).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r =
        f.admin.post(&format!("/api/v1/hosts/{}/schedules", Uuid::now_v7()), nightly(f.repo)).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

async fn the_preview_says_what_a_cron_means(db: Db) {
    let f = fixture(db).await;
    let p: Value = f
        .admin
        .get("/api/v1/schedules/preview?cron=0%2022%20*%20*%201-5&timezone=UTC")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(p["timezone"], "UTC");
    assert!(p["description"].as_str().unwrap().contains("22:00"), "{p}");
    let fires: Vec<chrono::DateTime<chrono::Utc>> =
        serde_json::from_value(p["next_fires"].clone()).unwrap();
    assert_eq!(fires.len(), 5);
    use chrono::{Datelike, Timelike};
    for t in fires {
        assert_eq!(t.hour(), 22);
        assert!(t.weekday().number_from_monday() <= 5, "{t}");
    }
    // Without a zone, the host's.
    let p: Value = f
        .admin
        .get(&format!("/api/v1/schedules/preview?cron=%40daily&host_id={}", f.host))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(p["timezone"], "Europe/Berlin");
    let r = f.admin.get("/api/v1/schedules/preview?cron=banana").await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_code(r).await, "schedule.invalid_cron");
}

async fn run_now_makes_a_job_of_the_schedule(db: Db) {
    let f = fixture(db).await;
    let s: Value = create(&f, nightly(f.repo)).await.json().await.unwrap();
    let id = s["id"].as_str().unwrap();
    let r = f
        .admin
        .post(&format!("/api/v1/schedules/{id}/run"), json!({ "limit_upload_kib": 512 }))
        .await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let job: Value = r.json().await.unwrap();
    assert_eq!(job["kind"], "backup");
    assert_eq!(job["backup"]["paths"], json!(["/etc", "/var/lib/app"]));
    // The run's own limit replaces the schedule's for this run only.
    assert_eq!(job["backup"]["limit_upload_kib"], 512);
    // The schedule shows it as its last run.
    let got: Value = f.admin.get(&format!("/api/v1/schedules/{id}")).await.json().await.unwrap();
    assert_eq!(got["last_run"]["job_id"], job["id"]);
    assert_eq!(got["last_run"]["status"], "queued");
    assert_eq!(got["backup"]["limit_upload_kib"], 2048);
    // The agent receives it like any backup.
    let poll: Value = f.agent.poll(0).await.json().await.unwrap();
    let cmd = poll["commands"].as_array().unwrap().iter().find(|c| c["id"] == job["id"]).cloned();
    assert_eq!(cmd.unwrap()["action"]["job"]["args"]["limit_upload_kib"], 512);
}

db_tests!(
    schedules_are_stored_shown_and_sent_to_the_agent,
    bad_schedules_are_refused_with_what_to_fix,
    the_preview_says_what_a_cron_means,
    run_now_makes_a_job_of_the_schedule,
    an_agent_reports_a_run_it_started_on_its_own_clock,
    hosts_show_their_next_run_and_last_scheduled_run
);

/// The events of a scheduled run as an agent uploads them: `created` first.
fn scheduled_run(schedule: &str, repo: Uuid, at: chrono::DateTime<chrono::Utc>) -> Value {
    json!([
        { "seq": 1, "at": at, "kind": "created", "created": {
            "schedule_id": schedule, "repository_id": repo, "config_version": 2,
            "args": { "kind": "backup", "paths": ["/etc"] },
            "fire_time": at, "trigger": "missed" } },
        { "seq": 2, "at": at, "kind": "log", "stream": "agent", "line": "Scheduled run of \"nightly\"" },
        { "seq": 3, "at": at, "kind": "started", "pid": 42 },
        { "seq": 4, "at": at, "kind": "finished", "result": { "outcome": "succeeded", "exit_code": 0 } }
    ])
}

async fn an_agent_reports_a_run_it_started_on_its_own_clock(db: Db) {
    let f = fixture(db).await;
    let s: Value = create(&f, nightly(f.repo)).await.json().await.unwrap();
    let schedule = s["id"].as_str().unwrap().to_string();
    // A "Run now" is queued for the same host and repository: the agent's run, which
    // happened (perhaps hours ago, while the server was away), is taken all the same.
    let r = f.admin.post(&format!("/api/v1/schedules/{schedule}/run"), json!({})).await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let run_now: Value = r.json().await.unwrap();

    let job = Uuid::now_v7();
    let at = chrono::Utc::now() + chrono::Duration::seconds(1);
    let events = scheduled_run(&schedule, f.repo, at);
    let r = f.agent.send_events(job, events.clone()).await;
    let status = r.status();
    let ack: Value = r.json().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{ack}");
    assert_eq!(ack["stored_through"], 4);
    let got: Value = f.admin.get(&format!("/api/v1/jobs/{job}")).await.json().await.unwrap();
    assert_eq!(got["status"], "succeeded");
    assert_eq!(got["actor_kind"], "schedule");
    assert_eq!(got["actor"], "nightly");
    assert_eq!(got["schedule_id"], schedule.as_str());
    assert_eq!(got["repository_id"], f.repo.to_string());
    assert_eq!(got["backup"]["paths"], json!(["/etc"]));
    assert_eq!(got["log_lines"], 1);
    let created: chrono::DateTime<chrono::Utc> =
        serde_json::from_value(got["created_at"].clone()).unwrap();
    assert_eq!(created.timestamp_millis(), at.timestamp_millis(), "made at the fire");
    // The schedule's last run is the agent's (the newer of the two).
    let s: Value =
        f.admin.get(&format!("/api/v1/schedules/{schedule}")).await.json().await.unwrap();
    assert_eq!(s["last_run"]["job_id"], job.to_string());
    assert_eq!(s["last_run"]["status"], "succeeded");

    // The same batch again (a retry after a lost answer) changes nothing.
    let r = f.agent.send_events(job, events).await;
    assert_eq!(r.status(), StatusCode::OK);
    let jobs: Value =
        f.admin.get(&format!("/api/v1/jobs?host_id={}", f.host)).await.json().await.unwrap();
    let ids: Vec<&str> =
        jobs["items"].as_array().unwrap().iter().map(|j| j["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 2, "the run now and the scheduled run, once: {ids:?}");
    assert!(ids.contains(&run_now["id"].as_str().unwrap()));

    // Events of a job the server does not know, without `created`: still not found.
    let stray = json!([{ "seq": 1, "at": at, "kind": "started" }]);
    let r = f.agent.send_events(Uuid::now_v7(), stray).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    // Another host's agent naming this host's schedule and repository: the run is kept as
    // its own host's, without the schedule or repository it may not name.
    let other_repo =
        f.admin.create_repository(&NewRepository::new("other", "/srv/other", "pw-123456")).await.id;
    let other = f.admin.enroll_agent("db-2", &NewEnrollmentToken::linked_to(other_repo)).await;
    let theirs = Uuid::now_v7();
    let r = other.send_events(theirs, scheduled_run(&schedule, f.repo, at)).await;
    assert_eq!(r.status(), StatusCode::OK);
    let got: Value = f.admin.get(&format!("/api/v1/jobs/{theirs}")).await.json().await.unwrap();
    assert_eq!(got["host_id"], other.id.unwrap().to_string());
    assert_eq!(got["actor"], "an unknown schedule");
    assert!(got.get("schedule_id").is_none() && got.get("repository_id").is_none(), "{got}");
    let s: Value =
        f.admin.get(&format!("/api/v1/schedules/{schedule}")).await.json().await.unwrap();
    assert_eq!(
        s["last_run"]["job_id"],
        job.to_string(),
        "another host's run is not this schedule's"
    );
}

/// The first `hh:mm` in `zone` strictly after `now` (on `weekday` when given), worked out
/// with chrono alone: the check on the server's cron reading. Callers pick times no
/// daylight-saving change skips or repeats in their zone.
fn next_local(
    zone: &str,
    now: chrono::DateTime<chrono::Utc>,
    (hour, minute): (u32, u32),
    weekday: Option<chrono::Weekday>,
) -> chrono::DateTime<chrono::Utc> {
    use chrono::{Datelike, TimeZone};
    let tz = cairn_schedule::zone(zone).unwrap();
    let today = now.with_timezone(&tz).date_naive();
    today
        .iter_days()
        .take(9)
        .filter(|d| weekday.is_none_or(|w| d.weekday() == w))
        .filter_map(|d| tz.from_local_datetime(&d.and_hms_opt(hour, minute, 0).unwrap()).single())
        .map(|t| t.with_timezone(&chrono::Utc))
        .find(|t| *t > now)
        .unwrap()
}

/// The host's row in the list and its detail, which must agree.
async fn host_row(f: &Fixture, host: Uuid) -> Value {
    let list: Value = f.admin.get("/api/v1/hosts").await.json().await.unwrap();
    let row = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["id"] == host.to_string())
        .cloned()
        .unwrap();
    let detail: Value = f.admin.get(&format!("/api/v1/hosts/{host}")).await.json().await.unwrap();
    for k in ["next_run", "last_scheduled_run"] {
        assert_eq!(row.get(k), detail.get(k), "{k}: list row and detail differ");
    }
    row
}

async fn hosts_show_their_next_run_and_last_scheduled_run(db: Db) {
    let f = fixture(db).await;
    let other_repo =
        f.admin.create_repository(&NewRepository::new("other", "/srv/other", "pw-123456")).await.id;
    let other_agent =
        f.admin.enroll_agent("web-1", &NewEnrollmentToken::linked_to(other_repo)).await;
    other_agent.poll_ok(0).await;
    let other = other_agent.id.unwrap();
    let row = host_row(&f, f.host).await;
    assert!(row.get("next_run").is_none() && row.get("last_scheduled_run").is_none(), "{row}");

    // Manual and disabled schedules never fire: still no next run.
    let mut manual = nightly(f.repo);
    manual.as_object_mut().unwrap().remove("cron");
    manual["name"] = json!("manual");
    let manual: Value = create(&f, manual).await.json().await.unwrap();
    let mut paused = nightly(f.repo);
    paused["name"] = json!("paused");
    paused["cron"] = json!("*/10 * * * *");
    paused["enabled"] = json!(false);
    assert_eq!(create(&f, paused).await.status(), StatusCode::CREATED);
    let row = host_row(&f, f.host).await;
    assert!(row.get("next_run").is_none() && row.get("last_scheduled_run").is_none(), "{row}");

    // Two cron schedules: 03:00 in New York (its own zone), and Sundays at 04:30 in the
    // host's zone (Europe/Berlin). The host's next run is the earlier of the two.
    let mut ny = nightly(f.repo);
    ny["timezone"] = json!("America/New_York");
    let ny: Value = create(&f, ny).await.json().await.unwrap();
    let mut weekly = nightly(f.repo);
    weekly["name"] = json!("weekly");
    weekly["cron"] = json!("30 4 * * 0");
    let weekly: Value = create(&f, weekly).await.json().await.unwrap();
    let expect = |now| {
        let a = (next_local("America/New_York", now, (3, 0), None), &ny);
        let b = (next_local("Europe/Berlin", now, (4, 30), Some(chrono::Weekday::Sun)), &weekly);
        let (at, s) = if a.0 <= b.0 { a } else { b };
        (at, s["id"].clone(), s["name"].clone())
    };
    let before = chrono::Utc::now();
    let row = host_row(&f, f.host).await;
    let after = chrono::Utc::now();
    let next = &row["next_run"];
    let at: chrono::DateTime<chrono::Utc> = serde_json::from_value(next["at"].clone()).unwrap();
    let got = (at, next["schedule_id"].clone(), next["schedule_name"].clone());
    // A fire passing during the request moves the answer on; it is either side's.
    assert!(got == expect(before) || got == expect(after), "{row} against {:?}", expect(before));
    // The schedule itself says the same first fire.
    let s: Value = f
        .admin
        .get(&format!("/api/v1/schedules/{}", got.1.as_str().unwrap()))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(s["next_fires"][0], next["at"]);
    assert!(row.get("last_scheduled_run").is_none(), "{row}");

    // "Run now" of the manual schedule: its job is the host's last scheduled run.
    let mid = manual["id"].as_str().unwrap();
    let r = f.admin.post(&format!("/api/v1/schedules/{mid}/run"), json!({})).await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let run_now: Value = r.json().await.unwrap();
    let last = host_row(&f, f.host).await["last_scheduled_run"].clone();
    assert_eq!(last["job_id"], run_now["id"]);
    assert_eq!(last["status"], "queued");
    assert_eq!(last["created_at"], run_now["created_at"]);
    assert_eq!(
        (last["schedule_id"].as_str(), last["schedule_name"].as_str()),
        (Some(mid), Some("manual"))
    );
    assert!(last.get("finished_at").is_none(), "{last}");
    // The agent receives it: the row follows the job's status.
    let poll: Value = f.agent.poll(0).await.json().await.unwrap();
    assert!(
        poll["commands"].as_array().unwrap().iter().any(|c| c["id"] == run_now["id"]),
        "{poll}"
    );
    let last = host_row(&f, f.host).await["last_scheduled_run"].clone();
    assert_eq!(
        (last["job_id"].clone(), last["status"].as_str()),
        (run_now["id"].clone(), Some("dispatched"))
    );
    // A backup started by hand, not by a schedule, is not a scheduled run; and the other
    // host's row has nothing of this host's schedules.
    f.admin.start_backup(other, &NewBackup::new(other_repo, ["/srv"])).await;
    let row = host_row(&f, other).await;
    assert!(row.get("next_run").is_none() && row.get("last_scheduled_run").is_none(), "{row}");

    // A run the agent fired on its own clock, newer: it becomes the last scheduled run.
    let job = Uuid::now_v7();
    let at = chrono::Utc::now() + chrono::Duration::seconds(1);
    let sid = ny["id"].as_str().unwrap();
    let r = f.agent.send_events(job, scheduled_run(sid, f.repo, at)).await;
    assert_eq!(r.status(), StatusCode::OK);
    let last = host_row(&f, f.host).await["last_scheduled_run"].clone();
    assert_eq!(last["job_id"], job.to_string());
    assert_eq!(last["status"], "succeeded");
    assert_eq!(
        (last["schedule_id"].as_str(), last["schedule_name"].as_str()),
        (Some(sid), Some("nightly"))
    );
    let created: chrono::DateTime<chrono::Utc> =
        serde_json::from_value(last["created_at"].clone()).unwrap();
    assert_eq!(created.timestamp_millis(), at.timestamp_millis());
    assert!(last.get("finished_at").is_some(), "{last}");

    // An older run reported late (from the agent's outbox) does not replace it.
    let late = Uuid::now_v7();
    let then = at - chrono::Duration::hours(5);
    let r = f.agent.send_events(late, scheduled_run(sid, f.repo, then)).await;
    assert_eq!(r.status(), StatusCode::OK);
    let row = host_row(&f, f.host).await;
    assert_eq!(row["last_scheduled_run"]["job_id"], job.to_string());
    // Two runs made at the same instant: the one with the greater id, as the job list
    // orders them.
    let (first, second) = (Uuid::now_v7(), Uuid::now_v7());
    let same = at + chrono::Duration::seconds(1);
    for id in [second, first] {
        let r = f.agent.send_events(id, scheduled_run(sid, f.repo, same)).await;
        assert_eq!(r.status(), StatusCode::OK);
    }
    let row = host_row(&f, f.host).await;
    assert_eq!(row["last_scheduled_run"]["job_id"], second.to_string());

    // History retention removes the two newest: the run before them is the last again.
    let state = f.app.state();
    let txn = state.store.write().await.unwrap();
    cairn_server::store::history::remove_jobs(&*txn, &[first, second]).await.unwrap();
    txn.commit().await.unwrap();
    let row = host_row(&f, f.host).await;
    assert_eq!(row["last_scheduled_run"]["job_id"], job.to_string());

    // Disabling the schedules takes the next run away; the last run stays.
    for s in [&ny, &weekly] {
        let mut body = s.clone();
        let o = body.as_object_mut().unwrap();
        for k in [
            "id",
            "host_id",
            "effective_timezone",
            "description",
            "next_fires",
            "last_run",
            "created_at",
            "updated_at",
            "has_hooks",
            "state",
            "findings",
            "agent_checked_at",
        ] {
            o.remove(k);
        }
        body["enabled"] = json!(false);
        let r = f
            .admin
            .put_json(&format!("/api/v1/schedules/{}", s["id"].as_str().unwrap()), body)
            .await;
        assert_eq!(r.status(), StatusCode::OK);
    }
    let row = host_row(&f, f.host).await;
    assert!(row.get("next_run").is_none(), "{row}");
    assert_eq!(row["last_scheduled_run"]["job_id"], job.to_string());
}
