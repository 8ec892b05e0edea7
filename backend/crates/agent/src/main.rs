//! The `cairn-agent` command line: enroll (token or announce), run (poll, run jobs,
//! upload their events), status.
//! Exit codes: 0 ok, 1 refused/rejected, 2 usage or local state problem, 3 host revoked,
//! 4 protocol mismatch.

use std::{path::PathBuf, process::ExitCode, sync::Arc, time::Duration};

use cairn_agent::{
    asks,
    backoff::Backoff,
    client::{Client, ClientError, request},
    events::StopReason,
    facts,
    identity::Identity,
    jobs::{self, Ctx, Registry, ResticSettings},
    journal::Journal,
    outbox::Outbox,
    recovery, scheduler,
    state::{DEFAULT_DIR, State, StateDir},
    uploader,
};
use cairn_proto::{Action, AnnounceRequest, AnnounceState, EnrollRequest, PROTOCOL_VERSION};
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "cairn-agent",
    version,
    about = "The Cairn agent: runs restic on this host for the Cairn server"
)]
struct Cli {
    /// Where the key, the state and the sealed config live.
    #[arg(long, global = true, env = "CAIRN_AGENT_STATE_DIR", default_value = DEFAULT_DIR)]
    state_dir: PathBuf,
    /// The restic binary to report and to run jobs with.
    #[arg(long, global = true, env = "CAIRN_AGENT_RESTIC", default_value = "restic")]
    restic: String,
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Join a Cairn server, with a one-time token or by asking an admin (--announce).
    Enroll {
        /// The server's URL, e.g. https://cairn.example.com
        #[arg(long)]
        server: String,
        /// A one-time enrollment token from Hosts → Add host.
        #[arg(long, conflicts_with = "announce", required_unless_present = "announce")]
        token: Option<String>,
        /// Ask to join; an admin compares the fingerprint and accepts or rejects.
        #[arg(long)]
        announce: bool,
        /// Accept only the server certificate with this SHA-256 (SHA256:… as the Add host
        /// page shows it, or hex): for servers with a self-signed certificate.
        #[arg(long)]
        pin: Option<String>,
    },
    /// Run: long-poll the server for commands and config, forever.
    Run,
    /// Show this agent's identity and enrollment.
    Status,
}

fn fail(code: u8, msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("cairn-agent: {msg}");
    ExitCode::from(code)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .init();
    let dir = StateDir::new(&cli.state_dir);
    // Only enrolling makes a new identity; run and status need the existing one, so a
    // mistyped --state-dir fails instead of silently becoming a new host.
    let identity = match &cli.command {
        Cmd::Enroll { .. } => Identity::load_or_create(&cli.state_dir),
        _ => Identity::load(&cli.state_dir),
    };
    let identity = match identity {
        Ok(i) => i,
        Err(e) => return fail(2, format!("cannot use the state directory: {e}")),
    };
    match cli.command {
        Cmd::Enroll { server, token, announce, pin } => {
            let join = Join { server, token, announce, pin };
            enroll(&dir, &identity, &cli.restic, join).await
        }
        Cmd::Run => run(&dir, identity, &cli.restic).await,
        Cmd::Status => status(&dir, &identity),
    }
}

/// How to join a server, from `cairn-agent enroll`.
struct Join {
    server: String,
    token: Option<String>,
    announce: bool,
    pin: Option<String>,
}

async fn enroll(dir: &StateDir, id: &Identity, restic: &str, join: Join) -> ExitCode {
    let Join { server, token, announce, pin } = join;
    let server = server.trim_end_matches('/');
    if let Ok(Some(State { host_id: Some(host), server_url, .. })) = dir.load() {
        return fail(
            2,
            format!(
                "already enrolled as host {host} with {server_url}; use another --state-dir, or delete {} to start over",
                dir.dir.display()
            ),
        );
    }
    let client = match Client::new(server, Duration::from_secs(30), pin.as_deref()) {
        Ok(c) => c,
        Err(e) => return fail(2, e),
    };
    let facts = facts::collect(restic).await;
    println!("Fingerprint: {}", id.fingerprint());
    if let Some(token) = token {
        let req = EnrollRequest {
            protocol_version: PROTOCOL_VERSION,
            token,
            public_key: id.public_key_b64(),
            facts,
        };
        return match client.enroll(&req).await {
            Ok(r) => {
                let state = State {
                    server_url: server.into(),
                    host_id: Some(r.host_id),
                    pending_id: None,
                    config_version: 0,
                    pin: pin.clone(),
                };
                if let Err(e) = dir.save(&state) {
                    return fail(2, e);
                }
                println!("Enrolled as host {}. Start the agent with: cairn-agent run", r.host_id);
                ExitCode::SUCCESS
            }
            Err(ClientError::Protocol(m)) => fail(4, m),
            Err(e) => fail(1, format!("enrollment failed: {e}")),
        };
    }
    debug_assert!(announce);
    let req = AnnounceRequest {
        protocol_version: PROTOCOL_VERSION,
        public_key: id.public_key_b64(),
        facts,
    };
    let mut backoff = Backoff::default();
    let mut status = loop {
        match client.announce(&req).await {
            Ok(s) => break s,
            Err(ClientError::Transient(e)) => {
                let wait = backoff.next_delay();
                tracing::warn!("{e}; retrying in {wait:?}");
                tokio::time::sleep(wait).await;
            }
            Err(ClientError::Protocol(m)) => return fail(4, m),
            Err(e) => return fail(1, format!("announce refused: {e}")),
        }
    };
    let mut state = State {
        server_url: server.into(),
        host_id: None,
        pending_id: Some(status.pending_id),
        config_version: 0,
        pin: pin.clone(),
    };
    if let Err(e) = dir.save(&state) {
        return fail(2, e);
    }
    println!(
        "Waiting for an administrator to accept this host (Hosts → pending) — compare the fingerprint above."
    );
    backoff.reset();
    loop {
        match status.state {
            AnnounceState::Accepted => {
                state.host_id = status.host_id;
                state.pending_id = None;
                if let Err(e) = dir.save(&state) {
                    return fail(2, e);
                }
                println!(
                    "Accepted as host {}. Start the agent with: cairn-agent run",
                    status.host_id.map(|h| h.to_string()).unwrap_or_default()
                );
                return ExitCode::SUCCESS;
            }
            AnnounceState::Rejected => {
                let why = status.message.unwrap_or_else(|| "no reason given".into());
                return fail(1, format!("an administrator rejected this host: {why}"));
            }
            AnnounceState::Pending => {}
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
        status = loop {
            match client.announce_status(id, status.pending_id).await {
                Ok(s) => {
                    backoff.reset();
                    break s;
                }
                Err(ClientError::Transient(e)) => {
                    let wait = backoff.next_delay();
                    tracing::warn!("{e}; retrying in {wait:?}");
                    tokio::time::sleep(wait).await;
                }
                Err(ClientError::Protocol(m)) => return fail(4, m),
                Err(e) => return fail(1, format!("announce refused: {e}")),
            }
        };
    }
}

/// How long a stopping agent waits for its jobs to stop cleanly, then for their last
/// events to reach the server (systemd's TimeoutStopSec is 30 s).
const STOP_JOBS_WITHIN: Duration = Duration::from_secs(20);
const STOP_UPLOAD_WITHIN: Duration = Duration::from_secs(5);

async fn run(dir: &StateDir, id: Identity, restic: &str) -> ExitCode {
    let mut state = match dir.load() {
        Ok(Some(s)) if s.host_id.is_some() => s,
        Ok(_) => {
            return fail(
                2,
                "not enrolled yet: run `cairn-agent enroll --server URL --token TOKEN` first",
            );
        }
        Err(e) => return fail(2, e),
    };
    let Some(host) = state.host_id else { return fail(2, "not enrolled") };
    // Longer than any poll the server holds (≤ 25 s by default), so a held poll is not cut.
    let client = match Client::new(&state.server_url, Duration::from_secs(90), state.pin.as_deref())
    {
        Ok(c) => c,
        Err(e) => return fail(2, e),
    };
    let mut config = match dir.load_config() {
        Ok(c) => c,
        Err(e) => {
            // The server sends the whole config again when the version says none applied.
            tracing::error!("cannot read the stored config, asking the server for it again: {e}");
            state.config_version = 0;
            None
        }
    };
    // Jobs still in the journal were running when the agent died: read them before the
    // outbox, which keeps their boxes open for the `lost` report.
    let journal = Journal::new(&dir.dir);
    let lost = journal.list();
    let lost_ids: Vec<uuid::Uuid> = lost.iter().map(|e| e.job_id).collect();
    let outbox = match Outbox::open(&dir.dir, &lost_ids) {
        Ok(o) => o,
        Err(e) => return fail(2, format!("cannot use the state directory: {e}")),
    };
    let ctx = Arc::new(Ctx {
        outbox,
        journal,
        jobs: Registry::default(),
        restic: ResticSettings {
            binary: restic.into(),
            cache_dir: std::env::var_os("RESTIC_CACHE_DIR").map(PathBuf::from),
        },
        reconnected: tokio::sync::Notify::new(),
        catalogs: cairn_agent::catalog::store::Catalogs::new(&dir.dir),
    });
    let id = Arc::new(id);
    let mut facts = facts::collect(restic).await;
    tracing::info!(host = %host, server = %state.server_url, fingerprint = %id.fingerprint(), "agent running");
    if !lost.is_empty() {
        tokio::spawn(recovery::recover(ctx.clone(), lost, config.clone()));
    }
    tokio::spawn(uploader::run(ctx.clone(), client.clone(), id.clone(), host));
    // Schedules fire from the stored config at once, server or not.
    let (config_tx, config_rx) = tokio::sync::watch::channel(config.clone());
    tokio::spawn(scheduler::run(ctx.clone(), dir.dir.clone(), config_rx));
    let mut backoff = Backoff::default();
    let mut refreshed = tokio::time::Instant::now();
    let shutdown = shutdown_signal();
    tokio::pin!(shutdown);
    let mut connected = false;
    loop {
        if refreshed.elapsed() > Duration::from_secs(600) {
            facts = facts::collect(restic).await;
            refreshed = tokio::time::Instant::now();
        }
        let (running, unsent) = ctx.poll_lists();
        let req = request(facts.clone(), state.config_version, running, unsent);
        let result = tokio::select! {
            r = client.poll(&id, host, &req) => r,
            _ = &mut shutdown => return stop(&ctx).await,
        };
        match result {
            Ok(answer) => {
                if !connected {
                    tracing::info!("connected to {}", state.server_url);
                    connected = true;
                    ctx.reconnected.notify_one();
                }
                backoff.reset();
                // The config first: a job in this answer may need a repository it links.
                if let Some(new) = answer.config {
                    match dir.save_config(&new) {
                        Ok(()) => {
                            state.config_version = new.version;
                            if let Err(e) = dir.save(&state) {
                                tracing::error!("cannot save state: {e}");
                            }
                            tracing::info!(
                                version = new.version,
                                repositories = new.repositories.len(),
                                "config applied"
                            );
                        }
                        Err(e) => {
                            tracing::error!("cannot store the config: {e}");
                            // Used from memory until the next start; reporting the old
                            // version would make the server resend it on every poll.
                            state.config_version = new.version;
                        }
                    }
                    config = Some(new);
                    config_tx.send_replace(config.clone());
                }
                for cmd in &answer.commands {
                    tracing::info!(command = %cmd.id, kind = ?cmd.kind(), "command received");
                    match &cmd.action {
                        Action::Ask(ask) => asks::spawn(
                            ctx.restic.clone(),
                            ctx.catalogs.clone(),
                            client.clone(),
                            id.clone(),
                            host,
                            cmd.id,
                            ask.clone(),
                            config.clone(),
                        ),
                        Action::RunJob(run)
                            if jobs::needs_credentials(&run.job, config.as_ref()) =>
                        {
                            jobs::start_cross_host(
                                &ctx,
                                client.clone(),
                                id.clone(),
                                host,
                                run.job.clone(),
                                config.clone(),
                            )
                        }
                        _ => jobs::handle(&ctx, cmd, config.as_ref()),
                    }
                }
            }
            Err(ClientError::Revoked(m)) => {
                return fail(
                    3,
                    format!(
                        "the server no longer accepts this host ({m}). It was deleted or its key revoked; enroll it again."
                    ),
                );
            }
            Err(ClientError::Protocol(m)) => return fail(4, m),
            Err(e) => {
                connected = false;
                let wait = backoff.next_delay();
                tracing::warn!("{e}; retrying in {:.1} s", wait.as_secs_f64());
                tokio::select! {
                    _ = tokio::time::sleep(wait) => {}
                    _ = &mut shutdown => return stop(&ctx).await,
                }
            }
        }
    }
}

/// SIGTERM / Ctrl-C: running jobs are cancelled (restic stops cleanly and removes its
/// lock) and finish as `cancelled`; then their last events get a moment to reach the
/// server. Whatever is not delivered stays in the outbox for the next start.
async fn stop(ctx: &Ctx) -> ExitCode {
    if ctx.jobs.is_empty() {
        tracing::info!("stopping");
    } else {
        tracing::info!("stopping: cancelling the running jobs");
        ctx.jobs.cancel_all(StopReason::AgentStopping);
        let deadline = tokio::time::Instant::now() + STOP_JOBS_WITHIN;
        while !ctx.jobs.is_empty() && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    let deadline = tokio::time::Instant::now() + STOP_UPLOAD_WITHIN;
    while !ctx.outbox.pending().is_empty() && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    if let Err(e) = ctx.outbox.sync_dirty(true) {
        tracing::error!("job events kept on disk could not be synced before exit: {e}");
    }
    ExitCode::SUCCESS
}

fn status(dir: &StateDir, id: &Identity) -> ExitCode {
    println!("State directory: {}", dir.dir.display());
    println!("Fingerprint:     {}", id.fingerprint());
    match dir.load() {
        Ok(Some(s)) => {
            println!("Server:          {}", s.server_url);
            if let Some(pin) = &s.pin {
                println!("Pinned cert:     {pin}");
            }
            match (s.host_id, s.pending_id) {
                (Some(h), _) => println!("Host id:         {h}"),
                (None, Some(p)) => println!("Waiting for approval (request {p})"),
                _ => println!("Not enrolled"),
            }
            println!("Config version:  {}", s.config_version);
            match dir.load_config() {
                Ok(Some(c)) => println!(
                    "Repositories:    {}",
                    c.repositories.iter().map(|r| r.name.as_str()).collect::<Vec<_>>().join(", ")
                ),
                Ok(None) => println!("Repositories:    none yet"),
                Err(e) => println!("Repositories:    unreadable ({e})"),
            }
            ExitCode::SUCCESS
        }
        Ok(None) => {
            println!("Not enrolled: run `cairn-agent enroll --server URL --token TOKEN`");
            ExitCode::from(1)
        }
        Err(e) => fail(2, e),
    }
}

async fn shutdown_signal() {
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! { _ = tokio::signal::ctrl_c() => {}, _ = term => {} }
}
