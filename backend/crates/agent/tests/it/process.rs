//! The real cairn-agent binary against the real server: enroll with a token and run
//! (host online, config delivered sealed, commands received), announce and get accepted
//! or rejected, revocation stopping the agent, and back-off while the server is away.

use std::{
    process::Stdio,
    time::{Duration, Instant},
};

use crate::common::{agent, capture, wait_for};
use cairn_testkit::{
    Db, Session, TestApp,
    api::{Host, HostStatus, NewEnrollmentToken, NewRepository, QueuedCommand},
    db_tests, expect_json,
};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// The first host once it satisfies `f`. A list read while a poll is being recorded may
/// still show the state before that poll (and, with a heartbeat stamped a moment after the
/// list request began, even "offline"), so the test asks again.
async fn host_until(admin: &Session, f: impl Fn(&Host) -> bool) -> Host {
    let t0 = Instant::now();
    loop {
        let hosts = admin.hosts().await;
        if let Some(h) = hosts.items.first().filter(|h| f(h)) {
            return h.clone();
        }
        assert!(t0.elapsed() < Duration::from_secs(10), "{hosts:#?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn token_enroll_run_and_revoke(db: Db) {
    let app = TestApp::spawn_with(db, |c| c.agents.poll_timeout_secs = 2).await;
    let admin = app.bootstrap().await;
    let repo = admin
        .create_repository(&NewRepository::new("local", "/srv/restic", "agent-side-secret-1"))
        .await;
    let t = admin.enrollment_token(&NewEnrollmentToken::linked_to(repo.id).tags(["e2e"])).await;
    let state = tempfile::tempdir().unwrap();
    let out = agent(state.path())
        .args(["enroll", "--server", &app.base, "--token", &t.secret])
        .env("CAIRN_AGENT_HOSTNAME", "agent-one")
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("Enrolled as host"));
    // The token is spent: enrolling again with it fails clearly.
    let other = tempfile::tempdir().unwrap();
    let again = agent(other.path())
        .args(["enroll", "--server", &app.base, "--token", &t.secret])
        .output()
        .await
        .unwrap();
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already used"));

    let mut run = agent(state.path())
        .arg("run")
        .env("CAIRN_AGENT_HOSTNAME", "agent-one")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut log = capture(&mut run);
    wait_for("config applied", 20, || log.lock().contains("config applied")).await;
    // The server learns the applied version from the poll after "config applied".
    let h = host_until(&admin, |h| h.applied_config_version == h.config_version).await;
    assert_eq!((h.hostname.as_str(), h.status), ("agent-one", HostStatus::Online));
    assert_eq!(h.tags, ["e2e"]);
    assert_eq!(h.repository_ids, [repo.id]);
    // The repository password reached the host sealed, never in clear text.
    let sealed = std::fs::read_to_string(state.path().join("config.enc")).unwrap();
    assert!(!sealed.contains("agent-side-secret-1"));
    for f in ["agent.key", "state.json", "secrets.key", "config.enc"] {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(state.path().join(f)).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "{f} is {mode:o}");
    }
    let status = agent(state.path()).arg("status").output().await.unwrap();
    assert!(String::from_utf8_lossy(&status.stdout).contains("Repositories:    local"));

    // A test command reaches the running agent.
    let host = h.id;
    let r = admin.post(&format!("/api/v1/hosts/{host}/ping"), json!({})).await;
    let ping: QueuedCommand = expect_json(r, StatusCode::ACCEPTED, "ping").await;
    let cid = ping.command_id.to_string();
    wait_for("ping received", 10, || log.lock().contains(&cid)).await;

    // Deleting the host: the agent is told on its next request and stops with a reason.
    admin.delete(&format!("/api/v1/hosts/{host}")).await;
    let code = tokio::time::timeout(Duration::from_secs(15), run.wait())
        .await
        .expect("agent stops")
        .unwrap();
    log.drain().await;
    assert_eq!(code.code(), Some(3), "{}", log.lock());
    assert!(log.lock().contains("no longer accepts this host"));
}

async fn announce_accept_and_reject(db: Db) {
    let app = TestApp::spawn_with(db, |c| c.agents.poll_timeout_secs = 2).await;
    let admin = app.bootstrap().await;
    let state = tempfile::tempdir().unwrap();
    let mut enroll = agent(state.path())
        .args(["enroll", "--server", &app.base, "--announce"])
        .env("CAIRN_AGENT_HOSTNAME", "asker")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut log = capture(&mut enroll);
    wait_for("fingerprint printed", 10, || log.lock().contains("Waiting for an administrator"))
        .await;
    let printed = log
        .lock()
        .lines()
        .find_map(|l| l.strip_prefix("Fingerprint: ").map(str::to_string))
        .unwrap();
    let pending = admin.pending_hosts().await;
    assert_eq!(pending.items[0].fingerprint, printed, "the admin sees what the host printed");
    let pid = pending.items[0].id;
    admin.post(&format!("/api/v1/pending-hosts/{pid}/accept"), json!({})).await;
    let code = tokio::time::timeout(Duration::from_secs(15), enroll.wait())
        .await
        .expect("enroll ends")
        .unwrap();
    log.drain().await;
    assert!(code.success(), "{}", log.lock());
    assert!(log.lock().contains("Accepted as host"));
    let mut run = agent(state.path())
        .arg("run")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let run_log = capture(&mut run);
    wait_for("connected", 15, || run_log.lock().contains("connected")).await;
    let host = host_until(&admin, |h| h.status == HostStatus::Online).await;
    assert_eq!(host.fingerprint, printed);

    // Rejected: the agent exits 1 and says why.
    let other = tempfile::tempdir().unwrap();
    let mut enroll = agent(other.path())
        .args(["enroll", "--server", &app.base, "--announce"])
        .env("CAIRN_AGENT_HOSTNAME", "stranger")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut log = capture(&mut enroll);
    wait_for("waiting", 10, || log.lock().contains("Waiting for an administrator")).await;
    let pid = admin.pending_hosts().await.items[0].id;
    admin
        .post(
            &format!("/api/v1/pending-hosts/{pid}/reject"),
            json!({ "message": "unknown machine" }),
        )
        .await;
    let code = tokio::time::timeout(Duration::from_secs(15), enroll.wait())
        .await
        .expect("enroll ends")
        .unwrap();
    log.drain().await;
    assert_eq!(code.code(), Some(1));
    assert!(log.lock().contains("rejected this host: unknown machine"));
}

db_tests!(token_enroll_run_and_revoke, announce_accept_and_reject);

#[tokio::test]
async fn backs_off_while_the_server_is_away() {
    // A state dir enrolled with a server that is not there (a closed port).
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let state = tempfile::tempdir().unwrap();
    let st = cairn_agent::state::State {
        server_url: format!("http://127.0.0.1:{port}"),
        host_id: Some(uuid::Uuid::new_v4()),
        pending_id: None,
        config_version: 0,
        pin: None,
    };
    cairn_agent::state::StateDir::new(state.path()).save(&st).unwrap();
    cairn_agent::identity::Identity::load_or_create(state.path()).unwrap();
    let mut run = agent(state.path())
        .arg("run")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let log = capture(&mut run);
    tokio::time::sleep(Duration::from_secs(8)).await;
    run.start_kill().unwrap();
    let retries = log.lock().matches("retrying in").count();
    // 1 s, 2 s, 4 s steps with jitter: a handful of attempts in 8 s, never a tight loop.
    assert!((2..=7).contains(&retries), "{retries} retries:\n{}", log.lock());
}

/// HTTPS with a self-signed certificate: the install command carries the pin, an agent
/// with the pin enrolls and runs, one with a wrong pin or none is refused with a message
/// that says why.
#[tokio::test]
async fn self_signed_tls_with_pin() {
    let app = TestApp::spawn_with(Db::Sqlite, |c| {
        c.tls.mode = "self_signed".into();
        c.agents.poll_timeout_secs = 2;
    })
    .await;
    assert!(app.base.starts_with("https://"));
    let admin = app.bootstrap().await;
    let info: Value = app.anonymous().get("/api/v1/info").await.json().await.unwrap();
    let pin = info["tls"]["fingerprint"].as_str().unwrap().to_string();
    assert_eq!(info["tls"]["mode"], "self_signed");
    let r = admin.get("/api/v1/users/me").await;
    assert!(r.headers().get("strict-transport-security").is_some(), "HSTS over https");
    let t = admin.enrollment_token(&NewEnrollmentToken::default()).await;
    assert_eq!(t.pin.as_deref(), Some(pin.as_str()));
    let cmd = &t.install_command;
    assert!(cmd.contains(&format!("--pin {pin}")) && cmd.contains("--server https://"), "{cmd}");
    let secret = t.secret.as_str();

    // No pin: the system trust store does not know this certificate.
    let state = tempfile::tempdir().unwrap();
    let out = agent(state.path())
        .args(["enroll", "--server", &app.base, "--token", secret])
        .output()
        .await
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.to_lowercase().contains("certificate"), "{err}");

    // A wrong pin: refused, and the message shows both fingerprints.
    let wrong = cairn_proto::fingerprint(b"some other certificate");
    let out = agent(state.path())
        .args(["enroll", "--server", &app.base, "--token", secret, "--pin", &wrong])
        .output()
        .await
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("does not match the pinned fingerprint") && err.contains(&pin), "{err}");

    // A pin on plain http makes no sense: a usage error.
    let out = agent(state.path())
        .args(["enroll", "--server", "http://127.0.0.1:1", "--token", secret, "--pin", &pin])
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("needs an https://"));

    // The right pin, in openssl's hex spelling: enrolled (the token was not spent above).
    let hex = info["tls"]["fingerprint_hex"].as_str().unwrap();
    let out = agent(state.path())
        .args(["enroll", "--server", &app.base, "--token", secret, "--pin", hex])
        .env("CAIRN_AGENT_HOSTNAME", "pinned-host")
        .output()
        .await
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut run = agent(state.path())
        .arg("run")
        .env("CAIRN_AGENT_HOSTNAME", "pinned-host")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let _log = capture(&mut run);
    let t0 = Instant::now();
    loop {
        let hosts = admin.hosts().await;
        if let Some(h) = hosts.items.first().filter(|h| h.status == HostStatus::Online) {
            assert_eq!(h.hostname, "pinned-host");
            break;
        }
        assert!(t0.elapsed() < Duration::from_secs(20), "host never came online over TLS");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let _ = run.kill().await;
}
