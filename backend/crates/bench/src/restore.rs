//! `cairn-bench restore` (P10): a single-file restore as the web app starts it, on a small
//! repository, with the release server and agent and the real restic: the request, until
//! the file is on disk. Prints the split: dispatch (request → the agent has the job),
//! restic and placing (the agent's run), report (the job's end recorded and seen). Then a
//! 1 GiB file downloaded through the server: the bytes compared, the throughput, and the
//! server's peak RSS during the download (it streams, so the peak stays flat).

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::{admin_token, free_port, spawn_server, status_mb, wait_ready};

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

    download(&http, &base, &admin, &host, &repo_id, &data, server.id().unwrap_or(0)).await;
    let _ = agent.start_kill();
    let _ = server.start_kill();
}

/// A deterministic, incompressible byte stream (xorshift64): the file is written from it
/// and the download compared with it, so 1 GiB needs no copy in memory.
struct Bytes(u64);

impl Bytes {
    fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            let b = self.0.to_le_bytes();
            chunk.copy_from_slice(&b[..chunk.len()]);
        }
    }
}

const BIG: u64 = 1 << 30;
const SEED: u64 = 0x9e37_79b9_7f4a_7c15;

async fn download(
    http: &reqwest::Client,
    base: &str,
    admin: &str,
    host: &str,
    repo_id: &str,
    data: &std::path::Path,
    server_pid: u32,
) {
    use std::io::Write;
    let big = data.join("big.bin");
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&big).expect("big file"));
        let (mut stream, mut buf) = (Bytes(SEED), vec![0u8; 8 << 20]);
        for _ in 0..BIG / buf.len() as u64 {
            stream.fill(&mut buf);
            f.write_all(&buf).expect("write the big file");
        }
        f.flush().expect("flush");
    }
    let backup = call(
        http,
        http.post(format!("{base}/api/v1/hosts/{host}/backups"))
            .bearer_auth(admin)
            .json(&json!({ "repository_id": repo_id, "paths": [big.to_string_lossy()] })),
    )
    .await;
    let (b, _) = until_final(http, base, admin, backup["id"].as_str().unwrap_or_default()).await;
    assert_eq!(b["status"], "succeeded", "{b}");
    let _ = std::fs::remove_file(&big);
    let snaps =
        call(http, http.get(format!("{base}/api/v1/hosts/{host}/snapshots")).bearer_auth(admin))
            .await;
    let snap = snaps["items"][0]["id"].as_str().unwrap_or_default().to_string();
    let before = status_mb(server_pid, "VmRSS:");
    // The peak (VmHWM) restarts from now, so the figure is the download's own.
    let reset = std::fs::write(format!("/proc/{server_pid}/clear_refs"), "5").is_ok();
    let t0 = Instant::now();
    let mut r = http
        .get(format!("{base}/api/v1/hosts/{host}/snapshots/{snap}/download"))
        .query(&[("path", big.to_string_lossy().as_ref()), ("repository_id", repo_id)])
        .bearer_auth(admin)
        .send()
        .await
        .expect("download");
    assert!(r.status().is_success(), "download: {}", r.status());
    let (mut stream, mut want, mut got, mut equal) = (Bytes(SEED), Vec::new(), 0u64, true);
    let mut pending: Vec<u8> = Vec::new();
    while let Some(chunk) = r.chunk().await.expect("download body") {
        got += chunk.len() as u64;
        pending.extend_from_slice(&chunk);
        // Compared in whole 8-byte words, as the stream was made.
        let whole = pending.len() / 8 * 8;
        want.resize(whole, 0);
        stream.fill(&mut want);
        equal &= want[..] == pending[..whole];
        pending.drain(..whole);
    }
    let secs = t0.elapsed().as_secs_f64();
    println!(
        "download of a 1 GiB file through the server: {got} bytes ({}), {secs:.1} s ({:.0} MB/s); server RSS {before:.0} MB before, {} {:.0} MB  [target: flat]",
        if got == BIG && equal && pending.is_empty() { "all equal" } else { "DIFFERENT" },
        got as f64 / 1e6 / secs,
        if reset { "peak during the download" } else { "peak so far" },
        status_mb(server_pid, "VmHWM:")
    );
}
