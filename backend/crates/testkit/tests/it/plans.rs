//! Every list query reads an index in the list's order: the plan of each page query (with
//! and without a cursor) and of each count, for every filter combination, read from the
//! engine itself (SQLite's `EXPLAIN QUERY PLAN`, PostgreSQL's `EXPLAIN` with sequential
//! scans and sorts priced out, so an index path is taken whenever one exists). A full
//! scan of the table or a sort of the filtered set fails the test.

use cairn_server::{
    auth::{HostScope, Role},
    store::{
        audit::{self, AuditFilter},
        hosts::{self, HostFilter},
        jobs::{self, JobFilter, JobKind, JobStatus},
        schedules,
        users::{self, UserFilter},
    },
};
use cairn_testkit::{Db, TestApp, db_tests};
use chrono::{Duration, Utc};
use sea_orm::{ConnectionTrait, DbBackend, QueryTrait, Statement, TransactionTrait};
use uuid::Uuid;

/// The engine's plan of `stmt`, one line per step.
async fn plan(app: &TestApp, stmt: Statement) -> Vec<String> {
    let db = app.state().store.db();
    let backend = db.get_database_backend();
    let values = stmt.values.map(|v| v.0).unwrap_or_default();
    match backend {
        DbBackend::Sqlite => {
            let sql = format!("EXPLAIN QUERY PLAN {}", stmt.sql);
            let rows = db
                .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
                .await
                .unwrap();
            rows.iter().map(|r| r.try_get::<String>("", "detail").unwrap()).collect()
        }
        _ => {
            let txn = db.begin().await.unwrap();
            txn.execute_unprepared("SET LOCAL enable_seqscan = off").await.unwrap();
            txn.execute_unprepared("SET LOCAL enable_sort = off").await.unwrap();
            let sql = format!("EXPLAIN {}", stmt.sql);
            let rows = txn
                .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
                .await
                .unwrap();
            let lines =
                rows.iter().map(|r| r.try_get::<String>("", "QUERY PLAN").unwrap()).collect();
            txn.rollback().await.unwrap();
            lines
        }
    }
}

/// What is wrong with a plan over `table`, if anything.
fn fault(plan: &[String], table: &str) -> Option<String> {
    plan.iter().find_map(|line| {
        let l = line.trim_start_matches([' ', '-', '>']);
        let full_scan =
            l == format!("SCAN {table}") || l.starts_with(&format!("Seq Scan on {table}"));
        let sort = l.contains("USE TEMP B-TREE")
            || l.starts_with("Sort ")
            || l.starts_with("Incremental Sort ");
        (full_scan || sort).then(|| line.clone())
    })
}

async fn every_jobs_page_and_count_reads_an_index_in_order(db: Db) {
    let app = TestApp::spawn(db).await;
    let backend = app.state().store.db().get_database_backend();
    let (host, repo, now) = (Some(Uuid::now_v7()), Some(Uuid::now_v7()), Utc::now());
    let (kind, status) = (Some(JobKind::Backup), Some(JobStatus::Failed));
    let (since, until) = (Some(now - Duration::days(7)), Some(now));
    let f = JobFilter::default;
    let scope = || HostScope::Tags(vec!["web".into(), "eu".into()]);
    let filters = [
        ("no filter", f()),
        ("host", JobFilter { host, ..f() }),
        ("repository", JobFilter { repository: repo, ..f() }),
        ("kind", JobFilter { kind, ..f() }),
        ("status", JobFilter { status, ..f() }),
        ("time range", JobFilter { since, until, ..f() }),
        ("host and status", JobFilter { host, status, ..f() }),
        ("host and kind", JobFilter { host, kind, ..f() }),
        ("host and repository", JobFilter { host, repository: repo, ..f() }),
        ("status and kind", JobFilter { status, kind, ..f() }),
        ("status and time", JobFilter { status, since, ..f() }),
        ("repository and status", JobFilter { repository: repo, status, ..f() }),
        // A user with host roles: the hosts of their tags (a subquery on hosts), in order.
        ("host scope", JobFilter { scope: scope(), ..f() }),
        ("host scope and status", JobFilter { scope: scope(), status, ..f() }),
        ("host scope and host", JobFilter { scope: scope(), host, ..f() }),
        (
            "everything",
            JobFilter {
                host,
                repository: repo,
                kind,
                status,
                since,
                until,
                scope: Default::default(),
            },
        ),
    ];
    let mut faults = Vec::new();
    for (name, filter) in &filters {
        for after in [None, Some((now - Duration::hours(1), Uuid::now_v7()))] {
            let p = plan(&app, jobs::list_query(filter, after, 51).build(backend)).await;
            if let Some(line) = fault(&p, "jobs") {
                faults.push(format!("page, {name}, cursor {}: {line}\n  {p:?}", after.is_some()));
            }
            // A host narrows far more than a kind or a status: its index must lead.
            if filter.host.is_some() && !p.iter().any(|l| l.contains("host_id")) {
                faults.push(format!("page, {name}: not read by a host index\n  {p:?}"));
            }
        }
        let p = plan(&app, jobs::count_query(backend, filter, 10_000)).await;
        if let Some(line) = fault(&p, "jobs") {
            faults.push(format!("count, {name}: {line}\n  {p:?}"));
        }
    }
    assert!(faults.is_empty(), "list queries that scan or sort:\n{}", faults.join("\n"));
}

/// Hosts, users and a host's snapshots. Hosts and users are read along their name index
/// and filtered on the way (text and tag filters match inside values no index can order;
/// a fleet has thousands of hosts, not millions), so their pages never sort; a count with
/// such a filter reads the table. Snapshots by host, and repository.
async fn hosts_users_and_snapshots_pages_read_an_index_in_order(db: Db) {
    let app = TestApp::spawn(db).await;
    let backend = app.state().store.db().get_database_backend();
    let now = Utc::now();
    let mut faults = Vec::new();
    let mut check = |what: String, p: Vec<String>, table: &str| {
        if let Some(line) = fault(&p, table) {
            faults.push(format!("{what}: {line}\n  {p:?}"));
        }
    };
    let host_filters = [
        ("no filter", HostFilter::default()),
        ("text", HostFilter { q: Some("web".into()), ..Default::default() }),
        ("tag", HostFilter { tag: Some("prod".into()), ..Default::default() }),
        ("online", HostFilter { seen_since: Some(now), ..Default::default() }),
        ("new", HostFilter { created_after: Some(now), ..Default::default() }),
        (
            "host scope",
            HostFilter { scope: HostScope::Tags(vec!["web".into()]), ..Default::default() },
        ),
    ];
    for (name, f) in &host_filters {
        for after in [None, Some(("web-1".to_string(), Uuid::now_v7()))] {
            let q = hosts::list_query(f, after.as_ref(), 101);
            check(
                format!("hosts page, {name}, cursor {}", after.is_some()),
                plan(&app, q.build(backend)).await,
                "hosts",
            );
        }
        // A count with a filter no index serves reads the table: there are thousands of
        // hosts, not millions, and a count is made only when asked (docs/api.md).
        if *name == "no filter" {
            let c = hosts::count_query(backend, f, 10_000);
            check(format!("hosts count, {name}"), plan(&app, c).await, "hosts");
        }
    }
    let user_filters = [
        ("no filter", UserFilter::default()),
        ("text", UserFilter { q: Some("ada".into()), ..Default::default() }),
        ("role", UserFilter { role: Some(Role::Admin), ..Default::default() }),
    ];
    for (name, f) in &user_filters {
        for after in [None, Some("ada")] {
            let q = users::list_query(f, after, 51);
            check(
                format!("users page, {name}, cursor {}", after.is_some()),
                plan(&app, q.build(backend)).await,
                "users",
            );
        }
        // A count with a filter no index serves reads the table: there are thousands of
        // users, not millions, and a count is made only when asked (docs/api.md).
        if *name == "no filter" {
            let c = users::count_query(backend, f, 10_000);
            check(format!("users count, {name}"), plan(&app, c).await, "users");
        }
    }
    let host = Uuid::now_v7();
    for repository in [None, Some(Uuid::now_v7())] {
        for after in [None, Some((now, "ab".repeat(32), Uuid::now_v7()))] {
            let q = jobs::snapshots_query(host, repository, after.as_ref(), 51);
            check(
                format!(
                    "snapshots page, repository {}, cursor {}",
                    repository.is_some(),
                    after.is_some()
                ),
                plan(&app, q.build(backend)).await,
                "snapshots",
            );
        }
        let c = jobs::snapshots_count_query(backend, host, repository, 10_000);
        check(
            format!("snapshots count, repository {}", repository.is_some()),
            plan(&app, c).await,
            "snapshots",
        );
    }
    assert!(faults.is_empty(), "list queries that scan or sort:\n{}", faults.join("\n"));
}

/// A host page's schedules with the copy of each one's newest job (their next and last
/// runs): the schedules by their host index, and `jobs` not at all, whether the page has
/// one host or a hundred. The copy is refreshed by one probe of the schedule's job index
/// (the jobs found by primary key), never a scan of either table.
async fn host_pages_read_their_schedules_runs_by_index(db: Db) {
    let app = TestApp::spawn(db).await;
    let backend = app.state().store.db().get_database_backend();
    let mut faults = Vec::new();
    let ids = |n: usize| (0..n).map(|_| Uuid::now_v7()).collect::<Vec<_>>();
    for n in [1, 100] {
        let p = plan(&app, schedules::runs_of_hosts_query(backend, &ids(n))).await;
        if let Some(line) = fault(&p, "schedules") {
            faults.push(format!("{n} hosts: {line}\n  {p:?}"));
        }
        if !p.iter().any(|l| l.contains("idx_schedules_host_name")) {
            faults.push(format!("{n} hosts: idx_schedules_host_name not read\n  {p:?}"));
        }
        if let Some(line) = p.iter().find(|l| l.contains("jobs")) {
            faults.push(format!("{n} hosts: reads jobs: {line}\n  {p:?}"));
        }
    }
    for (what, stmt) in [
        ("refresh", schedules::refresh_last_jobs_statement(backend, &ids(3))),
        ("refresh of jobs", schedules::refresh_last_jobs_of_statement(backend, &ids(3))),
    ] {
        let p = plan(&app, stmt).await;
        for table in ["schedules", "jobs"] {
            if let Some(line) = fault(&p, table) {
                faults.push(format!("{what}, {table}: {line}\n  {p:?}"));
            }
        }
        // The newest job is read from the index alone (covering, index-only) and only where
        // the schedule's entries are (SQLite's SEARCH, PostgreSQL's Index Cond).
        for (i, line) in p.iter().enumerate() {
            let l = line.trim_start_matches([' ', '-', '>']);
            let next = p.get(i + 1).map_or("", String::as_str);
            let newest = l.contains("idx_jobs_schedule_runs");
            let fault = l.starts_with("SCAN ")
                || newest && l.starts_with("SEARCH") && !l.contains("COVERING INDEX")
                || newest && l.contains(" on jobs ") && !l.starts_with("Index Only Scan")
                || newest
                    && l.contains(" on jobs ")
                    && !(next.contains("Index Cond: ") && next.contains("schedule_id = "));
            if fault {
                faults.push(format!("{what}: {line}\n  {p:?}"));
            }
        }
        if !p.iter().any(|l| l.contains("idx_jobs_schedule_runs")) {
            faults.push(format!("{what}: idx_jobs_schedule_runs not read\n  {p:?}"));
        }
    }
    assert!(faults.is_empty(), "schedule runs that scan or sort:\n{}", faults.join("\n"));
}

/// Audit pages read an index in id order with every filter: a time range is turned into
/// an id range (one probe of the `(time, id)` index at each end), and a text search reads
/// ids in order within its window.
async fn audit_pages_read_an_index_in_order(db: Db) {
    let app = TestApp::spawn(db).await;
    let backend = app.state().store.db().get_database_backend();
    let now = Utc::now();
    let (since, until) = (Some(now - Duration::days(30)), Some(now - Duration::days(1)));
    let f = AuditFilter::default;
    let text = || Some(1_000_000 - cairn_server::domain::audit::TEXT_SEARCH_WINDOW);
    let mut faults = Vec::new();
    for (name, filter, from) in [
        ("no filter", f(), None),
        ("outcome", AuditFilter { outcome: Some("denied".into()), ..f() }, None),
        ("action", AuditFilter { action: Some("user.create".into()), ..f() }, None),
        ("since", AuditFilter { since, ..f() }, None),
        ("until", AuditFilter { until, ..f() }, None),
        ("time range", AuditFilter { since, until, ..f() }, None),
        (
            "outcome and time range",
            AuditFilter { outcome: Some("denied".into()), since, until, ..f() },
            None,
        ),
        (
            "action and since",
            AuditFilter { action: Some("user.create".into()), since, ..f() },
            None,
        ),
        ("actor text", AuditFilter { actor: Some("ali".into()), ..f() }, text()),
        (
            "target text and time range",
            AuditFilter { target: Some("web".into()), since, until, ..f() },
            text(),
        ),
        ("action prefix", AuditFilter { action: Some("user.".into()), ..f() }, text()),
    ] {
        assert_eq!(from.is_some(), filter.searches_text(), "{name}");
        for before in [None, Some(1_000_000)] {
            let mut p =
                plan(&app, audit::list_query(&filter, before, from, 101).build(backend)).await;
            // SQLite keeps this table in id order (the id is its rowid): reading it newest
            // first and stopping at the page's end is the index read.
            p.retain(|l| !(name == "no filter" && l == "SCAN audit_events"));
            if let Some(line) = fault(&p, "audit_events") {
                faults.push(format!("{name}, cursor {}: {line}\n  {p:?}", before.is_some()));
            }
        }
    }
    assert!(faults.is_empty(), "audit pages that scan or sort:\n{}", faults.join("\n"));
}

db_tests!(
    audit_pages_read_an_index_in_order,
    every_jobs_page_and_count_reads_an_index_in_order,
    hosts_users_and_snapshots_pages_read_an_index_in_order,
    host_pages_read_their_schedules_runs_by_index,
);
