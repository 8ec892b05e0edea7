//! serde types for restic's `--json` output, as printed by 0.14 through 0.18.
//! Unknown fields are ignored and most fields default, because newer restic adds and omits fields.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};

/// Go encodes an empty slice as `null`; treat it as empty.
fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// A snapshot as listed by `snapshots`, `forget` and `ls`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// Full id. Missing in 0.14's forget `reasons` entries; see [`ForgetGroup`].
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub short_id: String,
    pub time: DateTime<Utc>,
    #[serde(default)]
    pub parent: Option<String>,
    #[serde(default)]
    pub tree: String,
    #[serde(default, deserialize_with = "null_default")]
    pub paths: Vec<String>,
    #[serde(default)]
    pub hostname: String,
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub uid: u32,
    #[serde(default)]
    pub gid: u32,
    #[serde(default, deserialize_with = "null_default")]
    pub excludes: Vec<String>,
    #[serde(default, deserialize_with = "null_default")]
    pub tags: Vec<String>,
    /// The id of the snapshot this one was copied from (`restic copy` sets it, and keeps
    /// an existing one when it copies a copy).
    #[serde(default)]
    pub original: Option<String>,
    /// restic 0.17+.
    #[serde(default)]
    pub program_version: Option<String>,
    /// restic 0.17+: the backup statistics stored in the snapshot.
    #[serde(default)]
    pub summary: Option<SnapshotSummary>,
}

/// Statistics restic 0.17+ stores inside each snapshot.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SnapshotSummary {
    pub backup_start: Option<DateTime<Utc>>,
    pub backup_end: Option<DateTime<Utc>>,
    pub files_new: u64,
    pub files_changed: u64,
    pub files_unmodified: u64,
    pub dirs_new: u64,
    pub dirs_changed: u64,
    pub dirs_unmodified: u64,
    pub data_blobs: i64,
    pub tree_blobs: i64,
    pub data_added: u64,
    pub data_added_packed: u64,
    pub total_files_processed: u64,
    pub total_bytes_processed: u64,
}

/// A `status` line of backup or restore (restore has `files_restored`/`bytes_restored`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Progress {
    /// 0.0 ..= 1.0
    pub percent_done: f64,
    pub seconds_elapsed: u64,
    pub seconds_remaining: Option<u64>,
    pub total_files: u64,
    #[serde(alias = "files_restored")]
    pub files_done: u64,
    pub total_bytes: u64,
    #[serde(alias = "bytes_restored")]
    pub bytes_done: u64,
    pub error_count: u64,
    #[serde(deserialize_with = "null_default")]
    pub current_files: Vec<String>,
}

/// The last stdout line of a backup.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BackupSummary {
    pub dry_run: bool,
    pub files_new: u64,
    pub files_changed: u64,
    pub files_unmodified: u64,
    pub dirs_new: u64,
    pub dirs_changed: u64,
    pub dirs_unmodified: u64,
    pub data_blobs: i64,
    pub tree_blobs: i64,
    pub data_added: u64,
    /// 0.17+.
    pub data_added_packed: Option<u64>,
    pub total_files_processed: u64,
    pub total_bytes_processed: u64,
    /// Seconds.
    pub total_duration: f64,
    pub backup_start: Option<DateTime<Utc>>,
    pub backup_end: Option<DateTime<Utc>>,
    /// Absent for dry runs.
    pub snapshot_id: Option<String>,
}

/// The summary of a restore (0.16+; 0.14 prints text only).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RestoreSummary {
    pub seconds_elapsed: u64,
    pub total_files: u64,
    pub files_restored: u64,
    pub files_skipped: u64,
    pub files_deleted: u64,
    pub total_bytes: u64,
    pub bytes_restored: u64,
    pub bytes_skipped: u64,
}

/// The summary of `check --json` (0.18+; older releases print text only).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CheckSummary {
    pub num_errors: u64,
    #[serde(deserialize_with = "null_default")]
    pub broken_packs: Vec<String>,
    pub suggest_repair_index: bool,
    pub suggest_prune: bool,
}

/// A per-item error restic reports on stderr during backup or restore and carries on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemError {
    /// "scan", "archival", "restore", …
    pub during: String,
    /// Usually the path of the problematic file.
    pub item: String,
    /// 0.17+ has `error.message`; 0.14 serialises Go error structs (`{"Op":"open","Path":…,
    /// "Err":13}`) or `{}`, from which only a rough text can be made.
    pub message: Option<String>,
}

impl ItemError {
    /// Builds from an already-parsed `{"message_type":"error",…}` object.
    pub(crate) fn from_json(v: &serde_json::Value) -> Option<Self> {
        let item = v.get("item")?.as_str()?.to_owned();
        let during = v.get("during").and_then(|d| d.as_str()).unwrap_or_default().to_owned();
        let err = v.get("error");
        let message =
            err.and_then(|e| e.get("message")).and_then(|m| m.as_str()).map(str::to_owned).or_else(
                || {
                    let e = err?;
                    let op = e.get("Op")?.as_str()?;
                    let errno = e.get("Err").and_then(|n| n.as_i64());
                    Some(match errno {
                        Some(n) => {
                            format!("{op} failed: {}", std::io::Error::from_raw_os_error(n as i32))
                        }
                        None => format!("{op} failed"),
                    })
                },
            );
        Some(Self { during, item, message })
    }
}

/// One group of `forget --json` output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForgetGroup {
    #[serde(default, deserialize_with = "null_default")]
    pub tags: Vec<String>,
    #[serde(default)]
    pub host: String,
    #[serde(default, deserialize_with = "null_default")]
    pub paths: Vec<String>,
    #[serde(default, deserialize_with = "null_default")]
    pub keep: Vec<Snapshot>,
    #[serde(default, deserialize_with = "null_default")]
    pub remove: Vec<Snapshot>,
    #[serde(default, deserialize_with = "null_default")]
    pub reasons: Vec<KeepReason>,
}

/// Why `forget` keeps a snapshot, e.g. matches `["last snapshot", "daily snapshot"]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeepReason {
    pub snapshot: Snapshot,
    #[serde(default, deserialize_with = "null_default")]
    pub matches: Vec<String>,
}

impl ForgetGroup {
    /// restic 0.14 omits the id in `reasons[].snapshot`; fill it in from `keep` by matching
    /// time and tree, so callers can join reasons to snapshots by id on every release.
    pub(crate) fn fill_reason_ids(&mut self) {
        for reason in &mut self.reasons {
            if !reason.snapshot.id.is_empty() {
                continue;
            }
            if let Some(kept) = self
                .keep
                .iter()
                .find(|k| k.time == reason.snapshot.time && k.tree == reason.snapshot.tree)
            {
                reason.snapshot.id.clone_from(&kept.id);
                reason.snapshot.short_id.clone_from(&kept.short_id);
            }
        }
    }

    /// The reasons restic gives for keeping the snapshot with this id.
    pub fn reasons_for(&self, snapshot_id: &str) -> Option<&[String]> {
        self.reasons.iter().find(|r| r.snapshot.id == snapshot_id).map(|r| r.matches.as_slice())
    }
}

/// `stats --json`; which fields are set depends on `--mode` and the release.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Stats {
    pub total_size: u64,
    pub total_file_count: u64,
    pub snapshots_count: u64,
    pub total_blob_count: Option<u64>,
    pub total_uncompressed_size: Option<u64>,
    pub compression_ratio: Option<f64>,
    pub compression_progress: Option<f64>,
    pub compression_space_saving: Option<f64>,
}

/// One entry of `ls --json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LsNode {
    pub name: String,
    /// "file", "dir", "symlink", "dev", "chardev", "fifo", "socket"
    #[serde(rename = "type")]
    pub node_type: String,
    pub path: String,
    #[serde(default)]
    pub uid: u32,
    #[serde(default)]
    pub gid: u32,
    #[serde(default)]
    pub size: Option<u64>,
    /// Go's os.FileMode bits (type bits included).
    #[serde(default)]
    pub mode: Option<u32>,
    #[serde(default)]
    pub permissions: Option<String>,
    #[serde(default)]
    pub mtime: Option<DateTime<Utc>>,
    #[serde(default)]
    pub atime: Option<DateTime<Utc>>,
    #[serde(default)]
    pub ctime: Option<DateTime<Utc>>,
    #[serde(default)]
    pub inode: Option<u64>,
}

/// `ls --json` output: the snapshot line, then the nodes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Listing {
    pub snapshot: Option<Snapshot>,
    pub nodes: Vec<LsNode>,
}

/// One `change` line of `diff --json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffChange {
    pub path: String,
    /// "+", "-", "M", "T", "U", "?" or combinations.
    pub modifier: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DiffStat {
    pub files: u64,
    pub dirs: u64,
    pub others: u64,
    pub data_blobs: u64,
    pub tree_blobs: u64,
    pub bytes: u64,
}

/// The final `statistics` line of `diff --json`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DiffStatistics {
    pub source_snapshot: String,
    pub target_snapshot: String,
    pub changed_files: u64,
    pub added: DiffStat,
    pub removed: DiffStat,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diff {
    pub changes: Vec<DiffChange>,
    pub statistics: Option<DiffStatistics>,
}

/// `cat config`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepoConfig {
    pub version: u32,
    pub id: String,
    #[serde(default)]
    pub chunker_polynomial: String,
}

/// `init`: the id restic printed (full in 0.15+ JSON, shortened in 0.14's text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InitResult {
    pub id: String,
}

/// A repository lock, from `list locks` + `cat lock <id>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockInfo {
    /// Storage id of the lock file (filled in by this crate; not part of the lock's JSON).
    #[serde(default)]
    pub id: String,
    pub time: DateTime<Utc>,
    #[serde(default)]
    pub exclusive: bool,
    #[serde(default)]
    pub hostname: String,
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub pid: u32,
    #[serde(default)]
    pub uid: u32,
    #[serde(default)]
    pub gid: u32,
}

impl LockInfo {
    /// restic's own staleness rule: a lock older than 30 minutes, or one made on this host by
    /// a process that no longer exists. Only such locks may be removed by a plain `unlock`.
    pub fn is_stale(&self, this_host: &str, now: DateTime<Utc>) -> bool {
        if now.signed_duration_since(self.time) > chrono::Duration::minutes(30) {
            return true;
        }
        self.hostname == this_host && !crate::process::pid_alive(self.pid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Lines captured from restic 0.14.0.
    const FORGET_014: &str = r#"[{"tags":null,"host":"h1","paths":["/tmp/rp/data"],"keep":[{"time":"2026-11-21T22:42:30.917298623Z","parent":"b04d4dbb35c7da3ad3d5d67cc7c2c039a2e37bdf1279174f2cb6cc230f65a65c","tree":"77f5c514b8931f213c7f4e94ed288219f77594d0c3969a2f36735cae2926623f","paths":["/tmp/rp/data"],"hostname":"h1","username":"root","id":"8c67eca71510f70d5753a9cbcc089ec4637cd86d30507bfbd0c10c8efbb96f83","short_id":"8c67eca7"}],"remove":[{"time":"2026-11-21T22:42:30.302919553Z","tree":"7040d9117725ec0c12e800319a7576c908c59e6a1cbefb1ea68f6df0f7cbee99","paths":["/tmp/rp/data"],"hostname":"h1","username":"root","tags":["t1"],"id":"b04d4dbb35c7da3ad3d5d67cc7c2c039a2e37bdf1279174f2cb6cc230f65a65c","short_id":"b04d4dbb"}],"reasons":[{"snapshot":{"time":"2026-11-21T22:42:30.917298623Z","parent":"b04d4dbb35c7da3ad3d5d67cc7c2c039a2e37bdf1279174f2cb6cc230f65a65c","tree":"77f5c514b8931f213c7f4e94ed288219f77594d0c3969a2f36735cae2926623f","paths":["/tmp/rp/data"],"hostname":"h1","username":"root"},"matches":["last snapshot"],"counters":{}}]}]"#;

    #[test]
    fn forget_groups_parse_and_reasons_get_ids() {
        let mut groups: Vec<ForgetGroup> = serde_json::from_str(FORGET_014).unwrap();
        for g in &mut groups {
            g.fill_reason_ids();
        }
        let g = &groups[0];
        assert!(g.tags.is_empty());
        assert_eq!(g.keep.len(), 1);
        assert_eq!(g.remove[0].tags, vec!["t1"]);
        assert_eq!(g.reasons_for(&g.keep[0].id), Some(&["last snapshot".to_owned()][..]));
    }

    #[test]
    fn newer_fields_and_unknown_fields_are_tolerated() {
        // A 0.17-style snapshot with fields 0.14 never printed, plus an invented one.
        let s: Snapshot = serde_json::from_str(
            r#"{"time":"2024-07-01T10:00:00.1+02:00","tree":"ab","paths":["/x"],"hostname":"h",
            "username":"u","uid":1000,"gid":1000,"program_version":"restic 0.17.0",
            "summary":{"backup_start":"2024-07-01T10:00:00+02:00","files_new":3,"data_added_packed":10},
            "id":"abcd","short_id":"ab","future_field":{"x":1}}"#,
        )
        .unwrap();
        assert_eq!(s.summary.unwrap().files_new, 3);
        assert_eq!(s.program_version.as_deref(), Some("restic 0.17.0"));
        assert_eq!(s.time.to_rfc3339(), "2024-07-01T08:00:00.100+00:00");
    }

    #[test]
    fn item_errors_from_both_generations() {
        let v014: serde_json::Value = serde_json::from_str(
            r#"{"message_type":"error","error":{"Op":"open","Path":"inc/locked","Err":13},"during":"archival","item":"/tmp/rp/inc/locked"}"#,
        ).unwrap();
        let e = ItemError::from_json(&v014).unwrap();
        assert_eq!(e.item, "/tmp/rp/inc/locked");
        assert_eq!(e.during, "archival");
        assert!(e.message.unwrap().contains("Permission denied"));

        let v017: serde_json::Value = serde_json::from_str(
            r#"{"message_type":"error","error":{"message":"open /x: permission denied"},"during":"archival","item":"/x"}"#,
        ).unwrap();
        let e = ItemError::from_json(&v017).unwrap();
        assert_eq!(e.message.as_deref(), Some("open /x: permission denied"));

        let empty: serde_json::Value = serde_json::from_str(
            r#"{"message_type":"error","error":{},"during":"scan","item":"/tmp/rp/inc/closed"}"#,
        )
        .unwrap();
        assert_eq!(ItemError::from_json(&empty).unwrap().message, None);
    }

    #[test]
    fn restore_status_maps_onto_progress() {
        let p: Progress = serde_json::from_str(
            r#"{"message_type":"status","seconds_elapsed":2,"percent_done":0.5,"total_files":4,"files_restored":2,"total_bytes":100,"bytes_restored":50}"#,
        )
        .unwrap();
        assert_eq!((p.files_done, p.bytes_done), (2, 50));
    }

    #[test]
    fn lock_staleness_follows_restic() {
        let now = Utc::now();
        let mut lock = LockInfo {
            id: "x".into(),
            time: now,
            exclusive: false,
            hostname: "here".into(),
            username: "root".into(),
            pid: std::process::id(),
            uid: 0,
            gid: 0,
        };
        assert!(!lock.is_stale("here", now), "our own pid is alive");
        assert!(!lock.is_stale("elsewhere", now), "cannot judge another host's pid");
        lock.time = now - chrono::Duration::minutes(31);
        assert!(lock.is_stale("elsewhere", now));
    }
}
