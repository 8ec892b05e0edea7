//! The agent ⇄ server wire protocol: every type both sides exchange, and the protocol
//! version. The server and the agent both compile against this crate, so a change to the
//! wire format that one side misses is a compile error, not a JSON parse failure.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
#[cfg(feature = "sea-orm")]
use sea_orm::sea_query::StringLen;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

mod asks;
mod commands;
mod config;
mod events;
mod preflight;
mod restore;
pub use asks::*;
pub use commands::*;
pub use config::*;
pub use events::*;
pub use preflight::*;
pub use restore::*;

/// Bumped on any incompatible change. Both sides send it; a mismatch is refused clearly.
pub const PROTOCOL_VERSION: u32 = 8;
/// Header carrying PROTOCOL_VERSION on every agent request.
pub const PROTOCOL_HEADER: &str = "X-Cairn-Protocol";
/// `aud` of agent request tokens.
pub const AGENT_AUDIENCE: &str = "cairn-agent";
/// Agent request tokens may live at most this long.
pub const MAX_TOKEN_TTL_SECS: i64 = 300;

/// What an agent says about its host.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
pub struct AgentFacts {
    pub hostname: String,
    /// e.g. "Debian GNU/Linux 12 (bookworm)".
    pub os: String,
    /// e.g. "x86_64".
    pub arch: String,
    pub agent_version: String,
    /// `None` when restic is not installed or does not answer `restic version`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restic_version: Option<String>,
    /// The host's IANA time zone (`Europe/Berlin`), the one its schedules use by default;
    /// `None` when the agent cannot tell (it then reads schedules in UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
}

/// `POST /api/agent/v1/enroll`: join with a one-time enrollment token.
#[derive(Serialize, Deserialize, Clone, Debug)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
pub struct EnrollRequest {
    pub protocol_version: u32,
    pub token: String,
    /// The agent's Ed25519 public key, 32 bytes, base64 (standard, padded).
    pub public_key: String,
    pub facts: AgentFacts,
}

#[derive(Serialize, Deserialize, Clone, Debug)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
pub struct EnrollResponse {
    pub host_id: Uuid,
    /// `SHA256:…` of the public key, as the server recorded it.
    pub fingerprint: String,
}

/// `POST /api/agent/v1/announce`: ask to join; an admin accepts or rejects.
#[derive(Serialize, Deserialize, Clone, Debug)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
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
#[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
pub struct AnnounceStatus {
    pub pending_id: Uuid,
    pub fingerprint: String,
    pub state: AnnounceState,
    /// Set once accepted: from then on the agent is this host.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_id: Option<Uuid>,
    /// Why it was rejected, when an admin said so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// `POST /api/agent/v1/poll`: the agent's state; also its heartbeat.
#[derive(Serialize, Deserialize, Clone, Debug)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
pub struct PollRequest {
    pub protocol_version: u32,
    pub facts: AgentFacts,
    /// Jobs the agent is running right now.
    pub running_jobs: Vec<Uuid>,
    /// Jobs whose events still wait in the agent's outbox (finished or not): the server
    /// must not call them lost, their story is on its way.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", oai(default))]
    pub unsent_jobs: Vec<Uuid>,
    /// The config version the agent has applied (0 = none yet).
    pub config_version: u64,
}

#[derive(Serialize, Deserialize, Clone, Debug)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
pub struct PollResponse {
    pub commands: Vec<Command>,
    /// Present when the server has a config newer than the one the agent applied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<AgentConfig>,
    /// How long the server holds a poll with nothing to say, in seconds.
    pub poll_timeout_secs: u64,
    /// Set when a held poll ends in a refusal after its 200 head went out (the host was
    /// deleted while the poll waited): the code and message the refusal would carry as a
    /// 401. The agent acts on it as on that 401.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refused: Option<Refusal>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct Refusal {
    /// One of [`codes`], e.g. `agent.revoked`.
    pub code: String,
    pub message: String,
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
        let cmd = Command {
            id: Uuid::nil(),
            created_at: DateTime::UNIX_EPOCH,
            action: Action::Ping(Ping {}),
        };
        let v = serde_json::to_value(&cmd).unwrap();
        assert_eq!(v["action"], serde_json::json!({"kind": "ping"}));
        // Job arguments are tagged by kind, flat beside the tag.
        let spec = JobSpec {
            job_id: Uuid::nil(),
            repository_id: Uuid::nil(),
            config_version: 4,
            args: JobArgs::Backup(BackupSpec { paths: vec!["/etc".into()], ..Default::default() }),
            schedule_id: None,
        };
        let v = serde_json::to_value(&spec).unwrap();
        assert!(v.get("schedule_id").is_none(), "absent, not null, when not a schedule's");
        assert_eq!(
            v["args"],
            serde_json::json!({"kind": "backup", "paths": ["/etc"], "excludes": [], "tags": [],
                               "exclude_files": [], "one_file_system": false, "extra_options": []})
        );
        // A schedule's fire, as its first event says it.
        let created = JobEvent {
            seq: 1,
            at: DateTime::UNIX_EPOCH,
            kind: JobEventKind::Created,
            stream: None,
            line: None,
            pid: None,
            progress: None,
            snapshots: None,
            result: None,
            created: Some(AgentJob {
                schedule_id: Uuid::nil(),
                repository_id: Uuid::nil(),
                config_version: 2,
                args: JobArgs::Init(InitArgs {}),
                fire_time: DateTime::UNIX_EPOCH,
                trigger: FireTrigger::Missed,
            }),
        };
        let cv = serde_json::to_value(&created).unwrap();
        assert_eq!(cv["kind"], "created");
        assert_eq!(cv["created"]["trigger"], "missed");
        assert_eq!(cv["created"]["args"], serde_json::json!({"kind": "init"}));
        // An older server's arguments (no exclude files, no limits) still read.
        let old: JobArgs = serde_json::from_str(r#"{"kind":"backup","paths":["/etc"]}"#).unwrap();
        assert_eq!(
            old.backup().map(|b| (b.one_file_system, b.limit_upload_kib)),
            Some((false, None))
        );
        let back: JobSpec = serde_json::from_value(v).unwrap();
        assert_eq!(
            (back.args.kind(), back.args.backup().map(|b| b.paths.len())),
            (JobKind::Backup, Some(1))
        );
        let init: JobArgs = serde_json::from_str(r#"{"kind":"init"}"#).unwrap();
        assert_eq!(init, JobArgs::Init(InitArgs {}));
        assert!(serde_json::from_str::<JobArgs>(r#"{"kind":"format_disk"}"#).is_err());
        let a: Answer = serde_json::from_str(
            r#"{"kind":"failed","error_class":"restic.wrong_password","message":"no"}"#,
        )
        .unwrap();
        assert!(matches!(a, Answer::Failed(f) if f.error_class == "restic.wrong_password"));
        let e: JobEvent = serde_json::from_value(serde_json::json!({
            "seq": 3, "at": "2026-01-01T00:00:00Z", "kind": "log", "stream": "stderr", "line": "x"
        }))
        .unwrap();
        assert_eq!((e.kind, e.stream), (JobEventKind::Log, Some(LogStream::Stderr)));
        let r: JobResult = serde_json::from_str(r#"{"outcome":"warning"}"#).unwrap();
        assert_eq!(r.outcome, JobOutcome::Warning);
        let s: AnnounceState = serde_json::from_str("\"rejected\"").unwrap();
        assert_eq!(s, AnnounceState::Rejected);
    }
}

/// Error codes of the agent API that the agent acts on (the server's registry, `Code`,
/// takes its text from here, so the two cannot drift).
pub mod codes {
    /// The two sides speak different protocol versions.
    pub const AGENT_PROTOCOL_MISMATCH: &str = "agent.protocol_mismatch";
    /// The host is unknown or was deleted: enroll again.
    pub const AGENT_REVOKED: &str = "agent.revoked";
    /// The token's time does not fit the server's clock.
    pub const AGENT_CLOCK_SKEW: &str = "agent.clock_skew";
    /// Any other refused agent credential.
    pub const AGENT_UNAUTHORIZED: &str = "agent.unauthorized";
}
