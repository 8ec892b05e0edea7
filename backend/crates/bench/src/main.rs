//! Benchmarks that print figures (docs/performance.md) and assert nothing.
//! `cairn-bench` (the fleet): N simulated agents (real HTTP, real Ed25519-signed tokens, each its
//! own key) long-poll one real cairn-server process. Prints: connections held, server RSS,
//! latency from "ping accepted by the API" to "command in the agent's hands" (P1), the
//! time for one fleet-wide command to reach every agent (P2), the time for a change to every
//! host's config (3 schedules each) to be in every agent's hands and acked, and errors.
//! `cairn-bench ingest`: job log ingestion versus raw INSERTs (P4, in ingest.rs).
//! `cairn-bench lists`: the list endpoints over a big history (P5, in lists/).
//! `cairn-bench retention`: one history retention pass and ingestion meanwhile (retention.rs).
//! `cairn-bench agent-idle`: the real agent idling with 3 schedules (P6).

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use cairn_server::{
    AppState, Config,
    domain::{
        audit::Actor,
        repositories::{self, NewRepository},
    },
    store::{
        hosts::{self, HostRow},
        schedules::{self, ScheduleRow},
    },
};
use cairn_testkit::agent::SimAgent;
use serde_json::{Value, json};
use uuid::Uuid;

mod alerts;
mod catalog;
mod ingest;
mod lists;
mod restore;
mod retention;
mod sweep;

struct Shared {
    /// command id → when an agent received it.
    received: Mutex<HashMap<Uuid, Instant>>,
    held: AtomicUsize,
    errors: AtomicU64,
    polls: AtomicU64,
    /// A config version to wait for (0: none), and how many agents have it.
    target: AtomicU64,
    reached: AtomicUsize,
}

/// A free local port for a server to listen on, and its base URL.
fn free_port() -> (u16, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("port")
        .local_addr()
        .expect("addr")
        .port();
    (port, format!("http://127.0.0.1:{port}"))
}

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Runs `one` (engine name, database URL, data directory) on SQLite in a temporary
/// directory, then on a fresh PostgreSQL database named `cairn_bench_<what>_<pid>`, dropped
/// after; PostgreSQL is reported as not measured when `CAIRN_BENCH_PG_URL` (default
/// `postgres://postgres@127.0.0.1:5432`) does not answer. `--engine sqlite` or
/// `--engine postgres` runs one of them.
async fn each_engine<F, Fut>(what: &str, mut one: F)
where
    F: FnMut(&'static str, String, std::path::PathBuf) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let engine = std::env::args().skip_while(|a| a != "--engine").nth(1).unwrap_or_default();
    if engine != "postgres" {
        let dir = tempfile::tempdir().expect("temp dir");
        let sqlite = format!("sqlite://{}", dir.path().join("cairn.db").display());
        one("SQLite", sqlite, dir.path().to_path_buf()).await;
    }
    if engine == "sqlite" {
        return;
    }
    let pg = std::env::var("CAIRN_BENCH_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into());
    match sea_orm::Database::connect(format!("{pg}/postgres")).await {
        Ok(admin) => {
            use sea_orm::ConnectionTrait;
            let name = format!("cairn_bench_{what}_{}", std::process::id());
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .expect("create database");
            let dir = tempfile::tempdir().expect("temp dir");
            one("PostgreSQL", format!("{pg}/{name}"), dir.path().to_path_buf()).await;
            let _ = admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await;
        }
        Err(e) => println!("PostgreSQL: not measured ({pg} did not answer: {e})"),
    }
}

/// The size in MB of a SQLite database (its file and WAL); `None` for another URL.
fn sqlite_mb(db_url: &str) -> Option<f64> {
    let file = db_url.strip_prefix("sqlite://")?;
    let bytes: u64 = ["", "-wal"]
        .iter()
        .filter_map(|s| std::fs::metadata(format!("{file}{s}")).ok())
        .map(|m| m.len())
        .sum();
    Some(bytes as f64 / 1e6)
}

fn rss_mb(pid: u32) -> f64 {
    status_mb(pid, "VmRSS:")
}

/// A memory figure of `/proc/<pid>/status` in MB (`VmRSS:` now, `VmHWM:` the peak).
fn status_mb(pid: u32, key: &str) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with(key)).map(|l| l.to_string()))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|kb| kb.parse::<f64>().ok()))
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

#[tokio::main]
async fn main() {
    match std::env::args().nth(1).as_deref() {
        Some("agent-idle") => return agent_idle().await,
        Some("ingest") => return ingest::run().await,
        Some("lists") => return lists::run().await,
        Some("retention") => return retention::run().await,
        Some("catalog") => return catalog::run(),
        Some("restore") => return restore::run().await,
        Some("alerts") => return alerts::run().await,
        Some("sweep") => return sweep::run().await,
        _ => {}
    }
    let n = arg("--agents", 10_000);
    let samples = arg("--samples", 300);
    let server_bin =
        std::env::var("CAIRN_SERVER_BIN").unwrap_or_else(|_| "target/release/cairn-server".into());
    let dir = tempfile::tempdir().expect("temp dir");
    let (port, base) = free_port();
    let db_url = format!("sqlite://{}", dir.path().join("cairn.db").display());
    println!("cairn-bench fleet: {n} agents, SQLite, server {server_bin}");

    // Seed: N hosts with the simulated agents' public keys, straight into the store.
    let t0 = Instant::now();
    let fleet_repo;
    let mut agents: Vec<SimAgent> =
        (0..n).map(|i| SimAgent::new(&base, &format!("sim-{i:05}"))).collect();
    {
        let config = Config {
            data_dir: dir.path().into(),
            database_url: db_url.clone(),
            ..Config::default()
        };
        let state = AppState::open(config).await.expect("open store");
        // One repository (sealed like any, through the domain) linked to every host, and
        // three schedules per host: what each agent's config carries.
        let repo = bench_repository(&state, "fleet", "s3:https://s3.example.net/fleet").await;
        let now = chrono::Utc::now();
        for chunk in agents.chunks_mut(1000) {
            let txn = state.store.write().await.expect("txn");
            for a in chunk {
                let id = Uuid::now_v7();
                hosts::insert(&*txn, host_row(id, a)).await.expect("insert host");
                hosts::link(&*txn, id, repo, now).await.expect("link");
                for (name, cron) in SCHEDULES {
                    schedules::insert(&*txn, schedule_row(id, repo, name, cron, now))
                        .await
                        .expect("insert schedule");
                }
                a.id = Some(id);
            }
            txn.commit().await.expect("commit");
        }
        state.store.clone().close().await;
        fleet_repo = repo;
    }
    println!(
        "seeded {n} hosts, each linked to one repository with {} schedules, in {:.1} s",
        SCHEDULES.len(),
        t0.elapsed().as_secs_f64()
    );

    let mut server = spawn_server(
        &server_bin,
        dir.path(),
        port,
        &[("CAIRN_DATABASE_URL", &db_url), ("CAIRN_AUTH_LOGIN_MAX_FAILURES_PER_IP", "1000")],
        None,
    );
    let pid = server.id().unwrap_or(0);
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(usize::MAX)
        .timeout(Duration::from_secs(120))
        .build()
        .expect("client");
    wait_ready(&http, &base).await;
    let admin = admin_token(&http, &base, dir.path()).await;
    println!("server up (pid {pid}), RSS idle {:.0} MB", rss_mb(pid));

    let shared = Arc::new(Shared {
        received: Mutex::new(HashMap::new()),
        held: AtomicUsize::new(0),
        errors: AtomicU64::new(0),
        polls: AtomicU64::new(0),
        target: AtomicU64::new(0),
        reached: AtomicUsize::new(0),
    });
    let host_ids: Vec<Uuid> = agents.iter().filter_map(|a| a.id).collect();
    let connect = Instant::now();
    // `--ramp-secs S` spreads the first polls over S seconds (0: all at once, a restart burst).
    let ramp = Duration::from_secs(arg("--ramp-secs", 0) as u64);
    for (i, mut a) in agents.into_iter().enumerate() {
        a.client = http.clone();
        let shared = shared.clone();
        let delay = ramp.mul_f64(i as f64 / n as f64);
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            let mut version = 0u64;
            let mut counted = false;
            let mut reached = false;
            loop {
                if version > 0 && !counted {
                    shared.held.fetch_add(1, Ordering::Relaxed);
                    counted = true;
                }
                shared.polls.fetch_add(1, Ordering::Relaxed);
                // A held poll's head comes at once and its body when there is something to
                // say: the command is in hand once the body is read. A body cut off midway
                // is an error like a failed request.
                let answer = match a.try_poll(version).await {
                    Ok(r) if r.status().is_success() => r.json::<Value>().await.ok(),
                    _ => None,
                };
                match answer {
                    Some(v) => {
                        let at = Instant::now();
                        if let Some(cfg) = v["config"]["version"].as_u64() {
                            version = cfg;
                            let target = shared.target.load(Ordering::Relaxed);
                            if target > 0 && cfg >= target && !reached {
                                reached = true;
                                shared.reached.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                        if let Some(cmds) = v["commands"].as_array() {
                            let mut got = shared.received.lock().expect("lock");
                            for c in cmds {
                                if let Some(id) = c["id"].as_str().and_then(|s| s.parse().ok()) {
                                    got.insert(id, at);
                                }
                            }
                        }
                    }
                    None => {
                        shared.errors.fetch_add(1, Ordering::Relaxed);
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                }
            }
        });
    }
    while shared.held.load(Ordering::Relaxed) < n {
        if connect.elapsed() > Duration::from_secs(180) {
            println!(
                "only {} of {n} agents connected after 180 s",
                shared.held.load(Ordering::Relaxed)
            );
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let held = shared.held.load(Ordering::Relaxed);
    println!(
        "connections held: {held} of {n} (all connected in {:.1} s); server RSS {:.0} MB",
        connect.elapsed().as_secs_f64(),
        rss_mb(pid)
    );
    // The held state a while later: every agent has re-polled once (timeout 25 s) and the
    // server's periodic trim has returned what the connect burst freed.
    tokio::time::sleep(Duration::from_secs(30)).await;
    println!(
        "server RSS after one poll cycle (30 s later): {:.0} MB  [target ≤ 300 MB]",
        rss_mb(pid)
    );

    // P1: one ping at a time to random hosts; API accepted → agent has it.
    let mut lat = Vec::with_capacity(samples);
    let mut api = Vec::with_capacity(samples);
    for i in 0..samples {
        let host = host_ids[(i * 7919) % host_ids.len()];
        let sent = Instant::now();
        let r = http
            .post(format!("{base}/api/v1/hosts/{host}/ping"))
            .bearer_auth(&admin)
            .json(&json!({}))
            .send()
            .await;
        let accepted = Instant::now();
        let Ok(r) = r else {
            shared.errors.fetch_add(1, Ordering::Relaxed);
            continue;
        };
        let v: Value = r.json().await.unwrap_or_default();
        let Some(id) = v["command_id"].as_str().and_then(|s| s.parse::<Uuid>().ok()) else {
            continue;
        };
        api.push(accepted - sent);
        let wait = Instant::now();
        loop {
            if let Some(at) = shared.received.lock().expect("lock").get(&id) {
                lat.push(at.saturating_duration_since(accepted));
                break;
            }
            if wait.elapsed() > Duration::from_secs(30) {
                println!("ping {id} never arrived");
                break;
            }
            tokio::time::sleep(Duration::from_micros(200)).await;
        }
    }
    lat.sort();
    api.sort();
    println!(
        "P1 ping accepted → in agent's hands ({} samples): p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms  [target p99 ≤ 10 ms]",
        lat.len(),
        pct(&lat, 0.5).as_secs_f64() * 1e3,
        pct(&lat, 0.99).as_secs_f64() * 1e3,
        lat.last().copied().unwrap_or_default().as_secs_f64() * 1e3
    );
    println!(
        "    API POST /hosts/{{id}}/ping: p50 {:.2} ms, p99 {:.2} ms",
        pct(&api, 0.5).as_secs_f64() * 1e3,
        pct(&api, 0.99).as_secs_f64() * 1e3
    );

    // P2: one command for the whole fleet.
    let before = shared.received.lock().expect("lock").len();
    let sent = Instant::now();
    let r = http
        .post(format!("{base}/api/v1/hosts/ping"))
        .bearer_auth(&admin)
        .json(&json!({}))
        .send()
        .await;
    let queued = match r {
        Ok(r) => {
            r.json::<Value>().await.unwrap_or_default()["queued"].as_u64().unwrap_or(0) as usize
        }
        Err(_) => 0,
    };
    let accepted = sent.elapsed();
    loop {
        let got = shared.received.lock().expect("lock").len() - before;
        if got >= queued || sent.elapsed() > Duration::from_secs(60) {
            println!(
                "P2 one command for all: {got} of {queued} agents had it {:.2} s after the request (API answered in {:.0} ms)  [target ≤ 1 s]",
                sent.elapsed().as_secs_f64(),
                accepted.as_secs_f64() * 1e3
            );
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    println!(
        "server RSS right after P2's fleet-wide wake-up: {:.0} MB (peak so far {:.0} MB)",
        rss_mb(pid),
        status_mb(pid, "VmHWM:")
    );
    tokio::time::sleep(Duration::from_secs(5)).await;

    // Schedules: one change that gives every host a new config (the repository's delete
    // guard, which every host's config carries with its 3 schedules), pushed to all. In
    // hands: the agent has read the answer with the new version. Acked: the agent's next
    // poll reported it (`config_version`, as a real agent does once it has saved the config)
    // and the server recorded it: every host row's `applied_config_version`, read from the
    // server's database.
    let mut read_only = sea_orm::ConnectOptions::new(format!("{db_url}?mode=ro"));
    read_only.max_connections(1).min_connections(1).sqlx_logging(false);
    let db = sea_orm::Database::connect(read_only).await.expect("open the database read-only");
    shared.target.store(2, Ordering::Relaxed);
    // The kernel's peak RSS (VmHWM) restarts from now ("5" to clear_refs, Linux ≥ 4.0), so
    // the peak printed after is the change's own, not P2's.
    let peak_reset = std::fs::write(format!("/proc/{pid}/clear_refs"), "5").is_ok();
    let sent = Instant::now();
    let r = http
        .patch(format!("{base}/api/v1/repositories/{fleet_repo}"))
        .bearer_auth(&admin)
        .json(&json!({ "guard": { "max_delete_percent": 30, "min_keep": 2 } }))
        .send()
        .await;
    let ok = r.as_ref().is_ok_and(|r| r.status().is_success());
    let accepted = sent.elapsed();
    let mut in_hands = None;
    let mut acked = 0;
    let mut last_check = Instant::now();
    loop {
        let got = shared.reached.load(Ordering::Relaxed);
        if got >= n && in_hands.is_none() {
            in_hands = Some(sent.elapsed());
        }
        if last_check.elapsed() >= Duration::from_millis(50) || in_hands.is_some() {
            acked = applied_at_least(&db, 2).await;
            last_check = Instant::now();
        }
        if (in_hands.is_some() && acked >= n) || sent.elapsed() > Duration::from_secs(120) {
            let in_hands = in_hands.unwrap_or_else(|| sent.elapsed());
            println!(
                "schedules: a change to all {n} hosts' config (3 schedules each) in {got} agents' hands {:.2} s after the request, acked by {acked} (the server recorded the applied version) {:.2} s after (API {} in {:.0} ms)  [target ≤ 5 s]",
                in_hands.as_secs_f64(),
                sent.elapsed().as_secs_f64(),
                if ok { "answered" } else { "FAILED" },
                accepted.as_secs_f64() * 1e3
            );
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    db.close().await.ok();
    println!(
        "server RSS after the fleet-wide config push: {:.0} MB ({} {:.0} MB)",
        rss_mb(pid),
        if peak_reset { "peak during the change" } else { "peak so far" },
        status_mb(pid, "VmHWM:")
    );
    // The fleet back to waiting: every agent has re-polled, and the burst's memory is
    // either handed back or still held.
    tokio::time::sleep(Duration::from_secs(30)).await;
    println!(
        "errors: {} (polls made: {}); server RSS 30 s after the config push {:.0} MB  [targets: 0 errors, RSS ≤ 300 MB]",
        shared.errors.load(Ordering::Relaxed),
        shared.polls.load(Ordering::Relaxed),
        rss_mb(pid)
    );
    let _ = server.start_kill();
}

/// How many hosts' agents have reported applying config `version` or newer.
async fn applied_at_least(db: &sea_orm::DatabaseConnection, version: i64) -> usize {
    use sea_orm::{ConnectionTrait, Statement};
    let stmt = Statement::from_sql_and_values(
        db.get_database_backend(),
        "SELECT COUNT(*) AS n FROM hosts WHERE applied_config_version >= ?",
        [version.into()],
    );
    db.query_one_raw(stmt)
        .await
        .ok()
        .flatten()
        .and_then(|r| r.try_get::<i64>("", "n").ok())
        .unwrap_or(0) as usize
}

async fn admin_token(http: &reqwest::Client, base: &str, dir: &std::path::Path) -> String {
    let token = std::fs::read_to_string(dir.join("setup-token")).expect("setup token");
    let jar = reqwest::Client::builder().cookie_store(true).build().expect("client");
    let r = jar
        .post(format!("{base}/api/v1/setup"))
        .json(&json!({ "token": token.trim(), "username": "bench", "password": "bench-password-123" }))
        .send()
        .await
        .expect("setup");
    assert!(r.status().is_success(), "setup failed");
    let csrf = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| {
            c.strip_prefix("cairn_csrf=").map(|v| v.split(';').next().unwrap_or("").to_string())
        })
        .unwrap_or_default();
    let v: Value = jar
        .post(format!("{base}/api/v1/auth/tokens"))
        .header("X-CSRF-Token", csrf)
        .json(&json!({ "name": "bench" }))
        .send()
        .await
        .expect("token")
        .json()
        .await
        .expect("json");
    let _ = http;
    v["secret"].as_str().expect("secret").to_string()
}

/// The real server as its own process (so its RSS is its own), quiet logs; its output goes
/// to `log` when given (to count errors in it), else to the bench's own.
fn spawn_server(
    bin: &str,
    dir: &std::path::Path,
    port: u16,
    env: &[(&str, &str)],
    log: Option<&std::path::Path>,
) -> tokio::process::Child {
    let mut cmd = tokio::process::Command::new(bin);
    cmd.arg("serve")
        .env("CAIRN_DATA_DIR", dir)
        .env("CAIRN_LISTEN", format!("127.0.0.1:{port}"))
        .env("CAIRN_LOG_LEVEL", "warn")
        .envs(env.iter().copied())
        .kill_on_drop(true);
    if let Some(log) = log {
        let out = std::fs::File::create(log).expect("log file");
        cmd.stderr(out.try_clone().expect("log file")).stdout(out);
    }
    cmd.spawn().expect("start server")
}

/// Each simulated host's schedules: name and cron.
const SCHEDULES: [(&str, &str); 3] =
    [("nightly", "0 3 * * *"), ("hourly-db", "15 * * * *"), ("weekly-full", "0 4 * * 0")];

/// A repository made through the domain (its password sealed like any), for seeding.
async fn bench_repository(state: &AppState, name: &str, url: &str) -> Uuid {
    repositories::create(
        state,
        &Actor::cli(),
        NewRepository {
            name: name.into(),
            url: url.into(),
            password: "bench-repository-password".into(),
            env: Default::default(),
            guard: None,
        },
    )
    .await
    .expect("create repository")
    .id
}

/// A schedule row as the API would store it (backup paths, a retention policy).
fn schedule_row(
    host: Uuid,
    repo: Uuid,
    name: &str,
    cron: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> ScheduleRow {
    ScheduleRow {
        id: Uuid::now_v7(),
        host_id: host,
        repository_id: repo,
        name: name.into(),
        cron: Some(cron.into()),
        timezone: None,
        enabled: true,
        backup: r#"{"paths":["/etc","/var/lib/app"],"excludes":["*.tmp"],"tags":["bench"]}"#.into(),
        retention: Some(r#"{"keep_daily":7,"keep_weekly":4}"#.into()),
        forget_after_backup: true,
        prune_after_forget: false,
        prune_max_unused: None,
        copy_to: None,
        missed: "run_once".into(),
        hooks_enc: None,
        agent_findings: None,
        agent_checked_at: None,
        created_at: now,
        updated_at: now,
    }
}

/// A host row for a simulated agent, seeded straight into the store.
fn host_row(id: Uuid, a: &SimAgent) -> HostRow {
    HostRow {
        id,
        hostname: a.facts.hostname.clone(),
        os: a.facts.os.clone(),
        arch: a.facts.arch.clone(),
        agent_version: a.facts.agent_version.clone(),
        restic_version: a.facts.restic_version.clone(),
        public_key: a.public_key(),
        fingerprint: a.fingerprint(),
        tags: "[\"bench\"]".into(),
        enrolled_via: "token".into(),
        created_at: chrono::Utc::now(),
        last_seen_at: None,
        last_ip: None,
        config_version: 1,
        applied_config_version: 0,
        timezone: a.facts.timezone.clone(),
    }
}

async fn wait_ready(http: &reqwest::Client, base: &str) {
    let ready = Instant::now();
    while http
        .get(format!("{base}/readyz"))
        .send()
        .await
        .map(|r| !r.status().is_success())
        .unwrap_or(true)
    {
        assert!(ready.elapsed() < Duration::from_secs(60), "server did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat.
fn cpu_secs(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which may hold spaces) start after the last ')'.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // utime and stime are fields 14 and 15 of stat, i.e. 11 and 12 after the state field.
    (ticks(11) + ticks(12)) / 100.0
}

/// Gives the only host, through the API as an admin would, a repository (a local path: the
/// agent only needs its config, nothing runs) and 3 enabled schedules that fire daily about
/// 12 hours from now (UTC), then waits until its agent has applied that config: the config
/// version it returns.
async fn give_schedules(
    http: &reqwest::Client,
    base: &str,
    admin: &str,
    dir: &std::path::Path,
) -> i64 {
    let call = |rb: reqwest::RequestBuilder| async move {
        let r = rb.bearer_auth(admin).send().await.expect("request");
        let status = r.status();
        let v: Value = r.json().await.unwrap_or_default();
        assert!(status.is_success(), "{status}: {v}");
        v
    };
    let host = call(http.get(format!("{base}/api/v1/hosts"))).await["items"][0]["id"]
        .as_str()
        .expect("the enrolled host")
        .to_string();
    let repo = call(http.post(format!("{base}/api/v1/repositories")).json(&json!({
        "name": "idle",
        "url": dir.join("repository").display().to_string(),
        "password": "bench-repository-password",
    })))
    .await["id"]
        .as_str()
        .expect("repository id")
        .to_string();
    call(
        http.put(format!("{base}/api/v1/hosts/{host}/repositories"))
            .json(&json!({ "repository_ids": [repo] })),
    )
    .await;
    use chrono::Timelike;
    let hour = (chrono::Utc::now() + chrono::Duration::hours(12)).hour();
    for (i, name) in ["daily-system", "daily-app", "daily-db"].iter().enumerate() {
        call(http.post(format!("{base}/api/v1/hosts/{host}/schedules")).json(&json!({
            "name": name,
            "repository_id": repo,
            "cron": format!("{} {hour} * * *", i * 20),
            "timezone": "UTC",
            "enabled": true,
            "backup": { "paths": ["/etc", "/var/lib/app"], "excludes": ["*.tmp"], "tags": ["bench"] },
            "retention": { "keep_daily": 7, "keep_weekly": 4 },
            "forget_after_backup": true,
        })))
        .await;
    }
    let t0 = Instant::now();
    loop {
        let v = call(http.get(format!("{base}/api/v1/hosts/{host}/schedules"))).await;
        let count = v["items"].as_array().map_or(0, |a| a.len());
        if v["in_sync"].as_bool() == Some(true) && count == 3 {
            return v["applied_config_version"].as_i64().unwrap_or(0);
        }
        assert!(t0.elapsed() < Duration::from_secs(120), "the agent did not apply its config: {v}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// P6: the real agent idling against the real server with 3 schedules: RSS and CPU over
/// `--secs` seconds.
async fn agent_idle() {
    let secs = arg("--secs", 600) as u64;
    let server_bin =
        std::env::var("CAIRN_SERVER_BIN").unwrap_or_else(|_| "target/release/cairn-server".into());
    let agent_bin =
        std::env::var("CAIRN_AGENT_BIN").unwrap_or_else(|_| "target/release/cairn-agent".into());
    let dir = tempfile::tempdir().expect("temp dir");
    let (port, base) = free_port();
    let mut server = spawn_server(&server_bin, dir.path(), port, &[], None);
    let http = reqwest::Client::new();
    wait_ready(&http, &base).await;
    let admin = admin_token(&http, &base, dir.path()).await;
    let t: Value = http
        .post(format!("{base}/api/v1/enrollment-tokens"))
        .bearer_auth(&admin)
        .json(&json!({}))
        .send()
        .await
        .expect("token")
        .json()
        .await
        .expect("json");
    let state = dir.path().join("agent");
    let ok = tokio::process::Command::new(&agent_bin)
        .args(["--state-dir"])
        .arg(&state)
        .args(["enroll", "--server", &base, "--token", t["secret"].as_str().unwrap_or("")])
        .status()
        .await
        .expect("enroll");
    assert!(ok.success(), "enroll failed");
    let mut agent = tokio::process::Command::new(&agent_bin)
        .arg("--state-dir")
        .arg(&state)
        .arg("run")
        .env("RUST_LOG", "warn")
        .kill_on_drop(true)
        .spawn()
        .expect("run agent");
    let pid = agent.id().unwrap_or(0);
    let version = give_schedules(&http, &base, &admin, dir.path()).await;
    println!(
        "the agent applied config version {version}: 1 repository, 3 enabled schedules (daily, none fires during the run)"
    );
    tokio::time::sleep(Duration::from_secs(5)).await;
    let cpu0 = cpu_secs(pid);
    let mut peak = 0f64;
    let t0 = Instant::now();
    while t0.elapsed() < Duration::from_secs(secs) {
        peak = peak.max(rss_mb(pid));
        tokio::time::sleep(Duration::from_secs(5)).await;
    }
    let cpu = cpu_secs(pid) - cpu0;
    let per_hour = cpu * 3600.0 / t0.elapsed().as_secs_f64();
    println!(
        "P6 agent idle with 3 schedules over {secs} s (long-poll {} s): RSS peak {:.1} MB, CPU {:.2} s → {:.2} s per hour  [target ≤ 15 MB, ≤ 1 s/h]",
        25, peak, cpu, per_hour
    );
    let _ = agent.start_kill();
    let _ = server.start_kill();
}
