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

db_tests!(single_sign_on_maps_groups_and_refuses_what_it_must);
