//! Agent authentication: every agent request carries a short JWT the agent signs with its
//! Ed25519 key (`sub` = host id, `aud` = "cairn-agent", exp − iat ≤ 5 min). The server
//! keeps only public keys, so a copy of the database holds no agent credential.

use std::{collections::HashMap, sync::Mutex};

use base64::Engine;
use cairn_proto::{AGENT_AUDIENCE, AgentClaims, MAX_TOKEN_TTL_SECS, PROTOCOL_VERSION};
use chrono::Utc;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// How far an agent's clock may run ahead of the server's.
const CLOCK_SKEW_SECS: i64 = 60;

#[derive(Debug, PartialEq, Eq)]
pub enum AgentTokenError {
    Missing,
    Malformed,
    BadSignature,
    Expired,
    IssuedInFuture,
    TooLong,
    WrongAudience,
}

impl AgentTokenError {
    pub fn reason(&self) -> &'static str {
        match self {
            AgentTokenError::Missing => "no agent token",
            AgentTokenError::Malformed => "malformed agent token",
            AgentTokenError::BadSignature => "signature does not match the host's key",
            AgentTokenError::Expired => "agent token expired",
            AgentTokenError::IssuedInFuture => {
                "agent token issued in the future (check the host's clock)"
            }
            AgentTokenError::TooLong => "agent token lifetime exceeds 5 minutes",
            AgentTokenError::WrongAudience => "agent token is for another audience",
        }
    }
}

/// Reads `sub` without checking anything, to find whose key to verify with.
pub fn unverified_subject(token: &str) -> Result<Uuid, AgentTokenError> {
    let payload = token.split('.').nth(1).ok_or(AgentTokenError::Malformed)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .map_err(|_| AgentTokenError::Malformed)?;
    let v: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|_| AgentTokenError::Malformed)?;
    v.get("sub")
        .and_then(|s| s.as_str())
        .and_then(|s| s.parse().ok())
        .ok_or(AgentTokenError::Malformed)
}

/// Verifies the token against a 32-byte Ed25519 public key. Only EdDSA is accepted, so
/// `alg: none` and HS256 tokens (e.g. "signed" with the public key as secret) fail here.
pub fn verify(token: &str, public_key: &[u8]) -> Result<AgentClaims, AgentTokenError> {
    if public_key.len() != 32 {
        return Err(AgentTokenError::BadSignature);
    }
    let mut v = Validation::new(Algorithm::EdDSA);
    v.algorithms = vec![Algorithm::EdDSA];
    v.set_audience(&[AGENT_AUDIENCE]);
    v.set_required_spec_claims(&["exp", "aud", "sub"]);
    v.leeway = CLOCK_SKEW_SECS as u64;
    let key = DecodingKey::from_ed_der(public_key);
    let claims = match jsonwebtoken::decode::<AgentClaims>(token, &key, &v) {
        Ok(d) => d.claims,
        Err(e) => {
            use jsonwebtoken::errors::ErrorKind as K;
            return Err(match e.kind() {
                K::ExpiredSignature => AgentTokenError::Expired,
                K::InvalidAudience => AgentTokenError::WrongAudience,
                K::InvalidSignature | K::InvalidAlgorithm | K::InvalidAlgorithmName => {
                    AgentTokenError::BadSignature
                }
                _ => AgentTokenError::Malformed,
            });
        }
    };
    let now = Utc::now().timestamp();
    if claims.iat > now + CLOCK_SKEW_SECS {
        return Err(AgentTokenError::IssuedInFuture);
    }
    if claims.exp - claims.iat > MAX_TOKEN_TTL_SECS {
        return Err(AgentTokenError::TooLong);
    }
    Ok(claims)
}

/// How many checked tokens are remembered before expired ones are dropped (about 100 bytes
/// each; a fleet of 10,000 agents, each with a new token a minute, keeps about 30,000).
const MAX_REMEMBERED: usize = 50_000;

/// Tokens whose signature was checked, by their SHA-256. An agent reuses its token for a
/// minute, and checking an Ed25519 signature is the largest CPU cost of a poll. Only the
/// check is remembered: the caller reads the host (and its key) on every request, so a
/// deleted host is still refused at once, and a token met with another key is checked anew.
#[derive(Default)]
pub struct VerifiedTokens {
    /// SHA-256 of the token → the key it was checked against and its `exp`.
    seen: Mutex<HashMap<Bytes32, (Bytes32, i64)>>,
}

type Bytes32 = [u8; 32];

impl VerifiedTokens {
    /// [`verify`], skipped for a token already checked against this key and not expired.
    pub fn verify(&self, token: &str, public_key: &[u8]) -> Result<(), AgentTokenError> {
        self.verify_at(token, public_key, Utc::now().timestamp())
    }

    fn verify_at(&self, token: &str, public_key: &[u8], now: i64) -> Result<(), AgentTokenError> {
        let digest: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        let seen = self.seen.lock().unwrap_or_else(|e| e.into_inner()).get(&digest).copied();
        if let Some((key, exp)) = seen
            && key.as_slice() == public_key
        {
            // The same leeway as the full check's.
            return if now <= exp + CLOCK_SKEW_SECS {
                Ok(())
            } else {
                Err(AgentTokenError::Expired)
            };
        }
        let claims = verify(token, public_key)?;
        let key: [u8; 32] = public_key.try_into().map_err(|_| AgentTokenError::BadSignature)?;
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if seen.len() >= MAX_REMEMBERED {
            seen.retain(|_, (_, exp)| now <= *exp + CLOCK_SKEW_SECS);
            if seen.len() >= MAX_REMEMBERED {
                seen.clear();
            }
        }
        seen.insert(digest, (key, claims.exp));
        Ok(())
    }
}

/// Checks the value of the `PROTOCOL_HEADER` header (None when absent or not text);
/// `Err((server, agent))` on a mismatch.
pub fn check_protocol(header: Option<&str>) -> Result<(), (u32, Option<u32>)> {
    let sent = header.and_then(|v| v.trim().parse::<u32>().ok());
    if sent == Some(PROTOCOL_VERSION) { Ok(()) } else { Err((PROTOCOL_VERSION, sent)) }
}

pub fn decode_public_key(b64: &str) -> Option<[u8; 32]> {
    let raw = base64::engine::general_purpose::STANDARD.decode(b64.trim()).ok()?;
    let key: [u8; 32] = raw.try_into().ok()?;
    // Reject bytes that are not a point on the curve: such a key could never verify.
    ed25519_dalek::VerifyingKey::from_bytes(&key).ok()?;
    Some(key)
}

#[cfg(test)]
mod tests {
    use base64::Engine;
    use ed25519_dalek::{SigningKey, pkcs8::EncodePrivateKey};
    use jsonwebtoken::{EncodingKey, Header};
    use serde_json::json;

    use super::*;

    fn key(seed: u8) -> SigningKey {
        SigningKey::from_bytes(&[seed; 32])
    }

    fn sign(k: &SigningKey, claims: serde_json::Value) -> String {
        let der = k.to_pkcs8_der().unwrap();
        jsonwebtoken::encode(
            &Header::new(Algorithm::EdDSA),
            &claims,
            &EncodingKey::from_ed_der(der.as_bytes()),
        )
        .unwrap()
    }

    fn claims(sub: Uuid, iat: i64, exp: i64, aud: &str) -> serde_json::Value {
        json!({ "sub": sub, "aud": aud, "iat": iat, "exp": exp })
    }

    #[test]
    fn a_checked_token_is_remembered_for_its_key_until_it_expires() {
        let k = key(1);
        let public = k.verifying_key().to_bytes();
        let host = Uuid::new_v4();
        let now = Utc::now().timestamp();
        let good = sign(&k, claims(host, now, now + 60, AGENT_AUDIENCE));
        let cache = VerifiedTokens::default();
        assert_eq!(cache.verify(&good, &public), Ok(()));
        assert_eq!(cache.seen.lock().unwrap().len(), 1);
        assert_eq!(cache.verify(&good, &public), Ok(()), "served from memory");
        // Another key (say, a host re-created with the same id) checks the signature again.
        let other = key(2).verifying_key().to_bytes();
        assert_eq!(cache.verify(&good, &other), Err(AgentTokenError::BadSignature));
        // Past its expiry (and the leeway) a remembered token is refused.
        assert_eq!(
            cache.verify_at(&good, &public, now + 60 + CLOCK_SKEW_SECS + 1),
            Err(AgentTokenError::Expired)
        );
        // A forgery is never remembered.
        let forged = sign(&key(3), claims(host, now, now + 60, AGENT_AUDIENCE));
        assert_eq!(cache.verify(&forged, &public), Err(AgentTokenError::BadSignature));
        assert_eq!(cache.verify(&forged, &public), Err(AgentTokenError::BadSignature));
        assert_eq!(cache.seen.lock().unwrap().len(), 1);
    }

    #[test]
    fn accepts_a_good_token_and_rejects_every_forgery() {
        let k = key(1);
        let public = k.verifying_key().to_bytes();
        let host = Uuid::new_v4();
        let now = Utc::now().timestamp();
        let good = sign(&k, claims(host, now, now + 60, AGENT_AUDIENCE));
        assert_eq!(unverified_subject(&good).unwrap(), host);
        assert_eq!(verify(&good, &public).unwrap().sub, host);

        // Signed by another key.
        let other = sign(&key(2), claims(host, now, now + 60, AGENT_AUDIENCE));
        assert_eq!(verify(&other, &public).unwrap_err(), AgentTokenError::BadSignature);
        // Expired, from the future, too long, for another audience.
        let old = sign(&k, claims(host, now - 600, now - 300, AGENT_AUDIENCE));
        assert_eq!(verify(&old, &public).unwrap_err(), AgentTokenError::Expired);
        let future = sign(&k, claims(host, now + 3600, now + 3660, AGENT_AUDIENCE));
        assert_eq!(verify(&future, &public).unwrap_err(), AgentTokenError::IssuedInFuture);
        let long = sign(&k, claims(host, now, now + 3600, AGENT_AUDIENCE));
        assert_eq!(verify(&long, &public).unwrap_err(), AgentTokenError::TooLong);
        let aud = sign(&k, claims(host, now, now + 60, "cairn-session"));
        assert_eq!(verify(&aud, &public).unwrap_err(), AgentTokenError::WrongAudience);

        // alg "none": header {"alg":"none"} and an empty signature.
        let b64 = |v: serde_json::Value| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
        };
        let none = format!(
            "{}.{}.",
            b64(json!({"alg": "none", "typ": "JWT"})),
            b64(claims(host, now, now + 60, AGENT_AUDIENCE))
        );
        assert!(verify(&none, &public).is_err());
        // HS256 "signed" with the public key bytes as the HMAC secret.
        let hs = jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims(host, now, now + 60, AGENT_AUDIENCE),
            &EncodingKey::from_secret(&public),
        )
        .unwrap();
        assert_eq!(verify(&hs, &public).unwrap_err(), AgentTokenError::BadSignature);
        assert!(unverified_subject("not.a.jwt").is_err());
    }

    #[test]
    fn public_keys_must_be_curve_points() {
        let k = key(3);
        let b64 = base64::engine::general_purpose::STANDARD.encode(k.verifying_key().to_bytes());
        assert!(decode_public_key(&b64).is_some());
        assert!(decode_public_key("AAAA").is_none());
        assert!(decode_public_key("not base64!").is_none());
    }
}
