//! The audit log over HTTP: what gets recorded, filters and paging, exports, and the hash
//! chain catching a row edited or deleted directly in the database (API and CLI).

use cairn_testkit::{ADMIN, Db, PASSWORD, TestApp, db_tests, error_code};
use reqwest::StatusCode;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

async fn actions(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect()
}

async fn records_changes_with_actor_and_target(db: Db) {
    let app = TestApp::spawn(db).await;
    let admin = app.bootstrap().await;
    let id = app.create_user(&admin, "carl", "operator").await;
    admin.patch(&format!("/api/v1/users/{id}"), json!({ "role": "viewer" })).await;
    admin.patch(&format!("/api/v1/users/{id}"), json!({ "disabled": true })).await;
    admin.delete(&format!("/api/v1/users/{id}")).await;
    let page: Value = admin.get("/api/v1/audit?limit=50").await.json().await.unwrap();
    let got = actions(&page).await;
    for want in ["setup.complete", "user.create", "user.update", "user.disable", "user.delete"] {
        assert!(got.contains(&want.to_string()), "{want} missing from {got:?}");
    }
    let upd =
        page["items"].as_array().unwrap().iter().find(|e| e["action"] == "user.update").unwrap();
    assert_eq!(upd["actor_name"], ADMIN);
    assert_eq!(upd["actor_kind"], "user");
    assert_eq!(upd["target_name"], "carl");
    assert_eq!(upd["outcome"], "success");
    assert_eq!(upd["source_ip"], "127.0.0.1");
    assert_eq!(upd["user_agent"], "cairn-testkit");
    assert_eq!(upd["details"]["changes"]["role"], json!(["operator", "viewer"]));
    // Secrets never reach the log, not even hashed.
    let all = admin.get("/api/v1/audit/export?format=ndjson").await.text().await.unwrap();
    assert!(!all.contains(PASSWORD) && !all.contains("argon2"), "a secret reached the audit log");
}

async fn filters_and_paging(db: Db) {
    let app = TestApp::spawn(db).await;
    let admin = app.bootstrap().await;
    for i in 0..7 {
        app.create_user(&admin, &format!("user{i}"), "viewer").await;
    }
    let viewer = app.login("user3", PASSWORD).await;
    assert_eq!(viewer.get("/api/v1/audit").await.status(), StatusCode::FORBIDDEN);

    let p1: Value =
        admin.get("/api/v1/audit?action=user.create&limit=3").await.json().await.unwrap();
    assert_eq!(p1["items"].as_array().unwrap().len(), 3);
    let before = p1["next_before"].as_i64().expect("a next page");
    let p2: Value = admin
        .get(&format!("/api/v1/audit?action=user.create&limit=3&before={before}"))
        .await
        .json()
        .await
        .unwrap();
    let p3: Value = admin
        .get(&format!(
            "/api/v1/audit?action=user.create&limit=3&before={}",
            p2["next_before"].as_i64().unwrap()
        ))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(p3["items"].as_array().unwrap().len(), 1);
    assert!(p3.get("next_before").is_none(), "absent on the last page, not null: {p3}");
    let ids: Vec<i64> = [&p1, &p2, &p3]
        .iter()
        .flat_map(|p| p["items"].as_array().unwrap().iter().map(|e| e["id"].as_i64().unwrap()))
        .collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first, no overlap: {ids:?}");

    let prefix: Value = admin.get("/api/v1/audit?action=user.").await.json().await.unwrap();
    assert_eq!(prefix["items"].as_array().unwrap().len(), 7);
    let target: Value = admin.get("/api/v1/audit?target=USER5").await.json().await.unwrap();
    assert_eq!(actions(&target).await, vec!["user.create"]);
    let actor: Value = admin.get("/api/v1/audit?actor=user3").await.json().await.unwrap();
    assert!(actions(&actor).await.contains(&"access.denied".to_string()));
    let denied: Value = admin.get("/api/v1/audit?outcome=denied").await.json().await.unwrap();
    assert!(denied["items"].as_array().unwrap().iter().all(|e| e["outcome"] == "denied"));
    assert!(!denied["items"].as_array().unwrap().is_empty());
    let future: Value =
        admin.get("/api/v1/audit?since=2999-01-01T00:00:00Z").await.json().await.unwrap();
    assert!(future["items"].as_array().unwrap().is_empty());
    let past: Value =
        admin.get("/api/v1/audit?until=2000-01-01T00:00:00Z").await.json().await.unwrap();
    assert!(past["items"].as_array().unwrap().is_empty());
    let r = admin.get("/api/v1/audit?since=yesterday").await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_code(r).await, "request.invalid_parameter");
    assert_eq!(admin.get("/api/v1/audit?outcome=maybe").await.status(), StatusCode::BAD_REQUEST);
}

async fn exports(db: Db) {
    let app = TestApp::spawn(db).await;
    let admin = app.bootstrap().await;
    let r = admin
        .post("/api/v1/users", json!({ "username": "eve", "display_name": "Eve, \"the\" tester", "role": "viewer", "password": PASSWORD }))
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let r = admin.get("/api/v1/audit/export?format=csv").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    assert!(r.headers()["content-disposition"].to_str().unwrap().contains(".csv"));
    let csv = r.text().await.unwrap();
    let mut lines = csv.lines();
    assert!(lines.next().unwrap().starts_with("id,time,actor_kind"));
    assert_eq!(csv.lines().count(), 1 + 2, "header + setup + create:\n{csv}");
    // The details cell holds JSON with commas and quotes: quoted, inner quotes doubled.
    assert!(csv.contains(r#"""display_name"":""Eve, \""the\"" tester"""#), "{csv}");

    let r = admin.get("/api/v1/audit/export?format=ndjson&action=user.create").await;
    assert_eq!(r.headers()["content-type"], "application/x-ndjson");
    let body = r.text().await.unwrap();
    let events: Vec<Value> = body.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["action"], "user.create");
    assert_eq!(
        admin.get("/api/v1/audit/export?format=xml").await.status(),
        StatusCode::BAD_REQUEST
    );
}

async fn export_streams_many_pages(db: Db) {
    let app = TestApp::spawn(db).await;
    let admin = app.bootstrap().await;
    // More events than one export page (1000), written straight through the store.
    let store = &app.state().store;
    for i in 0..2100 {
        let txn = store.write().await.unwrap();
        cairn_server::domain::audit::record(
            &*txn,
            &cairn_server::domain::audit::Actor::system(),
            cairn_server::domain::audit::Event::success("test.bulk", None, json!({ "n": i })),
        )
        .await
        .unwrap();
        txn.commit().await.unwrap();
    }
    let body = admin
        .get("/api/v1/audit/export?format=ndjson&action=test.bulk")
        .await
        .text()
        .await
        .unwrap();
    let ns: Vec<i64> = body
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["details"]["n"].as_i64().unwrap())
        .collect();
    assert_eq!(ns.len(), 2100);
    assert_eq!(ns.first(), Some(&2099));
    assert_eq!(ns.last(), Some(&0));
    let v: Value = admin.get("/api/v1/audit/verify").await.json().await.unwrap();
    assert_eq!(v["ok"], true);
    assert!(v["checked"].as_u64().unwrap() >= 2101);
}

async fn tampering_is_detected(db: Db) {
    let app = TestApp::spawn(db).await;
    let admin = app.bootstrap().await;
    for name in ["t1", "t2", "t3"] {
        app.create_user(&admin, name, "viewer").await;
    }
    let v: Value = admin.get("/api/v1/audit/verify").await.json().await.unwrap();
    assert_eq!(v["ok"], true, "{v}");
    let page: Value = admin.get("/api/v1/audit?action=user.create").await.json().await.unwrap();
    let victim = page["items"][1]["id"].as_i64().unwrap();

    // Someone with database access rewrites who was created.
    let conn = app.state().store.db();
    conn.execute_unprepared(&format!(
        "UPDATE audit_events SET target_name = 'innocent' WHERE id = {victim}"
    ))
    .await
    .unwrap();
    let v: Value = admin.get("/api/v1/audit/verify").await.json().await.unwrap();
    assert_eq!(v["ok"], false);
    assert_eq!(v["first_broken_id"].as_i64(), Some(victim));
    assert!(v["message"].as_str().unwrap().contains(&victim.to_string()));

    // The offline check (what `cairn-server admin audit-verify` runs) agrees.
    let (message, ok) = cairn_server::admin::audit_verify(&app.config).await.unwrap();
    assert!(!ok);
    assert!(message.contains(&format!("broken at event {victim}")), "{message}");

    // Deleting a row instead breaks the link of the row after it.
    let app2 = TestApp::spawn(Db::Sqlite).await;
    let admin2 = app2.bootstrap().await;
    app2.create_user(&admin2, "d1", "viewer").await;
    app2.create_user(&admin2, "d2", "viewer").await;
    let page: Value = admin2.get("/api/v1/audit?action=user.create").await.json().await.unwrap();
    let (newer, older) =
        (page["items"][0]["id"].as_i64().unwrap(), page["items"][1]["id"].as_i64().unwrap());
    app2.state()
        .store
        .db()
        .execute_unprepared(&format!("DELETE FROM audit_events WHERE id = {older}"))
        .await
        .unwrap();
    let v: Value = admin2.get("/api/v1/audit/verify").await.json().await.unwrap();
    assert_eq!(v["first_broken_id"].as_i64(), Some(newer));
}

async fn audit_rows_commit_with_the_change(db: Db) {
    let app = TestApp::spawn(db).await;
    let admin = app.bootstrap().await;
    // A refused change (duplicate) leaves neither a user nor a success event behind.
    app.create_user(&admin, "dup", "viewer").await;
    let r = admin
        .post("/api/v1/users", json!({ "username": "dup", "role": "viewer", "password": PASSWORD }))
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let page: Value =
        admin.get("/api/v1/audit?action=user.create&target=dup").await.json().await.unwrap();
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    let users: Value = admin.get("/api/v1/users?q=dup&with_total=true").await.json().await.unwrap();
    assert_eq!(users["total"], 1);
}

/// Time never goes backwards along the chain, a time range is exact, and a text search
/// looks at one window of events per page and says where to go on.
async fn time_ranges_and_text_search_windows(db: Db) {
    use cairn_server::{
        domain::audit::page_within,
        store::audit::{self, AuditFilter, NewAuditRow},
    };
    use chrono::{Duration, TimeZone, Utc};
    let app = TestApp::spawn(db).await;
    let store = &app.state().store;
    let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    // 30 events a minute apart, except the 11th, whose clock stepped back an hour.
    let mut ids = Vec::new();
    for i in 0..30i64 {
        let time = if i == 10 { t0 - Duration::hours(1) } else { t0 + Duration::minutes(i) };
        let actor = if i == 2 || i == 24 { "needle" } else { "hay" };
        let row = NewAuditRow {
            time,
            actor_kind: "user".into(),
            actor_id: None,
            actor_name: Some(actor.into()),
            source_ip: None,
            user_agent: None,
            action: "test.event".into(),
            target_kind: None,
            target_id: None,
            target_name: None,
            outcome: "success".into(),
            details: "{}".into(),
        };
        ids.push(audit::append(store.db(), row).await.unwrap());
    }
    assert_eq!(ids[10].time, ids[9].time, "a step back keeps the previous event's time");
    assert!(ids.windows(2).all(|w| w[0].time <= w[1].time));
    let report = audit::verify_chain(store.db()).await.unwrap();
    assert!(report.first_broken_id.is_none(), "{report:?}");

    // Minutes 5 to 20 inclusive: 16 events (the stepped-back one counts as minute 9).
    let f = AuditFilter {
        action: Some("test.event".into()),
        since: Some(t0 + Duration::minutes(5)),
        until: Some(t0 + Duration::minutes(20)),
        ..Default::default()
    };
    let got = page_within(store, &f, None, 100, 1_000).await.unwrap();
    let want: Vec<i64> = ids[5..=20].iter().rev().map(|r| r.id).collect();
    assert_eq!(got.items.iter().map(|r| r.id).collect::<Vec<_>>(), want);
    assert_eq!(got.next_before, None);
    let none = AuditFilter { since: Some(t0 + Duration::days(1)), ..Default::default() };
    assert!(page_within(store, &none, None, 100, 1_000).await.unwrap().items.is_empty());

    // A text search with a window of 10 events: the newest window holds one match, the
    // next none, the oldest the other; each page says where the next one starts.
    let needle = AuditFilter { actor: Some("NEEDLE".into()), ..Default::default() };
    let last = ids.last().unwrap().id;
    let p1 = page_within(store, &needle, None, 5, 10).await.unwrap();
    assert_eq!(p1.items.iter().map(|r| r.id).collect::<Vec<_>>(), vec![ids[24].id]);
    assert_eq!(p1.next_before, Some(last + 1 - 10));
    let p2 = page_within(store, &needle, p1.next_before, 5, 10).await.unwrap();
    assert!(p2.items.is_empty());
    assert_eq!(p2.next_before, Some(last + 1 - 20));
    let p3 = page_within(store, &needle, p2.next_before, 5, 10).await.unwrap();
    assert_eq!(p3.items.iter().map(|r| r.id).collect::<Vec<_>>(), vec![ids[2].id]);
    // What is left below the third window is the setup's own events, if any.
    let lowest = audit::id_range(store.db()).await.unwrap().unwrap().0;
    assert_eq!(p3.next_before, (last + 1 - 30 > lowest).then_some(last + 1 - 30));
    // A full page stops at its last event, window or not.
    let wide = page_within(
        store,
        &AuditFilter { actor: Some("hay".into()), ..Default::default() },
        None,
        3,
        10,
    )
    .await
    .unwrap();
    assert_eq!(wide.items.len(), 3);
    assert_eq!(wide.next_before, Some(wide.items[2].id));
}

db_tests!(
    time_ranges_and_text_search_windows,
    records_changes_with_actor_and_target,
    filters_and_paging,
    exports,
    export_streams_many_pages,
    tampering_is_detected,
    audit_rows_commit_with_the_change,
);
