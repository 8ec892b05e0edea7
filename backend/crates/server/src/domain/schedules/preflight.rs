//! A schedule's preflight: the server's checks of its configuration (settings that are
//! dangerous or confusing), the agent's newest findings, and the state they add up to.
//! The agent's own checks (paths, repository, disk, hooks) are asked through `asks`.

use cairn_proto::{BackupSpec, Finding, Severity};
use uuid::Uuid;

/// What a schedule's findings add up to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PreflightState {
    /// Nothing found: it runs.
    Ready,
    /// It runs; the findings say what may go wrong.
    Warning,
    /// It does not run until a blocking finding is fixed.
    Blocked,
}

pub fn state_of(findings: &[Finding]) -> PreflightState {
    match findings.iter().map(|f| f.severity).max() {
        None => PreflightState::Ready,
        Some(Severity::Warning) => PreflightState::Warning,
        Some(Severity::Blocked) => PreflightState::Blocked,
    }
}

/// What the server checks of one schedule, draft or stored.
pub struct Subject<'a> {
    /// `None` for a draft not stored yet.
    pub id: Option<Uuid>,
    pub repository_id: Uuid,
    pub enabled: bool,
    pub backup: &'a BackupSpec,
    pub forget_after_backup: bool,
}

/// Another schedule of the same host.
pub struct Sibling<'a> {
    pub id: Uuid,
    pub name: &'a str,
    pub repository_id: Uuid,
    pub backup: &'a BackupSpec,
}

/// Pseudo and scratch file systems a backup of `/` should leave out.
const SYSTEM_DIRS: [&str; 5] = ["/proc", "/sys", "/dev", "/run", "/tmp"];

/// A path with its trailing `/` (and a pattern with a trailing `/*` or `/**`) taken off:
/// `/proc/**` excludes what `/proc` does.
fn dir_of(pattern: &str) -> &str {
    let p = pattern.trim_end_matches("/**").trim_end_matches("/*");
    if p.len() > 1 { p.trim_end_matches('/') } else { p }
}

/// `a` is `b` or lies under it.
fn within(a: &str, b: &str) -> bool {
    let (a, b) = (dir_of(a), dir_of(b));
    b == "/" || a == b || a.strip_prefix(b).is_some_and(|rest| rest.starts_with('/'))
}

/// Whether an exclude pattern leaves out everything under `path`.
fn excludes_all_of(pattern: &str, path: &str) -> bool {
    matches!(pattern, "*" | "**" | "/" | "/*" | "/**") || within(path, pattern)
}

/// The server's findings for `s`, among the other schedules of its host; `check_failed`
/// when the repository's newest check found errors.
pub fn server_findings(s: &Subject, siblings: &[Sibling], check_failed: bool) -> Vec<Finding> {
    let mut out = Vec::new();
    let b = s.backup;
    if !b.paths.is_empty()
        && b.paths.iter().all(|p| b.excludes.iter().any(|e| excludes_all_of(e, p)))
    {
        out.push(Finding::new(
            "backup.excludes_everything",
            Severity::Blocked,
            "The excludes leave out every path, so each snapshot would be empty: remove the \
             exclude that covers the paths, or change the paths.",
        ));
    }
    if b.paths.iter().any(|p| dir_of(p) == "/") && !b.one_file_system {
        let missing: Vec<&str> = SYSTEM_DIRS
            .into_iter()
            .filter(|d| !b.excludes.iter().any(|e| dir_of(e) == *d))
            .collect();
        if !missing.is_empty() {
            out.push(Finding::new(
                "backup.root_without_system_excludes",
                Severity::Warning,
                format!(
                    "It backs up / without excluding {}: restic would read pseudo files and \
                     scratch space. Add them to the excludes, or turn on one file system.",
                    missing.join(", ")
                ),
            ));
        }
    }
    if !s.enabled {
        out.push(Finding::new(
            "schedule.disabled",
            Severity::Warning,
            "Disabled: it never fires on its own, only with Run now. Enable it to back up on \
             its schedule.",
        ));
    }
    for other in siblings.iter().filter(|o| Some(o.id) != s.id) {
        if other.repository_id != s.repository_id {
            continue;
        }
        let shared = b
            .paths
            .iter()
            .find(|p| other.backup.paths.iter().any(|q| within(p, q) || within(q, p)));
        if let Some(p) = shared {
            out.push(Finding::new(
                "schedule.overlap",
                Severity::Warning,
                format!(
                    "Schedule {:?} also backs up {p} to this repository: the two write the same \
                     files twice and their retention runs on each other's snapshots. Merge them, \
                     or give each its own paths.",
                    other.name
                ),
            ));
        }
    }
    if s.forget_after_backup && check_failed {
        out.push(Finding::new(
            "retention.held",
            Severity::Warning,
            "Retention is on hold: the repository's newest check found errors, so forget and \
             prune after each backup end blocked until a check passes. Repair the repository \
             and run a check.",
        ));
    }
    out
}

/// The reason the server holds a schedule back, sent to its agent: the first blocking
/// finding of the server's own.
pub fn blocked_by(server: &[Finding]) -> Option<String> {
    server.iter().find(|f| f.severity == Severity::Blocked).map(|f| f.message.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(paths: &[&str], excludes: &[&str]) -> BackupSpec {
        BackupSpec {
            paths: paths.iter().map(|p| p.to_string()).collect(),
            excludes: excludes.iter().map(|p| p.to_string()).collect(),
            ..Default::default()
        }
    }

    fn codes(b: &BackupSpec, enabled: bool, siblings: &[Sibling], held: bool) -> Vec<String> {
        let s = Subject {
            id: Some(Uuid::nil()),
            repository_id: Uuid::max(),
            enabled,
            backup: b,
            forget_after_backup: true,
        };
        server_findings(&s, siblings, held).into_iter().map(|f| f.code).collect()
    }

    #[test]
    fn excludes_that_leave_nothing_block() {
        for ex in [&["*"][..], &["/srv"], &["/srv/**"], &["/srv/", "/etc/*"], &["/"]] {
            let b = spec(&["/srv", "/etc"], ex);
            let got = codes(&b, true, &[], false);
            if ex.len() == 1 && ex[0].starts_with("/srv") {
                assert!(got.is_empty(), "{ex:?} leaves /etc: {got:?}");
            } else {
                assert_eq!(got, vec!["backup.excludes_everything"], "{ex:?}");
            }
        }
        // A sibling directory with a shared prefix is not under the path.
        assert!(codes(&spec(&["/srv"], &["/sr"]), true, &[], false).is_empty());
        assert!(codes(&spec(&["/srv/data"], &["/srv/data2"]), true, &[], false).is_empty());
        let f = state_of(&server_findings(
            &Subject {
                id: None,
                repository_id: Uuid::nil(),
                enabled: true,
                backup: &spec(&["/srv"], &["/srv/*"]),
                forget_after_backup: false,
            },
            &[],
            false,
        ));
        assert_eq!(f, PreflightState::Blocked);
    }

    #[test]
    fn root_needs_its_system_dirs_excluded_or_one_file_system() {
        let got = codes(&spec(&["/"], &["/proc", "/sys/**"]), true, &[], false);
        assert_eq!(got, vec!["backup.root_without_system_excludes"]);
        let all = spec(&["/"], &["/proc", "/sys", "/dev/*", "/run/", "/tmp/**"]);
        assert!(codes(&all, true, &[], false).is_empty());
        let one_fs = BackupSpec { one_file_system: true, ..spec(&["/"], &[]) };
        assert!(codes(&one_fs, true, &[], false).is_empty());
    }

    #[test]
    fn overlaps_disabled_and_held_retention_warn() {
        let mine = spec(&["/var/lib"], &[]);
        let theirs = spec(&["/var"], &[]);
        let sib = |repository_id| Sibling {
            id: Uuid::now_v7(),
            name: "weekly",
            repository_id,
            backup: &theirs,
        };
        assert_eq!(codes(&mine, true, &[sib(Uuid::max())], false), vec!["schedule.overlap"]);
        // Another repository: a second copy, not an overlap.
        assert!(codes(&mine, true, &[sib(Uuid::nil())], false).is_empty());
        // Itself is no sibling.
        let me = Sibling { id: Uuid::nil(), name: "me", repository_id: Uuid::max(), backup: &mine };
        assert!(codes(&mine, true, &[me], false).is_empty());
        assert_eq!(codes(&mine, false, &[], true), vec!["schedule.disabled", "retention.held"]);
        let warn = server_findings(
            &Subject {
                id: None,
                repository_id: Uuid::nil(),
                enabled: false,
                backup: &mine,
                forget_after_backup: false,
            },
            &[],
            false,
        );
        assert_eq!(state_of(&warn), PreflightState::Warning);
        assert_eq!(blocked_by(&warn), None);
        assert_eq!(state_of(&[]), PreflightState::Ready);
    }
}
