//! Single sign-on through the real server and a real OpenID provider (npm `oidc-provider`):
//! an admin adds the provider (the secret write-only), the sign-in page lists it, a user
//! signs in and lands where they started with the role their groups map to; a replayed
//! callback, a missing state, a user in no mapped group and a disabled user are each
//! refused with a reason on the sign-in page and no session, and audited; a group removed
//! at the provider downgrades the user at the next sign-in.

use cairn_testkit::{Db, Session, TestApp, db_tests, error_field, idp::Idp};
use reqwest::StatusCode;
use serde_json::{Value, json};

const CALLBACK: &str = "/api/v1/auth/oidc/callback";
/// The server's default public URL: the redirect URI it sends (the test rewrites it to the
/// test server's address when the provider sends the browser back).
const PUBLIC: &str = "http://127.0.0.1:8080";

fn users(groups: Value, disabled_name: &str) -> Value {
    json!([
        { "username": "alice", "password": "alice-pw", "email": "alice@example.test",
          "email_verified": true, "name": "Alice Example", "groups": groups },
        { "username": disabled_name, "password": "pw", "email": "x@example.test",
          "email_verified": true, "name": "X", "groups": ["cairn-admins"] }
    ])
}

/// Signs `user` in from the start URL and follows the answer back into the server;
/// returns the server's final redirect (Location) and the browser that carried it.
async fn sign_in(
    app: &TestApp,
    idp: &Idp,
    user: &str,
    password: &str,
) -> (String, Session, String) {
    let browser = app.browser_no_redirects();
    let r = browser.get("/api/v1/auth/oidc/idp/start?next=/hosts").await;
    assert_eq!(r.status(), StatusCode::FOUND);
    let to_idp = r.headers()["location"].to_str().unwrap().to_string();
    assert!(to_idp.starts_with(&idp.issuer), "{to_idp}");
    let back = idp.sign_in(&to_idp, user, password).await;
    assert!(back.starts_with(&format!("{PUBLIC}{CALLBACK}")), "{back}");
    let callback = back.replacen(PUBLIC, "", 1);
    let r = browser.get(&callback).await;
    assert_eq!(r.status(), StatusCode::FOUND);
    (r.headers()["location"].to_str().unwrap().to_string(), browser, callback)
}

fn sso_error(location: &str) -> String {
    let u = reqwest::Url::parse(&format!("http://x{location}")).unwrap();
    assert_eq!(u.path(), "/login", "{location}");
    u.query_pairs().find(|(k, _)| k == "sso_error").map(|(_, v)| v.into_owned()).unwrap_or_default()
}

async fn single_sign_on_maps_groups_and_refuses_what_it_must(db: Db) {
    let app = TestApp::spawn(db).await;
    let admin = app.bootstrap().await;
    let idp = Idp::start(
        json!([{ "client_id": "cairn", "client_secret": "cairn-secret-123",
                 "redirect_uris": [format!("{PUBLIC}{CALLBACK}")] }]),
        users(json!(["cairn-admins"]), "mallory"),
    )
    .await;

    // Bad settings are refused with the field named.
    for (patch, field) in [
        (json!({ "slug": "Has Spaces" }), "slug"),
        (json!({ "issuer": "http://idp.example.test" }), "issuer"),
        (json!({ "client_secret": null }), "client_secret"),
    ] {
        let mut body = json!({ "slug": "idp", "label": "Test IdP", "issuer": idp.issuer,
                               "client_id": "cairn", "client_secret": "cairn-secret-123" });
        for (k, v) in patch.as_object().unwrap() {
            if v.is_null() {
                body.as_object_mut().unwrap().remove(k);
            } else {
                body[k] = v.clone();
            }
        }
        let r = admin.post("/api/v1/sso-providers", body).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{field}");
        assert_eq!(error_field(r).await, ("sso.provider_invalid".into(), Some(field.into())));
    }
    let r = admin
        .post(
            "/api/v1/sso-providers",
            json!({ "slug": "idp", "label": "Test IdP", "issuer": idp.issuer, "client_id": "cairn",
                    "client_secret": "cairn-secret-123",
                    "role_map": [{ "group": "cairn-admins", "role": "admin" },
                                 { "group": "cairn-ops", "role": "operator" }] }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let p: Value = r.json().await.unwrap();
    assert!(p.get("client_secret").is_none(), "the secret is write-only: {p}");
    assert_eq!(p["redirect_uri"], format!("{PUBLIC}{CALLBACK}"));
    let info: Value = app.anonymous().get("/api/v1/info").await.json().await.unwrap();
    assert_eq!(
        info["sso_providers"],
        json!([{ "id": p["id"], "slug": "idp", "label": "Test IdP" }])
    );
    // Signing out at the provider too: its end-session endpoint, with this client and the
    // sign-in page to come back to.
    let r = app.browser_no_redirects().get("/api/v1/auth/oidc/idp/logout").await;
    assert_eq!(r.status(), StatusCode::FOUND);
    let out = reqwest::Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
    assert!(out.as_str().starts_with(&idp.issuer), "{out}");
    let q: std::collections::HashMap<_, _> = out.query_pairs().into_owned().collect();
    assert_eq!(
        (q["client_id"].as_str(), q["post_logout_redirect_uri"].as_str()),
        ("cairn", format!("{PUBLIC}/login").as_str())
    );

    // Alice signs in, lands on /hosts, and is an admin (her group says so).
    let (to, browser, callback) = sign_in(&app, &idp, "alice", "alice-pw").await;
    assert_eq!(to, "/hosts");
    let me: Value = browser.get("/api/v1/auth/me").await.json().await.unwrap();
    assert_eq!(
        (me["user"]["username"].as_str(), me["role"].as_str()),
        (Some("alice"), Some("admin"))
    );
    // The same callback again: the state was used.
    let again = app.browser_no_redirects().get(&callback).await;
    assert_eq!(sso_error(again.headers()["location"].to_str().unwrap()), "auth.sso_state");
    // No state at all.
    let r = app.browser_no_redirects().get(&format!("{CALLBACK}?code=abc")).await;
    assert_eq!(sso_error(r.headers()["location"].to_str().unwrap()), "auth.sso_state");

    // Her group moves to operators at the provider: the next sign-in makes her an operator.
    idp.set_users(users(json!(["cairn-ops"]), "mallory"));
    let (to, browser, _) = sign_in(&app, &idp, "alice", "alice-pw").await;
    assert_eq!(to, "/hosts");
    let me: Value = browser.get("/api/v1/auth/me").await.json().await.unwrap();
    assert_eq!(me["role"], "operator");
    assert_eq!(me["bindings"], json!([]));

    // A group mapped with host tags gives a role over those hosts only; admin cannot be
    // scoped.
    let provider = |map: Value| {
        json!({ "slug": "idp", "label": "Test IdP", "issuer": idp.issuer, "client_id": "cairn",
                "role_map": map })
    };
    let path = format!("/api/v1/sso-providers/{}", p["id"].as_str().unwrap());
    let r = admin
        .put_json(
            &path,
            provider(json!([{ "group": "web-ops", "role": "admin", "tags": ["web"] }])),
        )
        .await;
    assert_eq!(error_field(r).await, ("sso.provider_invalid".into(), Some("role_map".into())));
    let r = admin
        .put_json(
            &path,
            provider(json!([{ "group": "cairn-admins", "role": "admin" },
                            { "group": "cairn-ops", "role": "operator" },
                            { "group": "web-ops", "role": "operator", "tags": ["WEB"] }])),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let saved: Value = r.json().await.unwrap();
    assert_eq!(saved["role_map"][2]["tags"], json!(["web"]));
    idp.set_users(users(json!(["web-ops"]), "mallory"));
    let (_, browser, _) = sign_in(&app, &idp, "alice", "alice-pw").await;
    let me: Value = browser.get("/api/v1/auth/me").await.json().await.unwrap();
    assert_eq!(me["role"], "none");
    assert_eq!(me["bindings"], json!([{ "role": "operator", "tags": ["web"] }]));
    assert!(me["host_permissions"].as_array().unwrap().contains(&json!("backups_run")));

    // In no mapped group, with no default role: refused, no session.
    idp.set_users(users(json!(["sales"]), "mallory"));
    let (to, browser, _) = sign_in(&app, &idp, "alice", "alice-pw").await;
    assert_eq!(sso_error(&to), "auth.sso_no_role");
    assert_eq!(browser.get("/api/v1/auth/me").await.status(), StatusCode::UNAUTHORIZED);

    // A user an admin disabled cannot come back through the provider.
    let (_, _, _) = sign_in(&app, &idp, "mallory", "pw").await;
    let list: Value = admin.get("/api/v1/users?limit=50").await.json().await.unwrap();
    let mallory = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "mallory")
        .unwrap()
        .clone();
    let r = admin
        .patch(
            &format!("/api/v1/users/{}", mallory["id"].as_str().unwrap()),
            json!({ "disabled": true }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let (to, _, _) = sign_in(&app, &idp, "mallory", "pw").await;
    assert_eq!(sso_error(&to), "auth.user_disabled");

    // Every sign-in and refusal is in the audit log, with the method.
    let audit: Value =
        admin.get("/api/v1/audit?action=auth.login&limit=100").await.json().await.unwrap();
    let oidc: Vec<&Value> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["details"]["method"] == "oidc")
        .collect();
    let outcomes: Vec<&str> = oidc.iter().filter_map(|e| e["outcome"].as_str()).collect();
    assert!(outcomes.iter().filter(|o| **o == "success").count() >= 3, "{outcomes:?}");
    assert!(outcomes.iter().filter(|o| **o == "denied").count() >= 4, "{outcomes:?}");
}

/// A provider kept in the configuration file: made at start, signs people in, read-only
/// through the API; a restart with the same file writes nothing, and once the provider
/// leaves the file it is disabled and editable again.
async fn a_provider_from_the_configuration_file(db: Db) {
    use cairn_server::config::{SsoProviderConfig, SsoRoleMappingConfig};
    let idp = Idp::start(
        json!([{ "client_id": "cairn", "client_secret": "cairn-secret-123",
                 "redirect_uris": [format!("{PUBLIC}{CALLBACK}")] }]),
        users(json!(["web-ops"]), "mallory"),
    )
    .await;
    let secret_file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(secret_file.path(), "cairn-secret-123\n").unwrap();
    let provider = SsoProviderConfig {
        slug: "idp".into(),
        label: "Corp".into(),
        issuer: idp.issuer.clone(),
        client_id: "cairn".into(),
        client_secret: None,
        client_secret_file: Some(secret_file.path().to_path_buf()),
        scopes: None,
        username_claim: None,
        groups_claim: None,
        role_map: vec![SsoRoleMappingConfig {
            group: "web-ops".into(),
            role: "operator".into(),
            tags: vec!["Web".into()],
        }],
        default_role: None,
        link_by_email: false,
        enabled: true,
    };
    let mut app = TestApp::spawn_with(db, |c| c.auth.sso_providers = vec![provider.clone()]).await;
    let admin = app.bootstrap().await;
    let info: Value = app.anonymous().get("/api/v1/info").await.json().await.unwrap();
    assert_eq!(info["sso_providers"][0]["label"], "Corp");
    let list: Value = admin.get("/api/v1/sso-providers").await.json().await.unwrap();
    let p = &list[0];
    assert_eq!(
        (p["from_config"].as_bool(), p["role_map"][0]["tags"].clone()),
        (Some(true), json!(["web"]))
    );
    let path = format!("/api/v1/sso-providers/{}", p["id"].as_str().unwrap());
    let r = admin
        .put_json(
            &path,
            json!({ "slug": "idp", "label": "Mine", "issuer": idp.issuer, "client_id": "cairn" }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert_eq!(cairn_testkit::error_code(r).await, "sso.provider_from_config");
    assert_eq!(admin.delete(&path).await.status(), StatusCode::CONFLICT);
    // The secret came from its file: a sign-in works, with the mapped host role.
    let (to, browser, _) = sign_in(&app, &idp, "alice", "alice-pw").await;
    assert_eq!(to, "/hosts");
    let me: Value = browser.get("/api/v1/auth/me").await.json().await.unwrap();
    assert_eq!(me["bindings"], json!([{ "role": "operator", "tags": ["web"] }]));

    // A restart with the same file changes nothing.
    app.stop().await;
    let mut config = app.config.clone();
    config.listen = "127.0.0.1:0".into();
    let before = p["id"].as_str().unwrap().to_string();
    let again = cairn_server::start(config.clone()).await.unwrap();
    let rows = cairn_server::store::sso::providers(again.state.store.db()).await.unwrap();
    assert_eq!(rows.len(), 1);
    let updated = rows[0].updated_at;
    assert_eq!(rows[0].id.to_string(), before);
    again.stop().await;
    let again = cairn_server::start(config.clone()).await.unwrap();
    let rows = cairn_server::store::sso::providers(again.state.store.db()).await.unwrap();
    assert_eq!(rows[0].updated_at, updated, "an unchanged file must write nothing");
    again.stop().await;
    // Out of the file: disabled, and the web app may change it again.
    config.auth.sso_providers.clear();
    let again = cairn_server::start(config).await.unwrap();
    let rows = cairn_server::store::sso::providers(again.state.store.db()).await.unwrap();
    assert_eq!((rows[0].enabled, rows[0].from_config), (false, false));
    again.stop().await;
}

db_tests!(
    single_sign_on_maps_groups_and_refuses_what_it_must,
    a_provider_from_the_configuration_file
);
