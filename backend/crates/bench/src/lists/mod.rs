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

use cairn_server::{AppState, Config};
use chrono::{SecondsFormat, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{admin_token, arg, cpu_secs, free_port, pct, rss_mb, spawn_server, wait_ready};

const TARGET: &str = "[target ≥ 3,000 req/s, p99 ≤ 20 ms]";

mod seed;

pub(crate) use seed::seed;

pub(crate) struct Opts {
    hosts: usize,
    pub(crate) jobs: usize,
    pub(crate) logs: usize,
    pub(crate) audit: usize,
    conns: usize,
    secs: f64,
    deep: usize,
    /// Only the cases whose name contains this (`--only jobs?limit=50`); all when absent.
    only: Option<String>,
}

impl Opts {
    /// The history's sizes and the load's shape from the command line, with defaults.
    pub(crate) fn from_args() -> Opts {
        Opts {
            hosts: arg("--hosts", 1_000),
            jobs: arg("--jobs", 100_000),
            logs: arg("--logs", 1_000_000),
            audit: arg("--audit", 1_000_000),
            conns: arg("--conns", 32),
            secs: arg("--secs", 4) as f64,
            deep: arg("--deep", 1_990),
            only: std::env::args().skip_while(|a| a != "--only").nth(1),
        }
    }
}

pub async fn run() {
    let o = Opts::from_args();
    let server_bin =
        std::env::var("CAIRN_SERVER_BIN").unwrap_or_else(|_| "target/release/cairn-server".into());
    println!(
        "cairn-bench lists (P5): {} jobs over {} hosts, {} log lines, {} audit events; {} connections, {:.1} s per case",
        o.jobs, o.hosts, o.logs, o.audit, o.conns, o.secs
    );
    let (bin, o) = (&server_bin, &o);
    crate::each_engine("lists", |engine, url, dir| async move {
        one_engine(engine, &url, &dir, bin, o).await
    })
    .await;
}

/// What the load cases need to know about the seeded history.
pub(crate) struct Seeded {
    pub(super) hosts: Vec<Uuid>,
    /// Jobs with the longest logs (over 1,000 lines with the default sizes: a full first
    /// page of logs).
    pub(super) long_jobs: Vec<Uuid>,
}

async fn one_engine(engine: &str, db_url: &str, dir: &Path, bin: &str, o: &Opts) {
    let config = Config { data_dir: dir.into(), database_url: db_url.into(), ..Config::default() };
    let state = AppState::open(config).await.expect("open store (migrates)");
    let seeded = seed(engine, &state, o).await;
    if let Some(mb) = crate::sqlite_mb(db_url) {
        println!("{engine}: database file {mb:.0} MB");
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
        // Not a P5 case either: an authenticated request that reads nothing from the
        // database (the caller is remembered, `auth::callers`): what HTTP, the token check
        // and JSON cost on this machine, with no engine at all.
        (
            "GET /auth/me (reference: a request with no query)".into(),
            vec![url("/api/v1/auth/me", &[])],
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
        if o.only.as_ref().is_some_and(|only| !name.contains(only.as_str())) {
            continue;
        }
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

    if o.only.as_ref().is_none_or(|only| "GET /audit/verify".contains(only.as_str())) {
        verify(&http, &base, &token, engine, pid).await;
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

/// `GET /api/v1/audit/verify` over the whole chain: its time, and the server's RSS before,
/// during (sampled every 20 ms) and after.
async fn verify(http: &reqwest::Client, base: &str, token: &str, engine: &str, pid: u32) {
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
    let r = http.get(format!("{base}/api/v1/audit/verify")).bearer_auth(token).send().await;
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
