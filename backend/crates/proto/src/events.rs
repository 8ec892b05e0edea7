//! What an agent reports of its jobs: events in `seq` order (logs, progress, status),
//! the job an agent made on its own clock, and each kind's result.

#[allow(unused_imports)]
use super::*;

/// What an event says.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Enum))]
#[cfg_attr(feature = "openapi", oai(rename_all = "snake_case"))]
#[serde(rename_all = "snake_case")]
pub enum JobEventKind {
    /// The agent made this job itself, for a schedule's fire (`created`). Always seq 1:
    /// the server learns of the job from it, even when it arrives hours later.
    Created,
    /// restic started (`pid`).
    Started,
    /// A line restic printed (`stream`, `line`).
    Log,
    /// The latest progress (`progress`); at most two per second.
    Progress,
    /// The repository's snapshots of this host (`snapshots`), replacing the known list.
    Snapshots,
    /// The job ended (`result`). Always the last event of a job.
    Finished,
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Enum))]
#[cfg_attr(feature = "openapi", oai(rename_all = "snake_case"))]
#[serde(rename_all = "snake_case")]
pub enum LogStream {
    Stdout,
    Stderr,
    /// A line from the agent itself (e.g. "restic 0.14.0 started, pid 123").
    Agent,
    /// A line a schedule's pre or post hook printed.
    Hook,
}

/// One event of a job. `seq` starts at 1 and grows by one per event of that job across
/// all kinds; the server applies each `seq` once, so a retried batch changes nothing.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
pub struct JobEvent {
    pub seq: u64,
    pub at: DateTime<Utc>,
    pub kind: JobEventKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream: Option<LogStream>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pid: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress: Option<JobProgress>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshots: Option<Vec<SnapshotInfo>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<JobResult>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<AgentJob>,
}

/// A job the agent made on its own clock: which schedule fired, and what it runs.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
pub struct AgentJob {
    pub schedule_id: Uuid,
    pub repository_id: Uuid,
    /// The config version the agent fired it under.
    pub config_version: u64,
    pub args: JobArgs,
    /// The cron time this run belongs to (for a catch-up run, the last fire missed).
    pub fire_time: DateTime<Utc>,
    pub trigger: FireTrigger,
}

/// Why the agent started a scheduled run.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Enum))]
#[cfg_attr(feature = "openapi", oai(rename_all = "snake_case"))]
#[serde(rename_all = "snake_case")]
pub enum FireTrigger {
    /// The cron fired on time.
    OnTime,
    /// One or more fires passed while the agent was stopped (or its host asleep); this is
    /// the one run the `run_once` policy makes for them.
    Missed,
    /// A fire came while the schedule's previous run was still running; this run follows it.
    Coalesced,
    /// The schedule's backup succeeded and it forgets (and prunes), or copies to a mirror,
    /// after each one.
    AfterBackup,
}

impl FireTrigger {
    pub fn as_str(self) -> &'static str {
        match self {
            FireTrigger::OnTime => "on_time",
            FireTrigger::Missed => "missed",
            FireTrigger::Coalesced => "coalesced",
            FireTrigger::AfterBackup => "after_backup",
        }
    }
}

/// `POST /api/agent/v1/jobs/{id}/events`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
pub struct JobEventBatch {
    pub events: Vec<JobEvent>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
pub struct JobEventAck {
    /// Every event up to this `seq` is stored.
    pub stored_through: u64,
    /// Someone asked to cancel this job (the agent may also learn it from a poll).
    pub cancel_requested: bool,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
pub struct JobProgress {
    /// 0.0 – 1.0.
    pub fraction: f64,
    pub total_files: u64,
    pub files_done: u64,
    pub total_bytes: u64,
    pub bytes_done: u64,
    pub seconds_elapsed: u64,
    /// restic's estimate; absent while it cannot tell.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds_remaining: Option<u64>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", oai(default))]
    pub current_files: Vec<String>,
}

/// How a job ended.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Enum))]
#[cfg_attr(feature = "openapi", oai(rename_all = "snake_case"))]
#[serde(rename_all = "snake_case")]
pub enum JobOutcome {
    Succeeded,
    /// Done, but not everything: e.g. an incomplete snapshot (unreadable files).
    Warning,
    #[default]
    Failed,
    Cancelled,
    /// The agent lost track of it (it was restarted while the job ran).
    Lost,
    /// A guard stopped it before it changed anything (e.g. a forget that would remove more
    /// snapshots than the repository allows); the result says why.
    Blocked,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
pub struct BackupSummary {
    pub files_new: u64,
    pub files_changed: u64,
    pub files_unmodified: u64,
    pub dirs_new: u64,
    pub dirs_changed: u64,
    pub dirs_unmodified: u64,
    pub data_added: u64,
    pub total_files_processed: u64,
    pub total_bytes_processed: u64,
    pub total_duration_secs: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot_id: Option<String>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
pub struct JobResult {
    pub outcome: JobOutcome,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
    /// Stable class, e.g. `restic.wrong_password`, `restic.locked`, `agent.restarted`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_class: Option<String>,
    /// A sentence for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<BackupSummary>,
    /// Paths restic could not read (an incomplete snapshot).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", oai(default))]
    pub unreadable: Vec<String>,
    /// A restic lock left behind (e.g. by a killed backup), described for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stale_lock: Option<String>,
    /// A forget's snapshots kept and removed (or, when blocked, that it would have removed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forget: Option<ForgetReport>,
    /// A stats job's figures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stats: Option<RepositoryStats>,
    /// An unlock's locks: removed, and still held.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locks: Option<LockReport>,
    /// What a `key_add` or `key_remove` did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keys: Option<KeyReport>,
    /// What a `copy` moved, and how far the mirror is behind its source after it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copy: Option<CopyReport>,
    /// What a restore placed, skipped and failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restore: Option<RestoreReport>,
    /// What a restore drill restored, how long it took, and whether it all matched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drill: Option<DrillReport>,
    /// A backup's preflight findings on the agent (warnings it ran with, or what blocked
    /// it); empty when all passed.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", oai(default))]
    pub findings: Vec<Finding>,
}

/// What a forget kept and removed, with restic's reasons for each kept snapshot.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct ForgetReport {
    pub keep: Vec<ForgetSnapshot>,
    pub remove: Vec<ForgetSnapshot>,
    /// Whether the snapshots in `remove` are gone (false: a dry run, or blocked).
    pub removed: bool,
}

/// A snapshot in a forget's report.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct ForgetSnapshot {
    /// The full 64-hex id.
    pub id: String,
    pub time: DateTime<Utc>,
    pub hostname: String,
    pub paths: Vec<String>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", oai(default))]
    pub tags: Vec<String>,
    /// Why it is kept, as restic says it (`daily snapshot`, `last snapshot`…); empty for
    /// one removed.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", oai(default))]
    pub reasons: Vec<String>,
}

/// A repository's size as `restic stats` measures it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct RepositoryStats {
    /// What restoring every snapshot would write (`--mode restore-size`).
    pub restore_size: u64,
    /// What the repository stores (`--mode raw-data`), after dedup and compression.
    pub raw_size: u64,
    pub snapshots: u64,
    /// `restore_size / raw_size`: how much dedup and compression save.
    pub dedup_ratio: f64,
}

/// A copy's result, measured by listing both repositories after it: the source's
/// snapshots in the copy's scope, and which of them the mirror holds (by restic's
/// `original` id, which a copied snapshot keeps).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
pub struct CopyReport {
    /// Snapshots this run added to the mirror.
    pub copied: u32,
    /// Snapshots in the source within the copy's scope (host, tags).
    pub source_snapshots: u32,
    /// Of those, how many the mirror does not hold after the run.
    pub missing: u32,
    /// The newest snapshot in the source's scope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_newest: Option<DateTime<Utc>>,
    /// The newest of the source's snapshots that the mirror holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copied_newest: Option<DateTime<Utc>>,
}

/// The locks an unlock found.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct LockReport {
    pub removed: Vec<LockHolder>,
    /// Live locks left in place (their owner may still run).
    pub remaining: Vec<LockHolder>,
}

/// Who holds a restic lock.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct LockHolder {
    pub hostname: String,
    pub pid: u32,
    pub username: String,
    pub exclusive: bool,
    pub since: DateTime<Utc>,
}

/// A snapshot as `restic snapshots --json` describes it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
pub struct SnapshotInfo {
    /// The full 64-hex id.
    pub id: String,
    pub time: DateTime<Utc>,
    pub hostname: String,
    pub paths: Vec<String>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", oai(default))]
    pub tags: Vec<String>,
}

/// A key rotation's step: the key the old password opened and the one added (`key_add`),
/// or the key removed (`key_remove`). Ids are as `restic key list` prints them.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
pub struct KeyReport {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_key_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_key_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub removed_key_id: Option<String>,
}
