//! `cairn-bench ingest` (P4): job log lines through the real agent endpoint
//! (`POST /api/agent/v1/jobs/{id}/events`, signed tokens, JSON, the real ingest path) versus
//! a raw batched INSERT loop of the same shape into the same database, in the same run, on SQLite and (when
//! one answers) PostgreSQL. Prints rows/s of both, the ratio, and every error seen.

use std::{
    path::Path,
    sync::Arc,
    time::{Duration, Instant},
};

use cairn_proto::{AGENT_AUDIENCE, PROTOCOL_HEADER, PROTOCOL_VERSION};
use cairn_server::{
    AppState, Config,
    store::{
        hosts,
        jobs::{self, JobRow},
    },
};
use cairn_testkit::agent::SimAgent;
use sea_orm::{ConnectionTrait, Statement, Value as DbValue};
use serde_json::json;
use uuid::Uuid;

use crate::{arg, free_port, host_row, spawn_server, wait_ready};

/// Concurrent agents posting on the endpoint side (each its own job, in seq order).
const AGENTS: usize = 4;
/// Rounds of raw and endpoint, in ABBA order so that both sides meet the same table sizes.
const ROUNDS: usize = 2;

pub async fn run() {
    let rows = arg("--rows", 100_000);
    let batch = arg("--batch", 500);
    let server_bin =
        std::env::var("CAIRN_SERVER_BIN").unwrap_or_else(|_| "target/release/cairn-server".into());
    println!(
        "cairn-bench ingest (P4): {rows} log lines per side per round, batches of {batch} (the agent's batch size is 500), {AGENTS} agents posting at once, {ROUNDS} rounds"
    );
    let bin = &server_bin;
    crate::each_engine("ingest", |engine, url, dir| async move {
        one_engine(engine, &url, &dir, bin, rows, batch).await
    })
    .await;
}

/// One side's rounds (rows/s each; every round writes the same number of rows).
struct Side {
    all: Vec<f64>,
}

impl Side {
    fn new() -> Side {
        Side { all: Vec::new() }
    }
    fn add(&mut self, rate: f64) {
        self.all.push(rate);
    }
    /// All rows over all the time (the harmonic mean of the rounds).
    fn overall(&self) -> f64 {
        self.all.len() as f64 / self.all.iter().map(|r| 1.0 / r).sum::<f64>()
    }
    fn show(&self) -> String {
        let all: Vec<String> = self.all.iter().map(|r| format!("{:.0}", r)).collect();
        format!("{:.0} rows/s (rounds: {})", self.overall(), all.join(", "))
    }
}

async fn one_engine(engine: &str, db_url: &str, dir: &Path, bin: &str, rows: usize, batch: usize) {
    let (port, base) = free_port();
    let config = Config { data_dir: dir.into(), database_url: db_url.into(), ..Config::default() };
    let state = AppState::open(config).await.expect("open store");

    // One host per posting agent, and a job per (round, side, agent) so no line collides.
    let mut agents: Vec<SimAgent> =
        (0..AGENTS).map(|i| SimAgent::new(&base, &format!("ingest-{i}"))).collect();
    for a in &mut agents {
        let id = Uuid::now_v7();
        let txn = state.store.write().await.expect("txn");
        hosts::insert(&*txn, host_row(id, a)).await.expect("insert host");
        txn.commit().await.expect("commit");
        a.id = Some(id);
    }
    let lines: Vec<String> = (0..rows).map(line).collect();

    let log = dir.join("server.log");
    let mut server = spawn_server(bin, dir, port, &[("CAIRN_DATABASE_URL", db_url)], Some(&log));
    let http =
        reqwest::Client::builder().timeout(Duration::from_secs(120)).build().expect("client");
    wait_ready(&http, &base).await;

    let (mut raw, mut api) = (Side::new(), Side::new());
    let (mut errors, mut locked) = (0usize, 0usize);
    let mut expected: i64 = 0;
    let per = rows / AGENTS;
    for round in 0..ROUNDS {
        // ABBA: raw first in even rounds, the endpoint first in odd ones, so both sides
        // meet the same table sizes overall (inserts slow down as the table grows).
        for endpoint in [round % 2 == 1, round % 2 == 0] {
            let (rate, e, l) = if endpoint {
                endpoint_round(&state, &agents, &http, &base, &lines[..per], batch).await
            } else {
                raw_round(&state, &agents, &lines[..per], batch).await
            };
            if endpoint {
                api.add(rate)
            } else {
                raw.add(rate)
            }
            errors += e;
            locked += l;
            expected += (per * AGENTS) as i64;
        }
    }

    let stored = count_logs(&state).await;
    let server_locked =
        std::fs::read_to_string(&log).map(|t| t.matches("database is locked").count()).unwrap_or(0);
    println!(
        "P4 {engine}: endpoint {} ; raw INSERT {} ; endpoint/raw {:.2}  [target ≥ 0.80]",
        api.show(),
        raw.show(),
        api.overall() / raw.overall()
    );
    println!(
        "P4 {engine}: lines stored {stored} of {expected}; errors {errors}; \"database is locked\" {} (responses and server log)  [target 0]",
        locked + server_locked
    );
    let _ = server.start_kill();
    let _ = server.wait().await;
    state.store.clone().close().await;
}

/// Raw: the same shape as the endpoint side (AGENTS writers at once, each its own job),
/// plain multi-row INSERTs, a transaction per batch, through the store's one writer path.
/// Statements are built before the clock starts. Returns rows/s, errors, "locked" errors.
async fn raw_round(
    state: &AppState,
    agents: &[SimAgent],
    lines: &[String],
    batch: usize,
) -> (f64, usize, usize) {
    let mut work = Vec::new();
    for a in agents {
        let (raw_job, row) = new_job(a.id.expect("id"));
        insert_job(state, row).await;
        let stmts: Vec<Statement> = lines
            .chunks(batch)
            .enumerate()
            .map(|(i, chunk)| raw_insert(state.store.backend(), raw_job, (i * batch) as i64, chunk))
            .collect();
        work.push(stmts);
    }
    let t = Instant::now();
    let mut tasks = Vec::new();
    for stmts in work {
        let state = state.clone();
        tasks.push(tokio::spawn(async move {
            let (mut errors, mut locked) = (0usize, 0usize);
            for stmt in stmts {
                let txn = state.store.write().await.expect("txn");
                match txn.execute_raw(stmt).await {
                    Ok(_) => txn.commit().await.expect("commit"),
                    Err(e) => {
                        errors += 1;
                        locked += e.to_string().contains("locked") as usize;
                    }
                }
            }
            (errors, locked)
        }));
    }
    let (mut errors, mut locked) = (0, 0);
    for t in tasks {
        let (e, l) = t.await.expect("raw writer");
        errors += e;
        locked += l;
    }
    ((lines.len() * agents.len()) as f64 / t.elapsed().as_secs_f64(), errors, locked)
}

/// Endpoint: each agent posts its own job's lines in seq order, a batch at a time, as the
/// real agent does; bodies and tokens are made before the clock starts.
async fn endpoint_round(
    state: &AppState,
    agents: &[SimAgent],
    http: &reqwest::Client,
    base: &str,
    lines: &[String],
    batch: usize,
) -> (f64, usize, usize) {
    let mut work = Vec::new();
    for a in agents {
        let host = a.id.expect("id");
        let (job, row) = new_job(host);
        insert_job(state, row).await;
        let token = a.token_with(host, 0, 240, AGENT_AUDIENCE);
        let bodies: Vec<String> = lines
            .chunks(batch)
            .enumerate()
            .map(|(i, chunk)| events_body(i * batch, chunk))
            .collect();
        work.push((job, token, bodies));
    }
    let failures = Arc::new(std::sync::Mutex::new((0usize, 0usize)));
    let t = Instant::now();
    let mut tasks = Vec::new();
    for (job, token, bodies) in work {
        let (http, base, failures) = (http.clone(), base.to_string(), failures.clone());
        tasks.push(tokio::spawn(async move {
            for body in bodies {
                let r = http
                    .post(format!("{base}/api/agent/v1/jobs/{job}/events"))
                    .bearer_auth(&token)
                    .header(PROTOCOL_HEADER, PROTOCOL_VERSION.to_string())
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await;
                let bad = match r {
                    Ok(r) if r.status().is_success() => None,
                    Ok(r) => Some(r.text().await.unwrap_or_default()),
                    Err(e) => Some(e.to_string()),
                };
                if let Some(text) = bad {
                    let mut f = failures.lock().expect("lock");
                    f.0 += 1;
                    f.1 += text.contains("locked") as usize;
                }
            }
        }));
    }
    for t in tasks {
        t.await.expect("poster");
    }
    let rate = (lines.len() * agents.len()) as f64 / t.elapsed().as_secs_f64();
    let f = *failures.lock().expect("lock");
    (rate, f.0, f.1)
}

pub(crate) fn new_job(host: Uuid) -> (Uuid, JobRow) {
    let id = Uuid::now_v7();
    (id, job_row(id, host))
}

fn job_row(id: Uuid, host: Uuid) -> JobRow {
    let now = chrono::Utc::now();
    JobRow {
        id,
        host_id: host,
        repository_id: None,
        kind: cairn_proto::JobKind::Backup,
        status: cairn_server::domain::jobs::JobStatus::Running,
        actor_kind: "system".into(),
        actor: None,
        args: r#"{"kind":"backup","paths":["/bench"],"excludes":[],"tags":[]}"#.into(),
        created_at: now,
        dispatched_at: Some(now),
        started_at: Some(now),
        finished_at: None,
        cancel_requested_at: None,
        exit_code: None,
        error_class: None,
        error_message: None,
        summary: None,
        snapshot_id: None,
        result: None,
        progress: None,
        last_seq: 0,
        log_lines: 0,
        dispatches: 1,
        logs_removed_at: None,
        schedule_id: None,
        waiting_for: None,
    }
}

pub(crate) async fn insert_job(state: &AppState, row: JobRow) {
    let txn = state.store.write().await.expect("txn");
    jobs::insert(&*txn, row).await.expect("insert job");
    txn.commit().await.expect("commit");
}

/// A line like restic's (a skipped path, or a JSON status line), 60–200 bytes.
pub(crate) fn line(i: usize) -> String {
    if i.is_multiple_of(3) {
        format!(
            "{{\"message_type\":\"status\",\"percent_done\":0.{i:06},\"total_files\":{},\"files_done\":{i},\"total_bytes\":4294967296,\"bytes_done\":{}}}",
            i * 2,
            i * 4096
        )
    } else {
        format!("/srv/data/projects/p-{:04}/file-{i:07}.bin does not exist, skipping", i % 977)
    }
}

fn raw_insert(backend: sea_orm::DbBackend, job: Uuid, first: i64, chunk: &[String]) -> Statement {
    let pg = backend == sea_orm::DbBackend::Postgres;
    let mut sql = String::from("INSERT INTO job_logs (job_id, seq, at, stream, line) VALUES ");
    let mut values: Vec<DbValue> = Vec::with_capacity(chunk.len() * 5);
    let now = chrono::Utc::now();
    for (i, l) in chunk.iter().enumerate() {
        if i > 0 {
            sql.push(',');
        }
        if pg {
            let b = i * 5;
            sql.push_str(&format!("(${},${},${},${},${})", b + 1, b + 2, b + 3, b + 4, b + 5));
        } else {
            sql.push_str("(?,?,?,?,?)");
        }
        values.push(job.into());
        values.push((first + i as i64 + 1).into());
        values.push(now.into());
        values.push("stdout".into());
        values.push(l.clone().into());
    }
    Statement::from_sql_and_values(backend, sql, values)
}

pub(crate) fn events_body(first: usize, chunk: &[String]) -> String {
    let now = chrono::Utc::now();
    let events: Vec<serde_json::Value> = chunk
        .iter()
        .enumerate()
        .map(|(i, l)| {
            json!({ "seq": first + i + 1, "at": now, "kind": "log", "stream": "stdout", "line": l })
        })
        .collect();
    json!({ "events": events }).to_string()
}

async fn count_logs(state: &AppState) -> i64 {
    let stmt = Statement::from_string(state.store.backend(), "SELECT COUNT(*) AS n FROM job_logs");
    state
        .store
        .db()
        .query_one_raw(stmt)
        .await
        .ok()
        .flatten()
        .and_then(|r| r.try_get::<i64>("", "n").ok())
        .unwrap_or(-1)
}
