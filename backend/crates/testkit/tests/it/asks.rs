//! Asking an agent a question, over HTTP with simulated agents (real keys, real signed
//! tokens): the question travels through the poll, the answer comes back and reaches the
//! waiting request; only the asked host may answer, once; an agent that stays silent is
//! `504 agent.no_answer` at the deadline and a question never picked up is withdrawn; an
//! offline host or an unlinked repository is refused before anything is asked.

use std::time::{Duration, Instant};

use cairn_testkit::{
    Db, Session, TestApp,
    agent::SimAgent,
    api::{NewEnrollmentToken, NewRepository},
    db_tests, error_code,
};
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

struct Fleet {
    app: TestApp,
    admin: Session,
    agent: SimAgent,
    host: Uuid,
    repo: Uuid,
}

/// A server (questions time out after `ask_secs`), a repository, and one host linked to it
/// that has polled once (so it is online and has its config).
async fn fleet(db: Db, ask_secs: u64) -> Fleet {
    let app = TestApp::spawn_with(db, |c| {
        c.agents.poll_timeout_secs = 2;
        c.agents.ask_timeout_secs = ask_secs;
    })
    .await;
    let admin = app.bootstrap().await;
    let repo =
        admin.create_repository(&NewRepository::new("offsite", "/srv/restic", "pw-12345")).await;
    let agent = admin.enroll_agent("db-1", &NewEnrollmentToken::linked_to(repo.id)).await;
    let config = agent.poll_ok(0).await.config.expect("the first poll brings the config");
    assert_eq!(config.repositories[0].id, repo.id);
    let host = agent.id.expect("enrolled");
    Fleet { app, admin, agent, host, repo: repo.id }
}

impl Fleet {
    /// Starts a probe in the background, as the web app would.
    fn probe(&self) -> tokio::task::JoinHandle<reqwest::Response> {
        let admin = self.admin.clone();
        let path = format!("/api/v1/hosts/{}/repositories/{}/probe", self.host, self.repo);
        tokio::spawn(async move { admin.post(&path, json!({})).await })
    }

    /// Polls until a question arrives; returns the ask command.
    async fn question(&self, version: u64) -> Value {
        let t0 = Instant::now();
        loop {
            let v: Value = self.agent.poll(version).await.json().await.unwrap();
            if let Some(c) =
                v["commands"].as_array().unwrap().iter().find(|c| c["action"]["kind"] == "ask")
            {
                return c.clone();
            }
            assert!(t0.elapsed() < Duration::from_secs(10), "no question arrived");
        }
    }
}

async fn a_question_goes_out_through_the_poll_and_its_answer_comes_back(db: Db) {
    let f = fleet(db, 10).await;
    let t0 = Instant::now();
    let probe = f.probe();
    let ask = f.question(1).await;
    let id: Uuid = ask["id"].as_str().unwrap().parse().unwrap();
    let action = &ask["action"];
    assert_eq!(action["question"], json!({ "kind": "repository_probe", "repository_id": f.repo }));
    assert_eq!(action["config_version"], 1);
    let deadline: chrono::DateTime<chrono::Utc> =
        action["deadline"].as_str().unwrap().parse().unwrap();
    let left = deadline - chrono::Utc::now();
    assert!(left > chrono::Duration::seconds(5) && left <= chrono::Duration::seconds(10), "{left}");

    // Another host cannot answer it: 404, as if it did not exist, and the asker still waits.
    let other = f.admin.enroll_agent("web-1", &NewEnrollmentToken::default()).await;
    let r = other
        .answer(id, json!({ "kind": "failed", "error_class": "x", "message": "forged" }))
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(!probe.is_finished());

    let answer = json!({
        "kind": "repository_probe",
        "restic_repository_id": "a".repeat(64),
        "format_version": 2,
        "elapsed_ms": 321,
        "restic_version": "0.14.0",
    });
    assert_eq!(f.agent.answer(id, answer.clone()).await.status(), StatusCode::NO_CONTENT);
    let r = probe.await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["reachable"], true);
    assert_eq!(v["restic_repository_id"], "a".repeat(64));
    assert_eq!((v["format_version"].clone(), v["open_ms"].clone()), (json!(2), json!(321)));
    assert_eq!(v["restic_version"], "0.14.0");
    assert!(v.get("error_class").is_none() && v.get("message").is_none(), "{v}");
    let round_trip = v["round_trip_ms"].as_u64().unwrap();
    assert!(round_trip as u128 <= t0.elapsed().as_millis(), "{round_trip}");

    // Answered once: a second answer finds nobody waiting.
    let r = f.agent.answer(id, answer).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert_eq!(error_code(r).await, "ask.closed");
    // An id that was never a question is 404.
    let r = f
        .agent
        .answer(Uuid::now_v7(), json!({ "kind": "failed", "error_class": "x", "message": "?" }))
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // A body that is not an answer is a 400, not a 500.
    let r = f.agent.answer(id, json!({ "kind": "format_disk" })).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}

async fn a_repository_restic_cannot_open_is_an_answer_not_an_error(db: Db) {
    let f = fleet(db, 10).await;
    let probe = f.probe();
    let ask = f.question(1).await;
    let id: Uuid = ask["id"].as_str().unwrap().parse().unwrap();
    let failed = json!({
        "kind": "failed",
        "error_class": "restic.wrong_password",
        "message": "wrong repository password (or no key found)",
    });
    assert_eq!(f.agent.answer(id, failed).await.status(), StatusCode::NO_CONTENT);
    let r = probe.await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["reachable"], false);
    assert_eq!(v["error_class"], "restic.wrong_password");
    assert!(v["message"].as_str().unwrap().contains("wrong repository password"));
    assert!(v.get("restic_repository_id").is_none(), "{v}");
}

async fn a_silent_agent_is_a_504_at_the_deadline_and_an_unread_question_is_withdrawn(db: Db) {
    let f = fleet(db, 2).await;
    // Received but never answered.
    let probe = f.probe();
    let ask = f.question(1).await;
    let id: Uuid = ask["id"].as_str().unwrap().parse().unwrap();
    let r = probe.await.unwrap();
    assert_eq!(r.status(), StatusCode::GATEWAY_TIMEOUT);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "agent.no_answer");
    assert!(body["message"].as_str().unwrap().contains("received the question"), "{body}");
    // A late answer is refused, so the agent knows nobody listens.
    let late = json!({ "kind": "failed", "error_class": "x", "message": "late" });
    let r = f.agent.answer(id, late).await;
    assert_eq!(error_code(r).await, "ask.closed");

    // Not picked up at all (the agent does not poll while it is asked): withdrawn, so a
    // later poll does not hand out a question nobody waits for.
    let t0 = Instant::now();
    let r = f.probe().await.unwrap();
    assert_eq!(r.status(), StatusCode::GATEWAY_TIMEOUT);
    assert!(t0.elapsed() >= Duration::from_secs(2), "{:?}", t0.elapsed());
    let body: Value = r.json().await.unwrap();
    assert!(body["message"].as_str().unwrap().contains("did not pick up"), "{body}");
    let v: Value = f.agent.poll(1).await.json().await.unwrap();
    assert!(v["commands"].as_array().unwrap().is_empty(), "{v}");
}

async fn nothing_is_asked_of_an_offline_host_or_about_an_unlinked_repository(db: Db) {
    let f = fleet(db, 10).await;
    let other =
        f.admin.create_repository(&NewRepository::new("other", "/srv/other", "pw-12345")).await;
    let path = format!("/api/v1/hosts/{}/repositories/{}/probe", f.host, other.id);
    let r = f.admin.post(&path, json!({})).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert_eq!(error_code(r).await, "repository.not_linked");
    let r = f
        .admin
        .post(&format!("/api/v1/hosts/{}/repositories/{}/probe", Uuid::now_v7(), f.repo), json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    // A host whose agent has not been in touch is offline.
    let silent = f.admin.enroll_agent("silent", &NewEnrollmentToken::linked_to(f.repo)).await;
    let silent_id = silent.id.unwrap();
    use sea_orm::ConnectionTrait;
    let sql = "UPDATE hosts SET last_seen_at = NULL WHERE hostname = 'silent'";
    f.app.state().store.db().execute_unprepared(sql).await.unwrap();
    let r = f
        .admin
        .post(&format!("/api/v1/hosts/{silent_id}/repositories/{}/probe", f.repo), json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert_eq!(error_code(r).await, "host.offline");

    // Viewers may not ask (hosts_manage).
    f.app.create_user(&f.admin, "vera", "viewer").await;
    let viewer = f.app.login("vera", cairn_testkit::PASSWORD).await;
    let r = viewer
        .post(&format!("/api/v1/hosts/{}/repositories/{}/probe", f.host, f.repo), json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

db_tests!(
    a_question_goes_out_through_the_poll_and_its_answer_comes_back,
    a_repository_restic_cannot_open_is_an_answer_not_an_error,
    a_silent_agent_is_a_504_at_the_deadline_and_an_unread_question_is_withdrawn,
    nothing_is_asked_of_an_offline_host_or_about_an_unlinked_repository,
);
