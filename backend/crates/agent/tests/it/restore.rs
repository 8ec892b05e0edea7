//! Restores end to end: the real server, the real agent, real restic. A hard file set
//! (unicode and spaces, a long path, symlinks, hard links, an empty directory, a sparse
//! and a large file, odd permissions) is restored to a new directory and compared byte for
//! byte and by metadata; restoring again keeps what is there by the policy; an in-place
//! restore puts a changed file back and needs the host's name typed; a restore that
//! would not fit on a small filesystem is refused before anything is written; bad targets
//! are 4xx; the audit log says who restored what to where.

use std::{
    collections::BTreeMap,
    io::{Seek, Write},
    os::unix::fs::{MetadataExt, PermissionsExt},
    path::{Path, PathBuf},
    process::Stdio,
    time::{Duration, Instant},
};

use cairn_testkit::{
    Db, Session, TestApp,
    api::{Job, JobStatus, NewBackup, NewEnrollmentToken, NewRepository},
    error_code,
};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::common::{Captured, HOSTNAME, agent, capture, restic_path, wait_for};

/// One file's content and metadata, relative to the tree's root.
#[derive(Debug, PartialEq, Eq)]
enum Item {
    Dir { mode: u32 },
    File { mode: u32, mtime: i64, content: Vec<u8>, links: u64 },
    Link { target: PathBuf },
}

fn snapshot_of(root: &Path) -> BTreeMap<PathBuf, Item> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Item>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            let m = std::fs::symlink_metadata(&p).unwrap();
            let rel = p.strip_prefix(root).unwrap().to_path_buf();
            if m.file_type().is_symlink() {
                out.insert(rel, Item::Link { target: std::fs::read_link(&p).unwrap() });
            } else if m.is_dir() {
                out.insert(rel, Item::Dir { mode: m.mode() & 0o7777 });
                walk(root, &p, out);
            } else {
                out.insert(
                    rel,
                    Item::File {
                        mode: m.mode() & 0o7777,
                        mtime: m.mtime(),
                        content: std::fs::read(&p).unwrap(),
                        links: m.nlink(),
                    },
                );
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

fn hard_file_set(root: &Path) {
    let w = |rel: &str, data: &[u8], mode: u32| {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, data).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
    };
    w("plain.txt", b"plain\n", 0o644);
    w("with space and ünïcödé – ✓.txt", "ça marche\n".as_bytes(), 0o644);
    w("script.sh", b"#!/bin/sh\necho hi\n", 0o755);
    w("secret.key", b"not really secret", 0o600);
    let long: String = (0..6).map(|i| format!("{}-{i}/", "d".repeat(60))).collect();
    w(&format!("{long}deep file.txt"), b"deep", 0o640);
    std::fs::create_dir_all(root.join("empty dir")).unwrap();
    std::os::unix::fs::symlink("plain.txt", root.join("link-to-plain")).unwrap();
    std::os::unix::fs::symlink("/nonexistent/target", root.join("dangling")).unwrap();
    std::fs::hard_link(root.join("plain.txt"), root.join("hardlink-to-plain")).unwrap();
    // 8 MiB sparse with data at both ends, and 12 MiB of pseudo-random bytes.
    let mut sparse = std::fs::File::create(root.join("sparse.img")).unwrap();
    sparse.write_all(b"start").unwrap();
    sparse.seek(std::io::SeekFrom::Start(8 << 20)).unwrap();
    sparse.write_all(b"end").unwrap();
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let big: Vec<u8> = (0..12 << 20)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    w("big.bin", &big, 0o644);
    let old = std::time::SystemTime::now() - Duration::from_secs(86_400 * 30);
    std::fs::File::options()
        .write(true)
        .open(root.join("plain.txt"))
        .unwrap()
        .set_modified(old)
        .unwrap();
}

async fn finished(admin: &Session, job: Uuid, log: &Captured) -> Job {
    let t0 = Instant::now();
    loop {
        let j = admin.job(job).await;
        if j.status.is_final() {
            return j;
        }
        assert!(t0.elapsed() < Duration::from_secs(120), "job never ended: {j:#?}\n{}", log.lock());
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

/// This process's peak RSS (`VmHWM`), in KiB.
fn peak_rss_kib() -> i64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

async fn restore(admin: &Session, host: Uuid, body: Value) -> reqwest::Response {
    admin.post(&format!("/api/v1/hosts/{host}/restores"), body).await
}

/// POSTs a preview until the agent has the snapshot in its catalog.
async fn preview(admin: &Session, host: Uuid, body: &Value) -> Value {
    let t0 = Instant::now();
    loop {
        let r = admin.post(&format!("/api/v1/hosts/{host}/restores/preview"), body.clone()).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap_or_default());
        let v: Value = r.json().await.unwrap();
        if v.get("indexing").is_none() {
            return v;
        }
        assert!(t0.elapsed() < Duration::from_secs(60), "still indexing: {v}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn restored(admin: &Session, host: Uuid, body: Value, log: &Captured) -> (Job, Value) {
    let r = restore(admin, host, body).await;
    assert_eq!(r.status(), 202, "{}", r.text().await.unwrap_or_default());
    let job: Value = r.json().await.unwrap();
    let id = Uuid::parse_str(job["id"].as_str().unwrap()).unwrap();
    let j = finished(admin, id, log).await;
    let v: Value = admin.get(&format!("/api/v1/jobs/{id}")).await.json().await.unwrap();
    (j, v)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restores_put_files_back_exactly_and_safely() {
    let app = TestApp::spawn_with(Db::Sqlite, |c| c.agents.poll_timeout_secs = 2).await;
    let admin = app.bootstrap().await;
    let tmp = tempfile::tempdir().unwrap();
    let url = tmp.path().join("repo").to_string_lossy().into_owned();
    let repo = admin.create_repository(&NewRepository::new("local", &url, "restore-pw")).await;
    let t = admin.enrollment_token(&NewEnrollmentToken::linked_to(repo.id)).await;
    let state = tmp.path().join("state");
    let out = agent(&state)
        .args(["enroll", "--server", &app.base, "--token", &t.secret])
        .output()
        .await
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut child = agent(&state)
        .arg("run")
        .env("CAIRN_AGENT_HOSTNAME", HOSTNAME)
        .env("CAIRN_AGENT_RESTIC", restic_path())
        .env("RESTIC_CACHE_DIR", tmp.path().join("cache"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let log = capture(&mut child);
    wait_for("config applied", 20, || log.lock().contains("config applied")).await;
    let host = admin.hosts().await.items[0].id;
    let init = admin.init_repository(repo.id, host).await;
    assert_eq!(finished(&admin, init.id, &log).await.status, JobStatus::Succeeded);

    let data = tmp.path().join("data");
    hard_file_set(&data);
    let d = data.to_string_lossy().into_owned();
    let b = admin.start_backup(host, &NewBackup::new(repo.id, [d.clone()])).await;
    assert_eq!(finished(&admin, b.id, &log).await.status, JobStatus::Succeeded, "{}", log.lock());
    let snap = admin.snapshots(host).await.items[0].id.clone();
    let original = snapshot_of(&data);

    // To a new directory: everything, exactly, under its full path.
    let target = tmp.path().join("restored");
    let body = json!({ "snapshot_id": snap, "target": { "mode": "new_path", "path": target }, "verify": true });
    let files = original.values().filter(|i| !matches!(i, Item::Dir { .. })).count() as u64;
    let p = preview(&admin, host, &body).await;
    assert_eq!(
        (p["create"].as_u64(), p["overwrite"].as_u64(), p["keep"].as_u64()),
        (Some(files), Some(0), Some(0)),
        "{p:#}"
    );
    assert_eq!(p["fits"], true, "{p:#}");
    assert!(p["bytes"].as_u64().unwrap_or_default() > 20 << 20, "{p:#}");
    assert!(!target.exists(), "a preview writes nothing");
    let (job, v) = restored(&admin, host, body.clone(), &log).await;
    assert_eq!(job.status, JobStatus::Succeeded, "{v:#}\n{}", log.lock());
    let report = &v["result"]["restore"];
    assert_eq!(report["target"], json!(target), "{v:#}");
    assert_eq!(report["verified"], true, "{v:#}");
    assert_eq!(report["created"], files, "{v:#}");
    assert_eq!(
        (report["overwritten"].as_u64(), report["failed_count"].as_u64()),
        (Some(0), Some(0))
    );
    let copy = snapshot_of(&target.join(d.trim_start_matches('/')));
    assert_eq!(copy.len(), original.len());
    for (rel, item) in &original {
        assert_eq!(copy.get(rel), Some(item), "{} differs", rel.display());
    }
    let ino =
        |p: &str| std::fs::metadata(target.join(d.trim_start_matches('/')).join(p)).unwrap().ino();
    assert_eq!(ino("plain.txt"), ino("hardlink-to-plain"), "a hard link stays one file");
    let leftovers: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(".cairn-restore"))
        .collect();
    assert!(leftovers.is_empty(), "the staging directory is gone");

    // Again into the same, now full, directory, keeping what is there.
    let again = json!({ "snapshot_id": snap, "target": { "mode": "new_path", "path": target }, "overwrite": "never", "paths": [format!("{d}/plain.txt"), format!("{d}/big.bin")] });
    let (job, v) = restored(&admin, host, again, &log).await;
    assert_eq!(job.status, JobStatus::Succeeded, "{v:#}");
    assert_eq!(
        (v["result"]["restore"]["skipped"].as_u64(), v["result"]["restore"]["created"].as_u64()),
        (Some(2), Some(0)),
        "{v:#}"
    );

    // In place: a changed file comes back, an unchanged one is left alone; the host's name
    // must be typed.
    std::fs::write(data.join("secret.key"), "damaged").unwrap();
    let in_place = |confirm: &str| json!({ "snapshot_id": snap, "target": { "mode": "original" }, "paths": [format!("{d}/secret.key"), format!("{d}/script.sh")], "confirm_hostname": confirm });
    let r = restore(&admin, host, in_place("wrong-name")).await;
    assert_eq!(
        (r.status().as_u16(), error_code(r).await.as_str()),
        (400, "restore.needs_confirmation")
    );
    let p = preview(&admin, host, &in_place(HOSTNAME)).await;
    assert_eq!(
        (p["overwrite"].as_u64(), p["keep"].as_u64(), p["create"].as_u64()),
        (Some(1), Some(1), Some(0)),
        "{p:#}"
    );
    assert_eq!(p["paths"][0]["path"], json!(format!("{d}/secret.key")), "overwrites first: {p:#}");
    assert_eq!(
        std::fs::read_to_string(data.join("secret.key")).unwrap(),
        "damaged",
        "a preview changes nothing"
    );
    let (job, v) = restored(&admin, host, in_place(HOSTNAME), &log).await;
    assert_eq!(job.status, JobStatus::Succeeded, "{v:#}");
    assert_eq!(std::fs::read_to_string(data.join("secret.key")).unwrap(), "not really secret");
    assert_eq!(std::fs::metadata(data.join("secret.key")).unwrap().mode() & 0o777, 0o600);
    assert_eq!(
        (
            v["result"]["restore"]["overwritten"].as_u64(),
            v["result"]["restore"]["skipped"].as_u64()
        ),
        (Some(1), Some(1)),
        "{v:#}"
    );

    // A target on a 1 MiB filesystem: refused before anything is written.
    let small = tmp.path().join("small");
    std::fs::create_dir_all(&small).unwrap();
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=1m", "tmpfs"])
        .arg(&small)
        .status()
        .unwrap();
    assert!(mounted.success(), "mounting a tmpfs needs root (the tests run as root here)");
    let into_small = json!({ "snapshot_id": snap, "target": { "mode": "new_path", "path": small.join("into") } });
    let p = preview(&admin, host, &into_small).await;
    assert_eq!(
        (p["fits"].as_bool(), p["free_bytes"].as_u64()),
        (Some(false), Some(1 << 20)),
        "{p:#}"
    );
    let (job, v) = restored(&admin, host, into_small, &log).await;
    let unmounted = std::process::Command::new("umount").arg(&small).status();
    assert_eq!(job.status, JobStatus::Failed, "{v:#}");
    assert_eq!(v["error_class"], "restore.no_space", "{v:#}");
    assert!(v["error_message"].as_str().unwrap_or_default().contains("1.0 MiB free"), "{v:#}");
    assert!(unmounted.is_ok_and(|s| s.success()));
    assert!(!small.join("into").exists(), "nothing written");

    // Bad targets and paths are the caller's.
    for (body, code) in [
        (
            json!({ "snapshot_id": snap, "target": { "mode": "new_path", "path": "relative/dir" } }),
            "restore.invalid_target",
        ),
        (
            json!({ "snapshot_id": snap, "target": { "mode": "new_path", "path": "/srv/../etc" } }),
            "restore.invalid_target",
        ),
        (
            json!({ "snapshot_id": snap, "target": { "mode": "new_path", "path": "/proc/x" } }),
            "restore.invalid_target",
        ),
        (
            json!({ "snapshot_id": snap, "target": { "mode": "new_path", "path": "/etc/restored" } }),
            "restore.needs_confirmation",
        ),
        (
            json!({ "snapshot_id": snap, "target": { "mode": "new_path", "path": "/srv/x" }, "paths": ["../etc"] }),
            "restore.invalid_paths",
        ),
    ] {
        let r = restore(&admin, host, body.clone()).await;
        assert_eq!((r.status().as_u16(), error_code(r).await), (400, code.to_string()), "{body}");
    }
    let r = restore(&admin, host, json!({ "snapshot_id": "0".repeat(64), "target": { "mode": "new_path", "path": "/srv/x" } })).await;
    assert_eq!(r.status(), 404);

    // The audit log says who restored which paths of which snapshot to where.
    let audit: Value = admin.get("/api/v1/audit?limit=100").await.json().await.unwrap();
    let restores: Vec<&Value> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "job.create" && e["details"]["kind"] == "restore")
        .collect();
    assert_eq!(restores.len(), 4, "{audit:#}");
    assert!(restores.iter().any(|e| e["details"]["restore"]["in_place"] == true
        && e["details"]["restore"]["snapshot_id"] == snap.as_str()));
}

/// A second host restores the first host's snapshot: it is not linked to the repository,
/// gets its credentials for that one job, and keeps neither them nor the catalog after.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_host_restores_with_credentials_for_that_job_only() {
    const PASSWORD: &str = "cross-host-pw-7f3a";
    let app = TestApp::spawn_with(Db::Sqlite, |c| c.agents.poll_timeout_secs = 2).await;
    let admin = app.bootstrap().await;
    let tmp = tempfile::tempdir().unwrap();
    let url = tmp.path().join("repo").to_string_lossy().into_owned();
    let repo = admin.create_repository(&NewRepository::new("shared", &url, PASSWORD)).await;
    let mut logs = Vec::new();
    let mut children = Vec::new();
    for (name, linked) in [("source-host", true), ("target-host", false)] {
        let state = tmp.path().join(name).join("state");
        let token = if linked {
            NewEnrollmentToken::linked_to(repo.id)
        } else {
            NewEnrollmentToken::default()
        };
        let t = admin.enrollment_token(&token).await;
        let out = agent(&state)
            .args(["enroll", "--server", &app.base, "--token", &t.secret])
            .output()
            .await
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let mut child = agent(&state)
            .arg("run")
            .env("CAIRN_AGENT_HOSTNAME", name)
            .env("CAIRN_AGENT_RESTIC", restic_path())
            .env("RESTIC_CACHE_DIR", tmp.path().join(name).join("cache"))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let log = capture(&mut child);
        wait_for("config applied", 20, || log.lock().contains("config applied")).await;
        logs.push(log);
        children.push(child);
    }
    let hosts = admin.hosts().await.items;
    let id_of = |n: &str| hosts.iter().find(|h| h.hostname == n).map(|h| h.id).unwrap();
    let (source, target) = (id_of("source-host"), id_of("target-host"));
    let init = admin.init_repository(repo.id, source).await;
    assert_eq!(finished(&admin, init.id, &logs[0]).await.status, JobStatus::Succeeded);
    let data = tmp.path().join("data");
    std::fs::create_dir_all(data.join("conf")).unwrap();
    std::fs::write(data.join("conf/app.toml"), "port = 8080\n").unwrap();
    let d = data.to_string_lossy().into_owned();
    let b = admin.start_backup(source, &NewBackup::new(repo.id, [d.clone()])).await;
    assert_eq!(finished(&admin, b.id, &logs[0]).await.status, JobStatus::Succeeded);
    let snap = admin.snapshots(source).await.items[0].id.clone();

    // The preview: the source's catalog lists, the target compares with its own files.
    let into = tmp.path().join("migrated");
    let body = json!({ "snapshot_id": snap, "target": { "mode": "new_path", "path": into }, "target_host_id": target });
    let p = preview(&admin, source, &body).await;
    assert_eq!(
        (p["create"].as_u64(), p["overwrite"].as_u64(), p["bytes"].as_u64()),
        (Some(1), Some(0), Some(12)),
        "{p:#}"
    );
    let busy = tmp.path().join("busy");
    let there = busy.join(d.trim_start_matches('/')).join("conf");
    std::fs::create_dir_all(&there).unwrap();
    std::fs::write(there.join("app.toml"), "port = 1\n").unwrap();
    std::fs::write(there.join("stray.txt"), "not in the snapshot").unwrap();
    let merge = json!({ "snapshot_id": snap, "target": { "mode": "new_path", "path": busy },
                        "target_host_id": target, "overwrite": "always", "delete_extra": true });
    let p = preview(&admin, source, &merge).await;
    assert_eq!(
        (p["create"].as_u64(), p["overwrite"].as_u64(), p["delete"].as_u64()),
        (Some(0), Some(1), Some(1)),
        "{p:#}"
    );
    let stray = there.join("stray.txt").to_string_lossy().into_owned();
    assert!(
        p["paths"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["path"] == stray.as_str() && x["action"] == "delete"),
        "{p:#}"
    );
    assert_eq!(
        std::fs::read_to_string(there.join("app.toml")).unwrap(),
        "port = 1\n",
        "a preview writes nothing"
    );

    let (job, v) = restored(&admin, source, body, &logs[1]).await;
    assert_eq!(job.status, JobStatus::Succeeded, "{v:#}\n{}", logs[1].lock());
    assert_eq!(v["host_id"], json!(target), "the job runs on the target host");
    let restored_file = into.join(d.trim_start_matches('/')).join("conf/app.toml");
    assert_eq!(std::fs::read_to_string(restored_file).unwrap(), "port = 8080\n");

    // Nothing of the source repository stays on the target host.
    let state = tmp.path().join("target-host").join("state");
    let mut stack = vec![state.clone()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let bytes = std::fs::read(&p).unwrap_or_default();
                assert!(
                    !bytes.windows(PASSWORD.len()).any(|w| w == PASSWORD.as_bytes()),
                    "{} holds the password",
                    p.display()
                );
                assert!(
                    !p.to_string_lossy().contains("catalog/")
                        || p.extension().is_none_or(|x| x != "cat"),
                    "{} is a catalog of the source",
                    p.display()
                );
            }
        }
    }
    let target_cfg: Value =
        admin.get(&format!("/api/v1/hosts/{target}")).await.json().await.unwrap();
    assert_eq!(target_cfg["repository_ids"], json!([]), "never linked");

    // The credentials were handed out once, to the target host's agent, and audited.
    let audit: Value = admin.get("/api/v1/audit?limit=100").await.json().await.unwrap();
    let lent: Vec<&Value> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "restore.credentials")
        .collect();
    assert_eq!(lent.len(), 1, "{audit:#}");
    assert_eq!(
        (&lent[0]["actor_kind"], &lent[0]["actor_name"]),
        (&json!("agent"), &json!("target-host"))
    );
    let created = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "job.create" && e["details"]["kind"] == "restore")
        .cloned()
        .unwrap_or_default();
    assert_eq!(created["details"]["source_host_id"], json!(source), "{created:#}");
}

/// An agent killed with SIGKILL in the middle of a restore to a new directory: the
/// directory never appears, and the job ends `lost` when the agent is back, not `running`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restore_killed_midway_leaves_the_target_untouched() {
    let app = TestApp::spawn_with(Db::Sqlite, |c| c.agents.poll_timeout_secs = 2).await;
    let admin = app.bootstrap().await;
    let tmp = tempfile::tempdir().unwrap();
    let url = tmp.path().join("repo").to_string_lossy().into_owned();
    let repo = admin.create_repository(&NewRepository::new("local", &url, "kill-pw")).await;
    let t = admin.enrollment_token(&NewEnrollmentToken::linked_to(repo.id)).await;
    let state = tmp.path().join("state");
    let out = agent(&state)
        .args(["enroll", "--server", &app.base, "--token", &t.secret])
        .output()
        .await
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let run = |state: &Path| {
        let mut child = agent(state)
            .arg("run")
            .env("CAIRN_AGENT_HOSTNAME", HOSTNAME)
            .env("CAIRN_AGENT_RESTIC", restic_path())
            .env("RESTIC_CACHE_DIR", tmp.path().join("cache"))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let log = capture(&mut child);
        (child, log)
    };
    let (mut child, log) = run(&state);
    wait_for("config applied", 20, || log.lock().contains("config applied")).await;
    let host = admin.hosts().await.items[0].id;
    let init = admin.init_repository(repo.id, host).await;
    assert_eq!(finished(&admin, init.id, &log).await.status, JobStatus::Succeeded);
    let data = crate::common::random_dir(&tmp.path().join("data"), 6, 64);
    let b = admin
        .start_backup(host, &NewBackup::new(repo.id, [data.to_string_lossy().into_owned()]))
        .await;
    assert_eq!(finished(&admin, b.id, &log).await.status, JobStatus::Succeeded);
    let snap = admin.snapshots(host).await.items[0].id.clone();

    // A 64 MiB file downloaded through the server: the bytes match and the server (this
    // process) does not hold them: its peak RSS grows by far less than the file.
    // (Sent past the contract check, which reads whole answers, so only the server's
    // streaming is measured.)
    let blob = data.join("blob0");
    let want = std::fs::read(&blob).unwrap();
    let before = peak_rss_kib();
    let path = format!("/api/v1/hosts/{host}/snapshots/{snap}/download?path={}", blob.display());
    let mut r = admin.request(reqwest::Method::GET, &path).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let mut at = 0;
    while let Some(chunk) = r.chunk().await.unwrap() {
        assert_eq!(&want[at..at + chunk.len()], chunk.as_ref(), "bytes differ at {at}");
        at += chunk.len();
    }
    assert_eq!(at, want.len());
    let grew_mib = (peak_rss_kib() - before) / 1024;
    eprintln!("download of 64 MiB: peak RSS of the server's process grew by {grew_mib} MiB");
    assert!(grew_mib < 48, "the download was held in memory: +{grew_mib} MiB");
    drop(want);

    let target = tmp.path().join("restored");
    let r = restore(
        &admin,
        host,
        json!({ "snapshot_id": snap, "target": { "mode": "new_path", "path": target } }),
    )
    .await;
    assert_eq!(r.status(), 202);
    let job: Value = r.json().await.unwrap();
    let id = Uuid::parse_str(job["id"].as_str().unwrap()).unwrap();
    // restic is writing into the staging directory: kill the agent (and so restic).
    let staging = tmp.path().join(format!(".cairn-restore-{}", id.simple()));
    let t0 = Instant::now();
    while !std::fs::read_dir(&staging).is_ok_and(|mut d| d.next().is_some()) {
        assert!(
            t0.elapsed() < Duration::from_secs(60),
            "restic never started writing\n{}",
            log.lock()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    crate::common::sigkill(&mut child).await;
    assert!(!target.exists(), "a killed restore left {} behind", target.display());

    let (_child, log2) = run(&state);
    let j = finished(&admin, id, &log2).await;
    assert!(matches!(j.status, JobStatus::Lost | JobStatus::Failed), "{j:#?}\n{}", log2.lock());
    assert!(!target.exists(), "still nothing at the target");
    assert!(!staging.exists(), "the restart removed the partly restored staging directory");

    // A restore drill: a sample restored, verified, timed, and deleted.
    let drill = |max_bytes: u64| {
        let admin = admin.clone();
        let repo = repo.id;
        async move {
            let r = admin
                .post(
                    &format!("/api/v1/hosts/{host}/drills"),
                    json!({ "repository_id": repo, "files": 3, "max_bytes": max_bytes }),
                )
                .await;
            assert_eq!(r.status(), 202, "{}", r.text().await.unwrap_or_default());
            let v: Value = r.json().await.unwrap();
            Uuid::parse_str(v["id"].as_str().unwrap()).unwrap()
        }
    };
    let d = drill(200 << 20).await;
    let j = finished(&admin, d, &log2).await;
    let v: Value = admin.get(&format!("/api/v1/jobs/{d}")).await.json().await.unwrap();
    assert_eq!(j.status, JobStatus::Succeeded, "{v:#}\n{}", log2.lock());
    let report = &v["result"]["drill"];
    assert_eq!(
        (report["files"].as_u64(), report["bytes"].as_u64()),
        (Some(3), Some((3 * 64) << 20)),
        "{v:#}"
    );
    assert_eq!((&report["verified"], &report["mismatches"]), (&json!(true), &json!([])), "{v:#}");
    assert!(report["restore_ms"].as_u64().unwrap_or_default() > 0, "{v:#}");
    assert_eq!(report["snapshot_id"], json!(snap), "the newest snapshot");
    assert!(
        !std::env::temp_dir().join(format!("cairn-drill-{}", d.simple())).exists(),
        "the drill cleaned up"
    );

    // A damaged repository: the drill says so.
    for pack in walk_files(&tmp.path().join("repo/data")) {
        let mut bytes = std::fs::read(&pack).unwrap();
        let mid = bytes.len() / 2;
        bytes[mid] ^= 0xff;
        std::fs::write(&pack, bytes).unwrap();
    }
    let d = drill(200 << 20).await;
    let j = finished(&admin, d, &log2).await;
    let v: Value = admin.get(&format!("/api/v1/jobs/{d}")).await.json().await.unwrap();
    assert_eq!(j.status, JobStatus::Failed, "{v:#}");
    assert_eq!(v["error_class"], "drill.mismatch", "{v:#}");
    assert_eq!(v["result"]["drill"]["verified"], false, "{v:#}");
}

fn walk_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk_files(&p));
        } else {
            out.push(p);
        }
    }
    out
}
