//! Lists read a page at a time by cursor: walking every page of the jobs list, under each
//! filter, gives exactly the matching jobs in `(created_at, id)` order, newest first, with
//! no job twice or missing (including jobs that share a timestamp); a count comes only
//! when asked; a cursor this server did not make is a 400. Hosts and users page the same
//! way by name.

use std::collections::HashSet;

use cairn_proto::JobKind;
use cairn_server::store::jobs::{self, JobRow, JobStatus};
use cairn_testkit::{
    Db, Session, TestApp,
    api::{NewEnrollmentToken, NewRepository},
    db_tests, error_code,
};
use chrono::{Duration, Utc};
use reqwest::StatusCode;
use serde_json::Value;
use uuid::Uuid;

fn job(
    host: Uuid,
    repo: Uuid,
    at: chrono::DateTime<Utc>,
    kind: JobKind,
    status: JobStatus,
) -> JobRow {
    JobRow {
        id: Uuid::now_v7(),
        host_id: host,
        repository_id: Some(repo),
        kind,
        status,
        actor_kind: "system".into(),
        actor: None,
        args: match kind {
            JobKind::Backup => r#"{"kind":"backup","paths":["/etc"],"excludes":[],"tags":[]}"#,
            JobKind::Init => r#"{"kind":"init"}"#,
            JobKind::Snapshots => r#"{"kind":"snapshots"}"#,
            JobKind::Forget => r#"{"kind":"forget","policy":{"keep_last":3}}"#,
            JobKind::Prune => r#"{"kind":"prune"}"#,
            JobKind::Check => r#"{"kind":"check"}"#,
            JobKind::Unlock => r#"{"kind":"unlock"}"#,
            JobKind::Stats => r#"{"kind":"stats"}"#,
            JobKind::KeyAdd => r#"{"kind":"key_add"}"#,
            JobKind::KeyRemove => r#"{"kind":"key_remove","key_id":"aa"}"#,
            JobKind::Copy => {
                r#"{"kind":"copy","from_repository_id":"0190c8a0-0000-7000-8000-000000000000"}"#
            }
            JobKind::Drill => r#"{"kind":"drill","files":5,"max_bytes":1000}"#,
            JobKind::Restore => {
                r#"{"kind":"restore","snapshot_id":"aa","source_hostname":"h","paths":["/etc"],"target":{"mode":"original"}}"#
            }
        }
        .into(),
        created_at: at,
        dispatched_at: None,
        started_at: None,
        finished_at: status.is_final().then_some(at),
        cancel_requested_at: None,
        exit_code: None,
        error_class: None,
        error_message: None,
        summary: None,
        snapshot_id: None,
        result: Some(r#"{"outcome":"failed","unreadable":[]}"#.into()),
        progress: None,
        last_seq: 0,
        log_lines: 0,
        dispatches: 0,
        logs_removed_at: None,
        schedule_id: None,
        waiting_for: None,
    }
}

/// Which seeded jobs a filter should return.
type Keep = Box<dyn Fn(&JobRow) -> bool>;

/// Every page of `query` (without `limit` and `cursor`), `limit` rows at a time.
async fn walk(admin: &Session, query: &str, limit: u64) -> (Vec<Value>, u64) {
    let (mut all, mut pages, mut cursor) = (Vec::new(), 0, None::<String>);
    loop {
        let mut url = format!("/api/v1/jobs?{query}&limit={limit}");
        if let Some(c) = &cursor {
            url.push_str(&format!("&cursor={c}"));
        }
        let page: Value = admin.get(&url).await.json().await.unwrap();
        let items = page["items"].as_array().unwrap();
        assert!(items.len() as u64 <= limit);
        assert!(page.get("total").is_none(), "no count unless asked: {page}");
        all.extend(items.iter().cloned());
        pages += 1;
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => return (all, pages),
        }
        assert!(pages < 1000, "the walk does not end");
    }
}

async fn pages_of_jobs_follow_the_cursor_under_every_filter(db: Db) {
    let app = TestApp::spawn(db).await;
    let admin = app.bootstrap().await;
    let repo = admin.create_repository(&NewRepository::new("main", "/srv/r", "pw-12345")).await;
    let a = admin.enroll_agent("a", &NewEnrollmentToken::linked_to(repo.id)).await.id.unwrap();
    let b = admin.enroll_agent("b", &NewEnrollmentToken::linked_to(repo.id)).await.id.unwrap();
    // 90 jobs over two hosts, three kinds and three statuses; every third pair shares its
    // timestamp, so the id has to break ties.
    let t0 = Utc::now() - Duration::days(30);
    let mut rows = Vec::new();
    for i in 0..90i64 {
        let at = t0 + Duration::minutes(i - i % 3);
        let host = if i % 2 == 0 { a } else { b };
        let kind = [JobKind::Backup, JobKind::Init, JobKind::Snapshots][(i % 3) as usize];
        let status =
            [JobStatus::Succeeded, JobStatus::Failed, JobStatus::Lost][(i % 4 % 3) as usize];
        rows.push(job(host, repo.id, at, kind, status));
    }
    {
        let txn = app.state().store.write().await.unwrap();
        for r in &rows {
            jobs::insert(&*txn, r.clone()).await.unwrap();
        }
        txn.commit().await.unwrap();
    }
    let expected = |keep: &dyn Fn(&JobRow) -> bool| {
        let mut v: Vec<&JobRow> = rows.iter().filter(|r| keep(r)).collect();
        v.sort_by_key(|r| std::cmp::Reverse((r.created_at, r.id)));
        v.into_iter().map(|r| r.id.to_string()).collect::<Vec<_>>()
    };
    let since = (t0 + Duration::minutes(20)).to_rfc3339().replace('+', "%2B");
    let cases: Vec<(String, Keep)> = vec![
        ("x=1".into(), Box::new(|_| true)),
        (format!("host_id={a}"), Box::new(move |r| r.host_id == a)),
        ("status=failed".into(), Box::new(|r| r.status == JobStatus::Failed)),
        ("kind=init".into(), Box::new(|r| r.kind == JobKind::Init)),
        (
            format!("host_id={b}&status=lost"),
            Box::new(move |r| r.host_id == b && r.status == JobStatus::Lost),
        ),
        (
            format!("since={since}&kind=backup"),
            Box::new(move |r| {
                r.created_at >= t0 + Duration::minutes(20) && r.kind == JobKind::Backup
            }),
        ),
    ];
    for (query, keep) in &cases {
        let want = expected(keep.as_ref());
        for limit in [1, 7, 200] {
            let (got, pages) = walk(&admin, query, limit).await;
            let ids: Vec<String> =
                got.iter().map(|j| j["id"].as_str().unwrap().to_string()).collect();
            assert_eq!(ids, want, "{query}, limit {limit}");
            assert_eq!(ids.iter().collect::<HashSet<_>>().len(), ids.len(), "no job twice");
            assert_eq!(pages as usize, want.len().div_ceil(limit as usize).max(1), "{query}");
            // List rows leave the agent's whole report out.
            assert!(got.iter().all(|j| j.get("result").is_none()), "{query}");
        }
        let first: Value = admin
            .get(&format!("/api/v1/jobs?{query}&limit=5&with_total=true"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(first["total"], want.len() as u64, "{query}");
        assert_eq!(first["total_capped"], false);
    }
    // The single read still has the report.
    let one: Value = admin.get(&format!("/api/v1/jobs/{}", rows[0].id)).await.json().await.unwrap();
    assert_eq!(one["result"]["outcome"], "failed");

    for bad in ["nonsense", "eyJ4IjoxfQ", "%%%"] {
        let r = admin.get(&format!("/api/v1/jobs?cursor={bad}")).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(error_code(r).await, "request.invalid_cursor");
    }
    let r = admin.get(&format!("/api/v1/jobs?cursor={}", "a".repeat(600))).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}

async fn hosts_and_users_page_by_name(db: Db) {
    let app = TestApp::spawn(db).await;
    let admin = app.bootstrap().await;
    // Two hosts share a hostname: the id breaks the tie.
    let mut names = vec!["web-2", "db-1", "web-1", "web-1", "app-3"];
    for n in &names {
        admin.enroll_agent(n, &NewEnrollmentToken::default()).await;
    }
    names.sort();
    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let page: Value = admin
            .get(&format!("/api/v1/hosts?limit=2&cursor={cursor}"))
            .await
            .json()
            .await
            .unwrap();
        for h in page["items"].as_array().unwrap() {
            seen.push((
                h["hostname"].as_str().unwrap().to_string(),
                h["id"].as_str().unwrap().to_string(),
            ));
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = c.to_string(),
            None => break,
        }
    }
    let hostnames: Vec<&str> = seen.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(hostnames, names);
    assert_eq!(seen.iter().map(|(_, id)| id).collect::<HashSet<_>>().len(), 5, "every host once");

    for u in ["carol", "bob", "dave"] {
        app.create_user(&admin, u, "viewer").await;
    }
    let p1: Value = admin.get("/api/v1/users?limit=3&with_total=true").await.json().await.unwrap();
    let c = p1["next_cursor"].as_str().unwrap();
    let p2: Value =
        admin.get(&format!("/api/v1/users?limit=3&cursor={c}")).await.json().await.unwrap();
    let names: Vec<&str> = [&p1, &p2]
        .iter()
        .flat_map(|p| {
            p["items"].as_array().unwrap().iter().map(|u| u["username"].as_str().unwrap())
        })
        .collect();
    assert_eq!(names, [cairn_testkit::ADMIN, "bob", "carol", "dave"]);
    assert_eq!(p1["total"], 4);
    assert!(p2.get("next_cursor").is_none(), "{p2}");
}

db_tests!(pages_of_jobs_follow_the_cursor_under_every_filter, hosts_and_users_page_by_name);
