//! Personal access tokens over HTTP: shown once, role-capped, last-used, revocable,
//! expiring, and never more powerful than their owner.

use cairn_testkit::{Db, PASSWORD, SendChecked, TestApp, db_tests, error_code, error_field};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn personal_access_tokens(db: Db) {
    let app = TestApp::spawn(db).await;
    let admin = app.bootstrap().await;
    let r = admin
        .post(
            "/api/v1/auth/tokens",
            json!({ "name": "backup-script", "role": "viewer", "expires_in_days": 30 }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let created: Value = r.json().await.unwrap();
    let secret = created["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("cairn_pat_") && secret.len() > 40);
    assert!(secret.starts_with(created["token"]["prefix"].as_str().unwrap()));

    let list = admin.get("/api/v1/auth/tokens").await.text().await.unwrap();
    assert!(!list.contains(&secret), "the secret is shown once only");
    assert!(list.contains("backup-script"));

    // A viewer-capped token of an admin acts as a viewer.
    let script = app.with_token(&secret);
    let me: Value = script.get("/api/v1/auth/me").await.json().await.unwrap();
    assert_eq!((me["role"].as_str(), me["auth_method"].as_str()), (Some("viewer"), Some("token")));
    assert_eq!(script.get("/api/v1/users").await.status(), StatusCode::FORBIDDEN);
    // …and cannot mint a stronger token.
    let r =
        script.post("/api/v1/auth/tokens", json!({ "name": "escalate", "role": "admin" })).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_code(r).await, "token.role_too_high");
    let tokens: Value = admin.get("/api/v1/auth/tokens").await.json().await.unwrap();
    assert!(tokens["items"][0]["last_used_at"].is_string(), "last use is recorded");

    // A viewer cannot create an admin token either.
    app.create_user(&admin, "vera", "viewer").await;
    let vera = app.login("vera", PASSWORD).await;
    let r = vera.post("/api/v1/auth/tokens", json!({ "name": "x", "role": "admin" })).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);

    // Revoke: dead at once; someone else's token id is not found.
    let id = created["token"]["id"].as_str().unwrap();
    assert_eq!(
        vera.delete(&format!("/api/v1/auth/tokens/{id}")).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        admin.delete(&format!("/api/v1/auth/tokens/{id}")).await.status(),
        StatusCode::NO_CONTENT
    );
    let r = script.get("/api/v1/auth/me").await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(r).await, "auth.invalid_token");
    assert_eq!(
        app.with_token("cairn_pat_forged").get("/api/v1/auth/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let r = app
        .anonymous()
        .client
        .get(app.url("/api/v1/auth/me"))
        .header("Authorization", "Basic abc")
        .send_checked()
        .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let bad_expiry =
        admin.post("/api/v1/auth/tokens", json!({ "name": "x", "expires_in_days": 0 })).await;
    assert_eq!(
        error_field(bad_expiry).await,
        ("request.invalid_body".into(), Some("expires_in_days".into()))
    );
}

async fn expired_token_is_refused(db: Db) {
    let app = TestApp::spawn(db).await;
    let admin = app.bootstrap().await;
    let secret = app.token(&admin, "old").await;
    // Age the token in the database: no clock tricks in the server.
    use sea_orm::ConnectionTrait;
    app.state()
        .store
        .db()
        .execute_unprepared("UPDATE api_tokens SET expires_at = created_at")
        .await
        .unwrap();
    let r = app.with_token(&secret).get("/api/v1/auth/me").await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

db_tests!(personal_access_tokens, expired_token_is_refused);
