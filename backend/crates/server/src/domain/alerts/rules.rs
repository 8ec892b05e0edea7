//! The alert rules Cairn knows: each with a key, what it watches, a default severity and
//! thresholds, and whether it is on by default. An admin's settings (stored per rule)
//! override the defaults; a rule without settings runs with them.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// How bad an alert is; ordered, weakest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Info,
    Warning,
    Error,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 4] =
        [Severity::Info, Severity::Warning, Severity::Error, Severity::Critical];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
            Severity::Critical => "critical",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// What an alert is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// A backup failed (a schedule's, or one started by hand); repeats escalate.
    BackupFailed,
    /// A backup finished with a warning: an incomplete snapshot, files it could not read.
    BackupWarning,
    /// A job's agent lost it (restarted without it, or never received it).
    JobLost,
    /// `restic check` found a problem or could not run.
    CheckFailed,
    /// A forget or prune failed (or a delete guard stopped it).
    MaintenanceFailed,
    RestoreFailed,
    /// A restore succeeded (off by default: for a webhook on every restore).
    RestoreSucceeded,
    /// A restore drill failed or found a mismatch.
    DrillFailed,
    /// An agent has not been in touch for longer than `minutes`.
    AgentOffline,
    /// A schedule's fire passed (plus `grace_minutes`) with no successful backup since.
    NothingRan,
    /// A host in scope has had no successful backup for `hours` (an RPO per host tag).
    RpoMissed,
    /// A host has no enabled schedule with a cron expression `hours` after it enrolled.
    Unscheduled,
    /// A job queued, dispatched or running far longer than its usual duration.
    JobStuck,
    /// A job found the repository locked, and nothing has taken its lock since.
    RepositoryLocked,
    /// A forget would delete more than the repository's delete guard allows.
    GuardTripped,
    /// An agent older than the server, or a restic older than the fleet's newest.
    VersionBehind,
    /// A backup changed far more than the host's own baseline.
    UnusualChange,
}

impl Rule {
    pub const ALL: [Rule; 17] = [
        Rule::BackupFailed,
        Rule::BackupWarning,
        Rule::NothingRan,
        Rule::RpoMissed,
        Rule::Unscheduled,
        Rule::UnusualChange,
        Rule::JobStuck,
        Rule::JobLost,
        Rule::CheckFailed,
        Rule::MaintenanceFailed,
        Rule::RestoreFailed,
        Rule::RestoreSucceeded,
        Rule::DrillFailed,
        Rule::AgentOffline,
        Rule::VersionBehind,
        Rule::RepositoryLocked,
        Rule::GuardTripped,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Rule::BackupFailed => "backup_failed",
            Rule::BackupWarning => "backup_warning",
            Rule::JobLost => "job_lost",
            Rule::CheckFailed => "check_failed",
            Rule::MaintenanceFailed => "maintenance_failed",
            Rule::RestoreFailed => "restore_failed",
            Rule::RestoreSucceeded => "restore_succeeded",
            Rule::DrillFailed => "drill_failed",
            Rule::AgentOffline => "agent_offline",
            Rule::NothingRan => "nothing_ran",
            Rule::RpoMissed => "rpo_missed",
            Rule::Unscheduled => "unscheduled",
            Rule::JobStuck => "job_stuck",
            Rule::RepositoryLocked => "repository_locked",
            Rule::GuardTripped => "guard_tripped",
            Rule::VersionBehind => "version_behind",
            Rule::UnusualChange => "unusual_change",
        }
    }

    pub fn parse(s: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// One line for the rules page.
    pub fn describe(self) -> &'static str {
        match self {
            Rule::BackupFailed => {
                "A backup failed. Each further failure of the same schedule counts; at `escalate_after` in a row the alert becomes critical. The next successful backup resolves it."
            }
            Rule::BackupWarning => {
                "A backup finished with a warning (an incomplete snapshot, files it could not read). The next clean backup resolves it."
            }
            Rule::JobLost => {
                "A job's agent no longer knows it (restarted without it, or never received it). The next job that succeeds on that host and repository resolves it."
            }
            Rule::CheckFailed => {
                "restic check found a problem in a repository, or could not run. The next successful check resolves it."
            }
            Rule::MaintenanceFailed => {
                "A forget or prune failed, or a delete guard stopped it. The next successful run of that kind resolves it."
            }
            Rule::RestoreFailed => {
                "A restore failed. The next successful restore on that host resolves it."
            }
            Rule::RestoreSucceeded => {
                "A restore succeeded: raised and resolved at once, for a notification on every restore."
            }
            Rule::DrillFailed => {
                "A restore drill failed or found files that did not match the snapshot. The next passing drill resolves it."
            }
            Rule::AgentOffline => {
                "An agent has not been in touch for `minutes`. Resolved when it is back."
            }
            Rule::NothingRan => {
                "A schedule should have fired, and `grace_minutes` later there is still no successful backup since (the agent was down, its clock stopped, every run failed or never started). Checked against each schedule's cron in its time zone; the next successful backup resolves it."
            }
            Rule::RpoMissed => {
                "A host has had no successful backup for `hours`, whatever its schedules say: a recovery point objective. Off until enabled; give it a host tag to hold only those hosts to it (\"every prod host within 26 h\"). The next successful backup resolves it."
            }
            Rule::Unscheduled => {
                "A host has no enabled schedule with a cron expression `hours` after it enrolled: nothing backs it up by itself. Resolved when it has one."
            }
            Rule::JobStuck => {
                "A job has been queued, dispatched or running for longer than `factor` × its usual duration (the median of its last 14 successful runs of that kind on that host), and at least `minutes`; a job waiting for an offline agent counts. Resolved when the job ends."
            }
            Rule::RepositoryLocked => {
                "A job found the repository locked, and for `minutes` no job has taken its lock since (a crashed run leaves a lock that blocks check and prune). A forget, prune or unlock that succeeds, or a run of the kind that was locked out, resolves it."
            }
            Rule::GuardTripped => {
                "A forget would delete more snapshots than the repository's delete guard allows, so it did not run: approve it on its job page or change the retention. The next successful forget resolves it."
            }
            Rule::VersionBehind => {
                "A host's agent is older than this server, or its restic is older than the newest restic in the fleet. Resolved when it is updated."
            }
            Rule::UnusualChange => {
                "A backup added or changed far more than this host's own baseline: more than `factor` × the median of its last `runs` successful backups, in bytes added (and at least `min_mib` MiB) or in files new or changed (and at least `min_files`). An early sign of ransomware encrypting files, or of a runaway job. The next backup within the baseline resolves it."
            }
        }
    }

    pub fn default_severity(self) -> Severity {
        match self {
            Rule::BackupFailed
            | Rule::CheckFailed
            | Rule::RestoreFailed
            | Rule::DrillFailed
            | Rule::AgentOffline
            | Rule::MaintenanceFailed
            | Rule::NothingRan
            | Rule::RpoMissed
            | Rule::RepositoryLocked => Severity::Error,
            Rule::BackupWarning
            | Rule::JobLost
            | Rule::Unscheduled
            | Rule::JobStuck
            | Rule::GuardTripped
            | Rule::UnusualChange => Severity::Warning,
            Rule::RestoreSucceeded | Rule::VersionBehind => Severity::Info,
        }
    }

    pub fn default_enabled(self) -> bool {
        // A notice nobody asked for, and an RPO nobody set, stay off until chosen.
        !matches!(self, Rule::RestoreSucceeded | Rule::RpoMissed)
    }

    /// The thresholds the rule reads, with their defaults.
    pub fn default_params(self) -> Value {
        match self {
            Rule::BackupFailed => json!({ "escalate_after": 3 }),
            Rule::AgentOffline => json!({ "minutes": 15 }),
            Rule::NothingRan => json!({ "grace_minutes": 60 }),
            Rule::RpoMissed => json!({ "hours": 26 }),
            Rule::Unscheduled => json!({ "hours": 24 }),
            Rule::JobStuck => json!({ "factor": 4, "minutes": 60 }),
            Rule::RepositoryLocked => json!({ "minutes": 30 }),
            Rule::UnusualChange => {
                json!({ "factor": 5, "runs": 14, "min_mib": 100, "min_files": 1000 })
            }
            _ => json!({}),
        }
    }

    /// Each threshold: name, default and allowed range.
    pub fn thresholds(self) -> Vec<(String, i64, (i64, i64))> {
        let defaults = self.default_params();
        let Some(map) = defaults.as_object() else { return Vec::new() };
        map.iter()
            .filter_map(|(name, v)| Some((name.clone(), v.as_i64()?, self.param_range(name)?)))
            .collect()
    }

    /// Each threshold's allowed range.
    pub fn param_range(self, name: &str) -> Option<(i64, i64)> {
        match (self, name) {
            (Rule::BackupFailed, "escalate_after") => Some((2, 100)),
            (Rule::AgentOffline, "minutes") => Some((2, 10_080)),
            (Rule::NothingRan, "grace_minutes") => Some((5, 10_080)),
            (Rule::RpoMissed | Rule::Unscheduled, "hours") => Some((1, 8_760)),
            (Rule::JobStuck, "factor") => Some((2, 100)),
            (Rule::JobStuck, "minutes") => Some((5, 10_080)),
            (Rule::RepositoryLocked, "minutes") => Some((5, 10_080)),
            (Rule::UnusualChange, "factor") => Some((2, 1_000)),
            (Rule::UnusualChange, "runs") => Some((5, 100)),
            (Rule::UnusualChange, "min_mib") => Some((1, 10_000_000)),
            (Rule::UnusualChange, "min_files") => Some((1, 100_000_000)),
            _ => None,
        }
    }
}

/// A rule's settings: the defaults with an admin's changes.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleSettings {
    pub rule: Rule,
    pub enabled: bool,
    pub severity: Severity,
    pub params: Value,
    /// Only hosts with this tag raise it (all when absent).
    pub host_tag: Option<String>,
    /// Changed from the defaults (an admin saved it).
    pub customised: bool,
}

impl RuleSettings {
    pub fn defaults(rule: Rule) -> RuleSettings {
        RuleSettings {
            rule,
            enabled: rule.default_enabled(),
            severity: rule.default_severity(),
            params: rule.default_params(),
            host_tag: None,
            customised: false,
        }
    }

    /// A threshold, falling back to the default when absent or out of range.
    pub fn param(&self, name: &str) -> i64 {
        let fallback = self.rule.default_params()[name].as_i64().unwrap_or(0);
        let v = self.params[name].as_i64().unwrap_or(fallback);
        match self.rule.param_range(name) {
            Some((lo, hi)) if (lo..=hi).contains(&v) => v,
            Some(_) => fallback,
            None => v,
        }
    }

    /// Whether a host with `tags` is in this rule's scope.
    pub fn covers(&self, tags: &[String]) -> bool {
        self.host_tag.as_ref().is_none_or(|t| tags.iter().any(|x| x == t))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_thresholds_fall_back() {
        for r in Rule::ALL {
            assert_eq!(Rule::parse(r.as_str()), Some(r));
        }
        for s in Severity::ALL {
            assert_eq!(Severity::parse(s.as_str()), Some(s));
        }
        assert!(Severity::Critical > Severity::Error && Severity::Warning > Severity::Info);
        let mut s = RuleSettings::defaults(Rule::AgentOffline);
        assert_eq!(s.param("minutes"), 15);
        s.params = json!({ "minutes": 1 });
        assert_eq!(s.param("minutes"), 15, "out of range falls back");
        s.params = json!({ "minutes": 60 });
        assert_eq!(s.param("minutes"), 60);
        assert!(s.covers(&[]));
        s.host_tag = Some("prod".into());
        assert!(!s.covers(&["dev".into()]) && s.covers(&["prod".into()]));
    }
}

#[cfg(test)]
mod threshold_tests {
    use super::*;

    #[test]
    fn every_default_threshold_has_a_range_that_holds_it() {
        for rule in Rule::ALL {
            let defaults = rule.default_params();
            let names = defaults.as_object().map(|m| m.len()).unwrap_or(0);
            let t = rule.thresholds();
            assert_eq!(t.len(), names, "{rule:?}: a threshold without a range");
            for (name, default, (lo, hi)) in t {
                assert!(
                    lo <= default && default <= hi,
                    "{rule:?}.{name}: {default} not in {lo}..={hi}"
                );
                assert_eq!(RuleSettings::defaults(rule).param(&name), default);
            }
            assert_eq!(Rule::parse(rule.as_str()), Some(rule));
        }
    }
}
