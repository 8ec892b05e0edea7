//! `Restic`: one detected restic binary and the typed commands run with it. Short commands
//! return parsed values or an `Error`; long ones stream events and return an `Outcome`.

use std::{
    ffi::OsString,
    path::{Path, PathBuf},
    time::Duration,
};

use tokio::io::AsyncWrite;

use crate::{
    args::{
        BackupOptions, CheckOptions, ForgetOptions, GlobalOptions, LsOptions, PruneOptions,
        RestoreOptions, SnapshotFilter, StatsOptions, cat_lock_args, diff_args, dump_archive_args,
        dump_args, list_locks_args, snapshots_args, unlock_args,
    },
    error::{Error, ErrorClass, Result, classify},
    process::{self, Finished},
    repo::Repo,
    stream::{self, Kind, Outcome, RunControl},
    types::{
        Diff, DiffChange, DiffStatistics, ForgetGroup, InitResult, Listing, LockInfo, LsNode,
        RepoConfig, Snapshot, Stats,
    },
    version::{MIN_SUPPORTED, ResticVersion, VersionInfo},
};

/// `restic version` answers at once; anything slower is a broken binary.
const VERSION_TIMEOUT: Duration = Duration::from_secs(30);

/// A restic binary whose version is known.
#[derive(Debug, Clone)]
pub struct Restic {
    binary: PathBuf,
    info: VersionInfo,
    globals: GlobalOptions,
    death_signal: Option<i32>,
}

impl Restic {
    /// Runs `<binary> version` and checks the release is supported. `binary` may be a bare
    /// name looked up in PATH.
    pub async fn detect(binary: impl AsRef<Path>) -> Result<Self> {
        let binary = binary.as_ref().to_owned();
        let cmd = process::command(&binary, None, &[OsString::from("version")], None);
        let mut out = Vec::new();
        let finished =
            tokio::time::timeout(VERSION_TIMEOUT, process::run_to(&binary, cmd, &mut out))
                .await
                .map_err(|_| Error::Spawn {
                path: binary.clone(),
                source: std::io::Error::other("`restic version` did not answer within 30 s"),
            })??;
        let text = String::from_utf8_lossy(&out);
        let info = VersionInfo::parse(&text).filter(|_| finished.exit_code == Some(0)).ok_or_else(
            || Error::VersionParse(format!("{}{}", text.trim(), finished.stderr.trim())),
        )?;
        if !info.version.is_supported() {
            return Err(Error::Unsupported { found: info.version, min: MIN_SUPPORTED });
        }
        Ok(Self { binary, info, globals: GlobalOptions::default(), death_signal: None })
    }

    /// Sets flags passed to every command (cache dir, bandwidth limits).
    pub fn with_globals(mut self, globals: GlobalOptions) -> Self {
        self.globals = globals;
        self
    }

    /// Every restic this value starts gets `signal` when the spawning thread dies (Linux's
    /// PR_SET_PDEATHSIG), so a caller that is SIGKILLed or crashes does not leave restic
    /// running on its own. Opt-in, because it fires on the death of the spawning *thread*:
    /// spawn only from threads that live as long as the process (see `process.rs`).
    /// Other platforms ignore it.
    pub fn with_parent_death_signal(mut self, signal: i32) -> Self {
        self.death_signal = Some(signal);
        self
    }

    pub fn version(&self) -> ResticVersion {
        self.info.version
    }

    pub fn version_info(&self) -> &VersionInfo {
        &self.info
    }

    pub fn binary(&self) -> &Path {
        &self.binary
    }

    /// The full argv (after the binary) for a subcommand's arguments.
    pub fn argv(&self, sub: Vec<OsString>) -> Vec<OsString> {
        let mut v = self.globals.args();
        v.extend(sub);
        v
    }

    pub(crate) async fn run_to<W>(
        &self,
        repo: &Repo,
        sub: Vec<OsString>,
        out: &mut W,
    ) -> Result<Finished>
    where
        W: AsyncWrite + Unpin + ?Sized,
    {
        let cmd = process::command(&self.binary, Some(repo), &self.argv(sub), self.death_signal);
        process::run_to(&self.binary, cmd, out).await
    }

    /// Runs a short command; stdout on success, the classified failure otherwise.
    pub(crate) async fn capture(&self, repo: &Repo, sub: Vec<OsString>) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        let f = self.run_to(repo, sub, &mut out).await?;
        self.check_exit(&f)?;
        Ok(out)
    }

    pub(crate) fn check_exit(&self, f: &Finished) -> Result<()> {
        let lines: Vec<String> = f.stderr.lines().map(str::to_owned).collect();
        match classify(&self.info.version, f.exit_code, &lines, &[]) {
            None => Ok(()),
            Some(class) => Err(Error::Restic(class)),
        }
    }

    /// `init`. The id is the full id on 0.15+, the 10-character one 0.14 prints otherwise.
    pub async fn init(&self, repo: &Repo) -> Result<InitResult> {
        let out = self.capture(repo, vec!["init".into()]).await?;
        let text = String::from_utf8_lossy(&out);
        parse_init(&text).ok_or_else(|| Error::Parse { command: "init", detail: snippet(&text) })
    }

    /// `cat config`: also the cheapest "does this repository exist and open" probe.
    pub async fn cat_config(&self, repo: &Repo) -> Result<RepoConfig> {
        let out = self.capture(repo, vec!["cat".into(), "config".into()]).await?;
        parse_json(&out, "cat config")
    }

    pub async fn snapshots(&self, repo: &Repo, filter: &SnapshotFilter) -> Result<Vec<Snapshot>> {
        let out = self.capture(repo, snapshots_args(filter)?).await?;
        parse_json(&out, "snapshots")
    }

    pub async fn ls(&self, repo: &Repo, opts: &LsOptions) -> Result<Listing> {
        let out = self.capture(repo, opts.args()?).await?;
        parse_ls(&out)
    }

    pub async fn stats(&self, repo: &Repo, opts: &StatsOptions) -> Result<Stats> {
        let out = self.capture(repo, opts.args()?).await?;
        parse_json(&out, "stats")
    }

    pub async fn diff(&self, repo: &Repo, from: &str, to: &str) -> Result<Diff> {
        let out = self.capture(repo, diff_args(from, to)?).await?;
        parse_diff(&out)
    }

    /// Streams one file (or a directory, as tar) of a snapshot into `out`; returns the bytes
    /// written. On failure `out` may hold a partial file.
    pub async fn dump_to<W>(
        &self,
        repo: &Repo,
        snapshot: &str,
        path: &str,
        out: &mut W,
    ) -> Result<u64>
    where
        W: AsyncWrite + Unpin + ?Sized,
    {
        let f = self.run_to(repo, dump_args(snapshot, path)?, out).await?;
        self.check_exit(&f)?;
        Ok(f.stdout_bytes)
    }

    /// Like [`Restic::dump_to`], a directory as a `zip` archive when `zip`, else tar.
    pub async fn dump_archive_to<W>(
        &self,
        repo: &Repo,
        snapshot: &str,
        path: &str,
        zip: bool,
        out: &mut W,
    ) -> Result<u64>
    where
        W: AsyncWrite + Unpin + ?Sized,
    {
        let args = dump_archive_args(snapshot, path, if zip { "zip" } else { "tar" })?;
        let f = self.run_to(repo, args, out).await?;
        self.check_exit(&f)?;
        Ok(f.stdout_bytes)
    }

    pub async fn dump(&self, repo: &Repo, snapshot: &str, path: &str) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        self.dump_to(repo, snapshot, path, &mut out).await?;
        Ok(out)
    }

    /// `forget --dry-run`: what a policy would keep and remove, with reasons; changes nothing.
    pub async fn forget_preview(
        &self,
        repo: &Repo,
        opts: &ForgetOptions,
    ) -> Result<Vec<ForgetGroup>> {
        let opts = ForgetOptions { dry_run: true, ..opts.clone() };
        let out = self.capture(repo, opts.args()?).await?;
        parse_forget(&out)
    }

    /// `unlock`: removes only stale locks (older than 30 min, or left on this host by a process
    /// that no longer exists), so it can never break a running backup.
    pub async fn unlock(&self, repo: &Repo) -> Result<()> {
        self.capture(repo, unlock_args(false)).await.map(drop)
    }

    /// `unlock --remove-all`: removes live locks too. Only for an operator who knows the
    /// owner is gone (e.g. a host that was destroyed mid-backup).
    pub async fn unlock_remove_all(&self, repo: &Repo) -> Result<()> {
        self.capture(repo, unlock_args(true)).await.map(drop)
    }

    /// Every lock in the repository with its owner (host, user, pid), read without locking.
    /// A lock that disappears between listing and reading (its owner finished) is skipped.
    pub async fn list_locks(&self, repo: &Repo) -> Result<Vec<LockInfo>> {
        let out = self.capture(repo, list_locks_args()).await?;
        let text = String::from_utf8_lossy(&out);
        let mut locks = Vec::new();
        for id in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let bytes = match self.capture(repo, cat_lock_args(id)?).await {
                Ok(b) => b,
                Err(Error::Restic(ErrorClass::Other { .. })) => continue,
                Err(e) => return Err(e),
            };
            let mut lock: LockInfo = parse_json(&bytes, "cat lock")?;
            lock.id = id.to_owned();
            locks.push(lock);
        }
        Ok(locks)
    }

    pub async fn backup(
        &self,
        repo: &Repo,
        opts: &BackupOptions,
        ctl: RunControl,
    ) -> Result<Outcome> {
        self.stream(repo, opts.args_for(self.info.version)?, Kind::Backup, ctl).await
    }

    pub async fn restore(
        &self,
        repo: &Repo,
        opts: &RestoreOptions,
        ctl: RunControl,
    ) -> Result<Outcome> {
        self.stream(repo, opts.args()?, Kind::Restore, ctl).await
    }

    pub async fn check(
        &self,
        repo: &Repo,
        opts: &CheckOptions,
        ctl: RunControl,
    ) -> Result<Outcome> {
        self.stream(repo, opts.args()?, Kind::Check, ctl).await
    }

    pub async fn prune(
        &self,
        repo: &Repo,
        opts: &PruneOptions,
        ctl: RunControl,
    ) -> Result<Outcome> {
        self.stream(repo, opts.args()?, Kind::Prune, ctl).await
    }

    /// `forget` (honouring `opts.dry_run`); the groups are in `Outcome::forget_groups()`.
    pub async fn forget(
        &self,
        repo: &Repo,
        opts: &ForgetOptions,
        ctl: RunControl,
    ) -> Result<Outcome> {
        self.stream(repo, opts.args()?, Kind::Forget, ctl).await
    }

    pub(crate) async fn stream(
        &self,
        repo: &Repo,
        sub: Vec<OsString>,
        kind: Kind,
        ctl: RunControl,
    ) -> Result<Outcome> {
        let argv = self.argv(sub);
        stream::run(&self.binary, &self.info.version, repo, argv, kind, ctl, self.death_signal)
            .await
    }
}

fn snippet(text: &str) -> String {
    let t = text.trim();
    let mut end = t.len().min(300);
    while !t.is_char_boundary(end) {
        end -= 1;
    }
    t[..end].to_owned()
}

pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(
    out: &[u8],
    command: &'static str,
) -> Result<T> {
    serde_json::from_slice(out).map_err(|e| Error::Parse {
        command,
        detail: format!("{e}; output starts with {:?}", snippet(&String::from_utf8_lossy(out))),
    })
}

/// 0.15+: `{"message_type":"initialized","id":"…",…}`; 0.14: "created restic repository
/// 7e8d7a1f81 at /path".
fn parse_init(text: &str) -> Option<InitResult> {
    for line in text.lines().map(str::trim) {
        if line.starts_with('{')
            && let Ok(v) = serde_json::from_str::<serde_json::Value>(line)
            && v.get("message_type").and_then(|m| m.as_str()) == Some("initialized")
            && let Some(id) = v.get("id").and_then(|i| i.as_str())
        {
            return Some(InitResult { id: id.to_owned() });
        }
        if let Some(rest) = line.strip_prefix("created restic repository ")
            && let Some(id) = rest.split_whitespace().next()
        {
            return Some(InitResult { id: id.to_owned() });
        }
    }
    None
}

/// `ls --json`: one snapshot line, then node lines; 0.14 tags them with `struct_type`, 0.17+
/// also with `message_type`.
fn parse_ls(out: &[u8]) -> Result<Listing> {
    let mut listing = Listing { snapshot: None, nodes: Vec::new() };
    for line in out.split(|b| *b == b'\n').filter(|l| !l.iter().all(u8::is_ascii_whitespace)) {
        let v: serde_json::Value = parse_json(line, "ls")?;
        let kind = v
            .get("message_type")
            .or_else(|| v.get("struct_type"))
            .and_then(|k| k.as_str())
            .unwrap_or_default();
        match kind {
            "snapshot" => listing.snapshot = Some(from_value(v, "ls")?),
            "node" => listing.nodes.push(from_value::<LsNode>(v, "ls")?),
            _ => {}
        }
    }
    Ok(listing)
}

fn parse_diff(out: &[u8]) -> Result<Diff> {
    let mut diff = Diff { changes: Vec::new(), statistics: None };
    for line in out.split(|b| *b == b'\n').filter(|l| !l.iter().all(u8::is_ascii_whitespace)) {
        let v: serde_json::Value = parse_json(line, "diff")?;
        match v.get("message_type").and_then(|k| k.as_str()) {
            Some("change") => diff.changes.push(from_value::<DiffChange>(v, "diff")?),
            Some("statistics") => diff.statistics = Some(from_value::<DiffStatistics>(v, "diff")?),
            _ => {}
        }
    }
    Ok(diff)
}

/// forget prints its JSON array on one line; with text mixed in (older releases print notes),
/// the line that parses as an array counts.
fn parse_forget(out: &[u8]) -> Result<Vec<ForgetGroup>> {
    let text = String::from_utf8_lossy(out);
    let line = text.lines().map(str::trim).find(|l| l.starts_with('[')).ok_or_else(|| {
        Error::Parse { command: "forget", detail: format!("no JSON array in {:?}", snippet(&text)) }
    })?;
    let mut groups: Vec<ForgetGroup> = parse_json(line.as_bytes(), "forget")?;
    groups.iter_mut().for_each(ForgetGroup::fill_reason_ids);
    Ok(groups)
}

fn from_value<T: serde::de::DeserializeOwned>(
    v: serde_json::Value,
    command: &'static str,
) -> Result<T> {
    serde_json::from_value(v).map_err(|e| Error::Parse { command, detail: e.to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn init_output_of_both_generations() {
        let t014 = "created restic repository 7e8d7a1f81 at repo\n\nPlease note that knowledge of your password is required";
        assert_eq!(parse_init(t014).unwrap().id, "7e8d7a1f81");
        let t017 = r#"{"message_type":"initialized","id":"7e8d7a1f813dbbdf","repository":"/r"}"#;
        assert_eq!(parse_init(t017).unwrap().id, "7e8d7a1f813dbbdf");
        assert!(parse_init("nothing").is_none());
    }

    #[test]
    fn ls_output_of_014() {
        let out = br#"{"time":"2026-11-21T22:42:30.917298623Z","tree":"77f5","paths":["/tmp/rp/data"],"hostname":"h1","username":"root","id":"8c67eca7151","short_id":"8c67eca7","struct_type":"snapshot"}
{"name":"data","type":"dir","path":"/data","uid":0,"gid":0,"mode":2147484141,"permissions":"drwxr-xr-x","mtime":"2026-11-21T22:42:30.901342964Z","atime":"2026-11-21T22:42:30.901342964Z","ctime":"2026-11-21T22:42:30.901342964Z","struct_type":"node"}
{"name":"a","type":"file","path":"/data/a","uid":0,"gid":0,"size":3,"mode":420,"permissions":"-rw-r--r--","mtime":"2026-11-21T22:40:53.92133978Z","atime":"2026-11-21T22:40:53.92133978Z","ctime":"2026-11-21T22:40:53.92133978Z","struct_type":"node"}
"#;
        let l = parse_ls(out).unwrap();
        assert_eq!(l.snapshot.unwrap().short_id, "8c67eca7");
        assert_eq!(l.nodes.len(), 2);
        assert_eq!(l.nodes[1].size, Some(3));
        assert_eq!(l.nodes[0].node_type, "dir");
    }

    #[test]
    fn diff_output_of_014() {
        let out = br#"{"message_type":"change","path":"/data/c","modifier":"+"}
{"message_type":"statistics","source_snapshot":"b04d4dbb","target_snapshot":"8c67eca7","changed_files":0,"added":{"files":1,"dirs":0,"others":0,"data_blobs":1,"tree_blobs":2,"bytes":1382},"removed":{"files":0,"dirs":0,"others":0,"data_blobs":0,"tree_blobs":2,"bytes":1035}}
"#;
        let d = parse_diff(out).unwrap();
        assert_eq!(d.changes, vec![DiffChange { path: "/data/c".into(), modifier: "+".into() }]);
        assert_eq!(d.statistics.unwrap().added.files, 1);
    }

    #[test]
    fn garbage_is_a_parse_error_not_a_panic() {
        assert!(matches!(parse_ls(b"not json\n"), Err(Error::Parse { command: "ls", .. })));
        assert!(matches!(parse_forget(b"no array"), Err(Error::Parse { .. })));
        assert!(matches!(parse_json::<Stats>(b"", "stats"), Err(Error::Parse { .. })));
    }
}
