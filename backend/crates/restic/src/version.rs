//! Which restic is installed, and every behaviour that differs between restic releases.
//! Version-dependent decisions live here and nowhere else, so supporting a new release is one diff.

use std::fmt;

use serde::Serialize;

/// A restic release number, e.g. 0.14.0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct ResticVersion {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
}

/// The oldest release this wrapper is tested against (Debian bookworm's restic).
pub const MIN_SUPPORTED: ResticVersion = ResticVersion::new(0, 14, 0);

impl ResticVersion {
    pub const fn new(major: u32, minor: u32, patch: u32) -> Self {
        Self { major, minor, patch }
    }

    /// "0.14.0", "v0.17.3", "0.16.0-dev" → the numeric part; a missing patch counts as 0.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim().trim_start_matches('v');
        let numeric = s.split(|c: char| !(c.is_ascii_digit() || c == '.')).next()?;
        let mut parts = numeric.split('.');
        let major = parts.next()?.parse().ok()?;
        let minor = parts.next()?.parse().ok()?;
        let patch = match parts.next() {
            Some("") | None => 0,
            Some(p) => p.parse().ok()?,
        };
        Some(Self { major, minor, patch })
    }

    /// What an exit code means for this release. 10, 11 and 12 are plain failures (1) before
    /// 0.17 / 0.17.1, so older releases must be classified from stderr text instead.
    pub fn exit_meaning(&self, code: i32) -> ExitMeaning {
        match code {
            0 => ExitMeaning::Success,
            1 => ExitMeaning::Failure,
            2 => ExitMeaning::GoRuntime,
            3 => ExitMeaning::Incomplete,
            10 if *self >= Self::new(0, 17, 0) => ExitMeaning::RepoMissing,
            11 if *self >= Self::new(0, 17, 0) => ExitMeaning::Locked,
            12 if *self >= Self::new(0, 17, 1) => ExitMeaning::WrongPassword,
            // 0.14 already exits 130 after SIGINT; 0.17+ also after SIGTERM.
            130 => ExitMeaning::Interrupted,
            _ => ExitMeaning::Unknown,
        }
    }

    /// The signal that makes restic stop cleanly (remove its lock, then exit 130).
    /// Before 0.17 restic only handled SIGINT: SIGTERM killed it on the spot and left a stale
    /// lock behind (seen with 0.14.0), so those releases get SIGINT.
    pub fn graceful_stop_signal(&self) -> i32 {
        if *self >= Self::new(0, 17, 0) { libc::SIGTERM } else { libc::SIGINT }
    }

    /// `--retry-lock` (a global option) arrived in 0.16.
    pub fn has_retry_lock(&self) -> bool {
        *self >= Self::new(0, 16, 0)
    }

    pub fn is_supported(&self) -> bool {
        *self >= MIN_SUPPORTED
    }
}

impl fmt::Display for ResticVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// The meaning of a restic exit code, as far as the installed release defines it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitMeaning {
    Success,
    /// Generic failure; the reason is only in stderr.
    Failure,
    GoRuntime,
    /// backup: some source data could not be read, but the snapshot was written.
    Incomplete,
    RepoMissing,
    Locked,
    WrongPassword,
    Interrupted,
    /// A code this release does not document: a failure (restic's docs say so).
    Unknown,
}

/// Parsed `restic version` output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VersionInfo {
    pub version: ResticVersion,
    /// e.g. "go1.19.8"
    pub go_version: Option<String>,
    /// e.g. "linux/amd64"
    pub platform: Option<String>,
    /// The line the version came from, for display.
    pub raw: String,
}

impl VersionInfo {
    /// Parses "restic 0.14.0 compiled with go1.19.8 on linux/amd64". Debug builds print other
    /// lines first ("debug enabled"), so the first line that starts with "restic " counts.
    pub fn parse(output: &str) -> Option<Self> {
        let line = output.lines().map(str::trim).find(|l| l.starts_with("restic "))?;
        let mut words = line.split_whitespace().skip(1);
        let version = ResticVersion::parse(words.next()?)?;
        let mut go_version = None;
        let mut platform = None;
        let words: Vec<&str> = line.split_whitespace().collect();
        for pair in words.windows(2) {
            match pair[0] {
                "with" if pair[1].starts_with("go") => go_version = Some(pair[1].to_owned()),
                "on" => platform = Some(pair[1].to_owned()),
                _ => {}
            }
        }
        Some(Self { version, go_version, platform, raw: line.to_owned() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_real_version_lines() {
        let v =
            VersionInfo::parse("restic 0.14.0 compiled with go1.19.8 on linux/amd64\n").unwrap();
        assert_eq!(v.version, ResticVersion::new(0, 14, 0));
        assert_eq!(v.go_version.as_deref(), Some("go1.19.8"));
        assert_eq!(v.platform.as_deref(), Some("linux/amd64"));

        let v = VersionInfo::parse("restic 0.17.3 compiled with go1.23.3 on linux/arm64").unwrap();
        assert_eq!(v.version, ResticVersion::new(0, 17, 3));

        let v = VersionInfo::parse(
            "debug enabled\nrestic 0.16.0-dev (compiled manually) compiled with go1.20 on linux/amd64",
        )
        .unwrap();
        assert_eq!(v.version, ResticVersion::new(0, 16, 0));
        assert_eq!(v.platform.as_deref(), Some("linux/amd64"));

        assert!(VersionInfo::parse("bash: restic: command not found").is_none());
        assert!(VersionInfo::parse("restic banana").is_none());
    }

    #[test]
    fn exit_codes_depend_on_release() {
        let v14 = ResticVersion::new(0, 14, 0);
        let v16 = ResticVersion::new(0, 16, 4);
        let v170 = ResticVersion::new(0, 17, 0);
        let v18 = ResticVersion::new(0, 18, 0);
        for v in [v14, v16, v170, v18] {
            assert_eq!(v.exit_meaning(0), ExitMeaning::Success);
            assert_eq!(v.exit_meaning(3), ExitMeaning::Incomplete);
            assert_eq!(v.exit_meaning(130), ExitMeaning::Interrupted);
        }
        assert_eq!(v14.exit_meaning(10), ExitMeaning::Unknown);
        assert_eq!(v16.exit_meaning(11), ExitMeaning::Unknown);
        assert_eq!(v170.exit_meaning(10), ExitMeaning::RepoMissing);
        assert_eq!(v170.exit_meaning(11), ExitMeaning::Locked);
        // 12 arrived in 0.17.1.
        assert_eq!(v170.exit_meaning(12), ExitMeaning::Unknown);
        assert_eq!(v18.exit_meaning(12), ExitMeaning::WrongPassword);
    }

    #[test]
    fn stop_signal_depends_on_release() {
        assert_eq!(ResticVersion::new(0, 14, 0).graceful_stop_signal(), libc::SIGINT);
        assert_eq!(ResticVersion::new(0, 16, 4).graceful_stop_signal(), libc::SIGINT);
        assert_eq!(ResticVersion::new(0, 17, 0).graceful_stop_signal(), libc::SIGTERM);
    }

    #[test]
    fn support_floor() {
        assert!(!ResticVersion::new(0, 13, 1).is_supported());
        assert!(ResticVersion::new(0, 14, 0).is_supported());
        assert!(ResticVersion::new(1, 0, 0).is_supported());
    }
}
