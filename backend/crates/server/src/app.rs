//! Application state and assembly: open the store, run migrations, load the secret key,
//! arm first-run setup, build the route tree with its middleware, and serve it with a
//! graceful shutdown.

use std::{net::SocketAddr, ops::Deref, sync::Arc, time::Duration};

use poem::{
    EndpointExt, Route,
    listener::{Acceptor, Listener, TcpListener},
    middleware::{CatchPanic, Compression, CookieJarManager},
};
use tokio::{sync::oneshot, task::JoinHandle};

use crate::{
    api,
    auth::{
        keys::Keys,
        ratelimit::{LoginLimiter, Window},
    },
    config::Config,
    domain::{Domain, context::DomainInner},
    http::{
        self,
        middleware::Frontline,
        proxy::TrustedProxies,
        spa::Spa,
        tls::{Tls, TlsAcceptor},
    },
    hub::{Hub, writer::PollWriter},
    setup::SetupGate,
    store::{Store, StoreError},
};

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Key(#[from] crate::auth::keys::KeyError),
    #[error("TLS: {0}")]
    Tls(#[from] crate::http::tls::TlsError),
    #[error("cannot listen on {addr}: {source}")]
    Listen { addr: String, source: std::io::Error },
    #[error("single sign-on providers from the configuration file: {0}")]
    SsoProviders(String),
}

/// The app's state: the domain's context (reached through `Deref`, so `state.store` and
/// a domain call with `&state` work as before) plus what only the HTTP side uses.
pub struct Inner {
    pub domain: Domain,
    pub config: Config,
    pub limiter: LoginLimiter,
    pub setup: SetupGate,
    /// Agent tokens whose signature was checked (`hub::auth::VerifiedTokens`).
    pub agent_tokens: crate::hub::auth::VerifiedTokens,
    /// Callers behind API tokens and sessions read moments ago (`auth::callers`).
    pub callers: crate::auth::callers::Callers,
    pub trusted_proxies: TrustedProxies,
    /// Present when the server terminates TLS itself.
    pub tls: Option<Arc<Tls>>,
}

impl Deref for Inner {
    type Target = Domain;
    fn deref(&self) -> &Domain {
        &self.domain
    }
}

/// Cheap to clone; handlers and the auth extractor share one.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

impl Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    /// Connects, migrates and loads keys: everything but listening.
    pub async fn open(config: Config) -> Result<AppState, StartError> {
        let store = Store::connect(
            &config.database_url,
            config.database.max_connections,
            Duration::from_millis(config.database.sqlite_busy_timeout_ms),
        )
        .await?;
        store.migrate().await?;
        let keys = Keys::load_or_create(&config.secret_key_path())?;
        let a = &config.auth;
        let limiter = LoginLimiter::new(
            Duration::from_secs(a.login_window_secs),
            a.login_max_failures_per_account,
            a.login_max_failures_per_ip,
        );
        let announce_limiter =
            Window::new(Duration::from_secs(3600), config.agents.announce_per_ip_per_hour);
        let setup = SetupGate::new(&config.data_dir);
        let hub = Hub::default();
        // Which hosts may have a lost job, known up front: otherwise the first poll of every
        // host asks, and ten thousand agents reconnecting at once would all ask together.
        let open: std::collections::HashSet<_> =
            crate::store::jobs::hosts_with_open_jobs(store.db()).await?.into_iter().collect();
        for host in crate::store::hosts::all_ids(store.db()).await? {
            if !open.contains(&host) {
                hub.no_open_jobs(host, 0);
            }
        }
        let poll_writer = PollWriter::start(store.clone());
        let trusted_proxies = TrustedProxies::new(&config.http.trusted_proxies);
        let tls = Tls::load(&config)?;
        let domain = Domain::new(DomainInner {
            store,
            keys,
            hub: Arc::new(hub),
            agents: config.agents.clone(),
            history: config.history.clone(),
            poll_writer,
            announce_limiter,
            config_batches: Default::default(),
            notify: crate::notify::NotifySettings::from_config(&config),
            names: Default::default(),
        });
        let state = AppState(Arc::new(Inner {
            domain,
            config,
            limiter,
            setup,
            agent_tokens: Default::default(),
            callers: Default::default(),
            trusted_proxies,
            tls,
        }));
        crate::auth::sso::sync_from_config(&state)
            .await
            .map_err(|e| StartError::SsoProviders(e.to_string()))?;
        Ok(state)
    }
}

/// The whole HTTP application.
pub fn endpoint(state: &AppState) -> impl poem::Endpoint<Output = poem::Response> + 'static {
    let api = api::service();
    // Served and shown as this server's document (its own password length), not poem's
    // raw output: api/spec.rs adds what the types cannot say.
    let document = api::spec::to_json(&api::spec::document(state.config.auth.password_min_length));
    let docs_html = api.swagger_ui_html().replace(&api.spec(), &document);
    let docs = Route::new()
        .at("/", poem::endpoint::make_sync(move |_| poem::web::Html(docs_html.clone())));
    // The document is poem-openapi's own output re-read: it parses, or the build is broken.
    let contract = cairn_contract::Spec::from_json(&document).map(Arc::new).ok();
    let spec = poem::endpoint::make_sync(move |_| {
        poem::Response::builder().content_type("application/json").body(document.clone())
    });
    Route::new()
        .nest("/api", api)
        .nest("/api/docs", docs)
        .at("/api/openapi.json", spec)
        .at("/healthz", http::healthz)
        .at("/readyz", http::readyz)
        .nest("/", Spa)
        .with(CookieJarManager::new())
        .with(Compression::new())
        .before(|mut req| async move {
            // An event stream must reach the browser event by event; a compressor would
            // hold events back until its buffer fills.
            if http::middleware::wants_event_stream(&req) {
                req.headers_mut().remove(poem::http::header::ACCEPT_ENCODING);
            }
            Ok(req)
        })
        .with(CatchPanic::new().with_handler(http::middleware::panic_response))
        .data(state.clone())
        .with(Frontline {
            body_limit: state.config.http.body_limit_bytes,
            timeout: Duration::from_secs(state.config.http.request_timeout_secs),
            hsts: state.config.https(),
            agent_gate: Arc::new(tokio::sync::Semaphore::new(
                state.config.agents.max_concurrent_requests as usize,
            )),
            contract,
        })
}

/// A server that is up and listening.
pub struct Running {
    pub addr: SocketAddr,
    pub state: AppState,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
    /// History retention's background passes (`domain::history::run`).
    pruner: JoinHandle<()>,
    /// The maintenance queue's sweep (`domain::queue::run`).
    queue: JoinHandle<()>,
    /// The notification outbox's worker (`notify::outbox::run`).
    outbox: JoinHandle<()>,
}

impl Running {
    /// Stops accepting, lets in-flight requests finish (up to the grace period).
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        self.pruner.abort();
        self.queue.abort();
        self.outbox.abort();
        let _ = self.task.await;
    }

    pub async fn wait(self) -> std::io::Result<()> {
        self.task.await.unwrap_or_else(|e| Err(std::io::Error::other(e)))
    }
}

/// Opens the state, arms setup, binds and starts serving in the background.
pub async fn start(config: Config) -> Result<Running, StartError> {
    let listen = config.listen.clone();
    let state = AppState::open(config).await?;
    let setup_token = state.setup.arm_if_needed(&state.store).await?;
    let acceptor = TcpListener::bind(listen.clone())
        .into_acceptor()
        .await
        .map_err(|source| StartError::Listen { addr: listen.clone(), source })?;
    let addr = acceptor.local_addr().first().and_then(|a| a.as_socket_addr().copied()).ok_or_else(
        || StartError::Listen { addr: listen, source: std::io::Error::other("no local address") },
    )?;
    if let Some(token) = setup_token {
        // Where people will open it: the configured public URL, else the address listened on.
        let url = match state.config.explicit_public_url() {
            Some(url) => url.to_string(),
            None => format!("{}://{addr}", if state.tls.is_some() { "https" } else { "http" }),
        };
        // The token is a one-time bootstrap secret meant to be read here; it dies at setup.
        tracing::warn!(
            "No user exists yet. Open {url}/setup and enter this one-time setup token: {token} (also written to {})",
            state.setup.file().display()
        );
    }
    let (tx, rx) = oneshot::channel::<()>();
    let app = endpoint(&state);
    let grace = Duration::from_secs(state.config.http.shutdown_grace_secs);
    let head_timeout = Duration::from_secs(state.config.http.head_timeout_secs);
    let shutdown = async move {
        let _ = rx.await;
    };
    let task = match &state.tls {
        Some(tls) => {
            tracing::info!(fingerprint = %tls.info().fingerprint, "serving HTTPS ({})", tls.info().mode);
            tls.spawn_reloader();
            tokio::spawn(http::serve::run(
                TlsAcceptor::new(acceptor, tls.clone()),
                app,
                shutdown,
                grace,
                head_timeout,
            ))
        }
        None => tokio::spawn(http::serve::run(acceptor, app, shutdown, grace, head_timeout)),
    };
    let pruner = tokio::spawn(crate::domain::history::run(state.domain.clone()));
    let queue = tokio::spawn(crate::domain::queue::run(state.domain.clone()));
    let outbox = tokio::spawn(crate::notify::outbox::run(state.domain.clone()));
    Ok(Running { addr, state, shutdown: Some(tx), task, pruner, queue, outbox })
}
