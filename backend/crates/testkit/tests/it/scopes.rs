//! Roles scoped by host tag, through the real server: a viewer and an operator bound to
//! `tag:web` only, against every operation in the OpenAPI document, on real things (host,
//! job, schedule, alert, repository) of a host in scope and of one out of scope. Out of
//! scope answers 404 as for a missing thing (audited as a denial), in scope answers as for
//! a global role, and every list holds only what is in scope.

use cairn_server::auth::{Access, OPERATIONS, Permission, Role};
use cairn_testkit::{
    Db, SendChecked, Session, TestApp,
    agent::SimAgent,
    api::{NewBackup, NewEnrollmentToken, NewRepository},
    db_tests,
};
use chrono::Utc;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

/// One host's things, for the ids in the paths.
struct Things {
    host: Uuid,
    job: Uuid,
    schedule: Uuid,
    alert: Uuid,
    /// A repository linked to this host only.
    repository: Uuid,
}

/// A host with `tag`, linked to `shared` and a repository of its own, with a failed
/// backup (a job and its alert) and a schedule.
async fn host_with_things(
    admin: &Session,
    name: &str,
    tag: &str,
    shared: Uuid,
) -> (SimAgent, Things) {
    let own = admin
        .create_repository(&NewRepository::new(
            &format!("{name}-only"),
            &format!("/srv/{name}"),
            "pass-123456",
        ))
        .await
        .id;
    let agent = admin.enroll_agent(name, &NewEnrollmentToken::linked_to(shared).tags([tag])).await;
    let host = agent.id.expect("enrolled");
    admin.link_repositories(host, &[shared, own]).await;
    agent.poll_ok(0).await;
    let job = admin.start_backup(host, &NewBackup::new(shared, ["/srv"])).await.id;
    agent.poll_ok(0).await;
    let at = Utc::now();
    let r = agent
        .send_events(
            job,
            json!([{ "seq": 1, "at": at, "kind": "started" },
                   { "seq": 2, "at": at, "kind": "finished", "result": {
                       "outcome": "failed", "error_class": "restic.repo_missing",
                       "message": "no repository there" } }]),
        )
        .await;
    assert!(r.status().is_success(), "{}", r.text().await.unwrap_or_default());
    let alerts: Value =
        admin.get(&format!("/api/v1/alerts?host_id={host}")).await.json().await.unwrap();
    let alert = alerts["items"][0]["id"].as_str().expect("the failed backup raised an alert");
    let schedule: Value = admin
        .post(
            &format!("/api/v1/hosts/{host}/schedules"),
            json!({ "name": "nightly", "repository_id": shared, "cron": "0 3 * * *",
                    "backup": { "paths": ["/srv"] } }),
        )
        .await
        .json()
        .await
        .unwrap();
    let things = Things {
        host,
        job,
        schedule: schedule["id"].as_str().expect("schedule").parse().unwrap(),
        alert: alert.parse().unwrap(),
        repository: own,
    };
    (agent, things)
}

/// The kind of thing a path's `{id}` names, and so the 404 an out-of-scope call gets.
fn target_of(path: &str) -> Option<&'static str> {
    [
        ("/v1/hosts/{id}", "host"),
        ("/v1/jobs/{id}", "job"),
        ("/v1/schedules/{id}", "schedule"),
        ("/v1/alerts/{id}", "alert"),
        ("/v1/repositories/{id}", "repository"),
    ]
    .into_iter()
    .find(|(prefix, _)| path.starts_with(prefix))
    .map(|(_, what)| what)
}

fn url(path: &str, t: &Things, what: Option<&str>) -> String {
    let id = match what {
        Some("host") => t.host,
        Some("job") => t.job,
        Some("schedule") => t.schedule,
        Some("alert") => t.alert,
        Some("repository") => t.repository,
        _ => Uuid::new_v4(),
    };
    format!(
        "/api{}",
        path.replace("{id}", &id.to_string())
            .replace("{repository_id}", &t.repository.to_string())
            .replace("{snapshot_id}", SNAPSHOT)
            .replace("{rule}", "agent_offline")
            .replace("{slug}", "no-such-provider")
    )
}

/// A well-formed snapshot id no host has.
const SNAPSHOT: &str = "5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e";

/// A valid request for the operations that need one, so that what answers is the scope
/// check and not the validation of the input (which comes first and answers the same for
/// every host, existing or not).
fn request_for(op: &str, shared: Uuid) -> (Value, &'static str) {
    let schedule = json!({ "name": "scoped", "repository_id": shared, "cron": "0 4 * * *",
                           "backup": { "paths": ["/srv"] } });
    let restore =
        json!({ "snapshot_id": SNAPSHOT, "target": { "mode": "new_path", "path": "/tmp/r" } });
    match op {
        "update_host" => (json!({ "tags": ["web"] }), ""),
        "create_backup" => (json!({ "repository_id": shared, "paths": ["/srv"] }), ""),
        "create_drill" | "refresh_snapshots" => (json!({ "repository_id": shared }), ""),
        "set_drill_schedule" => (json!({ "repository_id": shared, "cron": "0 4 * * 0" }), ""),
        "create_restore" | "preview_restore" => (restore, ""),
        "create_schedule" | "replace_schedule" => (schedule, ""),
        "preflight_schedule_draft" => (json!({ "schedule": schedule }), ""),
        "search_snapshots" => (json!({}), "?q=nginx"),
        "diff_snapshots" => (json!({}), ""),
        "download_snapshot_path" => (json!({}), "?path=/etc/hosts"),
        "browse_snapshot" => (json!({}), "?path=/"),
        "set_host_mute" => (json!({ "until": null }), ""),
        _ => (json!({}), ""),
    }
}

async fn scoped_matrix(db: Db) {
    let app = TestApp::spawn_with(db, |c| {
        c.agents.poll_timeout_secs = 1;
        c.agents.ask_timeout_secs = 1;
    })
    .await;
    let admin = app.bootstrap().await;
    let shared = admin
        .create_repository(&NewRepository::new("shared", "/srv/restic", "pass-123456"))
        .await
        .id;
    let (_web_agent, web) = host_with_things(&admin, "web-1", "web", shared).await;
    let (_db_agent, dbh) = host_with_things(&admin, "db-1", "db", shared).await;

    let mut callers = Vec::new();
    for role in [Role::Viewer, Role::Operator] {
        let name = format!("web-{}", role.as_str());
        let r = admin
            .post(
                "/api/v1/users",
                json!({ "username": name, "role": "none", "password": cairn_testkit::PASSWORD,
                        "bindings": [{ "role": role, "tags": ["WEB"] }] }),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED, "{}", r.text().await.unwrap_or_default());
        let user: Value = r.json().await.unwrap();
        // Tags are normalised as host tags are.
        assert_eq!(user["bindings"], json!([{ "role": role, "tags": ["web"] }]));
        assert_eq!(user["role"], "none");
        let s = app.login(&name, cairn_testkit::PASSWORD).await;
        callers.push((role, app.token(&s, "scoped").await));
    }

    let spec: Value = app.anonymous().get("/api/openapi.json").await.json().await.unwrap();
    let mut calls = Vec::new();
    for (path, ops) in spec["paths"].as_object().expect("paths") {
        for (method, op) in ops.as_object().unwrap() {
            let id = op["operationId"].as_str().unwrap().to_string();
            let access = OPERATIONS.iter().find(|(o, _)| *o == id).map(|(_, a)| *a);
            let Some(access) = access else { panic!("{id} is not in the permission table") };
            calls.push((path.clone(), method.to_uppercase(), id, access));
        }
    }
    // Deletions last, so what they remove is there for every other call.
    calls.sort_by_key(|(_, m, _, _)| m == "DELETE");

    let mut failures = Vec::new();
    let mut checked = 0;
    for (path, method, op_id, access) in &calls {
        let what = target_of(path);
        for (role, token) in &callers {
            for (place, things) in [("in scope", &web), ("out of scope", &dbh)] {
                let method: Method = method.parse().unwrap();
                let (body, query) = request_for(op_id, shared);
                let target = format!("{}{query}", url(path, things, what));
                let mut rb = app.with_token(token).request(method.clone(), &target);
                if matches!(method, Method::POST | Method::PATCH | Method::PUT) {
                    rb = rb.json(&body);
                }
                let resp = rb.send_checked().await;
                let status = resp.status();
                let text = resp.text().await.unwrap_or_default();
                let body: Value = serde_json::from_str(&text).unwrap_or(Value::String(text));
                let who = format!("{op_id} as web-{} on a host {place}", role.as_str());
                let resource = body["details"]["resource"].as_str();
                if status.is_server_error() {
                    failures.push(format!("{who}: {status} {body}"));
                    continue;
                }
                checked += 1;
                match access {
                    Access::Public | Access::Agent => {}
                    Access::Requires(Permission::Profile) => {
                        if matches!(status, StatusCode::FORBIDDEN | StatusCode::UNAUTHORIZED) {
                            failures.push(format!("{who}: own profile refused: {status}"));
                        }
                    }
                    // A binding gives nothing over all hosts.
                    Access::Requires(_) => {
                        if status != StatusCode::FORBIDDEN {
                            failures.push(format!("{who}: expected 403, got {status} {body}"));
                        }
                    }
                    Access::OnHosts(p) if !role.allows(*p) => {
                        if status != StatusCode::FORBIDDEN {
                            failures.push(format!("{who}: role lacks {p:?}, got {status} {body}"));
                        }
                    }
                    Access::OnHosts(_) => match (what, place) {
                        (Some(w), "out of scope") => {
                            if status != StatusCode::NOT_FOUND || resource != Some(w) {
                                failures
                                    .push(format!("{who}: expected 404 {w}, got {status} {body}"));
                            }
                        }
                        _ => {
                            let hidden = status == StatusCode::NOT_FOUND
                                && resource == what
                                && what.is_some();
                            if matches!(status, StatusCode::FORBIDDEN | StatusCode::UNAUTHORIZED)
                                || hidden
                            {
                                failures.push(format!(
                                    "{who}: allowed in scope but got {status} {body}"
                                ));
                            }
                        }
                    },
                }
            }
        }
    }
    assert!(checked > 400, "only {checked} calls checked");
    assert!(failures.is_empty(), "scoped RBAC failures:\n{}", failures.join("\n"));

    // Out of scope was audited as a denial, naming what was hidden.
    let page: Value = admin
        .get("/api/v1/audit?action=access.denied&outcome=denied&limit=500")
        .await
        .json()
        .await
        .unwrap();
    assert!(page["items"].as_array().unwrap().iter().any(|e| {
        e["actor_name"] == "web-operator"
            && e["details"]["reason"] == "outside the caller's host scope"
            && e["details"]["id"] == json!(dbh.host)
    }));
}

/// Every list a scoped user reads holds only what is in scope; a token of theirs carries
/// at most their bindings; an admin edits the bindings and they take effect at once.
async fn lists_hold_only_what_is_in_scope(db: Db) {
    let app = TestApp::spawn_with(db, |c| c.agents.poll_timeout_secs = 1).await;
    let admin = app.bootstrap().await;
    let shared = admin
        .create_repository(&NewRepository::new("shared", "/srv/restic", "pass-123456"))
        .await
        .id;
    let (_a, web) = host_with_things(&admin, "web-1", "web", shared).await;
    let (_b, dbh) = host_with_things(&admin, "db-1", "db", shared).await;
    let id = app.create_user(&admin, "scoped", "none").await;
    let r = admin
        .patch(
            &format!("/api/v1/users/{id}"),
            json!({ "bindings": [{ "role": "operator", "tags": ["web"] }] }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let s = app.login("scoped", cairn_testkit::PASSWORD).await;

    let ids = |v: &Value, key: &str| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i[key].as_str().unwrap().to_string())
            .collect()
    };
    let hosts: Value = s.get("/api/v1/hosts?with_total=true").await.json().await.unwrap();
    assert_eq!(ids(&hosts, "id"), vec![web.host.to_string()]);
    assert_eq!(hosts["total"], 1);
    let jobs: Value = s.get("/api/v1/jobs?with_total=true").await.json().await.unwrap();
    assert_eq!(ids(&jobs, "id"), vec![web.job.to_string()]);
    assert_eq!(jobs["total"], 1);
    let all_jobs: Value = admin.get("/api/v1/jobs?with_total=true").await.json().await.unwrap();
    assert_eq!(all_jobs["total"], 2);
    // Filtering by a host out of scope finds nothing, as for a host that does not exist.
    let none: Value =
        s.get(&format!("/api/v1/jobs?host_id={}", dbh.host)).await.json().await.unwrap();
    assert!(none["items"].as_array().unwrap().is_empty());
    let alerts: Value = s.get("/api/v1/alerts").await.json().await.unwrap();
    assert_eq!(ids(&alerts, "id"), vec![web.alert.to_string()]);
    let summary: Value = s.get("/api/v1/alerts/summary").await.json().await.unwrap();
    let all: Value = admin.get("/api/v1/alerts/summary").await.json().await.unwrap();
    assert_eq!(summary["open"], 1);
    assert_eq!(all["open"], 2);
    let repos: Value = s.get("/api/v1/repositories").await.json().await.unwrap();
    let mut names: Vec<&str> =
        repos["items"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    names.sort();
    assert_eq!(names, ["shared", "web-1-only"]);

    // What the web app reads to show pages and buttons.
    let me: Value = s.get("/api/v1/auth/me").await.json().await.unwrap();
    assert_eq!(me["role"], "none");
    assert_eq!(me["permissions"], json!(["profile"]));
    let host_perms = me["host_permissions"].as_array().unwrap();
    assert!(host_perms.contains(&json!("backups_run")));
    assert!(!host_perms.contains(&json!("users_manage")));

    // A token capped at viewer carries the binding as a viewer one: it sees the web host
    // but cannot start its backup.
    let r = s.post("/api/v1/auth/tokens", json!({ "name": "ro", "role": "viewer" })).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let t: Value = r.json().await.unwrap();
    let ro = app.with_token(t["secret"].as_str().unwrap());
    let me: Value = ro.get("/api/v1/auth/me").await.json().await.unwrap();
    assert_eq!(me["bindings"], json!([{ "role": "viewer", "tags": ["web"] }]));
    assert_eq!(ro.get(&format!("/api/v1/hosts/{}", web.host)).await.status(), StatusCode::OK);
    let r = ro
        .post(
            &format!("/api/v1/hosts/{}/backups", web.host),
            json!({ "repository_id": shared, "paths": ["/srv"] }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // No token above the owner's highest role.
    let r = s.post("/api/v1/auth/tokens", json!({ "name": "up", "role": "admin" })).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);

    // Bindings are checked: admin is never scoped, tags are needed.
    for bad in [
        json!([{ "role": "admin", "tags": ["web"] }]),
        json!([{ "role": "viewer", "tags": ["bad tag"] }]),
    ] {
        let r = admin.patch(&format!("/api/v1/users/{id}"), json!({ "bindings": bad })).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        assert_eq!(cairn_testkit::error_code(r).await, "user.invalid_binding");
    }
    // Moving the binding to `db` moves what the user sees on the next request.
    let r = admin
        .patch(
            &format!("/api/v1/users/{id}"),
            json!({ "bindings": [{ "role": "viewer", "tags": ["db"] }] }),
        )
        .await;
    let user: Value = r.json().await.unwrap();
    assert_eq!(user["bindings"], json!([{ "role": "viewer", "tags": ["db"] }]));
    let hosts: Value = s.get("/api/v1/hosts").await.json().await.unwrap();
    assert_eq!(ids(&hosts, "id"), vec![dbh.host.to_string()]);
    assert_eq!(s.get(&format!("/api/v1/hosts/{}", web.host)).await.status(), StatusCode::NOT_FOUND);
    // Operator on web and viewer on db: the db host is seen, so an operation there needing
    // more is refused (403) rather than hidden; on web it goes through.
    let r = admin
        .patch(
            &format!("/api/v1/users/{id}"),
            json!({ "bindings": [{ "role": "operator", "tags": ["web"] }, { "role": "viewer", "tags": ["db"] }] }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let backup = json!({ "repository_id": shared, "paths": ["/srv"] });
    let r = s.post(&format!("/api/v1/hosts/{}/backups", dbh.host), backup.clone()).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(cairn_testkit::error_code(r).await, "auth.forbidden");
    let r = s.post(&format!("/api/v1/hosts/{}/backups", web.host), backup).await;
    assert!(!matches!(r.status(), StatusCode::FORBIDDEN | StatusCode::NOT_FOUND), "{}", r.status());
    // Each host says what this caller may do on it, as the two answers above did: the web
    // app shows "Run backup now" on web and not on db (the same in the list and the read).
    let perms = |h: &Value| -> Vec<String> {
        h["my_permissions"].as_array().unwrap().iter().map(|p| p.as_str().unwrap().into()).collect()
    };
    let on_db: Value = s.get(&format!("/api/v1/hosts/{}", dbh.host)).await.json().await.unwrap();
    let on_web: Value = s.get(&format!("/api/v1/hosts/{}", web.host)).await.json().await.unwrap();
    assert!(perms(&on_db).contains(&"hosts_read".into()), "{on_db}");
    assert!(!perms(&on_db).contains(&"backups_run".into()), "{on_db}");
    assert!(perms(&on_web).contains(&"backups_run".into()), "{on_web}");
    let listed: Value = s.get("/api/v1/hosts").await.json().await.unwrap();
    for h in listed["items"].as_array().unwrap() {
        let read = if h["id"] == on_db["id"] { &on_db } else { &on_web };
        assert_eq!(h["my_permissions"], read["my_permissions"], "{h}");
    }
    let admin_view: Value =
        admin.get(&format!("/api/v1/hosts/{}", dbh.host)).await.json().await.unwrap();
    assert!(perms(&admin_view).contains(&"backups_run".into()));
    assert!(!perms(&admin_view).contains(&"users_manage".into()), "host-level only");
    // The change is audited with the bindings before and after.
    let audit: Value =
        admin.get("/api/v1/audit?action=user.update&limit=10").await.json().await.unwrap();
    assert!(
        audit["items"].as_array().unwrap().iter().any(|e| e["details"]["changes"]["bindings"][1]
            == json!([{ "role": "viewer", "tags": ["db"] }]))
    );
}

db_tests!(scoped_matrix, lists_hold_only_what_is_in_scope);
