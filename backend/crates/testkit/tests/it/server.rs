//! The HTTP shell around the API: health, security headers, request ids, the embedded web
//! app, JSON errors for every kind of bad request, and concurrent writers on one database.

use cairn_testkit::{Db, PASSWORD, SendChecked, TestApp, db_tests, error_code};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn health_and_headers(db: Db) {
    let app = TestApp::spawn(db).await;
    let anon = app.anonymous();
    assert!(anon.get("/healthz").await.headers().get("strict-transport-security").is_none());
    let r = anon.get("/healthz").await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = anon.get("/readyz").await;
    assert_eq!(r.status(), StatusCode::OK);
    let h = r.headers();
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["referrer-policy"], "no-referrer");
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'") && csp.contains("default-src 'self'"), "{csp}");
    assert!(h.contains_key("x-request-id"));
    let r = anon
        .request(reqwest::Method::GET, "/api/v1/info")
        .header("X-Request-Id", "trace-me-123")
        .send_checked()
        .await;
    assert_eq!(r.headers()["x-request-id"], "trace-me-123");
    assert_eq!(r.headers()["cache-control"], "no-store");
    // A hostile request id is replaced, not echoed.
    let r = anon
        .request(reqwest::Method::GET, "/api/v1/info")
        .header("X-Request-Id", "<script>")
        .send_checked()
        .await;
    assert_ne!(r.headers()["x-request-id"], "<script>");
}

async fn session_cookies_are_locked_down(db: Db) {
    let app = TestApp::spawn(db).await;
    let r = app
        .anonymous()
        .post(
            "/api/v1/setup",
            json!({ "token": app.setup_token(), "username": "admin", "password": PASSWORD }),
        )
        .await;
    let cookies: Vec<String> =
        r.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_string()).collect();
    let find =
        |name: &str| cookies.iter().find(|c| c.starts_with(&format!("{name}="))).cloned().unwrap();
    for name in ["cairn_access", "cairn_refresh"] {
        let c = find(name);
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Strict"), "{c}");
    }
    assert!(find("cairn_refresh").contains("Path=/api/v1/auth"));
    assert!(!find("cairn_csrf").contains("HttpOnly"), "the web app must read the CSRF cookie");
    assert!(!cookies.iter().any(|c| c.contains("Secure")), "plain http: no Secure flag");

    let tls =
        TestApp::spawn_with(Db::Sqlite, |c| c.public_url = "https://cairn.example.com".into())
            .await;
    let r = tls
        .anonymous()
        .post(
            "/api/v1/setup",
            json!({ "token": tls.setup_token(), "username": "admin", "password": PASSWORD }),
        )
        .await;
    assert!(
        r.headers().get_all("set-cookie").iter().all(|v| v.to_str().unwrap().contains("Secure"))
    );
    assert!(r.headers()["strict-transport-security"].to_str().unwrap().contains("max-age="));
}

async fn bad_requests_get_json_4xx(db: Db) {
    let app = TestApp::spawn_with(db, |c| c.http.body_limit_bytes = 4096).await;
    let admin = app.bootstrap().await;
    let post_raw = |body: Vec<u8>, ctype: &'static str| {
        admin
            .request(reqwest::Method::POST, "/api/v1/users")
            .header("content-type", ctype)
            .body(body)
            .send_checked()
    };
    let cases: Vec<(reqwest::Response, StatusCode, &str)> = vec![
        (
            post_raw(b"{not json".to_vec(), "application/json").await,
            StatusCode::BAD_REQUEST,
            "request.invalid_body",
        ),
        (
            post_raw(b"[]".to_vec(), "application/json").await,
            StatusCode::BAD_REQUEST,
            "request.invalid_body",
        ),
        (
            post_raw(b"{}".to_vec(), "text/plain").await,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "request.unsupported_media_type",
        ),
        (
            post_raw(vec![b'a'; 10_000], "application/json").await,
            StatusCode::PAYLOAD_TOO_LARGE,
            "request.too_large",
        ),
        (admin.get("/api/v1/nope").await, StatusCode::NOT_FOUND, "not_found"),
        (admin.get("/api/v2/users").await, StatusCode::NOT_FOUND, "not_found"),
        (
            admin.request(reqwest::Method::PUT, "/api/v1/users").send_checked().await,
            StatusCode::METHOD_NOT_ALLOWED,
            "request.method_not_allowed",
        ),
        (admin.get("/api/v1/users/123").await, StatusCode::BAD_REQUEST, "request.invalid_path"),
        (
            admin.get("/api/v1/audit?before=abc").await,
            StatusCode::BAD_REQUEST,
            "request.invalid_parameter",
        ),
    ];
    for (resp, status, code) in cases {
        assert_eq!(resp.status(), status, "{code}");
        assert_eq!(error_code(resp).await, code);
    }
    // A chunked body (no Content-Length) over the limit is refused too.
    let stream = futures_stream(10_000);
    let r = admin
        .request(reqwest::Method::POST, "/api/v1/users")
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(stream))
        .send_checked()
        .await;
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

fn futures_stream(n: usize) -> impl futures_util::Stream<Item = Result<Vec<u8>, std::io::Error>> {
    futures_util::stream::iter((0..n / 1000).map(|_| Ok(vec![b' '; 1000])))
}

async fn web_app_is_served_with_history_fallback(db: Db) {
    let app = TestApp::spawn(db).await;
    let anon = app.anonymous();
    for path in ["/", "/users", "/audit?actor=x", "/setup"] {
        let r = anon.get(path).await;
        let status = r.status();
        let ctype = r
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        let body = r.text().await.unwrap();
        // When the web app was built (make test always builds it first), it must be
        // embedded; only a bare `cargo test` without it may see the explanatory 503.
        let built = std::path::Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../frontend/dist/index.html"
        ))
        .exists();
        if built {
            assert_eq!(status, StatusCode::OK, "{path}: the built web app is not embedded");
            assert!(ctype.starts_with("text/html") && body.contains("<div id=\"root\""), "{path}");
        } else {
            assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{path}");
            assert!(body.contains("make run"), "{path}");
        }
    }
    assert_eq!(anon.get("/assets/missing-file.js").await.status(), StatusCode::NOT_FOUND);
    // Revalidation: the ETag of the shell answers 304 without a body.
    let r = anon.get("/").await;
    if let Some(etag) = r.headers().get("etag").cloned() {
        let again = anon
            .request(reqwest::Method::GET, "/")
            .header("If-None-Match", etag)
            .send_checked()
            .await;
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    }
    assert_eq!(anon.get("/api/docs/").await.status(), StatusCode::OK);
    let spec: Value = anon.get("/api/openapi.json").await.json().await.unwrap();
    assert_eq!(spec["info"]["title"], "Cairn");
}

async fn concurrent_writers_never_see_database_locked(db: Db) {
    let app = TestApp::spawn(db).await;
    let admin = app.bootstrap().await;
    let token = app.token(&admin, "load").await;
    let mut tasks = Vec::new();
    for i in 0..40 {
        let s = app.with_token(&token);
        tasks.push(tokio::spawn(async move {
            let r = s
                .post("/api/v1/users", json!({ "username": format!("load{i}"), "role": "viewer", "password": PASSWORD }))
                .await;
            (r.status(), r.text().await.unwrap_or_default())
        }));
        let s = app.with_token(&token);
        tasks.push(tokio::spawn(async move {
            let r = s.post("/api/v1/auth/tokens", json!({ "name": format!("t{i}") })).await;
            (r.status(), r.text().await.unwrap_or_default())
        }));
    }
    for t in tasks {
        let (status, body) = t.await.unwrap();
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let users: Value =
        admin.get("/api/v1/users?limit=1&with_total=true").await.json().await.unwrap();
    assert_eq!(users["total"], 41);
    let v: Value = admin.get("/api/v1/audit/verify").await.json().await.unwrap();
    assert_eq!(v["ok"], true, "concurrent appends keep one unbroken chain: {v}");
}

async fn forwarded_client_ips_only_from_trusted_proxies(db: Db) {
    async fn failed_login_ip(app: &TestApp) -> String {
        let r = app
            .anonymous()
            .request(reqwest::Method::POST, "/api/v1/auth/login")
            .header("X-Forwarded-For", "6.6.6.6, 198.51.100.23")
            .json(&json!({ "username": "nobody", "password": "wrong-password-1" }))
            .send_checked()
            .await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        let events = cairn_server::store::audit::list(
            app.state().store.db(),
            &cairn_server::store::audit::AuditFilter {
                action: Some("auth.login".into()),
                ..Default::default()
            },
            None,
            None,
            1,
        )
        .await
        .unwrap();
        events[0].source_ip.clone().unwrap_or_default()
    }
    // Behind a trusted proxy (the test client connects from 127.0.0.1): the right-most
    // untrusted hop is the client; the spoofable left part is ignored.
    let app =
        TestApp::spawn_with(db.clone(), |c| c.http.trusted_proxies = vec!["127.0.0.1".into()])
            .await;
    assert_eq!(failed_login_ip(&app).await, "198.51.100.23");
    // Without trust the header is ignored entirely.
    let app = TestApp::spawn(db).await;
    assert_eq!(failed_login_ip(&app).await, "127.0.0.1");
}

db_tests!(
    forwarded_client_ips_only_from_trusted_proxies,
    health_and_headers,
    session_cookies_are_locked_down,
    bad_requests_get_json_4xx,
    web_app_is_served_with_history_fallback,
    concurrent_writers_never_see_database_locked,
);
