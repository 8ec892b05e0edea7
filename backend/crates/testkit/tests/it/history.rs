//! History retention with an aged history: a pass as of "now" removes the log lines of
//! jobs that ended over `job_logs_days` ago (the job says when), ended jobs over
//! `jobs_days` old except the newest `jobs_keep_per_host` of each host and backups whose
//! snapshot still exists, and commands delivered over `commands_days` ago; it keeps every
//! job that has not ended and everything recent. A second pass finds nothing more.

use cairn_proto::JobKind;
use cairn_server::{
    domain::history::{self, PruneReport},
    store::{
        audit as store_audit,
        entities::{job, job_log, snapshot},
        jobs::{self, JobRow, JobStatus},
    },
};
use cairn_testkit::{
    Db, TestApp,
    api::{NewEnrollmentToken, NewRepository},
    db_tests,
};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{ConnectionTrait, EntityTrait};
use serde_json::Value;
use uuid::Uuid;

fn job(host: Uuid, repo: Uuid, age_days: i64, status: JobStatus, now: DateTime<Utc>) -> JobRow {
    let at = now - Duration::days(age_days);
    JobRow {
        id: Uuid::now_v7(),
        host_id: host,
        repository_id: Some(repo),
        kind: JobKind::Backup,
        status,
        actor_kind: "system".into(),
        actor: None,
        args: r#"{"kind":"backup","paths":["/etc"],"excludes":[],"tags":[]}"#.into(),
        created_at: at,
        dispatched_at: Some(at),
        started_at: Some(at),
        finished_at: status.is_final().then_some(at),
        cancel_requested_at: None,
        exit_code: None,
        error_class: None,
        error_message: None,
        summary: None,
        snapshot_id: None,
        result: None,
        progress: None,
        last_seq: 2,
        log_lines: 2,
        dispatches: 1,
        logs_removed_at: None,
        schedule_id: None,
        waiting_for: None,
    }
}

async fn old_history_goes_and_what_matters_stays(db: Db) {
    let app = TestApp::spawn_with(db, |c| {
        c.history.job_logs_days = 30;
        c.history.jobs_days = 180;
        c.history.jobs_keep_per_host = 3;
        c.history.commands_days = 7;
        c.history.batch_size = 4; // many small batches
    })
    .await;
    let admin = app.bootstrap().await;
    let repo = admin.create_repository(&NewRepository::new("main", "/srv/r", "pw-12345")).await;
    let a = admin.enroll_agent("a", &NewEnrollmentToken::linked_to(repo.id)).await.id.unwrap();
    let b = admin.enroll_agent("b", &NewEnrollmentToken::linked_to(repo.id)).await.id.unwrap();
    let now = Utc::now();
    let (r, ended, running) = (repo.id, JobStatus::Succeeded, JobStatus::Running);
    // Host a: ten ended jobs a year old, one still running from then, one whose snapshot
    // still exists, two that ended 40 days ago, and three from last week.
    let old: Vec<JobRow> = (0..10).map(|i| job(a, r, 365 + i, ended, now)).collect();
    let stuck = job(a, r, 400, running, now);
    let mut kept_snapshot = job(a, r, 500, ended, now);
    kept_snapshot.snapshot_id = Some("ab".repeat(32));
    let mid: Vec<JobRow> = (0..2).map(|i| job(a, r, 40 + i, JobStatus::Failed, now)).collect();
    let recent: Vec<JobRow> = (0..3).map(|i| job(a, r, 5 + i, ended, now)).collect();
    // Host b: two jobs a year old, fewer than it keeps.
    let b_old: Vec<JobRow> = (0..2).map(|i| job(b, r, 300 + i, ended, now)).collect();
    let all: Vec<&JobRow> = old
        .iter()
        .chain([&stuck, &kept_snapshot])
        .chain(&mid)
        .chain(&recent)
        .chain(&b_old)
        .collect();
    {
        let txn = app.state().store.write().await.unwrap();
        for j in &all {
            jobs::insert(&*txn, (*j).clone()).await.unwrap();
            let lines = (1..=2).map(|seq| job_log::ActiveModel {
                job_id: sea_orm::Set(j.id),
                seq: sea_orm::Set(seq),
                at: sea_orm::Set(j.created_at),
                stream: sea_orm::Set("stdout".into()),
                line: sea_orm::Set(format!("line {seq}")),
            });
            job_log::Entity::insert_many(lines).exec(&*txn).await.unwrap();
        }
        snapshot::Entity::insert(snapshot::ActiveModel {
            host_id: sea_orm::Set(a),
            repository_id: sea_orm::Set(r),
            snapshot_id: sea_orm::Set("ab".repeat(32)),
            time: sea_orm::Set(kept_snapshot.created_at),
            hostname: sea_orm::Set("a".into()),
            paths: sea_orm::Set("[\"/etc\"]".into()),
            tags: sea_orm::Set("[]".into()),
            reported_at: sea_orm::Set(now),
        })
        .exec(&*txn)
        .await
        .unwrap();
        // A command delivered ten days ago, and one queued ten days ago for an offline host.
        for (id, delivered) in [(Uuid::now_v7(), true), (Uuid::now_v7(), false)] {
            let sql = format!(
                "INSERT INTO agent_commands (id, host_id, kind, payload, created_by, created_at, delivered_at) \
                 VALUES ({}, {}, 'ping', '{{\"kind\":\"ping\"}}', NULL, {}, {})",
                param(&app, 1),
                param(&app, 2),
                param(&app, 3),
                if delivered { param(&app, 4) } else { "NULL".into() },
            );
            let mut values: Vec<sea_orm::Value> =
                vec![id.into(), a.into(), (now - Duration::days(10)).into()];
            if delivered {
                values.push((now - Duration::days(10)).into());
            }
            txn.execute_raw(sea_orm::Statement::from_sql_and_values(
                txn.get_database_backend(),
                sql,
                values,
            ))
            .await
            .unwrap();
        }
        txn.commit().await.unwrap();
    }

    let report = history::prune(&app.state().domain, now).await.unwrap();
    // Logs of every job that ended over 30 days ago: the ten year-old ones, the one with a
    // snapshot, the two from 40 days ago and host b's two (not the running one).
    assert_eq!(report.logs_of_jobs, 10 + 1 + 2 + 2, "{report:?}");
    assert_eq!(report.log_lines, 2 * 15, "{report:?}");
    // Jobs: host a keeps its newest 3 (the recent ones); of the rest the year-old ended
    // ones go, not the running one nor the one with a snapshot, and not the 40-day-old
    // ones (younger than jobs_days). Host b keeps both (it has fewer than 3).
    assert_eq!(report.jobs, 10, "{report:?}");
    assert_eq!(report.commands, 1, "{report:?}");

    let db = app.state().store.db();
    let left: Vec<Uuid> =
        job::Entity::find().all(db).await.unwrap().into_iter().map(|j| j.id).collect();
    for j in old.iter() {
        assert!(!left.contains(&j.id), "a year-old job was kept");
    }
    for j in [&stuck, &kept_snapshot].into_iter().chain(&mid).chain(&recent).chain(&b_old) {
        assert!(
            left.contains(&j.id),
            "{:?} aged {} went",
            j.status,
            (now - j.created_at).num_days()
        );
    }
    // The API says where a log went; the lines are gone, the count stays.
    let v: Value = admin.get(&format!("/api/v1/jobs/{}", mid[0].id)).await.json().await.unwrap();
    assert!(v["logs_removed_at"].is_string(), "{v}");
    assert_eq!(v["log_lines"], 2);
    let lines: Value =
        admin.get(&format!("/api/v1/jobs/{}/logs", mid[0].id)).await.json().await.unwrap();
    assert_eq!(lines["items"].as_array().unwrap().len(), 0, "{lines}");
    let v: Value = admin.get(&format!("/api/v1/jobs/{}", recent[0].id)).await.json().await.unwrap();
    assert!(v.get("logs_removed_at").is_none(), "{v}");
    let lines: Value =
        admin.get(&format!("/api/v1/jobs/{}/logs", recent[0].id)).await.json().await.unwrap();
    assert_eq!(lines["items"].as_array().unwrap().len(), 2);
    // The running job keeps its log whatever its age.
    let lines: Value =
        admin.get(&format!("/api/v1/jobs/{}/logs", stuck.id)).await.json().await.unwrap();
    assert_eq!(lines["items"].as_array().unwrap().len(), 2);
    // The queued command stays.
    let queued = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM agent_commands WHERE delivered_at IS NULL AND kind = 'ping'",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap();
    assert_eq!(queued, 1);

    assert_eq!(history::prune(&app.state().domain, now).await.unwrap(), PruneReport::default());
}

fn param(app: &TestApp, n: usize) -> String {
    match app.state().store.db().get_database_backend() {
        sea_orm::DbBackend::Postgres => format!("${n}"),
        _ => "?".into(),
    }
}

/// Audit events older than `audit_days` go from the start of the chain, which still
/// verifies from the recorded cut; moving the cut by hand shows.
async fn old_audit_events_go_and_the_chain_still_verifies(db: Db) {
    let app = TestApp::spawn_with(db, |c| {
        c.history.audit_days = 400;
        c.history.batch_size = 4; // 40 events per audit batch
    })
    .await;
    let now = Utc::now();
    {
        let txn = app.state().store.write().await.unwrap();
        for i in 0..100 {
            let row = store_audit::NewAuditRow {
                time: now - Duration::days(500) + Duration::minutes(i),
                actor_kind: "system".into(),
                actor_id: None,
                actor_name: None,
                source_ip: None,
                user_agent: None,
                action: "test.old".into(),
                target_kind: None,
                target_id: None,
                target_name: None,
                outcome: "success".into(),
                details: "{}".into(),
            };
            store_audit::append(&*txn, row).await.unwrap();
        }
        txn.commit().await.unwrap();
    }
    let admin = app.bootstrap().await;
    let report = history::prune(&app.state().domain, now).await.unwrap();
    assert_eq!(report.audit_events, 100, "{report:?}");
    let v: Value = admin.get("/api/v1/audit/verify").await.json().await.unwrap();
    assert_eq!(v["ok"], true, "{v}");
    assert_eq!(v["removed_by_retention"], 100);
    assert!(v["message"].as_str().unwrap().contains("removed by history retention"), "{v}");
    let page: Value =
        admin.get("/api/v1/audit?action=history.audit_pruned").await.json().await.unwrap();
    let cuts = page["items"].as_array().unwrap();
    assert_eq!(cuts.len(), 3, "three batches of at most 40: {page}");
    assert_eq!(cuts[0]["details"]["removed_in_all"], 100);
    let old: Value = admin.get("/api/v1/audit?action=test.old").await.json().await.unwrap();
    assert!(old["items"].as_array().unwrap().is_empty());
    assert_eq!(history::prune(&app.state().domain, now).await.unwrap(), PruneReport::default());

    // Someone removes the oldest kept event and moves the start past it by hand.
    let db = app.state().store.db();
    let first = store_audit::list(db, &Default::default(), None, None, 10_000).await.unwrap();
    let first = first.last().unwrap();
    let sql = format!(
        "UPDATE audit_chain_start SET after_id = {}, prev_hash = '{}'",
        first.id, first.hash
    );
    db.execute_unprepared(&sql).await.unwrap();
    db.execute_unprepared(&format!("DELETE FROM audit_events WHERE id = {}", first.id))
        .await
        .unwrap();
    let v: Value = admin.get("/api/v1/audit/verify").await.json().await.unwrap();
    assert_eq!(v["ok"], false, "{v}");
    assert!(v["message"].as_str().unwrap().contains("without a retention record"), "{v}");
}

/// A pass that frees many pages hands them back to the file system on SQLite (the file
/// shrinks); PostgreSQL's autovacuum reuses the space, so nothing is reported there.
async fn a_pass_gives_space_back_on_sqlite(db: Db) {
    let sqlite = matches!(db, Db::Sqlite);
    let app = TestApp::spawn(db).await;
    let admin = app.bootstrap().await;
    let repo = admin.create_repository(&NewRepository::new("main", "/srv/r", "pw-12345")).await;
    let host = admin.enroll_agent("a", &NewEnrollmentToken::linked_to(repo.id)).await.id.unwrap();
    let now = Utc::now();
    // One old job with 20,000 log lines of 200 bytes: about 5 MB of pages.
    let old = job(host, repo.id, 365, JobStatus::Succeeded, now);
    {
        let txn = app.state().store.write().await.unwrap();
        jobs::insert(&*txn, old.clone()).await.unwrap();
        for chunk in (1..=20_000i64).collect::<Vec<_>>().chunks(500) {
            let lines = chunk.iter().map(|&seq| job_log::ActiveModel {
                job_id: sea_orm::Set(old.id),
                seq: sea_orm::Set(seq),
                at: sea_orm::Set(old.created_at),
                stream: sea_orm::Set("stdout".into()),
                line: sea_orm::Set(format!("{seq:>200}")),
            });
            job_log::Entity::insert_many(lines).exec(&*txn).await.unwrap();
        }
        txn.commit().await.unwrap();
    }
    let file = app.data_dir.path().join("cairn.db");
    let size = || std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
    let before = size();
    let report = history::prune(&app.state().domain, now).await.unwrap();
    assert_eq!(report.log_lines, 20_000, "{report:?}");
    if sqlite {
        assert!(report.bytes_given_back > 3_000_000, "{report:?}");
        // The WAL holds the change until a checkpoint: checkpoint, then read the file.
        app.state().store.db().execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)").await.unwrap();
        assert!(size() + 3_000_000 < before, "file {before} → {} bytes", size());
    } else {
        assert_eq!(report.bytes_given_back, 0);
    }
}

db_tests!(
    a_pass_gives_space_back_on_sqlite,
    old_history_goes_and_what_matters_stays,
    old_audit_events_go_and_the_chain_still_verifies
);
