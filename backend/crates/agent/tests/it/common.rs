//! Shared by the agent's integration tests: running the real cairn-agent binary and
//! capturing its output, waiting for conditions.
#![allow(dead_code)]

use std::{
    os::unix::process::ExitStatusExt,
    path::{Path, PathBuf},
    process::Stdio,
    time::{Duration, Instant},
};

use cairn_testkit::{
    ADMIN, PASSWORD, Session,
    api::{JobStatus, NewEnrollmentToken, NewRepository},
};
use serde_json::{Value, json};
use tokio::{
    io::{AsyncBufReadExt, BufReader},
    process::{Child, Command},
};
use uuid::Uuid;

pub const AGENT: &str = env!("CARGO_BIN_EXE_cairn-agent");

/// The agent binary under test: this build's, or $CAIRN_TEST_AGENT (e.g. a release build
/// for the CPU figures).
pub fn agent_binary() -> std::path::PathBuf {
    std::env::var_os("CAIRN_TEST_AGENT").map(Into::into).unwrap_or_else(|| AGENT.into())
}

pub fn agent(state: &std::path::Path) -> Command {
    let mut c = Command::new(agent_binary());
    c.arg("--state-dir").arg(state).env("RUST_LOG", "info").kill_on_drop(true);
    c
}

pub struct Captured {
    buf: std::sync::Arc<std::sync::Mutex<String>>,
    readers: Vec<tokio::task::JoinHandle<()>>,
}

impl Captured {
    pub fn lock(&self) -> std::sync::MutexGuard<'_, String> {
        self.buf.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// After the process exited: wait until every line it wrote has been read.
    pub async fn drain(&mut self) {
        for r in self.readers.drain(..) {
            let _ = tokio::time::timeout(Duration::from_secs(5), r).await;
        }
    }
}

/// Collects a child's stdout and stderr lines into a shared buffer.
pub fn capture(child: &mut Child) -> Captured {
    let buf = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let mut readers = Vec::new();
    for stream in [
        child.stdout.take().map(|s| Box::new(s) as Box<dyn tokio::io::AsyncRead + Unpin + Send>),
        child.stderr.take().map(|s| Box::new(s) as Box<_>),
    ]
    .into_iter()
    .flatten()
    {
        let buf = buf.clone();
        readers.push(tokio::spawn(async move {
            let mut lines = BufReader::new(stream).lines();
            while let Ok(Some(l)) = lines.next_line().await {
                if let Ok(mut b) = buf.lock() {
                    b.push_str(&l);
                    b.push('\n');
                }
            }
        }));
    }
    Captured { buf, readers }
}

pub async fn wait_for<F: Fn() -> bool>(what: &str, secs: u64, f: F) {
    let t0 = Instant::now();
    while !f() {
        assert!(t0.elapsed() < Duration::from_secs(secs), "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The hostname the agents of these tests report.
pub const HOSTNAME: &str = "e2e-host";

/// The real restic: /usr/bin/restic, or $CAIRN_TEST_RESTIC.
pub fn restic_path() -> PathBuf {
    let p = std::env::var_os("CAIRN_TEST_RESTIC")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/restic"));
    assert!(p.exists(), "restic not found at {} (apt-get install restic)", p.display());
    p
}

/// `cairn-agent run` with its state in `<tmp>/state`, output captured.
pub fn spawn_agent(tmp: &Path) -> (Child, Captured) {
    spawn_agent_as(tmp, HOSTNAME)
}

/// [`spawn_agent`] for a host named `hostname`.
pub fn spawn_agent_as(tmp: &Path, hostname: &str) -> (Child, Captured) {
    let mut child = agent(&tmp.join("state"))
        .arg("run")
        .env("CAIRN_AGENT_HOSTNAME", hostname)
        .env("CAIRN_AGENT_RESTIC", restic_path())
        .env("RESTIC_CACHE_DIR", tmp.join("cache"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let log = capture(&mut child);
    (child, log)
}

/// Random data: restic can neither dedup nor compress it, so a backup takes a while.
pub fn random_dir(dir: &Path, files: usize, mib: usize) -> PathBuf {
    use std::io::{Read, Write};
    std::fs::create_dir_all(dir).unwrap();
    let mut urandom = std::fs::File::open("/dev/urandom").unwrap();
    let mut buf = vec![0u8; 1 << 20];
    for i in 0..files {
        let mut f = std::fs::File::create(dir.join(format!("blob{i}"))).unwrap();
        for _ in 0..mib {
            urandom.read_exact(&mut buf).unwrap();
            f.write_all(&buf).unwrap();
        }
    }
    dir.to_owned()
}

// ---- the server as a process of its own (stopped and restarted by some tests) ----------

/// The cairn-server binary of this build: beside cairn-agent in the target dir, or
/// $CAIRN_SERVER_BIN. Cargo builds it only for the server crate's own tests (or on request),
/// so `cargo nextest run --workspace` has it, fresh; `-p cairn-agent` alone does not build
/// it, hence the checks that it is there and not older than what it is built from.
pub fn server_binary() -> PathBuf {
    if let Some(bin) = std::env::var_os("CAIRN_SERVER_BIN") {
        return bin.into();
    }
    let bin = Path::new(AGENT).with_file_name("cairn-server");
    let build = "build it with `cargo build -p cairn-server` (`make test`, i.e. `cargo nextest run --workspace`, does)";
    let built = std::fs::metadata(&bin)
        .and_then(|m| m.modified())
        .unwrap_or_else(|_| panic!("{} is missing: {build}", bin.display()));
    // Cargo's dep-info file beside the binary lists every source it was built from.
    let deps = std::fs::read_to_string(bin.with_extension("d")).unwrap_or_default();
    let stale = deps
        .split_once(": ")
        .map(|(_, list)| list.split_whitespace())
        .into_iter()
        .flatten()
        .map(PathBuf::from)
        .find(|src| std::fs::metadata(src).and_then(|m| m.modified()).is_ok_and(|t| t > built));
    if let Some(src) = stale {
        panic!("{} is older than {}: re{build}", bin.display(), src.display());
    }
    bin
}

/// `cairn-server serve` as a child process on `data`, listening on `port`.
pub fn start_server(bin: &Path, data: &Path, port: u16) -> (Child, Captured) {
    start_server_with(bin, data, port, &[])
}

/// [`start_server`] with more `CAIRN_*` settings.
pub fn start_server_with(
    bin: &Path,
    data: &Path,
    port: u16,
    env: &[(&str, &str)],
) -> (Child, Captured) {
    let mut cmd = Command::new(bin);
    // Only this test's configuration (a developer's CAIRN_CONFIG etc. stay out).
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("CAIRN_") {
            cmd.env_remove(k);
        }
    }
    let mut child = cmd
        .arg("serve")
        .env("CAIRN_DATA_DIR", data)
        .env("CAIRN_DATABASE_URL", format!("sqlite://{}", data.join("cairn.db").display()))
        .env("CAIRN_LISTEN", format!("127.0.0.1:{port}"))
        .env("CAIRN_AGENTS_POLL_TIMEOUT_SECS", "2")
        .env("CAIRN_LOG_LEVEL", "info")
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", bin.display()));
    let log = capture(&mut child);
    (child, log)
}

pub async fn wait_ready(server: &mut Child, log: &mut Captured, base: &str) {
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let t0 = Instant::now();
    loop {
        if let Ok(Some(status)) = server.try_wait() {
            log.drain().await;
            panic!("the server exited ({status}):\n{}", log.lock());
        }
        let ready = http.get(format!("{base}/readyz")).send().await;
        if ready.is_ok_and(|r| r.status().is_success()) {
            return;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(60),
            "the server is not ready after 60 s:\n{}",
            log.lock()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// SIGKILL: no shutdown of any kind, whatever the process was doing.
pub async fn sigkill(child: &mut Child) {
    child.start_kill().unwrap();
    let status = child.wait().await.unwrap();
    assert_eq!(status.signal(), Some(libc::SIGKILL), "{status}");
}

pub async fn json_of(r: reqwest::Response, what: &str) -> Value {
    let status = r.status();
    let text = r.text().await.unwrap_or_default();
    assert!(status.is_success(), "{what}: {status} {text}");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{what}: {e}: {text}"))
}

/// A fresh install driven as processes: the server (setup done, signed in as the admin),
/// a local repository, initialised, and an enrolled agent running with its config applied.
pub struct Install {
    pub bin: PathBuf,
    pub data: PathBuf,
    pub port: u16,
    pub base: String,
    pub server: Child,
    pub server_log: Captured,
    pub admin: Session,
    pub repo: Uuid,
    pub host: Uuid,
    pub agent: Child,
    pub agent_log: Captured,
}

impl Install {
    pub async fn new(tmp: &Path, repo_password: &str) -> Install {
        let bin = server_binary();
        let data = tmp.join("server");
        std::fs::create_dir_all(&data).unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let base = format!("http://127.0.0.1:{port}");
        let (mut server, mut server_log) = start_server(&bin, &data, port);
        wait_ready(&mut server, &mut server_log, &base).await;
        let admin = Session::browser_at(&base);
        let token =
            std::fs::read_to_string(data.join("setup-token")).expect("the setup token file");
        let r = admin
            .post(
                "/api/v1/setup",
                json!({ "token": token.trim(), "username": ADMIN, "password": PASSWORD }),
            )
            .await;
        json_of(r, "setup").await;
        let url = tmp.join("repo").to_string_lossy().into_owned();
        let repo =
            admin.create_repository(&NewRepository::new("local", &url, repo_password)).await.id;
        let t = admin.enrollment_token(&NewEnrollmentToken::linked_to(repo)).await;
        let out = agent(&tmp.join("state"))
            .args(["enroll", "--server", &base, "--token", &t.secret])
            .output()
            .await
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let (agent_proc, agent_log) = spawn_agent(tmp);
        wait_for("config applied", 60, || agent_log.lock().contains("config applied")).await;
        let host = admin.hosts().await.items[0].id;
        let install = Install {
            bin,
            data,
            port,
            base,
            server,
            server_log,
            admin,
            repo,
            host,
            agent: agent_proc,
            agent_log,
        };
        let init = install.admin.init_repository(repo, host).await;
        let t0 = Instant::now();
        loop {
            let j = install.admin.job(init.id).await;
            if j.status.is_final() {
                assert_eq!(j.status, JobStatus::Succeeded, "{j:#?}\n{}", install.logs());
                break;
            }
            assert!(
                t0.elapsed() < Duration::from_secs(120),
                "init did not end\n{}",
                install.logs()
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        install
    }

    /// Starts the server again on the same data and port (after [`sigkill`]) and signs in.
    pub async fn restart_server(&mut self) -> Captured {
        let (mut server, mut log) = start_server(&self.bin, &self.data, self.port);
        wait_ready(&mut server, &mut log, &self.base).await;
        self.server = server;
        let old = std::mem::replace(&mut self.server_log, log);
        self.admin = Session::browser_at(&self.base);
        let r = self
            .admin
            .post("/api/v1/auth/login", json!({ "username": ADMIN, "password": PASSWORD }))
            .await;
        json_of(r, "login").await;
        old
    }

    pub fn logs(&self) -> String {
        format!("server log:\n{}\nagent log:\n{}", self.server_log.lock(), self.agent_log.lock())
    }
}
