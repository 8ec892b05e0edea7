//! The server's secret key (32 random bytes in a 0600 file) and what is derived from it:
//! the HMAC key that signs session JWTs and the one that makes CSRF tokens.

use std::{io::Write, path::Path};

use base64::Engine;
use hmac::{Hmac, Mac};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

const SESSION_AUDIENCE: &str = "cairn-session";

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("cannot read or create the secret key file {path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("the secret key file {0} is not 64 hex characters")]
    Malformed(String),
}

#[derive(Clone)]
pub struct Keys {
    jwt_encoding: EncodingKey,
    jwt_decoding: DecodingKey,
    csrf: [u8; 32],
    /// AES-256-GCM key that seals secrets stored in the database (repository passwords…).
    seal: [u8; 32],
}

#[derive(Debug, thiserror::Error)]
#[error("a stored secret cannot be decrypted (wrong secret key, or the value was tampered with)")]
pub struct SealError;

#[derive(Debug, Serialize, Deserialize)]
pub struct SessionClaims {
    pub sub: Uuid,
    pub sid: Uuid,
    pub iat: i64,
    pub exp: i64,
    pub aud: String,
}

#[derive(Debug, PartialEq, Eq)]
pub enum JwtError {
    Expired,
    Invalid,
}

impl Keys {
    /// Reads the key file, creating it (0600) with fresh random bytes when missing.
    pub fn load_or_create(path: &Path) -> Result<Keys, KeyError> {
        let io = |source| KeyError::Io { path: path.display().to_string(), source };
        let master = match std::fs::read_to_string(path) {
            Ok(text) => {
                let bytes = hex::decode(text.trim())
                    .map_err(|_| KeyError::Malformed(path.display().to_string()))?;
                <[u8; 32]>::try_from(bytes.as_slice())
                    .map_err(|_| KeyError::Malformed(path.display().to_string()))?
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut key = [0u8; 32];
                rand::rng().fill_bytes(&mut key);
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(io)?;
                }
                write_private_file(path, hex::encode(key).as_bytes()).map_err(io)?;
                key
            }
            Err(e) => return Err(io(e)),
        };
        Ok(Keys::from_master(&master))
    }

    pub fn from_master(master: &[u8; 32]) -> Keys {
        let jwt = derive(master, b"cairn/session-jwt");
        Keys {
            jwt_encoding: EncodingKey::from_secret(&jwt),
            jwt_decoding: DecodingKey::from_secret(&jwt),
            csrf: derive(master, b"cairn/csrf"),
            seal: derive(master, b"cairn/secrets-aead"),
        }
    }

    /// Encrypts `plain` bound to `context` (e.g. "repository:<id>:password"), so a sealed
    /// value copied into another row or field does not open there. Output: `v1:` + base64
    /// of nonce ‖ ciphertext ‖ tag.
    pub fn seal(&self, context: &str, plain: &[u8]) -> String {
        use aes_gcm::{
            Aes256Gcm, KeyInit,
            aead::{Aead, Payload},
        };
        let cipher = Aes256Gcm::new(&self.seal.into());
        let mut nonce = [0u8; 12];
        rand::rng().fill_bytes(&mut nonce);
        // Encryption with a valid key and nonce cannot fail.
        let ct = cipher
            .encrypt(&nonce.into(), Payload { msg: plain, aad: context.as_bytes() })
            .unwrap_or_default();
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ct);
        format!("v1:{}", base64::engine::general_purpose::STANDARD.encode(out))
    }

    pub fn open(&self, context: &str, sealed: &str) -> Result<Vec<u8>, SealError> {
        use aes_gcm::{
            Aes256Gcm, KeyInit,
            aead::{Aead, Payload},
        };
        let raw = sealed
            .strip_prefix("v1:")
            .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
            .filter(|r| r.len() >= 12 + 16)
            .ok_or(SealError)?;
        let (nonce, ct) = raw.split_at(12);
        let nonce: [u8; 12] = nonce.try_into().map_err(|_| SealError)?;
        let cipher = Aes256Gcm::new(&self.seal.into());
        cipher
            .decrypt(&nonce.into(), Payload { msg: ct, aad: context.as_bytes() })
            .map_err(|_| SealError)
    }

    pub fn sign_session(&self, user: Uuid, session: Uuid, now: i64, ttl_secs: i64) -> String {
        let claims = SessionClaims {
            sub: user,
            sid: session,
            iat: now,
            exp: now + ttl_secs,
            aud: SESSION_AUDIENCE.into(),
        };
        // Encoding an in-memory struct with an HMAC key cannot fail.
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.jwt_encoding)
            .unwrap_or_default()
    }

    pub fn verify_session(&self, token: &str) -> Result<SessionClaims, JwtError> {
        let mut v = Validation::new(Algorithm::HS256);
        v.set_audience(&[SESSION_AUDIENCE]);
        v.leeway = 0;
        match jsonwebtoken::decode::<SessionClaims>(token, &self.jwt_decoding, &v) {
            Ok(data) => Ok(data.claims),
            Err(e) if matches!(e.kind(), jsonwebtoken::errors::ErrorKind::ExpiredSignature) => {
                Err(JwtError::Expired)
            }
            Err(_) => Err(JwtError::Invalid),
        }
    }

    /// The CSRF token of a session: stable for the session, useless for any other.
    pub fn csrf_token(&self, session: Uuid) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.csrf)
            .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
        mac.update(session.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    pub fn csrf_matches(&self, session: Uuid, presented: &str) -> bool {
        constant_time_eq(self.csrf_token(session).as_bytes(), presented.as_bytes())
    }
}

fn derive(master: &[u8; 32], label: &[u8]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(master)
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
    mac.update(label);
    mac.finalize().into_bytes().into()
}

/// A random URL-safe secret of 32 bytes (256 bits).
pub fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Tokens are 256-bit random values, so a fast hash is enough to store them.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Writes a file readable by its owner only (created 0600 before any byte is written).
pub fn write_private_file(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(contents)?;
    f.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_jwt_round_trip_and_rejections() {
        let keys = Keys::from_master(&[7u8; 32]);
        let other = Keys::from_master(&[8u8; 32]);
        let (u, s) = (Uuid::new_v4(), Uuid::new_v4());
        let now = chrono::Utc::now().timestamp();
        let t = keys.sign_session(u, s, now, 60);
        let c = keys.verify_session(&t).unwrap();
        assert_eq!((c.sub, c.sid), (u, s));
        assert_eq!(other.verify_session(&t).unwrap_err(), JwtError::Invalid);
        let old = keys.sign_session(u, s, now - 120, 60);
        assert_eq!(keys.verify_session(&old).unwrap_err(), JwtError::Expired);
        assert_eq!(keys.verify_session("garbage").unwrap_err(), JwtError::Invalid);
    }

    #[test]
    fn csrf_tokens_are_bound_to_the_session() {
        let keys = Keys::from_master(&[7u8; 32]);
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        assert!(keys.csrf_matches(a, &keys.csrf_token(a)));
        assert!(!keys.csrf_matches(b, &keys.csrf_token(a)));
        assert!(!keys.csrf_matches(a, ""));
    }

    #[test]
    fn sealed_secrets_open_only_in_their_context_and_with_their_key() {
        let keys = Keys::from_master(&[7u8; 32]);
        let sealed = keys.seal("repository:1:password", b"hunter2");
        assert!(sealed.starts_with("v1:") && !sealed.contains("hunter2"));
        assert_ne!(sealed, keys.seal("repository:1:password", b"hunter2"), "fresh nonce each time");
        assert_eq!(keys.open("repository:1:password", &sealed).unwrap(), b"hunter2");
        assert!(keys.open("repository:2:password", &sealed).is_err());
        assert!(Keys::from_master(&[8u8; 32]).open("repository:1:password", &sealed).is_err());
        let mut tampered = sealed.clone();
        tampered.pop();
        tampered.push('A');
        assert!(keys.open("repository:1:password", &tampered).is_err());
        assert!(keys.open("x", "garbage").is_err());
    }

    #[test]
    fn key_file_is_created_private_and_reused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("cairn-keys-{}", Uuid::new_v4()));
        let path = dir.join("secret.key");
        let k1 = Keys::load_or_create(&path).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let k2 = Keys::load_or_create(&path).unwrap();
        let s = Uuid::new_v4();
        assert_eq!(k1.csrf_token(s), k2.csrf_token(s));
        std::fs::write(&path, "short").unwrap();
        assert!(matches!(Keys::load_or_create(&path), Err(KeyError::Malformed(_))));
    }
}
