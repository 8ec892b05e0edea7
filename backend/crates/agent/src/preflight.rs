//! Preflight: what this host can tell about a backup before restic runs it (paths there
//! and readable, exclude files there, hook programs runnable, room for restic's cache,
//! options this restic knows). Run before every backup and to answer the server's
//! `preflight` question; each finding is a sentence a person can act on.

use std::{
    ffi::CString,
    os::unix::ffi::OsStrExt,
    path::{Path, PathBuf},
};

use cairn_proto::{BackupHooks, BackupSpec, Finding, Hook, Severity};
use cairn_restic::ResticVersion;

use crate::events::bytes;

/// Less free space than this where restic keeps its cache is worth a warning: the cache
/// grows with the repository's index, and a full disk fails the backup half-way.
pub const CACHE_MIN_FREE: u64 = 1 << 30;

/// Words a hook command may start with that are the shell's, not a program to look for.
const SHELL_WORDS: &[&str] = &[
    "!", ".", ":", "[", "[[", "alias", "break", "case", "cd", "command", "continue", "echo",
    "eval", "exec", "exit", "export", "false", "for", "function", "if", "printf", "read", "return",
    "set", "shift", "source", "test", "times", "trap", "true", "type", "ulimit", "umask", "unset",
    "until", "wait", "while",
];

/// The checks that need nothing but this host. `restic` is the detected version (options
/// it lacks are blocked); `None` skips that check.
pub fn local_checks(
    b: &BackupSpec,
    hooks: &BackupHooks,
    cache_dir: Option<&Path>,
    restic: Option<ResticVersion>,
    host: &str,
) -> Vec<Finding> {
    let mut out = Vec::new();
    if b.paths.is_empty() {
        out.push(Finding::new(
            "path.none",
            Severity::Blocked,
            "The backup has no paths: add at least one to the schedule.",
        ));
    }
    for p in &b.paths {
        out.extend(check_path(Path::new(p), host));
    }
    for f in &b.exclude_files {
        if let Err(e) = std::fs::File::open(f) {
            let what = if e.kind() == std::io::ErrorKind::NotFound {
                "does not exist".to_owned()
            } else {
                format!("cannot be read ({})", reason(&e))
            };
            out.push(Finding::new(
                "exclude_file.missing",
                Severity::Blocked,
                format!(
                    "The exclude file {f} {what} on {host}: create it (readable by the agent's user) or remove it from the schedule."
                ),
            ));
        }
    }
    for (name, hook) in [("pre-hook", &hooks.pre), ("post-hook", &hooks.post)] {
        if let Some(h) = hook {
            out.extend(check_hook(name, h, host));
        }
    }
    for arg in &b.extra_options {
        match cairn_proto::allowed_option(arg) {
            Err(why) => out.push(Finding::new(
                "option.not_allowed",
                Severity::Blocked,
                format!(
                    "The option {} is refused: {why}. Remove it from the schedule.",
                    name_of(arg)
                ),
            )),
            Ok(opt) => {
                let needs = ResticVersion::new(opt.since.0, opt.since.1, 0);
                if let Some(v) = restic.filter(|v| *v < needs) {
                    out.push(Finding::new(
                        "option.unsupported",
                        Severity::Blocked,
                        format!(
                            "{} needs restic {}.{} or newer; {host} has restic {v}: upgrade restic there or remove the option.",
                            opt.name, opt.since.0, opt.since.1
                        ),
                    ));
                }
            }
        }
    }
    if let Some(dir) = cache_dir
        && let Some(free) = free_space(dir)
        && free < CACHE_MIN_FREE
    {
        out.push(Finding::new(
            "cache.low_disk",
            Severity::Warning,
            format!(
                "Only {} is free on {host} for restic's cache in {}: free some space there (or move the cache), or the backup may fail when the disk fills.",
                bytes(free),
                dir.display()
            ),
        ));
    }
    out
}

/// The option's name only: its value could be a pattern someone would rather not see
/// repeated, and the name is what to look for.
fn name_of(arg: &str) -> &str {
    arg.split_once('=').map_or(arg, |(n, _)| n)
}

fn reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        _ => e.to_string(),
    }
}

fn check_path(p: &Path, host: &str) -> Option<Finding> {
    let shown = p.display();
    let meta = match std::fs::metadata(p) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Some(Finding::new(
                "path.missing",
                Severity::Blocked,
                format!(
                    "{shown} does not exist on {host}: create it or remove it from the schedule's paths."
                ),
            ));
        }
        Err(e) => return Some(unreadable(p, &e, host)),
    };
    let opened = if meta.is_dir() {
        std::fs::read_dir(p).map(drop)
    } else {
        std::fs::File::open(p).map(drop)
    };
    opened.err().map(|e| unreadable(p, &e, host))
}

fn unreadable(p: &Path, e: &std::io::Error, host: &str) -> Finding {
    Finding::new(
        "path.unreadable",
        Severity::Blocked,
        format!(
            "{} cannot be read by the agent on {host} ({}): give the agent's user read access or remove it from the schedule's paths.",
            p.display(),
            reason(e)
        ),
    )
}

/// The program a hook runs, when it can be told from the command: its first word, unless
/// that is the shell's own (a builtin, a keyword, a group, a variable assignment or
/// expansion) and cannot be resolved here.
pub fn hook_program(command: &str) -> Option<&str> {
    let first = command.split_whitespace().next()?;
    let shell_syntax = first.starts_with(['(', '{', '$', '`', '"', '\'', '!'])
        || first.contains('=')
        || first.contains(['$', '`', ';', '&', '|', '<', '>', '(', ')', '*', '?', '~']);
    (!shell_syntax && !SHELL_WORDS.contains(&first)).then_some(first)
}

fn check_hook(name: &str, hook: &Hook, host: &str) -> Option<Finding> {
    let program = hook_program(&hook.command)?;
    if program.contains('/') {
        let path = Path::new(program);
        let problem = match std::fs::metadata(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => "does not exist".to_owned(),
            Err(e) => format!("cannot be reached ({})", reason(&e)),
            Ok(m) if !m.is_file() => "is not a file".to_owned(),
            Ok(_) if !executable(path) => "is not executable by the agent's user".to_owned(),
            Ok(_) => return None,
        };
        return Some(Finding::new(
            "hook.not_executable",
            Severity::Blocked,
            format!(
                "The {name}'s program {program} {problem} on {host}: install it there, make it executable (chmod +x), or change the {name}."
            ),
        ));
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    let found = std::env::split_paths(&path).any(|dir| {
        let candidate: PathBuf = dir.join(program);
        candidate.is_file() && executable(&candidate)
    });
    (!found).then(|| {
        Finding::new(
            "hook.not_found",
            Severity::Blocked,
            format!(
                "The {name}'s program {program} is not in the agent's PATH on {host} ({}): install it, or give its full path in the {name}.",
                path.to_string_lossy()
            ),
        )
    })
}

/// Whether this process may execute `path` (access(2) with X_OK: the real answer for the
/// agent's user, ACLs and read-only mounts included, not a guess from mode bits).
fn executable(path: &Path) -> bool {
    let Ok(c) = CString::new(path.as_os_str().as_bytes()) else { return false };
    // SAFETY: `c` is a valid NUL-terminated string that outlives the call.
    unsafe { libc::access(c.as_ptr(), libc::X_OK) == 0 }
}

/// Bytes free to an unprivileged user on the file system of `dir`, or of its nearest
/// existing parent (restic makes the cache directory when it first needs it).
pub fn free_space(dir: &Path) -> Option<u64> {
    let existing = dir.ancestors().find(|p| p.exists())?;
    let c = CString::new(existing.as_os_str().as_bytes()).ok()?;
    // SAFETY: statvfs is plain data; all-zero is a valid value for it.
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: `c` is NUL-terminated and `st` is a valid, writable statvfs.
    if unsafe { libc::statvfs(c.as_ptr(), &mut st) } != 0 {
        return None;
    }
    #[allow(clippy::unnecessary_cast, reason = "the field types differ between platforms")]
    Some((st.f_bavail as u64).saturating_mul(st.f_frsize as u64))
}

/// Only the blocked ones.
pub fn blocked(findings: &[Finding]) -> impl Iterator<Item = &Finding> {
    findings.iter().filter(|f| f.severity == Severity::Blocked)
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn codes(f: &[Finding]) -> Vec<&str> {
        f.iter().map(|f| f.code.as_str()).collect()
    }

    #[test]
    fn hook_programs_are_found_only_where_they_can_be() {
        assert_eq!(hook_program("/usr/bin/pg_dump -U x > /tmp/d"), Some("/usr/bin/pg_dump"));
        assert_eq!(hook_program("  mysqldump --all"), Some("mysqldump"));
        for shell in [
            "(cd /x && make)",
            "{ a; }",
            "if true; then :; fi",
            "[ -f x ]",
            "test -f x",
            "echo hi",
            "exit 3",
            "true",
            "false",
            "cd /tmp",
            "FOO=1 cmd",
            "$HOME/x",
            "a;b",
        ] {
            assert_eq!(hook_program(shell), None, "{shell}");
        }
    }

    #[test]
    fn local_checks_name_what_is_wrong() {
        let dir = tempfile::tempdir().unwrap();
        let ok = dir.path().join("ok");
        std::fs::create_dir(&ok).unwrap();
        let script = dir.path().join("hook.sh");
        std::fs::write(&script, "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o644)).unwrap();
        let b = BackupSpec {
            paths: vec![ok.to_string_lossy().into(), "/nonexistent/cairn-data".into()],
            exclude_files: vec!["/nonexistent/excludes.txt".into()],
            extra_options: vec!["--no-scan".into(), "--password-command=x".into()],
            ..Default::default()
        };
        let hooks = BackupHooks {
            pre: Some(Hook { command: format!("{} now", script.display()), timeout_secs: 5 }),
            post: Some(Hook { command: "no-such-program-cairn --x".into(), timeout_secs: 5 }),
        };
        let f = local_checks(&b, &hooks, None, Some(ResticVersion::new(0, 14, 0)), "db-1");
        assert_eq!(
            codes(&f),
            [
                "path.missing",
                "exclude_file.missing",
                "hook.not_executable",
                "hook.not_found",
                "option.unsupported",
                "option.not_allowed"
            ],
            "{f:#?}"
        );
        assert_eq!(
            f[0].message,
            "/nonexistent/cairn-data does not exist on db-1: create it or remove it from the schedule's paths."
        );
        assert!(f[2].message.contains("not executable"), "{}", f[2].message);
        assert!(!f[2].message.contains(" now"), "only the program, never the arguments");
        assert!(f[4].message.contains("--no-scan needs restic 0.15"), "{}", f[4].message);
        assert!(f.iter().all(|f| f.severity == Severity::Blocked));

        // All fixed: nothing found (a newer restic knows --no-scan).
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        let b = BackupSpec {
            paths: vec![ok.to_string_lossy().into()],
            extra_options: vec!["--no-scan".into()],
            ..Default::default()
        };
        let hooks = BackupHooks {
            pre: Some(Hook { command: format!("{} now", script.display()), timeout_secs: 5 }),
            post: Some(Hook { command: "sh -c true".into(), timeout_secs: 5 }),
        };
        let f = local_checks(&b, &hooks, Some(dir.path()), Some(ResticVersion::new(0, 17, 3)), "h");
        assert_eq!(f, vec![], "a temp dir has more than 1 GiB free here");
    }

    #[test]
    fn free_space_reads_the_nearest_existing_directory() {
        let dir = tempfile::tempdir().unwrap();
        let direct = free_space(dir.path()).unwrap();
        let below = free_space(&dir.path().join("not/yet/made")).unwrap();
        assert!(direct > 0);
        // Same file system; other writers may change it a little in between.
        assert!(direct.abs_diff(below) < 64 << 20, "{direct} vs {below}");
    }

    #[test]
    fn an_unreadable_directory_is_found() {
        // root reads everything: the check cannot fail as root.
        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } == 0 {
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let locked = dir.path().join("locked");
        std::fs::create_dir(&locked).unwrap();
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
        let b = BackupSpec { paths: vec![locked.to_string_lossy().into()], ..Default::default() };
        let f = local_checks(&b, &BackupHooks::default(), None, None, "h");
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert_eq!(codes(&f), ["path.unreadable"]);
    }
}
