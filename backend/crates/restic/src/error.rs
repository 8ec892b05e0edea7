//! Why a restic run failed, decided from the exit code (0.17+) and stderr text (all releases;
//! 0.14 exits 1 for nearly everything), and the crate's error type with stable codes.

use std::{fmt, path::PathBuf};

use serde::Serialize;

use crate::version::{ExitMeaning, ResticVersion};

/// The class of a failed restic run. `code()` is stable and meant for APIs and alerts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "class", rename_all = "snake_case")]
pub enum ErrorClass {
    WrongPassword,
    RepoMissing,
    /// Another (possibly dead) restic holds a lock. Details come from restic's message
    /// "repository is already locked by PID 1234 on host by user (UID 0, GID 0)".
    Locked {
        pid: Option<u32>,
        host: Option<String>,
        user: Option<String>,
        exclusive: bool,
    },
    /// The backend could not be reached (DNS, refused, TLS, timeouts…).
    Network {
        detail: String,
    },
    /// Stopped by a signal: our cancel, an operator's Ctrl-C, or exit 130.
    Interrupted,
    /// Exit 3: the snapshot was written but these source paths could not be read.
    Incomplete {
        unreadable: Vec<String>,
    },
    Other {
        exit_code: Option<i32>,
        stderr_tail: String,
    },
}

impl ErrorClass {
    pub fn code(&self) -> &'static str {
        match self {
            Self::WrongPassword => "restic.wrong_password",
            Self::RepoMissing => "restic.repo_missing",
            Self::Locked { .. } => "restic.locked",
            Self::Network { .. } => "restic.network",
            Self::Interrupted => "restic.interrupted",
            Self::Incomplete { .. } => "restic.incomplete",
            Self::Other { .. } => "restic.failed",
        }
    }
}

impl fmt::Display for ErrorClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::WrongPassword => f.write_str("wrong repository password (or no key found)"),
            Self::RepoMissing => f.write_str("no restic repository at this location"),
            Self::Locked { pid, host, user, exclusive } => {
                f.write_str(if *exclusive {
                    "repository is locked exclusively"
                } else {
                    "repository is locked"
                })?;
                if let Some(pid) = pid {
                    write!(f, " by PID {pid}")?;
                }
                if let Some(host) = host {
                    write!(f, " on {host}")?;
                }
                if let Some(user) = user {
                    write!(f, " by {user}")?;
                }
                Ok(())
            }
            Self::Network { detail } => write!(f, "repository backend unreachable: {detail}"),
            Self::Interrupted => f.write_str("restic was interrupted"),
            Self::Incomplete { unreadable } => write!(
                f,
                "snapshot created, but {} source path(s) could not be read",
                unreadable.len()
            ),
            Self::Other { exit_code, stderr_tail } => {
                match exit_code {
                    Some(c) => write!(f, "restic failed with exit code {c}")?,
                    None => f.write_str("restic was killed by a signal")?,
                }
                if !stderr_tail.is_empty() {
                    write!(f, ": {stderr_tail}")?;
                }
                Ok(())
            }
        }
    }
}

/// Errors of this crate.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot run restic binary {}: {source}", path.display())]
    Spawn { path: PathBuf, source: std::io::Error },
    #[error("`restic version` printed something unexpected: {0:?}")]
    VersionParse(String),
    #[error("restic {found} is too old; at least {min} is required")]
    Unsupported { found: ResticVersion, min: ResticVersion },
    #[error("I/O error while talking to restic: {0}")]
    Io(#[from] std::io::Error),
    #[error("could not understand the output of restic {command}: {detail}")]
    Parse { command: &'static str, detail: String },
    #[error("invalid restic argument: {0}")]
    InvalidArgument(String),
    #[error("{0}")]
    Restic(ErrorClass),
}

impl Error {
    /// A stable code: restic classes keep theirs, the rest are the wrapper's own.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Spawn { .. } => "restic.not_runnable",
            Self::VersionParse(_) | Self::Parse { .. } => "restic.bad_output",
            Self::Unsupported { .. } => "restic.unsupported_version",
            Self::Io(_) => "restic.io",
            Self::InvalidArgument(_) => "restic.invalid_argument",
            Self::Restic(class) => class.code(),
        }
    }

    pub fn class(&self) -> Option<&ErrorClass> {
        match self {
            Self::Restic(c) => Some(c),
            _ => None,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

// restic's messages, matched case-insensitively. 0.14.0 prints (seen by provoking each):
//   "Fatal: wrong password or no key found"
//   "Fatal: unable to open config file: stat <repo>/config: no such file or directory"
//   "Is there a repository at the following location?"
//   "unable to create lock in backend: repository is already locked by PID 7255 on vm by
//    root (UID 0, GID 0)"  (and "… already locked exclusively by PID …")
//   "Fatal: unable to open config file: client.Head: Head \"http://127.0.0.1:1/config\":
//    dial tcp 127.0.0.1:1: connect: connection refused"
// 0.17+ says "repository does not exist: unable to open config file: …".
const WRONG_PASSWORD: &[&str] = &["wrong password or no key found"];
const LOCKED: &[&str] = &["repository is already locked", "unable to create lock in backend"];
// Checked before REPO_MISSING: an unreachable backend also gets "Is there a repository…".
const NETWORK: &[&str] = &[
    "dial tcp",
    "connection refused",
    "no such host",
    "i/o timeout",
    "network is unreachable",
    "no route to host",
    "connection reset by peer",
    "tls handshake",
    "x509: ",
    "context deadline exceeded",
    "server misbehaving",
    "ssh: connect to host",
    "ssh command exited",
    "unable to start the sftp session",
    "timeout awaiting response",
];
const REPO_MISSING: &[&str] = &[
    "is there a repository at the following location?",
    "unable to open config file",
    "repository does not exist",
];

const TAIL_LINES: usize = 12;

/// Classifies a finished run. `None` means success.
///
/// `stderr_lines` are restic's plain stderr lines (JSON exit_error messages already reduced to
/// their text); `unreadable` are the items of backup's JSON error messages.
pub fn classify(
    version: &ResticVersion,
    exit_code: Option<i32>,
    stderr_lines: &[String],
    unreadable: &[String],
) -> Option<ErrorClass> {
    let Some(code) = exit_code else {
        // Killed by a signal (not by us: the runner reports its own cancels).
        return Some(ErrorClass::Interrupted);
    };
    let lower: Vec<String> = stderr_lines.iter().map(|l| l.to_lowercase()).collect();
    let has = |needles: &[&str]| lower.iter().any(|l| needles.iter().any(|n| l.contains(n)));
    match version.exit_meaning(code) {
        ExitMeaning::Success => return None,
        ExitMeaning::Incomplete => {
            return Some(ErrorClass::Incomplete { unreadable: unreadable.to_vec() });
        }
        ExitMeaning::Interrupted => return Some(ErrorClass::Interrupted),
        ExitMeaning::RepoMissing => return Some(ErrorClass::RepoMissing),
        ExitMeaning::WrongPassword => return Some(ErrorClass::WrongPassword),
        ExitMeaning::Locked => return Some(locked_from(stderr_lines)),
        ExitMeaning::Failure | ExitMeaning::GoRuntime | ExitMeaning::Unknown => {}
    }
    if has(WRONG_PASSWORD) {
        Some(ErrorClass::WrongPassword)
    } else if has(LOCKED) {
        Some(locked_from(stderr_lines))
    } else if let Some(line) = stderr_lines.iter().find(|l| {
        let l = l.to_lowercase();
        NETWORK.iter().any(|n| l.contains(n))
    }) {
        Some(ErrorClass::Network { detail: strip_fatal(line).to_owned() })
    } else if has(REPO_MISSING) {
        Some(ErrorClass::RepoMissing)
    } else {
        Some(ErrorClass::Other { exit_code: Some(code), stderr_tail: tail(stderr_lines) })
    }
}

fn strip_fatal(line: &str) -> &str {
    line.trim().trim_start_matches("Fatal: ")
}

/// The last few stderr lines, joined, for error messages.
pub(crate) fn tail(lines: &[String]) -> String {
    let start = lines.len().saturating_sub(TAIL_LINES);
    lines[start..].join("\n")
}

fn locked_from(lines: &[String]) -> ErrorClass {
    lines.iter().find_map(|l| parse_lock_holder(l)).unwrap_or(ErrorClass::Locked {
        pid: None,
        host: None,
        user: None,
        exclusive: false,
    })
}

/// Parses "… repository is already locked [exclusively ]by PID 1234 on host by user (UID 0,
/// GID 0)". Only the pieces present are returned; the rest stay `None`.
pub(crate) fn parse_lock_holder(line: &str) -> Option<ErrorClass> {
    let idx = line.find("already locked")?;
    let rest = line[idx + "already locked".len()..].trim_start();
    let exclusive = rest.starts_with("exclusively");
    let mut pid = None;
    let mut host = None;
    let mut user = None;
    if let Some(p) = rest.find("by PID ") {
        let after = &rest[p + "by PID ".len()..];
        let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
        pid = digits.parse().ok();
        let after = &after[digits.len()..];
        if let Some(on) = after.strip_prefix(" on ") {
            let (h, tail) = on.split_once(" by ").unwrap_or((on, ""));
            host = Some(h.trim().to_owned()).filter(|h| !h.is_empty());
            let u = tail.split(" (").next().unwrap_or("").trim();
            user = Some(u.to_owned()).filter(|u| !u.is_empty());
        }
    }
    Some(ErrorClass::Locked { pid, host, user, exclusive })
}

#[cfg(test)]
mod tests {
    use super::*;

    const V14: ResticVersion = ResticVersion::new(0, 14, 0);
    const V18: ResticVersion = ResticVersion::new(0, 18, 0);

    fn lines(s: &str) -> Vec<String> {
        s.lines().map(str::to_owned).collect()
    }

    #[test]
    fn real_014_messages_classify() {
        assert_eq!(
            classify(&V14, Some(1), &lines("Fatal: wrong password or no key found"), &[]),
            Some(ErrorClass::WrongPassword)
        );
        assert_eq!(
            classify(
                &V14,
                Some(1),
                &lines(
                    "Fatal: unable to open config file: stat /tmp/rp/nope/config: no such file or directory\nIs there a repository at the following location?\n/tmp/rp/nope"
                ),
                &[]
            ),
            Some(ErrorClass::RepoMissing)
        );
        let net = classify(
            &V14,
            Some(1),
            &lines(
                "Fatal: unable to open config file: client.Head: Head \"http://127.0.0.1:1/config\": dial tcp 127.0.0.1:1: connect: connection refused\nIs there a repository at the following location?\nrest:http://127.0.0.1:1/",
            ),
            &[],
        );
        assert!(
            matches!(net, Some(ErrorClass::Network { ref detail }) if detail.contains("connection refused")),
            "{net:?}"
        );
        let locked = classify(
            &V14,
            Some(1),
            &lines(
                "unable to create lock in backend: repository is already locked by PID 7255 on vm by root (UID 0, GID 0)\nlock was created at 2026-11-21 22:40:57 (1.848972803s ago)\nstorage ID 9ea21ef4\nthe `unlock` command can be used to remove stale locks",
            ),
            &[],
        );
        assert_eq!(
            locked,
            Some(ErrorClass::Locked {
                pid: Some(7255),
                host: Some("vm".into()),
                user: Some("root".into()),
                exclusive: false
            })
        );
    }

    #[test]
    fn exclusive_lock_is_recognised() {
        let c = parse_lock_holder(
            "unable to create lock in backend: repository is already locked exclusively by PID 12015 on vm by root (UID 0, GID 0)",
        );
        assert_eq!(
            c,
            Some(ErrorClass::Locked {
                pid: Some(12015),
                host: Some("vm".into()),
                user: Some("root".into()),
                exclusive: true
            })
        );
    }

    #[test]
    fn new_exit_codes_win_over_text() {
        assert_eq!(classify(&V18, Some(10), &[], &[]), Some(ErrorClass::RepoMissing));
        assert_eq!(classify(&V18, Some(12), &[], &[]), Some(ErrorClass::WrongPassword));
        assert!(matches!(classify(&V18, Some(11), &[], &[]), Some(ErrorClass::Locked { .. })));
        // The same codes mean nothing special on 0.14.
        assert!(matches!(classify(&V14, Some(10), &[], &[]), Some(ErrorClass::Other { .. })));
    }

    #[test]
    fn exit_3_lists_unreadable_and_signals_interrupt() {
        let unreadable = vec!["/data/secret".to_owned()];
        assert_eq!(
            classify(
                &V14,
                Some(3),
                &lines("Warning: at least one source file could not be read"),
                &unreadable
            ),
            Some(ErrorClass::Incomplete { unreadable })
        );
        assert_eq!(classify(&V14, Some(130), &[], &[]), Some(ErrorClass::Interrupted));
        assert_eq!(classify(&V14, None, &[], &[]), Some(ErrorClass::Interrupted));
        assert_eq!(classify(&V14, Some(0), &lines("noise"), &[]), None);
    }

    #[test]
    fn other_keeps_a_tail_and_codes_are_stable() {
        let many: Vec<String> = (0..30).map(|i| format!("line {i}")).collect();
        let c = classify(&V14, Some(1), &many, &[]).unwrap();
        let ErrorClass::Other { exit_code, ref stderr_tail } = c else { panic!("{c:?}") };
        assert_eq!(exit_code, Some(1));
        assert!(stderr_tail.starts_with("line 18") && stderr_tail.ends_with("line 29"));
        assert_eq!(c.code(), "restic.failed");
        assert_eq!(Error::Restic(ErrorClass::WrongPassword).code(), "restic.wrong_password");
        assert_eq!(ErrorClass::Interrupted.code(), "restic.interrupted");
    }
}
