//! What the agent reports about its host: hostname, OS, architecture, and the versions of
//! the agent and of restic (by running `restic version`).

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
    }
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

    #[tokio::test]
    async fn real_facts() {
        let f = collect("/nonexistent/restic").await;
        assert!(!f.hostname.is_empty() && !f.os.is_empty());
        assert_eq!(f.restic_version, None);
    }
}
