//! `cairn-bench retention`: one history retention pass over a big history (the lists
//! bench's seed: 100,000 jobs over a year, 1,000,000 log lines, 1,000,000 audit events),
//! run by the real server on its own timer with the default settings and audit events kept
//! 180 days. Prints the pass's duration and what it removed (from the server's own log
//! line), the database size before and after, and job log ingestion (P4's endpoint side:
//! agents posting event batches) while the pass runs against the same ingestion before and
//! after it. Target: ingestion during the pass within 10 % of ingestion without it.

use std::{
    path::Path,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant, SystemTime},
};

use cairn_proto::{AGENT_AUDIENCE, PROTOCOL_HEADER, PROTOCOL_VERSION};
use cairn_server::{AppState, Config, store::hosts};
use cairn_testkit::agent::SimAgent;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::Value;
use uuid::Uuid;

use crate::{
    free_port, host_row,
    ingest::{events_body, insert_job, line, new_job},
    lists::{Opts, seed},
    spawn_server, wait_ready,
};

/// Agents posting log batches at once, as in P4.
const AGENTS: usize = 4;
/// Lines per batch (the agent's batch size).
const BATCH: usize = 500;
/// The server's first pass starts this long after it starts (`history.interval_secs`).
const FIRST_PASS_SECS: u64 = 20;
/// Each window of posting: before the pass, inside it, after it.
const WINDOW_SECS: u64 = 8;

pub async fn run() {
    let o = Opts::from_args();
    let server_bin =
        std::env::var("CAIRN_SERVER_BIN").unwrap_or_else(|_| "target/release/cairn-server".into());
    println!(
        "cairn-bench retention: one pass over {} jobs, {} log lines, {} audit events (a year); defaults, audit kept 180 days; {AGENTS} agents posting log batches of {BATCH} meanwhile",
        o.jobs, o.logs, o.audit
    );
    let (bin, o) = (&server_bin, &o);
    crate::each_engine("retention", |engine, url, dir| async move {
        one_engine(engine, &url, &dir, bin, o).await
    })
    .await;
}

/// The database's size in MB: the SQLite file and its WAL, or PostgreSQL's
/// `pg_database_size`.
async fn db_mb(state: &AppState, db_url: &str) -> f64 {
    if let Some(mb) = crate::sqlite_mb(db_url) {
        return mb;
    }
    let db = state.store.db();
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT pg_database_size(current_database())::BIGINT AS size",
        ))
        .await
        .ok()
        .flatten();
    row.and_then(|r| r.try_get::<i64>("", "size").ok()).unwrap_or(0) as f64 / 1e6
}

/// What the server logged for its pass: when it ended, how long it took, what it removed.
struct Pass {
    ended: SystemTime,
    ms: u64,
    fields: Value,
}

/// The first "history pruned" line in the server's JSON log, once it is there.
fn pass_in(log: &Path) -> Option<Pass> {
    let text = std::fs::read_to_string(log).ok()?;
    text.lines().find_map(|l| {
        let v: Value = serde_json::from_str(l).ok()?;
        if v["fields"]["message"] != "history pruned" {
            return None;
        }
        let ended = chrono::DateTime::parse_from_rfc3339(v["timestamp"].as_str()?).ok()?;
        Some(Pass {
            ended: SystemTime::from(ended),
            ms: v["fields"]["ms"].as_u64()?,
            fields: v["fields"].clone(),
        })
    })
}

async fn one_engine(engine: &str, db_url: &str, dir: &Path, bin: &str, o: &Opts) {
    let config = Config { data_dir: dir.into(), database_url: db_url.into(), ..Config::default() };
    let state = AppState::open(config).await.expect("open store (migrates)");
    seed(engine, &state, o).await;
    let (port, base) = free_port();
    let mut agents: Vec<SimAgent> =
        (0..AGENTS).map(|i| SimAgent::new(&base, &format!("retention-{i}"))).collect();
    let mut jobs = Vec::new();
    for a in &mut agents {
        let id = Uuid::now_v7();
        let txn = state.store.write().await.expect("txn");
        hosts::insert(&*txn, host_row(id, a)).await.expect("insert host");
        txn.commit().await.expect("commit");
        a.id = Some(id);
        let (job, row) = new_job(id);
        insert_job(&state, row).await;
        jobs.push(job);
    }
    if state.store.backend() == sea_orm::DbBackend::Postgres {
        let _ = state.store.db().execute_unprepared("VACUUM ANALYZE").await;
    }
    let before = db_mb(&state, db_url).await;
    println!("{engine}: database {before:.0} MB before the pass");

    let log = dir.join("server.log");
    let mut server = spawn_server(
        bin,
        dir,
        port,
        &[
            ("CAIRN_DATABASE_URL", db_url),
            ("CAIRN_HISTORY_INTERVAL_SECS", &FIRST_PASS_SECS.to_string()),
            ("CAIRN_HISTORY_AUDIT_DAYS", "180"),
            ("CAIRN_LOG_FORMAT", "json"),
            ("RUST_LOG", "warn,cairn_server::domain::history=info"),
        ],
        Some(&log),
    );
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(usize::MAX)
        .timeout(Duration::from_secs(120))
        .build()
        .expect("client");
    wait_ready(&http, &base).await;

    // Each agent posts its job's lines a batch at a time while `on` is set, until `stop`;
    // every answered batch is recorded with the time its answer came. Three windows: before
    // the pass, inside it, after it. Posting all the time would add millions of lines.
    let posted: Arc<Mutex<Vec<(SystemTime, usize)>>> = Arc::new(Mutex::new(Vec::new()));
    let errors = Arc::new(Mutex::new(Vec::<String>::new()));
    let on = Arc::new(AtomicBool::new(false));
    let stop = Arc::new(AtomicBool::new(false));
    let lines: Arc<Vec<String>> = Arc::new((0..BATCH * 20).map(line).collect());
    let ready = Instant::now();
    let mut tasks = Vec::new();
    for (agent, job) in agents.into_iter().zip(jobs) {
        let host = agent.id.expect("id");
        let (http, base) = (http.clone(), base.clone());
        let (posted, errors, on, stop, lines) =
            (posted.clone(), errors.clone(), on.clone(), stop.clone(), lines.clone());
        let mut token = (Instant::now(), agent.token_with(host, 0, 240, AGENT_AUDIENCE));
        tasks.push(tokio::spawn(async move {
            let mut seq = 0usize;
            while !stop.load(Ordering::Relaxed) {
                if !on.load(Ordering::Relaxed) {
                    tokio::time::sleep(Duration::from_millis(5)).await;
                    continue;
                }
                if token.0.elapsed() > Duration::from_secs(120) {
                    token = (Instant::now(), agent.token_with(host, 0, 240, AGENT_AUDIENCE));
                }
                let i = (seq / BATCH) % 20;
                let body = events_body(seq, &lines[i * BATCH..(i + 1) * BATCH]);
                let r = http
                    .post(format!("{base}/api/agent/v1/jobs/{job}/events"))
                    .bearer_auth(&token.1)
                    .header(PROTOCOL_HEADER, PROTOCOL_VERSION.to_string())
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await;
                match r {
                    Ok(r) if r.status().is_success() => {
                        posted.lock().expect("lock").push((SystemTime::now(), BATCH));
                        seq += BATCH;
                    }
                    Ok(r) => {
                        let text = r.text().await.unwrap_or_default();
                        errors.lock().expect("lock").push(text);
                    }
                    Err(e) => errors.lock().expect("lock").push(e.to_string()),
                }
            }
        }));
    }
    // A window: posting from `from` (after `ready`) for `WINDOW_SECS`; its bounds.
    let window = |from: Duration| {
        let on = on.clone();
        async move {
            tokio::time::sleep_until((ready + from).into()).await;
            let start = SystemTime::now();
            on.store(true, Ordering::Relaxed);
            tokio::time::sleep(Duration::from_secs(WINDOW_SECS)).await;
            on.store(false, Ordering::Relaxed);
            (start, SystemTime::now())
        }
    };
    let before_w = window(Duration::from_secs(2)).await;
    let during_w = window(Duration::from_secs(FIRST_PASS_SECS + 3)).await;
    let deadline = Instant::now() + Duration::from_secs(1800);
    let pass = loop {
        if let Some(p) = pass_in(&log) {
            break Some(p);
        }
        if Instant::now() > deadline {
            break None;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let after_w = window(ready.elapsed() + Duration::from_secs(1)).await;
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        let _ = t.await;
    }
    let Some(pass) = pass else {
        println!("{engine}: no pass logged within 30 minutes; see {}", log.display());
        return;
    };
    let pass_start = pass.ended - Duration::from_millis(pass.ms);
    let posted = posted.lock().expect("lock").clone();
    let rows: usize = posted.iter().map(|(_, n)| n).sum();
    let rate = |(from, to): (SystemTime, SystemTime)| -> f64 {
        let n: usize = posted.iter().filter(|(t, _)| *t >= from && *t < to).map(|(_, n)| n).sum();
        let secs = to.duration_since(from).map(|d| d.as_secs_f64()).unwrap_or(0.0);
        if secs > 0.0 { n as f64 / secs } else { f64::NAN }
    };
    let (before_rate, during, after) = (rate(before_w), rate(during_w), rate(after_w));
    let alone = (before_rate + after) / 2.0;
    let inside = pass_start <= during_w.0 && pass.ended >= during_w.1;
    let f = &pass.fields;
    println!(
        "{engine}: pass took {:.1} s; removed {} log lines (of {} jobs), {} jobs, {} commands, {} audit events",
        pass.ms as f64 / 1e3,
        f["log_lines"],
        f["logs_of_jobs"],
        f["jobs"],
        f["commands"],
        f["audit_events"]
    );
    println!(
        "P4 {engine} during the pass: {during:.0} rows/s; without it: {alone:.0} rows/s ({before_rate:.0} before, {after:.0} after); during/without {:.2}  [target ≥ 0.90]{}",
        during / alone,
        if inside { "" } else { " (the pass did not cover the whole window: not a valid figure)" }
    );
    let errors = errors.lock().expect("lock").clone();
    println!("{engine}: posting errors {}", errors.len());
    for e in errors.iter().take(3) {
        println!("    {}", &e[..e.len().min(300)]);
    }
    let _ = server.start_kill();
    let _ = server.wait().await;
    // SQLite's freed pages went back to the file system at the pass's end (its
    // `mb_given_back`); PostgreSQL keeps them for new rows. The lines posted meanwhile are
    // in the size after.
    let after_mb = db_mb(&state, db_url).await;
    println!(
        "{engine}: database {before:.0} MB before the pass, {after_mb:.0} MB after it (with the {rows} log lines posted meanwhile); given back to the file system {} MB",
        f["mb_given_back"]
    );
    let logged = std::fs::read_to_string(&log).unwrap_or_default();
    let bad: Vec<&str> =
        logged.lines().filter(|l| l.contains("\"ERROR\"") || l.contains("\"WARN\"")).collect();
    println!("{engine}: server log: {} warnings or errors", bad.len());
    for l in bad.iter().take(3) {
        println!("    {}", &l[..l.len().min(300)]);
    }
    state.store.clone().close().await;
}
