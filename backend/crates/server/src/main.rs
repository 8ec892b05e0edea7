//! The `cairn-server` command line: serve, migrate, openapi, check-config, admin.

use std::{collections::BTreeMap, io::Read, path::PathBuf, process::ExitCode};

use cairn_server::{Config, admin, api, logging, store::Store};
use clap::{Parser, Subcommand};

/// jemalloc rather than glibc: see the dependency's note in Cargo.toml.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOC: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc reads its options from this symbol. A background thread hands freed pages back
/// to the OS after a second (the default is ten), so a burst of reconnecting agents does
/// not leave the process at its peak size. One arena instead of four per core: memory a
/// burst freed on one thread is reused by the next on any thread (docs/performance.md,
/// "Allocator settings": job-event ingestion 0.72 → 0.93–0.98 of a raw insert loop, the
/// fleet-wide config change's peak 326 → 303–322 MB). `MALLOC_CONF` overrides any of it.
#[cfg(not(target_env = "msvc"))]
#[allow(non_upper_case_globals)]
#[unsafe(export_name = "malloc_conf")]
pub static malloc_conf: &[u8] =
    b"narenas:1,background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0\0";

#[derive(Parser)]
#[command(
    name = "cairn-server",
    version,
    about = "Cairn: one place to run and watch restic backups for a fleet"
)]
struct Cli {
    /// TOML configuration file (also CAIRN_CONFIG). Environment variables CAIRN_* override it.
    #[arg(long, global = true, env = "CAIRN_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (migrates the database first).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Print the OpenAPI document (or write it to --output).
    Openapi {
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Validate the configuration and print it (database password masked).
    CheckConfig,
    /// Administrative commands that work on the database directly.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Set a new password for a user and end their sessions; prints the password.
    ResetPassword {
        username: String,
        /// Read the new password from standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Verify the audit log's hash chain; exits 1 if it is broken.
    AuditVerify,
    /// Turn password sign-in on or off (the way back in when single sign-on fails; the
    /// configuration file's `auth.local_login = false` still wins).
    LocalLogin {
        #[arg(value_parser = ["on", "off"])]
        state: String,
    },
}

fn load_config(path: Option<&std::path::Path>) -> Result<Config, ExitCode> {
    let env: BTreeMap<String, String> =
        std::env::vars().filter(|(k, _)| k.starts_with("CAIRN_")).collect();
    let (config, warnings) = Config::load(path, &env).map_err(|e| {
        eprintln!("cairn-server: {e}");
        ExitCode::from(2)
    })?;
    for w in warnings {
        eprintln!("cairn-server: warning: {w}");
    }
    Ok(config)
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(code) => code,
        Err(code) => code,
    }
}

async fn run(cli: Cli) -> Result<ExitCode, ExitCode> {
    let fail = |msg: String| {
        eprintln!("cairn-server: {msg}");
        ExitCode::FAILURE
    };
    match cli.command {
        Command::Openapi { output } => {
            let spec = api::spec_json();
            match output {
                Some(path) => std::fs::write(&path, spec)
                    .map_err(|e| fail(format!("{}: {e}", path.display())))?,
                None => print!("{spec}"),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::CheckConfig => {
            let config = load_config(cli.config.as_deref())?;
            print!("{}", config.redacted_toml());
            eprintln!("configuration is valid");
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate => {
            let config = load_config(cli.config.as_deref())?;
            logging::init(&config.log);
            let busy = std::time::Duration::from_millis(config.database.sqlite_busy_timeout_ms);
            let store = Store::connect(&config.database_url, 2, busy)
                .await
                .map_err(|e| fail(e.to_string()))?;
            store.migrate().await.map_err(|e| fail(e.to_string()))?;
            println!("database is up to date");
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve => {
            let config = load_config(cli.config.as_deref())?;
            logging::init(&config.log);
            let running = cairn_server::start(config).await.map_err(|e| fail(e.to_string()))?;
            let scheme = if running.state.tls.is_some() { "https" } else { "http" };
            tracing::info!(
                "Cairn {} is listening on {scheme}://{}",
                env!("CARGO_PKG_VERSION"),
                running.addr
            );
            shutdown_signal().await;
            tracing::info!("shutting down: finishing in-flight requests");
            running.stop().await;
            tracing::info!("stopped");
            Ok(ExitCode::SUCCESS)
        }
        Command::Admin { command } => {
            let config = load_config(cli.config.as_deref())?;
            match command {
                AdminCommand::ResetPassword { username, password_stdin } => {
                    let password = if password_stdin {
                        let mut s = String::new();
                        std::io::stdin().read_to_string(&mut s).map_err(|e| fail(e.to_string()))?;
                        Some(s.trim_end_matches(['\n', '\r']).to_string())
                    } else {
                        None
                    };
                    let generated = password.is_none();
                    let pw = admin::reset_password(&config, &username, password)
                        .await
                        .map_err(|e| fail(e.to_string()))?;
                    if generated {
                        println!("New password for {username}: {pw}");
                    } else {
                        println!("Password for {username} updated.");
                    }
                    println!("All of {username}'s sessions were ended.");
                    Ok(ExitCode::SUCCESS)
                }
                AdminCommand::LocalLogin { state } => {
                    let on = state == "on";
                    let note = admin::set_local_login(&config, on)
                        .await
                        .map_err(|e| fail(e.to_string()))?;
                    println!("Password sign-in is now {}.{note}", if on { "on" } else { "off" });
                    Ok(ExitCode::SUCCESS)
                }
                AdminCommand::AuditVerify => {
                    let (message, ok) =
                        admin::audit_verify(&config).await.map_err(|e| fail(e.to_string()))?;
                    println!("{message}");
                    Ok(if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE })
                }
            }
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
