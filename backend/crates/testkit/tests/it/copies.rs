//! Copies to a mirror through the real server: a copy job's arguments are checked (a
//! second repository, both linked to the host), the agent receives it, and what its
//! report measured is kept per pair with how far the mirror is behind (a newer backup
//! in the source, heard of later, makes it fall behind). A schedule's mirror is checked,
//! reaches the agent's config, and cannot be unlinked from under it.

use cairn_testkit::{Db, OneHost, db_tests, error_code, error_field};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn finish(f: &OneHost, job: &str, events: Value) {
    let r = f.agent.send_events(job.parse().unwrap(), events).await;
    assert_eq!(r.status(), StatusCode::OK);
}

async fn copies(f: &OneHost, repo: uuid::Uuid) -> Value {
    let r = f.admin.get(&format!("/api/v1/repositories/{repo}/copies")).await;
    assert_eq!(r.status(), StatusCode::OK);
    r.json::<Value>().await.unwrap()["items"].clone()
}

async fn a_copy_is_checked_run_and_its_mirror_measured(db: Db) {
    let f = OneHost::new(db, "db-1").await;
    let mirror = f
        .admin
        .create_repository(&cairn_testkit::api::NewRepository::new(
            "offsite",
            "/srv/offsite",
            "pw-2",
        ))
        .await
        .id;
    let start = |repo: uuid::Uuid, from: uuid::Uuid| {
        let admin = f.admin.clone();
        let host = f.host;
        async move {
            admin
                .post(
                    &format!("/api/v1/repositories/{repo}/jobs"),
                    json!({ "host_id": host, "args": { "kind": "copy", "from_repository_id": from, "host": "db-1" } }),
                )
                .await
        }
    };
    // Into itself: refused. From or into a repository the host lacks: refused.
    let r = start(f.repo, f.repo).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        error_field(r).await,
        ("job.invalid_args".into(), Some("args.from_repository_id".into()))
    );
    let r = start(f.repo, mirror).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert_eq!(error_code(r).await, "repository.not_linked");
    let r = f
        .admin
        .put_json(
            &format!("/api/v1/hosts/{}/repositories", f.host),
            json!({ "repository_ids": [f.repo, mirror] }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(copies(&f, f.repo).await.as_array().unwrap().is_empty());

    // Into the mirror, from the main repository: the agent receives it as written.
    let r = start(mirror, f.repo).await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let job: Value = r.json().await.unwrap();
    assert_eq!(job["kind"], "copy");
    let id = job["id"].as_str().unwrap().to_string();
    let poll: Value = f.agent.poll(0).await.json().await.unwrap();
    let cmd = poll["commands"].as_array().unwrap().iter().find(|c| c["id"] == job["id"]).cloned();
    let spec = cmd.expect("the run command")["action"]["job"].clone();
    assert_eq!(spec["repository_id"], mirror.to_string());
    assert_eq!(spec["args"]["from_repository_id"], f.repo.to_string());

    let newest = "2026-12-06T03:00:00Z";
    let at = chrono::Utc::now();
    finish(
        &f,
        &id,
        json!([{ "seq": 1, "at": at, "kind": "started" },
               { "seq": 2, "at": at, "kind": "finished", "result": { "outcome": "succeeded",
                 "copy": { "copied": 2, "source_snapshots": 3, "missing": 1,
                           "source_newest": newest, "copied_newest": "2026-12-05T03:00:00Z" } } }]),
    )
    .await;
    // Both repositories list the pair; the mirror is a day behind its source.
    for repo in [f.repo, mirror] {
        let items = copies(&f, repo).await;
        assert_eq!(items.as_array().unwrap().len(), 1, "{items}");
        let c = &items[0];
        assert_eq!(
            (c["source_name"].as_str(), c["mirror_name"].as_str()),
            (Some("main"), Some("offsite"))
        );
        assert_eq!(
            (c["host"].as_str(), c["last_status"].as_str()),
            (Some("db-1"), Some("succeeded"))
        );
        assert_eq!((c["missing"].as_u64(), c["source_snapshots"].as_u64()), (Some(1), Some(3)));
        assert_eq!(c["behind_seconds"].as_i64(), Some(86_400), "{c}");
    }

    // A backup the server hears of after the copy makes the mirror fall further behind.
    let body = json!({ "repository_id": f.repo, "paths": ["/etc"] });
    let r = f.admin.post(&format!("/api/v1/hosts/{}/backups", f.host), body).await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let backup: Value = r.json().await.unwrap();
    f.agent.poll(0).await;
    finish(
        &f,
        backup["id"].as_str().unwrap(),
        json!([{ "seq": 1, "at": at, "kind": "started" },
               { "seq": 2, "at": at, "kind": "snapshots", "snapshots": [
                   { "id": "cd".repeat(32), "time": "2026-12-07T03:00:00Z", "hostname": "db-1", "paths": ["/etc"] }] },
               { "seq": 3, "at": at, "kind": "finished", "result": { "outcome": "succeeded" } }]),
    )
    .await;
    let c = &copies(&f, mirror).await[0];
    assert_eq!(c["behind_seconds"].as_i64(), Some(2 * 86_400), "{c}");
    let source_newest: chrono::DateTime<chrono::Utc> =
        c["source_newest"].as_str().unwrap().parse().unwrap();
    assert_eq!(source_newest.to_rfc3339(), "2026-12-07T03:00:00+00:00");

    // A failed copy is shown as the newest, and keeps the last measure.
    let r = start(mirror, f.repo).await;
    let id = r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    f.agent.poll(0).await;
    finish(
        &f,
        &id,
        json!([{ "seq": 1, "at": at, "kind": "finished", "result": { "outcome": "failed", "error_class": "restic.network" } }]),
    )
    .await;
    let c = &copies(&f, mirror).await[0];
    assert_eq!((c["last_status"].as_str(), c["missing"].as_u64()), (Some("failed"), Some(1)));
    assert_eq!(c["last_job_id"].as_str(), Some(id.as_str()));
}

async fn a_schedules_mirror_is_checked_sent_and_kept_linked(db: Db) {
    let f = OneHost::new(db, "db-1").await;
    let mirror = f
        .admin
        .create_repository(&cairn_testkit::api::NewRepository::new(
            "offsite",
            "/srv/offsite",
            "pw-2",
        ))
        .await
        .id;
    let body = |copy_to: uuid::Uuid| {
        json!({ "name": "nightly", "repository_id": f.repo, "cron": "0 3 * * *",
                "backup": { "paths": ["/srv"] }, "copy_to": copy_to })
    };
    let path = format!("/api/v1/hosts/{}/schedules", f.host);
    for (to, code) in
        [(f.repo, "schedule.repository_not_linked"), (mirror, "schedule.repository_not_linked")]
    {
        let r = f.admin.post(&path, body(to)).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        assert_eq!(error_field(r).await, (code.into(), Some("copy_to".into())));
    }
    let link = |ids: Value| {
        let (admin, host) = (f.admin.clone(), f.host);
        async move {
            admin
                .put_json(
                    &format!("/api/v1/hosts/{host}/repositories"),
                    json!({ "repository_ids": ids }),
                )
                .await
        }
    };
    assert_eq!(link(json!([f.repo, mirror])).await.status(), StatusCode::OK);
    let r = f.admin.post(&path, body(mirror)).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let s: Value = r.json().await.unwrap();
    assert_eq!(s["copy_to"], mirror.to_string());
    let poll: Value = f.agent.poll(0).await.json().await.unwrap();
    let sent = &poll["config"]["schedules"][0];
    assert_eq!(sent["copy_to"], mirror.to_string(), "{poll}");
    // The mirror stays linked while the schedule copies to it.
    let r = link(json!([f.repo])).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert_eq!(error_code(r).await, "host.repository_has_schedules");
}

db_tests!(
    a_copy_is_checked_run_and_its_mirror_measured,
    a_schedules_mirror_is_checked_sent_and_kept_linked
);
