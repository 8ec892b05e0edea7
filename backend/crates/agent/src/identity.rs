//! The agent's identity: an Ed25519 key made at first start, kept owner-only in the state
//! directory, used to sign a short JWT for every request. The private key never leaves
//! the host; the server stores the public half.

use std::{path::Path, sync::Mutex};

use base64::Engine;
use cairn_proto::{AGENT_AUDIENCE, AgentClaims};
use ed25519_dalek::{SigningKey, pkcs8::EncodePrivateKey};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use rand::RngCore;
use uuid::Uuid;

use crate::state::{StateError, read_private, write_private};

/// Request tokens live two minutes (the server accepts at most five).
const TOKEN_TTL_SECS: i64 = 120;

/// A token is reused for a minute, so it always has a minute left when it is sent. The
/// server then checks its signature once, not on every poll (the host row is still read
/// on every request, so a deleted host is refused at once).
const TOKEN_REUSE_SECS: i64 = 60;

pub struct Identity {
    key: SigningKey,
    encoding: EncodingKey,
    /// The last token: its subject, when it was issued, and the token.
    last: Mutex<Option<(Uuid, i64, String)>>,
}

impl Identity {
    /// Loads `agent.key` from the state dir, creating it (0600) on first use.
    pub fn load_or_create(dir: &Path) -> Result<Identity, StateError> {
        let path = dir.join("agent.key");
        let seed: [u8; 32] = match read_private(&path)? {
            Some(text) => {
                hex::decode(text.trim()).ok().and_then(|b| b.try_into().ok()).ok_or_else(|| {
                    StateError::Corrupt(format!("{} is not a 64-hex-digit key", path.display()))
                })?
            }
            None => {
                let mut seed = [0u8; 32];
                rand::rng().fill_bytes(&mut seed);
                write_private(&path, hex::encode(seed).as_bytes())?;
                seed
            }
        };
        Identity::from_seed(&seed)
    }

    /// Loads an existing key; an error (not a new identity) when there is none.
    pub fn load(dir: &Path) -> Result<Identity, StateError> {
        let path = dir.join("agent.key");
        if read_private(&path)?.is_none() {
            return Err(StateError::Corrupt(format!(
                "no agent key at {}: enroll first (cairn-agent enroll --server URL --token TOKEN), or pass the right --state-dir",
                path.display()
            )));
        }
        Identity::load_or_create(dir)
    }

    pub fn from_seed(seed: &[u8; 32]) -> Result<Identity, StateError> {
        let key = SigningKey::from_bytes(seed);
        let der = key.to_pkcs8_der().map_err(|e| StateError::Corrupt(e.to_string()))?;
        Ok(Identity {
            encoding: EncodingKey::from_ed_der(der.as_bytes()),
            key,
            last: Mutex::new(None),
        })
    }

    /// An identity whose signer is broken (an HMAC key where EdDSA is needed): for the
    /// tests of what a signing failure does.
    #[cfg(test)]
    pub(crate) fn with_broken_signer() -> Identity {
        Identity {
            key: SigningKey::from_bytes(&[7; 32]),
            encoding: EncodingKey::from_secret(b"not an ed25519 key"),
            last: Mutex::new(None),
        }
    }

    pub fn public_key_b64(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(self.key.verifying_key().to_bytes())
    }

    pub fn fingerprint(&self) -> String {
        cairn_proto::fingerprint(&self.key.verifying_key().to_bytes())
    }

    /// A request token for `sub` (the host id, or the pending id while announced): the last
    /// one while it is younger than a minute, else a fresh one. A signing failure is this
    /// host's own fault (a broken key or crypto library): it is returned as such, never sent
    /// as an empty token the server would refuse as if the host were revoked.
    pub fn token(&self, sub: Uuid) -> Result<String, jsonwebtoken::errors::Error> {
        let now = chrono::Utc::now().timestamp();
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((s, iat, token)) = last.as_ref()
            && *s == sub
            && (0..TOKEN_REUSE_SECS).contains(&(now - iat))
        {
            return Ok(token.clone());
        }
        let claims =
            AgentClaims { sub, aud: AGENT_AUDIENCE.into(), iat: now, exp: now + TOKEN_TTL_SECS };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::EdDSA), &claims, &self.encoding)?;
        *last = Some((sub, now, token.clone()));
        Ok(token)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_is_created_once_and_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let a = Identity::load_or_create(dir.path()).unwrap();
        let b = Identity::load_or_create(dir.path()).unwrap();
        assert_eq!(a.fingerprint(), b.fingerprint());
        assert!(a.fingerprint().starts_with("SHA256:"));
        let mode = std::fs::metadata(dir.path().join("agent.key")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let t = a.token(Uuid::nil()).unwrap();
        assert_eq!(t.split('.').count(), 3);
        assert_eq!(a.token(Uuid::nil()).unwrap(), t, "reused within the minute");
        assert_ne!(a.token(Uuid::max()).unwrap(), t, "another subject gets its own token");
        // An old token is not reused (its minute is over).
        let old = chrono::Utc::now().timestamp() - 61;
        *a.last.lock().unwrap() = Some((Uuid::nil(), old, "an old token".into()));
        assert_eq!(a.token(Uuid::nil()).unwrap().split('.').count(), 3, "a new one is signed");
        assert!(a.last.lock().unwrap().as_ref().is_some_and(|(_, iat, _)| *iat > old));
    }
}
