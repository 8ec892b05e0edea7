//! restic's repository keys: list them, add one for a new password, remove an old one.
//! Used to rotate a repository's password without stopping the hosts that use it.

use std::{ffi::OsString, path::Path};

use serde::Deserialize;

use crate::{
    client::{Restic, parse_json},
    error::{Error, Result},
    repo::Repo,
};

/// One key of a repository, as `restic key list --json` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct KeyInfo {
    /// Whether this is the key the password given opened.
    #[serde(default)]
    pub current: bool,
    pub id: String,
    #[serde(default, rename = "userName")]
    pub user_name: String,
    #[serde(default, rename = "hostName")]
    pub host_name: String,
    #[serde(default)]
    pub created: String,
}

/// A key id: hex, as restic prints them (a full id is 64 digits; restic also takes a
/// unique prefix).
fn valid_key_id(id: &str) -> Result<()> {
    if id.len() >= 8 && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(())
    } else {
        Err(Error::InvalidArgument(format!("{id:?} is not a restic key id")))
    }
}

impl Restic {
    /// `restic key list --json`: every key of the repository.
    pub async fn key_list(&self, repo: &Repo) -> Result<Vec<KeyInfo>> {
        let out = self.capture(repo, vec!["key".into(), "list".into()]).await?;
        parse_json(&out, "key list")
    }

    /// The key the repository's password opens (`current` in `key list`).
    pub async fn current_key(&self, repo: &Repo) -> Result<KeyInfo> {
        self.key_list(repo)
            .await?
            .into_iter()
            .find(|k| k.current)
            .ok_or(Error::Parse { command: "key list", detail: "no key is marked current".into() })
    }

    /// `restic key add --new-password-file <file>`: a new key for the password in `file`
    /// (a file, never an argument, so it is not visible in the process list).
    pub async fn key_add(&self, repo: &Repo, new_password_file: &Path) -> Result<()> {
        let sub: Vec<OsString> = vec![
            "key".into(),
            "add".into(),
            "--new-password-file".into(),
            new_password_file.as_os_str().to_owned(),
        ];
        self.capture(repo, sub).await.map(|_| ())
    }

    /// `restic key remove <id>`; restic refuses to remove the key the password opened.
    pub async fn key_remove(&self, repo: &Repo, id: &str) -> Result<()> {
        valid_key_id(id)?;
        self.capture(repo, vec!["key".into(), "remove".into(), id.into()]).await.map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_lists_parse_and_ids_are_checked() {
        let out = br#"[{"current":false,"id":"5f2b3c0d9e8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c","userName":"root","hostName":"db-1","created":"2026-12-06 10:00:00"},
                       {"current":true,"id":"0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9","userName":"cairn","hostName":"db-2","created":"2026-12-06 11:00:00"}]"#;
        let keys: Vec<KeyInfo> = parse_json(out, "key list").unwrap();
        assert_eq!(keys.len(), 2);
        assert!(keys[1].current && !keys[0].current);
        assert_eq!((keys[1].user_name.as_str(), keys[1].host_name.as_str()), ("cairn", "db-2"));
        assert!(valid_key_id(&keys[0].id).is_ok());
        for bad in ["", "abc", "--password-file=/x", "zz00zz00zz00", &"a".repeat(65)] {
            assert!(valid_key_id(bad).is_err(), "{bad:?}");
        }
    }
}
