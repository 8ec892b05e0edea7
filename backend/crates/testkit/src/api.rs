//! The API's answers and requests as typed values, for the kit's helpers and the tests'
//! setup code: small serde mirrors of the schemas in `openapi/cairn.json`, written from the
//! document (not the server's poem types), holding the fields tests read. Unknown fields
//! are ignored; the contract check on every answer (`contract::send`) already holds each
//! answer to the whole schema. The agent protocol's types are `cairn_proto`'s, shared by
//! the server and the agent.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use cairn_proto::{
    AnnounceState, AnnounceStatus, BackupSummary, EnrollResponse, JobKind, JobProgress, JobResult,
    PollResponse,
};

/// A page of a list: HostList, JobList, SnapshotList, UserList.
#[derive(Deserialize, Debug, Clone)]
pub struct List<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
    /// Only with `with_total=true`.
    pub total: Option<u64>,
    pub total_capped: Option<bool>,
}

/// `{items}`: PendingHostList, RepositoryList, EnrollmentTokenList, …
#[derive(Deserialize, Debug, Clone)]
pub struct Items<T> {
    pub items: Vec<T>,
}

/// `Repository`.
#[derive(Deserialize, Debug, Clone)]
pub struct Repository {
    pub id: Uuid,
    pub name: String,
    /// With any password in it masked.
    pub url: String,
    pub has_password: bool,
    pub env_keys: Vec<String>,
    pub created_at: DateTime<Utc>,
}

/// `CreateRepositoryRequest`.
#[derive(Serialize, Debug, Clone)]
pub struct NewRepository {
    pub name: String,
    pub url: String,
    pub password: String,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub env: BTreeMap<String, String>,
}

impl NewRepository {
    pub fn new(name: &str, url: &str, password: &str) -> NewRepository {
        NewRepository {
            name: name.into(),
            url: url.into(),
            password: password.into(),
            env: BTreeMap::new(),
        }
    }

    /// Adds a backend environment variable.
    pub fn env(mut self, key: &str, value: &str) -> NewRepository {
        self.env.insert(key.into(), value.into());
        self
    }
}

/// `CreateEnrollmentTokenRequest`; `NewEnrollmentToken::default()` is `{}`.
#[derive(Serialize, Debug, Clone, Default)]
pub struct NewEnrollmentToken {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repository_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ttl_secs: Option<u64>,
}

impl NewEnrollmentToken {
    /// A token whose host is linked to `repository` right away.
    pub fn linked_to(repository: Uuid) -> NewEnrollmentToken {
        NewEnrollmentToken { repository_id: Some(repository), ..Default::default() }
    }

    pub fn tags<S: Into<String>>(mut self, tags: impl IntoIterator<Item = S>) -> Self {
        self.tags = tags.into_iter().map(Into::into).collect();
        self
    }

    pub fn ttl_secs(mut self, secs: u64) -> Self {
        self.ttl_secs = Some(secs);
        self
    }
}

/// `EnrollmentToken` (never its secret).
#[derive(Deserialize, Debug, Clone)]
pub struct EnrollmentToken {
    pub id: Uuid,
    pub tags: Vec<String>,
    pub repository_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// `CreatedEnrollmentToken`: the token, and its secret shown this once.
#[derive(Deserialize, Debug, Clone)]
pub struct CreatedEnrollmentToken {
    pub token: EnrollmentToken,
    pub secret: String,
    pub install_command: String,
    pub server_url: String,
    /// The certificate pin, when the server's certificate is self-signed.
    pub pin: Option<String>,
}

/// `HostStatus`.
#[derive(Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum HostStatus {
    Online,
    Offline,
}

/// `Host`.
#[derive(Deserialize, Debug, Clone)]
pub struct Host {
    pub id: Uuid,
    pub hostname: String,
    pub fingerprint: String,
    pub tags: Vec<String>,
    pub status: HostStatus,
    pub agent_outdated: bool,
    pub enrolled_via: String,
    pub repository_ids: Vec<Uuid>,
    pub config_version: i64,
    pub applied_config_version: i64,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: Option<DateTime<Utc>>,
}

/// `PendingHost`: an announced agent waiting for an administrator.
#[derive(Deserialize, Debug, Clone)]
pub struct PendingHost {
    pub id: Uuid,
    pub hostname: String,
    pub fingerprint: String,
    pub duplicate_hostname: bool,
}

/// `CreateBackupRequest`.
#[derive(Serialize, Debug, Clone)]
pub struct NewBackup {
    pub repository_id: Uuid,
    pub paths: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub excludes: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}

impl NewBackup {
    pub fn new<S: Into<String>>(repository: Uuid, paths: impl IntoIterator<Item = S>) -> Self {
        NewBackup {
            repository_id: repository,
            paths: paths.into_iter().map(Into::into).collect(),
            excludes: Vec::new(),
            tags: Vec::new(),
        }
    }

    pub fn excludes<S: Into<String>>(mut self, excludes: impl IntoIterator<Item = S>) -> Self {
        self.excludes = excludes.into_iter().map(Into::into).collect();
        self
    }

    pub fn tags<S: Into<String>>(mut self, tags: impl IntoIterator<Item = S>) -> Self {
        self.tags = tags.into_iter().map(Into::into).collect();
        self
    }
}

/// `JobStatus`.
#[derive(Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    Queued,
    Dispatched,
    Running,
    Succeeded,
    Warning,
    Failed,
    Cancelled,
    Lost,
    Blocked,
}

impl JobStatus {
    /// Over: nothing will change it any more (short of a late report from the agent).
    pub fn is_final(self) -> bool {
        !matches!(self, JobStatus::Queued | JobStatus::Dispatched | JobStatus::Running)
    }
}

/// `Job`.
#[derive(Deserialize, Debug, Clone)]
pub struct Job {
    pub id: Uuid,
    pub host_id: Uuid,
    pub hostname: Option<String>,
    pub kind: JobKind,
    pub status: JobStatus,
    pub repository_id: Option<Uuid>,
    pub repository_name: Option<String>,
    pub log_lines: i64,
    pub progress: Option<JobProgress>,
    pub summary: Option<BackupSummary>,
    pub result: Option<JobResult>,
    pub exit_code: Option<i32>,
    pub error_class: Option<String>,
    pub error_message: Option<String>,
    pub cancel_requested_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// `LogLine`.
#[derive(Deserialize, Debug, Clone)]
pub struct LogLine {
    pub seq: i64,
    pub at: DateTime<Utc>,
    /// `stdout`, `stderr` or `agent`.
    pub stream: String,
    pub line: String,
}

/// `LogPage`.
#[derive(Deserialize, Debug, Clone)]
pub struct LogPage {
    pub items: Vec<LogLine>,
    pub next_after: i64,
}

/// `Snapshot`.
#[derive(Deserialize, Debug, Clone)]
pub struct Snapshot {
    pub id: String,
    pub short_id: String,
    pub time: DateTime<Utc>,
    pub hostname: String,
    pub paths: Vec<String>,
    pub tags: Vec<String>,
    pub repository_id: Uuid,
    pub repository_name: Option<String>,
    pub job_id: Option<Uuid>,
    pub data_added: Option<u64>,
}

/// `QueuedCommand`: the answer to a ping.
#[derive(Deserialize, Debug, Clone)]
pub struct QueuedCommand {
    pub command_id: Uuid,
}
