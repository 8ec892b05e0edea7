//! `cairn-bench lists` (P5): the list endpoints over a big history. Seeds, straight into the
//! database (multi-row INSERTs, before the server starts), 100,000 finished jobs over 1,000
//! hosts and a year, 1,000,000 job log lines and 1,000,000 hash-chained audit events (5 %
//! denied). Then it starts the real server as its own process, makes an admin and a personal
//! access token through the API, and loads each list at 32 concurrent connections for a few
//! seconds: requests/s, p50/p99 latency and errors, with the target beside them. Last, it
//! times `GET /api/v1/audit/verify` over the whole chain and reads the server's RSS before
//! and during it. SQLite, then PostgreSQL when one answers (a fresh database, dropped after).

use std::{
    path::Path,
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use cairn_server::{
    AppState, Config,
    store::{
        WriteTxn,
        audit::{GENESIS_HASH, NewAuditRow, chain_hash},
        hosts::{self, HostRow},
        repositories::{self, RepositoryRow},
    },
};
use cairn_testkit::agent::SimAgent;
use chrono::{DateTime, SecondsFormat, Utc};
use sea_orm::{ConnectionTrait, Database, DbBackend, Statement, Value as DbValue};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    admin_token, arg, cpu_secs, free_port, host_row, pct, rss_mb, spawn_server, wait_ready,
};

const TARGET: &str = "[target ≥ 3,000 req/s, p99 ≤ 20 ms]";

struct Opts {
    hosts: usize,
    jobs: usize,
    logs: usize,
    audit: usize,
    conns: usize,
    secs: f64,
    deep: usize,
}

pub async fn run() {
    let o = Opts {
        hosts: arg("--hosts", 1_000),
        jobs: arg("--jobs", 100_000),
        logs: arg("--logs", 1_000_000),
        audit: arg("--audit", 1_000_000),
        conns: arg("--conns", 32),
        secs: arg("--secs", 4) as f64,
        deep: arg("--deep", 1_990),
    };
    let server_bin =
        std::env::var("CAIRN_SERVER_BIN").unwrap_or_else(|_| "target/release/cairn-server".into());
    println!(
        "cairn-bench lists (P5): {} jobs over {} hosts, {} log lines, {} audit events; {} connections, {:.1} s per case",
        o.jobs, o.hosts, o.logs, o.audit, o.conns, o.secs
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let sqlite = format!("sqlite://{}", dir.path().join("cairn.db").display());
    one_engine("SQLite", &sqlite, dir.path(), &server_bin, &o).await;
    drop(dir);

    let pg = std::env::var("CAIRN_BENCH_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into());
    match Database::connect(format!("{pg}/postgres")).await {
        Ok(admin) => {
            let name = format!("cairn_bench_lists_{}", std::process::id());
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .expect("create database");
            let pg_dir = tempfile::tempdir().expect("temp dir");
            one_engine("PostgreSQL", &format!("{pg}/{name}"), pg_dir.path(), &server_bin, &o).await;
            let _ = admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await;
        }
        Err(e) => println!("PostgreSQL: not measured ({pg} did not answer: {e})"),
    }
}

/// What the load cases need to know about the seeded history.
struct Seeded {
    hosts: Vec<Uuid>,
    /// Jobs with the longest logs (over 1,000 lines with the default sizes: a full first
    /// page of logs).
    long_jobs: Vec<Uuid>,
}

async fn one_engine(engine: &str, db_url: &str, dir: &Path, bin: &str, o: &Opts) {
    let config = Config { data_dir: dir.into(), database_url: db_url.into(), ..Config::default() };
    let state = AppState::open(config).await.expect("open store (migrates)");
    let seeded = seed(engine, &state, o).await;
    if let Some(file) = db_url.strip_prefix("sqlite://") {
        let size: u64 = ["", "-wal"]
            .iter()
            .filter_map(|s| std::fs::metadata(format!("{file}{s}")).ok())
            .map(|m| m.len())
            .sum();
        println!("{engine}: database file {:.0} MB", size as f64 / 1e6);
    }
    state.store.clone().close().await;

    let (port, base) = free_port();
    let log = dir.join("server.log");
    let mut server = spawn_server(bin, dir, port, &[("CAIRN_DATABASE_URL", db_url)], Some(&log));
    let pid = server.id().unwrap_or(0);
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(usize::MAX)
        .timeout(Duration::from_secs(300))
        .build()
        .expect("client");
    wait_ready(&http, &base).await;
    let token = admin_token(&http, &base, dir).await;
    println!("{engine}: server up (pid {pid}), RSS {:.0} MB", rss_mb(pid));

    let since =
        (Utc::now() - chrono::Duration::days(182)).to_rfc3339_opts(SecondsFormat::Secs, true);
    let url = |path: &str, q: &[(&str, String)]| -> String {
        reqwest::Url::parse_with_params(&format!("{base}{path}"), q).expect("url").to_string()
    };
    let limit50 = ("limit", "50".to_string());

    // The deep cursor: walk the newest-first job list page by page, once.
    let t = Instant::now();
    let mut cursor: Option<String> = None;
    let mut walked = 0usize;
    for _ in 0..o.deep {
        let mut q = vec![limit50.clone()];
        if let Some(c) = &cursor {
            q.push(("cursor", c.clone()));
        }
        let v: Value = http
            .get(url("/api/v1/jobs", &q))
            .bearer_auth(&token)
            .send()
            .await
            .expect("page")
            .json()
            .await
            .expect("page json");
        match v["next_cursor"].as_str() {
            Some(c) => {
                cursor = Some(c.to_string());
                walked += 1;
            }
            None => break,
        }
    }
    let walk = t.elapsed();
    println!(
        "{engine}: followed next_cursor {walked} times (to job {} of {}) one request at a time: {:.1} s, {:.2} ms a page",
        walked * 50 + 1,
        o.jobs,
        walk.as_secs_f64(),
        walk.as_secs_f64() * 1e3 / walked.max(1) as f64
    );
    let deep = cursor.unwrap_or_default();

    let few_hosts: Vec<Uuid> =
        seeded.hosts.iter().step_by(seeded.hosts.len().div_ceil(50)).copied().collect();
    let cases: Vec<(String, Vec<String>)> = vec![
        ("GET /jobs?limit=50".into(), vec![url("/api/v1/jobs", std::slice::from_ref(&limit50))]),
        (
            "GET /jobs?limit=50&status=failed".into(),
            vec![url("/api/v1/jobs", &[limit50.clone(), ("status", "failed".into())])],
        ),
        (
            format!("GET /jobs?limit=50&kind=backup&host_id=… ({} hosts in turn)", few_hosts.len()),
            few_hosts
                .iter()
                .map(|h| {
                    url(
                        "/api/v1/jobs",
                        &[limit50.clone(), ("kind", "backup".into()), ("host_id", h.to_string())],
                    )
                })
                .collect(),
        ),
        (
            "GET /jobs?limit=50&since=<6 months ago>".into(),
            vec![url("/api/v1/jobs", &[limit50.clone(), ("since", since.clone())])],
        ),
        (
            format!("GET /jobs?limit=50&cursor=<page {}>", walked + 1),
            vec![url("/api/v1/jobs", &[limit50.clone(), ("cursor", deep.clone())])],
        ),
        (
            "GET /jobs?limit=50&with_total=true".into(),
            vec![url("/api/v1/jobs", &[limit50.clone(), ("with_total", "true".into())])],
        ),
        (
            format!(
                "GET /jobs/{{id}}/logs?after=0&limit=1000 ({} jobs in turn)",
                seeded.long_jobs.len()
            ),
            seeded
                .long_jobs
                .iter()
                .map(|j| {
                    url(
                        &format!("/api/v1/jobs/{j}/logs"),
                        &[("after", "0".into()), ("limit", "1000".into())],
                    )
                })
                .collect(),
        ),
        // Not a P5 case: the floor under every list (token check, one small query, a small
        // answer), to tell the fixed cost of a request from the cost of its page.
        (
            "GET /jobs?limit=1 (reference: the fixed cost of a request)".into(),
            vec![url("/api/v1/jobs", &[("limit", "1".into())])],
        ),
        ("GET /hosts?limit=100".into(), vec![url("/api/v1/hosts", &[("limit", "100".into())])]),
        ("GET /audit?limit=100".into(), vec![url("/api/v1/audit", &[("limit", "100".into())])]),
        (
            "GET /audit?limit=100&outcome=denied".into(),
            vec![url("/api/v1/audit", &[("limit", "100".into()), ("outcome", "denied".into())])],
        ),
    ];

    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    // What the rest of the machine is doing while the server idles (a shared machine).
    let busy = machine_busy_secs();
    tokio::time::sleep(Duration::from_secs(2)).await;
    println!(
        "{engine}: background load with the server idle: {:.2} of {cores} cores busy",
        (machine_busy_secs() - busy) / 2.0
    );
    for (name, urls) in &cases {
        if urls.is_empty() {
            println!("P5 {engine} {name}: skipped (nothing seeded to ask for)");
            continue;
        }
        // What one answer holds, and that it is an answer at all.
        let r = http.get(&urls[0]).bearer_auth(&token).send().await.expect("probe");
        let status = r.status();
        let body = r.bytes().await.unwrap_or_default();
        let v: Value = serde_json::from_slice(&body).unwrap_or_default();
        if !status.is_success() {
            println!(
                "P5 {engine} {name}: answered {status}: {}",
                String::from_utf8_lossy(&body[..body.len().min(300)])
            );
        }
        let items = v["items"].as_array().map(|a| a.len()).unwrap_or(0);
        let total = match (&v["total"], &v["total_capped"]) {
            (Value::Number(n), c) => {
                format!(", total {n}{}", if c == &json!(true) { "+" } else { "" })
            }
            _ => String::new(),
        };
        let s = load(&http, &token, urls, o.conns, o.secs, pid).await;
        println!(
            "P5 {engine} {name}: {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms, errors {} ({} requests; {items} items, {:.0} KB an answer{total}; CPU in cores: server {:.2}, load generator {:.2}, whole machine {:.2} of {cores})  {TARGET}",
            s.rate,
            s.p50 * 1e3,
            s.p99 * 1e3,
            s.errors,
            s.requests,
            body.len() as f64 / 1024.0,
            s.server_cores,
            s.client_cores,
            s.machine_cores,
        );
    }

    // Verifying the whole chain: time and memory.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let before = rss_mb(pid);
    let done = Arc::new(AtomicBool::new(false));
    let peak = Arc::new(AtomicU64::new(0));
    let sampler = {
        let (done, peak) = (done.clone(), peak.clone());
        tokio::spawn(async move {
            while !done.load(Ordering::Relaxed) {
                let kb = (rss_mb(pid) * 1024.0) as u64;
                peak.fetch_max(kb, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
    };
    let t = Instant::now();
    let r = http.get(format!("{base}/api/v1/audit/verify")).bearer_auth(&token).send().await;
    let answer: Value = match r {
        Ok(r) => r.json().await.unwrap_or_default(),
        Err(e) => json!({ "error": e.to_string() }),
    };
    let took = t.elapsed();
    done.store(true, Ordering::Relaxed);
    let _ = sampler.await;
    println!(
        "P5 {engine} GET /audit/verify: {:.2} s for {} events ({:.0} events/s), ok {}; server RSS before {:.0} MB, peak during {:.0} MB, after {:.0} MB",
        took.as_secs_f64(),
        answer["checked"],
        answer["checked"].as_f64().unwrap_or(0.0) / took.as_secs_f64(),
        answer["ok"],
        before,
        peak.load(Ordering::Relaxed) as f64 / 1024.0,
        rss_mb(pid)
    );
    if answer["ok"] != json!(true) {
        println!("    answer: {answer}");
    }

    let _ = server.start_kill();
    let _ = server.wait().await;
    let logged = std::fs::read_to_string(&log).unwrap_or_default();
    let lines: Vec<&str> =
        logged.lines().filter(|l| l.contains("ERROR") || l.contains("WARN")).collect();
    println!("{engine}: server log: {} warnings or errors", lines.len());
    for l in lines.iter().take(5) {
        println!("    {}", &l[..l.len().min(300)]);
    }
}

struct Stats {
    rate: f64,
    p50: f64,
    p99: f64,
    errors: u64,
    requests: usize,
    server_cores: f64,
    client_cores: f64,
    machine_cores: f64,
}

/// CPU seconds the whole machine has spent busy (every core, every process), /proc/stat.
fn machine_busy_secs() -> f64 {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let f: Vec<f64> = stat
        .lines()
        .next()
        .unwrap_or("")
        .split_whitespace()
        .skip(1)
        .filter_map(|v| v.parse().ok())
        .collect();
    // user nice system idle iowait irq softirq steal …: busy is all but idle and iowait.
    let total: f64 = f.iter().take(8).sum();
    let idle = f.get(3).copied().unwrap_or(0.0) + f.get(4).copied().unwrap_or(0.0);
    (total - idle) / 100.0
}

/// `conns` connections, each sending the next of `urls` as soon as the last answer's body
/// has been read, for `secs` seconds after a short unmeasured warm-up. A non-2xx answer, a
/// transport error or a body cut off counts as an error.
async fn load(
    http: &reqwest::Client,
    token: &str,
    urls: &[String],
    conns: usize,
    secs: f64,
    pid: u32,
) -> Stats {
    let urls: Arc<Vec<String>> = Arc::new(urls.to_vec());
    let errors = Arc::new(AtomicU64::new(0));
    let mut all = Vec::new();
    let (mut cpu_server, mut cpu_client, mut cpu_machine) = (0.0, 0.0, 0.0);
    let mut started = Instant::now();
    for (measured, secs) in [(false, 0.5), (true, secs)] {
        if measured {
            errors.store(0, Ordering::Relaxed);
            cpu_server = cpu_secs(pid);
            cpu_client = cpu_secs(std::process::id());
            cpu_machine = machine_busy_secs();
            started = Instant::now();
        }
        let deadline = Instant::now() + Duration::from_secs_f64(secs);
        let mut tasks = Vec::new();
        for c in 0..conns {
            let (http, token, urls, errors) =
                (http.clone(), token.to_string(), urls.clone(), errors.clone());
            tasks.push(tokio::spawn(async move {
                let mut lat = Vec::new();
                let mut i = c;
                while Instant::now() < deadline {
                    let url = &urls[i % urls.len()];
                    i += 1;
                    let t = Instant::now();
                    let ok = match http.get(url).bearer_auth(&token).send().await {
                        Ok(r) if r.status().is_success() => r.bytes().await.is_ok(),
                        Ok(r) => {
                            let _ = r.bytes().await;
                            false
                        }
                        Err(_) => false,
                    };
                    lat.push(t.elapsed());
                    if !ok {
                        errors.fetch_add(1, Ordering::Relaxed);
                    }
                }
                lat
            }));
        }
        let mut lat = Vec::new();
        for t in tasks {
            lat.extend(t.await.expect("load task"));
        }
        if measured {
            all = lat;
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let server_cores = (cpu_secs(pid) - cpu_server) / elapsed;
    let client_cores = (cpu_secs(std::process::id()) - cpu_client) / elapsed;
    let machine_cores = (machine_busy_secs() - cpu_machine) / elapsed;
    all.sort();
    Stats {
        rate: all.len() as f64 / elapsed,
        p50: pct(&all, 0.5).as_secs_f64(),
        p99: pct(&all, 0.99).as_secs_f64(),
        errors: errors.load(Ordering::Relaxed),
        requests: all.len(),
        server_cores,
        client_cores,
        machine_cores,
    }
}

// ---------------------------------------------------------------------------------------
// Seeding

/// splitmix64: a fixed, dependency-free sequence, so every run seeds the same history.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn hex(&mut self, chars: usize) -> String {
        let mut s = String::with_capacity(chars + 16);
        while s.len() < chars {
            s.push_str(&format!("{:016x}", self.next()));
        }
        s.truncate(chars);
        s
    }
}

/// Whole microseconds: the precision both engines store (and the audit chain hashes).
fn micros(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(t.timestamp_micros()).unwrap_or(t)
}

/// Write transactions of up to `per_txn` statements on the store's writer path.
struct Batcher<'a> {
    state: &'a AppState,
    txn: Option<WriteTxn>,
    in_txn: usize,
    per_txn: usize,
}

impl<'a> Batcher<'a> {
    fn new(state: &'a AppState, per_txn: usize) -> Self {
        Batcher { state, txn: None, in_txn: 0, per_txn }
    }
    async fn exec(&mut self, stmt: Statement) {
        if self.txn.is_none() {
            self.txn = Some(self.state.store.write().await.expect("txn"));
        }
        let txn = self.txn.as_ref().expect("txn");
        txn.execute_raw(stmt).await.expect("seed insert");
        self.in_txn += 1;
        if self.in_txn >= self.per_txn {
            self.commit().await;
        }
    }
    async fn commit(&mut self) {
        if let Some(txn) = self.txn.take() {
            txn.commit().await.expect("commit");
        }
        self.in_txn = 0;
    }
}

/// One multi-row INSERT of `values.len() / cols.len()` rows.
fn insert(backend: DbBackend, table: &str, cols: &[&str], values: Vec<DbValue>) -> Statement {
    let rows = values.len() / cols.len();
    let mut sql = format!("INSERT INTO {table} ({}) VALUES ", cols.join(", "));
    for r in 0..rows {
        sql.push_str(if r > 0 { ",(" } else { "(" });
        for c in 0..cols.len() {
            if c > 0 {
                sql.push(',');
            }
            if backend == DbBackend::Postgres {
                sql.push_str(&format!("${}", r * cols.len() + c + 1));
            } else {
                sql.push('?');
            }
        }
        sql.push(')');
    }
    Statement::from_sql_and_values(backend, sql, values)
}

const JOB_COLS: [&str; 23] = [
    "id",
    "host_id",
    "repository_id",
    "kind",
    "status",
    "actor_kind",
    "actor",
    "args",
    "created_at",
    "dispatched_at",
    "started_at",
    "finished_at",
    "cancel_requested_at",
    "exit_code",
    "error_class",
    "error_message",
    "summary",
    "snapshot_id",
    "result",
    "progress",
    "last_seq",
    "log_lines",
    "dispatches",
];
const LOG_COLS: [&str; 5] = ["job_id", "seq", "at", "stream", "line"];
const AUDIT_COLS: [&str; 15] = [
    "id",
    "time",
    "actor_kind",
    "actor_id",
    "actor_name",
    "source_ip",
    "user_agent",
    "action",
    "target_kind",
    "target_id",
    "target_name",
    "outcome",
    "details",
    "prev_hash",
    "hash",
];

async fn seed(engine: &str, state: &AppState, o: &Opts) -> Seeded {
    let backend = state.store.backend();
    let mut rng = Rng(0x0CA1_12B5);
    let now = Utc::now();
    let year = chrono::Duration::days(365);
    let start = now - year;
    let at = |frac: f64| {
        micros(
            start
                + chrono::Duration::microseconds(
                    (year.num_microseconds().unwrap_or(0) as f64 * frac) as i64,
                ),
        )
    };

    // Hosts and repositories, through the store's own inserts.
    let t = Instant::now();
    let roles = ["web", "db", "app", "cache", "mail", "files", "build", "ci", "vpn", "log"];
    let sites = ["fra1", "ams2", "lon1", "nyc3", "sfo2"];
    let mut host_ids = Vec::with_capacity(o.hosts);
    {
        let txn = state.store.write().await.expect("txn");
        for i in 0..o.hosts {
            let name = format!(
                "{}-{:04}.{}.example.net",
                roles[i % roles.len()],
                i,
                sites[i % sites.len()]
            );
            let a = SimAgent::new("http://127.0.0.1:1", &name);
            let id = Uuid::now_v7();
            let seen = (i % 10 != 0).then(|| now - chrono::Duration::seconds(rng.below(60) as i64));
            let row = HostRow {
                created_at: at(rng.unit() * 0.05),
                last_seen_at: seen,
                last_ip: Some(format!("10.{}.{}.{}", i / 65536, (i / 256) % 256, i % 256)),
                ..host_row(id, &a)
            };
            hosts::insert(&*txn, row).await.expect("insert host");
            host_ids.push(id);
        }
        txn.commit().await.expect("commit");
    }
    let mut repo_ids = Vec::new();
    {
        let txn = state.store.write().await.expect("txn");
        for i in 0..20 {
            let id = Uuid::now_v7();
            repositories::insert(
                &*txn,
                RepositoryRow {
                    id,
                    name: format!("repo-{i:02}"),
                    url: format!("s3:https://s3.example.net/backups-{i:02}"),
                    password_enc: "bench-not-a-real-ciphertext".into(),
                    env_enc: "bench-not-a-real-ciphertext".into(),
                    env_keys: "[]".into(),
                    created_at: start,
                    updated_at: start,
                },
            )
            .await
            .expect("insert repository");
            repo_ids.push(id);
        }
        txn.commit().await.expect("commit");
    }
    println!(
        "{engine}: seeded {} hosts and {} repositories in {:.1} s",
        o.hosts,
        repo_ids.len(),
        t.elapsed().as_secs_f64()
    );

    // Jobs: every 200th has a long log (over 1,000 lines), the rest a few lines each.
    let long_every = 200usize;
    let n_long = o.jobs.div_ceil(long_every).max(1);
    let short_lines = 5usize.min(o.logs / o.jobs.max(1));
    let long_lines = (o.logs - short_lines * (o.jobs - n_long)) / n_long;
    let mut long_extra = o.logs - short_lines * (o.jobs - n_long) - long_lines * n_long;
    let t = Instant::now();
    let mut b = Batcher::new(state, 20);
    let mut logs_of: Vec<(Uuid, DateTime<Utc>, usize)> = Vec::with_capacity(o.jobs);
    let mut values: Vec<DbValue> = Vec::new();
    let mut bytes = 0usize;
    for i in 0..o.jobs {
        let id = Uuid::now_v7();
        let host = host_ids[rng.below(host_ids.len() as u64) as usize];
        let repo = repo_ids[rng.below(repo_ids.len() as u64) as usize];
        let created = at((i as f64 + rng.unit()) / o.jobs as f64);
        let kind = match rng.below(100) {
            0..90 => "backup",
            90..98 => "snapshots",
            _ => "init",
        };
        let status = match rng.below(100) {
            0..85 => "succeeded",
            85..90 => "warning",
            90..97 => "failed",
            _ => "lost",
        };
        let lines = if i % long_every == 0 {
            let extra = long_extra.min(1);
            long_extra -= extra;
            long_lines + extra
        } else {
            short_lines
        };
        let started = created + chrono::Duration::milliseconds(1200 + rng.below(800) as i64);
        let finished = started + chrono::Duration::seconds(5 + rng.below(3600) as i64);
        logs_of.push((id, started, lines));
        let args = match kind {
            "backup" => r#"{"kind":"backup","paths":["/etc"],"excludes":[],"tags":[]}"#.to_string(),
            other => format!(r#"{{"kind":"{other}"}}"#),
        };
        let (exit, class, message): (Option<i32>, Option<String>, Option<String>) = match status {
            "succeeded" => (Some(0), None, None),
            "warning" => {
                (Some(3), None, Some("Backup done, but some files could not be read.".into()))
            }
            "failed" => (
                Some(1),
                Some("restic.locked".into()),
                Some(
                    "repository is already locked by PID 4121 on db-0007 by root (UID 0, GID 0)"
                        .into(),
                ),
            ),
            _ => (
                None,
                Some("agent.restarted".into()),
                Some("The agent restarted while the job ran.".into()),
            ),
        };
        let snapshot =
            (kind == "backup" && matches!(status, "succeeded" | "warning")).then(|| rng.hex(64));
        let core = snapshot.as_ref().map(|s| summary_core(&mut rng, s));
        let summary = core.as_ref().map(|c| padded_summary(c.clone()));
        let result = job_result(&mut rng, status, exit, class.as_deref(), message.as_deref(), core);
        let progress = job_progress(&mut rng);
        bytes += summary.as_ref().map_or(0, String::len) + result.len() + progress.len();
        let actor = (rng.below(5) == 0).then(|| "alice".to_string());
        values.extend([
            DbValue::from(id),
            host.into(),
            Some(repo).into(),
            kind.into(),
            status.into(),
            if actor.is_some() { "user" } else { "system" }.into(),
            actor.into(),
            args.into(),
            created.into(),
            Some(created + chrono::Duration::milliseconds(300)).into(),
            Some(started).into(),
            Some(finished).into(),
            Option::<DateTime<Utc>>::None.into(),
            exit.into(),
            class.into(),
            message.into(),
            summary.into(),
            snapshot.into(),
            Some(result).into(),
            Some(progress).into(),
            (lines as i64).into(),
            (lines as i64).into(),
            1i32.into(),
        ]);
        if values.len() >= 1000 * JOB_COLS.len() {
            b.exec(insert(backend, "jobs", &JOB_COLS, std::mem::take(&mut values))).await;
        }
    }
    if !values.is_empty() {
        b.exec(insert(backend, "jobs", &JOB_COLS, std::mem::take(&mut values))).await;
    }
    b.commit().await;
    println!(
        "{engine}: seeded {} jobs in {:.1} s (summary + result + progress: {:.2} KB a job on average)",
        o.jobs,
        t.elapsed().as_secs_f64(),
        bytes as f64 / o.jobs.max(1) as f64 / 1024.0
    );

    // Log lines.
    let t = Instant::now();
    let mut n = 0usize;
    for (job, started, lines) in &logs_of {
        for seq in 1..=*lines {
            let stderr = rng.below(10) == 0;
            values.extend([
                DbValue::from(*job),
                (seq as i64).into(),
                (*started + chrono::Duration::milliseconds(seq as i64 * 40)).into(),
                if stderr { "stderr" } else { "stdout" }.into(),
                log_line(&mut rng, seq, stderr).into(),
            ]);
            n += 1;
            if values.len() >= 2000 * LOG_COLS.len() {
                b.exec(insert(backend, "job_logs", &LOG_COLS, std::mem::take(&mut values))).await;
            }
        }
    }
    if !values.is_empty() {
        b.exec(insert(backend, "job_logs", &LOG_COLS, std::mem::take(&mut values))).await;
    }
    b.commit().await;
    println!("{engine}: seeded {n} log lines in {:.1} s", t.elapsed().as_secs_f64());

    // Audit events, chained with the store's own hash, ids 1..N in time order.
    let t = Instant::now();
    let users: Vec<(String, String)> =
        ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"]
            .iter()
            .map(|u| (Uuid::now_v7().to_string(), u.to_string()))
            .collect();
    let mut prev = GENESIS_HASH.to_string();
    let mut denied = 0usize;
    for i in 0..o.audit {
        let row = audit_row(&mut rng, at((i as f64 + 0.5) / o.audit as f64), &users, &host_ids);
        denied += (row.outcome == "denied") as usize;
        let hash = chain_hash(&prev, &row);
        values.extend([
            DbValue::from((i + 1) as i64),
            row.time.into(),
            row.actor_kind.into(),
            row.actor_id.into(),
            row.actor_name.into(),
            row.source_ip.into(),
            row.user_agent.into(),
            row.action.into(),
            row.target_kind.into(),
            row.target_id.into(),
            row.target_name.into(),
            row.outcome.into(),
            row.details.into(),
            std::mem::replace(&mut prev, hash.clone()).into(),
            hash.into(),
        ]);
        if values.len() >= 1000 * AUDIT_COLS.len() {
            b.exec(insert(backend, "audit_events", &AUDIT_COLS, std::mem::take(&mut values))).await;
        }
    }
    if !values.is_empty() {
        b.exec(insert(backend, "audit_events", &AUDIT_COLS, std::mem::take(&mut values))).await;
    }
    b.commit().await;
    println!(
        "{engine}: seeded {} audit events ({:.1} % denied) in {:.1} s",
        o.audit,
        denied as f64 * 100.0 / o.audit.max(1) as f64,
        t.elapsed().as_secs_f64()
    );

    if backend == DbBackend::Postgres {
        // Explicit ids leave the sequence behind; and the state autovacuum would reach on
        // its own a minute later (statistics, visibility map), at once.
        let db = state.store.db();
        db.execute_unprepared(
            "SELECT setval(pg_get_serial_sequence('audit_events', 'id'), (SELECT MAX(id) FROM audit_events))",
        )
        .await
        .expect("setval");
        let t = Instant::now();
        db.execute_unprepared("VACUUM ANALYZE").await.expect("vacuum analyze");
        println!("{engine}: VACUUM ANALYZE in {:.1} s", t.elapsed().as_secs_f64());
    }

    let long_jobs =
        logs_of.iter().filter(|(_, _, n)| *n >= 1000).map(|(id, _, _)| *id).take(50).collect();
    Seeded { hosts: host_ids, long_jobs }
}

fn summary_core(rng: &mut Rng, snapshot: &str) -> Value {
    let files = 20_000 + rng.below(400_000);
    let new = rng.below(500);
    let changed = rng.below(2_000);
    json!({
        "files_new": new,
        "files_changed": changed,
        "files_unmodified": files - new - changed,
        "dirs_new": rng.below(40),
        "dirs_changed": rng.below(300),
        "dirs_unmodified": 1_000 + rng.below(20_000),
        "data_added": rng.below(2_000_000_000),
        "total_files_processed": files,
        "total_bytes_processed": 1_000_000_000 + rng.below(100_000_000_000),
        "total_duration_secs": 5.0 + rng.unit() * 3_600.0,
        "snapshot_id": snapshot,
    })
}

/// A `BackupSummary` stored at about 1 KB: its own fields come to ~330 bytes, so a field
/// the server does not know (and ignores when it reads the summary) makes up the rest.
fn padded_summary(mut core: Value) -> String {
    let len = core.to_string().len();
    core["bench_padding"] = Value::String("x".repeat(1024usize.saturating_sub(len + 20)));
    core.to_string()
}

/// A `JobResult` of about 1 KB: the outcome, and the paths restic could not read.
fn job_result(
    rng: &mut Rng,
    status: &str,
    exit: Option<i32>,
    class: Option<&str>,
    message: Option<&str>,
    summary: Option<Value>,
) -> String {
    let mut v = json!({ "outcome": status, "unreadable": [] });
    if let Some(e) = exit {
        v["exit_code"] = json!(e);
    }
    if let Some(c) = class {
        v["error_class"] = json!(c);
    }
    if let Some(m) = message {
        v["message"] = json!(m);
    }
    if let Some(s) = summary {
        v["summary"] = s;
    }
    let mut paths = Vec::new();
    while v.to_string().len() < 1000 {
        paths.push(json!(format!(
            "/srv/data/projects/p-{:04}/cache/file-{:07}.tmp",
            rng.below(977),
            rng.below(10_000_000)
        )));
        v["unreadable"] = Value::Array(paths.clone());
    }
    v.to_string()
}

/// A `JobProgress` of about 1 KB: the last one, with the files being read at the time.
fn job_progress(rng: &mut Rng) -> String {
    let files = 20_000 + rng.below(400_000);
    let bytes = 1_000_000_000 + rng.below(100_000_000_000);
    let mut v = json!({
        "fraction": 1.0,
        "total_files": files,
        "files_done": files,
        "total_bytes": bytes,
        "bytes_done": bytes,
        "seconds_elapsed": 5 + rng.below(3600),
        "seconds_remaining": 0,
        "current_files": [],
    });
    let mut current = Vec::new();
    while v.to_string().len() < 1000 {
        current.push(json!(format!(
            "/var/lib/postgresql/15/main/base/16384/{}",
            10_000 + rng.below(90_000)
        )));
        v["current_files"] = Value::Array(current.clone());
    }
    v.to_string()
}

/// A line like restic's: a JSON status line, a skipped path, or an error; 60–200 bytes.
fn log_line(rng: &mut Rng, seq: usize, stderr: bool) -> String {
    if stderr {
        format!(
            "error: open /srv/data/projects/p-{:04}/file-{:07}.bin: permission denied",
            rng.below(977),
            rng.below(10_000_000)
        )
    } else if seq.is_multiple_of(3) {
        format!(
            "{{\"message_type\":\"status\",\"percent_done\":0.{:06},\"total_files\":{},\"files_done\":{seq},\"total_bytes\":4294967296,\"bytes_done\":{}}}",
            rng.below(1_000_000),
            seq * 2,
            seq * 4096
        )
    } else {
        format!(
            "/srv/data/projects/p-{:04}/file-{:07}.bin does not exist, skipping",
            rng.below(977),
            rng.below(10_000_000)
        )
    }
}

fn audit_row(
    rng: &mut Rng,
    time: DateTime<Utc>,
    users: &[(String, String)],
    hosts: &[Uuid],
) -> NewAuditRow {
    let (uid, uname) = users[rng.below(users.len() as u64) as usize].clone();
    let host = hosts[rng.below(hosts.len() as u64) as usize];
    let ip = format!("192.168.{}.{}", rng.below(4), 10 + rng.below(200));
    let browser = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
    let r = rng.below(1000);
    // 5 % denied (logins with a wrong password, a token without the permission), 1 %
    // failures, the rest successes across the kinds of event a fleet produces.
    let (actor_kind, action, outcome, target, details) = match r {
        0..35 => (
            "anonymous",
            "auth.login",
            "denied",
            None,
            json!({ "username": uname, "reason": "wrong password" }),
        ),
        35..50 => (
            "token",
            "host.delete",
            "denied",
            Some(("host", host.to_string(), format!("host-{}", &host.to_string()[..8]))),
            json!({ "reason": "missing permission hosts.write" }),
        ),
        50..60 => (
            "system",
            "agent.lost",
            "failure",
            Some(("host", host.to_string(), format!("host-{}", &host.to_string()[..8]))),
            json!({ "reason": "the agent restarted while a job ran" }),
        ),
        60..300 => (
            "user",
            "auth.login",
            "success",
            Some(("user", uid.clone(), uname.clone())),
            json!({ "method": "password" }),
        ),
        300..700 => (
            "system",
            "job.create",
            "success",
            Some(("job", Uuid::now_v7().to_string(), "backup".into())),
            json!({ "host_id": host, "kind": "backup", "schedule": "nightly" }),
        ),
        700..850 => (
            "user",
            "host.ping",
            "success",
            Some(("host", host.to_string(), format!("host-{}", &host.to_string()[..8]))),
            json!({}),
        ),
        850..950 => (
            "token",
            "host.update",
            "success",
            Some(("host", host.to_string(), format!("host-{}", &host.to_string()[..8]))),
            json!({ "tags": [["prod"], ["prod", "eu"]] }),
        ),
        950..980 => ("user", "auth.logout", "success", None, json!({})),
        _ => (
            "user",
            "token.create",
            "success",
            Some(("token", Uuid::now_v7().to_string(), "ci".into())),
            json!({ "role": "operator", "expires_in_days": 90 }),
        ),
    };
    let as_user = matches!(actor_kind, "user" | "token");
    NewAuditRow {
        time,
        actor_kind: actor_kind.into(),
        actor_id: as_user.then(|| uid.clone()),
        actor_name: as_user.then(|| uname.clone()),
        source_ip: (actor_kind != "system").then_some(ip),
        user_agent: match actor_kind {
            "user" | "anonymous" => Some(browser.into()),
            "token" => Some("curl/8.5.0".into()),
            _ => None,
        },
        action: action.into(),
        target_kind: target.as_ref().map(|t| t.0.to_string()),
        target_id: target.as_ref().map(|t| t.1.clone()),
        target_name: target.map(|t| t.2),
        outcome: outcome.into(),
        details: details.to_string(),
    }
}
