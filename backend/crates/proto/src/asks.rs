//! Questions the server asks an online agent and awaits the answer to (probe a
//! repository, preview retention, preflight a backup); they read, never change.

#[allow(unused_imports)]
use super::*;

/// A question the server asks an online agent and awaits the answer to. The agent answers
/// with `POST /api/agent/v1/asks/{command id}/answer` before `deadline`, or not at all
/// (after it the server has stopped waiting). Questions read; they never change a
/// repository or the host.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct Ask {
    pub deadline: DateTime<Utc>,
    /// The config version the question was asked under: the agent applies that config (or
    /// a newer one) first, as for a job.
    pub config_version: u64,
    pub question: Question,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Union))]
#[cfg_attr(feature = "openapi", oai(discriminator_name = "kind", one_of))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Question {
    /// Open a linked repository with its credentials (`restic cat config`): is it there,
    /// does the password open it, how long does that take from this host.
    #[cfg_attr(feature = "openapi", oai(mapping = "repository_probe"))]
    RepositoryProbe(RepositoryProbe),
    /// What a forget would keep and remove (`restic forget --dry-run --json`), with
    /// restic's reasons, and whether the repository's delete guard would let it run.
    #[cfg_attr(feature = "openapi", oai(mapping = "retention_preview"))]
    RetentionPreview(RetentionQuery),
    /// Could this backup run from this host, and what exactly would the agent run.
    #[cfg_attr(feature = "openapi", oai(mapping = "preflight"))]
    Preflight(PreflightQuery),
    /// Who holds locks in a linked repository (`restic list locks`, each read without
    /// locking), and which of them restic would take for stale.
    #[cfg_attr(feature = "openapi", oai(mapping = "locks"))]
    Locks(LocksQuery),
    /// One directory of a snapshot, read from the agent's catalog; a snapshot not in the
    /// catalog yet is indexed first (`restic ls`, in the background) and the answer says how
    /// far that got.
    #[cfg_attr(feature = "openapi", oai(mapping = "browse"))]
    Browse(BrowseQuery),
    /// Paths matching a name or glob in one snapshot or across all of a host's snapshots,
    /// from the agent's catalog.
    #[cfg_attr(feature = "openapi", oai(mapping = "search"))]
    Search(SearchQuery),
    /// What changed between two snapshots (`restic diff --json`), with each path's size
    /// before and after from the catalog.
    #[cfg_attr(feature = "openapi", oai(mapping = "diff"))]
    Diff(DiffQuery),
    /// What a restore would do at its target (create, overwrite, keep, delete), and
    /// whether it fits there, from the catalog and the target's files; nothing written.
    #[cfg_attr(feature = "openapi", oai(mapping = "restore_preview"))]
    RestorePreview(RestorePreviewQuery),
    /// For a restore on another host: the files a restore of these paths would write,
    /// from this host's catalog of the snapshot, for the restoring host to compare.
    #[cfg_attr(feature = "openapi", oai(mapping = "restore_entries"))]
    RestoreEntries(RestoreEntriesQuery),
    /// For a restore on this host of another host's snapshot: what it would do with these
    /// entries at its target (the answer is a `restore_preview`); no repository is opened.
    #[cfg_attr(feature = "openapi", oai(mapping = "restore_compare"))]
    RestoreCompare(RestoreCompareQuery),
    /// Stream one file, or a directory as an archive, of a snapshot (`restic dump`): the
    /// agent POSTs the bytes to `/api/agent/v1/downloads/{ask id}` instead of answering
    /// (it answers only to say why it cannot).
    #[cfg_attr(feature = "openapi", oai(mapping = "download"))]
    Download(DownloadQuery),
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Enum))]
#[cfg_attr(feature = "openapi", oai(rename_all = "snake_case"))]
#[serde(rename_all = "snake_case")]
pub enum DownloadFormat {
    /// A file as it is (a directory as a tar archive, restic's default).
    #[default]
    Raw,
    /// A tar archive, gzip-compressed.
    TarGz,
    Zip,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct DownloadQuery {
    pub repository_id: Uuid,
    /// Full snapshot id.
    pub snapshot_id: String,
    /// Absolute path inside the snapshot.
    pub path: String,
    pub format: DownloadFormat,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct RestorePreviewQuery {
    pub scope: CatalogScope,
    pub restore: RestoreArgs,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct RestoreEntriesQuery {
    pub scope: CatalogScope,
    /// Full snapshot id.
    pub snapshot_id: String,
    /// Absolute paths in the snapshot (`/` for all of it).
    pub paths: Vec<String>,
    /// At most this many entries; more are `truncated`.
    pub limit: u32,
}

/// One path a restore would write, as the snapshot has it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct RestoreEntry {
    /// Absolute path in the snapshot.
    pub path: String,
    pub kind: EntryKind,
    pub size: u64,
    /// Modification time, nanoseconds since the epoch.
    pub mtime_ns: i64,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
pub struct RestoreEntriesAnswer {
    /// Present while the snapshot is being read into the catalog: ask again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub indexing: Option<IndexProgress>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", oai(default))]
    pub entries: Vec<RestoreEntry>,
    /// More entries than the limit (or than fit in one answer): `entries` stops there.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", oai(default))]
    pub truncated: bool,
    /// Files (everything but directories) the restore would write, all of them.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", oai(default))]
    pub files: u64,
    /// Their bytes, all of them.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", oai(default))]
    pub bytes: u64,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct RestoreCompareQuery {
    pub restore: RestoreArgs,
    /// The paths the restore would write (directories included), from the snapshot.
    pub entries: Vec<RestoreEntry>,
    /// `entries` is not all of them: only a target that is new (or empty) can be
    /// previewed, from `files` and `bytes`.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", oai(default))]
    pub truncated: bool,
    /// Files the restore would write in all.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", oai(default))]
    pub files: u64,
    /// Their bytes in all.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", oai(default))]
    pub bytes: u64,
}

/// What a restore would do to one path.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Enum))]
#[cfg_attr(feature = "openapi", oai(rename_all = "snake_case"))]
#[serde(rename_all = "snake_case")]
pub enum PreviewAction {
    Create,
    Overwrite,
    Keep,
    Delete,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct PreviewPath {
    /// Where it is (or would be) on the restoring host.
    pub path: String,
    pub action: PreviewAction,
    pub size: u64,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
pub struct RestorePreviewAnswer {
    /// Present while the snapshot is being read into the catalog: ask again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub indexing: Option<IndexProgress>,
    /// Files (links, devices…) that would be written where nothing is.
    pub create: u64,
    /// Existing files the policy would replace.
    pub overwrite: u64,
    /// Existing files the policy would keep.
    pub keep: u64,
    /// Entries `delete_extra` would remove.
    pub delete: u64,
    /// Bytes restic would write (all files restored, into the staging directory).
    pub bytes: u64,
    /// Bytes free on the target's filesystem.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub free_bytes: Option<u64>,
    /// The restore fits (with 5 % to spare).
    pub fits: bool,
    /// Up to 500 paths with what would happen to each, overwrites and deletions first.
    pub paths: Vec<PreviewPath>,
    pub elapsed_ms: u64,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
pub struct DiffQuery {
    pub scope: CatalogScope,
    /// The older snapshot (full id).
    pub from: String,
    /// The newer snapshot (full id).
    pub to: String,
    /// Only paths containing this (any case).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<String>,
    /// Only these kinds of change (all when absent), applied before `limit`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changes: Option<Vec<PathChange>>,
    pub limit: u32,
}

/// How a path differs between two snapshots.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Enum))]
#[cfg_attr(feature = "openapi", oai(rename_all = "snake_case"))]
#[serde(rename_all = "snake_case")]
pub enum PathChange {
    Added,
    Removed,
    /// The content changed.
    Modified,
    /// A file became a directory, a link, … or the other way round.
    TypeChanged,
    /// Only metadata (mode, owner, times) changed.
    Metadata,
    Other,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
pub struct ChangedPath {
    pub path: String,
    pub change: PathChange,
    /// What it is in the newer snapshot (the older one for removed paths); absent when
    /// the catalog does not hold both snapshots yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<EntryKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size_before: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size_after: Option<u64>,
}

/// How many changed paths changed in one way.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct ChangeCount {
    pub change: PathChange,
    pub count: u64,
}

/// restic's totals for a diff; bytes are what the repository stores (deduplicated blobs),
/// not file sizes.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct DiffTotals {
    pub changed_files: u64,
    pub added_files: u64,
    pub added_dirs: u64,
    pub added_bytes: u64,
    pub removed_files: u64,
    pub removed_dirs: u64,
    pub removed_bytes: u64,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
pub struct DiffAnswer {
    /// In path order, at most `limit`.
    pub changes: Vec<ChangedPath>,
    /// Changed paths (after the filter and the kinds of change), all of them.
    pub total: u64,
    /// How many paths matching the filter changed in each way (whatever kinds were asked
    /// for), in the order of `PathChange`; kinds with none are left out.
    #[serde(default)]
    pub by_change: Vec<ChangeCount>,
    pub truncated: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub totals: Option<DiffTotals>,
    /// Sizes and kinds are known (both snapshots are in the catalog). When false, reading
    /// them has been started: ask again for sizes.
    pub sizes_known: bool,
    pub elapsed_ms: u64,
}

/// Which host's snapshots, in which repository: one catalog on the answering agent.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct CatalogScope {
    pub repository_id: Uuid,
    /// The restic host name the snapshots were made under (the source host's).
    pub hostname: String,
    /// Every snapshot of that host in that repository the server knows (full ids). The
    /// catalog drops any other before answering, so nothing forgotten is ever shown.
    pub snapshots: Vec<String>,
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Enum))]
#[cfg_attr(feature = "openapi", oai(rename_all = "snake_case"))]
#[serde(rename_all = "snake_case")]
pub enum TreeSort {
    #[default]
    Name,
    Size,
    Mtime,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
pub struct BrowseQuery {
    pub scope: CatalogScope,
    /// Full snapshot id.
    pub snapshot_id: String,
    /// Absolute directory path inside the snapshot (`/` is the root).
    pub path: String,
    pub sort: TreeSort,
    pub descending: bool,
    /// Only entries whose name contains this (any case).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<String>,
    pub offset: u32,
    pub limit: u32,
}

/// What a path in a snapshot is, as restic names it.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Enum))]
#[cfg_attr(feature = "openapi", oai(rename_all = "snake_case"))]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    File,
    Dir,
    Symlink,
    Dev,
    Chardev,
    Fifo,
    Socket,
    Other,
}

/// One entry of a snapshot directory.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct TreeEntry {
    pub name: String,
    pub kind: EntryKind,
    /// Bytes (0 for anything but files).
    pub size: u64,
    pub mtime: DateTime<Utc>,
    /// Unix permission bits, e.g. 420 (0644).
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
}

/// How far indexing a snapshot has come.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct IndexProgress {
    /// False while another snapshot is being indexed first.
    pub started: bool,
    /// Paths read so far.
    pub paths_read: u64,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
pub struct BrowseAnswer {
    /// Present while the snapshot is being indexed; `entries` is empty then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub indexing: Option<IndexProgress>,
    /// This page of the directory, sorted and filtered as asked.
    pub entries: Vec<TreeEntry>,
    /// Entries in the directory after the filter (all pages).
    pub total: u64,
    /// How long the catalog took to answer, in milliseconds (loading it included).
    pub elapsed_ms: u64,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
pub struct SearchQuery {
    pub scope: CatalogScope,
    /// A word (names containing it, any case), a glob (`*.conf`, `report-202?-*`), either
    /// with a `/` to match the whole path.
    pub pattern: String,
    /// Only this snapshot; all of the scope's snapshots when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot_id: Option<String>,
    pub limit: u32,
}

/// A version of a path that matched, and the snapshots that hold exactly it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct FoundVersion {
    pub kind: EntryKind,
    pub size: u64,
    pub mtime: DateTime<Utc>,
    pub mode: u32,
    /// Full snapshot ids, oldest first.
    pub snapshots: Vec<String>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct FoundPath {
    pub path: String,
    pub versions: Vec<FoundVersion>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct SearchAnswer {
    pub paths: Vec<FoundPath>,
    /// More paths matched than `limit`.
    pub truncated: bool,
    /// The snapshots searched (in the catalog).
    pub searched: Vec<String>,
    /// The scope's snapshots not in the catalog yet: indexing them has been started, one at
    /// a time; search again to include them.
    pub indexing: Vec<String>,
    pub elapsed_ms: u64,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct LocksQuery {
    pub repository_id: Uuid,
}

/// The locks in a repository as one host's agent read them.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct LocksAnswer {
    pub locks: Vec<LockSeen>,
}

/// A restic lock: who holds it, since when, and whether restic's own rule calls it stale
/// (older than 30 minutes, or made on the answering host by a process that is gone).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct LockSeen {
    pub hostname: String,
    pub pid: u32,
    pub username: String,
    pub exclusive: bool,
    pub since: DateTime<Utc>,
    pub stale: bool,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct RetentionQuery {
    pub repository_id: Uuid,
    /// The forget to preview (`prune` and `approved` play no part).
    pub forget: ForgetArgs,
}

/// What a forget would do, changing nothing.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
pub struct RetentionAnswer {
    pub report: ForgetReport,
    /// Why the repository's delete guard would block the run; absent when it would run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blocked_by: Option<String>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct RepositoryProbe {
    pub repository_id: Uuid,
}

/// `POST /api/agent/v1/asks/{id}/answer`: the answer to a question, of the question's
/// kind, or why there is none.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Union))]
#[cfg_attr(feature = "openapi", oai(discriminator_name = "kind", one_of))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Answer {
    #[cfg_attr(feature = "openapi", oai(mapping = "repository_probe"))]
    RepositoryProbe(ProbeAnswer),
    #[cfg_attr(feature = "openapi", oai(mapping = "retention_preview"))]
    RetentionPreview(RetentionAnswer),
    #[cfg_attr(feature = "openapi", oai(mapping = "preflight"))]
    Preflight(PreflightAnswer),
    #[cfg_attr(feature = "openapi", oai(mapping = "locks"))]
    Locks(LocksAnswer),
    #[cfg_attr(feature = "openapi", oai(mapping = "browse"))]
    Browse(BrowseAnswer),
    #[cfg_attr(feature = "openapi", oai(mapping = "search"))]
    Search(SearchAnswer),
    #[cfg_attr(feature = "openapi", oai(mapping = "diff"))]
    Diff(DiffAnswer),
    #[cfg_attr(feature = "openapi", oai(mapping = "restore_preview"))]
    RestorePreview(RestorePreviewAnswer),
    #[cfg_attr(feature = "openapi", oai(mapping = "restore_entries"))]
    RestoreEntries(RestoreEntriesAnswer),
    /// The question could not be answered: restic failed, the repository is not in this
    /// host's config, …
    #[cfg_attr(feature = "openapi", oai(mapping = "failed"))]
    Failed(AskFailure),
}

/// A repository opened from a host: what `restic cat config` said.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
pub struct ProbeAnswer {
    /// restic's own id of the repository (64 hex digits).
    pub restic_repository_id: String,
    /// The repository format version (1 or 2).
    pub format_version: u32,
    /// How long opening it took, in milliseconds (restic's start-up included).
    pub elapsed_ms: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restic_version: Option<String>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct AskFailure {
    /// Stable class, e.g. `restic.wrong_password`, `restic.repo_missing`,
    /// `restic.network`, `agent.unknown_repository`.
    pub error_class: String,
    /// A sentence for people.
    pub message: String,
}
