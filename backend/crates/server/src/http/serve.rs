//! The accept loop and per-connection HTTP: hyper driven directly instead of through
//! poem's `Server`, so a held long-poll costs the fewest bytes (docs/performance.md, P1).
//! HTTP/2 is chosen by TLS ALPN; plain connections speak HTTP/1.1.

use std::{convert::Infallible, future::Future, io, sync::Arc, time::Duration};

use http_body_util::combinators::BoxBody;
use hyper::{
    body::{Bytes, Incoming},
    server::conn::{http1, http2},
    service::service_fn,
};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use poem::{
    Endpoint,
    http::uri::Scheme,
    listener::Acceptor,
    web::{LocalAddr, RemoteAddr},
};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_util::{sync::CancellationToken, task::TaskTracker};

/// How long the loop pauses after a failed accept (out of file descriptors, say) instead
/// of spinning on the same error.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// Which HTTP a connection speaks, known once its TLS handshake (if any) is done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    Http1,
    Http2,
}

/// A connection that can tell which protocol it speaks: plain TCP is HTTP/1.1, TLS is
/// whatever ALPN agreed on.
pub trait Negotiate: AsyncRead + AsyncWrite + Send + Unpin + 'static {
    fn negotiate(&mut self) -> impl Future<Output = io::Result<Protocol>> + Send;
}

impl Negotiate for tokio::net::TcpStream {
    async fn negotiate(&mut self) -> io::Result<Protocol> {
        Ok(Protocol::Http1)
    }
}

/// Serves `ep` on every connection `acceptor` yields until `shutdown` resolves; then stops
/// accepting, lets open requests finish for up to `grace`, and drops what is left. An
/// HTTP/1 connection must deliver each request head within `head_timeout`, which also
/// bounds how long a keep-alive connection may sit idle between requests.
pub async fn run<A, E>(
    mut acceptor: A,
    ep: E,
    shutdown: impl Future<Output = ()> + Send,
    grace: Duration,
    head_timeout: Duration,
) -> io::Result<()>
where
    A: Acceptor,
    A::Io: Negotiate,
    E: Endpoint<Output = poem::Response> + 'static,
{
    let ep = Arc::new(ep);
    let stop = CancellationToken::new();
    let force = CancellationToken::new();
    let connections = TaskTracker::new();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            accepted = acceptor.accept() => match accepted {
                Ok((io, local, remote, scheme)) => {
                    let conn = Conn { local, remote, scheme, ep: ep.clone(), head_timeout };
                    connections.spawn(conn.serve(io, stop.clone(), force.clone()));
                }
                Err(e) => {
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                }
            },
        }
    }
    stop.cancel();
    connections.close();
    if tokio::time::timeout(grace, connections.wait()).await.is_err() {
        force.cancel();
        connections.wait().await;
    }
    Ok(())
}

/// What every request of one connection shares.
struct Conn<E> {
    local: LocalAddr,
    remote: RemoteAddr,
    scheme: Scheme,
    ep: Arc<E>,
    head_timeout: Duration,
}

type Answer = hyper::Response<BoxBody<Bytes, io::Error>>;

impl<E: Endpoint<Output = poem::Response> + 'static> Conn<E> {
    async fn serve<Io: Negotiate>(
        self,
        mut io: Io,
        stop: CancellationToken,
        force: CancellationToken,
    ) {
        let protocol = match io.negotiate().await {
            Ok(p) => p,
            Err(e) => {
                tracing::debug!(remote = %self.remote, "connection dropped before HTTP: {e}");
                return;
            }
        };
        let head_timeout = self.head_timeout;
        let this = Arc::new(self);
        let service = service_fn(move |req: hyper::Request<Incoming>| {
            let this = this.clone();
            async move {
                let req =
                    (req, this.local.clone(), this.remote.clone(), this.scheme.clone()).into();
                // Boxed: hyper keeps the slot for this future for the connection's whole
                // life, and the endpoint chain's future is several KB; the box is freed as
                // soon as the answer's head is ready.
                let answer = Box::pin(this.ep.get_response(req)).await;
                Ok::<Answer, Infallible>(answer.into())
            }
        });
        let io = TokioIo::new(io);
        match protocol {
            Protocol::Http1 => {
                // hyper's defaults: it keeps reading while an answer is pending, so an agent
                // that hangs up frees its held poll at once. (Half-close, which stops that
                // read, measured no smaller: the read reuses the request's buffer.)
                // hyper arms its header-read timeout only with a timer: without one, a client
                // that sends half a request head and stops holds the connection for ever.
                // The timeout runs while hyper waits for a head, so it also closes idle
                // keep-alive connections; a held poll's head is read, so it is untouched.
                let conn = http1::Builder::new()
                    .timer(TokioTimer::new())
                    .header_read_timeout(head_timeout)
                    .serve_connection(io, service);
                drive(conn, |c| c.graceful_shutdown(), stop, force).await
            }
            Protocol::Http2 => {
                let conn = http2::Builder::new(TokioExecutor::new()).serve_connection(io, service);
                drive(conn, |c| c.graceful_shutdown(), stop, force).await
            }
        }
    }
}

/// Runs a connection to its end; on shutdown asks it to finish what is open, and drops it
/// when the grace period runs out.
async fn drive<C, F>(conn: C, graceful: F, stop: CancellationToken, force: CancellationToken)
where
    C: Future<Output = Result<(), hyper::Error>>,
    F: FnOnce(std::pin::Pin<&mut C>),
{
    tokio::pin!(conn);
    tokio::select! {
        r = conn.as_mut() => return log_end(r),
        _ = stop.cancelled() => {}
    }
    graceful(conn.as_mut());
    tokio::select! {
        r = conn => log_end(r),
        _ = force.cancelled() => {}
    }
}

fn log_end(r: Result<(), hyper::Error>) {
    if let Err(e) = r {
        // A client that hangs up mid-request is routine for a server; not a warning.
        tracing::debug!("connection ended: {e}");
    }
}
