//! The agent's half of a repository key rotation: add a key for the new password its config
//! carries (`key_add`), or remove the old key once every host has the new one (`key_remove`).

use std::{
    fs::OpenOptions,
    io::Write,
    os::unix::fs::OpenOptionsExt,
    path::{Path, PathBuf},
};

use cairn_proto::{JobOutcome, JobResult, KeyReport, RepositoryConfig};

use crate::{events, runner::Run};

/// A file holding the new password for restic to read, readable by this user only, removed
/// when dropped (also when the job fails or is cancelled).
struct PasswordFile(PathBuf);

impl PasswordFile {
    fn write(dir: &Path, job: uuid::Uuid, password: &str) -> std::io::Result<Self> {
        let path = dir.join(format!("cairn-new-key-{job}"));
        let mut f = OpenOptions::new().write(true).create_new(true).mode(0o600).open(&path)?;
        let file = PasswordFile(path);
        f.write_all(password.as_bytes())?;
        f.sync_all()?;
        Ok(file)
    }
}

impl Drop for PasswordFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

impl Run<'_> {
    /// Adds a key for the config's new password; reports the key the old password opens
    /// and the new key, so the server can remove the old one later.
    pub(crate) async fn key_add(&self, cfg: &RepositoryConfig) -> JobResult {
        self.ctx.emit(self.job, events::started(None));
        let Some(new_password) = cfg.new_password.as_deref() else {
            return events::failed(
                "agent.no_new_password",
                "This agent's config has no new password for the repository; start the rotation again",
            );
        };
        self.note(&format!(
            "restic {} key add in {}: a key for the repository's new password",
            self.restic.version(),
            self.repo.display_url()
        ));
        let old = tokio::select! {
            r = self.restic.current_key(self.repo) => r,
            () = self.cancel.cancelled() => return self.stopped(),
        };
        let old = match old {
            Ok(k) => k,
            Err(e) => return events::from_error(&e),
        };
        let file = match PasswordFile::write(&std::env::temp_dir(), self.job, new_password) {
            Ok(f) => f,
            Err(e) => {
                return events::failed(
                    "agent.io",
                    &format!("Cannot write the new password for restic to read: {e}"),
                );
            }
        };
        let added = tokio::select! {
            r = self.restic.key_add(self.repo, &file.0) => r,
            () = self.cancel.cancelled() => return self.stopped(),
        };
        drop(file);
        if let Err(e) = added {
            return events::from_error(&e);
        }
        // The new key is the one the new password opens.
        let with_new = crate::runner::repo(&RepositoryConfig {
            password: new_password.to_owned(),
            ..cfg.clone()
        });
        let new = match self.restic.current_key(&with_new).await {
            Ok(k) => k,
            Err(e) => return events::from_error(&e),
        };
        self.note(&format!(
            "Added key {}; the old key {} stays until every host has the new password.",
            short(&new.id),
            short(&old.id)
        ));
        JobResult {
            outcome: JobOutcome::Succeeded,
            exit_code: Some(0),
            message: Some(format!(
                "Added key {} for the new password; key {} (the old password) is removed once every linked host has the new one.",
                short(&new.id),
                short(&old.id)
            )),
            keys: Some(KeyReport {
                old_key_id: Some(old.id),
                new_key_id: Some(new.id),
                removed_key_id: None,
            }),
            ..JobResult::default()
        }
    }

    /// Removes the old key; restic refuses to remove the key the config's password opens.
    pub(crate) async fn key_remove(&self, key_id: &str) -> JobResult {
        self.ctx.emit(self.job, events::started(None));
        self.note(&format!(
            "restic {} key remove {} in {}",
            self.restic.version(),
            short(key_id),
            self.repo.display_url()
        ));
        let r = tokio::select! {
            r = self.restic.key_remove(self.repo, key_id) => r,
            () = self.cancel.cancelled() => return self.stopped(),
        };
        match r {
            Ok(()) => JobResult {
                outcome: JobOutcome::Succeeded,
                exit_code: Some(0),
                message: Some(format!(
                    "Removed key {}: the old password no longer opens the repository.",
                    short(key_id)
                )),
                keys: Some(KeyReport {
                    removed_key_id: Some(key_id.to_owned()),
                    ..KeyReport::default()
                }),
                ..JobResult::default()
            },
            Err(e) => events::from_error(&e),
        }
    }
}

fn short(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
}
