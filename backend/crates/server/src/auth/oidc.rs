//! The OpenID Connect relying party's protocol core: discovery, the provider's keys, the
//! authorization URL with PKCE (S256), `state` and `nonce`, the code exchange, and the ID
//! token's checks (pinned asymmetric algorithms, issuer, audience, authorized party, expiry,
//! issue time, nonce). Built on jsonwebtoken and reqwest, already in the tree (ADR 0008).

use std::time::Duration;

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use jsonwebtoken::{
    Algorithm, DecodingKey, Validation, decode, decode_header,
    jwk::{Jwk, JwkSet},
};
use rand::RngCore;
use serde::Deserialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// The only signatures an ID token may carry: asymmetric ones, checked with the provider's
/// published keys. `none` and the HMAC family (which a confused verifier would check with
/// the public key as the secret) are refused before any key is looked at.
pub const ALLOWED_ALGS: [Algorithm; 8] = [
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
];

/// Clock skew allowed between Cairn and the provider.
pub const LEEWAY_SECS: u64 = 60;

#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    #[error("the provider could not be reached or answered badly: {0}")]
    Provider(String),
    #[error("the provider's discovery document names issuer {found:?}, not {expected:?}")]
    IssuerMismatch { expected: String, found: String },
    #[error("the provider refused the code: {0}")]
    CodeRefused(String),
    #[error("the ID token is not acceptable: {0}")]
    BadToken(String),
}

impl OidcError {
    fn bad(why: impl Into<String>) -> OidcError {
        OidcError::BadToken(why.into())
    }
}

/// What discovery tells about a provider (the fields Cairn uses).
#[derive(Clone, Debug, Deserialize)]
pub struct Discovery {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub jwks_uri: String,
    #[serde(default)]
    pub end_session_endpoint: Option<String>,
}

/// An HTTP client for talking to providers: no redirects followed (a discovery or token
/// endpoint that redirects is refused, never chased), short timeouts.
pub fn http_client() -> Result<reqwest::Client, OidcError> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .connect_timeout(Duration::from_secs(5))
        .build()
        .map_err(|e| OidcError::Provider(e.to_string()))
}

async fn get_json<T: serde::de::DeserializeOwned>(
    http: &reqwest::Client,
    url: &str,
) -> Result<T, OidcError> {
    let r = http.get(url).send().await.map_err(|e| OidcError::Provider(e.to_string()))?;
    if !r.status().is_success() {
        return Err(OidcError::Provider(format!("GET {url} answered {}", r.status())));
    }
    r.json().await.map_err(|e| OidcError::Provider(format!("GET {url}: {e}")))
}

/// Reads `<issuer>/.well-known/openid-configuration`; its `issuer` must be exactly the one
/// configured (a provider answering for another issuer is refused).
pub async fn discover(http: &reqwest::Client, issuer: &str) -> Result<Discovery, OidcError> {
    let url = format!("{}/.well-known/openid-configuration", issuer.trim_end_matches('/'));
    let d: Discovery = get_json(http, &url).await?;
    if d.issuer != issuer {
        return Err(OidcError::IssuerMismatch { expected: issuer.into(), found: d.issuer });
    }
    Ok(d)
}

/// The provider's published signing keys.
pub async fn keys(http: &reqwest::Client, d: &Discovery) -> Result<JwkSet, OidcError> {
    get_json(http, &d.jwks_uri).await
}

/// A fresh random value for `state`, `nonce` or a PKCE verifier: 32 bytes, base64url
/// (43 characters, within PKCE's 43–128).
pub fn random_value() -> String {
    let mut b = [0u8; 32];
    rand::rng().fill_bytes(&mut b);
    URL_SAFE_NO_PAD.encode(b)
}

/// PKCE's S256 challenge of `verifier`.
pub fn pkce_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// What one sign-in attempt sends to the provider.
pub struct AuthRequest<'a> {
    pub client_id: &'a str,
    pub redirect_uri: &'a str,
    pub scopes: &'a [String],
    pub state: &'a str,
    pub nonce: &'a str,
    pub pkce_verifier: &'a str,
}

/// The provider's authorization URL for `req` (code flow, PKCE S256).
pub fn authorize_url(d: &Discovery, req: &AuthRequest<'_>) -> Result<String, OidcError> {
    let mut url = url::Url::parse(&d.authorization_endpoint)
        .map_err(|e| OidcError::Provider(format!("authorization_endpoint: {e}")))?;
    let scope = if req.scopes.iter().any(|s| s == "openid") {
        req.scopes.join(" ")
    } else {
        std::iter::once("openid")
            .chain(req.scopes.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join(" ")
    };
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", req.client_id)
        .append_pair("redirect_uri", req.redirect_uri)
        .append_pair("scope", &scope)
        .append_pair("state", req.state)
        .append_pair("nonce", req.nonce)
        .append_pair("code_challenge", &pkce_challenge(req.pkce_verifier))
        .append_pair("code_challenge_method", "S256");
    Ok(url.into())
}

#[derive(Deserialize)]
struct TokenAnswer {
    id_token: Option<String>,
}

#[derive(Deserialize)]
struct TokenError {
    error: String,
    #[serde(default)]
    error_description: Option<String>,
}

/// Trades `code` (with the PKCE verifier) for tokens at the token endpoint, authenticating
/// with the client secret (HTTP Basic); returns the raw ID token.
pub async fn exchange_code(
    http: &reqwest::Client,
    d: &Discovery,
    client_id: &str,
    client_secret: &str,
    code: &str,
    redirect_uri: &str,
    pkce_verifier: &str,
) -> Result<String, OidcError> {
    // RFC 6749 §2.3.1: the id and secret are form-encoded before Basic's base64.
    let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let r = http
        .post(&d.token_endpoint)
        .basic_auth(enc(client_id), Some(enc(client_secret)))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect_uri),
            ("code_verifier", pkce_verifier),
        ])
        .send()
        .await
        .map_err(|e| OidcError::Provider(e.to_string()))?;
    let status = r.status();
    let body = r.bytes().await.map_err(|e| OidcError::Provider(e.to_string()))?;
    if !status.is_success() {
        return Err(match serde_json::from_slice::<TokenError>(&body) {
            Ok(e) => OidcError::CodeRefused(match e.error_description {
                Some(d) => format!("{}: {d}", e.error),
                None => e.error,
            }),
            Err(_) => OidcError::Provider(format!("the token endpoint answered {status}")),
        });
    }
    let t: TokenAnswer = serde_json::from_slice(&body)
        .map_err(|e| OidcError::Provider(format!("the token answer: {e}")))?;
    t.id_token.ok_or_else(|| OidcError::Provider("the token answer has no id_token".into()))
}

/// What an ID token must say.
pub struct Expected<'a> {
    pub issuer: &'a str,
    pub client_id: &'a str,
    pub nonce: &'a str,
    /// Unix seconds now.
    pub now: i64,
}

fn key_for<'k>(keys: &'k JwkSet, kid: Option<&str>, alg: Algorithm) -> Result<&'k Jwk, OidcError> {
    let fits = |k: &&Jwk| {
        // A key that names its algorithm is used for that one only.
        k.common.key_algorithm.is_none_or(|a| a.to_string() == format!("{alg:?}"))
    };
    match kid {
        Some(kid) => keys
            .keys
            .iter()
            .filter(fits)
            .find(|k| k.common.key_id.as_deref() == Some(kid))
            .ok_or_else(|| OidcError::bad(format!("no published key has the id {kid:?}"))),
        None => {
            let mut fit = keys.keys.iter().filter(fits);
            match (fit.next(), fit.next()) {
                (Some(k), None) => Ok(k),
                _ => Err(OidcError::bad("the token names no key and the provider has several")),
            }
        }
    }
}

/// Checks `token` against the provider's `keys` and `want`; returns its claims.
pub fn verify_id_token(
    token: &str,
    keys: &JwkSet,
    want: &Expected<'_>,
) -> Result<Map<String, Value>, OidcError> {
    // An unknown `alg` (`none` among them) fails to parse here.
    let header = decode_header(token).map_err(|e| OidcError::bad(format!("its header: {e}")))?;
    if !ALLOWED_ALGS.contains(&header.alg) {
        return Err(OidcError::bad(format!(
            "it is signed with {:?}, which Cairn does not accept",
            header.alg
        )));
    }
    let jwk = key_for(keys, header.kid.as_deref(), header.alg)?;
    let key = DecodingKey::from_jwk(jwk).map_err(|e| OidcError::bad(format!("the key: {e}")))?;
    let mut v = Validation::new(header.alg);
    v.leeway = LEEWAY_SECS;
    v.set_issuer(&[want.issuer]);
    v.set_audience(&[want.client_id]);
    v.set_required_spec_claims(&["iss", "aud", "exp", "iat", "sub"]);
    v.validate_nbf = true;
    let claims = decode::<Map<String, Value>>(token, &key, &v)
        .map_err(|e| OidcError::bad(e.to_string()))?
        .claims;
    let iat = claims.get("iat").and_then(Value::as_i64).ok_or_else(|| OidcError::bad("no iat"))?;
    if iat > want.now + LEEWAY_SECS as i64 {
        return Err(OidcError::bad("it was issued in the future"));
    }
    // Several audiences: the token must have been issued to this client (`azp`).
    if let Some(Value::Array(aud)) = claims.get("aud")
        && aud.len() > 1
        && claims.get("azp").and_then(Value::as_str) != Some(want.client_id)
    {
        return Err(OidcError::bad("it was issued to another client (azp)"));
    }
    if claims.get("nonce").and_then(Value::as_str) != Some(want.nonce) {
        return Err(OidcError::bad("its nonce is not this sign-in's"));
    }
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{EncodingKey, Header, encode};
    use serde_json::json;

    const KEY: &str = include_str!("testdata/oidc-test-key.pem");
    const PUBLIC: &str = include_str!("testdata/oidc-test-key.pub.pem");
    const JWKS: &str = include_str!("testdata/oidc-test-jwks.json");
    const ISS: &str = "https://idp.example.test";

    fn keys() -> JwkSet {
        serde_json::from_str(JWKS).unwrap()
    }

    fn signed(claims: &Value) -> String {
        let mut h = Header::new(Algorithm::RS256);
        h.kid = Some("test-1".into());
        encode(&h, claims, &EncodingKey::from_rsa_pem(KEY.as_bytes()).unwrap()).unwrap()
    }

    fn want(nonce: &str) -> Expected<'_> {
        Expected { issuer: ISS, client_id: "cairn", nonce, now: chrono::Utc::now().timestamp() }
    }

    #[test]
    fn a_good_token_gives_its_claims() {
        // jsonwebtoken checks `exp` against the real clock: a token valid now.
        let got = verify_id_token(&signed(&fresh()), &keys(), &want("n-1")).unwrap();
        assert_eq!(got["groups"], json!(["cairn-admins"]));
        assert_eq!(got["sub"], "alice");
    }

    /// Claims of a token issued a moment ago, valid for five minutes.
    fn fresh() -> Value {
        let now = chrono::Utc::now().timestamp();
        json!({ "iss": ISS, "aud": "cairn", "sub": "alice", "exp": now + 300, "iat": now - 5,
                "nonce": "n-1", "groups": ["cairn-admins"] })
    }

    fn refused_now(token: &str, nonce: &str) -> String {
        match verify_id_token(token, &keys(), &want(nonce)) {
            Err(OidcError::BadToken(why)) => why,
            other => panic!("accepted or wrong error: {other:?}"),
        }
    }

    #[test]
    fn every_forged_or_stale_token_is_refused() {
        let good = fresh();
        // alg none: an unsigned token.
        let none = format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#),
            URL_SAFE_NO_PAD.encode(good.to_string())
        );
        assert!(refused_now(&none, "n-1").contains("header"), "alg none");
        // HS256 "signed" with the provider's public key as the secret.
        let mut h = Header::new(Algorithm::HS256);
        h.kid = Some("test-1".into());
        let hs = encode(&h, &good, &EncodingKey::from_secret(PUBLIC.as_bytes())).unwrap();
        assert!(refused_now(&hs, "n-1").contains("HS256"), "HS256 with the public key");
        // A tampered payload keeps the old signature.
        let t = signed(&good);
        let parts: Vec<&str> = t.split('.').collect();
        let mut evil = good.clone();
        evil["groups"] = json!(["cairn-admins", "root"]);
        let tampered =
            format!("{}.{}.{}", parts[0], URL_SAFE_NO_PAD.encode(evil.to_string()), parts[2]);
        assert!(refused_now(&tampered, "n-1").contains("Signature"), "tampered");
        for (field, value, expect) in [
            ("iss", json!("https://evil.example.test"), "Issuer"),
            ("aud", json!("another-client"), "Audience"),
            ("exp", json!(chrono::Utc::now().timestamp() - 600), "Expired"),
        ] {
            let mut c = good.clone();
            c[field] = value;
            let why = refused_now(&signed(&c), "n-1");
            assert!(why.contains(expect), "{field}: {why}");
        }
        let mut c = good.clone();
        c["iat"] = json!(chrono::Utc::now().timestamp() + 3600);
        assert!(refused_now(&signed(&c), "n-1").contains("future"), "iat ahead");
        let mut c = good.clone();
        c["aud"] = json!(["another-client", "cairn"]);
        c["azp"] = json!("another-client");
        assert!(refused_now(&signed(&c), "n-1").contains("azp"), "another client's token");
        // A nonce from another sign-in (a replayed token), or none at all.
        assert!(refused_now(&signed(&good), "n-2").contains("nonce"), "nonce mismatch");
        let mut c = good.clone();
        c.as_object_mut().unwrap().remove("nonce");
        assert!(refused_now(&signed(&c), "n-1").contains("nonce"), "no nonce");
        // A key id the provider does not publish.
        let mut h = Header::new(Algorithm::RS256);
        h.kid = Some("other".into());
        let other = encode(&h, &good, &EncodingKey::from_rsa_pem(KEY.as_bytes()).unwrap()).unwrap();
        assert!(refused_now(&other, "n-1").contains("other"), "unknown kid");
    }

    #[test]
    fn pkce_and_the_authorization_url() {
        // The S256 challenge as Python computes it: base64url(sha256(verifier)), unpadded.
        assert_eq!(
            pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r7wW1gFWFOEjXk"),
            "bwWFMyPfdG9qreDhH2lmftFx_dFeLDalzcT1gb_j68g"
        );
        let v = random_value();
        assert_eq!(v.len(), 43);
        assert_ne!(v, random_value());
        let d = Discovery {
            issuer: ISS.into(),
            authorization_endpoint: format!("{ISS}/auth"),
            token_endpoint: format!("{ISS}/token"),
            jwks_uri: format!("{ISS}/jwks"),
            end_session_endpoint: None,
        };
        let scopes = vec!["profile".to_string(), "groups".to_string()];
        let url = authorize_url(
            &d,
            &AuthRequest {
                client_id: "cairn",
                redirect_uri: "https://cairn.example.test/api/v1/auth/oidc/callback",
                scopes: &scopes,
                state: "s-1",
                nonce: "n-1",
                pkce_verifier: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r7wW1gFWFOEjXk",
            },
        )
        .unwrap();
        let u = url::Url::parse(&url).unwrap();
        let q: std::collections::HashMap<_, _> = u.query_pairs().into_owned().collect();
        assert_eq!(q["scope"], "openid profile groups");
        assert_eq!(q["code_challenge"], "bwWFMyPfdG9qreDhH2lmftFx_dFeLDalzcT1gb_j68g");
        assert_eq!(q["code_challenge_method"], "S256");
        assert_eq!((q["state"].as_str(), q["nonce"].as_str()), ("s-1", "n-1"));
        assert_eq!(q["response_type"], "code");
    }
}
