//! `cairn-bench sweep`: the alert sweep over a large fleet, in process on SQLite and
//! PostgreSQL: 10,000 hosts with three cron schedules each (30,000), a tenth of the
//! schedules late with no backup and a tenth of the hosts silent. Prints the first sweep
//! (which raises every late schedule and silent agent), then the steady sweep (nothing
//! new: what the 30 s timer costs each time), as the median of five, with the statements
//! each ran (counted by the store: a fixed number, whatever the fleet's size).

use std::time::Instant;

use cairn_server::{AppState, Config, domain::alerts::sweep, store::hosts};
use cairn_testkit::agent::SimAgent;
use chrono::{Duration, Utc};
use sea_orm::{ConnectionTrait, Statement};
use uuid::Uuid;

use crate::{arg, host_row, schedule_row};

pub async fn run() {
    let n = arg("--hosts", 10_000);
    crate::each_engine("sweep", |engine, url, dir| async move {
        let config =
            Config { data_dir: dir.clone(), database_url: url.clone(), ..Config::default() };
        let state = AppState::open(config).await.expect("open store (migrates)");
        let repo = crate::bench_repository(&state, "bench", "/srv/restic").await;
        let db = state.store.db();
        let backend = db.get_database_backend();
        let now = Utc::now();
        let t0 = Instant::now();
        let two_days = now - Duration::days(2);
        for chunk in (0..n).collect::<Vec<_>>().chunks(1000) {
            let txn = state.store.write().await.expect("txn");
            for &i in chunk {
                let a = SimAgent::new("http://127.0.0.1:1", &format!("sweep-{i:05}"));
                let id = Uuid::now_v7();
                let mut h = host_row(id, &a);
                h.created_at = two_days;
                // A tenth silent for an hour, the rest seen just now.
                h.last_seen_at =
                    Some(if i % 10 == 0 { now - Duration::hours(1) } else { now });
                hosts::insert(&*txn, h).await.expect("insert host");
                for (k, (name, cron)) in crate::SCHEDULES.iter().enumerate() {
                    // A tenth of the schedules last changed three days ago and never ran:
                    // late. The rest changed just now: on time.
                    let changed = if (i * 3 + k) % 10 == 0 { now - Duration::days(3) } else { now };
                    let mut s = schedule_row(id, repo, name, cron, changed);
                    s.updated_at = changed;
                    cairn_server::store::schedules::insert(&*txn, s).await.expect("schedule");
                }
            }
            txn.commit().await.expect("commit");
        }
        println!(
            "{engine}: seeded {n} hosts, {} schedules in {:.1} s",
            n * crate::SCHEDULES.len(),
            t0.elapsed().as_secs_f64()
        );
        let before = cairn_server::store::statements_run();
        let t = Instant::now();
        sweep::run(&state).await.expect("first sweep");
        let first = t.elapsed();
        let first_statements = cairn_server::store::statements_run() - before;
        let raised: i64 = db
            .query_one_raw(Statement::from_string(
                backend,
                "SELECT COUNT(*) FROM alerts WHERE resolved_at IS NULL",
            ))
            .await
            .expect("count")
            .and_then(|r| r.try_get_by_index::<i64>(0).ok())
            .unwrap_or(0);
        let mut steady = Vec::new();
        let mut statements = 0;
        for _ in 0..5 {
            let before = cairn_server::store::statements_run();
            let t = Instant::now();
            sweep::run(&state).await.expect("sweep");
            steady.push(t.elapsed().as_secs_f64() * 1000.0);
            statements = cairn_server::store::statements_run() - before;
        }
        steady.sort_by(f64::total_cmp);
        println!(
            "{engine}: first sweep {:.0} ms (raised {raised} alerts, {first_statements} statements); steady sweep median {:.0} ms (min {:.0}, max {:.0}), {statements} statements each",
            first.as_secs_f64() * 1000.0,
            steady[2],
            steady[0],
            steady[4]
        );
        state.store.clone().close().await;
    })
    .await;
}
