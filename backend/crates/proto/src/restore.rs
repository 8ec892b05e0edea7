//! Restore jobs: what to restore from which snapshot, where to, how to treat files that
//! are already there, and the report the agent sends back.

#[allow(unused_imports)]
use super::*;

/// Where restored files go.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Union))]
#[cfg_attr(feature = "openapi", oai(discriminator_name = "mode", one_of))]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum RestoreTarget {
    /// Back where they were backed up from (an in-place restore).
    #[cfg_attr(feature = "openapi", oai(mapping = "original"))]
    Original(OriginalTarget),
    /// Under a new directory, with their full paths (restic's layout: `<path>/etc/nginx/…`).
    /// A new directory is filled in a temporary directory beside it and renamed into place
    /// at the end, so a failed or cancelled restore leaves nothing.
    #[cfg_attr(feature = "openapi", oai(mapping = "new_path"))]
    NewPath(NewPathTarget),
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct OriginalTarget {}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct NewPathTarget {
    /// Absolute, normalised directory on the restoring host.
    pub path: String,
}

impl RestoreTarget {
    /// The directory restored paths are placed under (`/` for the original location).
    pub fn root(&self) -> &str {
        match self {
            RestoreTarget::Original(_) => "/",
            RestoreTarget::NewPath(t) => &t.path,
        }
    }
}

/// What happens to a file that already exists where a restored one goes.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Enum))]
#[cfg_attr(feature = "openapi", oai(rename_all = "snake_case"))]
#[serde(rename_all = "snake_case")]
pub enum OverwritePolicy {
    /// Replace it.
    Always,
    /// Replace it when its size or modification time differs from the snapshot's.
    #[default]
    IfChanged,
    /// Replace it when the snapshot's copy is newer.
    IfNewer,
    /// Keep it.
    Never,
}

/// `restic restore` of some paths of a snapshot, placed by the agent according to the
/// overwrite policy (restic 0.14 has neither `--overwrite` nor `--dry-run`, so the agent
/// restores into a temporary directory on the target's filesystem and moves files itself).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct RestoreArgs {
    /// Full snapshot id.
    pub snapshot_id: String,
    /// The restic host name the snapshot was made under (whose catalog has its paths).
    pub source_hostname: String,
    /// Absolute paths inside the snapshot (files or directories), each restored with
    /// everything below it.
    pub paths: Vec<String>,
    /// restic `--exclude` patterns applied within those paths.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", oai(default))]
    pub excludes: Vec<String>,
    pub target: RestoreTarget,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", oai(default))]
    pub overwrite: OverwritePolicy,
    /// Delete what is under a restored directory at the target but not in the snapshot.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", oai(default))]
    pub delete_extra: bool,
    /// Read every restored file back and compare it with the snapshot (`--verify`).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", oai(default))]
    pub verify: bool,
    /// Set when the snapshot is another host's (a cross-host restore): the repository is
    /// not in this host's config, and the agent fetches its credentials for this job only
    /// (`GET /api/agent/v1/jobs/{id}/repository`), keeps them in memory, and drops them
    /// (and the catalog it read) when the job ends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_host_id: Option<Uuid>,
}

/// A path the restore did not place, and why.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct RestoreProblem {
    pub path: String,
    pub reason: String,
}

/// What a restore did: the machine-readable report on its job.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
pub struct RestoreReport {
    /// Where the files went.
    pub target: String,
    /// Files (and links, devices…) written where nothing was.
    pub created: u64,
    /// Existing files replaced.
    pub overwritten: u64,
    /// Existing files left as they were, by the overwrite policy.
    pub skipped: u64,
    /// Entries deleted at the target because the snapshot does not have them.
    pub deleted: u64,
    /// Directories made.
    pub dirs_created: u64,
    /// Bytes of the files written.
    pub bytes: u64,
    pub duration_ms: u64,
    /// `Some(true)` when every file was read back and matched, `Some(false)` when one did
    /// not; absent when not asked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified: Option<bool>,
    /// Up to 100 paths skipped, with why.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", oai(default))]
    pub skipped_paths: Vec<RestoreProblem>,
    /// Up to 100 paths that failed, with why.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", oai(default))]
    pub failed: Vec<RestoreProblem>,
    /// How many failed in all (the list is capped).
    pub failed_count: u64,
}

/// A restore drill: proves a restore works by restoring a random sample of files from a
/// snapshot into a temporary directory, checking them against the snapshot, timing it, and
/// deleting them.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
pub struct DrillArgs {
    /// How many files to sample (1–1000).
    pub files: u32,
    /// At most this many bytes in all (files larger than what is left are skipped).
    pub max_bytes: u64,
    /// The snapshot (full id); the host's newest in the repository when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot_id: Option<String>,
}

/// What a drill found.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct DrillReport {
    pub snapshot_id: String,
    /// Files restored and checked.
    pub files: u64,
    pub bytes: u64,
    /// How long the restore took (a sample of the time to restore: RTO).
    pub restore_ms: u64,
    /// restic read every restored file back and it matched the snapshot.
    pub verified: bool,
    /// Files whose size or kind differed from the snapshot's, or that did not come back.
    pub mismatches: Vec<RestoreProblem>,
}
