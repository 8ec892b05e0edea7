//! Shared by the agent's integration tests: running the real cairn-agent binary and
//! capturing its output, waiting for conditions.
#![allow(dead_code)]

use std::{
    path::{Path, PathBuf},
    process::Stdio,
    time::{Duration, Instant},
};

use tokio::{
    io::{AsyncBufReadExt, BufReader},
    process::{Child, Command},
};

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
    let mut child = agent(&tmp.join("state"))
        .arg("run")
        .env("CAIRN_AGENT_HOSTNAME", HOSTNAME)
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
