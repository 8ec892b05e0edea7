//! Typed options for each restic command and the argv they become: a Vec<OsString> of separate
//! arguments, never a shell string, with user-chosen positionals after `--` and no secret.

use std::{
    ffi::{OsStr, OsString},
    path::PathBuf,
};

use crate::error::{Error, Result};
use crate::version::ResticVersion;

/// Flags restic accepts before any subcommand. `--json` is always passed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GlobalOptions {
    pub cache_dir: Option<PathBuf>,
    /// KiB/s.
    pub limit_upload: Option<u32>,
    /// KiB/s.
    pub limit_download: Option<u32>,
}

impl GlobalOptions {
    pub(crate) fn args(&self) -> Vec<OsString> {
        let mut a = Args::default();
        a.flag("--json");
        if let Some(dir) = &self.cache_dir {
            a.opt("--cache-dir", dir);
        }
        if let Some(kib) = self.limit_upload {
            a.opt("--limit-upload", kib.to_string());
        }
        if let Some(kib) = self.limit_download {
            a.opt("--limit-download", kib.to_string());
        }
        a.0
    }
}

/// Small argv builder; keeps the call sites readable.
#[derive(Default)]
pub(crate) struct Args(pub(crate) Vec<OsString>);

impl Args {
    pub(crate) fn new(subcommand: &[&str]) -> Self {
        Self(subcommand.iter().map(OsString::from).collect())
    }
    pub(crate) fn flag(&mut self, f: &str) -> &mut Self {
        self.0.push(f.into());
        self
    }
    /// `--name value` as two arguments: restic's flag parser takes the next argument as the
    /// value even when it starts with '-', so no quoting or joining is needed.
    pub(crate) fn opt(&mut self, name: &str, value: impl AsRef<OsStr>) -> &mut Self {
        self.0.push(name.into());
        self.0.push(value.as_ref().to_owned());
        self
    }
    pub(crate) fn opts<I, S>(&mut self, name: &str, values: I) -> &mut Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        for v in values {
            self.opt(name, v);
        }
        self
    }
    /// Everything after `--` is positional, so a path named "-rf" stays a path.
    pub(crate) fn positionals<I, S>(&mut self, values: I) -> &mut Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.0.push("--".into());
        self.0.extend(values.into_iter().map(|v| v.as_ref().to_owned()));
        self
    }
    pub(crate) fn done(&mut self) -> Vec<OsString> {
        std::mem::take(&mut self.0)
    }
}

/// A snapshot reference: "latest" or a (prefix of a) hex id. Anything else is refused before
/// it can reach restic.
pub fn validate_snapshot_id(id: &str) -> Result<()> {
    let ok = id == "latest"
        || (!id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_hexdigit()));
    if ok { Ok(()) } else { Err(Error::InvalidArgument(format!("not a snapshot id: {id:?}"))) }
}

/// restic splits `--tag a,b` into two tags, so a comma inside one tag cannot be expressed.
fn validate_tags(tags: &[String]) -> Result<()> {
    for t in tags {
        if t.is_empty() || t.contains(',') {
            return Err(Error::InvalidArgument(format!("tag {t:?} is empty or contains ','")));
        }
    }
    Ok(())
}

fn validate_host(host: &Option<String>) -> Result<()> {
    match host {
        Some(h) if h.is_empty() => Err(Error::InvalidArgument("empty host".into())),
        _ => Ok(()),
    }
}

/// Filters shared by `snapshots`, `forget` and `stats`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SnapshotFilter {
    pub host: Option<String>,
    /// Snapshots having all these tags.
    pub tags: Vec<String>,
    pub paths: Vec<String>,
}

impl SnapshotFilter {
    pub fn host(host: impl Into<String>) -> Self {
        Self { host: Some(host.into()), ..Self::default() }
    }

    fn push(&self, a: &mut Args) -> Result<()> {
        validate_host(&self.host)?;
        validate_tags(&self.tags)?;
        if let Some(h) = &self.host {
            a.opt("--host", h);
        }
        if !self.tags.is_empty() {
            // One --tag with a comma list means "all of these" to restic.
            a.opt("--tag", self.tags.join(","));
        }
        a.opts("--path", &self.paths);
        Ok(())
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BackupOptions {
    pub paths: Vec<PathBuf>,
    /// Exclude patterns (restic's --exclude syntax).
    pub excludes: Vec<String>,
    pub exclude_files: Vec<PathBuf>,
    pub exclude_caches: bool,
    pub one_file_system: bool,
    pub tags: Vec<String>,
    /// Overrides the hostname recorded in the snapshot.
    pub host: Option<String>,
    pub parent: Option<String>,
    pub dry_run: bool,
    /// restic `--limit-upload`, KiB/s.
    pub limit_upload_kib: Option<u32>,
    /// restic `--limit-download`, KiB/s.
    pub limit_download_kib: Option<u32>,
    /// More options, each one argv element (`--exclude-larger-than=2G`), placed before the
    /// paths. The caller decides which are allowed; this only makes sure none can be
    /// taken for a path or a short flag.
    pub extra: Vec<String>,
}

impl BackupOptions {
    pub fn new<I, P>(paths: I) -> Self
    where
        I: IntoIterator<Item = P>,
        P: Into<PathBuf>,
    {
        Self { paths: paths.into_iter().map(Into::into).collect(), ..Self::default() }
    }

    pub fn args(&self) -> Result<Vec<OsString>> {
        if self.paths.is_empty() {
            return Err(Error::InvalidArgument("backup needs at least one path".into()));
        }
        if self.paths.iter().any(|p| p.as_os_str().is_empty()) {
            return Err(Error::InvalidArgument("empty backup path".into()));
        }
        validate_tags(&self.tags)?;
        validate_host(&self.host)?;
        let mut a = Args::new(&["backup"]);
        a.opts("--exclude", &self.excludes);
        a.opts("--exclude-file", &self.exclude_files);
        if self.exclude_caches {
            a.flag("--exclude-caches");
        }
        if self.one_file_system {
            a.flag("--one-file-system");
        }
        a.opts("--tag", &self.tags);
        if let Some(h) = &self.host {
            a.opt("--host", h);
        }
        if let Some(p) = &self.parent {
            validate_snapshot_id(p)?;
            a.opt("--parent", p);
        }
        if self.dry_run {
            a.flag("--dry-run");
        }
        if let Some(k) = self.limit_upload_kib {
            a.opt("--limit-upload", k.to_string());
        }
        if let Some(k) = self.limit_download_kib {
            a.opt("--limit-download", k.to_string());
        }
        for x in &self.extra {
            // `--name[=value]` only: a bare word would become a path and `-x` could be a
            // short flag bundle restic reads differently.
            if !x.starts_with("--") || x.len() < 3 || x.chars().any(char::is_control) {
                return Err(Error::InvalidArgument(format!("not a long option: {x:?}")));
            }
            a.flag(x);
        }
        a.positionals(&self.paths);
        Ok(a.done())
    }

    /// [`Self::args`] for this restic release: from 0.16 on, a backup that finds the
    /// repository locked (a prune or check run outside Cairn; Cairn's own queue keeps its
    /// jobs apart) retries for [`RETRY_LOCK`] instead of failing at once, unless the
    /// schedule's extra options set `--retry-lock` themselves.
    pub fn args_for(&self, version: ResticVersion) -> Result<Vec<OsString>> {
        let mut args = self.args()?;
        let own = self.extra.iter().any(|x| x == "--retry-lock" || x.starts_with("--retry-lock="));
        if version.has_retry_lock() && !own {
            // Right after the command word: before `--` and the paths.
            args.splice(1..1, [OsString::from("--retry-lock"), OsString::from(RETRY_LOCK)]);
        }
        Ok(args)
    }
}

/// How long a backup waits for a lock held by someone else (restic 0.16+).
pub const RETRY_LOCK: &str = "5m";

/// `snapshots`.
/// `copy` of the snapshots `filter` selects (every one when it is empty).
pub(crate) fn copy_args(filter: &SnapshotFilter) -> Result<Vec<OsString>> {
    let mut a = Args::new(&["copy"]);
    filter.push(&mut a)?;
    Ok(a.done())
}

pub(crate) fn snapshots_args(filter: &SnapshotFilter) -> Result<Vec<OsString>> {
    let mut a = Args::new(&["snapshots"]);
    filter.push(&mut a)?;
    Ok(a.done())
}

/// Which entries `ls` prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LsOptions {
    pub snapshot: String,
    /// Only this directory's entries (for lazy tree browsing); `None` lists everything.
    pub dir: Option<String>,
    /// With `dir`: include everything below it, not just its direct children.
    pub recursive: bool,
}

impl LsOptions {
    pub fn args(&self) -> Result<Vec<OsString>> {
        validate_snapshot_id(&self.snapshot)?;
        let mut a = Args::new(&["ls"]);
        if self.recursive {
            a.flag("--recursive");
        }
        let mut pos = vec![self.snapshot.clone()];
        pos.extend(self.dir.clone());
        a.positionals(pos);
        Ok(a.done())
    }
}

/// How many snapshots of each kind `forget` keeps.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RetentionPolicy {
    pub keep_last: Option<u32>,
    pub keep_hourly: Option<u32>,
    pub keep_daily: Option<u32>,
    pub keep_weekly: Option<u32>,
    pub keep_monthly: Option<u32>,
    pub keep_yearly: Option<u32>,
    /// A restic duration such as "1y6m" or "14d".
    pub keep_within: Option<String>,
    pub keep_tags: Vec<String>,
}

impl RetentionPolicy {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ForgetOptions {
    pub policy: RetentionPolicy,
    pub filter: SnapshotFilter,
    /// restic's --group-by, e.g. "host,paths" (restic's default) or "host".
    pub group_by: Option<String>,
    pub dry_run: bool,
}

impl ForgetOptions {
    pub fn args(&self) -> Result<Vec<OsString>> {
        let p = &self.policy;
        if p.is_empty() {
            // restic would keep everything and say so in text; that is never what a caller meant.
            return Err(Error::InvalidArgument("retention policy is empty".into()));
        }
        let mut a = Args::new(&["forget"]);
        for (flag, v) in [
            ("--keep-last", p.keep_last),
            ("--keep-hourly", p.keep_hourly),
            ("--keep-daily", p.keep_daily),
            ("--keep-weekly", p.keep_weekly),
            ("--keep-monthly", p.keep_monthly),
            ("--keep-yearly", p.keep_yearly),
        ] {
            if let Some(n) = v {
                a.opt(flag, n.to_string());
            }
        }
        if let Some(w) = &p.keep_within {
            validate_duration(w)?;
            a.opt("--keep-within", w);
        }
        validate_tags(&p.keep_tags)?;
        a.opts("--keep-tag", &p.keep_tags);
        self.filter.push(&mut a)?;
        if let Some(g) = &self.group_by {
            let ok = g.split(',').all(|k| matches!(k, "host" | "paths" | "tags" | ""));
            if !ok {
                return Err(Error::InvalidArgument(format!("bad --group-by {g:?}")));
            }
            a.opt("--group-by", g);
        }
        if self.dry_run {
            a.flag("--dry-run");
        }
        Ok(a.done())
    }
}

/// restic durations: one or more `<n><unit>` with unit y, m, d or h.
fn validate_duration(s: &str) -> Result<()> {
    let mut digits = 0;
    let mut groups = 0;
    for c in s.chars() {
        if c.is_ascii_digit() {
            digits += 1;
        } else if matches!(c, 'y' | 'm' | 'd' | 'h') && digits > 0 {
            digits = 0;
            groups += 1;
        } else {
            digits = usize::MAX;
            break;
        }
    }
    if groups > 0 && digits == 0 {
        Ok(())
    } else {
        Err(Error::InvalidArgument(format!("not a restic duration: {s:?}")))
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PruneOptions {
    /// e.g. "5%", "unlimited", "2G".
    pub max_unused: Option<String>,
    pub max_repack_size: Option<String>,
    pub repack_cacheable_only: bool,
    pub repack_small: bool,
    pub repack_uncompressed: bool,
    pub dry_run: bool,
}

impl PruneOptions {
    pub fn args(&self) -> Result<Vec<OsString>> {
        let mut a = Args::new(&["prune"]);
        if let Some(m) = &self.max_unused {
            validate_size_or_percent(m, true)?;
            a.opt("--max-unused", m);
        }
        if let Some(m) = &self.max_repack_size {
            validate_size_or_percent(m, false)?;
            a.opt("--max-repack-size", m);
        }
        if self.repack_cacheable_only {
            a.flag("--repack-cacheable-only");
        }
        if self.repack_small {
            a.flag("--repack-small");
        }
        if self.repack_uncompressed {
            a.flag("--repack-uncompressed");
        }
        if self.dry_run {
            a.flag("--dry-run");
        }
        Ok(a.done())
    }
}

fn validate_size_or_percent(s: &str, allow_unlimited: bool) -> Result<()> {
    let body =
        s.strip_suffix('%').or_else(|| s.strip_suffix(['k', 'K', 'm', 'M', 'g', 'G', 't', 'T']));
    let body = body.unwrap_or(s);
    let ok = (allow_unlimited && s == "unlimited")
        || (!body.is_empty() && body.chars().all(|c| c.is_ascii_digit() || c == '.'));
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidArgument(format!("not a size or percentage: {s:?}")))
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckOptions {
    pub read_data: bool,
    /// "n/t", "x%" or a size such as "500M".
    pub read_data_subset: Option<String>,
    pub with_cache: bool,
}

impl CheckOptions {
    pub fn args(&self) -> Result<Vec<OsString>> {
        let mut a = Args::new(&["check"]);
        if self.read_data {
            a.flag("--read-data");
        }
        if let Some(s) = &self.read_data_subset {
            let ok = match s.split_once('/') {
                Some((n, t)) => n.parse::<u32>().is_ok() && t.parse::<u32>().is_ok(),
                None => validate_size_or_percent(s, false).is_ok(),
            };
            if !ok {
                return Err(Error::InvalidArgument(format!("bad --read-data-subset {s:?}")));
            }
            a.opt("--read-data-subset", s);
        }
        if self.with_cache {
            a.flag("--with-cache");
        }
        Ok(a.done())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestoreOptions {
    pub snapshot: String,
    pub target: PathBuf,
    /// Only these paths (restic --include patterns).
    pub includes: Vec<String>,
    pub excludes: Vec<String>,
    /// With `snapshot == "latest"`: the latest of this host.
    pub host: Option<String>,
    pub verify: bool,
}

impl RestoreOptions {
    pub fn new(snapshot: impl Into<String>, target: impl Into<PathBuf>) -> Self {
        Self {
            snapshot: snapshot.into(),
            target: target.into(),
            includes: Vec::new(),
            excludes: Vec::new(),
            host: None,
            verify: false,
        }
    }

    pub fn args(&self) -> Result<Vec<OsString>> {
        validate_snapshot_id(&self.snapshot)?;
        validate_host(&self.host)?;
        if self.target.as_os_str().is_empty() {
            return Err(Error::InvalidArgument("empty restore target".into()));
        }
        let mut a = Args::new(&["restore"]);
        a.opt("--target", &self.target);
        a.opts("--include", &self.includes);
        a.opts("--exclude", &self.excludes);
        if let Some(h) = &self.host {
            a.opt("--host", h);
        }
        if self.verify {
            a.flag("--verify");
        }
        a.positionals([&self.snapshot]);
        Ok(a.done())
    }
}

/// `stats --mode`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum StatsMode {
    #[default]
    RestoreSize,
    FilesByContents,
    RawData,
    BlobsPerFile,
}

impl StatsMode {
    fn as_str(self) -> &'static str {
        match self {
            Self::RestoreSize => "restore-size",
            Self::FilesByContents => "files-by-contents",
            Self::RawData => "raw-data",
            Self::BlobsPerFile => "blobs-per-file",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatsOptions {
    pub mode: StatsMode,
    pub filter: SnapshotFilter,
    /// Empty: all snapshots matching `filter`.
    pub snapshots: Vec<String>,
}

impl StatsOptions {
    pub fn args(&self) -> Result<Vec<OsString>> {
        let mut a = Args::new(&["stats"]);
        a.opt("--mode", self.mode.as_str());
        self.filter.push(&mut a)?;
        for s in &self.snapshots {
            validate_snapshot_id(s)?;
        }
        if !self.snapshots.is_empty() {
            a.positionals(&self.snapshots);
        }
        Ok(a.done())
    }
}

pub(crate) fn diff_args(from: &str, to: &str) -> Result<Vec<OsString>> {
    validate_snapshot_id(from)?;
    validate_snapshot_id(to)?;
    Ok(Args::new(&["diff"]).positionals([from, to]).done())
}

pub(crate) fn dump_args(snapshot: &str, path: &str) -> Result<Vec<OsString>> {
    dump_archive_args(snapshot, path, "tar")
}

/// `dump --archive <tar|zip>`: a directory comes as that archive (a file as itself).
pub(crate) fn dump_archive_args(
    snapshot: &str,
    path: &str,
    archive: &str,
) -> Result<Vec<OsString>> {
    validate_snapshot_id(snapshot)?;
    if path.is_empty() {
        return Err(Error::InvalidArgument("empty dump path".into()));
    }
    let mut a = Args::new(&["dump"]);
    if archive != "tar" {
        if archive != "zip" {
            return Err(Error::InvalidArgument(format!("unknown archive format {archive:?}")));
        }
        a.opt("--archive", archive);
    }
    Ok(a.positionals([snapshot, path]).done())
}

pub(crate) fn unlock_args(remove_all: bool) -> Vec<OsString> {
    let mut a = Args::new(&["unlock"]);
    if remove_all {
        a.flag("--remove-all");
    }
    a.done()
}

/// Lock files are read without taking a lock: they matter most while someone holds one.
pub(crate) fn list_locks_args() -> Vec<OsString> {
    Args::new(&["list", "locks", "--no-lock"]).done()
}

pub(crate) fn cat_lock_args(id: &str) -> Result<Vec<OsString>> {
    if id.is_empty() || id.len() > 64 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Error::InvalidArgument(format!("not a lock id: {id:?}")));
    }
    Ok(Args::new(&["cat", "lock", "--no-lock"]).positionals([id]).done())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strs(v: &[OsString]) -> Vec<&str> {
        v.iter().map(|s| s.to_str().unwrap()).collect()
    }

    #[test]
    fn backup_args_are_separate_and_paths_follow_double_dash() {
        let opts = BackupOptions {
            excludes: vec!["*.tmp".into(), "-weird pattern".into()],
            tags: vec!["daily".into(), "-dash".into()],
            host: Some("web 1".into()),
            one_file_system: true,
            limit_upload_kib: Some(2048),
            extra: vec!["--exclude-larger-than=2G".into(), "--exclude-caches".into()],
            ..BackupOptions::new(["/srv/data", "-rf", "/home/a b"])
        };
        let args = opts.args().unwrap();
        assert_eq!(
            strs(&args),
            [
                "backup",
                "--exclude",
                "*.tmp",
                "--exclude",
                "-weird pattern",
                "--one-file-system",
                "--tag",
                "daily",
                "--tag",
                "-dash",
                "--host",
                "web 1",
                "--limit-upload",
                "2048",
                "--exclude-larger-than=2G",
                "--exclude-caches",
                "--",
                "/srv/data",
                "-rf",
                "/home/a b"
            ]
        );
    }

    #[test]
    fn backups_retry_a_lock_from_restic_0_16_unless_the_schedule_says_otherwise() {
        let opts = BackupOptions::new(["/srv"]);
        let on = |v| strs(&opts.args_for(v).unwrap()).join(" ");
        assert_eq!(on(ResticVersion::new(0, 14, 0)), "backup -- /srv");
        assert_eq!(on(ResticVersion::new(0, 16, 0)), "backup --retry-lock 5m -- /srv");
        assert_eq!(on(ResticVersion::new(0, 18, 1)), "backup --retry-lock 5m -- /srv");
        let own = BackupOptions { extra: vec!["--retry-lock=1h".into()], ..opts.clone() };
        assert_eq!(
            strs(&own.args_for(ResticVersion::new(0, 17, 0)).unwrap()).join(" "),
            "backup --retry-lock=1h -- /srv"
        );
    }

    #[test]
    fn no_secret_ends_up_in_argv() {
        // The Restic client adds global args; none of them may carry the repo or password.
        let g = GlobalOptions { cache_dir: Some("/var/cache/r".into()), ..Default::default() };
        let args = g.args();
        assert_eq!(strs(&args), ["--json", "--cache-dir", "/var/cache/r"]);
        for a in strs(&args) {
            assert!(!a.contains("password") && a != "-r" && a != "--repo" && a != "-p");
        }
    }

    #[test]
    fn bad_values_are_refused() {
        assert!(BackupOptions::new(Vec::<PathBuf>::new()).args().is_err());
        assert!(
            BackupOptions { tags: vec!["a,b".into()], ..BackupOptions::new(["/x"]) }
                .args()
                .is_err()
        );
        for extra in ["/etc", "-x", "--", "--a\nb"] {
            let opts = BackupOptions { extra: vec![extra.into()], ..BackupOptions::new(["/x"]) };
            assert!(opts.args().is_err(), "{extra:?} accepted");
        }
        let prune = PruneOptions {
            max_repack_size: Some("2G".into()),
            repack_cacheable_only: true,
            repack_small: true,
            repack_uncompressed: true,
            ..Default::default()
        };
        assert_eq!(
            prune.args().unwrap(),
            [
                "prune",
                "--max-repack-size",
                "2G",
                "--repack-cacheable-only",
                "--repack-small",
                "--repack-uncompressed"
            ]
            .map(std::ffi::OsString::from)
        );
        assert!(validate_snapshot_id("--help").is_err());
        assert!(validate_snapshot_id("latest").is_ok());
        assert!(validate_snapshot_id("8c67eca7").is_ok());
        assert!(LsOptions { snapshot: "-x".into(), dir: None, recursive: false }.args().is_err());
        assert!(ForgetOptions::default().args().is_err(), "empty policy");
        let bad_within = ForgetOptions {
            policy: RetentionPolicy { keep_within: Some("--prune".into()), ..Default::default() },
            ..Default::default()
        };
        assert!(bad_within.args().is_err());
        assert!(
            PruneOptions { max_unused: Some("--x".into()), ..Default::default() }.args().is_err()
        );
        assert!(cat_lock_args("../../etc").is_err());
    }

    #[test]
    fn forget_args() {
        let opts = ForgetOptions {
            policy: RetentionPolicy {
                keep_last: Some(1),
                keep_daily: Some(7),
                keep_within: Some("1y6m".into()),
                keep_tags: vec!["keep".into()],
                ..Default::default()
            },
            filter: SnapshotFilter {
                tags: vec!["a".into(), "b".into()],
                ..SnapshotFilter::host("h")
            },
            group_by: Some("host,paths".into()),
            dry_run: true,
        };
        assert_eq!(
            strs(&opts.args().unwrap()),
            [
                "forget",
                "--keep-last",
                "1",
                "--keep-daily",
                "7",
                "--keep-within",
                "1y6m",
                "--keep-tag",
                "keep",
                "--host",
                "h",
                "--tag",
                "a,b",
                "--group-by",
                "host,paths",
                "--dry-run"
            ]
        );
    }

    #[test]
    fn other_commands_put_user_strings_after_double_dash() {
        let ls =
            LsOptions { snapshot: "latest".into(), dir: Some("-odd".into()), recursive: false };
        assert_eq!(strs(&ls.args().unwrap()), ["ls", "--", "latest", "-odd"]);
        assert_eq!(strs(&dump_args("abc", "-f").unwrap()), ["dump", "--", "abc", "-f"]);
        assert_eq!(strs(&diff_args("aa", "bb").unwrap()), ["diff", "--", "aa", "bb"]);
        let r = RestoreOptions {
            includes: vec!["/data/a".into()],
            ..RestoreOptions::new("latest", "-target")
        };
        assert_eq!(
            strs(&r.args().unwrap()),
            ["restore", "--target", "-target", "--include", "/data/a", "--", "latest"]
        );
        let c = CheckOptions { read_data_subset: Some("10%".into()), ..Default::default() };
        assert_eq!(strs(&c.args().unwrap()), ["check", "--read-data-subset", "10%"]);
        let c = CheckOptions { read_data_subset: Some("1/5".into()), ..Default::default() };
        assert!(c.args().is_ok());
        let s = StatsOptions { mode: StatsMode::RawData, ..Default::default() };
        assert_eq!(strs(&s.args().unwrap()), ["stats", "--mode", "raw-data"]);
    }
}
