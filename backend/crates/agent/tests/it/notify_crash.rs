//! The server killed with SIGKILL between an alert and its notification, and restarted:
//! the notification, stored in the outbox with the alert, is delivered exactly once.
//!
//! The real `cairn-server` binary on SQLite in a temp dir; a simulated agent (the protocol
//! spoken step by step: no restic is needed to fail a backup) reports a failed backup; the
//! webhook receiver is not listening yet, so the first attempt fails and the delivery waits
//! for its retry. The server is killed then, the receiver started, the server restarted:
//! the receiver gets the notification once, and the delivery is `delivered` with the
//! attempts it took.

use std::time::Duration;

use crate::common::{Captured, json_of, server_binary, sigkill, start_server_with, wait_ready};
use cairn_testkit::{
    Session,
    api::{NewBackup, NewEnrollmentToken, NewRepository},
    receivers::HttpReceiver,
};
use chrono::Utc;
use serde_json::{Value, json};

const ADMIN: &str = "admin";
const PASSWORD: &str = "correct horse battery staple";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_notification_survives_a_server_killed_before_sending_it() {
    let tmp = tempfile::tempdir().unwrap();
    let bin = server_binary();
    let data = tmp.path().join("server");
    std::fs::create_dir_all(&data).unwrap();
    let free = || std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let (port, hook_port) = (free(), free());
    let base = format!("http://127.0.0.1:{port}");
    let env =
        [("CAIRN_ALERTS_ALLOW_TARGETS", "127.0.0.1"), ("CAIRN_ALERTS_DELIVERY_TIMEOUT_SECS", "2")];
    let (mut server, mut log): (_, Captured) = start_server_with(&bin, &data, port, &env);
    wait_ready(&mut server, &mut log, &base).await;
    let admin = Session::browser_at(&base);
    let token = std::fs::read_to_string(data.join("setup-token")).unwrap();
    let r = admin
        .post(
            "/api/v1/setup",
            json!({ "token": token.trim(), "username": ADMIN, "password": PASSWORD }),
        )
        .await;
    json_of(r, "setup").await;
    let repo =
        admin.create_repository(&NewRepository::new("main", "/srv/restic", "pw-123")).await.id;
    let agent = admin.enroll_agent("web-1", &NewEnrollmentToken::linked_to(repo)).await;
    let host = agent.id.unwrap();
    agent.poll_ok(0).await;
    let r = admin
        .post("/api/v1/channels", json!({ "name": "hook", "settings": { "kind": "webhook", "url": format!("http://127.0.0.1:{hook_port}/in") } }))
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());

    // A failed backup: the alert and its delivery are stored; the receiver is down.
    let job = admin.start_backup(host, &NewBackup::new(repo, ["/srv"])).await;
    agent.poll_ok(0).await;
    let at = Utc::now();
    let events = json!([{ "seq": 1, "at": at, "kind": "started" },
                        { "seq": 2, "at": at, "kind": "finished",
                          "result": { "outcome": "failed", "error_class": "restic.repo_missing" } }]);
    assert!(agent.send_events(job.id, events).await.status().is_success());
    let alerts: Value = admin.get("/api/v1/alerts").await.json().await.unwrap();
    let alert = alerts["items"][0]["id"].as_str().expect("an alert").to_string();
    let deliveries = || async {
        let d: Value =
            admin.get(&format!("/api/v1/alerts/{alert}/deliveries")).await.json().await.unwrap();
        d[0].clone()
    };
    // The first attempt fails (nothing listens) and the delivery waits for its retry.
    let t0 = std::time::Instant::now();
    loop {
        let d = deliveries().await;
        if d["attempts"].as_u64() == Some(1) && d["state"] == "pending" {
            assert!(
                d["last_error"].as_str().unwrap_or_default().contains("could not reach"),
                "{d}"
            );
            break;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(20),
            "no failed first attempt: {d}\n{}",
            log.lock()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // Killed before the retry; the receiver comes up; the server restarts.
    sigkill(&mut server).await;
    let hook = HttpReceiver::start_on(hook_port, vec![(200, None)]).await;
    let (mut server, mut log) = start_server_with(&bin, &data, port, &env);
    wait_ready(&mut server, &mut log, &base).await;
    let got = hook.wait_for(1, 30).await;
    assert_eq!(got.len(), 1, "delivered after the restart\n{}", log.lock());
    // Nothing more comes: exactly once.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(hook.received().len(), 1);
    let body = got[0].json();
    assert_eq!(
        (body["event"].as_str(), body["alert"]["id"].as_str()),
        (Some("opened"), Some(alert.as_str()))
    );
    let admin = Session::browser_at(&base);
    let r =
        admin.post("/api/v1/auth/login", json!({ "username": ADMIN, "password": PASSWORD })).await;
    json_of(r, "login").await;
    let d: Value =
        admin.get(&format!("/api/v1/alerts/{alert}/deliveries")).await.json().await.unwrap();
    assert_eq!(d.as_array().unwrap().len(), 1, "one delivery row: {d}");
    assert_eq!(
        (d[0]["state"].as_str(), d[0]["attempts"].as_u64()),
        (Some("delivered"), Some(2)),
        "{d}"
    );
    assert_eq!(got[0].headers["idempotency-key"], d[0]["id"].as_str().unwrap());
}
