//! The server loop (`http/serve.rs`) and the front of every request: which HTTP each
//! connection speaks, a body that never arrives, and what a shutdown does to an answer
//! still being written (a held long-poll).

use std::time::{Duration, Instant};

use cairn_testkit::{Db, SendChecked, TestApp, agent::SimAgent, api::NewEnrollmentToken};
use reqwest::{StatusCode, Version};
use serde_json::Value;

/// An enrolled agent whose next poll (config version 1) has nothing to get and is held.
async fn enrolled_agent(app: &TestApp) -> SimAgent {
    let admin = app.bootstrap().await;
    let agent = admin.enroll_agent("held-1", &NewEnrollmentToken::default()).await;
    let first = agent.poll_ok(0).await;
    assert_eq!(first.config.map(|c| c.version), Some(1), "the first poll takes the config at once");
    agent
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_is_http1_and_tls_offers_http2_by_alpn() {
    let plain = TestApp::spawn(Db::Sqlite).await;
    let r = reqwest::get(plain.url("/healthz")).await.unwrap();
    assert_eq!((r.status(), r.version()), (StatusCode::OK, Version::HTTP_11));

    let tls = TestApp::spawn_with(Db::Sqlite, |c| c.tls.mode = "self_signed".into()).await;
    assert!(tls.base.starts_with("https://"), "{}", tls.base);
    let h2 = reqwest::Client::builder().danger_accept_invalid_certs(true).build().unwrap();
    let r = h2.get(tls.url("/api/v1/info")).send_checked().await;
    assert_eq!((r.status(), r.version()), (StatusCode::OK, Version::HTTP_2));
    let info: Value = r.json().await.unwrap();
    assert_eq!(info["tls"]["mode"], "self_signed");
    // A client that offers only HTTP/1.1 (curl --http1.1, older agents) is served too.
    let h1 = reqwest::Client::builder().danger_accept_invalid_certs(true).http1_only().build();
    let r = h1.unwrap().get(tls.url("/healthz")).send_checked().await;
    assert_eq!((r.status(), r.version()), (StatusCode::OK, Version::HTTP_11));
}

/// A server with these limits, one held poll on it, then a shutdown: how long the stop took,
/// the held answer, and the stopped server.
async fn stop_with_a_held_poll(
    poll_timeout_secs: u64,
    grace_secs: u64,
) -> (Duration, reqwest::Response, TestApp) {
    let mut app = TestApp::spawn_with(Db::Sqlite, |c| {
        c.agents.poll_timeout_secs = poll_timeout_secs;
        c.http.shutdown_grace_secs = grace_secs;
    })
    .await;
    let agent = enrolled_agent(&app).await;
    let held = agent.poll_head(1).await;
    assert_eq!(held.status(), StatusCode::OK, "the head of a held poll comes at once");
    let t0 = Instant::now();
    app.stop().await;
    (t0.elapsed(), held, app)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_lets_a_held_poll_finish_its_answer() {
    let (stopped, held, app) = stop_with_a_held_poll(2, 10).await;
    // The held answer was allowed to end at its own deadline, well inside the grace.
    let v: Value = held.json().await.expect("the held answer is whole");
    assert!(v["commands"].as_array().unwrap().is_empty() && v["config"].is_null(), "{v}");
    assert!(stopped >= Duration::from_millis(1000), "stop waited for the answer: {stopped:?}");
    assert!(stopped < Duration::from_secs(8), "stop ended with the answer: {stopped:?}");
    // Nothing listens any more.
    assert!(reqwest::get(app.url("/healthz")).await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_grace_cuts_what_is_still_open() {
    let (stopped, held, _app) = stop_with_a_held_poll(20, 1).await;
    assert!(stopped >= Duration::from_millis(900), "the grace was given: {stopped:?}");
    assert!(stopped < Duration::from_secs(5), "the 20 s poll did not hold the stop: {stopped:?}");
    // The agent sees a cut answer (and retries with back-off), never a made-up one.
    assert!(held.json::<Value>().await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_never_arrives_gets_408_not_a_held_connection() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = TestApp::spawn_with(Db::Sqlite, |c| {
        c.http.request_timeout_secs = 2;
        c.agents.poll_timeout_secs = 1;
    })
    .await;
    let addr = app.base.trim_start_matches("http://").to_string();
    let mut tcp = tokio::net::TcpStream::connect(&addr).await.unwrap();
    // A head that promises 100 bytes of body, and then nothing.
    let head = format!(
        "POST /api/agent/v1/poll HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{"
    );
    tcp.write_all(head.as_bytes()).await.unwrap();
    let t0 = Instant::now();
    let mut answer = vec![0u8; 4096];
    let n = tokio::time::timeout(Duration::from_secs(10), tcp.read(&mut answer))
        .await
        .expect("answered within the request timeout, not held")
        .unwrap();
    let text = String::from_utf8_lossy(&answer[..n]);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(text.contains("request.body_timeout"), "{text}");
    assert!(t0.elapsed() >= Duration::from_millis(1500), "{:?}", t0.elapsed());
}

/// The HTTP/1 head deadline: a client that sends half a request head and stops, or opens a
/// connection and sends nothing, is disconnected after `http.head_timeout_secs`; a held
/// poll that outlasts that deadline is answered whole (its head was read in time).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_request_head_is_cut_and_a_held_poll_is_not() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = TestApp::spawn_with(Db::Sqlite, |c| {
        c.http.head_timeout_secs = 1;
        c.http.request_timeout_secs = 10;
        c.agents.poll_timeout_secs = 4;
    })
    .await;
    let addr = app.base.trim_start_matches("http://").to_string();
    for (what, sent) in
        [("half a head", &b"GET /api/v1/info HTTP/1.1\r\nHost: x\r\n"[..]), ("nothing", &b""[..])]
    {
        let mut tcp = tokio::net::TcpStream::connect(&addr).await.unwrap();
        tcp.write_all(sent).await.unwrap();
        let t0 = Instant::now();
        let mut rest = Vec::new();
        let read = tokio::time::timeout(Duration::from_secs(8), tcp.read_to_end(&mut rest)).await;
        let took = t0.elapsed();
        assert!(read.is_ok(), "{what}: the connection is still open after 8 s");
        assert!(took >= Duration::from_millis(800), "{what}: cut before the deadline: {took:?}");
        assert!(took < Duration::from_secs(4), "{what}: cut late: {took:?}");
        let text = String::from_utf8_lossy(&rest);
        assert!(text.is_empty() || text.starts_with("HTTP/1.1 408"), "{what}: {text}");
    }
    let agent = enrolled_agent(&app).await;
    let t0 = Instant::now();
    let held = agent.poll_head(1).await;
    assert_eq!(held.status(), StatusCode::OK);
    let v: Value = held.json().await.expect("the held answer arrives whole");
    assert!(v["commands"].as_array().unwrap().is_empty(), "{v}");
    assert!(
        t0.elapsed() >= Duration::from_secs(3),
        "held past the head deadline: {:?}",
        t0.elapsed()
    );
}
