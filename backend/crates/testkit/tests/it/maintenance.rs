//! Repository care through the real server: forget, prune, check, unlock and stats as jobs
//! (arguments checked, roles enforced, the agent receives them), a forget its delete guard
//! blocked approved by an admin (and by nobody else), and each repository's delete guard
//! stored, validated and sent to its agents. The agent side runs against real restic in
//! the agent crate's tests.

use cairn_testkit::{
    Db, OneHost, PASSWORD, Session, api::NewEnrollmentToken, db_tests, error_code, error_field,
};
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

/// A server, an admin, a repository, and an enrolled agent linked to it that has polled.
type Fixture = OneHost;

async fn fixture(db: Db) -> Fixture {
    OneHost::new(db, "db-1").await
}

async fn start(f: &Fixture, who: &Session, args: Value) -> reqwest::Response {
    who.post(
        &format!("/api/v1/repositories/{}/jobs", f.repo),
        json!({ "host_id": f.host, "args": args }),
    )
    .await
}

/// The agent reports the job ran and ended with `result`.
async fn finish(f: &Fixture, job: &str, result: Value) {
    let at = chrono::Utc::now();
    let events = json!([
        { "seq": 1, "at": at, "kind": "started" },
        { "seq": 2, "at": at, "kind": "finished", "result": result },
    ]);
    let r = f.agent.send_events(job.parse().unwrap(), events).await;
    assert_eq!(r.status(), StatusCode::OK);
}

async fn repository_jobs_are_checked_gated_and_sent_to_the_agent(db: Db) {
    let f = fixture(db).await;
    // Refused before anything runs, each with the field to fix.
    for (args, field) in [
        (json!({ "kind": "forget", "policy": {} }), "args.policy"),
        (json!({ "kind": "forget", "policy": { "keep_within": "forever" } }), "args.policy"),
        (
            json!({ "kind": "forget", "policy": { "keep_last": 3 }, "approved": true }),
            "args.approved",
        ),
        (json!({ "kind": "forget", "policy": { "keep_last": 3 }, "tags": ["a b"] }), "args.tags"),
        (json!({ "kind": "prune", "max_unused": "lots" }), "args.max_unused"),
        (json!({ "kind": "check", "read_data_subset": "150%" }), "args.read_data_subset"),
        (json!({ "kind": "backup", "paths": ["/etc"] }), "args.kind"),
    ] {
        let r = start(&f, &f.admin, args.clone()).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{args}");
        assert_eq!(error_field(r).await, ("job.invalid_args".into(), Some(field.into())), "{args}");
    }

    // An operator runs a forget; the agent receives it as written.
    f.app.create_user(&f.admin, "op", "operator").await;
    let op = f.app.login("op", PASSWORD).await;
    let forget = json!({ "kind": "forget", "policy": { "keep_daily": 7 }, "host": "db-1",
                         "tags": ["nightly"], "prune": true, "max_unused": "5%" });
    let r = start(&f, &op, forget).await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let job: Value = r.json().await.unwrap();
    assert_eq!(job["kind"], "forget");
    let id = job["id"].as_str().unwrap().to_string();
    let poll: Value = f.agent.poll(0).await.json().await.unwrap();
    let cmd = poll["commands"].as_array().unwrap().iter().find(|c| c["id"] == job["id"]).cloned();
    let args = cmd.expect("the run command")["action"]["job"]["args"].clone();
    assert_eq!(args["policy"], json!({ "keep_daily": 7 }));
    assert_eq!((args["prune"].clone(), args["approved"].clone()), (json!(true), json!(false)));
    // One job at a time on a host and repository.
    let r = start(&f, &op, json!({ "kind": "stats" })).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert_eq!(error_code(r).await, "job.already_running");

    // The agent's dry run trips the guard: the job ends blocked with its report.
    let report = json!({ "keep": [], "removed": false, "remove": [{
        "id": "ab".repeat(32), "time": chrono::Utc::now(), "hostname": "db-1", "paths": ["/etc"] }] });
    finish(
        &f,
        &id,
        json!({ "outcome": "blocked", "error_class": "forget.guard",
                            "message": "Nothing removed", "forget": report }),
    )
    .await;
    let got: Value = f.admin.get(&format!("/api/v1/jobs/{id}")).await.json().await.unwrap();
    assert_eq!(got["status"], "blocked");
    assert_eq!(got["result"]["forget"]["remove"].as_array().unwrap().len(), 1);

    // Only an admin approves it; approving runs it again, marked approved.
    let r = op.post(&format!("/api/v1/jobs/{id}/approve"), json!({})).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = f.admin.post(&format!("/api/v1/jobs/{id}/approve"), json!({})).await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let approved: Value = r.json().await.unwrap();
    assert_ne!(approved["id"], got["id"]);
    let poll: Value = f.agent.poll(0).await.json().await.unwrap();
    let cmd =
        poll["commands"].as_array().unwrap().iter().find(|c| c["id"] == approved["id"]).cloned();
    assert_eq!(cmd.expect("the approved run")["action"]["job"]["args"]["approved"], true);
    let audit: Value = f.admin.get("/api/v1/audit?action=job.approve").await.json().await.unwrap();
    assert_eq!(audit["items"][0]["details"]["approves"], id.as_str(), "{audit}");
    finish(&f, approved["id"].as_str().unwrap(), json!({ "outcome": "succeeded" })).await;

    // A job that is not a blocked forget cannot be approved.
    let r = f
        .admin
        .post(&format!("/api/v1/jobs/{}/approve", approved["id"].as_str().unwrap()), json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert_eq!(error_code(r).await, "job.not_blocked");

    // Every lock needs an admin; stale ones an operator.
    let r = start(&f, &op, json!({ "kind": "unlock", "remove_all": true })).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = start(&f, &op, json!({ "kind": "unlock" })).await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    // A viewer starts nothing.
    f.app.create_user(&f.admin, "vi", "viewer").await;
    let vi = f.app.login("vi", PASSWORD).await;
    assert_eq!(start(&f, &vi, json!({ "kind": "stats" })).await.status(), StatusCode::FORBIDDEN);
}

async fn the_delete_guard_is_stored_checked_and_sent_to_agents(db: Db) {
    let f = fixture(db).await;
    let repo: Value =
        f.admin.get(&format!("/api/v1/repositories/{}", f.repo)).await.json().await.unwrap();
    assert_eq!(repo["guard"], json!({ "max_delete_percent": 50, "min_keep": 1 }), "the default");

    let r = f
        .admin
        .patch(
            &format!("/api/v1/repositories/{}", f.repo),
            json!({ "guard": { "max_delete_count": 10, "max_delete_percent": 101, "min_keep": 2 } }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        error_field(r).await,
        ("repository.invalid_guard".into(), Some("guard.max_delete_percent".into()))
    );

    let guard = json!({ "max_delete_count": 10, "min_keep": 3 });
    let r =
        f.admin.patch(&format!("/api/v1/repositories/{}", f.repo), json!({ "guard": guard })).await;
    assert_eq!(r.status(), StatusCode::OK);
    let repo: Value = r.json().await.unwrap();
    assert_eq!(repo["guard"], guard, "no percentage limit when left out");
    // The host's agent receives it with the repository.
    let poll: Value = f.agent.poll(1).await.json().await.unwrap();
    assert_eq!(poll["config"]["repositories"][0]["guard"], guard, "{poll}");

    // Set on create, too.
    let r = f
        .admin
        .post(
            "/api/v1/repositories",
            json!({ "name": "second", "url": "/srv/second", "password": "pw-123456",
                    "guard": { "max_delete_percent": 10, "min_keep": 0 } }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let created: Value = r.json().await.unwrap();
    assert_eq!(created["guard"], json!({ "max_delete_percent": 10, "min_keep": 0 }));
}

async fn a_retention_preview_is_asked_of_the_agent(db: Db) {
    let f = fixture(db).await;
    let path = format!("/api/v1/repositories/{}/retention-preview", f.repo);
    let body = json!({ "host_id": f.host, "policy": { "keep_last": 2 }, "host": "db-1" });
    // A policy that keeps nothing is refused before anything is asked.
    let r = f.admin.post(&path, json!({ "host_id": f.host, "policy": {} })).await;
    assert_eq!(error_field(r).await, ("job.invalid_args".into(), Some("args.policy".into())));

    let (admin, p, b) = (f.admin.clone(), path.clone(), body.clone());
    let pending = tokio::spawn(async move { admin.post(&p, b).await });
    let ask = f.next_question().await;
    assert_eq!(
        ask["action"]["question"],
        json!({ "kind": "retention_preview", "repository_id": f.repo, "forget": {
            "policy": { "keep_last": 2 }, "host": "db-1", "tags": [], "prune": false, "approved": false } })
    );
    let snap = |id: &str, day: u32, reasons: Value| {
        json!({ "id": id.repeat(32), "time": format!("2026-11-{day:02}T03:00:00Z"), "hostname": "db-1",
                "paths": ["/etc"], "tags": [], "reasons": reasons })
    };
    let answer = json!({ "kind": "retention_preview", "blocked_by": "it would remove 1 of 3 snapshots",
        "report": { "removed": false,
            "keep": [snap("aa", 3, json!(["last snapshot"])), snap("bb", 2, json!(["last snapshot"]))],
            "remove": [snap("cc", 1, json!([]))] } });
    let r = f.agent.answer(ask["id"].as_str().unwrap().parse().unwrap(), answer).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = pending.await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let preview: Value = r.json().await.unwrap();
    assert_eq!(preview["keep"][0]["reasons"], json!(["last snapshot"]));
    assert_eq!(preview["remove"][0]["id"], "cc".repeat(32));
    assert_eq!(preview["blocked_by"], "it would remove 1 of 3 snapshots");

    // restic's refusal reaches the caller with its class.
    let (admin, p) = (f.admin.clone(), path.clone());
    let pending = tokio::spawn(async move { admin.post(&p, body).await });
    let ask = f.next_question().await;
    let failed = json!({ "kind": "failed", "error_class": "restic.wrong_password",
                         "message": "Wrong repository password." });
    f.agent.answer(ask["id"].as_str().unwrap().parse().unwrap(), failed).await;
    let r = pending.await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "retention.preview_failed");
    assert_eq!(body["details"]["error_class"], "restic.wrong_password");
    assert_eq!(body["message"], "Wrong repository password.");
}

db_tests!(
    a_check_that_finds_errors_holds_forget_and_prune,
    locks_are_read_through_a_linked_host_and_attributed,
    maintenance_waits_for_the_repositorys_backups_and_they_for_it,
    a_retention_preview_is_asked_of_the_agent,
    repository_jobs_are_checked_gated_and_sent_to_the_agent,
    the_delete_guard_is_stored_checked_and_sent_to_agents
);

/// The maintenance queue: a prune asked for while a backup of the same repository runs
/// (on another host) waits for it, is not handed out, and goes once the backup ends; a
/// backup asked for while that prune runs waits in turn. Cancelling a waiting job ends it.
async fn maintenance_waits_for_the_repositorys_backups_and_they_for_it(db: Db) {
    let f = fixture(db).await;
    // A second host on the same repository.
    let other = f.admin.enroll_agent("db-2", &NewEnrollmentToken::linked_to(f.repo)).await;
    other.poll_ok(0).await;
    let backup = |agent: Uuid| {
        let (admin, repo) = (f.admin.clone(), f.repo);
        async move {
            let body = json!({ "repository_id": repo, "paths": ["/etc"] });
            admin.post(&format!("/api/v1/hosts/{agent}/backups"), body).await
        }
    };
    let r = backup(other.id.unwrap()).await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let running: Value = r.json().await.unwrap();
    let running_id = running["id"].as_str().unwrap().to_string();
    assert!(running.get("waiting_for").is_none(), "{running}");
    other.poll(1).await;

    let r = start(&f, &f.admin, json!({ "kind": "prune" })).await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let prune: Value = r.json().await.unwrap();
    let prune_id = prune["id"].as_str().unwrap().to_string();
    assert_eq!(prune["status"], "queued");
    assert_eq!(prune["waiting_for"], running_id.as_str(), "{prune}");
    let poll: Value = f.agent.poll(1).await.json().await.unwrap();
    assert!(poll["commands"].as_array().unwrap().is_empty(), "not handed out: {poll}");

    // The backup ends: the prune goes out.
    let at = chrono::Utc::now();
    let done = json!([{ "seq": 1, "at": at, "kind": "started" },
                      { "seq": 2, "at": at, "kind": "finished", "result": { "outcome": "succeeded" } }]);
    assert_eq!(other.send_events(running_id.parse().unwrap(), done).await.status(), StatusCode::OK);
    let got: Value = f.admin.get(&format!("/api/v1/jobs/{prune_id}")).await.json().await.unwrap();
    assert!(got.get("waiting_for").is_none(), "{got}");
    let poll: Value = f.agent.poll(1).await.json().await.unwrap();
    let ids: Vec<&str> =
        poll["commands"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids, vec![prune_id.as_str()], "{poll}");

    // Now a backup waits for the prune; cancelled while it waits, it ends at once.
    let r = backup(other.id.unwrap()).await;
    let waiting: Value = r.json().await.unwrap();
    assert_eq!(waiting["waiting_for"], prune_id.as_str(), "{waiting}");
    let poll: Value = other.poll(1).await.json().await.unwrap();
    assert!(poll["commands"].as_array().unwrap().is_empty(), "{poll}");
    let id = waiting["id"].as_str().unwrap();
    let r = f.admin.post(&format!("/api/v1/jobs/{id}/cancel"), json!({})).await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let got: Value = f.admin.get(&format!("/api/v1/jobs/{id}")).await.json().await.unwrap();
    assert_eq!(got["status"], "cancelled");
    // Stats never wait: they read only.
    let r = f
        .admin
        .post(
            &format!("/api/v1/repositories/{}/jobs", f.repo),
            json!({ "host_id": other.id, "args": { "kind": "stats" } }),
        )
        .await;
    let stats: Value = r.json().await.unwrap();
    assert!(stats.get("waiting_for").is_none(), "{stats}");
}

/// Starts a check and reports it ended with `result`: its job id.
async fn run_check(f: &Fixture, result: Value) -> String {
    let r = start(f, &f.admin, json!({ "kind": "check" })).await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let id = r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    finish(f, &id, result).await;
    id
}

/// A check that found errors is kept on its repository and sent to its agents, which then
/// hold forget and prune (agent side: the agent crate's tests); a check that could not run
/// changes nothing; a passing one lifts the hold. The held forget cannot be approved.
async fn a_check_that_finds_errors_holds_forget_and_prune(db: Db) {
    let f = fixture(db).await;
    let repo_path = format!("/api/v1/repositories/{}", f.repo);
    let repo: Value = f.admin.get(&repo_path).await.json().await.unwrap();
    assert!(repo.get("last_check").is_none(), "{repo}");
    let version = f.agent.poll_ok(0).await.config.expect("config").version;

    let broken = run_check(
        &f,
        json!({ "outcome": "failed", "error_class": "restic.failed",
                                   "message": "repository contains errors" }),
    )
    .await;
    let repo: Value = f.admin.get(&repo_path).await.json().await.unwrap();
    assert_eq!(
        (repo["last_check"]["job_id"].as_str(), repo["last_check"]["passed"].as_bool()),
        (Some(broken.as_str()), Some(false))
    );
    let config = f.agent.poll_ok(0).await.config.expect("config");
    assert!(config.version > version, "the hold is a new config");
    let held = config.repositories[0].failed_check.clone().expect("the failed check");
    assert_eq!(held.job_id.to_string(), broken);

    // A check that never reached the data gives no verdict: the hold stays.
    run_check(&f, json!({ "outcome": "failed", "error_class": "restic.network" })).await;
    let repo: Value = f.admin.get(&repo_path).await.json().await.unwrap();
    assert_eq!(repo["last_check"]["job_id"].as_str(), Some(broken.as_str()));

    // The agent holds the forget; approving it is refused: only a passing check lifts it.
    let r = start(&f, &f.admin, json!({ "kind": "forget", "policy": { "keep_last": 3 } })).await;
    let forget = r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    finish(&f, &forget, json!({ "outcome": "blocked", "error_class": "check.failed" })).await;
    let r = f.admin.post(&format!("/api/v1/jobs/{forget}/approve"), json!({})).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert_eq!(error_code(r).await, "job.not_blocked");

    let passed = run_check(&f, json!({ "outcome": "succeeded" })).await;
    let repo: Value = f.admin.get(&repo_path).await.json().await.unwrap();
    assert_eq!(
        (repo["last_check"]["job_id"].as_str(), repo["last_check"]["passed"].as_bool()),
        (Some(passed.as_str()), Some(true))
    );
    let config = f.agent.poll_ok(0).await.config.expect("config");
    assert_eq!(config.repositories[0].failed_check, None);
}

/// Who holds the repository's locks, asked of a linked host's agent: each lock comes
/// back with the Cairn host of its name and that host's running job; a restic failure is
/// `409 repository.locks_failed` with its class; no online host is
/// `409 repository.no_online_host`.
async fn locks_are_read_through_a_linked_host_and_attributed(db: Db) {
    let mut f = OneHost::with_poll_timeout(db, "db-1", 1).await;
    let body = json!({ "repository_id": f.repo, "paths": ["/etc"] });
    let r = f.admin.post(&format!("/api/v1/hosts/{}/backups", f.host), body).await;
    let backup: Value = r.json().await.unwrap();
    // The agent runs it (its polls say so, so it is not taken for lost).
    f.agent.running = vec![backup["id"].as_str().unwrap().parse().unwrap()];
    f.agent.poll(0).await;
    let ask = |f: &OneHost| {
        let (admin, repo) = (f.admin.clone(), f.repo);
        tokio::spawn(async move { admin.get(&format!("/api/v1/repositories/{repo}/locks")).await })
    };
    let since = chrono::Utc::now() - chrono::Duration::minutes(3);
    let pending = ask(&f);
    let q = f.next_question().await;
    assert_eq!(q["action"]["question"], json!({ "kind": "locks", "repository_id": f.repo }));
    let answer = json!({ "kind": "locks", "locks": [
        { "hostname": "db-1", "pid": 4242, "username": "root", "exclusive": false, "since": since, "stale": false },
        { "hostname": "gone-host", "pid": 7, "username": "root", "exclusive": true,
          "since": since - chrono::Duration::hours(2), "stale": true },
    ] });
    let id: Uuid = q["id"].as_str().unwrap().parse().unwrap();
    assert_eq!(f.agent.answer(id, answer).await.status(), StatusCode::NO_CONTENT);
    let r = pending.await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        (v["via_host_id"].as_str(), v["via_hostname"].as_str()),
        (Some(f.host.to_string().as_str()), Some("db-1"))
    );
    let locks = v["locks"].as_array().unwrap();
    assert_eq!(locks.len(), 2);
    // Oldest first: the stale one of a host Cairn does not know, then db-1's backup.
    assert_eq!(
        (locks[0]["hostname"].as_str(), locks[0]["stale"].as_bool()),
        (Some("gone-host"), Some(true))
    );
    assert!(locks[0].get("host_id").is_none() && locks[0].get("job_id").is_none(), "{v}");
    assert_eq!(locks[1]["pid"], 4242);
    assert_eq!(locks[1]["host_id"].as_str(), Some(f.host.to_string().as_str()));
    assert_eq!(locks[1]["job_id"], backup["id"]);

    // restic could not read them: the class comes back.
    let pending = ask(&f);
    let q = f.next_question().await;
    let id: Uuid = q["id"].as_str().unwrap().parse().unwrap();
    let failed = json!({ "kind": "failed", "error_class": "restic.wrong_password", "message": "wrong password" });
    f.agent.answer(id, failed).await;
    let r = pending.await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        (body["code"].as_str(), body["details"]["error_class"].as_str()),
        (Some("repository.locks_failed"), Some("restic.wrong_password"))
    );

    // No online host: refused before anything is asked.
    let db = f.app.state().store.db();
    let mut host = cairn_server::store::hosts::find(db, f.host).await.unwrap().unwrap();
    host.last_seen_at = Some(chrono::Utc::now() - chrono::Duration::hours(1));
    cairn_server::store::hosts::save(db, host).await.unwrap();
    let r = f.admin.get(&format!("/api/v1/repositories/{}/locks", f.repo)).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert_eq!(error_code(r).await, "repository.no_online_host");
}
