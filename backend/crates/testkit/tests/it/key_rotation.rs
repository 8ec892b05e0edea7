//! Key rotation through the real server with two simulated agents on one repository: the
//! new password goes to the adding host only with its `key_add` job, then to every linked
//! host; the old key is removed only once each of them has applied that config, so a host
//! that stays offline meanwhile keeps backing up with the old key. restic's side (key add,
//! key remove) runs for real in the agent crate's tests.

use cairn_server::domain::key_rotation;
use cairn_testkit::{Db, OneHost, PASSWORD, api::NewEnrollmentToken, db_tests, error_code};
use reqwest::StatusCode;
use serde_json::{Value, json};

const OLD_KEY: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const NEW_KEY: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

async fn finish(agent: &cairn_testkit::agent::SimAgent, job: &str, result: Value) {
    let at = chrono::Utc::now();
    let events = json!([
        { "seq": 1, "at": at, "kind": "started" },
        { "seq": 2, "at": at, "kind": "finished", "result": result },
    ]);
    let r = agent.send_events(job.parse().unwrap(), events).await;
    assert_eq!(r.status(), StatusCode::OK);
}

async fn rotation(f: &OneHost) -> Value {
    let r: Value =
        f.admin.get(&format!("/api/v1/repositories/{}", f.repo)).await.json().await.unwrap();
    r.get("key_rotation").cloned().unwrap_or(Value::Null)
}

async fn the_old_key_stays_until_every_linked_host_has_the_new_password(db: Db) {
    let f = OneHost::new(db, "db-1").await;
    let other = f.admin.enroll_agent("db-2", &NewEnrollmentToken::linked_to(f.repo)).await;
    let before = other.poll_ok(0).await.config.expect("config");
    assert_eq!(before.repositories[0].password, "repo-pass-123");
    let path = format!("/api/v1/repositories/{}/rotate-key", f.repo);

    // Admins only.
    f.app.create_user(&f.admin, "op", "operator").await;
    let op = f.app.login("op", PASSWORD).await;
    assert_eq!(op.post(&path, json!({ "host_id": f.host })).await.status(), StatusCode::FORBIDDEN);

    let r = f.admin.post(&path, json!({ "host_id": f.host })).await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let add: Value = r.json().await.unwrap();
    assert_eq!(add["kind"], "key_add");
    assert_eq!(rotation(&f).await["state"], "adding");
    // One at a time.
    let r = f.admin.post(&path, json!({ "host_id": f.host })).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert_eq!(error_code(r).await, "repository.rotation_in_progress");

    // The adding host gets the new password with the job, never in the job's arguments.
    let poll = f.agent.poll_ok(0).await;
    let config = poll.config.expect("config");
    let new_password = config.repositories[0].new_password.clone().expect("the new password");
    assert_eq!(config.repositories[0].password, "repo-pass-123", "still the old one");
    assert!(new_password.len() >= 40, "{new_password}");
    let cmd = poll.commands.iter().find(|c| c.id.to_string() == add["id"]).expect("run command");
    let wire = serde_json::to_string(cmd).unwrap();
    assert!(!wire.contains(&new_password), "{wire}");
    let job: Value = f
        .admin
        .get(&format!("/api/v1/jobs/{}", add["id"].as_str().unwrap()))
        .await
        .json()
        .await
        .unwrap();
    assert!(!job.to_string().contains(&new_password));

    // Added: every linked host's config now opens the repository with the new password.
    finish(
        &f.agent,
        add["id"].as_str().unwrap(),
        json!({ "outcome": "succeeded", "keys": { "old_key_id": OLD_KEY, "new_key_id": NEW_KEY } }),
    )
    .await;
    assert_eq!(
        (rotation(&f).await["state"].as_str(), rotation(&f).await["old_key_id"].as_str()),
        (Some("waiting"), Some(OLD_KEY))
    );
    let mine = f.agent.poll_ok(config.version).await.config.expect("new config");
    assert_eq!(
        (mine.repositories[0].password.as_str(), mine.repositories[0].new_password.as_deref()),
        (new_password.as_str(), None)
    );
    // This host acks; the other one is offline and does not.
    f.agent.poll_ok(mine.version).await;
    let state = f.app.state();
    assert_eq!(key_rotation::advance(state).await.unwrap(), 0, "db-2 has not applied it");
    assert_eq!(rotation(&f).await["state"], "waiting");
    let list: Value = f.admin.get("/api/v1/jobs?kind=key_remove").await.json().await.unwrap();
    assert_eq!(list["items"], json!([]), "the old key must stay while db-2 may still use it");

    // db-2 comes back: it gets the new password, acks, and the old key goes.
    let theirs = other.poll_ok(before.version).await.config.expect("new config");
    assert_eq!(theirs.repositories[0].password, new_password);
    other.poll_ok(theirs.version).await;
    assert_eq!(key_rotation::advance(state).await.unwrap(), 1);
    assert_eq!(rotation(&f).await["state"], "removing");
    let list: Value = f.admin.get("/api/v1/jobs?kind=key_remove").await.json().await.unwrap();
    let remove = list["items"][0].clone();
    let via = if remove["host_id"] == json!(f.host) { &f.agent } else { &other };
    let poll: Value = via.poll(theirs.version).await.json().await.unwrap();
    let cmd =
        poll["commands"].as_array().unwrap().iter().find(|c| c["id"] == remove["id"]).cloned();
    let args = cmd.expect("the key_remove run command")["action"]["job"]["args"].clone();
    assert_eq!(args, json!({ "kind": "key_remove", "key_id": OLD_KEY }));
    finish(
        via,
        remove["id"].as_str().unwrap(),
        json!({ "outcome": "succeeded", "keys": { "removed_key_id": OLD_KEY } }),
    )
    .await;
    assert_eq!(rotation(&f).await, Value::Null, "done");

    // The audit log tells the story.
    let audit: Value =
        f.admin.get("/api/v1/audit?action=repository.rotate_key").await.json().await.unwrap();
    let steps: Vec<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["details"]["step"].as_str())
        .collect();
    assert_eq!(steps, vec!["done", "key_added", "started"]);
    assert!(!audit.to_string().contains(&new_password));
}

async fn a_failed_key_add_changes_nothing(db: Db) {
    let f = OneHost::new(db, "db-1").await;
    let path = format!("/api/v1/repositories/{}/rotate-key", f.repo);
    let add: Value = f.admin.post(&path, json!({ "host_id": f.host })).await.json().await.unwrap();
    let config = f.agent.poll_ok(0).await.config.expect("config");
    assert!(config.repositories[0].new_password.is_some());
    finish(
        &f.agent,
        add["id"].as_str().unwrap(),
        json!({ "outcome": "failed", "error_class": "restic.wrong_password" }),
    )
    .await;
    assert_eq!(rotation(&f).await, Value::Null);
    let after = f.agent.poll_ok(config.version).await.config.expect("config without it");
    assert_eq!(
        (after.repositories[0].password.as_str(), after.repositories[0].new_password.as_deref()),
        ("repo-pass-123", None)
    );
    // And it can start again.
    let r = f.admin.post(&path, json!({ "host_id": f.host })).await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);
}

/// The agent's poll is held when the rotation starts: the answer that wakes it carries the
/// `key_add` job and, with it, the config that has the new password (the agent applies an
/// answer's config before its commands).
async fn a_held_poll_gets_the_new_password_with_the_job(db: Db) {
    let f = OneHost::with_poll_timeout(db, "db-1", 20).await;
    let version = f.agent.poll_ok(0).await.config.expect("config").version;
    let (admin, path, host) =
        (f.admin.clone(), format!("/api/v1/repositories/{}/rotate-key", f.repo), f.host);
    let rotate = tokio::spawn(async move {
        // Long enough for the poll below to be held.
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        admin.post(&path, json!({ "host_id": host })).await
    });
    let t0 = std::time::Instant::now();
    let answer = f.agent.poll_ok(version).await;
    assert!(t0.elapsed() >= std::time::Duration::from_millis(400), "the poll was not held");
    let add: Value = rotate.await.unwrap().json().await.unwrap();
    assert!(answer.commands.iter().any(|c| c.id.to_string() == add["id"]), "{answer:?}");
    let config = answer.config.expect("the newer config with the job");
    assert!(config.version > version);
    assert!(config.repositories[0].new_password.is_some(), "no new password with the job");
}

db_tests!(
    the_old_key_stays_until_every_linked_host_has_the_new_password,
    a_failed_key_add_changes_nothing,
    a_held_poll_gets_the_new_password_with_the_job
);
