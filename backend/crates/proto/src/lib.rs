//! The agent ⇄ server wire protocol: every type both sides exchange, and the protocol
//! version. The server and the agent both compile against this crate, so a change to the
//! wire format that one side misses is a compile error, not a JSON parse failure.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
#[cfg(feature = "sea-orm")]
use sea_orm::sea_query::StringLen;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Bumped on any incompatible change. Both sides send it; a mismatch is refused clearly.
pub const PROTOCOL_VERSION: u32 = 4;
/// Header carrying PROTOCOL_VERSION on every agent request.
pub const PROTOCOL_HEADER: &str = "X-Cairn-Protocol";
/// `aud` of agent request tokens.
pub const AGENT_AUDIENCE: &str = "cairn-agent";
/// Agent request tokens may live at most this long.
pub const MAX_TOKEN_TTL_SECS: i64 = 300;

/// What an agent says about its host.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
pub struct AgentFacts {
    pub hostname: String,
    /// e.g. "Debian GNU/Linux 12 (bookworm)".
    pub os: String,
    /// e.g. "x86_64".
    pub arch: String,
    pub agent_version: String,
    /// `None` when restic is not installed or does not answer `restic version`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restic_version: Option<String>,
    /// The host's IANA time zone (`Europe/Berlin`), the one its schedules use by default;
    /// `None` when the agent cannot tell (it then reads schedules in UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
}

/// `POST /api/agent/v1/enroll`: join with a one-time enrollment token.
#[derive(Serialize, Deserialize, Clone, Debug)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
pub struct EnrollRequest {
    pub protocol_version: u32,
    pub token: String,
    /// The agent's Ed25519 public key, 32 bytes, base64 (standard, padded).
    pub public_key: String,
    pub facts: AgentFacts,
}

#[derive(Serialize, Deserialize, Clone, Debug)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
pub struct EnrollResponse {
    pub host_id: Uuid,
    /// `SHA256:…` of the public key, as the server recorded it.
    pub fingerprint: String,
}

/// `POST /api/agent/v1/announce`: ask to join; an admin accepts or rejects.
#[derive(Serialize, Deserialize, Clone, Debug)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
pub struct AnnounceRequest {
    pub protocol_version: u32,
    pub public_key: String,
    pub facts: AgentFacts,
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Enum))]
#[cfg_attr(feature = "openapi", oai(rename_all = "snake_case"))]
#[serde(rename_all = "snake_case")]
pub enum AnnounceState {
    Pending,
    Accepted,
    Rejected,
}

/// Answer to an announce and to `POST /api/agent/v1/announce/status`.
#[derive(Serialize, Deserialize, Clone, Debug)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
pub struct AnnounceStatus {
    pub pending_id: Uuid,
    pub fingerprint: String,
    pub state: AnnounceState,
    /// Set once accepted: from then on the agent is this host.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_id: Option<Uuid>,
    /// Why it was rejected, when an admin said so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// `POST /api/agent/v1/poll`: the agent's state; also its heartbeat.
#[derive(Serialize, Deserialize, Clone, Debug)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
pub struct PollRequest {
    pub protocol_version: u32,
    pub facts: AgentFacts,
    /// Jobs the agent is running right now.
    pub running_jobs: Vec<Uuid>,
    /// Jobs whose events still wait in the agent's outbox (finished or not): the server
    /// must not call them lost, their story is on its way.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", oai(default))]
    pub unsent_jobs: Vec<Uuid>,
    /// The config version the agent has applied (0 = none yet).
    pub config_version: u64,
}

/// A repository as the agent needs it to run restic, secrets included. Travels only
/// inside an authenticated poll answer to the host it is linked to.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
pub struct RepositoryConfig {
    pub id: Uuid,
    pub name: String,
    /// restic repository URL: a path, `sftp:`, `rest:`, `s3:`, `b2:`…
    pub url: String,
    pub password: String,
    /// Backend environment, e.g. AWS_ACCESS_KEY_ID.
    pub env: BTreeMap<String, String>,
    /// How much one forget may remove.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", oai(default))]
    pub guard: ForgetGuard,
}

/// The delete guard of a repository: what one forget may remove before it stops, removes
/// nothing and ends `blocked` for an admin to approve.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
pub struct ForgetGuard {
    /// At most this many snapshots per run; absent: no count limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_delete_count: Option<u32>,
    /// At most this percentage of the snapshots in the run's scope; absent: no limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_delete_percent: Option<u32>,
    /// At least this many snapshots stay in each group restic forgets in (host and paths),
    /// whatever the policy says.
    pub min_keep: u32,
}

impl Default for ForgetGuard {
    fn default() -> Self {
        ForgetGuard { max_delete_count: None, max_delete_percent: Some(50), min_keep: 1 }
    }
}

impl ForgetGuard {
    /// Why removing `remove` of `total` snapshots (the fewest any group keeps being
    /// `least_kept`) is refused; `None` when allowed.
    pub fn refuses(&self, remove: usize, total: usize, least_kept: usize) -> Option<String> {
        if remove == 0 {
            return None;
        }
        if let Some(max) = self.max_delete_count
            && remove > max as usize
        {
            return Some(format!(
                "it would remove {remove} snapshots, more than this repository's limit of {max} per run"
            ));
        }
        if let Some(pct) = self.max_delete_percent
            && remove * 100 > pct as usize * total
        {
            return Some(format!(
                "it would remove {remove} of {total} snapshots, more than this repository's limit of {pct} %"
            ));
        }
        if least_kept < self.min_keep as usize {
            return Some(format!(
                "a group would keep {least_kept} snapshot(s), fewer than this repository's minimum of {}",
                self.min_keep
            ));
        }
        None
    }
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
pub struct AgentConfig {
    pub version: u64,
    pub repositories: Vec<RepositoryConfig>,
    /// The host's schedules, enabled or not; the agent fires the enabled ones with a cron
    /// on its own clock, even while the server is away.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", oai(default))]
    pub schedules: Vec<ScheduleConfig>,
}

/// A schedule as its host's agent runs it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
pub struct ScheduleConfig {
    pub id: Uuid,
    pub name: String,
    pub repository_id: Uuid,
    /// A 5-field cron expression; absent for a manual schedule (runs only when asked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cron: Option<String>,
    /// The IANA zone the cron expression is read in.
    pub timezone: String,
    pub enabled: bool,
    pub backup: BackupSpec,
    /// Applied by `forget` after each backup when `forget_after_backup`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention: Option<RetentionPolicy>,
    pub forget_after_backup: bool,
    pub prune_after_forget: bool,
    /// restic `prune --max-unused` (e.g. `5%`, `2G`, `unlimited`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prune_max_unused: Option<String>,
    pub missed: MissedRun,
}

/// What a fire missed while the agent was stopped becomes when it starts again.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Enum))]
#[cfg_attr(feature = "openapi", oai(rename_all = "snake_case"))]
#[serde(rename_all = "snake_case")]
pub enum MissedRun {
    /// One run at start, however many fires were missed (never a burst).
    #[default]
    RunOnce,
    /// Nothing; the next fire runs as usual.
    Skip,
}

impl MissedRun {
    pub fn as_str(self) -> &'static str {
        match self {
            MissedRun::RunOnce => "run_once",
            MissedRun::Skip => "skip",
        }
    }
}

/// Which snapshots `restic forget` keeps; every rule that is set keeps its own, and a
/// snapshot any rule keeps stays.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
pub struct RetentionPolicy {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keep_last: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keep_hourly: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keep_daily: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keep_weekly: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keep_monthly: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keep_yearly: Option<u32>,
    /// Keep every snapshot newer than this, restic's duration form: `30d`, `1y6m`, `2w`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keep_within: Option<String>,
    /// Keep every snapshot with any of these tags.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "openapi", oai(default))]
    pub keep_tags: Vec<String>,
}

impl RetentionPolicy {
    /// True when no rule is set: `forget` would keep nothing.
    pub fn keeps_nothing(&self) -> bool {
        [
            self.keep_last,
            self.keep_hourly,
            self.keep_daily,
            self.keep_weekly,
            self.keep_monthly,
            self.keep_yearly,
        ]
        .iter()
        .all(|k| k.unwrap_or(0) == 0)
            && self.keep_within.is_none()
            && self.keep_tags.is_empty()
    }
}

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

// ---- asking the agent -------------------------------------------------------------------

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
}

// ---- job events -------------------------------------------------------------------------

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
    /// The schedule's backup succeeded and it forgets (and prunes) after each one.
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

#[derive(Serialize, Deserialize, Clone, Debug)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
pub struct PollResponse {
    pub commands: Vec<Command>,
    /// Present when the server has a config newer than the one the agent applied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<AgentConfig>,
    /// How long the server holds a poll with nothing to say, in seconds.
    pub poll_timeout_secs: u64,
    /// Set when a held poll ends in a refusal after its 200 head went out (the host was
    /// deleted while the poll waited): the code and message the refusal would carry as a
    /// 401. The agent acts on it as on that 401.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refused: Option<Refusal>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct Refusal {
    /// One of [`codes`], e.g. `agent.revoked`.
    pub code: String,
    pub message: String,
}

/// Claims of the JWT an agent signs (EdDSA) for every request.
#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct AgentClaims {
    /// The host id (or, before acceptance, the pending id).
    pub sub: Uuid,
    pub aud: String,
    pub iat: i64,
    pub exp: i64,
}

/// `SHA256:` + base64 (no padding) of the raw public key, like OpenSSH fingerprints.
pub fn fingerprint(public_key: &[u8]) -> String {
    use base64::Engine;
    use sha2::Digest;
    let digest = sha2::Sha256::digest(public_key);
    format!("SHA256:{}", base64::engine::general_purpose::STANDARD_NO_PAD.encode(digest))
}

/// Parses a certificate pin: `SHA256:<base64>` (as the web app shows it) or the 64 hex
/// digits of the digest, with or without colons (as `openssl x509 -fingerprint -sha256`
/// prints them). Returns the 32-byte SHA-256.
pub fn parse_pin(pin: &str) -> Result<[u8; 32], String> {
    use base64::Engine;
    let pin = pin.trim();
    let bytes = if let Some(b64) = pin.strip_prefix("SHA256:") {
        base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(b64.trim_end_matches('='))
            .map_err(|_| format!("{pin:?} is not SHA256:<base64>"))?
    } else {
        let hex: String = pin.chars().filter(|c| *c != ':').collect();
        if hex.len() != 64 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(format!(
                "{pin:?} is not a certificate fingerprint: use SHA256:<base64> or 64 hex digits"
            ));
        }
        (0..32).filter_map(|i| u8::from_str_radix(&hex[i * 2..i * 2 + 2], 16).ok()).collect()
    };
    bytes.try_into().map_err(|_| format!("{pin:?} is not a 32-byte SHA-256 fingerprint"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins_parse_in_both_spellings() {
        let cert = b"some certificate bytes";
        let fp = fingerprint(cert);
        use sha2::Digest;
        let digest: [u8; 32] = sha2::Sha256::digest(cert).into();
        assert_eq!(parse_pin(&fp).unwrap(), digest);
        let hex: Vec<String> = digest.iter().map(|b| format!("{b:02X}")).collect();
        assert_eq!(parse_pin(&hex.join(":")).unwrap(), digest);
        assert_eq!(parse_pin(&hex.concat().to_lowercase()).unwrap(), digest);
        assert!(parse_pin("SHA256:abc").unwrap_err().contains("32-byte"));
        assert!(parse_pin("deadbeef").unwrap_err().contains("fingerprint"));
        assert!(parse_pin("SHA256:!!!").is_err());
    }

    #[test]
    fn fingerprint_matches_openssh_style() {
        // base64 without padding of sha256("abc").
        assert_eq!(fingerprint(b"abc"), "SHA256:ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0");
    }

    #[test]
    fn wire_names_are_stable() {
        let cmd = Command {
            id: Uuid::nil(),
            created_at: DateTime::UNIX_EPOCH,
            action: Action::Ping(Ping {}),
        };
        let v = serde_json::to_value(&cmd).unwrap();
        assert_eq!(v["action"], serde_json::json!({"kind": "ping"}));
        // Job arguments are tagged by kind, flat beside the tag.
        let spec = JobSpec {
            job_id: Uuid::nil(),
            repository_id: Uuid::nil(),
            config_version: 4,
            args: JobArgs::Backup(BackupSpec { paths: vec!["/etc".into()], ..Default::default() }),
            schedule_id: None,
        };
        let v = serde_json::to_value(&spec).unwrap();
        assert!(v.get("schedule_id").is_none(), "absent, not null, when not a schedule's");
        assert_eq!(
            v["args"],
            serde_json::json!({"kind": "backup", "paths": ["/etc"], "excludes": [], "tags": [],
                               "exclude_files": [], "one_file_system": false})
        );
        // A schedule's fire, as its first event says it.
        let created = JobEvent {
            seq: 1,
            at: DateTime::UNIX_EPOCH,
            kind: JobEventKind::Created,
            stream: None,
            line: None,
            pid: None,
            progress: None,
            snapshots: None,
            result: None,
            created: Some(AgentJob {
                schedule_id: Uuid::nil(),
                repository_id: Uuid::nil(),
                config_version: 2,
                args: JobArgs::Init(InitArgs {}),
                fire_time: DateTime::UNIX_EPOCH,
                trigger: FireTrigger::Missed,
            }),
        };
        let cv = serde_json::to_value(&created).unwrap();
        assert_eq!(cv["kind"], "created");
        assert_eq!(cv["created"]["trigger"], "missed");
        assert_eq!(cv["created"]["args"], serde_json::json!({"kind": "init"}));
        // An older server's arguments (no exclude files, no limits) still read.
        let old: JobArgs = serde_json::from_str(r#"{"kind":"backup","paths":["/etc"]}"#).unwrap();
        assert_eq!(
            old.backup().map(|b| (b.one_file_system, b.limit_upload_kib)),
            Some((false, None))
        );
        let back: JobSpec = serde_json::from_value(v).unwrap();
        assert_eq!(
            (back.args.kind(), back.args.backup().map(|b| b.paths.len())),
            (JobKind::Backup, Some(1))
        );
        let init: JobArgs = serde_json::from_str(r#"{"kind":"init"}"#).unwrap();
        assert_eq!(init, JobArgs::Init(InitArgs {}));
        assert!(serde_json::from_str::<JobArgs>(r#"{"kind":"format_disk"}"#).is_err());
        let a: Answer = serde_json::from_str(
            r#"{"kind":"failed","error_class":"restic.wrong_password","message":"no"}"#,
        )
        .unwrap();
        assert!(matches!(a, Answer::Failed(f) if f.error_class == "restic.wrong_password"));
        let e: JobEvent = serde_json::from_value(serde_json::json!({
            "seq": 3, "at": "2026-01-01T00:00:00Z", "kind": "log", "stream": "stderr", "line": "x"
        }))
        .unwrap();
        assert_eq!((e.kind, e.stream), (JobEventKind::Log, Some(LogStream::Stderr)));
        let r: JobResult = serde_json::from_str(r#"{"outcome":"warning"}"#).unwrap();
        assert_eq!(r.outcome, JobOutcome::Warning);
        let s: AnnounceState = serde_json::from_str("\"rejected\"").unwrap();
        assert_eq!(s, AnnounceState::Rejected);
    }
}

/// Error codes of the agent API that the agent acts on (the server's registry, `Code`,
/// takes its text from here, so the two cannot drift).
pub mod codes {
    /// The two sides speak different protocol versions.
    pub const AGENT_PROTOCOL_MISMATCH: &str = "agent.protocol_mismatch";
    /// The host is unknown or was deleted: enroll again.
    pub const AGENT_REVOKED: &str = "agent.revoked";
    /// The token's time does not fit the server's clock.
    pub const AGENT_CLOCK_SKEW: &str = "agent.clock_skew";
    /// Any other refused agent credential.
    pub const AGENT_UNAUTHORIZED: &str = "agent.unauthorized";
}
