//! Real receivers for notifications in tests: an HTTP receiver on 127.0.0.1 that records
//! every request (webhooks, and ntfy's publish API: no ntfy server package installs here,
//! so this receiver stands in for ntfy's server and the test checks ntfy's JSON publish
//! format itself), and a real SMTP server, Debian's `python3-aiosmtpd`, writing each
//! message into a maildir (optionally with STARTTLS or implicit TLS).

use std::{
    collections::BTreeMap,
    path::PathBuf,
    process::Stdio,
    sync::{Arc, Mutex},
    time::Duration,
};

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpListener,
};

/// One request the receiver got.
#[derive(Clone, Debug)]
pub struct Received {
    pub method: String,
    pub path: String,
    /// Header names lower-cased.
    pub headers: BTreeMap<String, String>,
    pub body: Vec<u8>,
}

impl Received {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

/// An HTTP/1.1 receiver answering each request with the next status of `script` (the
/// last one repeats), with an optional `Location` for redirects.
pub struct HttpReceiver {
    pub url: String,
    pub port: u16,
    got: Arc<Mutex<Vec<Received>>>,
    task: tokio::task::JoinHandle<()>,
}

impl HttpReceiver {
    pub async fn start(script: Vec<(u16, Option<String>)>) -> HttpReceiver {
        Self::start_on(0, script).await
    }

    /// [`HttpReceiver::start`] on a given port (0: any free one).
    pub async fn start_on(port: u16, script: Vec<(u16, Option<String>)>) -> HttpReceiver {
        let listener = TcpListener::bind(("127.0.0.1", port)).await.expect("bind the receiver");
        let port = listener.local_addr().expect("receiver address").port();
        let got: Arc<Mutex<Vec<Received>>> = Arc::default();
        let seen = got.clone();
        let task = tokio::spawn(async move {
            let mut n = 0usize;
            loop {
                let Ok((mut sock, _)) = listener.accept().await else { return };
                let (status, location) = script
                    .get(n.min(script.len().saturating_sub(1)))
                    .cloned()
                    .unwrap_or((200, None));
                n += 1;
                let seen = seen.clone();
                tokio::spawn(async move {
                    if let Some(r) = read_request(&mut sock).await {
                        seen.lock().expect("receiver lock").push(r);
                    }
                    let loc = location.map(|l| format!("Location: {l}\r\n")).unwrap_or_default();
                    let answer = format!(
                        "HTTP/1.1 {status} X\r\n{loc}Content-Length: 0\r\nConnection: close\r\n\r\n"
                    );
                    let _ = sock.write_all(answer.as_bytes()).await;
                    let _ = sock.shutdown().await;
                });
            }
        });
        HttpReceiver { url: format!("http://127.0.0.1:{port}"), port, got, task }
    }

    pub fn received(&self) -> Vec<Received> {
        self.got.lock().expect("receiver lock").clone()
    }

    /// Waits until at least `n` requests came (at most `secs`), and returns them all.
    pub async fn wait_for(&self, n: usize, secs: u64) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
        loop {
            let got = self.received();
            if got.len() >= n || tokio::time::Instant::now() > deadline {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for HttpReceiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn read_request(sock: &mut tokio::net::TcpStream) -> Option<Received> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let n = tokio::time::timeout(Duration::from_secs(10), sock.read(&mut chunk))
            .await
            .ok()?
            .ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let (method, path) = (first.next()?.to_string(), first.next()?.to_string());
    let headers: BTreeMap<String, String> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_lowercase(), v.trim().to_string()))
        .collect();
    let len: usize = headers.get("content-length").and_then(|l| l.parse().ok()).unwrap_or(0);
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < len {
        let n = tokio::time::timeout(Duration::from_secs(10), sock.read(&mut chunk))
            .await
            .ok()?
            .ok()?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some(Received { method, path, headers, body })
}

/// How the SMTP server speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmtpMode {
    Plain,
    /// STARTTLS offered and required.
    Starttls,
    /// TLS from the first byte.
    Tls,
}

/// Debian's aiosmtpd, storing each message it accepts in a maildir.
pub struct SmtpServer {
    pub port: u16,
    /// The server's certificate (PEM) when it speaks TLS: a channel trusts it.
    pub cert_pem: Option<String>,
    dir: tempfile::TempDir,
    child: tokio::process::Child,
}

impl SmtpServer {
    pub async fn start(mode: SmtpMode) -> SmtpServer {
        let dir = tempfile::tempdir().expect("maildir");
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").expect("free port");
            l.local_addr().expect("port").port()
        };
        let maildir: PathBuf = dir.path().join("mail");
        let mut cmd = tokio::process::Command::new("/usr/bin/python3");
        cmd.args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")]);
        let mut cert_pem = None;
        if mode != SmtpMode::Plain {
            let (cert, key) = cairn_server::http::tls::generate(&["localhost".to_string()])
                .expect("a test certificate");
            let (c, k) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
            std::fs::write(&c, &cert).expect("write cert");
            std::fs::write(&k, &key).expect("write key");
            let (cf, kf) = if mode == SmtpMode::Tls {
                ("--smtpscert", "--smtpskey")
            } else {
                ("--tlscert", "--tlskey")
            };
            cmd.arg(cf).arg(&c).arg(kf).arg(&k);
            cert_pem = Some(cert);
        }
        cmd.args(["-c", "aiosmtpd.handlers.Mailbox"]).arg(&maildir);
        let child = cmd
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("start aiosmtpd (apt-get install python3-aiosmtpd)");
        // Ready once it accepts connections.
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        SmtpServer { port, cert_pem, dir, child }
    }

    /// The raw messages received so far.
    pub fn messages(&self) -> Vec<String> {
        let new = self.dir.path().join("mail").join("new");
        let mut out: Vec<(std::time::SystemTime, String)> = std::fs::read_dir(new)
            .map(|rd| {
                rd.flatten()
                    .filter_map(|e| {
                        let t = e.metadata().ok()?.modified().ok()?;
                        Some((t, std::fs::read_to_string(e.path()).ok()?))
                    })
                    .collect()
            })
            .unwrap_or_default();
        out.sort_by_key(|(t, _)| *t);
        out.into_iter().map(|(_, m)| m).collect()
    }

    pub async fn wait_for(&self, n: usize, secs: u64) -> Vec<String> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
        loop {
            let got = self.messages();
            if got.len() >= n || tokio::time::Instant::now() > deadline {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}
