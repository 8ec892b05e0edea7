//! Alerts through the real server, from job ends the agent reports: a failed backup opens
//! one alert, repeats count on it, the third in a row escalates it to critical; it is
//! acknowledged (audited) and the next good backup resolves it by itself. A lost job opens
//! "job lost"; a silent agent opens "agent offline" on the sweep and its return resolves
//! it; rules are tuned within their ranges (and a disabled rule raises nothing); snooze
//! and mute take only times ahead; a resolved alert refuses changes.

use cairn_server::{domain::alerts::sweep, store::hosts};
use cairn_testkit::{Db, OneHost, api::NewBackup, db_tests, error_code, error_field};
use chrono::{Duration, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

/// A backup started by hand, handed to the agent and ended with `outcome`.
async fn backup_ending(f: &OneHost, outcome: &str) -> Uuid {
    let job = f.admin.start_backup(f.host, &NewBackup::new(f.repo, ["/srv"])).await;
    f.agent.poll_ok(0).await;
    let at = Utc::now();
    let mut result = json!({ "outcome": outcome });
    if outcome == "failed" {
        result["error_class"] = json!("restic.repo_missing");
        result["message"] = json!("Is there a repository at the following location?");
    }
    let r = f
        .agent
        .send_events(
            job.id,
            json!([{ "seq": 1, "at": at, "kind": "started" },
                   { "seq": 2, "at": at, "kind": "finished", "result": result }]),
        )
        .await;
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    job.id
}

async fn alerts(f: &OneHost, query: &str) -> Vec<Value> {
    let r = f.admin.get(&format!("/api/v1/alerts{query}")).await;
    assert_eq!(r.status(), StatusCode::OK);
    r.json::<Value>().await.unwrap()["items"].as_array().unwrap().clone()
}

async fn summary(f: &OneHost) -> Value {
    f.admin.get("/api/v1/alerts/summary").await.json().await.unwrap()
}

async fn a_failed_backup_alerts_escalates_and_resolves_itself(db: Db) {
    let f = OneHost::new(db, "web-1").await;
    assert!(alerts(&f, "").await.is_empty());
    let first = backup_ending(&f, "failed").await;
    let open = alerts(&f, "?state=open").await;
    assert_eq!(open.len(), 1, "{open:?}");
    let a = &open[0];
    assert_eq!(
        (
            a["rule"].as_str(),
            a["severity"].as_str(),
            a["count"].as_u64(),
            a["subject_kind"].as_str()
        ),
        (Some("backup_failed"), Some("error"), Some(1), Some("host_repo"))
    );
    assert_eq!(a["job_id"], json!(first));
    assert_eq!(a["host_id"], json!(f.host));
    assert!(a["title"].as_str().unwrap().contains("web-1"), "{a}");
    assert!(a["message"].as_str().unwrap().contains("restic.repo_missing"), "{a}");
    assert_eq!(
        (summary(&f).await["open"].as_u64(), summary(&f).await["error"].as_u64()),
        (Some(1), Some(1))
    );
    let id = a["id"].as_str().unwrap().to_string();

    // Repeats count on the same alert; the third in a row escalates it.
    backup_ending(&f, "failed").await;
    let a: Value = f.admin.get(&format!("/api/v1/alerts/{id}")).await.json().await.unwrap();
    assert_eq!(
        (a["alert"]["count"].as_u64(), a["alert"]["severity"].as_str()),
        (Some(2), Some("error"))
    );
    let r = f.admin.post(&format!("/api/v1/alerts/{id}/acknowledge"), json!({})).await;
    assert_eq!(r.status(), StatusCode::OK);
    let acked: Value = r.json().await.unwrap();
    assert_eq!(
        (acked["state"].as_str(), acked["acknowledged_by"].as_str()),
        (Some("acknowledged"), Some("admin"))
    );
    let third = backup_ending(&f, "failed").await;
    let a: Value = f.admin.get(&format!("/api/v1/alerts/{id}")).await.json().await.unwrap();
    assert_eq!(
        (
            a["alert"]["count"].as_u64(),
            a["alert"]["severity"].as_str(),
            a["alert"]["state"].as_str()
        ),
        (Some(3), Some("critical"), Some("open")),
        "escalated, and asking for attention again"
    );
    assert_eq!(a["alert"]["job_id"], json!(third));
    assert_eq!(alerts(&f, "").await.len(), 1, "still one alert: {:?}", alerts(&f, "").await);

    // The next good backup resolves it, as Cairn's doing.
    backup_ending(&f, "succeeded").await;
    let a: Value = f.admin.get(&format!("/api/v1/alerts/{id}")).await.json().await.unwrap();
    assert_eq!(a["alert"]["state"], "resolved");
    assert!(a["alert"].get("resolved_by").is_none(), "resolved by Cairn: {a}");
    let kinds: Vec<&str> =
        a["events"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["opened", "repeated", "acknowledged", "escalated", "resolved"]);
    assert_eq!(a["events"][4]["details"]["auto"], true);
    assert_eq!(summary(&f).await["open"], 0);
    let r = f.admin.post(&format!("/api/v1/alerts/{id}/acknowledge"), json!({})).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert_eq!(error_code(r).await, "alert.resolved");

    // A new failure opens a new alert; a warning then resolves it and opens its own.
    backup_ending(&f, "failed").await;
    backup_ending(&f, "warning").await;
    let open = alerts(&f, "?state=open&state=acknowledged").await;
    let rules: Vec<&str> = open.iter().map(|a| a["rule"].as_str().unwrap()).collect();
    assert_eq!(rules, ["backup_warning"], "{open:?}");
    assert_eq!(alerts(&f, "?rule=backup_failed").await.len(), 2, "history kept");
    assert_eq!(alerts(&f, "?severity=critical").await.len(), 1);

    // A run its preflight blocked (a path missing) did not back anything up: it alerts too.
    backup_ending(&f, "blocked").await;
    let open = alerts(&f, "?rule=backup_failed&state=open").await;
    assert_eq!(open.len(), 1, "{open:?}");

    // Paged by cursor, newest first.
    let all = alerts(&f, "").await;
    let n = all.len();
    assert!(n >= 4, "{all:?}");
    let r: Value =
        f.admin.get(&format!("/api/v1/alerts?limit={}", n - 1)).await.json().await.unwrap();
    let cursor = r["next_cursor"].as_str().expect("a second page").to_string();
    let next: Value = f
        .admin
        .get(&format!("/api/v1/alerts?limit={}&cursor={cursor}", n - 1))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(next["items"].as_array().unwrap().len(), 1);
    assert_eq!(next["items"][0]["id"], all[n - 1]["id"], "the oldest comes last");
    assert!(next.get("next_cursor").is_none());

    // Acknowledging is audited with who did it.
    let audit: Value = f.admin.get("/api/v1/audit?action=alert.").await.json().await.unwrap();
    assert!(
        audit["items"].as_array().unwrap().iter().any(|e| e["action"] == "alert.acknowledge"),
        "{audit}"
    );
}

async fn lost_jobs_silent_agents_and_rules(db: Db) {
    let f = OneHost::new(db, "db-1").await;
    let state = f.app.state();

    // A job the agent started and then forgot is lost: "job lost" opens.
    let job = f.admin.start_backup(f.host, &NewBackup::new(f.repo, ["/srv"])).await;
    f.agent.poll_ok(0).await;
    let at = Utc::now();
    f.agent.send_events(job.id, json!([{ "seq": 1, "at": at, "kind": "started" }])).await;
    f.agent.poll_ok(0).await;
    let lost = alerts(&f, "?rule=job_lost").await;
    assert_eq!(lost.len(), 1, "{lost:?}");
    assert_eq!(
        (lost[0]["severity"].as_str(), lost[0]["job_id"].as_str()),
        (Some("warning"), Some(job.id.to_string().as_str()))
    );

    // A silent agent: "agent offline" on the sweep, resolved when it is back.
    let db = state.store.db();
    let mut host = hosts::find(db, f.host).await.unwrap().unwrap();
    host.last_seen_at = Some(Utc::now() - Duration::hours(1));
    hosts::save(db, host).await.unwrap();
    sweep::run(state).await.unwrap();
    sweep::run(state).await.unwrap();
    let off = alerts(&f, "?rule=agent_offline&state=open").await;
    assert_eq!(off.len(), 1, "one alert, not one per sweep: {off:?}");
    assert!(off[0]["message"].as_str().unwrap().contains("15 minutes"), "{}", off[0]);
    f.agent.poll_ok(0).await;
    sweep::run(state).await.unwrap();
    assert!(alerts(&f, "?rule=agent_offline&state=open").await.is_empty(), "resolved once back");

    // Rules: tuned within ranges; a disabled rule raises nothing.
    let rules: Vec<Value> = f.admin.get("/api/v1/alert-rules").await.json().await.unwrap();
    assert_eq!(rules.len(), 17);
    let offline = rules.iter().find(|r| r["rule"] == "agent_offline").unwrap();
    assert_eq!(
        (offline["params"]["minutes"].as_i64(), offline["customised"].as_bool()),
        (Some(15), Some(false))
    );
    for (body, field) in [
        (json!({ "enabled": true, "severity": "warning", "params": { "minutes": 1 } }), "params"),
        (json!({ "enabled": true, "severity": "warning", "params": { "hours": 3 } }), "params"),
        (json!({ "enabled": true, "severity": "warning", "host_tag": "no spaces" }), "host_tag"),
    ] {
        let r = f.admin.put_json("/api/v1/alert-rules/agent_offline", body.clone()).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(
            error_field(r).await,
            ("alert_rule.invalid".into(), Some(field.into())),
            "{body}"
        );
    }
    let r = f
        .admin
        .put_json("/api/v1/alert-rules/agent_offline", json!({ "enabled": true, "severity": "critical", "params": { "minutes": 30 }, "host_tag": "Prod" }))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let set: Value = r.json().await.unwrap();
    assert_eq!(
        (set["params"]["minutes"].as_i64(), set["host_tag"].as_str(), set["customised"].as_bool()),
        (Some(30), Some("prod"), Some(true))
    );
    // db-1 has no "prod" tag: silent again, but out of the rule's scope.
    let mut host = hosts::find(db, f.host).await.unwrap().unwrap();
    host.last_seen_at = Some(Utc::now() - Duration::hours(1));
    hosts::save(db, host).await.unwrap();
    sweep::run(state).await.unwrap();
    assert!(alerts(&f, "?rule=agent_offline&state=open").await.is_empty(), "out of scope");
    let r = f
        .admin
        .put_json(
            "/api/v1/alert-rules/backup_failed",
            json!({ "enabled": false, "severity": "error" }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    f.agent.poll_ok(0).await;
    backup_ending(&f, "failed").await;
    assert!(alerts(&f, "?rule=backup_failed").await.is_empty(), "the rule is off");

    // Snooze and mute take only times ahead, at most 30 days.
    let id = lost[0]["id"].as_str().unwrap();
    for until in [Utc::now() - Duration::minutes(1), Utc::now() + Duration::days(31)] {
        let r =
            f.admin.post(&format!("/api/v1/alerts/{id}/snooze"), json!({ "until": until })).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        assert_eq!(error_field(r).await, ("alert.invalid".into(), Some("until".into())));
    }
    let until = Utc::now() + Duration::hours(2);
    let r = f.admin.post(&format!("/api/v1/alerts/{id}/snooze"), json!({ "until": until })).await;
    assert_eq!(r.status(), StatusCode::OK);
    let snoozed: chrono::DateTime<Utc> =
        r.json::<Value>().await.unwrap()["snoozed_until"].as_str().unwrap().parse().unwrap();
    assert!((snoozed - until).num_seconds().abs() <= 1);
    let mute = format!("/api/v1/hosts/{}/mute", f.host);
    let r = f.admin.put_json(&mute, json!({ "until": Utc::now() - Duration::hours(1) })).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r = f.admin.put_json(&mute, json!({ "until": until })).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(f.admin.get(&mute).await.json::<Value>().await.unwrap()["until"].is_string());
    let r = f.admin.put_json(&mute, json!({ "until": null })).await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    assert!(f.admin.get(&mute).await.json::<Value>().await.unwrap().get("until").is_none());

    // Resolved by hand: recorded with who did it. Deleting the host resolves the rest.
    let r = f.admin.post(&format!("/api/v1/alerts/{id}/resolve"), json!({})).await;
    assert_eq!(r.json::<Value>().await.unwrap()["resolved_by"], "admin");
    let r = f
        .admin
        .put_json(
            "/api/v1/alert-rules/backup_failed",
            json!({ "enabled": true, "severity": "error" }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    backup_ending(&f, "failed").await;
    assert_eq!(summary(&f).await["open"], 1);
    let r = f.admin.delete(&format!("/api/v1/hosts/{}", f.host)).await;
    assert!(r.status().is_success());
    assert_eq!(summary(&f).await["open"], 0);
}

db_tests!(a_failed_backup_alerts_escalates_and_resolves_itself, lost_jobs_silent_agents_and_rules);
