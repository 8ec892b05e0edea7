//! What the server sends an agent as its config: the linked repositories (secrets
//! included), their delete guards and check holds, and the host's schedules.

#[allow(unused_imports)]
use super::*;

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
    /// The newest check of this repository that found errors, when none has passed since:
    /// forget and prune end `blocked` (`check.failed`) until a check passes, so no data a
    /// repair may need is deleted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed_check: Option<FailedCheck>,
    /// During a key rotation, until its `key_add` job ran: the password of the key to add.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_password: Option<String>,
}

/// A check that found errors in a repository.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct FailedCheck {
    pub job_id: Uuid,
    pub finished_at: DateTime<Utc>,
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
    /// A second repository linked to the host that each successful backup's snapshots are
    /// copied to (`restic copy`, after the retention when there is one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copy_to: Option<Uuid>,
    pub missed: MissedRun,
    /// Commands run before and after each backup of this schedule (admins set them).
    #[serde(default, skip_serializing_if = "BackupHooks::is_empty")]
    #[cfg_attr(feature = "openapi", oai(default))]
    pub hooks: BackupHooks,
    /// Why the server holds this schedule back (a blocking preflight finding): the agent
    /// does not fire it while set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blocked_by: Option<String>,
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
