//! The agent ⇄ server wire protocol: every type both sides exchange, and the protocol
//! version. The server and the agent both compile against this crate, so a change to the
//! wire format that one side misses is a compile error, not a JSON parse failure.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Bumped on any incompatible change. Both sides send it; a mismatch is refused clearly.
pub const PROTOCOL_VERSION: u32 = 1;
/// Header carrying PROTOCOL_VERSION on every agent request.
pub const PROTOCOL_HEADER: &str = "X-Cairn-Protocol";
/// `aud` of agent request tokens.
pub const AGENT_AUDIENCE: &str = "cairn-agent";
/// Agent request tokens may live at most this long.
pub const MAX_TOKEN_TTL_SECS: i64 = 300;

/// What an agent says about its host.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct AgentFacts {
    pub hostname: String,
    /// e.g. "Debian GNU/Linux 12 (bookworm)".
    pub os: String,
    /// e.g. "x86_64".
    pub arch: String,
    pub agent_version: String,
    /// `None` when restic is not installed or does not answer `restic version`.
    pub restic_version: Option<String>,
}

/// `POST /api/agent/v1/enroll`: join with a one-time enrollment token.
#[derive(Serialize, Deserialize, Clone, Debug)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct EnrollRequest {
    pub protocol_version: u32,
    pub token: String,
    /// The agent's Ed25519 public key, 32 bytes, base64 (standard, padded).
    pub public_key: String,
    pub facts: AgentFacts,
}

#[derive(Serialize, Deserialize, Clone, Debug)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct EnrollResponse {
    pub host_id: Uuid,
    /// `SHA256:…` of the public key, as the server recorded it.
    pub fingerprint: String,
}

/// `POST /api/agent/v1/announce`: ask to join; an admin accepts or rejects.
#[derive(Serialize, Deserialize, Clone, Debug)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct AnnounceRequest {
    pub protocol_version: u32,
    pub public_key: String,
    pub facts: AgentFacts,
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Enum))]
#[cfg_attr(feature = "openapi", oai(rename_all = "snake_case"))]
#[serde(rename_all = "snake_case")]
pub enum AnnounceState {
    Pending,
    Accepted,
    Rejected,
}

/// Answer to an announce and to `POST /api/agent/v1/announce/status`.
#[derive(Serialize, Deserialize, Clone, Debug)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct AnnounceStatus {
    pub pending_id: Uuid,
    pub fingerprint: String,
    pub state: AnnounceState,
    /// Set once accepted: from then on the agent is this host.
    pub host_id: Option<Uuid>,
    /// Why it was rejected, when an admin said so.
    pub message: Option<String>,
}

/// `POST /api/agent/v1/poll`: the agent's state; also its heartbeat.
#[derive(Serialize, Deserialize, Clone, Debug)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct PollRequest {
    pub protocol_version: u32,
    pub facts: AgentFacts,
    /// Jobs the agent is running right now.
    pub running_jobs: Vec<Uuid>,
    /// The config version the agent has applied (0 = none yet).
    pub config_version: u64,
}

/// A repository as the agent needs it to run restic, secrets included. Travels only
/// inside an authenticated poll answer to the host it is linked to.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct RepositoryConfig {
    pub id: Uuid,
    pub name: String,
    /// restic repository URL: a path, `sftp:`, `rest:`, `s3:`, `b2:`…
    pub url: String,
    pub password: String,
    /// Backend environment, e.g. AWS_ACCESS_KEY_ID.
    pub env: BTreeMap<String, String>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct AgentConfig {
    pub version: u64,
    pub repositories: Vec<RepositoryConfig>,
}

/// A command for the agent. More kinds arrive with jobs; `ping` is the test command
/// (operators use it to check a host answers; the benchmark measures its latency).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct Command {
    pub id: Uuid,
    pub kind: CommandKind,
    pub created_at: DateTime<Utc>,
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Enum))]
#[cfg_attr(feature = "openapi", oai(rename_all = "snake_case"))]
#[serde(rename_all = "snake_case")]
pub enum CommandKind {
    Ping,
}

#[derive(Serialize, Deserialize, Clone, Debug)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct PollResponse {
    pub commands: Vec<Command>,
    /// Present when the server has a config newer than the one the agent applied.
    pub config: Option<AgentConfig>,
    /// How long the server holds a poll with nothing to say, in seconds.
    pub poll_timeout_secs: u64,
}

/// Claims of the JWT an agent signs (EdDSA) for every request.
#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct AgentClaims {
    /// The host id (or, before acceptance, the pending id).
    pub sub: Uuid,
    pub aud: String,
    pub iat: i64,
    pub exp: i64,
}

/// `SHA256:` + base64 (no padding) of the raw public key, like OpenSSH fingerprints.
pub fn fingerprint(public_key: &[u8]) -> String {
    use base64::Engine;
    use sha2::Digest;
    let digest = sha2::Sha256::digest(public_key);
    format!("SHA256:{}", base64::engine::general_purpose::STANDARD_NO_PAD.encode(digest))
}

/// Parses a certificate pin: `SHA256:<base64>` (as the web app shows it) or the 64 hex
/// digits of the digest, with or without colons (as `openssl x509 -fingerprint -sha256`
/// prints them). Returns the 32-byte SHA-256.
pub fn parse_pin(pin: &str) -> Result<[u8; 32], String> {
    use base64::Engine;
    let pin = pin.trim();
    let bytes = if let Some(b64) = pin.strip_prefix("SHA256:") {
        base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(b64.trim_end_matches('='))
            .map_err(|_| format!("{pin:?} is not SHA256:<base64>"))?
    } else {
        let hex: String = pin.chars().filter(|c| *c != ':').collect();
        if hex.len() != 64 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(format!(
                "{pin:?} is not a certificate fingerprint: use SHA256:<base64> or 64 hex digits"
            ));
        }
        (0..32).filter_map(|i| u8::from_str_radix(&hex[i * 2..i * 2 + 2], 16).ok()).collect()
    };
    bytes.try_into().map_err(|_| format!("{pin:?} is not a 32-byte SHA-256 fingerprint"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins_parse_in_both_spellings() {
        let cert = b"some certificate bytes";
        let fp = fingerprint(cert);
        use sha2::Digest;
        let digest: [u8; 32] = sha2::Sha256::digest(cert).into();
        assert_eq!(parse_pin(&fp).unwrap(), digest);
        let hex: Vec<String> = digest.iter().map(|b| format!("{b:02X}")).collect();
        assert_eq!(parse_pin(&hex.join(":")).unwrap(), digest);
        assert_eq!(parse_pin(&hex.concat().to_lowercase()).unwrap(), digest);
        assert!(parse_pin("SHA256:abc").unwrap_err().contains("32-byte"));
        assert!(parse_pin("deadbeef").unwrap_err().contains("fingerprint"));
        assert!(parse_pin("SHA256:!!!").is_err());
    }

    #[test]
    fn fingerprint_matches_openssh_style() {
        // base64 without padding of sha256("abc").
        assert_eq!(fingerprint(b"abc"), "SHA256:ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0");
    }

    #[test]
    fn wire_names_are_stable() {
        let cmd =
            Command { id: Uuid::nil(), kind: CommandKind::Ping, created_at: DateTime::UNIX_EPOCH };
        let v = serde_json::to_value(&cmd).unwrap();
        assert_eq!(v["kind"], "ping");
        let s: AnnounceState = serde_json::from_str("\"rejected\"").unwrap();
        assert_eq!(s, AnnounceState::Rejected);
    }
}
