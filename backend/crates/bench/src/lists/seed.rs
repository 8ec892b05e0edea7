//! Seeding for `cairn-bench lists`: a year of history for 1,000 hosts written straight into
//! the database with multi-row INSERTs, in big transactions, before the server starts.

use cairn_server::{
    AppState,
    store::{
        WriteTxn,
        audit::{GENESIS_HASH, NewAuditRow, chain_hash},
        hosts::{self, HostRow},
        multi_row_sql,
        repositories::{self, RepositoryRow},
        schedules::{self, ScheduleRow},
    },
};
use cairn_testkit::agent::SimAgent;
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbBackend, Statement, Value as DbValue};
use serde_json::{Value, json};
use uuid::Uuid;

use std::time::Instant;

use super::{Opts, Seeded};
use crate::host_row;

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
    let head = format!("INSERT INTO {table} ({}) VALUES ", cols.join(", "));
    let sql = multi_row_sql(backend, &head, cols.len(), values.len() / cols.len(), "");
    Statement::from_sql_and_values(backend, sql, values)
}

const JOB_COLS: [&str; 24] = [
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
    "schedule_id",
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

pub(crate) async fn seed(engine: &str, state: &AppState, o: &Opts) -> Seeded {
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
                    guard_max_delete_count: None,
                    guard_max_delete_percent: Some(50),
                    guard_min_keep: 1,
                    last_check_job_id: None,
                    last_check_at: None,
                    last_check_passed: None,
                    next_password_enc: None,
                    rotation_state: None,
                    rotation_old_key: None,
                    rotation_waits: None,
                    rotation_started_at: None,
                    check_cron: None,
                    check_timezone: None,
                    check_subset: None,
                    check_host_id: None,
                    check_next_at: None,
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

    // Schedules: two a host, a nightly cron (staggered over 4 hours and read in one of
    // four zones, as a fleet spreads its load) and a manual one. Their own generator, so
    // the jobs and events below are the ones seeded before schedules were.
    let t = Instant::now();
    let mut srng = Rng(0x5C4E_D01E);
    let zones = [None, Some("UTC"), Some("America/New_York"), Some("Asia/Tokyo")];
    let mut schedules_of: Vec<[Uuid; 2]> = Vec::with_capacity(o.hosts);
    {
        let txn = state.store.write().await.expect("txn");
        for (i, host) in host_ids.iter().enumerate() {
            let repo = repo_ids[srng.below(repo_ids.len() as u64) as usize];
            let mut ids = [Uuid::nil(); 2];
            for (k, id) in ids.iter_mut().enumerate() {
                *id = Uuid::now_v7();
                let cron = (k == 0).then(|| format!("{} {} * * *", i % 60, 1 + (i / 60) % 4));
                let row = ScheduleRow {
                    id: *id,
                    host_id: *host,
                    repository_id: repo,
                    name: if k == 0 { "nightly" } else { "on demand" }.into(),
                    cron,
                    timezone: zones[i % zones.len()].map(str::to_string),
                    enabled: true,
                    backup: r#"{"paths":["/etc","/srv"]}"#.into(),
                    retention: None,
                    forget_after_backup: false,
                    prune_after_forget: false,
                    prune_max_unused: None,
                    copy_to: None,
                    missed: "run_once".into(),
                    hooks_enc: None,
                    agent_findings: None,
                    agent_checked_at: None,
                    created_at: start,
                    updated_at: start,
                };
                schedules::insert(&*txn, row).await.expect("insert schedule");
            }
            schedules_of.push(ids);
        }
        txn.commit().await.expect("commit");
    }
    println!("{engine}: seeded {} schedules in {:.1} s", 2 * o.hosts, t.elapsed().as_secs_f64());

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
        let h = rng.below(host_ids.len() as u64) as usize;
        let host = host_ids[h];
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
        // The summary as the server writes it (its own fields, ~330 bytes); the report
        // carries the rest of the job's bytes.
        let summary = core.as_ref().map(Value::to_string);
        let extra = summary.as_ref().map_or(0, |s| SUMMARY_BYTES.saturating_sub(s.len()));
        let result =
            job_result(&mut rng, status, exit, class.as_deref(), message.as_deref(), core, extra);
        let progress = job_progress(&mut rng);
        bytes += summary.as_ref().map_or(0, String::len) + result.len() + progress.len();
        let actor = (rng.below(5) == 0).then(|| "alice".to_string());
        // Three backups in four were made by one of the host's schedules (mostly its cron).
        let schedule = (kind == "backup" && srng.below(4) != 0)
            .then(|| schedules_of[h][usize::from(srng.below(5) == 0)]);
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
            schedule.into(),
        ]);
        if values.len() >= 1000 * JOB_COLS.len() {
            b.exec(insert(backend, "jobs", &JOB_COLS, std::mem::take(&mut values))).await;
        }
    }
    if !values.is_empty() {
        b.exec(insert(backend, "jobs", &JOB_COLS, std::mem::take(&mut values))).await;
    }
    b.commit().await;
    // The jobs went in by raw INSERTs, past the store: copy each schedule's newest job onto
    // it, as the store does when it writes a job.
    {
        let all: Vec<Uuid> = schedules_of.iter().flatten().copied().collect();
        let txn = state.store.write().await.expect("txn");
        schedules::refresh_last_jobs(&*txn, &all).await.expect("copy newest jobs");
        txn.commit().await.expect("commit");
    }
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

/// The bytes a backup with a snapshot stores beside its result and progress (its summary,
/// the rest in its result): the issue's "about 1 KB of JSON each in summary, result and
/// progress". The server writes a summary from its own fields only (~330 bytes), so a
/// bigger one could never be stored.
const SUMMARY_BYTES: usize = 1024;

/// A `JobResult` of about 1 KB (and `extra` bytes more): the outcome, and the paths restic
/// could not read.
fn job_result(
    rng: &mut Rng,
    status: &str,
    exit: Option<i32>,
    class: Option<&str>,
    message: Option<&str>,
    summary: Option<Value>,
    extra: usize,
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
    while v.to_string().len() < 1000 + extra {
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
