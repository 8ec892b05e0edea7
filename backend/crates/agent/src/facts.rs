//! What the agent reports about its host: hostname, OS, architecture, time zone, and the
//! versions of the agent and of restic (by running `restic version`).

use cairn_proto::AgentFacts;

/// The hostname the agent reports, and that its backups are recorded under.
pub fn hostname() -> String {
    std::env::var("CAIRN_AGENT_HOSTNAME")
        .ok()
        .filter(|h| !h.trim().is_empty())
        .map(|h| h.trim().to_string())
        .unwrap_or_else(kernel_hostname)
}

/// The kernel's hostname: what restic writes into its locks, whatever the agent reports.
pub fn kernel_hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "unknown".into())
}

pub fn os() -> String {
    let release = std::fs::read_to_string("/etc/os-release").unwrap_or_default();
    release
        .lines()
        .find_map(|l| l.strip_prefix("PRETTY_NAME="))
        .map(|v| v.trim_matches('"').to_string())
        .unwrap_or_else(|| std::env::consts::OS.to_string())
}

/// "restic 0.14.0 compiled with go1.19.8 on linux/amd64" → "0.14.0".
pub fn parse_restic_version(output: &str) -> Option<String> {
    let mut words = output.split_whitespace();
    (words.next()? == "restic").then_some(())?;
    let v = words.next()?;
    v.chars().next().filter(char::is_ascii_digit).map(|_| v.to_string())
}

pub async fn restic_version(binary: &str) -> Option<String> {
    let out = tokio::process::Command::new(binary).arg("version").output().await.ok()?;
    parse_restic_version(&String::from_utf8_lossy(&out.stdout))
}

pub async fn collect(restic: &str) -> AgentFacts {
    AgentFacts {
        hostname: hostname(),
        os: os(),
        arch: std::env::consts::ARCH.to_string(),
        agent_version: env!("CARGO_PKG_VERSION").to_string(),
        restic_version: restic_version(restic).await,
        timezone: timezone(),
    }
}

/// The host's IANA zone: `TZ` when it names one, else `/etc/timezone`, else where
/// `/etc/localtime` links into the zoneinfo tree; `None` when none of these says.
pub fn timezone() -> Option<String> {
    let valid = |z: String| Some(z.trim().to_string()).filter(|z| looks_like_zone(z));
    let from_env =
        || std::env::var("TZ").ok().and_then(|tz| valid(tz.trim_start_matches(':').into()));
    let from_file = || std::fs::read_to_string("/etc/timezone").ok().and_then(valid);
    let from_link = || {
        let target = std::fs::read_link("/etc/localtime").ok()?;
        let s = target.to_string_lossy().into_owned();
        s.split_once("zoneinfo/").and_then(|(_, zone)| valid(zone.to_string()))
    };
    // Each source is read only when the one before says nothing usable.
    from_env().or_else(from_file).or_else(from_link)
}

/// `UTC`, `Europe/Berlin`, `America/Argentina/Buenos_Aires`: not a path, not a POSIX rule.
fn looks_like_zone(z: &str) -> bool {
    !z.is_empty()
        && z.len() <= 64
        && !z.starts_with('/')
        && !z.contains("..")
        && z.chars().all(|c| c.is_ascii_alphanumeric() || "/_+-".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restic_version_lines() {
        assert_eq!(
            parse_restic_version("restic 0.14.0 compiled with go1.19.8 on linux/amd64\n")
                .as_deref(),
            Some("0.14.0")
        );
        assert_eq!(
            parse_restic_version("restic 0.17.3 compiled with go1.23").as_deref(),
            Some("0.17.3")
        );
        assert_eq!(parse_restic_version("bash: restic: not found"), None);
    }

    #[test]
    fn zone_names() {
        for ok in ["UTC", "Europe/Berlin", "America/Argentina/Buenos_Aires", "Etc/GMT+5"] {
            assert!(looks_like_zone(ok), "{ok}");
        }
        for bad in ["", "/usr/share/zoneinfo/UTC", "../etc/passwd", "EST5EDT,M3.2.0,M11.1.0"] {
            assert!(!looks_like_zone(bad), "{bad}");
        }
    }

    #[tokio::test]
    async fn real_facts() {
        let f = collect("/nonexistent/restic").await;
        assert!(!f.hostname.is_empty() && !f.os.is_empty());
        assert_eq!(f.restic_version, None);
    }
}
