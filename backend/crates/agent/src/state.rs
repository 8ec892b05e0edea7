//! The state directory: `agent.key` (identity), `state.json` (server URL, host id,
//! applied config version), `secrets.key` and `config.enc` (the repository config the
//! server sent, AES-256-GCM sealed — never written in plain text). All files are 0600.

use std::{
    io::Write,
    path::{Path, PathBuf},
};

use base64::Engine;
use cairn_proto::AgentConfig;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub const DEFAULT_DIR: &str = "/var/lib/cairn-agent";

#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("state is corrupt: {0}")]
    Corrupt(String),
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct State {
    pub server_url: String,
    pub host_id: Option<Uuid>,
    /// Set while an announcement waits for an admin.
    pub pending_id: Option<Uuid>,
    pub config_version: u64,
    /// SHA-256 of the server certificate to accept (`--pin`), for self-signed servers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pin: Option<String>,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> StateError + '_ {
    move |source| StateError::Io { path: path.to_path_buf(), source }
}

/// Reads a file, `None` when it does not exist.
pub fn read_private(path: &Path) -> Result<Option<String>, StateError> {
    match std::fs::read_to_string(path) {
        Ok(s) => Ok(Some(s)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io(path)(e)),
    }
}

/// Writes atomically (temp file + rename), owner-only from the first byte.
pub fn write_private(path: &Path, contents: &[u8]) -> Result<(), StateError> {
    use std::os::unix::fs::OpenOptionsExt;
    let dir = path.parent().unwrap_or(Path::new("."));
    if !dir.exists() {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir).map_err(io(dir))?;
    }
    let tmp = path.with_extension("tmp");
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)
        .map_err(io(&tmp))?;
    f.write_all(contents).map_err(io(&tmp))?;
    f.sync_all().map_err(io(&tmp))?;
    std::fs::rename(&tmp, path).map_err(io(path))
}

pub struct StateDir {
    pub dir: PathBuf,
}

impl StateDir {
    pub fn new(dir: impl Into<PathBuf>) -> StateDir {
        StateDir { dir: dir.into() }
    }

    pub fn load(&self) -> Result<Option<State>, StateError> {
        let path = self.dir.join("state.json");
        match read_private(&path)? {
            None => Ok(None),
            Some(text) => serde_json::from_str(&text)
                .map(Some)
                .map_err(|e| StateError::Corrupt(format!("{}: {e}", path.display()))),
        }
    }

    pub fn save(&self, state: &State) -> Result<(), StateError> {
        let json =
            serde_json::to_vec_pretty(state).map_err(|e| StateError::Corrupt(e.to_string()))?;
        write_private(&self.dir.join("state.json"), &json)
    }

    fn sealing_key(&self) -> Result<[u8; 32], StateError> {
        let path = self.dir.join("secrets.key");
        if let Some(text) = read_private(&path)? {
            return hex::decode(text.trim()).ok().and_then(|b| b.try_into().ok()).ok_or_else(
                || StateError::Corrupt(format!("{} is not a 64-hex-digit key", path.display())),
            );
        }
        let mut key = [0u8; 32];
        rand::rng().fill_bytes(&mut key);
        write_private(&path, hex::encode(key).as_bytes())?;
        Ok(key)
    }

    /// Stores the config sealed with the local key (nonce ‖ ciphertext, base64).
    pub fn save_config(&self, config: &AgentConfig) -> Result<(), StateError> {
        use aes_gcm::{Aes256Gcm, KeyInit, aead::Aead};
        let key = self.sealing_key()?;
        let plain = serde_json::to_vec(config).map_err(|e| StateError::Corrupt(e.to_string()))?;
        let mut nonce = [0u8; 12];
        rand::rng().fill_bytes(&mut nonce);
        let ct = Aes256Gcm::new(&key.into())
            .encrypt(&nonce.into(), plain.as_slice())
            .map_err(|_| StateError::Corrupt("encryption failed".into()))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ct);
        let text = base64::engine::general_purpose::STANDARD.encode(out);
        write_private(&self.dir.join("config.enc"), text.as_bytes())
    }

    pub fn load_config(&self) -> Result<Option<AgentConfig>, StateError> {
        use aes_gcm::{Aes256Gcm, KeyInit, aead::Aead};
        let Some(text) = read_private(&self.dir.join("config.enc"))? else { return Ok(None) };
        let raw = base64::engine::general_purpose::STANDARD
            .decode(text.trim())
            .map_err(|_| StateError::Corrupt("config.enc is not base64".into()))?;
        if raw.len() < 12 + 16 {
            return Err(StateError::Corrupt("config.enc is truncated".into()));
        }
        let (nonce, ct) = raw.split_at(12);
        let nonce: [u8; 12] =
            nonce.try_into().map_err(|_| StateError::Corrupt("bad nonce".into()))?;
        let plain =
            Aes256Gcm::new(&self.sealing_key()?.into()).decrypt(&nonce.into(), ct).map_err(
                |_| StateError::Corrupt("config.enc does not decrypt with secrets.key".into()),
            )?;
        serde_json::from_slice(&plain).map(Some).map_err(|e| StateError::Corrupt(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use cairn_proto::RepositoryConfig;

    use super::*;

    #[test]
    fn config_is_stored_sealed() {
        let dir = tempfile::tempdir().unwrap();
        let sd = StateDir::new(dir.path());
        assert!(sd.load_config().unwrap().is_none());
        let cfg = AgentConfig {
            version: 3,
            repositories: vec![RepositoryConfig {
                id: Uuid::nil(),
                name: "r".into(),
                url: "/srv/repo".into(),
                password: "very-secret-pass".into(),
                env: BTreeMap::from([("AWS_SECRET_ACCESS_KEY".into(), "aws-secret-value".into())]),
                guard: Default::default(),
                failed_check: None,
                new_password: None,
            }],
            schedules: vec![],
        };
        sd.save_config(&cfg).unwrap();
        let on_disk = std::fs::read_to_string(dir.path().join("config.enc")).unwrap();
        assert!(!on_disk.contains("very-secret-pass") && !on_disk.contains("aws-secret-value"));
        assert_eq!(sd.load_config().unwrap().unwrap(), cfg);
        // Tampering is detected, not silently accepted.
        // (Change the first character for real: replacing it with itself would be no test.)
        let first = if on_disk.starts_with('A') { 'B' } else { 'A' };
        std::fs::write(dir.path().join("config.enc"), format!("{first}{}", &on_disk[1..])).unwrap();
        assert!(sd.load_config().is_err());
    }

    #[test]
    fn state_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let sd = StateDir::new(dir.path().join("nested"));
        assert!(sd.load().unwrap().is_none());
        let s = State {
            server_url: "http://x".into(),
            host_id: Some(Uuid::new_v4()),
            pending_id: None,
            config_version: 2,
            pin: Some("SHA256:abc".into()),
        };
        sd.save(&s).unwrap();
        assert_eq!(sd.load().unwrap().unwrap(), s);
    }
}
