//! Identity end to end over HTTP: first-run setup, sign-in, sessions (refresh, revocation),
//! CSRF, login rate limits, personal access tokens, user management and its guards.

use cairn_testkit::{ADMIN, Db, PASSWORD, SendChecked, TestApp, db_tests, error_code, error_field};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn setup_is_one_time(db: Db) {
    let app = TestApp::spawn(db).await;
    let anon = app.anonymous();
    let info: Value = anon.get("/api/v1/info").await.json().await.unwrap();
    assert_eq!(info["setup_required"], true);
    // Protected endpoints refuse before setup, too.
    assert_eq!(anon.get("/api/v1/users").await.status(), StatusCode::UNAUTHORIZED);

    let wrong = anon
        .post("/api/v1/setup", json!({ "token": "nope", "username": "x1", "password": PASSWORD }))
        .await;
    assert_eq!(wrong.status(), StatusCode::FORBIDDEN);
    assert_eq!(error_code(wrong).await, "setup.invalid_token");
    let weak = anon
        .post(
            "/api/v1/setup",
            json!({ "token": app.setup_token(), "username": "x1", "password": "short" }),
        )
        .await;
    assert_eq!(error_field(weak).await, ("request.invalid_body".into(), Some("password".into())));

    let token = app.setup_token();
    let admin = app.bootstrap().await;
    let me: Value = admin.get("/api/v1/auth/me").await.json().await.unwrap();
    assert_eq!(me["user"]["username"], ADMIN);
    assert_eq!(me["role"], "admin");
    assert!(!app.data_dir.path().join("setup-token").exists(), "token file removed");

    let again = anon
        .post("/api/v1/setup", json!({ "token": token, "username": "evil", "password": PASSWORD }))
        .await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    assert_eq!(error_code(again).await, "setup.already_done");
    let info: Value = anon.get("/api/v1/info").await.json().await.unwrap();
    assert_eq!(info["setup_required"], false);
}

async fn setup_stays_closed_after_restart(db: Db) {
    let mut app = TestApp::spawn(db).await;
    app.bootstrap().await;
    app.stop().await;
    let mut config = app.config.clone();
    config.listen = "127.0.0.1:0".into();
    let again = cairn_server::start(config).await.unwrap();
    assert!(!again.state.setup.is_open());
    assert!(!app.data_dir.path().join("setup-token").exists());
    again.stop().await;
}

async fn login_errors_are_uniform_and_audited(db: Db) {
    let app = TestApp::spawn(db).await;
    app.bootstrap().await;
    let anon = app.anonymous();
    let wrong_pw = anon
        .post("/api/v1/auth/login", json!({ "username": ADMIN, "password": "not-the-password" }))
        .await;
    assert_eq!(wrong_pw.status(), StatusCode::UNAUTHORIZED);
    let a: Value = wrong_pw.json().await.unwrap();
    let unknown = anon
        .post("/api/v1/auth/login", json!({ "username": "ghost", "password": "not-the-password" }))
        .await;
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    let b: Value = unknown.json().await.unwrap();
    assert_eq!(a, b, "unknown user and wrong password must look the same");
    assert_eq!(a["code"], "auth.invalid_credentials");

    let admin = app.login(ADMIN, PASSWORD).await;
    let page: Value =
        admin.get("/api/v1/audit?action=auth.login&outcome=failure").await.json().await.unwrap();
    let reasons: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["details"]["reason"].as_str().unwrap())
        .collect();
    assert!(
        reasons.contains(&"wrong password") && reasons.contains(&"unknown user"),
        "{reasons:?}"
    );
    let text = page.to_string();
    assert!(!text.contains("not-the-password"), "a password leaked into the audit log");
}

async fn login_is_rate_limited(db: Db) {
    let app = TestApp::spawn_with(db, |c| {
        c.auth.login_max_failures_per_account = 3;
        c.auth.login_max_failures_per_ip = 5;
    })
    .await;
    app.bootstrap().await;
    let anon = app.anonymous();
    for _ in 0..3 {
        let r = anon
            .post(
                "/api/v1/auth/login",
                json!({ "username": ADMIN, "password": "wrong-wrong-wrong" }),
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    // Even the right password is refused while the account is locked out.
    let r =
        anon.post("/api/v1/auth/login", json!({ "username": ADMIN, "password": PASSWORD })).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = r.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(retry > 0 && retry <= 900, "Retry-After {retry}");
    assert_eq!(error_code(r).await, "auth.rate_limited");
    // Per IP: other accounts from the same address trip the IP limit.
    for name in ["u1", "u2"] {
        let r = anon
            .post(
                "/api/v1/auth/login",
                json!({ "username": name, "password": "wrong-wrong-wrong" }),
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let r = anon
        .post("/api/v1/auth/login", json!({ "username": "u3", "password": "wrong-wrong-wrong" }))
        .await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
}

async fn logout_revokes_the_session_at_once(db: Db) {
    let app = TestApp::spawn(db).await;
    let admin = app.bootstrap().await;
    let stolen = admin.cookie("cairn_access").unwrap();
    assert_eq!(admin.post("/api/v1/auth/logout", json!({})).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(admin.get("/api/v1/auth/me").await.status(), StatusCode::UNAUTHORIZED);
    // A copy of the access cookie taken before logout is dead too, though its JWT has not expired.
    let r = app
        .anonymous()
        .client
        .get(app.url("/api/v1/auth/me"))
        .header("Cookie", format!("cairn_access={stolen}"))
        .send_checked()
        .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(r).await, "auth.session_expired");
}

async fn disable_and_role_change_apply_on_next_request(db: Db) {
    let app = TestApp::spawn(db).await;
    let admin = app.bootstrap().await;
    let id = app.create_user(&admin, "olivia", "admin").await;
    let olivia = app.login("olivia", PASSWORD).await;
    let olivia_token = app.token(&olivia, "script").await;
    let script = app.with_token(&olivia_token);
    assert_eq!(olivia.get("/api/v1/users").await.status(), StatusCode::OK);
    assert_eq!(script.get("/api/v1/users").await.status(), StatusCode::OK);

    let r = admin.patch(&format!("/api/v1/users/{id}"), json!({ "role": "viewer" })).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(olivia.get("/api/v1/users").await.status(), StatusCode::FORBIDDEN);
    assert_eq!(script.get("/api/v1/users").await.status(), StatusCode::FORBIDDEN);
    let me: Value = olivia.get("/api/v1/auth/me").await.json().await.unwrap();
    assert_eq!(me["role"], "viewer");

    let r = admin.patch(&format!("/api/v1/users/{id}"), json!({ "disabled": true })).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(olivia.get("/api/v1/auth/me").await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(script.get("/api/v1/auth/me").await.status(), StatusCode::UNAUTHORIZED);
    let r = app
        .anonymous()
        .post("/api/v1/auth/login", json!({ "username": "olivia", "password": PASSWORD }))
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(error_code(r).await, "auth.user_disabled");
    // Re-enabling does not resurrect the old session (it was revoked), but login works.
    admin.patch(&format!("/api/v1/users/{id}"), json!({ "disabled": false })).await;
    assert_eq!(olivia.get("/api/v1/auth/me").await.status(), StatusCode::UNAUTHORIZED);
    app.login("olivia", PASSWORD).await;
}

async fn refresh_rotates_and_detects_reuse(db: Db) {
    let app = TestApp::spawn(db).await;
    let admin = app.bootstrap().await;
    let first_refresh = admin.cookie("cairn_refresh").unwrap();
    let first_csrf = admin.cookie("cairn_csrf").unwrap();
    let r = admin.post("/api/v1/auth/refresh", json!({})).await;
    assert_eq!(r.status(), StatusCode::OK);
    let second_refresh = admin.cookie("cairn_refresh").unwrap();
    assert_ne!(first_refresh, second_refresh, "refresh token rotates");
    assert_eq!(admin.cookie("cairn_csrf").unwrap(), first_csrf, "CSRF token is per session");
    assert_eq!(admin.get("/api/v1/auth/me").await.status(), StatusCode::OK);

    // Replaying the old refresh token is theft: the session dies for everyone.
    let replay = app
        .anonymous()
        .client
        .post(app.url("/api/v1/auth/refresh"))
        .header("Cookie", format!("cairn_refresh={first_refresh}"))
        .send_checked()
        .await;
    assert_eq!(replay.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(admin.get("/api/v1/auth/me").await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        admin.post("/api/v1/auth/refresh", json!({})).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let again = app.login(ADMIN, PASSWORD).await;
    let page: Value =
        again.get("/api/v1/audit?action=auth.refresh_reuse").await.json().await.unwrap();
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
}

async fn expired_access_token_is_refreshed(db: Db) {
    let app = TestApp::spawn_with(db, |c| c.auth.access_token_ttl_secs = 10).await;
    let admin = app.bootstrap().await;
    // Forge nothing: wait out the short access lifetime for real.
    tokio::time::sleep(std::time::Duration::from_secs(11)).await;
    let r = admin.get("/api/v1/auth/me").await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(r).await, "auth.token_expired");
    assert_eq!(admin.post("/api/v1/auth/refresh", json!({})).await.status(), StatusCode::OK);
    assert_eq!(admin.get("/api/v1/auth/me").await.status(), StatusCode::OK);
}

async fn csrf_header_is_required_for_cookie_writes(db: Db) {
    let app = TestApp::spawn(db).await;
    let admin = app.bootstrap().await;
    let body = json!({ "username": "nocsrf", "role": "viewer", "password": PASSWORD });
    let bare = admin.client.post(app.url("/api/v1/users")).json(&body).send_checked().await;
    assert_eq!(bare.status(), StatusCode::FORBIDDEN);
    assert_eq!(error_code(bare).await, "auth.csrf");
    let wrong = admin
        .client
        .post(app.url("/api/v1/users"))
        .header("X-CSRF-Token", "0".repeat(64))
        .json(&body)
        .send_checked()
        .await;
    assert_eq!(wrong.status(), StatusCode::FORBIDDEN);
    // Reads need no header; the right header lets the write through.
    assert_eq!(
        admin.client.get(app.url("/api/v1/users")).send_checked().await.status(),
        StatusCode::OK
    );
    assert_eq!(admin.post("/api/v1/users", body).await.status(), StatusCode::CREATED);
    // Bearer tokens are not ambient credentials: no CSRF header needed.
    let token = app.token(&admin, "ci").await;
    let r = app
        .with_token(&token)
        .post(
            "/api/v1/users",
            json!({ "username": "viatoken", "role": "viewer", "password": PASSWORD }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let page: Value = admin.get("/api/v1/audit?action=access.denied").await.json().await.unwrap();
    assert!(page["items"].as_array().unwrap().len() >= 2, "CSRF refusals are audited");
}

async fn user_management_and_guards(db: Db) {
    let app = TestApp::spawn(db).await;
    let admin = app.bootstrap().await;
    let id = app.create_user(&admin, "Oscar.Op", "operator").await;
    let user: Value = admin.get(&format!("/api/v1/users/{id}")).await.json().await.unwrap();
    assert_eq!(user["username"], "oscar.op", "usernames are case-insensitive, stored lower-case");

    let dup = admin
        .post(
            "/api/v1/users",
            json!({ "username": "OSCAR.OP", "role": "viewer", "password": PASSWORD }),
        )
        .await;
    assert_eq!(dup.status(), StatusCode::CONFLICT);
    assert_eq!(error_code(dup).await, "user.username_taken");
    for (body, code) in [
        (
            json!({ "username": "x", "role": "viewer", "password": PASSWORD }),
            "request.invalid_body",
        ),
        (
            json!({ "username": "bad name", "role": "viewer", "password": PASSWORD }),
            "request.invalid_body",
        ),
        (
            json!({ "username": "pw", "role": "viewer", "password": "password1234" }),
            "password.too_common",
        ),
        (
            json!({ "username": "pw", "role": "viewer", "password": "short" }),
            "request.invalid_body",
        ),
        (
            json!({ "username": "em", "role": "viewer", "password": PASSWORD, "email": "nope" }),
            "user.invalid_email",
        ),
        (json!({ "username": "r", "role": "root", "password": PASSWORD }), "request.invalid_body"),
        (
            json!({ "username": "tt", "role": "viewer", "password": { "x": 1 } }),
            "request.invalid_body",
        ),
        (json!({ "username": "tt", "role": 7, "password": PASSWORD }), "request.invalid_body"),
        (
            json!({ "username": "u", "role": "viewer", "password": PASSWORD, "is_admin": true }),
            "request.invalid_body",
        ),
    ] {
        let r = admin.post("/api/v1/users", body.clone()).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(error_code(r).await, code, "{body}");
    }

    let r = admin
        .patch(
            &format!("/api/v1/users/{id}"),
            json!({ "display_name": "Oscar", "email": "oscar@example.com" }),
        )
        .await;
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        (v["display_name"].as_str(), v["email"].as_str()),
        (Some("Oscar"), Some("oscar@example.com"))
    );
    let v: Value = admin
        .patch(&format!("/api/v1/users/{id}"), json!({ "email": null }))
        .await
        .json()
        .await
        .unwrap();
    assert!(v["email"].is_null(), "null clears the email");

    let list: Value =
        admin.get("/api/v1/users?q=OSC&limit=10&with_total=true").await.json().await.unwrap();
    assert_eq!(list["total"], 1);
    let list: Value = admin.get("/api/v1/users?role=admin").await.json().await.unwrap();
    assert_eq!(list["items"][0]["username"], ADMIN);
    assert_eq!(admin.get("/api/v1/users?limit=0").await.status(), StatusCode::BAD_REQUEST);
    assert_eq!(admin.get("/api/v1/users?limit=abc").await.status(), StatusCode::BAD_REQUEST);

    // Admin reset ends the user's sessions; the new password works.
    let oscar = app.login("oscar.op", PASSWORD).await;
    let r = admin
        .post(
            &format!("/api/v1/users/{id}/password"),
            json!({ "new_password": "a-brand-new-secret-9" }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(oscar.get("/api/v1/auth/me").await.status(), StatusCode::UNAUTHORIZED);
    app.login("oscar.op", "a-brand-new-secret-9").await;

    // The last active admin can be neither demoted, disabled nor deleted; nobody deletes themselves.
    let me: Value = admin.get("/api/v1/auth/me").await.json().await.unwrap();
    let admin_id = me["user"]["id"].as_str().unwrap().to_string();
    for patch in [json!({ "role": "operator" }), json!({ "disabled": true })] {
        let r = admin.patch(&format!("/api/v1/users/{admin_id}"), patch).await;
        assert_eq!(r.status(), StatusCode::CONFLICT);
        assert_eq!(error_code(r).await, "user.last_admin");
    }
    let r = admin.delete(&format!("/api/v1/users/{admin_id}")).await;
    assert_eq!(error_code(r).await, "user.delete_self");

    assert_eq!(admin.delete(&format!("/api/v1/users/{id}")).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(admin.get(&format!("/api/v1/users/{id}")).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(admin.delete(&format!("/api/v1/users/{id}")).await.status(), StatusCode::NOT_FOUND);
    let r = admin.get("/api/v1/users/not-a-uuid").await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    error_code(r).await;
}

async fn own_profile_and_password(db: Db) {
    let app = TestApp::spawn(db).await;
    let admin = app.bootstrap().await;
    app.create_user(&admin, "paula", "viewer").await;
    let paula = app.login("paula", PASSWORD).await;
    let other = app.login("paula", PASSWORD).await;
    let me: Value = paula
        .patch("/api/v1/auth/me", json!({ "display_name": "Paula P." }))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["user"]["display_name"], "Paula P.");
    // A viewer cannot change their role through the profile endpoint.
    let r = paula.patch("/api/v1/auth/me", json!({ "role": "admin" })).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);

    let r = paula.post("/api/v1/auth/me/password", json!({ "current_password": "wrong-current-pw", "new_password": "another-fine-secret-7" })).await;
    assert_eq!(error_code(r).await, "auth.wrong_password");
    let r = paula
        .post(
            "/api/v1/auth/me/password",
            json!({ "current_password": PASSWORD, "new_password": "another-fine-secret-7" }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(paula.get("/api/v1/auth/me").await.status(), StatusCode::OK, "this session stays");
    assert_eq!(
        other.get("/api/v1/auth/me").await.status(),
        StatusCode::UNAUTHORIZED,
        "other sessions end"
    );
    app.login("paula", "another-fine-secret-7").await;
}

async fn a_break_glass_admin_keeps_a_password_when_local_login_is_off(db: Db) {
    let app = TestApp::spawn_with(db, |c| {
        c.auth.local_login = false;
        c.auth.break_glass_users = vec![ADMIN.to_string()];
    })
    .await;
    let admin = app.bootstrap().await;
    app.create_user(&admin, "olga", "operator").await;
    let info: serde_json::Value = app.anonymous().get("/api/v1/info").await.json().await.unwrap();
    assert_eq!(
        (info["local_login_enabled"].as_bool(), info["break_glass_login"].as_bool()),
        (Some(false), Some(true))
    );
    // The break-glass admin signs in with a password; nobody else does.
    let r = app
        .anonymous()
        .post("/api/v1/auth/login", json!({ "username": ADMIN, "password": PASSWORD }))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = app
        .anonymous()
        .post("/api/v1/auth/login", json!({ "username": "olga", "password": PASSWORD }))
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(error_code(r).await, "auth.local_login_disabled");
}

async fn local_login_can_be_turned_off(db: Db) {
    let app = TestApp::spawn_with(db, |c| c.auth.local_login = false).await;
    app.bootstrap().await;
    let r = app
        .anonymous()
        .post("/api/v1/auth/login", json!({ "username": ADMIN, "password": PASSWORD }))
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(error_code(r).await, "auth.local_login_disabled");
    let events = cairn_server::store::audit::list(
        app.state().store.db(),
        &cairn_server::store::audit::AuditFilter {
            outcome: Some("denied".into()),
            ..Default::default()
        },
        None,
        None,
        10,
    )
    .await
    .unwrap();
    assert!(
        events
            .iter()
            .any(|e| e.action == "auth.login" && e.details.contains("local login disabled"))
    );
}

/// An admin turns password sign-in off from the web app (only once a single sign-on
/// provider is enabled, so nobody is locked out); the server's shell turns it back on.
async fn password_sign_in_off_from_the_web_app_and_back_from_the_shell(db: Db) {
    let app = TestApp::spawn(db).await;
    let admin = app.bootstrap().await;
    let settings: Value = admin.get("/api/v1/sign-in-settings").await.json().await.unwrap();
    assert_eq!(
        settings,
        json!({ "local_login": true, "forced_off_by_config": false, "break_glass_users": [] })
    );
    let off = json!({ "local_login": false });
    let r = admin.put_json("/api/v1/sign-in-settings", off.clone()).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert_eq!(error_code(r).await, "auth.no_sso_provider");
    let r = admin
        .post(
            "/api/v1/sso-providers",
            json!({ "slug": "idp", "label": "IdP", "issuer": "https://idp.example.test",
                    "client_id": "cairn", "client_secret": "s3cret-123" }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let r = admin.put_json("/api/v1/sign-in-settings", off).await;
    assert_eq!(r.status(), StatusCode::OK);
    let info: Value = app.anonymous().get("/api/v1/info").await.json().await.unwrap();
    assert_eq!(info["local_login_enabled"], false);
    let anon = app.anonymous();
    let body = json!({ "username": ADMIN, "password": PASSWORD });
    let login = || anon.post("/api/v1/auth/login", body.clone());
    let r = login().await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(error_code(r).await, "auth.local_login_disabled");
    // The session that turned it off keeps working; the shell turns it back on.
    assert_eq!(admin.get("/api/v1/auth/me").await.status(), StatusCode::OK);
    let note = cairn_server::admin::set_local_login(&app.config, true).await.unwrap();
    assert!(note.is_empty());
    assert_eq!(login().await.status(), StatusCode::OK);
    let audit: Value =
        admin.get("/api/v1/audit?action=auth.local_login").await.json().await.unwrap();
    let enabled: Vec<&Value> =
        audit["items"].as_array().unwrap().iter().map(|e| &e["details"]["enabled"]).collect();
    assert_eq!(
        enabled,
        [&json!(true), &json!(false)],
        "newest first: the shell's, then the admin's"
    );
}

/// With the configuration file forcing it off, the web app cannot turn it on.
async fn the_configuration_file_wins(db: Db) {
    let app = TestApp::spawn_with(db, |c| c.auth.local_login = false).await;
    let admin = app.bootstrap().await;
    let settings: Value = admin.get("/api/v1/sign-in-settings").await.json().await.unwrap();
    assert_eq!(
        (settings["local_login"].as_bool(), settings["forced_off_by_config"].as_bool()),
        (Some(false), Some(true))
    );
    let r = admin.put_json("/api/v1/sign-in-settings", json!({ "local_login": true })).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert_eq!(error_code(r).await, "auth.local_login_from_config");
}

db_tests!(
    password_sign_in_off_from_the_web_app_and_back_from_the_shell,
    the_configuration_file_wins,
    setup_is_one_time,
    setup_stays_closed_after_restart,
    login_errors_are_uniform_and_audited,
    login_is_rate_limited,
    logout_revokes_the_session_at_once,
    disable_and_role_change_apply_on_next_request,
    refresh_rotates_and_detects_reuse,
    expired_access_token_is_refreshed,
    csrf_header_is_required_for_cookie_writes,
    user_management_and_guards,
    own_profile_and_password,
    local_login_can_be_turned_off,
    a_break_glass_admin_keeps_a_password_when_local_login_is_off,
);
