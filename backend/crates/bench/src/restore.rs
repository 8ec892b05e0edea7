//! `cairn-bench restore` (P10): a single-file restore as the web app starts it, on a small
//! repository, with the release server and agent and the real restic: the request, until
//! the file is on disk. Prints the split: dispatch (request → the agent has the job),
//! restic and placing (the agent's run), report (the job's end recorded and seen).

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::{admin_token, free_port, spawn_server, wait_ready};

async fn call(http: &reqwest::Client, rb: reqwest::RequestBuilder) -> Value {
    let _ = http;
    let r = rb.send().await.expect("request");
    let status = r.status();
    let v: Value = r.json().await.unwrap_or(Value::Null);
    assert!(status.is_success(), "{status}: {v}");
    v
}

async fn until_final(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    job: &str,
) -> (Value, Instant) {
    let t0 = Instant::now();
    loop {
        let v = call(http, http.get(format!("{base}/api/v1/jobs/{job}")).bearer_auth(token)).await;
        if ["succeeded", "warning", "failed", "cancelled", "lost", "blocked"]
            .contains(&v["status"].as_str().unwrap_or(""))
        {
            return (v, Instant::now());
        }
        assert!(t0.elapsed() < Duration::from_secs(300), "job never ended: {v}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn at(v: &Value, field: &str) -> Option<DateTime<Utc>> {
    v[field]
        .as_str()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.with_timezone(&Utc))
}

fn secs(a: Option<DateTime<Utc>>, b: Option<DateTime<Utc>>) -> f64 {
    match (a, b) {
        (Some(a), Some(b)) => (b - a).num_milliseconds() as f64 / 1000.0,
        _ => f64::NAN,
    }
}

pub async fn run() {
    let server_bin =
        std::env::var("CAIRN_SERVER_BIN").unwrap_or_else(|_| "target/release/cairn-server".into());
    let agent_bin =
        std::env::var("CAIRN_AGENT_BIN").unwrap_or_else(|_| "target/release/cairn-agent".into());
    let dir = tempfile::tempdir().expect("temp dir");
    let (port, base) = free_port();
    let mut server = spawn_server(&server_bin, dir.path(), port, &[], None);
    let http = reqwest::Client::new();
    wait_ready(&http, &base).await;
    let admin = admin_token(&http, &base, dir.path()).await;
    let repo_path = dir.path().join("repo");
    let repo = call(
        &http,
        http.post(format!("{base}/api/v1/repositories")).bearer_auth(&admin).json(
            &json!({ "name": "bench", "url": repo_path.to_string_lossy(), "password": "bench-restore-pw" }),
        ),
    )
    .await;
    let repo_id = repo["id"].as_str().unwrap_or_default().to_string();
    let t = call(
        &http,
        http.post(format!("{base}/api/v1/enrollment-tokens"))
            .bearer_auth(&admin)
            .json(&json!({ "repository_id": repo_id })),
    )
    .await;
    let state = dir.path().join("agent");
    let ok = tokio::process::Command::new(&agent_bin)
        .arg("--state-dir")
        .arg(&state)
        .args(["enroll", "--server", &base, "--token", t["secret"].as_str().unwrap_or("")])
        .status()
        .await
        .expect("enroll");
    assert!(ok.success(), "enroll failed");
    let mut agent = tokio::process::Command::new(&agent_bin)
        .arg("--state-dir")
        .arg(&state)
        .arg("run")
        .env("RUST_LOG", "warn")
        .env("RESTIC_CACHE_DIR", dir.path().join("cache"))
        .kill_on_drop(true)
        .spawn()
        .expect("run agent");
    // The host, once its agent has polled with its config.
    let t0 = Instant::now();
    let host = loop {
        let v = call(&http, http.get(format!("{base}/api/v1/hosts")).bearer_auth(&admin)).await;
        if let Some(h) = v["items"]
            .as_array()
            .and_then(|a| a.first())
            .filter(|h| h["applied_config_version"].as_i64().unwrap_or(0) > 0)
        {
            break h["id"].as_str().unwrap_or_default().to_string();
        }
        assert!(t0.elapsed() < Duration::from_secs(60), "the agent never applied its config");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let init = call(
        &http,
        http.post(format!("{base}/api/v1/repositories/{repo_id}/init"))
            .bearer_auth(&admin)
            .json(&json!({ "host_id": host })),
    )
    .await;
    until_final(&http, &base, &admin, init["id"].as_str().unwrap_or_default()).await;
    // A small repository: 200 files of 16 KiB and the one to get back.
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).expect("data dir");
    for i in 0..200 {
        std::fs::write(data.join(format!("file-{i:03}.bin")), vec![i as u8; 16 * 1024])
            .expect("write");
    }
    std::fs::write(data.join("lost.txt"), "the file to get back\n").expect("write");
    let backup = call(
        &http,
        http.post(format!("{base}/api/v1/hosts/{host}/backups"))
            .bearer_auth(&admin)
            .json(&json!({ "repository_id": repo_id, "paths": [data.to_string_lossy()] })),
    )
    .await;
    let (b, _) = until_final(&http, &base, &admin, backup["id"].as_str().unwrap_or_default()).await;
    assert_eq!(b["status"], "succeeded", "{b}");
    let snaps =
        call(&http, http.get(format!("{base}/api/v1/hosts/{host}/snapshots")).bearer_auth(&admin))
            .await;
    let snap = snaps["items"][0]["id"].as_str().unwrap_or_default().to_string();
    // Let the agent's catalog of the new snapshot settle, as it has by the time a person
    // has found the file in the web app.
    tokio::time::sleep(Duration::from_secs(2)).await;

    let target = dir.path().join("restored");
    let file = target.join(data.strip_prefix("/").unwrap_or(&data)).join("lost.txt");
    let clicked = Instant::now();
    let clicked_at = Utc::now();
    let job = call(
        &http,
        http.post(format!("{base}/api/v1/hosts/{host}/restores")).bearer_auth(&admin).json(
            &json!({
                "snapshot_id": snap,
                "paths": [data.join("lost.txt").to_string_lossy()],
                "target": { "mode": "new_path", "path": target.to_string_lossy() },
            }),
        ),
    )
    .await;
    let (done, seen) =
        until_final(&http, &base, &admin, job["id"].as_str().unwrap_or_default()).await;
    let on_disk =
        std::fs::read_to_string(&file).map(|s| s == "the file to get back\n").unwrap_or(false);
    let total = seen.duration_since(clicked).as_secs_f64();
    println!(
        "P10 single-file restore, request → file on disk and the job's end seen: {total:.2} s (status {}, file {})  [target ≤ 30 s]",
        done["status"].as_str().unwrap_or(""),
        if on_disk { "restored, content equal" } else { "MISSING" }
    );
    let dispatch = secs(Some(clicked_at), at(&done, "started_at"));
    let run = secs(at(&done, "started_at"), at(&done, "finished_at"));
    println!(
        "    split: dispatch {dispatch:.2} s (request → the agent started it), restic and placing {run:.2} s, report {:.2} s (the end recorded and seen by the client)",
        (total - dispatch - run).max(0.0),
    );
    let _ = agent.start_kill();
    let _ = server.start_kill();
}
