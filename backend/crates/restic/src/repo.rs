//! A repository's location and secrets, and how they reach restic: through the environment
//! only, never the command line (argv is world-readable in /proc), never in Debug output.

use std::{collections::BTreeMap, ffi::OsStr, fmt};

use tokio::process::Command;

/// Variables restic reads that this crate sets itself. A caller-supplied value for one of them
/// would fight ours (restic refuses RESTIC_PASSWORD_FILE next to RESTIC_PASSWORD), so `env`
/// entries with these names are ignored.
const OWNED_VARS: &[&str] = &[
    "RESTIC_REPOSITORY",
    "RESTIC_REPOSITORY_FILE",
    "RESTIC_PASSWORD",
    "RESTIC_PASSWORD_FILE",
    "RESTIC_PASSWORD_COMMAND",
];

/// A restic repository: URL (`/srv/repo`, `sftp:…`, `rest:…`, `s3:…`), password and
/// backend variables (AWS_ACCESS_KEY_ID, B2_ACCOUNT_KEY, …).
#[derive(Clone, PartialEq, Eq)]
pub struct Repo {
    url: String,
    password: String,
    env: BTreeMap<String, String>,
    /// For `restic copy`: the repository snapshots are copied from (restic's
    /// `RESTIC_FROM_*` variables). Set only by [`Repo::copying_from`].
    from: Option<Box<Repo>>,
}

impl Repo {
    pub fn new(url: impl Into<String>, password: impl Into<String>) -> Self {
        Self { url: url.into(), password: password.into(), env: BTreeMap::new(), from: None }
    }

    /// This repository as the destination of a `restic copy` from `source`. restic reads
    /// both repositories' backend variables from one environment, so the two must not set
    /// the same variable to different values (two S3 buckets with different keys cannot
    /// be copied between in one run).
    pub(crate) fn copying_from(&self, source: &Repo) -> Result<Repo, String> {
        for (k, v) in &source.env {
            if self.env.get(k).is_some_and(|mine| mine != v) {
                return Err(format!(
                    "both repositories set {k} to different values; restic reads one environment for both"
                ));
            }
        }
        let mut to = self.clone();
        to.from = Some(Box::new(Repo { from: None, ..source.clone() }));
        Ok(to)
    }

    /// Adds a backend variable, e.g. `("AWS_SECRET_ACCESS_KEY", "…")`.
    pub fn with_env(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.env.insert(key.into(), value.into());
        self
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// The URL with any `user:password@` credentials replaced, safe to log or show.
    pub fn display_url(&self) -> String {
        redact_url(&self.url)
    }

    pub fn env_keys(&self) -> impl Iterator<Item = &str> {
        self.env.keys().map(String::as_str)
    }

    /// The environment [`Repo::apply_env`] gives restic, as `KEY=value` with every value
    /// but the (redacted) URL masked: what a person may be shown of it.
    pub fn masked_env(&self) -> Vec<String> {
        let mut v = vec![
            format!("RESTIC_REPOSITORY={}", self.display_url()),
            "RESTIC_PASSWORD=***".to_owned(),
        ];
        v.extend(
            self.env
                .keys()
                .filter(|k| !OWNED_VARS.contains(&k.as_str()))
                .map(|k| format!("{k}=***")),
        );
        v
    }

    /// Sets the repository environment on `cmd` and removes inherited RESTIC_* variables, which
    /// could point restic at another repository, password file or key.
    pub(crate) fn apply_env(&self, cmd: &mut Command) {
        clear_inherited_restic_env(cmd);
        for (k, v) in &self.env {
            // RESTIC_FROM_* would point a copy at another source than the one given.
            if !OWNED_VARS.contains(&k.as_str()) && !k.starts_with("RESTIC_FROM_") {
                cmd.env(k, v);
            }
        }
        cmd.env("RESTIC_REPOSITORY", &self.url);
        cmd.env("RESTIC_PASSWORD", &self.password);
        if let Some(from) = &self.from {
            for (k, v) in &from.env {
                if !OWNED_VARS.contains(&k.as_str()) && !k.starts_with("RESTIC_") {
                    cmd.env(k, v);
                }
            }
            cmd.env("RESTIC_FROM_REPOSITORY", &from.url);
            cmd.env("RESTIC_FROM_PASSWORD", &from.password);
        }
    }
}

/// Removes every RESTIC_* variable this process would pass on to a child.
pub(crate) fn clear_inherited_restic_env(cmd: &mut Command) {
    for (key, _) in std::env::vars_os() {
        if key.as_encoded_bytes().starts_with(b"RESTIC_") {
            cmd.env_remove(&key);
        }
    }
    // RESTIC_* set on the Command itself earlier (none today) would survive the loop above;
    // the std builder exposes them, so drop those too.
    let set: Vec<_> = cmd
        .as_std()
        .get_envs()
        .filter(|(k, _)| k.as_encoded_bytes().starts_with(b"RESTIC_"))
        .map(|(k, _)| k.to_owned())
        .collect();
    for key in set {
        cmd.env_remove(OsStr::new(&key));
    }
}

impl fmt::Debug for Repo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let env: BTreeMap<&str, &str> =
            self.env.keys().map(|k| (k.as_str(), "<redacted>")).collect();
        f.debug_struct("Repo")
            .field("url", &redact_url(&self.url))
            .field("password", &"<redacted>")
            .field("env", &env)
            .finish()
    }
}

/// `rest:https://user:secret@host/` → `rest:https://user:<redacted>@host/`.
fn redact_url(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else { return url.to_owned() };
    let rest = &url[scheme_end + 3..];
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let Some(at) = authority.rfind('@') else { return url.to_owned() };
    let userinfo = &authority[..at];
    let user = userinfo.split(':').next().unwrap_or("");
    if !userinfo.contains(':') {
        return url.to_owned();
    }
    format!("{}{user}:<redacted>{}", &url[..scheme_end + 3], &rest[at..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_password_env_and_url_credentials() {
        let repo = Repo::new("rest:https://alice:hunter2@backup.example/alice/", "s3cr3t-pw")
            .with_env("AWS_SECRET_ACCESS_KEY", "aws-s3cr3t");
        let dbg = format!("{repo:?}");
        assert!(!dbg.contains("s3cr3t-pw"), "{dbg}");
        assert!(!dbg.contains("aws-s3cr3t"), "{dbg}");
        assert!(!dbg.contains("hunter2"), "{dbg}");
        assert!(dbg.contains("AWS_SECRET_ACCESS_KEY"), "{dbg}");
        assert!(dbg.contains("rest:https://alice:<redacted>@backup.example/alice/"), "{dbg}");
    }

    #[test]
    fn redact_url_leaves_plain_urls_alone() {
        assert_eq!(redact_url("/srv/restic"), "/srv/restic");
        assert_eq!(redact_url("sftp:user@host:/srv"), "sftp:user@host:/srv");
        assert_eq!(redact_url("rest:http://host:8000/"), "rest:http://host:8000/");
        assert_eq!(redact_url("rest:http://bob@host:8000/"), "rest:http://bob@host:8000/");
        assert_eq!(redact_url("s3:https://k:v@h/b/p@x"), "s3:https://k:<redacted>@h/b/p@x");
    }

    #[test]
    fn env_sets_repo_and_password_and_drops_owned_overrides() {
        let repo = Repo::new("/srv/r", "pw")
            .with_env("AWS_ACCESS_KEY_ID", "id")
            .with_env("RESTIC_PASSWORD_FILE", "/etc/evil");
        let mut cmd = Command::new("restic");
        cmd.env("RESTIC_KEY_HINT", "abc");
        repo.apply_env(&mut cmd);
        let envs: BTreeMap<String, Option<String>> = cmd
            .as_std()
            .get_envs()
            .map(|(k, v)| {
                (k.to_string_lossy().into_owned(), v.map(|v| v.to_string_lossy().into_owned()))
            })
            .collect();
        assert_eq!(envs["RESTIC_REPOSITORY"].as_deref(), Some("/srv/r"));
        assert_eq!(envs["RESTIC_PASSWORD"].as_deref(), Some("pw"));
        assert_eq!(envs["AWS_ACCESS_KEY_ID"].as_deref(), Some("id"));
        assert_eq!(envs.get("RESTIC_PASSWORD_FILE").cloned().flatten(), None);
        assert_eq!(envs.get("RESTIC_KEY_HINT").cloned().flatten(), None);
        // What may be shown: the same keys, no value but the URL.
        assert_eq!(
            repo.masked_env(),
            ["RESTIC_REPOSITORY=/srv/r", "RESTIC_PASSWORD=***", "AWS_ACCESS_KEY_ID=***"]
        );
        let with_creds = Repo::new("rest:https://u:secret@h/", "pw");
        assert_eq!(with_creds.masked_env()[0], "RESTIC_REPOSITORY=rest:https://u:<redacted>@h/");
    }
}
