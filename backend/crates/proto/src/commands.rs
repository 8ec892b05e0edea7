//! Commands the server hands an agent through the poll (ping, run a job, cancel one),
//! the kinds of job and each kind's typed arguments.

#[allow(unused_imports)]
use super::*;

/// A command for the agent: its id, when it was made, and what it asks (`action`, tagged
/// by `kind`). A new kind of command is a new `Action` variant, so both sides learn of it
/// from the compiler.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
pub struct Command {
    pub id: Uuid,
    pub created_at: DateTime<Utc>,
    pub action: Action,
}

impl Command {
    pub fn kind(&self) -> CommandKind {
        self.action.kind()
    }
}

/// What a command asks of the agent.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Union))]
#[cfg_attr(feature = "openapi", oai(discriminator_name = "kind", one_of))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Action {
    /// The test command: operators use it to check a host answers; the benchmark measures
    /// its latency.
    #[cfg_attr(feature = "openapi", oai(mapping = "ping"))]
    Ping(Ping),
    #[cfg_attr(feature = "openapi", oai(mapping = "run_job"))]
    RunJob(RunJob),
    #[cfg_attr(feature = "openapi", oai(mapping = "cancel_job"))]
    CancelJob(CancelJob),
    /// A question the server awaits an answer to (`POST /api/agent/v1/asks/{id}/answer`,
    /// `id` = this command's id) before `deadline`.
    #[cfg_attr(feature = "openapi", oai(mapping = "ask"))]
    Ask(Ask),
}

impl Action {
    pub fn kind(&self) -> CommandKind {
        match self {
            Action::Ping(_) => CommandKind::Ping,
            Action::RunJob(_) => CommandKind::RunJob,
            Action::CancelJob(_) => CommandKind::CancelJob,
            Action::Ask(_) => CommandKind::Ask,
        }
    }
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct Ping {}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct RunJob {
    pub job: JobSpec,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct CancelJob {
    pub job_id: Uuid,
}

/// The kinds of command, as the server's queue stores them.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Enum))]
#[cfg_attr(feature = "openapi", oai(rename_all = "snake_case"))]
#[cfg_attr(feature = "sea-orm", derive(sea_orm::DeriveActiveEnum, sea_orm::EnumIter))]
#[cfg_attr(
    feature = "sea-orm",
    sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))", rename_all = "snake_case")
)]
#[serde(rename_all = "snake_case")]
pub enum CommandKind {
    Ping,
    RunJob,
    CancelJob,
    Ask,
}

/// What a job does.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Enum))]
#[cfg_attr(feature = "openapi", oai(rename_all = "snake_case"))]
#[cfg_attr(feature = "sea-orm", derive(sea_orm::DeriveActiveEnum, sea_orm::EnumIter))]
#[cfg_attr(
    feature = "sea-orm",
    sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))", rename_all = "snake_case")
)]
#[serde(rename_all = "snake_case")]
pub enum JobKind {
    /// `restic backup` of `backup.paths`, then a snapshot report.
    Backup,
    /// `restic init` of a new repository.
    Init,
    /// Report the repository's snapshots of this host (`restic snapshots --host`).
    Snapshots,
    /// `restic forget` with a retention policy, within the repository's delete guard; then
    /// `prune` when asked.
    Forget,
    /// `restic prune`.
    Prune,
    /// `restic check`, optionally reading a subset of the data.
    Check,
    /// `restic unlock`: stale locks only, or every lock when an admin confirmed it.
    Unlock,
    /// `restic stats`: restore size, raw size, dedup ratio, snapshot count.
    Stats,
    /// The first half of a key rotation: `restic key add` with the new password from the
    /// agent's config (`RepositoryConfig.new_password`).
    KeyAdd,
    /// The second half, once every linked host runs with the new password: `restic key
    /// remove` of the old key.
    KeyRemove,
    /// `restic copy` of snapshots into this job's repository from another repository
    /// linked to the same host (a mirror for 3-2-1), then both sides listed to measure
    /// how far the mirror is behind.
    Copy,
    /// `restic restore` of paths of a snapshot, placed by the overwrite policy.
    Restore,
    /// A restore drill: a random sample of a snapshot restored, checked and deleted.
    Drill,
}

impl JobKind {
    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::Backup => "backup",
            JobKind::Init => "init",
            JobKind::Snapshots => "snapshots",
            JobKind::Forget => "forget",
            JobKind::Prune => "prune",
            JobKind::Check => "check",
            JobKind::Unlock => "unlock",
            JobKind::Stats => "stats",
            JobKind::KeyAdd => "key_add",
            JobKind::KeyRemove => "key_remove",
            JobKind::Copy => "copy",
            JobKind::Restore => "restore",
            JobKind::Drill => "drill",
        }
    }
}

/// A job as the agent receives it. The repository's URL and secrets are in the agent's
/// config (`repository_id`), never in the job.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
pub struct JobSpec {
    pub job_id: Uuid,
    pub repository_id: Uuid,
    /// The config version the job was created under: the agent applies that config (or a
    /// newer one) before it starts, so a just-linked repository is known.
    pub config_version: u64,
    pub args: JobArgs,
    /// The schedule the job runs for (its "Run now"), so the agent coalesces a fire that
    /// comes while it runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule_id: Option<Uuid>,
}

/// A job's kind with the arguments of that kind, tagged by `kind`. The server stores it
/// as the job's `args` and the agent runs it; a new kind of job is a new variant.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Union))]
#[cfg_attr(feature = "openapi", oai(discriminator_name = "kind", one_of))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum JobArgs {
    #[cfg_attr(feature = "openapi", oai(mapping = "backup"))]
    Backup(BackupSpec),
    #[cfg_attr(feature = "openapi", oai(mapping = "init"))]
    Init(InitArgs),
    #[cfg_attr(feature = "openapi", oai(mapping = "snapshots"))]
    Snapshots(SnapshotsArgs),
    #[cfg_attr(feature = "openapi", oai(mapping = "forget"))]
    Forget(ForgetArgs),
    #[cfg_attr(feature = "openapi", oai(mapping = "prune"))]
    Prune(PruneArgs),
    #[cfg_attr(feature = "openapi", oai(mapping = "check"))]
    Check(CheckArgs),
    #[cfg_attr(feature = "openapi", oai(mapping = "unlock"))]
    Unlock(UnlockArgs),
    #[cfg_attr(feature = "openapi", oai(mapping = "stats"))]
    Stats(StatsArgs),
    #[cfg_attr(feature = "openapi", oai(mapping = "key_add"))]
    KeyAdd(KeyAddArgs),
    #[cfg_attr(feature = "openapi", oai(mapping = "key_remove"))]
    KeyRemove(KeyRemoveArgs),
    #[cfg_attr(feature = "openapi", oai(mapping = "copy"))]
    Copy(CopyArgs),
    #[cfg_attr(feature = "openapi", oai(mapping = "restore"))]
    Restore(RestoreArgs),
    #[cfg_attr(feature = "openapi", oai(mapping = "drill"))]
    Drill(DrillArgs),
}

impl JobArgs {
    pub fn kind(&self) -> JobKind {
        match self {
            JobArgs::Backup(_) => JobKind::Backup,
            JobArgs::Init(_) => JobKind::Init,
            JobArgs::Snapshots(_) => JobKind::Snapshots,
            JobArgs::Forget(_) => JobKind::Forget,
            JobArgs::Prune(_) => JobKind::Prune,
            JobArgs::Check(_) => JobKind::Check,
            JobArgs::Unlock(_) => JobKind::Unlock,
            JobArgs::Stats(_) => JobKind::Stats,
            JobArgs::KeyAdd(_) => JobKind::KeyAdd,
            JobArgs::KeyRemove(_) => JobKind::KeyRemove,
            JobArgs::Copy(_) => JobKind::Copy,
            JobArgs::Restore(_) => JobKind::Restore,
            JobArgs::Drill(_) => JobKind::Drill,
        }
    }

    /// What a backup was asked to save; `None` for other kinds.
    pub fn backup(&self) -> Option<&BackupSpec> {
        match self {
            JobArgs::Backup(b) => Some(b),
            _ => None,
        }
    }
}

// One type per kind, even when empty: the document's schema of a variant names its one
// `kind` value, so two kinds cannot share a type.
/// `restic init` takes no arguments.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct InitArgs {}

/// Listing snapshots takes no arguments (the host is the agent's own).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct SnapshotsArgs {}

/// `restic forget` (then `prune` when `prune`): which snapshots it may touch and which it
/// keeps. It first asks restic what it would remove (`--dry-run`); a run that would remove
/// more than the repository's delete guard allows removes nothing and ends `blocked`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
pub struct ForgetArgs {
    pub policy: RetentionPolicy,
    /// Only snapshots of this host name (restic `--host`); absent: every host's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// Only snapshots with all of these tags (restic `--tag`).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", oai(default))]
    pub tags: Vec<String>,
    /// Run `restic prune` after the forget.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", oai(default))]
    pub prune: bool,
    /// `prune --max-unused` (`5%`, `2G`, `unlimited`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_unused: Option<String>,
    /// An admin approved this one run past the delete guard.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", oai(default))]
    pub approved: bool,
}

/// `restic prune`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
pub struct PruneArgs {
    /// `--max-unused` (`5%`, `2G`, `unlimited`); restic's default (5%) when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_unused: Option<String>,
    /// `--max-repack-size` (`500M`, `2G`): at most this much is repacked in one run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_repack_size: Option<String>,
    /// `--repack-cacheable-only`: repack only packs restic caches (tree packs), for
    /// backends where reading data is expensive.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", oai(default))]
    pub repack_cacheable_only: bool,
    /// `--repack-small`: also repack packs below 80 % of the target pack size.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", oai(default))]
    pub repack_small: bool,
    /// `--repack-uncompressed`: repack all uncompressed data (repository format 2 only).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", oai(default))]
    pub repack_uncompressed: bool,
}

/// `restic check`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
pub struct CheckArgs {
    /// `--read-data-subset`: a percentage (`10%`), `n/m`, or a size (`500M`); absent: the
    /// structure only, no data read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_data_subset: Option<String>,
}

/// `restic unlock`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct UnlockArgs {
    /// Also live locks (`--remove-all`): only when their owner is known to be gone.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", oai(default))]
    pub remove_all: bool,
}

/// `restic stats` takes no arguments (the whole repository).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct StatsArgs {}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
pub struct BackupSpec {
    /// Absolute paths to back up.
    pub paths: Vec<String>,
    /// restic `--exclude` patterns.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", oai(default))]
    pub excludes: Vec<String>,
    /// Tags on the new snapshot.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", oai(default))]
    pub tags: Vec<String>,
    /// Files on the host that list more exclude patterns (restic `--exclude-file`).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", oai(default))]
    pub exclude_files: Vec<String>,
    /// Stay on the file system of each path (restic `--one-file-system`).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", oai(default))]
    pub one_file_system: bool,
    /// Upload limit in KiB/s (restic `--limit-upload`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit_upload_kib: Option<u32>,
    /// Download limit in KiB/s (restic `--limit-download`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit_download_kib: Option<u32>,
    /// More `restic backup` options from the allow-list (`BACKUP_OPTIONS`), each
    /// `--name` or `--name=value`, e.g. `--exclude-caches`, `--exclude-larger-than=2G`.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", oai(default))]
    pub extra_options: Vec<String>,
}

/// `restic key add`: the new password is in the agent's config, never in the job (jobs are
/// stored and listed).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct KeyAddArgs {}

/// `restic key remove` of the key the old password opened.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct KeyRemoveArgs {
    /// The key's id as `restic key list` prints it (8 hex digits, or 64 by version);
    /// restic takes a unique prefix.
    pub key_id: String,
}

/// `restic copy` into the job's repository (the mirror) from `from_repository_id` (the
/// source), both linked to the host that runs it. Snapshots already in the mirror are
/// skipped, so a copy only moves what is new.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
pub struct CopyArgs {
    pub from_repository_id: Uuid,
    /// Only snapshots of this host name (restic `--host`); absent: every host's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// Only snapshots with all of these tags (restic `--tag`).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", oai(default))]
    pub tags: Vec<String>,
}
