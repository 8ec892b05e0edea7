//! Browsing and searching snapshots end to end: the real server, two real agents, real
//! restic. A backup is indexed by its agent, its directories open from the catalog with
//! sizes, kinds, modes, sorting, filter and pages; a search across two snapshots finds
//! every version of a path (and a deleted file); a forget removes the snapshot from what
//! browse and search show; with the host offline another host linked to the repository
//! reads it; bad paths and patterns are 4xx; every look is audited.

use std::{
    os::unix::fs::PermissionsExt,
    path::Path,
    time::{Duration, Instant},
};

use cairn_testkit::{
    ADMIN, Db, Session, TestApp,
    api::{JobStatus, NewBackup, NewEnrollmentToken, NewRepository},
    error_code,
};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::common::{Captured, agent, spawn_agent_as, wait_for};

const PASSWORD: &str = "browse-repo-password";

async fn enroll(app: &TestApp, admin: &Session, dir: &Path, repo: Uuid) {
    let t = admin.enrollment_token(&NewEnrollmentToken::linked_to(repo)).await;
    let out = agent(&dir.join("state"))
        .args(["enroll", "--server", &app.base, "--token", &t.secret])
        .output()
        .await
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

async fn finished(admin: &Session, job: Uuid, log: &Captured) -> cairn_testkit::api::Job {
    let t0 = Instant::now();
    loop {
        let j = admin.job(job).await;
        if j.status.is_final() {
            return j;
        }
        assert!(t0.elapsed() < Duration::from_secs(90), "job never ended: {j:#?}\n{}", log.lock());
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

/// GETs until the agent has indexed what is asked (no `indexing` left).
async fn ready(admin: &Session, path: &str, log: &Captured) -> Value {
    let t0 = Instant::now();
    loop {
        let r = admin.get(path).await;
        let status = r.status();
        let v: Value = r.json().await.unwrap();
        assert_eq!(status, 200, "{path}: {v}\n{}", log.lock());
        let indexing = &v["indexing"];
        let pending = match indexing {
            Value::Null => false,
            Value::Array(a) => !a.is_empty(),
            Value::Object(_) => true,
            _ => panic!("indexing is {indexing}"),
        };
        if !pending {
            return v;
        }
        assert!(t0.elapsed() < Duration::from_secs(60), "still indexing: {v}\n{}", log.lock());
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn names(v: &Value) -> Vec<String> {
    v["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap().to_string())
        .collect()
}

fn entry<'a>(v: &'a Value, name: &str) -> &'a Value {
    v["entries"].as_array().unwrap().iter().find(|e| e["name"] == name).unwrap_or(&Value::Null)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browse_and_search_read_the_agents_catalog() {
    let app = TestApp::spawn_with(Db::Sqlite, |c| {
        c.agents.poll_timeout_secs = 2;
        c.agents.offline_after_secs = 20;
    })
    .await;
    let admin = app.bootstrap().await;
    let tmp = tempfile::tempdir().unwrap();
    let url = tmp.path().join("repo").to_string_lossy().into_owned();
    let repo = admin.create_repository(&NewRepository::new("local", &url, PASSWORD)).await;
    let (a_dir, b_dir) = (tmp.path().join("a"), tmp.path().join("b"));
    enroll(&app, &admin, &a_dir, repo.id).await;
    let (mut agent_a, log) = spawn_agent_as(&a_dir, "source-host");
    wait_for("config applied", 20, || log.lock().contains("config applied")).await;
    let host = admin.hosts().await.items[0].id;
    let init = admin.init_repository(repo.id, host).await;
    assert_eq!(finished(&admin, init.id, &log).await.status, JobStatus::Succeeded);

    // A small file set with the awkward parts: spaces, unicode, a symlink, an empty
    // directory, a private file, a deep path.
    let data = tmp.path().join("data");
    std::fs::create_dir_all(data.join("empty")).unwrap();
    std::fs::create_dir_all(data.join("deep/x/y")).unwrap();
    std::fs::write(data.join("a b.txt"), "v1").unwrap();
    std::fs::write(data.join("ünïcödé.txt"), "unicode").unwrap();
    std::fs::write(data.join("deleted.txt"), "soon gone").unwrap();
    std::fs::write(data.join("private.txt"), "secret-ish").unwrap();
    std::fs::set_permissions(data.join("private.txt"), std::fs::Permissions::from_mode(0o640))
        .unwrap();
    std::fs::write(data.join("deep/x/y/z.txt"), "deep").unwrap();
    std::os::unix::fs::symlink("a b.txt", data.join("link")).unwrap();
    let backup = |admin: Session| {
        let data = data.to_string_lossy().into_owned();
        async move { admin.start_backup(host, &NewBackup::new(repo.id, [data])).await.id }
    };
    let job = backup(admin.clone()).await;
    assert_eq!(finished(&admin, job, &log).await.status, JobStatus::Succeeded);
    let s1 = admin.snapshots(host).await.items[0].id.clone();
    assert_eq!(s1.len(), 64, "the full id: {s1}");

    // The root of the snapshot, then the data directory with everything in it.
    let tree = |snap: &str, q: &str| format!("/api/v1/hosts/{host}/snapshots/{snap}/tree?{q}");
    // restic keeps the absolute path: the root holds its first segment.
    let d = data.to_string_lossy().into_owned();
    let first = d.split('/').find(|s| !s.is_empty()).unwrap_or_default().to_string();
    let root = ready(&admin, &tree(&s1, ""), &log).await;
    assert_eq!(names(&root), [first], "{root}");
    assert!(root.get("read_through").is_none(), "its own host read it: {root}");
    let dir = ready(&admin, &tree(&s1, &format!("path={d}")), &log).await;
    // Directories first, then names in byte order.
    assert_eq!(
        names(&dir),
        ["deep", "empty", "a b.txt", "deleted.txt", "link", "private.txt", "ünïcödé.txt"],
        "{dir}"
    );
    assert_eq!(dir["total"], 7);
    assert_eq!(entry(&dir, "a b.txt")["size"], 2);
    assert_eq!(entry(&dir, "a b.txt")["kind"], "file");
    assert_eq!(entry(&dir, "link")["kind"], "symlink");
    assert_eq!(entry(&dir, "empty")["kind"], "dir");
    assert_eq!(entry(&dir, "private.txt")["mode"], 0o640);
    let empty = ready(&admin, &tree(&s1, &format!("path={d}/empty")), &log).await;
    assert_eq!((empty["total"].as_u64(), names(&empty).len()), (Some(0), 0));
    let deep = ready(&admin, &tree(&s1, &format!("path={d}/deep/x/y/")), &log).await;
    assert_eq!(
        (names(&deep), deep["path"].as_str()),
        (vec!["z.txt".to_string()], Some(format!("{d}/deep/x/y").as_str()))
    );
    // Sorted by size, largest first (directories still first), filtered, and paged.
    let by_size =
        ready(&admin, &tree(&s1, &format!("path={d}&sort=size&descending=true")), &log).await;
    assert_eq!(names(&by_size)[2..5], ["private.txt", "deleted.txt", "ünïcödé.txt"], "{by_size}");
    let filtered = ready(&admin, &tree(&s1, &format!("path={d}&filter=TXT")), &log).await;
    assert_eq!(filtered["total"], 4, "{filtered}");
    let page = ready(&admin, &tree(&s1, &format!("path={d}&offset=2&limit=2")), &log).await;
    assert_eq!(
        (names(&page), page["total"].as_u64()),
        (vec!["a b.txt".into(), "deleted.txt".into()], Some(7))
    );

    // Bad asks are the caller's, clearly.
    let r = admin.get(&tree(&s1, &format!("path={d}/a%20b.txt"))).await;
    assert_eq!((r.status().as_u16(), error_code(r).await.as_str()), (404, "not_found"));
    let r = admin.get(&tree(&s1, "path=../etc")).await;
    assert_eq!((r.status().as_u16(), error_code(r).await.as_str()), (400, "snapshot.invalid_path"));
    let r = admin.get(&tree(&"f".repeat(64), "")).await;
    assert_eq!(r.status(), 404);
    let r = admin.get(&tree("abc", "")).await;
    assert_eq!(r.status(), 400);

    // Downloads: a file as it is, a directory as tar.gz and as zip.
    let download =
        |snap: &str, q: &str| format!("/api/v1/hosts/{host}/snapshots/{snap}/download?{q}");
    let r = admin.get(&download(&s1, &format!("path={d}/a%20b.txt"))).await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers().get("content-disposition").and_then(|v| v.to_str().ok()),
        Some("attachment; filename=\"a b.txt\"")
    );
    assert_eq!(r.bytes().await.unwrap().as_ref(), b"v1");
    for (format, list) in
        [("tar_gz", vec!["tar", "-tzf"]), ("zip", vec!["python3", "-m", "zipfile", "-l"])]
    {
        let r = admin.get(&download(&s1, &format!("path={d}/deep&format={format}"))).await;
        assert_eq!(r.status(), 200, "{format}");
        let file = tmp.path().join(format!("deep.{format}"));
        std::fs::write(&file, r.bytes().await.unwrap()).unwrap();
        let out = std::process::Command::new(list[0]).args(&list[1..]).arg(&file).output().unwrap();
        let names = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success() && names.contains("z.txt"), "{format}: {names}");
    }
    let r = admin.get(&download(&s1, &format!("path={d}/nope.txt"))).await;
    assert_eq!((r.status().as_u16(), error_code(r).await.as_str()), (409, "snapshot.read_failed"));

    // A second snapshot: one file changed, one deleted, one added.
    std::fs::write(data.join("a b.txt"), "version two").unwrap();
    std::fs::remove_file(data.join("deleted.txt")).unwrap();
    std::fs::write(data.join("new.txt"), "new").unwrap();
    let job = backup(admin.clone()).await;
    assert_eq!(finished(&admin, job, &log).await.status, JobStatus::Succeeded);
    let s2 = admin.snapshots(host).await.items[0].id.clone();
    assert_ne!(s1, s2);
    let search = |q: &str| format!("/api/v1/hosts/{host}/snapshots/search?{q}");
    let found = ready(&admin, &search("q=deleted"), &log).await;
    let paths = found["paths"].as_array().unwrap();
    assert_eq!(paths.len(), 1, "{found}");
    assert_eq!(paths[0]["path"], format!("{d}/deleted.txt"));
    assert_eq!(paths[0]["versions"][0]["snapshots"], json!([s1]), "only in the first: {found}");
    assert_eq!(found["searched"].as_array().map(Vec::len), Some(2));
    let named: Vec<&str> =
        found["snapshots"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(named, [s1.as_str(), s2.as_str()], "with their times, oldest first: {found}");
    assert_eq!(found["snapshots"][0]["short_id"], json!(&s1[..8]));
    let versions = ready(&admin, &search("q=a%20b"), &log).await;
    let v = &versions["paths"][0]["versions"];
    assert_eq!(versions["paths"][0]["path"], format!("{d}/a b.txt"), "{versions}");
    assert_eq!((v[0]["size"].as_u64(), v[1]["size"].as_u64()), (Some(2), Some(11)), "{versions}");
    assert_eq!((&v[0]["snapshots"], &v[1]["snapshots"]), (&json!([s1]), &json!([s2])));
    let globbed = ready(&admin, &search(&format!("q=*.txt&snapshot_id={s2}")), &log).await;
    let mut txt: Vec<String> = globbed["paths"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["path"].as_str().unwrap().trim_start_matches(d.as_str()).to_string())
        .collect();
    txt.sort();
    assert_eq!(txt, ["/a b.txt", "/deep/x/y/z.txt", "/new.txt", "/private.txt", "/ünïcödé.txt"]);
    let r = admin.get(&search("q=")).await;
    assert_eq!(r.status(), 400);

    // What changed in the second backup: against the snapshot before it, by default.
    let diff_path = format!("/api/v1/hosts/{host}/snapshots/{s2}/diff");
    let t0 = Instant::now();
    let diff = loop {
        let v: Value = admin.get(&diff_path).await.json().await.unwrap();
        if v["sizes_known"] == true {
            break v;
        }
        assert!(t0.elapsed() < Duration::from_secs(60), "sizes never known: {v}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    assert_eq!((&diff["from"], &diff["to"]), (&json!(s1), &json!(s2)), "{diff}");
    let change = |p: &str| {
        let full = format!("{d}/{p}");
        diff["changes"].as_array().unwrap().iter().find(|c| c["path"] == full.as_str()).cloned()
    };
    let ab = change("a b.txt").unwrap_or_default();
    assert_eq!(
        (&ab["change"], &ab["size_before"], &ab["size_after"]),
        (&json!("modified"), &json!(2), &json!(11)),
        "{diff}"
    );
    assert_eq!(change("deleted.txt").map(|c| c["change"].clone()), Some(json!("removed")));
    assert_eq!(change("new.txt").map(|c| c["change"].clone()), Some(json!("added")));
    assert_eq!(change("new.txt").map(|c| c["kind"].clone()), Some(json!("file")));
    assert!(change("private.txt").is_none(), "unchanged: {diff}");
    assert_eq!(diff["totals"]["added_files"], 1, "{diff}");
    // Named the other way round, it is still older → newer; filtered, it keeps only matches.
    let back: Value = admin
        .get(&format!("/api/v1/hosts/{host}/snapshots/{s1}/diff?against={s2}&filter=NEW"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!((&back["from"], &back["total"]), (&json!(s1), &json!(1)), "{back}");
    // Per kind: `by_change` counts what the full answer lists; asking for kinds keeps only
    // those, before the limit, so one page of removals is not hidden behind additions.
    let rows = diff["changes"].as_array().unwrap();
    let count = |k: &str| rows.iter().filter(|c| c["change"] == k).count() as u64;
    let by_change: Vec<(String, u64)> = diff["by_change"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["change"].as_str().unwrap().to_string(), c["count"].as_u64().unwrap()))
        .collect();
    assert!(by_change.iter().all(|(k, n)| *n == count(k) && *n > 0), "{diff}");
    assert_eq!(by_change.iter().map(|(_, n)| n).sum::<u64>(), diff["total"].as_u64().unwrap());
    let picked: Value = admin
        .get(&format!("{diff_path}?change=removed&change=added&limit=1"))
        .await
        .json()
        .await
        .unwrap();
    let wanted = count("removed") + count("added");
    assert!(wanted >= 2, "{diff}");
    assert_eq!(
        (&picked["total"], &picked["truncated"]),
        (&json!(wanted), &json!(true)),
        "{picked}"
    );
    let first_of_kinds =
        rows.iter().find(|c| c["change"] == "removed" || c["change"] == "added").unwrap();
    assert_eq!(picked["changes"], json!([first_of_kinds]), "{picked}");
    assert_eq!(picked["by_change"], diff["by_change"], "counts ignore the kinds asked for");
    let r = admin.get(&format!("{diff_path}?change=renamed")).await;
    assert_eq!(r.status(), 400);
    let first = admin.get(&format!("/api/v1/hosts/{host}/snapshots/{s1}/diff")).await;
    assert_eq!(
        (first.status().as_u16(), error_code(first).await.as_str()),
        (409, "snapshot.no_parent")
    );

    // Forget the first snapshot: neither browse nor search shows it any more.
    let r = admin
        .post(
            &format!("/api/v1/repositories/{}/jobs", repo.id),
            json!({ "host_id": host, "args": { "kind": "forget", "policy": { "keep_last": 1 } } }),
        )
        .await;
    assert_eq!(r.status(), 202, "{}", r.text().await.unwrap_or_default());
    let forget: Value = r.json().await.unwrap();
    let forget = Uuid::parse_str(forget["id"].as_str().unwrap()).unwrap();
    assert_eq!(finished(&admin, forget, &log).await.status, JobStatus::Succeeded);
    let gone = ready(&admin, &search("q=deleted"), &log).await;
    assert_eq!(
        (gone["paths"].as_array().map(Vec::len), &gone["searched"]),
        (Some(0), &json!([s2]))
    );
    assert_eq!(admin.get(&tree(&s1, "")).await.status(), 404);

    // The source host goes offline; a second host linked to the repository reads for it.
    enroll(&app, &admin, &b_dir, repo.id).await;
    let (_agent_b, log_b) = spawn_agent_as(&b_dir, "reader-host");
    wait_for("config applied", 20, || log_b.lock().contains("config applied")).await;
    agent_a.kill().await.unwrap();
    let t0 = Instant::now();
    loop {
        let h: Value = admin.get(&format!("/api/v1/hosts/{host}")).await.json().await.unwrap();
        if h["status"] == "offline" {
            break;
        }
        assert!(t0.elapsed() < Duration::from_secs(45), "never offline: {h}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let through = ready(&admin, &tree(&s2, &format!("path={d}")), &log_b).await;
    assert_eq!(through["read_through"]["hostname"], "reader-host", "{through}");
    assert_eq!(
        names(&through),
        ["deep", "empty", "a b.txt", "link", "new.txt", "private.txt", "ünïcödé.txt"]
    );
    assert_eq!(entry(&through, "a b.txt")["size"], 11);

    // Each look is in the audit log, with what was looked at and who read it.
    let audit: Value = admin.get("/api/v1/audit?limit=200").await.json().await.unwrap();
    let looks: Vec<&Value> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "snapshot.browse")
        .collect();
    assert!(looks.len() >= 8, "{audit}");
    assert!(looks.iter().all(|e| e["actor_name"] == ADMIN), "{audit}");
    assert!(looks.iter().any(|e| e["details"]["read_by"] == "reader-host"), "{audit}");
    let searches = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "snapshot.search")
        .count();
    assert!(searches >= 4, "{audit}");
}
