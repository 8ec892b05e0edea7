//! HTTPS served by cairn-server itself: a certificate from files (re-read when they change,
//! so a renewal needs no restart) or a self-signed one made on first start and kept in
//! `<data_dir>/tls/`, whose fingerprint agents pin. Handshakes run on each connection's
//! own task, never in the accept loop, so one slow client cannot stall the others.

use std::{
    future::Future,
    io,
    path::{Path, PathBuf},
    pin::Pin,
    sync::{Arc, RwLock, Weak},
    task::{Context, Poll, ready},
    time::{Duration, SystemTime},
};

use poem::{
    http::uri::Scheme,
    listener::Acceptor,
    web::{LocalAddr, RemoteAddr},
};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio_rustls::{
    Accept,
    rustls::{
        self, ServerConfig,
        pki_types::{CertificateDer, PrivateKeyDer, pem::PemObject},
    },
    server::TlsStream,
};

use crate::{auth::keys::write_private_file, config::Config};

/// A client must finish its TLS handshake within this time or the connection is dropped.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// How often certificate files are checked for a renewal.
const RELOAD_EVERY: Duration = Duration::from_secs(30);

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error("{path}: {message}")]
    Pem { path: PathBuf, message: String },
    #[error("the certificate and key do not make a usable TLS setup: {0}")]
    Rustls(#[from] rustls::Error),
    #[error("cannot make a self-signed certificate: {0}")]
    Generate(#[from] rcgen::Error),
}

/// What the web app shows about the certificate in use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsInfo {
    /// `self_signed` or `files`.
    pub mode: &'static str,
    /// `SHA256:` + base64 of the leaf certificate (DER): what `cairn-agent --pin` takes.
    pub fingerprint: String,
    /// The same digest as colon-separated hex, as `openssl x509 -fingerprint -sha256` prints.
    pub fingerprint_hex: String,
}

struct Loaded {
    server: Arc<ServerConfig>,
    info: TlsInfo,
    stamp: Option<Stamp>,
}

/// Modification time and length of the certificate and key files.
type Stamp = [(SystemTime, u64); 2];

/// The TLS state of a running server; swapped in place when the files change.
pub struct Tls {
    current: RwLock<Arc<Loaded>>,
    files: Option<(PathBuf, PathBuf)>,
}

impl Tls {
    /// `None` when `tls.mode = "off"`.
    pub fn load(config: &Config) -> Result<Option<Arc<Tls>>, TlsError> {
        let (loaded, files) = match config.tls.mode.as_str() {
            "self_signed" => (self_signed(config)?, None),
            "files" => {
                let (Some(cert), Some(key)) = (&config.tls.cert_file, &config.tls.key_file) else {
                    return Ok(None); // config validation refuses this before we get here
                };
                (from_files(cert, key)?, Some((cert.clone(), key.clone())))
            }
            _ => return Ok(None),
        };
        let tls = Arc::new(Tls { current: RwLock::new(Arc::new(loaded)), files });
        Ok(Some(tls))
    }

    pub fn info(&self) -> TlsInfo {
        self.loaded().info.clone()
    }

    fn loaded(&self) -> Arc<Loaded> {
        // A poisoned lock still holds a complete value: the writer only swaps an Arc.
        match self.current.read() {
            Ok(g) => g.clone(),
            Err(p) => p.into_inner().clone(),
        }
    }

    /// Watches the certificate files (mode `files`) and swaps in a renewed pair. A broken
    /// renewal is logged and the old certificate stays in use.
    pub fn spawn_reloader(self: &Arc<Self>) {
        let Some((cert, key)) = self.files.clone() else { return };
        let weak: Weak<Tls> = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(RELOAD_EVERY);
            tick.tick().await;
            loop {
                tick.tick().await;
                let Some(tls) = weak.upgrade() else { return };
                let stamp = stamp(&cert, &key);
                if stamp.is_none() || stamp == tls.loaded().stamp {
                    continue;
                }
                match from_files(&cert, &key) {
                    Ok(fresh) => {
                        tracing::info!(fingerprint = %fresh.info.fingerprint, "TLS certificate reloaded");
                        let mut g = match tls.current.write() {
                            Ok(g) => g,
                            Err(p) => p.into_inner(),
                        };
                        *g = Arc::new(fresh);
                    }
                    Err(e) => {
                        tracing::warn!(
                            "TLS certificate files changed but cannot be used, keeping the old ones: {e}"
                        )
                    }
                }
            }
        });
    }
}

fn stamp(cert: &Path, key: &Path) -> Option<Stamp> {
    let one = |p: &Path| {
        let m = std::fs::metadata(p).ok()?;
        Some((m.modified().ok()?, m.len()))
    };
    Some([one(cert)?, one(key)?])
}

fn read(path: &Path) -> Result<Vec<u8>, TlsError> {
    std::fs::read(path).map_err(|source| TlsError::Io { path: path.to_path_buf(), source })
}

fn from_files(cert_path: &Path, key_path: &Path) -> Result<Loaded, TlsError> {
    let stamp = stamp(cert_path, key_path);
    let cert_pem = read(cert_path)?;
    let key_pem = read(key_path)?;
    let mut loaded = from_pem(&cert_pem, cert_path, &key_pem, key_path, "files")?;
    loaded.stamp = stamp;
    Ok(loaded)
}

fn from_pem(
    cert_pem: &[u8],
    cert_path: &Path,
    key_pem: &[u8],
    key_path: &Path,
    mode: &'static str,
) -> Result<Loaded, TlsError> {
    let pem_err =
        |path: &Path, message: String| TlsError::Pem { path: path.to_path_buf(), message };
    let chain = CertificateDer::pem_slice_iter(cert_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| pem_err(cert_path, format!("not a PEM certificate chain: {e}")))?;
    let Some(leaf) = chain.first() else {
        return Err(pem_err(cert_path, "holds no CERTIFICATE block".into()));
    };
    let info = info_of(leaf, mode);
    let key = PrivateKeyDer::from_pem_slice(key_pem)
        .map_err(|e| pem_err(key_path, format!("not a PEM private key: {e}")))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut server = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain, key)?;
    server.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Loaded { server: Arc::new(server), info, stamp: None })
}

fn info_of(leaf: &CertificateDer<'_>, mode: &'static str) -> TlsInfo {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(leaf.as_ref());
    let hex = digest.iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(":");
    TlsInfo { mode, fingerprint: cairn_proto::fingerprint(leaf.as_ref()), fingerprint_hex: hex }
}

/// Loads `<data_dir>/tls/self-signed.{crt,key}`, creating them on first start. The pair is
/// kept across restarts (and upgrades) because agents pin its fingerprint.
fn self_signed(config: &Config) -> Result<Loaded, TlsError> {
    let dir = config.data_dir.join("tls");
    let cert_path = dir.join("self-signed.crt");
    let key_path = dir.join("self-signed.key");
    if !cert_path.exists() || !key_path.exists() {
        let (cert_pem, key_pem) = generate(&names(config))?;
        let io_err = |path: &Path| {
            let path = path.to_path_buf();
            move |source| TlsError::Io { path, source }
        };
        {
            use std::os::unix::fs::DirBuilderExt;
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(&dir)
                .map_err(io_err(&dir))?;
        }
        write_private_file(&key_path, key_pem.as_bytes()).map_err(io_err(&key_path))?;
        write_private_file(&cert_path, cert_pem.as_bytes()).map_err(io_err(&cert_path))?;
        tracing::info!("created a self-signed TLS certificate in {}", dir.display());
    }
    from_pem(&read(&cert_path)?, &cert_path, &read(&key_path)?, &key_path, "self_signed")
}

/// Names the self-signed certificate covers: what browsers will be pointed at.
fn names(config: &Config) -> Vec<String> {
    let mut names: Vec<String> = vec!["localhost".into(), "127.0.0.1".into(), "::1".into()];
    if let Ok(h) = std::fs::read_to_string("/proc/sys/kernel/hostname") {
        names.push(h.trim().to_string());
    }
    if let Some(host) = config
        .explicit_public_url()
        .and_then(|u| u.split_once("://"))
        .map(|(_, rest)| rest.split(['/', ':']).next().unwrap_or_default().to_string())
    {
        names.push(host);
    }
    names.extend(config.tls.self_signed_names.iter().cloned());
    names.retain(|n| !n.is_empty());
    names.dedup();
    names
}

/// An ECDSA P-256 certificate valid for ten years: long, because renewing it breaks every
/// agent's pin; use `tls.mode = "files"` with a CA-issued certificate to rotate.
pub fn generate(names: &[String]) -> Result<(String, String), TlsError> {
    use chrono::Datelike;
    let key = rcgen::KeyPair::generate()?;
    let mut params = rcgen::CertificateParams::new(names.to_vec())?;
    let mut dn = rcgen::DistinguishedName::new();
    dn.push(rcgen::DnType::CommonName, "Cairn server (self-signed)");
    params.distinguished_name = dn;
    let now = chrono::Utc::now();
    params.not_before = rcgen::date_time_ymd(now.year(), now.month() as u8, 1);
    params.not_after = rcgen::date_time_ymd(now.year() + 10, now.month() as u8, 1);
    let cert = params.self_signed(&key)?;
    Ok((cert.pem(), key.serialize_pem()))
}

/// Wraps a TCP acceptor: every accepted connection becomes a TLS connection whose
/// handshake completes on first use.
pub struct TlsAcceptor<A> {
    inner: A,
    tls: Arc<Tls>,
}

impl<A> TlsAcceptor<A> {
    pub fn new(inner: A, tls: Arc<Tls>) -> Self {
        Self { inner, tls }
    }
}

impl<A: Acceptor> Acceptor for TlsAcceptor<A> {
    type Io = Handshake<A::Io>;

    fn local_addr(&self) -> Vec<LocalAddr> {
        self.inner.local_addr()
    }

    async fn accept(&mut self) -> io::Result<(Self::Io, LocalAddr, RemoteAddr, Scheme)> {
        let (io, local, remote, _) = self.inner.accept().await?;
        let acceptor = tokio_rustls::TlsAcceptor::from(self.tls.loaded().server.clone());
        let handshake = Box::pin(tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(io)));
        Ok((Handshake { state: State::Pending(handshake) }, local, remote, Scheme::HTTPS))
    }
}

/// A TLS stream that finishes its handshake on the first read or write.
pub struct Handshake<S> {
    state: State<S>,
}

enum State<S> {
    Pending(Pin<Box<tokio::time::Timeout<Accept<S>>>>),
    Ready(Box<TlsStream<S>>),
    Failed,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Handshake<S> {
    fn poll_stream(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<&mut TlsStream<S>>> {
        if let State::Pending(fut) = &mut self.state {
            self.state = match ready!(fut.as_mut().poll(cx)) {
                Ok(Ok(stream)) => State::Ready(Box::new(stream)),
                Ok(Err(e)) => {
                    tracing::debug!("TLS handshake failed: {e}");
                    self.state = State::Failed;
                    return Poll::Ready(Err(e));
                }
                Err(_) => {
                    self.state = State::Failed;
                    return Poll::Ready(Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        "TLS handshake timed out",
                    )));
                }
            };
        }
        match &mut self.state {
            State::Ready(stream) => Poll::Ready(Ok(stream)),
            _ => Poll::Ready(Err(io::Error::new(
                io::ErrorKind::NotConnected,
                "TLS handshake failed",
            ))),
        }
    }
}

impl<S: AsyncRead + AsyncWrite + Send + Unpin + 'static> super::serve::Negotiate for Handshake<S> {
    /// Finishes the handshake and reports the protocol ALPN agreed on; a client that asked
    /// for none speaks HTTP/1.1.
    async fn negotiate(&mut self) -> io::Result<super::serve::Protocol> {
        std::future::poll_fn(|cx| self.poll_stream(cx).map_ok(|_| ())).await?;
        let h2 = match &self.state {
            State::Ready(s) => s.get_ref().1.alpn_protocol() == Some(b"h2"),
            _ => false,
        };
        Ok(if h2 { super::serve::Protocol::Http2 } else { super::serve::Protocol::Http1 })
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncRead for Handshake<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let stream = ready!(self.get_mut().poll_stream(cx))?;
        Pin::new(stream).poll_read(cx, buf)
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncWrite for Handshake<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let stream = ready!(self.get_mut().poll_stream(cx))?;
        Pin::new(stream).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let stream = ready!(self.get_mut().poll_stream(cx))?;
        Pin::new(stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match &mut self.get_mut().state {
            State::Ready(stream) => Pin::new(stream.as_mut()).poll_shutdown(cx),
            // Nothing was established, so there is nothing to close politely.
            _ => Poll::Ready(Ok(())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config_in(dir: &Path) -> Config {
        let mut c = Config { data_dir: dir.to_path_buf(), ..Config::default() };
        c.tls.mode = "self_signed".into();
        c
    }

    #[test]
    fn self_signed_is_made_once_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let c = config_in(dir.path());
        let first = Tls::load(&c).unwrap().unwrap().info();
        assert_eq!(first.mode, "self_signed");
        assert!(first.fingerprint.starts_with("SHA256:"));
        assert_eq!(first.fingerprint_hex.len(), 32 * 3 - 1);
        let key = dir.path().join("tls/self-signed.key");
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&key).unwrap().permissions().mode() & 0o777, 0o600);
        // A restart must present the same certificate, or every agent's pin breaks.
        let again = Tls::load(&c).unwrap().unwrap().info();
        assert_eq!(first, again);
    }

    #[test]
    fn files_mode_reads_a_pair_and_names_the_bad_file() {
        let dir = tempfile::tempdir().unwrap();
        let (cert, key) = generate(&["example.test".into()]).unwrap();
        let cert_path = dir.path().join("c.pem");
        let key_path = dir.path().join("k.pem");
        std::fs::write(&cert_path, &cert).unwrap();
        std::fs::write(&key_path, &key).unwrap();
        let mut c = Config::default();
        c.tls.mode = "files".into();
        c.tls.cert_file = Some(cert_path.clone());
        c.tls.key_file = Some(key_path.clone());
        let info = Tls::load(&c).unwrap().unwrap().info();
        assert_eq!(info.mode, "files");

        std::fs::write(&key_path, "not a key").unwrap();
        let err = Tls::load(&c).err().unwrap().to_string();
        assert!(err.contains("k.pem") && err.contains("private key"), "{err}");
        // A key that does not belong to the certificate is refused too.
        let (_, other_key) = generate(&["other.test".into()]).unwrap();
        std::fs::write(&key_path, other_key).unwrap();
        assert!(matches!(Tls::load(&c), Err(TlsError::Rustls(_))));
    }
}
