//! `cairn-bench alerts`: P9, a failed backup to a notification received, for a signed
//! webhook, ntfy's publish API (a local receiver: no ntfy server installs here) and email
//! through a real SMTP server (aiosmtpd, STARTTLS), each printed; then a fleet-wide outage,
//! 1,000 agents going silent at once, raised by one sweep and delivered to a webhook:
//! the time to raise, the delivery throughput, and that none is lost or sent twice.

use std::{collections::HashSet, time::Instant};

use cairn_testkit::{
    agent::SimAgent,
    receivers::{HttpReceiver, SmtpMode, SmtpServer},
};
use chrono::Utc;
use serde_json::{Value, json};

use super::{admin_token, free_port, spawn_server, wait_ready};

const OUTAGE_HOSTS: usize = 1_000;

async fn call(http: &reqwest::Client, rb: reqwest::RequestBuilder) -> Value {
    let r = rb.send().await.expect("request");
    let status = r.status();
    let v: Value = r.json().await.unwrap_or(Value::Null);
    assert!(status.is_success(), "{status}: {v}");
    let _ = http;
    v
}

pub async fn run() {
    let server_bin =
        std::env::var("CAIRN_SERVER_BIN").unwrap_or_else(|_| "target/release/cairn-server".into());
    let dir = tempfile::tempdir().expect("temp dir");
    let (port, base) = free_port();
    let env = [("CAIRN_ALERTS_ALLOW_TARGETS", "127.0.0.1")];
    let mut server = spawn_server(&server_bin, dir.path(), port, &env, None);
    let http = reqwest::Client::new();
    wait_ready(&http, &base).await;
    let admin = admin_token(&http, &base, dir.path()).await;
    let post = |path: &str, body: Value| {
        http.post(format!("{base}{path}")).bearer_auth(&admin).json(&body)
    };
    let repo = call(
        &http,
        post(
            "/api/v1/repositories",
            json!({ "name": "bench", "url": "/srv/restic", "password": "bench-pw" }),
        ),
    )
    .await;
    let repo = repo["id"].as_str().unwrap_or_default().to_string();

    let hook = HttpReceiver::start(vec![(200, None)]).await;
    let ntfy = HttpReceiver::start(vec![(200, None)]).await;
    let smtp = SmtpServer::start(SmtpMode::Starttls).await;
    for body in [
        json!({ "name": "hook", "settings": { "kind": "webhook", "url": hook.url } }),
        json!({ "name": "ntfy", "settings": { "kind": "ntfy", "server_url": ntfy.url, "topic": "bench" } }),
        json!({ "name": "mail", "settings": { "kind": "email", "host": "localhost", "port": smtp.port, "security": "starttls",
                                               "from": "cairn@example.com", "to": ["ops@example.com"], "ca_pem": smtp.cert_pem } }),
    ] {
        call(&http, post("/api/v1/channels", body)).await;
    }

    // P9: one failed backup.
    let t = call(&http, post("/api/v1/enrollment-tokens", json!({ "repository_id": repo }))).await;
    let mut agent = SimAgent::new(&base, "p9-host");
    agent.enroll_ok(t["secret"].as_str().unwrap_or_default()).await;
    let host = agent.id.map(|h| h.to_string()).unwrap_or_default();
    agent.poll_ok(0).await;
    let job = call(
        &http,
        post(
            &format!("/api/v1/hosts/{host}/backups"),
            json!({ "repository_id": repo, "paths": ["/srv"] }),
        ),
    )
    .await;
    let job: uuid::Uuid = job["id"].as_str().unwrap_or_default().parse().expect("job id");
    agent.poll_ok(0).await;
    let at = Utc::now();
    let failed = json!([{ "seq": 1, "at": at, "kind": "started" },
                        { "seq": 2, "at": at, "kind": "finished", "result": { "outcome": "failed", "error_class": "restic.repo_missing" } }]);
    let t0 = Instant::now();
    agent.send_events(job, failed).await;
    let (mut webhook, mut push, mut email) = (None, None, None);
    while (webhook.is_none() || push.is_none() || email.is_none()) && t0.elapsed().as_secs() < 30 {
        if webhook.is_none() && !hook.received().is_empty() {
            webhook = Some(t0.elapsed());
        }
        if push.is_none() && !ntfy.received().is_empty() {
            push = Some(t0.elapsed());
        }
        if email.is_none() && !smtp.messages().is_empty() {
            email = Some(t0.elapsed());
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let s = |d: Option<std::time::Duration>| {
        d.map_or("NOT RECEIVED".into(), |d| format!("{:.2} s", d.as_secs_f64()))
    };
    println!(
        "P9 failed backup → notification received: webhook {}, ntfy {}, email (SMTP, STARTTLS) {}  [target ≤ 5 s each]",
        s(webhook),
        s(push),
        s(email)
    );

    // A fleet-wide outage: 1,000 agents poll once, then fall silent.
    let put =
        |path: &str, body: Value| http.put(format!("{base}{path}")).bearer_auth(&admin).json(&body);
    call(
        &http,
        put(
            "/api/v1/alert-rules/agent_offline",
            json!({ "enabled": true, "severity": "error", "params": { "minutes": 2 } }),
        ),
    )
    .await;
    let before = hook.received().len();
    let mut agents = Vec::with_capacity(OUTAGE_HOSTS);
    for i in 0..OUTAGE_HOSTS {
        let t = call(&http, post("/api/v1/enrollment-tokens", json!({}))).await;
        let mut a = SimAgent::new(&base, &format!("outage-{i:04}"));
        a.enroll_ok(t["secret"].as_str().unwrap_or_default()).await;
        a.poll_ok(0).await;
        agents.push(a);
    }
    drop(agents);
    println!(
        "outage: {OUTAGE_HOSTS} agents enrolled and silent; the sweep raises them after 2 minutes…"
    );
    let silent = Instant::now();
    let mut first = None;
    let want = before + OUTAGE_HOSTS;
    loop {
        let n = hook.received().len();
        if first.is_none() && n > before {
            first = Some(silent.elapsed());
        }
        if n >= want || silent.elapsed().as_secs() > 600 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let all = silent.elapsed();
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    let got = hook.received();
    let outage: Vec<_> = got[before..].iter().map(|r| r.json()).collect();
    let ids: HashSet<String> =
        outage.iter().filter_map(|b| b["alert"]["id"].as_str().map(String::from)).collect();
    let keys: HashSet<String> =
        got[before..].iter().filter_map(|r| r.headers.get("idempotency-key").cloned()).collect();
    let first = first.unwrap_or(all);
    let spread = all.saturating_sub(first).as_secs_f64().max(0.001);
    println!(
        "outage: {} webhooks for {} alerts ({} distinct deliveries, {} duplicates); first {:.1} s after the agents fell silent (threshold 120 s, sweep every 30 s), all within {:.2} s of the first: {:.0} deliveries/s",
        outage.len(),
        ids.len(),
        keys.len(),
        outage.len().saturating_sub(keys.len()),
        first.as_secs_f64(),
        spread,
        ids.len() as f64 / spread
    );
    let _ = server.start_kill();
}
