//! Notifications through the real server to real receivers: a failed backup reaches a
//! signed webhook, ntfy's publish API (a local receiver: no ntfy server installs here)
//! and a real SMTP server (aiosmtpd, with STARTTLS) within seconds; the next good backup
//! sends "resolved"; routing (least severity, rules, host tag), mutes and snoozes decide
//! who gets what; a receiver failing gets retries and an idempotency key that stays the
//! same; "Send test" reports inline; secrets never come back; and the SSRF guard refuses
//! private, loopback and metadata targets in many spellings before any connection.

use cairn_testkit::{
    Db, OneHost,
    api::NewBackup,
    db_tests, error_field,
    receivers::{HttpReceiver, SmtpMode, SmtpServer},
};
use chrono::{Duration, Utc};
use hmac_check::verify;
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

mod hmac_check {
    //! What a receiver does to check a webhook: recompute the HMAC of "<t>.<body>".
    use sha2_free::hmac_sha256;

    pub fn verify(secret: &str, header: &str, body: &[u8]) -> bool {
        let mut t = None;
        let mut v1 = None;
        for part in header.split(',') {
            match part.split_once('=') {
                Some(("t", x)) => t = Some(x.to_string()),
                Some(("v1", x)) => v1 = Some(x.to_string()),
                _ => {}
            }
        }
        let (Some(t), Some(v1)) = (t, v1) else { return false };
        let mut msg = t.into_bytes();
        msg.push(b'.');
        msg.extend_from_slice(body);
        hmac_sha256(secret.as_bytes(), &msg) == v1
    }

    mod sha2_free {
        //! HMAC-SHA256 from its definition, so the check does not share the server's code.
        pub fn hmac_sha256(key: &[u8], msg: &[u8]) -> String {
            use std::process::Command;
            // `openssl dgst` computes it independently of the server's Rust crates.
            let out = Command::new("openssl")
                .args(["dgst", "-sha256", "-mac", "HMAC", "-macopt"])
                .arg(format!("hexkey:{}", hex(key)))
                .arg("-r")
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .spawn()
                .and_then(|mut c| {
                    use std::io::Write;
                    c.stdin.take().expect("stdin").write_all(msg)?;
                    c.wait_with_output()
                })
                .expect("openssl");
            String::from_utf8_lossy(&out.stdout)
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .to_string()
        }

        fn hex(b: &[u8]) -> String {
            b.iter().map(|x| format!("{x:02x}")).collect()
        }
    }
}

/// A backup handed to the agent and ended with `outcome`.
async fn backup_ending(f: &OneHost, outcome: &str) -> Uuid {
    let job = f.admin.start_backup(f.host, &NewBackup::new(f.repo, ["/srv"])).await;
    f.agent.poll_ok(0).await;
    let at = Utc::now();
    let mut result = json!({ "outcome": outcome });
    if outcome == "failed" {
        result["error_class"] = json!("restic.repo_missing");
        result["message"] = json!("no repository at /srv/restic");
    }
    let events = json!([{ "seq": 1, "at": at, "kind": "started" },
                        { "seq": 2, "at": at, "kind": "finished", "result": result }]);
    assert!(f.agent.send_events(job.id, events).await.status().is_success());
    job.id
}

async fn channel(f: &OneHost, body: Value) -> Value {
    let r = f.admin.post("/api/v1/channels", body.clone()).await;
    assert_eq!(r.status(), StatusCode::CREATED, "{body}: {}", r.text().await.unwrap());
    r.json().await.unwrap()
}

fn allow_loopback(c: &mut cairn_server::Config) {
    c.alerts.allow_targets = vec!["127.0.0.1".into()];
}

async fn a_failed_backup_reaches_webhook_ntfy_and_email(db: Db) {
    let f = OneHost::with_config(db, "web-1", allow_loopback).await;
    let hook = HttpReceiver::start(vec![(200, None)]).await;
    let ntfy = HttpReceiver::start(vec![(200, None)]).await;
    let smtp = SmtpServer::start(SmtpMode::Starttls).await;

    let w = channel(&f, json!({ "name": "hook", "settings": { "kind": "webhook", "url": format!("{}/cairn", hook.url) }, "min_severity": "error" })).await;
    let secret = w["secret"].as_str().expect("the webhook secret, once").to_string();
    assert!(secret.starts_with("whsec_") && secret.len() == 70, "{secret}");
    channel(&f, json!({ "name": "phone", "settings": { "kind": "ntfy", "server_url": ntfy.url, "topic": "cairn-ops" }, "secret": "tk_ntfy_token" })).await;
    let mail = channel(&f, json!({
        "name": "ops mail",
        "settings": { "kind": "email", "host": "localhost", "port": smtp.port, "security": "starttls",
                      "from": "cairn@example.com", "to": ["ops@example.com"], "ca_pem": smtp.cert_pem },
        "secret": null,
    }))
    .await;
    // Secrets are write-only.
    let listed: Value = f.admin.get("/api/v1/channels").await.json().await.unwrap();
    let text = listed.to_string();
    assert!(!text.contains(&secret) && !text.contains("tk_ntfy_token"), "{text}");
    assert!(listed.as_array().unwrap().iter().all(|c| c.get("secret").is_none()));
    assert_eq!(listed.as_array().unwrap().iter().filter(|c| c["has_secret"] == true).count(), 2);

    let t0 = std::time::Instant::now();
    let job = backup_ending(&f, "failed").await;
    let got = hook.wait_for(1, 10).await;
    let took_hook = t0.elapsed();
    assert_eq!(got.len(), 1, "one webhook");
    let r = &got[0];
    assert_eq!((r.method.as_str(), r.path.as_str()), ("POST", "/cairn"));
    assert!(
        verify(&secret, &r.headers["x-cairn-signature"], &r.body),
        "signature: {:?}",
        r.headers
    );
    assert!(!verify("whsec_wrong", &r.headers["x-cairn-signature"], &r.body));
    let body = r.json();
    assert_eq!((body["version"].as_u64(), body["event"].as_str()), (Some(1), Some("opened")));
    assert_eq!(body["delivery_id"].as_str(), r.headers.get("idempotency-key").map(String::as_str));
    assert_eq!(body["alert"]["rule"], "backup_failed");
    assert_eq!(body["alert"]["job_id"], json!(job));
    assert_eq!(body["alert"]["hostname"], "web-1");
    assert!(body["alert"]["url"].as_str().unwrap().contains("/alerts/"), "{body}");

    let n = ntfy.wait_for(1, 10).await;
    assert_eq!(n.len(), 1);
    let m = n[0].json();
    assert_eq!(n[0].headers.get("authorization").map(String::as_str), Some("Bearer tk_ntfy_token"));
    assert_eq!((m["topic"].as_str(), m["priority"].as_u64()), (Some("cairn-ops"), Some(4)));
    assert!(m["title"].as_str().unwrap().starts_with("[Cairn] ERROR: Backup failed"), "{m}");
    assert!(m["tags"].as_array().unwrap().contains(&json!("x")), "{m}");
    assert!(m["click"].as_str().unwrap().contains("/alerts/"));

    let mails = smtp.wait_for(1, 15).await;
    let took_mail = t0.elapsed();
    assert_eq!(mails.len(), 1, "one email");
    let e = &mails[0];
    assert!(e.contains("Subject: [Cairn] ERROR: Backup failed"), "{e}");
    assert!(e.contains("To: ops@example.com") && e.contains("From: cairn@example.com"), "{e}");
    assert!(e.contains("text/plain") && e.contains("text/html"), "plain text and HTML: {e}");
    assert!(e.contains("restic.repo_missing"), "{e}");
    eprintln!("failed backup → webhook {took_hook:?}, → email {took_mail:?} (STARTTLS)");

    // Each delivery is recorded on the alert.
    let alerts: Value = f.admin.get("/api/v1/alerts").await.json().await.unwrap();
    let id = alerts["items"][0]["id"].as_str().unwrap().to_string();
    let d: Vec<Value> =
        f.admin.get(&format!("/api/v1/alerts/{id}/deliveries")).await.json().await.unwrap();
    assert_eq!(d.len(), 3, "{d:?}");
    assert!(
        d.iter().all(|x| x["state"] == "delivered" && x["attempts"] == 1 && x["event"] == "opened"),
        "{d:?}"
    );

    // A repeat is counted, not sent; the next good backup sends "resolved".
    backup_ending(&f, "failed").await;
    backup_ending(&f, "succeeded").await;
    let got = hook.wait_for(2, 10).await;
    assert_eq!(got.len(), 2, "opened and resolved, not the repeat");
    assert_eq!(got[1].json()["event"], "resolved");
    assert_eq!(got[1].json()["alert"]["state"], "resolved");
    let mails = smtp.wait_for(2, 15).await;
    assert!(mails[1].contains("Subject: [Cairn] Resolved:"), "{}", mails[1]);
    let nt = ntfy.wait_for(2, 10).await;
    assert_eq!(nt[1].json()["priority"], 2);

    // "Send test" says how it went, inline.
    let r: Value = f
        .admin
        .post(
            &format!("/api/v1/channels/{}/test", mail["channel"]["id"].as_str().unwrap()),
            json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(r["delivered"], true, "{r}");
    assert_eq!(r["status"], 250);
    assert_eq!(smtp.wait_for(3, 10).await.len(), 3);
}

async fn routing_mutes_retries_and_refusals(db: Db) {
    let f = OneHost::with_config(db, "db-1", allow_loopback).await;
    // Fails twice, then takes it: the same delivery, retried with back-off.
    let flaky = HttpReceiver::start(vec![(503, None), (200, None)]).await;
    let warn_only = HttpReceiver::start(vec![(200, None)]).await;
    let tagged = HttpReceiver::start(vec![(200, None)]).await;
    let redirect =
        HttpReceiver::start(vec![(302, Some("http://169.254.169.254/latest".into()))]).await;
    channel(&f, json!({ "name": "flaky", "settings": { "kind": "webhook", "url": flaky.url }, "rules": ["backup_failed"] })).await;
    channel(&f, json!({ "name": "checks only", "settings": { "kind": "webhook", "url": warn_only.url }, "rules": ["check_failed"] })).await;
    channel(&f, json!({ "name": "prod", "settings": { "kind": "webhook", "url": tagged.url }, "host_tag": "prod" })).await;
    let moved = channel(
        &f,
        json!({ "name": "moved", "settings": { "kind": "webhook", "url": redirect.url } }),
    )
    .await;

    backup_ending(&f, "failed").await;
    let got = flaky.wait_for(2, 20).await;
    assert_eq!(got.len(), 2, "a retry after the 503");
    assert_eq!(
        got[0].headers["idempotency-key"], got[1].headers["idempotency-key"],
        "one delivery, one key"
    );
    assert!(warn_only.received().is_empty(), "another rule's channel");
    assert!(tagged.received().is_empty(), "db-1 has no prod tag");
    // The redirect is not followed: the delivery fails, saying so.
    let r: Value = f
        .admin
        .post(
            &format!("/api/v1/channels/{}/test", moved["channel"]["id"].as_str().unwrap()),
            json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!((r["delivered"].as_bool(), r["status"].as_i64()), (Some(false), Some(302)), "{r}");
    assert!(r["error"].as_str().unwrap().contains("not followed"), "{r}");
    assert_eq!(r["webhook_body"]["event"], "test");
    let log: Value = f
        .admin
        .get(&format!("/api/v1/channels/{}/deliveries", moved["channel"]["id"].as_str().unwrap()))
        .await
        .json()
        .await
        .unwrap();
    assert!(log["items"].as_array().is_some(), "{log}");

    // A muted host's alerts are raised but not sent (recorded as suppressed).
    let until = Utc::now() + Duration::hours(1);
    let r = f
        .admin
        .put_json(&format!("/api/v1/hosts/{}/mute", f.host), json!({ "until": until }))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    backup_ending(&f, "succeeded").await;
    backup_ending(&f, "failed").await;
    let alerts: Value = f.admin.get("/api/v1/alerts?state=open").await.json().await.unwrap();
    let id = alerts["items"][0]["id"].as_str().unwrap().to_string();
    let d: Vec<Value> =
        f.admin.get(&format!("/api/v1/alerts/{id}/deliveries")).await.json().await.unwrap();
    assert!(!d.is_empty() && d.iter().all(|x| x["state"] == "suppressed"), "{d:?}");
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    assert_eq!(
        flaky.received().len(),
        2,
        "nothing goes out while muted: not the resolve, not the new failure"
    );

    // Bad channels get a 400 naming the field.
    for (body, code, field) in [
        (
            json!({ "name": "x", "settings": { "kind": "ntfy", "server_url": "https://ntfy.sh", "topic": "no spaces" } }),
            "channel.invalid",
            "settings.topic",
        ),
        (
            json!({ "name": "x", "settings": { "kind": "email", "host": "smtp.example.com", "port": 587, "security": "starttls", "from": "not-an-address", "to": ["ops@example.com"] } }),
            "channel.invalid",
            "settings.from",
        ),
        (
            json!({ "name": "x", "settings": { "kind": "webhook", "url": "https://hooks.example.com" }, "quiet": { "from": "22:00", "to": "07:00", "zone": "Mars/Olympus" } }),
            "channel.invalid",
            "quiet.zone",
        ),
    ] {
        let r = f.admin.post("/api/v1/channels", body.clone()).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(error_field(r).await, (code.into(), Some(field.into())), "{body}");
    }
    let r = f.admin.post("/api/v1/channels", json!({ "name": "flaky", "settings": { "kind": "webhook", "url": "https://hooks.example.com" } })).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
}

async fn the_ssrf_guard_refuses_private_targets_before_connecting(db: Db) {
    // No allow-list here: loopback is forbidden like every private address.
    let f = OneHost::new(db, "web-2").await;
    let canary = HttpReceiver::start(vec![(200, None)]).await;
    let p = canary.port;
    let forbidden = [
        format!("http://127.0.0.1:{p}/"),
        format!("http://127.1:{p}/"),
        format!("http://2130706433:{p}/"),
        format!("http://0x7f000001:{p}/"),
        format!("http://0x7f.0.0.1:{p}/"),
        format!("http://0177.0.0.1:{p}/"),
        format!("http://017700000001:{p}/"),
        format!("http://[::1]:{p}/"),
        format!("http://[::ffff:127.0.0.1]:{p}/"),
        format!("http://[::ffff:7f00:1]:{p}/"),
        format!("http://[64:ff9b::7f00:1]:{p}/"),
        format!("http://localhost:{p}/"),
        format!("http://localhost.:{p}/"),
        format!("http://LOCALHOST:{p}/"),
        format!("http://[0:0:0:0:0:0:0:1]:{p}/"),
        "http://0.0.0.0/".into(),
        "http://10.0.0.1/".into(),
        "http://172.16.5.4/".into(),
        "http://192.168.0.1/".into(),
        "http://169.254.169.254/latest/meta-data/".into(),
        "http://[fd00:ec2::254]/".into(),
        "http://[fe80::1]/".into(),
        "http://100.64.1.1/".into(),
        "http://[::ffff:a9fe:a9fe]/".into(),
        "http://224.0.0.1/".into(),
        "ftp://example.com/".into(),
        "file:///etc/passwd".into(),
        format!("http://user:pw@127.0.0.1:{p}/"),
    ];
    for url in &forbidden {
        let r = f
            .admin
            .post(
                "/api/v1/channels",
                json!({ "name": "x", "settings": { "kind": "webhook", "url": url } }),
            )
            .await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{url}");
        let (code, field) = error_field(r).await;
        assert_eq!(
            (code.as_str(), field.as_deref()),
            ("channel.forbidden_target", Some("settings.url")),
            "{url}"
        );
        let r = f.admin.post("/api/v1/channels", json!({ "name": "y", "settings": { "kind": "ntfy", "server_url": url, "topic": "t" } })).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "ntfy {url}");
    }
    assert!(forbidden.len() >= 25);
    assert!(canary.received().is_empty(), "no connection was made");
}

db_tests!(
    a_failed_backup_reaches_webhook_ntfy_and_email,
    routing_mutes_retries_and_refusals,
    the_ssrf_guard_refuses_private_targets_before_connecting
);
