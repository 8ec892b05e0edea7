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
}

impl Rule {
    pub const ALL: [Rule; 9] = [
        Rule::BackupFailed,
        Rule::BackupWarning,
        Rule::JobLost,
        Rule::CheckFailed,
        Rule::MaintenanceFailed,
        Rule::RestoreFailed,
        Rule::RestoreSucceeded,
        Rule::DrillFailed,
        Rule::AgentOffline,
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
        }
    }

    pub fn default_severity(self) -> Severity {
        match self {
            Rule::BackupFailed
            | Rule::CheckFailed
            | Rule::RestoreFailed
            | Rule::DrillFailed
            | Rule::AgentOffline
            | Rule::MaintenanceFailed => Severity::Error,
            Rule::BackupWarning | Rule::JobLost => Severity::Warning,
            Rule::RestoreSucceeded => Severity::Info,
        }
    }

    pub fn default_enabled(self) -> bool {
        self != Rule::RestoreSucceeded
    }

    /// The thresholds the rule reads, with their defaults.
    pub fn default_params(self) -> Value {
        match self {
            Rule::BackupFailed => json!({ "escalate_after": 3 }),
            Rule::AgentOffline => json!({ "minutes": 15 }),
            _ => json!({}),
        }
    }

    /// Each threshold's allowed range.
    pub fn param_range(self, name: &str) -> Option<(i64, i64)> {
        match (self, name) {
            (Rule::BackupFailed, "escalate_after") => Some((2, 100)),
            (Rule::AgentOffline, "minutes") => Some((2, 10_080)),
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
