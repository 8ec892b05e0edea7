//! The `cairn-server` binary itself: the committed OpenAPI document is what the code
//! generates, config validation, the offline admin commands, and SIGTERM shutdown.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test stops at a failed setup")]

use std::{
    io::{Read, Write},
    net::TcpStream,
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use cairn_server::{
    AppState, Config,
    auth::{Role, password},
    domain::{
        audit::Actor,
        users::{self, NewUser},
    },
    store::users as user_store,
};

const BIN: &str = env!("CARGO_BIN_EXE_cairn-server");

fn sqlite_config(dir: &std::path::Path) -> Config {
    Config {
        data_dir: dir.to_path_buf(),
        database_url: format!("sqlite://{}", dir.join("cairn.db").display()),
        ..Config::default()
    }
}

fn cmd(dir: &std::path::Path) -> Command {
    let mut c = Command::new(BIN);
    c.env_clear()
        .env("CAIRN_DATA_DIR", dir)
        .env("CAIRN_DATABASE_URL", format!("sqlite://{}", dir.join("cairn.db").display()));
    c
}

#[test]
fn committed_openapi_document_is_current() {
    let out = Command::new(BIN).arg("openapi").output().unwrap();
    assert!(out.status.success());
    let generated = String::from_utf8(out.stdout).unwrap();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../openapi/cairn.json");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        generated == committed,
        "openapi/cairn.json is stale: run `make openapi` and commit the result"
    );
}

#[test]
fn check_config_validates_and_masks_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "listen = \"127.0.0.1:1\"\n[auth]\nsession_ttl = 5\n").unwrap();
    let out = Command::new(BIN).args(["check-config", "--config"]).arg(&bad).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("session_ttl"), "{err}");

    let good = dir.path().join("good.toml");
    std::fs::write(&good, "database_url = \"postgres://cairn:hunter2@db/cairn\"\n").unwrap();
    let out = Command::new(BIN).args(["check-config", "--config"]).arg(&good).output().unwrap();
    assert!(out.status.success());
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(
        shown.contains("postgres://cairn:***@db/cairn") && !shown.contains("hunter2"),
        "{shown}"
    );

    // A misspelt variable is reported (not fatal: shells and tools set CAIRN_* of their own).
    let out = Command::new(BIN)
        .arg("check-config")
        .env("CAIRN_AUTH_LOCAL_LOGN", "false")
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("warning: ignoring environment variable CAIRN_AUTH_LOCAL_LOGN"), "{err}");
    // A bad value in a known variable is fatal.
    let out = Command::new(BIN)
        .arg("check-config")
        .env("CAIRN_AUTH_LOCAL_LOGIN", "maybe")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("CAIRN_AUTH_LOCAL_LOGIN"));
}

#[test]
fn admin_reset_password_and_audit_verify() {
    let dir = tempfile::tempdir().unwrap();
    let config = sqlite_config(dir.path());
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let state = AppState::open(config.clone()).await.unwrap();
        let new = NewUser {
            username: "alice".into(),
            display_name: None,
            email: None,
            role: Role::Admin,
            password: "the-original-secret-1".into(),
            bindings: Vec::new(),
        };
        users::create(&state.store, &Actor::system(), new, 12).await.unwrap();
        state.store.clone().close().await;
    });

    let out = cmd(dir.path()).args(["admin", "reset-password", "Alice"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let new_pw = stdout
        .lines()
        .find_map(|l| l.strip_prefix("New password for Alice: "))
        .expect("the new password is printed")
        .to_string();

    let mut child = cmd(dir.path())
        .args(["admin", "reset-password", "alice", "--password-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"chosen-by-the-operator-7\n").unwrap();
    assert!(child.wait().unwrap().success());

    let out = cmd(dir.path()).args(["admin", "reset-password", "nobody"]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("user not found"));

    let out = cmd(dir.path()).args(["admin", "audit-verify"]).output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("All 3 events are intact"));

    rt.block_on(async {
        let state = AppState::open(config).await.unwrap();
        let row = user_store::find_by_username(state.store.db(), "alice").await.unwrap().unwrap();
        assert!(
            password::verify("chosen-by-the-operator-7".into(), row.password_hash.clone()).await
        );
        assert!(!password::verify(new_pw, row.password_hash).await);
        let events = cairn_server::store::audit::list(
            state.store.db(),
            &cairn_server::store::audit::AuditFilter {
                action: Some("user.password_reset".into()),
                ..Default::default()
            },
            None,
            None,
            10,
        )
        .await
        .unwrap();
        assert_eq!(events.len(), 2);
        assert!(events.iter().all(|e| e.actor_kind == "cli"));
    });
}

fn get(addr: &str, path: &str) -> Option<String> {
    let mut s = TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    write!(s, "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").ok()?;
    let mut out = String::new();
    s.read_to_string(&mut out).ok()?;
    Some(out)
}

#[test]
fn serve_logs_setup_token_and_stops_on_sigterm() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    // Port 0: the kernel picks a free port, which the log then names (no race with
    // other tests for a port chosen in advance).
    let mut child = cmd(dir.path())
        .arg("serve")
        .env("CAIRN_LISTEN", "127.0.0.1:0")
        .env("CAIRN_LOG_FORMAT", "json")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut logs = String::new();
    let addr = loop {
        let line = rx.recv_timeout(Duration::from_secs(30)).expect("server logs its address");
        logs.push_str(&line);
        logs.push('\n');
        if let Some(rest) = line.split("listening on http://").nth(1) {
            break rest.split(['"', ' ']).next().unwrap().to_string();
        }
    };
    let started = Instant::now();
    while get(&addr, "/readyz").is_none_or(|r| !r.starts_with("HTTP/1.1 200")) {
        assert!(started.elapsed() < Duration::from_secs(30), "server did not become ready");
        std::thread::sleep(Duration::from_millis(100));
    }
    let token = std::fs::read_to_string(dir.path().join("setup-token")).unwrap();
    use std::os::unix::fs::PermissionsExt;
    for private in ["cairn.db", "secret.key", "setup-token"] {
        let mode = std::fs::metadata(dir.path().join(private)).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "{private} must be owner-only, is {mode:o}");
    }
    let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let t0 = Instant::now();
    let code = loop {
        if let Some(code) = child.try_wait().unwrap() {
            break code;
        }
        assert!(t0.elapsed() < Duration::from_secs(15), "no graceful exit after SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    reader.join().unwrap();
    logs.extend(rx.try_iter().map(|l| l + "\n"));
    child.stderr.take().unwrap().read_to_string(&mut logs).unwrap();
    assert!(code.success(), "exit {code:?}\n{logs}");
    assert!(logs.contains(token.trim()), "the setup token is logged for the first sign-in");
    // JSON logs: request lines carry the request id.
    let lines: Vec<&str> = logs.lines().filter(|l| l.starts_with('{')).collect();
    assert!(lines.iter().any(|l| l.contains("\"id\":") && l.contains("/readyz")), "{logs}");
    assert!(logs.contains("shutting down"));
}
