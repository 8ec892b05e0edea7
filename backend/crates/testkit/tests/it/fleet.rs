//! The fleet over HTTP with simulated agents (real keys, real signed tokens): token
//! enrollment, announce-and-approve, the long-poll, config delivery with secrets, host
//! isolation, deletion revoking the key, and every forged-token case.

use std::time::{Duration, Instant};

use cairn_proto::{AGENT_AUDIENCE, PROTOCOL_HEADER};
use cairn_testkit::{
    Db, SendChecked, Session, TestApp,
    agent::SimAgent,
    api::{CreatedEnrollmentToken, HostStatus, NewEnrollmentToken, NewRepository},
    db_tests, error_code, error_field,
};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A new enrollment token, whose install command carries its secret and the server's URL.
async fn enrollment_token(
    app: &TestApp,
    admin: &Session,
    token: NewEnrollmentToken,
) -> CreatedEnrollmentToken {
    let t = admin.enrollment_token(&token).await;
    assert!(t.install_command.contains(&t.secret), "{}", t.install_command);
    assert!(t.install_command.contains(&app.config.public_url), "{}", t.install_command);
    t
}

async fn enroll_with_token_once(db: Db) {
    let app = TestApp::spawn_with(db, |c| c.agents.poll_timeout_secs = 2).await;
    let admin = app.bootstrap().await;
    let t =
        enrollment_token(&app, &admin, NewEnrollmentToken::default().tags(["Prod", "db"])).await;
    let secret = t.secret.as_str();

    let mut agent = SimAgent::new(&app.base, "db-1");
    let enrolled = agent.enroll_ok(secret).await;
    assert_eq!(enrolled.fingerprint, agent.fingerprint());
    assert_eq!(Some(enrolled.host_id), agent.id);

    // A second use, an expired token and garbage all fail clearly.
    let mut again = SimAgent::new(&app.base, "db-2");
    let r = again.enroll(secret).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(r).await, "enroll.token_used");
    let r = again.enroll("cairn_enroll_nope").await;
    assert_eq!(error_code(r).await, "enroll.invalid_token");
    let t2 = enrollment_token(&app, &admin, NewEnrollmentToken::default().ttl_secs(60)).await;
    use sea_orm::ConnectionTrait;
    app.state()
        .store
        .db()
        .execute_unprepared("UPDATE enrollment_tokens SET expires_at = created_at")
        .await
        .unwrap();
    let r = again.enroll(&t2.secret).await;
    assert_eq!(error_code(r).await, "enroll.token_expired");

    let hosts = admin.hosts().await;
    assert_eq!(hosts.items.len(), 1);
    let h = &hosts.items[0];
    assert_eq!(h.hostname, "db-1");
    assert_eq!(h.tags, ["db", "prod"]);
    assert_eq!(h.status, HostStatus::Online);
    assert_eq!(h.fingerprint, agent.fingerprint());
    assert!(!h.agent_outdated);
    let filtered: Value = admin
        .get("/api/v1/hosts?tag=prod&status=online&q=DB-&with_total=true")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(filtered["total"], 1);
    let none: Value =
        admin.get("/api/v1/hosts?tag=web&with_total=true").await.json().await.unwrap();
    assert_eq!(none["total"], 0);
    // The Add host page waits for hosts that joined after its token was made.
    let made = h.created_at;
    let since = |t: chrono::DateTime<chrono::Utc>| {
        format!(
            "/api/v1/hosts?with_total=true&created_after={}",
            t.to_rfc3339().replace('+', "%2B")
        )
    };
    let joined: Value = admin.get(&since(made)).await.json().await.unwrap();
    assert_eq!(joined["total"], 1);
    let joined: Value =
        admin.get(&since(made + chrono::Duration::seconds(1))).await.json().await.unwrap();
    assert_eq!(joined["total"], 0);
    let r = admin.get("/api/v1/hosts?created_after=yesterday").await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let open: Value = admin.get("/api/v1/enrollment-tokens").await.json().await.unwrap();
    assert!(open["items"].as_array().unwrap().is_empty(), "used and expired tokens are not listed");
}

async fn poll_holds_then_delivers_at_once(db: Db) {
    let app = TestApp::spawn_with(db, |c| c.agents.poll_timeout_secs = 3).await;
    let admin = app.bootstrap().await;
    let agent = admin.enroll_agent("web-1", &NewEnrollmentToken::default()).await;
    let host = agent.id.unwrap();

    // First poll: config version 1 is newer than the agent's 0 → answered at once.
    let v: Value = agent.poll(0).await.json().await.unwrap();
    assert_eq!(v["config"]["version"], 1);
    // Nothing to say: held until the timeout, then empty.
    let t0 = Instant::now();
    let v: Value = agent.poll(1).await.json().await.unwrap();
    assert!(t0.elapsed() >= Duration::from_millis(2500), "held {:?}", t0.elapsed());
    assert!(v["commands"].as_array().unwrap().is_empty() && v["config"].is_null());

    // A command queued while the poll is held wakes it at once.
    let polling = tokio::spawn({
        let token = agent.token();
        let req = agent.poll_request(1);
        let c = agent.client.clone();
        let url = format!("{}/api/agent/v1/poll", app.base);
        async move {
            let t0 = Instant::now();
            let v: Value = c
                .post(url)
                .header(PROTOCOL_HEADER, cairn_proto::PROTOCOL_VERSION.to_string())
                .bearer_auth(token)
                .json(&req)
                .send_checked()
                .await
                .json()
                .await
                .unwrap();
            (v, t0.elapsed())
        }
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    let r = admin.post(&format!("/api/v1/hosts/{host}/ping"), json!({})).await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let queued: Value = r.json().await.unwrap();
    let (v, waited) = polling.await.unwrap();
    assert_eq!(v["commands"][0]["id"], queued["command_id"]);
    assert_eq!(v["commands"][0]["action"]["kind"], "ping");
    assert!(waited < Duration::from_millis(2000), "woken at once, not at the timeout: {waited:?}");

    // A command queued between two polls is not lost: the next poll answers at once.
    let r = admin.post(&format!("/api/v1/hosts/{host}/ping"), json!({})).await;
    let queued: Value = r.json().await.unwrap();
    let t0 = Instant::now();
    let v: Value = agent.poll(1).await.json().await.unwrap();
    assert_eq!(v["commands"][0]["id"], queued["command_id"]);
    assert!(t0.elapsed() < Duration::from_millis(1000));
    // Delivered once only.
    let v: Value = agent.poll(1).await.json().await.unwrap();
    assert!(v["commands"].as_array().unwrap().is_empty());

    // A held poll's head (200, JSON) comes at once, its body when there is something to say.
    // Deleting the host meanwhile ends it with the refusal in the body (the status is out
    // already), the same `agent.revoked` the next poll gets as a 401.
    let t0 = Instant::now();
    let r = agent.poll_head(1).await;
    assert_eq!(r.status(), StatusCode::OK);
    let content_type = r.headers()[reqwest::header::CONTENT_TYPE].to_str().unwrap().to_string();
    assert!(content_type.starts_with("application/json"), "{content_type}");
    assert!(t0.elapsed() < Duration::from_millis(1000), "head at once: {:?}", t0.elapsed());
    tokio::time::sleep(Duration::from_millis(300)).await;
    let deleted = admin.delete(&format!("/api/v1/hosts/{host}")).await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let v: Value = r.json().await.unwrap();
    assert!(
        t0.elapsed() < Duration::from_millis(2500),
        "ended by the deletion: {:?}",
        t0.elapsed()
    );
    assert!(v["commands"].as_array().unwrap().is_empty() && v["config"].is_null());
    assert_eq!(v["refused"]["code"], "agent.revoked", "{v}");
    assert!(v["refused"]["message"].as_str().unwrap().contains("enroll it again"), "{v}");
    let r = agent.poll(1).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(r).await, "agent.revoked");
}

async fn repositories_keep_secrets_and_reach_only_linked_agents(db: Db) {
    let app = TestApp::spawn_with(db, |c| c.agents.poll_timeout_secs = 1).await;
    let admin = app.bootstrap().await;
    let repo = admin
        .create_repository(
            &NewRepository::new("offsite", "s3:s3.example.com/bucket", "repo-pass-Sup3rSecret")
                .env("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
                .env("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI-secret"),
        )
        .await;
    assert!(repo.has_password);
    assert_eq!(repo.env_keys, ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]);
    let repo_id = repo.id;
    // Rules the document declares are refused at the edge (request.invalid_body); the
    // ones it can only describe, by the domain. Both name the field.
    for (body, code, field) in [
        (
            json!({ "name": "x", "url": "ftp://nope", "password": "p" }),
            "request.invalid_body",
            "url",
        ),
        (
            json!({ "name": "x", "url": "/srv/r", "password": "" }),
            "request.invalid_body",
            "password",
        ),
        (
            json!({ "name": "x", "url": "/srv/r", "password": "p", "env": { "lower": "v" } }),
            "repository.invalid_env",
            "env",
        ),
        (
            json!({ "name": "x", "url": "/srv/r", "password": "p", "env": { "RESTIC_PASSWORD": "v" } }),
            "repository.invalid_env",
            "env",
        ),
    ] {
        let r = admin.post("/api/v1/repositories", body).await;
        assert_eq!(error_field(r).await, (code.to_string(), Some(field.to_string())));
    }
    let dup = admin
        .post("/api/v1/repositories", json!({ "name": "offsite", "url": "/x", "password": "p" }))
        .await;
    assert_eq!(dup.status(), StatusCode::CONFLICT);
    // Credentials inside a URL are masked in answers; sending the masked URL back keeps it.
    let rest = admin
        .create_repository(&NewRepository::new(
            "rest",
            "rest:https://backup:UrlPass99@r.example.com/",
            "p",
        ))
        .await;
    assert_eq!(rest.url, "rest:https://backup:***@r.example.com/");
    let rid = rest.id;
    admin
        .patch(&format!("/api/v1/repositories/{rid}"), json!({ "url": rest.url, "name": "rest2" }))
        .await;
    let stored = cairn_server::store::repositories::find(app.state().store.db(), rid)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (stored.url.as_str(), stored.name.as_str()),
        ("rest:https://backup:UrlPass99@r.example.com/", "rest2")
    );
    assert!(
        !admin
            .get("/api/v1/audit/export?format=ndjson")
            .await
            .text()
            .await
            .unwrap()
            .contains("UrlPass99")
    );
    admin.delete(&format!("/api/v1/repositories/{rid}")).await;

    let a = admin.enroll_agent("a", &NewEnrollmentToken::linked_to(repo_id)).await;
    let b = admin.enroll_agent("b", &NewEnrollmentToken::default()).await;

    let cfg: Value = a.poll(0).await.json().await.unwrap();
    let repos = &cfg["config"]["repositories"];
    assert_eq!(repos[0]["password"], "repo-pass-Sup3rSecret", "the linked agent gets the secret");
    assert_eq!(repos[0]["env"]["AWS_SECRET_ACCESS_KEY"], "wJalrXUtnFEMI-secret");
    let cfg_b: Value = b.poll(0).await.json().await.unwrap();
    assert!(
        cfg_b["config"]["repositories"].as_array().unwrap().is_empty(),
        "B is not linked: no secret"
    );

    // Editing the password bumps the config of linked hosts only.
    let v1 = cfg["config"]["version"].as_u64().unwrap();
    admin
        .patch(
            &format!("/api/v1/repositories/{repo_id}"),
            json!({ "password": "rotated-pass-2", "env_remove": ["AWS_ACCESS_KEY_ID"] }),
        )
        .await;
    let cfg: Value = a.poll(v1).await.json().await.unwrap();
    assert_eq!(cfg["config"]["repositories"][0]["password"], "rotated-pass-2");
    assert!(cfg["config"]["repositories"][0]["env"].get("AWS_ACCESS_KEY_ID").is_none());
    let vb = cfg_b["config"]["version"].as_u64().unwrap();
    let t0 = Instant::now();
    let again: Value = b.poll(vb).await.json().await.unwrap();
    assert!(again["config"].is_null() && t0.elapsed() >= Duration::from_millis(800));

    // No API answer, audit entry or export carries a secret.
    let everything = [
        admin.get("/api/v1/repositories").await.text().await.unwrap(),
        admin.get(&format!("/api/v1/repositories/{repo_id}")).await.text().await.unwrap(),
        admin.get("/api/v1/audit/export?format=ndjson").await.text().await.unwrap(),
        admin.get("/api/v1/hosts").await.text().await.unwrap(),
    ]
    .join("\n");
    for secret in ["repo-pass-Sup3rSecret", "rotated-pass-2", "wJalrXUtnFEMI-secret", "AKIAEXAMPLE"]
    {
        assert!(!everything.contains(secret), "{secret} leaked");
    }
    // Nor the database in clear text.
    let stored =
        cairn_server::store::repositories::list(app.state().store.db(), &Default::default())
            .await
            .unwrap();
    assert!(!format!("{stored:?}").contains("rotated-pass-2"));

    // In use: cannot be deleted until unlinked.
    let r = admin.delete(&format!("/api/v1/repositories/{repo_id}")).await;
    assert_eq!(error_code(r).await, "repository.in_use");
    let unlinked = admin.link_repositories(a.id.unwrap(), &[]).await;
    assert!(unlinked.repository_ids.is_empty());
    assert_eq!(
        admin.delete(&format!("/api/v1/repositories/{repo_id}")).await.status(),
        StatusCode::NO_CONTENT
    );
}

async fn forged_and_revoked_agent_tokens_are_refused(db: Db) {
    let app = TestApp::spawn_with(db, |c| c.agents.poll_timeout_secs = 1).await;
    let admin = app.bootstrap().await;
    let a = admin.enroll_agent("a", &NewEnrollmentToken::default()).await;
    let host = a.id.unwrap();
    assert_eq!(a.poll(0).await.status(), StatusCode::OK);

    let impostor = SimAgent::new(&app.base, "evil");
    let cases = [
        ("wrong key", impostor.token_with(host, 0, 60, AGENT_AUDIENCE)),
        ("expired", a.token_with(host, -600, 60, AGENT_AUDIENCE)),
        ("future iat", a.token_with(host, 3600, 60, AGENT_AUDIENCE)),
        ("too long", a.token_with(host, 0, 3600, AGENT_AUDIENCE)),
        ("wrong aud", a.token_with(host, 0, 60, "cairn-session")),
        ("unknown host", a.token_with(uuid::Uuid::new_v4(), 0, 60, AGENT_AUDIENCE)),
        ("garbage", "not-a-jwt".to_string()),
    ];
    for (what, token) in cases {
        let r = a.poll_with_token(&token, 1).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{what}");
        let want = match what {
            "expired" | "future iat" => "agent.clock_skew",
            "unknown host" => "agent.revoked",
            _ => "agent.unauthorized",
        };
        assert_eq!(error_code(r).await, want, "{what}");
    }
    // A user's API token is not an agent credential, and agent tokens are not user credentials.
    let pat = app.token(&admin, "x").await;
    assert_eq!(a.poll_with_token(&pat, 1).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.with_token(&a.token()).get("/api/v1/hosts").await.status(),
        StatusCode::UNAUTHORIZED
    );

    // Protocol mismatch: a clear error naming both versions.
    let r = a
        .client
        .post(format!("{}/api/agent/v1/poll", app.base))
        .header(PROTOCOL_HEADER, "999")
        .bearer_auth(a.token())
        .json(&a.poll_request(1))
        .send_checked()
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["code"], "agent.protocol_mismatch");
    assert_eq!(v["details"]["agent_protocol"], 999);

    // Deleting the host revokes the key on the very next request.
    assert_eq!(
        admin.delete(&format!("/api/v1/hosts/{host}")).await.status(),
        StatusCode::NO_CONTENT
    );
    let r = a.poll(1).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(r).await, "agent.revoked");
    let page: Value = admin.get("/api/v1/audit?action=access.denied").await.json().await.unwrap();
    let reasons: Vec<String> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["details"]["reason"].as_str().unwrap_or("").to_string())
        .collect();
    assert!(reasons.iter().any(|r| r.contains("does not match")), "{reasons:?}");
    assert!(reasons.iter().any(|r| r.contains("unknown or deleted host")), "{reasons:?}");
}

async fn announce_and_approve(db: Db) {
    let app = TestApp::spawn_with(db, |c| {
        c.agents.poll_timeout_secs = 1;
        c.agents.announce_per_ip_per_hour = 3;
    })
    .await;
    let admin = app.bootstrap().await;
    // An enrolled host named "dup" makes the next one a duplicate hostname.
    admin.enroll_agent("dup", &NewEnrollmentToken::default()).await;

    let mut a = SimAgent::new(&app.base, "dup");
    let v = a.announce().await;
    assert_eq!(v["state"], "pending");
    assert_eq!(v["fingerprint"], a.fingerprint());
    let st: Value = a.announce_status().await.json().await.unwrap();
    assert_eq!(st["state"], "pending");
    // Announcing again is idempotent (same pending id), not a new request.
    let again = a.announce().await;
    assert_eq!(again["pending_id"], v["pending_id"]);

    let pending = admin.pending_hosts().await;
    let p = &pending.items[0];
    assert_eq!(p.fingerprint, a.fingerprint());
    assert!(p.duplicate_hostname);
    let pid = p.id;

    // Operators may not accept; admins may.
    app.create_user(&admin, "oper", "operator").await;
    let oper = app.login("oper", cairn_testkit::PASSWORD).await;
    assert_eq!(
        oper.post(&format!("/api/v1/pending-hosts/{pid}/accept"), json!({})).await.status(),
        StatusCode::FORBIDDEN
    );
    let r = admin
        .post(&format!("/api/v1/pending-hosts/{pid}/accept"), json!({ "tags": ["lab"] }))
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let host: Value = r.json().await.unwrap();
    let st: Value = a.announce_status().await.json().await.unwrap();
    assert_eq!(st["state"], "accepted");
    assert_eq!(st["host_id"], host["id"]);
    // From now on the agent is that host.
    a.id = st["host_id"].as_str().and_then(|s| s.parse().ok());
    assert_eq!(a.poll(0).await.status(), StatusCode::OK);
    let r = admin.post(&format!("/api/v1/pending-hosts/{pid}/accept"), json!({})).await;
    assert_eq!(error_code(r).await, "announce.already_decided");

    // Rejected: the agent learns it, with the admin's message.
    let mut b = SimAgent::new(&app.base, "stranger");
    b.announce().await;
    let pid = admin.pending_hosts().await.items[0].id;
    let r = admin
        .post(&format!("/api/v1/pending-hosts/{pid}/reject"), json!({ "message": "not ours" }))
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let st: Value = b.announce_status().await.json().await.unwrap();
    assert_eq!(
        (st["state"].as_str(), st["message"].as_str()),
        (Some("rejected"), Some("not ours"))
    );

    // Rate limit per source IP: the third announcement this hour was the last allowed.
    let mut c = SimAgent::new(&app.base, "c");
    c.announce().await;
    let mut d = SimAgent::new(&app.base, "d");
    let body = cairn_proto::AnnounceRequest {
        protocol_version: cairn_proto::PROTOCOL_VERSION,
        public_key: d.public_key(),
        facts: d.facts.clone(),
    };
    let r = d
        .client
        .post(format!("{}/api/agent/v1/announce", app.base))
        .header(PROTOCOL_HEADER, cairn_proto::PROTOCOL_VERSION.to_string())
        .json(&body)
        .send_checked()
        .await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers().contains_key("retry-after"));
    d.id = None;
}

async fn agents_reach_only_their_own_host(db: Db) {
    let app = TestApp::spawn_with(db, |c| c.agents.poll_timeout_secs = 1).await;
    let admin = app.bootstrap().await;
    let a = admin.enroll_agent("a", &NewEnrollmentToken::default()).await;
    let b = admin.enroll_agent("b", &NewEnrollmentToken::default()).await;
    let host_b = b.id.unwrap();
    // A command for B is never delivered to A.
    admin.post(&format!("/api/v1/hosts/{host_b}/ping"), json!({})).await;
    let va: Value = a.poll(1).await.json().await.unwrap();
    assert!(va["commands"].as_array().unwrap().is_empty());
    // A token of A's key claiming to be B is refused.
    let as_b = a.token_with(host_b, 0, 60, AGENT_AUDIENCE);
    assert_eq!(a.poll_with_token(&as_b, 1).await.status(), StatusCode::UNAUTHORIZED);
    // A's token opens no user endpoint about B (or anything else).
    for path in [format!("/api/v1/hosts/{host_b}"), "/api/v1/repositories".to_string()] {
        let r = app.with_token(&a.token()).get(&path).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{path}");
    }
    let vb: Value = b.poll(1).await.json().await.unwrap();
    assert_eq!(vb["commands"].as_array().unwrap().len(), 1);
}

async fn a_command_for_all_reaches_every_host_or_every_tagged_one(db: Db) {
    let app = TestApp::spawn_with(db, |c| c.agents.poll_timeout_secs = 1).await;
    let admin = app.bootstrap().await;
    let mut agents = Vec::new();
    for (name, tags) in [("db-1", &["db"][..]), ("db-2", &["db", "prod"]), ("web-1", &[])] {
        let a = admin.enroll_agent(name, &NewEnrollmentToken::default().tags(tags.to_vec())).await;
        assert_eq!(a.poll_ok(0).await.config.map(|c| c.version), Some(1));
        agents.push(a);
    }
    let pings = |v: &Value| {
        v["commands"].as_array().unwrap().iter().filter(|c| c["action"]["kind"] == "ping").count()
    };

    let r = admin.post("/api/v1/hosts/ping", json!({ "tag": "db" })).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap()["queued"], 2);
    for (a, expected) in agents.iter().zip([1, 1, 0]) {
        let v: Value = a.poll(1).await.json().await.unwrap();
        assert_eq!(pings(&v), expected, "{}: {v}", a.facts.hostname);
    }

    let r = admin.post("/api/v1/hosts/ping", json!({})).await;
    assert_eq!(r.json::<Value>().await.unwrap()["queued"], 3);
    for a in &agents {
        let v: Value = a.poll(1).await.json().await.unwrap();
        assert_eq!(pings(&v), 1, "{}: {v}", a.facts.hostname);
    }
    let listed: Value = admin.get("/api/v1/audit?action=host.ping_all").await.json().await.unwrap();
    let hosts: Vec<_> =
        listed["items"].as_array().unwrap().iter().map(|e| e["details"]["hosts"].clone()).collect();
    assert!(hosts.contains(&json!(2)) && hosts.contains(&json!(3)), "{listed}");
}

/// Ten thousand polls are held at once, each keeping its `HeldPoll::answer` future for
/// the whole hold; reads and config builds after a wake-up are boxed so that future stays
/// small (it was 5.5 KB, 55 MB for the fleet: docs/performance.md).
async fn a_held_poll_keeps_a_small_future(db: Db) {
    use cairn_server::{
        auth::service::Client,
        domain::poll::{Poll, poll},
        store::hosts,
    };
    let app = TestApp::spawn_with(db, |c| c.agents.poll_timeout_secs = 5).await;
    let admin = app.bootstrap().await;
    let agent = admin.enroll_agent("web-1", &NewEnrollmentToken::default()).await;
    let v: Value = agent.poll(0).await.json().await.unwrap();
    let version = v["config"]["version"].as_u64().unwrap();
    let row = hosts::find(app.state().store.db(), agent.id.unwrap()).await.unwrap().unwrap();
    let client = Client { ip: None, user_agent: None };
    let facts = agent.poll_request(version).facts;
    let held = match poll(app.state(), &row, &client, &facts, version, Duration::from_secs(5)).await
    {
        Ok(Poll::Held(held)) => held,
        Ok(Poll::Now(a)) => panic!("nothing to say, yet answered: {:?}", a.commands),
        Err(e) => panic!("poll failed: {e}"),
    };
    let answer = held.answer();
    let size = std::mem::size_of_val(&answer);
    assert!(size <= 1024, "a held poll's future is {size} bytes");
    drop(answer);
}

/// Configs built together (a batch of woken polls) stay each host's own: only its linked
/// repositories with their own secrets, only its schedules, its default hooks and no
/// other host's. Then the same through real held polls, all woken by one change.
async fn configs_built_together_stay_each_hosts_own(db: Db) {
    use cairn_server::{domain::agent_config::agent_configs, store::hosts};
    let app = TestApp::spawn_with(db, |c| c.agents.poll_timeout_secs = 4).await;
    let admin = app.bootstrap().await;
    let alpha =
        admin.create_repository(&NewRepository::new("alpha", "/srv/alpha", "alpha-pass-1")).await;
    let beta =
        admin.create_repository(&NewRepository::new("beta", "/srv/beta", "beta-pass-22")).await;
    let a = admin.enroll_agent("a", &NewEnrollmentToken::linked_to(alpha.id)).await;
    let b = admin.enroll_agent("b", &NewEnrollmentToken::linked_to(beta.id)).await;
    let c = admin.enroll_agent("c", &NewEnrollmentToken::default()).await;
    let (ha, hb, hc) = (a.id.unwrap(), b.id.unwrap(), c.id.unwrap());
    admin.link_repositories(hc, &[beta.id, alpha.id]).await;
    for (host, repo, name) in [(ha, alpha.id, "a-nightly"), (hc, beta.id, "c-hourly")] {
        let body = json!({ "name": name, "repository_id": repo, "cron": "0 * * * *",
                           "backup": { "paths": ["/etc"] } });
        let r = admin.post(&format!("/api/v1/hosts/{host}/schedules"), body).await;
        assert_eq!(r.status(), StatusCode::CREATED);
    }
    let hooks = json!({ "pre": { "command": "echo a-default", "timeout_secs": 60 } });
    let r = admin.put_json(&format!("/api/v1/hosts/{ha}/hooks"), hooks).await;
    assert_eq!(r.status(), StatusCode::OK);

    let db = app.state().store.db();
    let rows = hosts::find_many(db, &[hc, ha, hb]).await.unwrap();
    let by_id = |id| rows.iter().find(|h| h.id == id).unwrap().clone();
    let order = [by_id(hc), by_id(ha), by_id(hb)];
    let configs = agent_configs(app.state(), &order).await.unwrap();
    let repos = |i: usize| -> Vec<(String, String)> {
        configs[i].repositories.iter().map(|r| (r.name.clone(), r.password.clone())).collect()
    };
    let pair = |n: &str, p: &str| (n.to_string(), p.to_string());
    assert_eq!(repos(0), [pair("alpha", "alpha-pass-1"), pair("beta", "beta-pass-22")]);
    assert_eq!(repos(1), [pair("alpha", "alpha-pass-1")]);
    assert_eq!(repos(2), [pair("beta", "beta-pass-22")]);
    let names =
        |i: usize| -> Vec<String> { configs[i].schedules.iter().map(|s| s.name.clone()).collect() };
    assert_eq!(
        (names(0), names(1), names(2)),
        (vec!["c-hourly".into()], vec!["a-nightly".into()], vec![])
    );
    let pre = |i: usize| configs[i].schedules[0].hooks.pre.as_ref().map(|h| h.command.clone());
    assert_eq!(pre(1).as_deref(), Some("echo a-default"));
    assert_eq!(pre(0), None);
    for (i, h) in order.iter().enumerate() {
        assert_eq!(configs[i].version, h.config_version as u64);
    }

    // Real polls: each agent holds a poll at its current version; one repository change
    // gives every linked host a new config, and each held poll answers with its own.
    let mut held = Vec::new();
    for agent in [&a, &b, &c] {
        let v: Value = agent.poll(0).await.json().await.unwrap();
        let version = v["config"]["version"].as_u64().unwrap();
        let url = format!("{}/api/agent/v1/poll", app.base);
        let req = agent.poll_request(version);
        let (client, token) = (agent.client.clone(), agent.token());
        held.push(tokio::spawn(async move {
            let t0 = Instant::now();
            let r = client
                .post(url)
                .header(PROTOCOL_HEADER, cairn_proto::PROTOCOL_VERSION.to_string())
                .bearer_auth(token)
                .json(&req)
                .send_checked()
                .await;
            (version, t0.elapsed(), r.json::<Value>().await.unwrap())
        }));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let r = admin
        .patch(&format!("/api/v1/repositories/{}", alpha.id), json!({ "url": "/srv/alpha-2" }))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let mut answers = Vec::new();
    for h in held {
        answers.push(tokio::time::timeout(Duration::from_secs(10), h).await.unwrap().unwrap());
    }
    let urls = |v: &Value| -> Vec<String> {
        v["config"]["repositories"]
            .as_array()
            .map_or(vec![], |a| a.iter().map(|r| r["url"].as_str().unwrap().to_string()).collect())
    };
    // a and c are linked to alpha: woken at once with their own new config; b's poll stays
    // held to its deadline (at least 3.6 s of the 4) and ends empty.
    for (i, urls_now) in [(0, vec!["/srv/alpha-2"]), (2, vec!["/srv/alpha-2", "/srv/beta"])] {
        let (version, took, answer) = &answers[i];
        assert!(answer["config"]["version"].as_u64().unwrap() > *version, "{answer}");
        assert_eq!(urls(answer), urls_now);
        assert!(*took < Duration::from_secs(3), "woken after {took:?}");
    }
    let (_, took, answer) = &answers[1];
    assert!(answer["config"].is_null(), "b is not linked to alpha: {answer}");
    assert!(*took >= Duration::from_millis(3500), "b answered after {took:?}");
}

db_tests!(
    a_command_for_all_reaches_every_host_or_every_tagged_one,
    configs_built_together_stay_each_hosts_own,
    a_held_poll_keeps_a_small_future,
    enroll_with_token_once,
    poll_holds_then_delivers_at_once,
    repositories_keep_secrets_and_reach_only_linked_agents,
    forged_and_revoked_agent_tokens_are_refused,
    announce_and_approve,
    agents_reach_only_their_own_host,
);
