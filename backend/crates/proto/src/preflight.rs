//! What a schedule's backup may add to a plain `restic backup`, and what is checked before
//! it runs: hooks (commands run before and after it), extra options from an allow-list,
//! and the preflight question whose answer says whether it can run and what it will run.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::BackupSpec;

/// A command the agent runs with `/bin/sh -c`, as the agent's own user, in a process group
/// of its own that is killed whole when the timeout passes.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct Hook {
    /// The shell command (at most 4,096 characters).
    pub command: String,
    /// Seconds before its process group is killed (1 to 86,400).
    pub timeout_secs: u32,
}

/// The hooks of a schedule's backups. A failing `pre` hook (exit code not 0, or killed at
/// its timeout) stops the backup, which ends `failed` with error class `hook_failed`;
/// `post` runs after every run, the failed ones included, with `CAIRN_JOB_STATUS` and
/// `CAIRN_JOB_ID` in its environment.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
pub struct BackupHooks {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pre: Option<Hook>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post: Option<Hook>,
}

impl BackupHooks {
    pub fn is_empty(&self) -> bool {
        self.pre.is_none() && self.post.is_none()
    }
}

pub const HOOK_MAX_COMMAND: usize = 4096;
pub const HOOK_MAX_TIMEOUT_SECS: u32 = 86_400;

/// What a hook may be; `None` when it may run, else why not.
pub fn hook_problem(h: &Hook) -> Option<String> {
    if h.command.trim().is_empty() {
        return Some("the command is empty".into());
    }
    if h.command.chars().count() > HOOK_MAX_COMMAND {
        return Some(format!("the command is longer than {HOOK_MAX_COMMAND} characters"));
    }
    if h.command.contains('\0') {
        return Some("the command contains a NUL character".into());
    }
    if h.timeout_secs == 0 || h.timeout_secs > HOOK_MAX_TIMEOUT_SECS {
        return Some(format!("the timeout must be 1 to {HOOK_MAX_TIMEOUT_SECS} seconds"));
    }
    None
}

/// The value an allowed `restic backup` option takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptionValue {
    /// A flag: `--name` alone.
    None,
    /// A size: digits with an optional K, M, G or T (`500M`).
    Size,
    /// An integer within the bounds.
    Int(u32, u32),
    /// One of these words.
    Word(&'static [&'static str]),
    /// Any text without control characters (a pattern, a file name).
    Text,
}

/// One allowed option: its name, its value, the restic version it needs, what it does.
pub struct AllowedOption {
    pub name: &'static str,
    pub value: OptionValue,
    /// (major, minor) of the first restic release that has it.
    pub since: (u32, u32),
    pub help: &'static str,
}

/// The `restic backup` options a schedule may add. Nothing that names a repository,
/// a password, TLS settings, a command to run, or the snapshot's host is on it: those are
/// Cairn's, or would hand the agent's user to whoever edits a schedule.
pub const BACKUP_OPTIONS: &[AllowedOption] = &[
    AllowedOption {
        name: "--exclude-caches",
        value: OptionValue::None,
        since: (0, 9),
        help: "skip directories with a CACHEDIR.TAG file",
    },
    AllowedOption {
        name: "--exclude-if-present",
        value: OptionValue::Text,
        since: (0, 9),
        help: "skip directories that contain this file",
    },
    AllowedOption {
        name: "--exclude-larger-than",
        value: OptionValue::Size,
        since: (0, 10),
        help: "skip files larger than this size",
    },
    AllowedOption {
        name: "--iexclude",
        value: OptionValue::Text,
        since: (0, 10),
        help: "an exclude pattern matched without case",
    },
    AllowedOption {
        name: "--ignore-ctime",
        value: OptionValue::None,
        since: (0, 10),
        help: "ignore ctime changes when looking for changed files",
    },
    AllowedOption {
        name: "--ignore-inode",
        value: OptionValue::None,
        since: (0, 9),
        help: "ignore inode number changes (network file systems)",
    },
    AllowedOption {
        name: "--no-scan",
        value: OptionValue::None,
        since: (0, 15),
        help: "do not count files first (no ETA, less I/O)",
    },
    AllowedOption {
        name: "--read-concurrency",
        value: OptionValue::Int(1, 64),
        since: (0, 15),
        help: "files read in parallel",
    },
    AllowedOption {
        name: "--compression",
        value: OptionValue::Word(&["auto", "off", "max"]),
        since: (0, 14),
        help: "compression level (repository format 2)",
    },
    AllowedOption {
        name: "--pack-size",
        value: OptionValue::Int(4, 128),
        since: (0, 15),
        help: "target pack size in MiB",
    },
    AllowedOption {
        name: "--skip-if-unchanged",
        value: OptionValue::None,
        since: (0, 17),
        help: "make no snapshot when nothing changed",
    },
    AllowedOption {
        name: "--with-atime",
        value: OptionValue::None,
        since: (0, 9),
        help: "store file access times",
    },
    AllowedOption {
        name: "--retry-lock",
        value: OptionValue::Word(&["1m", "5m", "15m", "30m", "1h", "2h"]),
        since: (0, 16),
        help: "how long to wait for a lock held by someone else (Cairn's own default: 5m)",
    },
    AllowedOption {
        name: "--force",
        value: OptionValue::None,
        since: (0, 9),
        help: "read every file again, ignoring the parent snapshot",
    },
];

pub const MAX_EXTRA_OPTIONS: usize = 20;

/// The allowed option `arg` (`--name` or `--name=value`) is, or why it is refused.
pub fn allowed_option(arg: &str) -> Result<&'static AllowedOption, String> {
    if arg.len() > 256 || arg.chars().any(char::is_control) {
        return Err("an option is at most 256 characters, without control characters".into());
    }
    let (name, value) = match arg.split_once('=') {
        Some((n, v)) => (n, Some(v)),
        None => (arg, None),
    };
    let Some(opt) = BACKUP_OPTIONS.iter().find(|o| o.name == name) else {
        return Err(format!("{name} is not an option a schedule may add"));
    };
    let ok = match (opt.value, value) {
        (OptionValue::None, None) => true,
        (OptionValue::None, Some(_)) => return Err(format!("{name} takes no value")),
        (_, None) => return Err(format!("{name} needs a value: {name}=…")),
        (OptionValue::Size, Some(v)) => {
            let digits = v.trim_end_matches(['k', 'K', 'm', 'M', 'g', 'G', 't', 'T']);
            v.len() - digits.len() <= 1
                && !digits.is_empty()
                && digits.len() <= 12
                && digits.bytes().all(|b| b.is_ascii_digit())
        }
        (OptionValue::Int(lo, hi), Some(v)) => {
            v.parse::<u32>().is_ok_and(|n| (lo..=hi).contains(&n))
        }
        (OptionValue::Word(words), Some(v)) => words.contains(&v),
        (OptionValue::Text, Some(v)) => !v.trim().is_empty(),
    };
    if ok {
        Ok(opt)
    } else {
        Err(match opt.value {
            OptionValue::Size => format!("{name} takes a size such as 500M or 2G"),
            OptionValue::Int(lo, hi) => format!("{name} takes a whole number from {lo} to {hi}"),
            OptionValue::Word(words) => format!("{name} takes one of {}", words.join(", ")),
            _ => format!("{name} needs a value"),
        })
    }
}

/// How much a finding holds a schedule back.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Enum))]
#[cfg_attr(feature = "openapi", oai(rename_all = "snake_case"))]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// It runs; the reason is shown.
    Warning,
    /// It does not run until this is fixed.
    Blocked,
}

/// One thing a preflight found, with a stable code (`path.missing`, `backup.root_without_
/// system_excludes`, …) and a sentence saying what to do.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct Finding {
    pub code: String,
    pub severity: Severity,
    pub message: String,
}

impl Finding {
    pub fn new(code: &str, severity: Severity, message: impl Into<String>) -> Self {
        Finding { code: code.into(), severity, message: message.into() }
    }
}

/// Ask the agent whether this backup can run from its host, and what it would run.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct PreflightQuery {
    pub repository_id: Uuid,
    pub backup: BackupSpec,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", oai(default))]
    pub hooks: BackupHooks,
}

/// The agent's checks (paths there and readable, exclude files there, hook programs
/// executable, the repository opens with its password, room for restic's cache, options
/// this restic knows) and the command it would run.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct PreflightAnswer {
    /// Only what is wrong; empty when everything passed.
    pub findings: Vec<Finding>,
    /// The argv the agent would run (the restic binary first), with no secret in it.
    pub command: Vec<String>,
    /// The environment restic gets, values of secrets masked (`RESTIC_PASSWORD=***`).
    pub env: Vec<String>,
    pub restic_version: String,
}
