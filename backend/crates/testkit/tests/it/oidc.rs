//! Cairn's OpenID Connect protocol core against a real, certified provider (npm
//! `oidc-provider`, started by the test kit): discovery, the code flow with PKCE, `state`
//! and `nonce`, the ID token's checks, and what the provider refuses (a code used twice,
//! a wrong PKCE verifier, a wrong password), plus a groups change seen at the next login.

use cairn_server::auth::oidc::{
    self, AuthRequest, Expected, OidcError, authorize_url, discover, exchange_code, verify_id_token,
};
use cairn_testkit::idp::Idp;
use serde_json::{Value, json};

const REDIRECT: &str = "http://127.0.0.1:9/api/v1/auth/oidc/callback";

fn users(groups: Value) -> Value {
    json!([{ "username": "alice", "password": "alice-pw", "email": "alice@example.test",
             "email_verified": true, "name": "Alice Admin", "groups": groups }])
}

async fn idp() -> Idp {
    Idp::start(
        json!([{ "client_id": "cairn", "client_secret": "cairn-secret-123",
                 "redirect_uris": [REDIRECT] }]),
        users(json!(["cairn-admins"])),
    )
    .await
}

/// One sign-in up to the code: (code, verifier, nonce).
async fn code_for(
    idp: &Idp,
    d: &oidc::Discovery,
    password: &str,
) -> Result<(String, String, String), String> {
    let (state, nonce, verifier) =
        (oidc::random_value(), oidc::random_value(), oidc::random_value());
    let scopes = ["profile", "email", "groups"].map(String::from);
    let url = authorize_url(
        d,
        &AuthRequest {
            client_id: "cairn",
            redirect_uri: REDIRECT,
            scopes: &scopes,
            state: &state,
            nonce: &nonce,
            pkce_verifier: &verifier,
        },
    )
    .unwrap();
    let back = idp.sign_in(&url, "alice", password).await;
    if !back.starts_with(REDIRECT) {
        return Err(back);
    }
    let q: std::collections::HashMap<String, String> =
        reqwest::Url::parse(&back).unwrap().query_pairs().into_owned().collect();
    assert_eq!(q.get("state"), Some(&state), "the provider returns this sign-in's state");
    Ok((q["code"].clone(), verifier, nonce))
}

#[tokio::test]
async fn sign_in_through_a_real_provider_and_what_it_refuses() {
    let idp = idp().await;
    let http = oidc::http_client().unwrap();
    let d = discover(&http, &idp.issuer).await.unwrap();
    let keys = oidc::keys(&http, &d).await.unwrap();
    assert!(d.end_session_endpoint.is_some(), "RP-initiated logout is offered");

    // The whole flow: code, exchange with the verifier, a checked ID token with groups.
    let (code, verifier, nonce) = code_for(&idp, &d, "alice-pw").await.unwrap();
    let token = exchange_code(&http, &d, "cairn", "cairn-secret-123", &code, REDIRECT, &verifier)
        .await
        .unwrap();
    let now = chrono::Utc::now().timestamp();
    let want = Expected { issuer: &idp.issuer, client_id: "cairn", nonce: &nonce, now };
    let claims = verify_id_token(&token, &keys, &want).unwrap();
    assert_eq!(
        (
            claims["groups"].clone(),
            claims["preferred_username"].clone(),
            claims["email_verified"].clone()
        ),
        (json!(["cairn-admins"]), json!("alice"), json!(true))
    );
    // The same token for another sign-in (another nonce) is refused.
    let other = Expected { nonce: "another-sign-in", ..want };
    assert!(
        matches!(verify_id_token(&token, &keys, &other), Err(OidcError::BadToken(w)) if w.contains("nonce"))
    );

    // A code is good once.
    let again =
        exchange_code(&http, &d, "cairn", "cairn-secret-123", &code, REDIRECT, &verifier).await;
    assert!(
        matches!(&again, Err(OidcError::CodeRefused(e)) if e.contains("invalid_grant")),
        "{again:?}"
    );
    // A verifier that is not the one the challenge was made from.
    let (code, _, _) = code_for(&idp, &d, "alice-pw").await.unwrap();
    let wrong = exchange_code(
        &http,
        &d,
        "cairn",
        "cairn-secret-123",
        &code,
        REDIRECT,
        &oidc::random_value(),
    )
    .await;
    assert!(
        matches!(&wrong, Err(OidcError::CodeRefused(e)) if e.contains("invalid_grant")),
        "{wrong:?}"
    );
    // A wrong client secret.
    let (code, verifier, _) = code_for(&idp, &d, "alice-pw").await.unwrap();
    let bad = exchange_code(&http, &d, "cairn", "not-the-secret", &code, REDIRECT, &verifier).await;
    assert!(
        matches!(&bad, Err(OidcError::CodeRefused(e)) if e.contains("invalid_client")),
        "{bad:?}"
    );
    // A wrong password never gets a code.
    assert!(code_for(&idp, &d, "wrong").await.unwrap_err().starts_with("login-refused"));
    // An issuer that is not the one the provider names.
    let mismatch = discover(&http, &format!("{}/", idp.issuer)).await;
    assert!(matches!(mismatch, Err(OidcError::IssuerMismatch { .. })), "{mismatch:?}");

    // The provider drops alice from her group: the next login's token says so.
    idp.set_users(users(json!([])));
    let (code, verifier, nonce) = code_for(&idp, &d, "alice-pw").await.unwrap();
    let token = exchange_code(&http, &d, "cairn", "cairn-secret-123", &code, REDIRECT, &verifier)
        .await
        .unwrap();
    let want = Expected { issuer: &idp.issuer, client_id: "cairn", nonce: &nonce, now };
    assert_eq!(verify_id_token(&token, &keys, &want).unwrap()["groups"], json!([]));
}
