//! The shapes of the jobs API: a job (with its decoded summary, result and progress), its
//! status, log lines, the live feed's events, snapshots, and the request bodies.

use cairn_proto::{BackupSpec, BackupSummary, CopyArgs, JobArgs, JobKind, JobProgress, JobResult};
use chrono::{DateTime, Utc};
use poem_openapi::{ApiResponse, Enum, Object, payload::Json};
use uuid::Uuid;

use super::super::{error::ApiError, wire_time};
use crate::{
    app::AppState,
    domain::jobs::{self as domain},
    domain::rows::{JobRow, LogRow},
};

/// A job. Never carries a secret: the command line shown is restic's arguments only.
#[derive(Object, Clone, serde::Serialize)]
#[oai(skip_serializing_if_is_none)]
pub struct Job {
    pub id: Uuid,
    pub host_id: Uuid,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repository_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repository_name: Option<String>,
    pub kind: JobKind,
    pub status: JobStatus,
    /// `user`, `token`, `schedule` or `system`.
    pub actor_kind: String,
    /// For `schedule`, the schedule's name (its agent started the run on its clock).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    /// The schedule the job ran for: its fire, or its "Run now".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schedule_id: Option<Uuid>,
    /// While `queued`: the job on the same repository it waits for (a prune waits for a
    /// backup, a backup for a check…); it is handed out once that one ends.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiting_for: Option<Uuid>,
    /// What a backup was asked to save.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backup: Option<BackupSpec>,
    /// What a copy was asked to do: the source repository it copies from into this job's
    /// repository (the mirror), and which snapshots.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub copy: Option<CopyArgs>,
    #[serde(serialize_with = "wire_time::time")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "wire_time::opt_time", skip_serializing_if = "Option::is_none")]
    pub dispatched_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "wire_time::opt_time", skip_serializing_if = "Option::is_none")]
    pub started_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "wire_time::opt_time", skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "wire_time::opt_time", skip_serializing_if = "Option::is_none")]
    pub cancel_requested_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
    /// Stable class of the failure, e.g. `restic.wrong_password`, `restic.locked`,
    /// `restic.incomplete`, `agent.lost`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_class: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<BackupSummary>,
    /// The whole result the agent reported (unreadable paths, stale lock…).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<JobResult>,
    /// The latest progress while it runs (and the last one after).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub progress: Option<JobProgress>,
    pub log_lines: i64,
    /// When history retention removed the job's log lines (`history.job_logs_days`);
    /// `log_lines` still says how many there were.
    #[serde(serialize_with = "wire_time::opt_time", skip_serializing_if = "Option::is_none")]
    pub logs_removed_at: Option<DateTime<Utc>>,
}

pub(super) fn view(row: JobRow, hostname: Option<String>, repository_name: Option<String>) -> Job {
    let args = domain::args_of(&row);
    Job {
        id: row.id,
        host_id: row.host_id,
        hostname,
        repository_id: row.repository_id,
        repository_name,
        kind: row.kind,
        status: row.status.into(),
        actor_kind: row.actor_kind,
        actor: row.actor,
        schedule_id: row.schedule_id,
        waiting_for: row.waiting_for.filter(|_| row.status == domain::JobStatus::Queued),
        backup: args.as_ref().and_then(|a| a.backup()).cloned(),
        copy: match &args {
            Some(JobArgs::Copy(c)) => Some(c.clone()),
            _ => None,
        },
        created_at: row.created_at,
        dispatched_at: row.dispatched_at,
        started_at: row.started_at,
        finished_at: row.finished_at,
        cancel_requested_at: row.cancel_requested_at,
        exit_code: row.exit_code,
        error_class: row.error_class,
        error_message: row.error_message,
        summary: row.summary.and_then(|s| serde_json::from_str(&s).ok()),
        result: row.result.and_then(|s| serde_json::from_str(&s).ok()),
        progress: row.progress.and_then(|s| serde_json::from_str(&s).ok()),
        log_lines: row.log_lines,
        logs_removed_at: row.logs_removed_at,
    }
}

/// Jobs with their host and repository names (the domain's read model), as the API shows them.
pub(crate) async fn views(state: &AppState, rows: Vec<JobRow>) -> Result<Vec<Job>, ApiError> {
    Ok(domain::with_names(state, rows)
        .await?
        .into_iter()
        .map(|j| view(j.row, j.hostname, j.repository_name))
        .collect())
}

pub(crate) async fn one(state: &AppState, row: JobRow) -> Result<Job, ApiError> {
    Ok(views(state, vec![row]).await?.remove(0))
}

// The domain's `JobStatus`, one to one: the matches below are exhaustive both ways, so a
// new status is a compile error until the API shows it.
/// Where a job is in its life: `queued → dispatched → running →` `succeeded`, `warning`,
/// `failed`, `cancelled`, `lost` or `blocked` (a guard stopped it before it changed
/// anything, e.g. a forget past the repository's delete guard; an admin may approve it).
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[oai(rename_all = "snake_case")]
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

impl From<domain::JobStatus> for JobStatus {
    fn from(s: domain::JobStatus) -> Self {
        use domain::JobStatus as D;
        match s {
            D::Queued => JobStatus::Queued,
            D::Dispatched => JobStatus::Dispatched,
            D::Running => JobStatus::Running,
            D::Succeeded => JobStatus::Succeeded,
            D::Warning => JobStatus::Warning,
            D::Failed => JobStatus::Failed,
            D::Cancelled => JobStatus::Cancelled,
            D::Lost => JobStatus::Lost,
            D::Blocked => JobStatus::Blocked,
        }
    }
}

impl From<JobStatus> for domain::JobStatus {
    fn from(s: JobStatus) -> Self {
        use domain::JobStatus as D;
        match s {
            JobStatus::Queued => D::Queued,
            JobStatus::Dispatched => D::Dispatched,
            JobStatus::Running => D::Running,
            JobStatus::Succeeded => D::Succeeded,
            JobStatus::Warning => D::Warning,
            JobStatus::Failed => D::Failed,
            JobStatus::Cancelled => D::Cancelled,
            JobStatus::Lost => D::Lost,
            JobStatus::Blocked => D::Blocked,
        }
    }
}

#[derive(Object, serde::Serialize)]
#[oai(skip_serializing_if_is_none)]
pub struct JobList {
    /// Newest first. List rows leave out `result` (and `progress` once a job ended): the
    /// single read has them.
    pub items: Vec<Job>,
    /// Pass as `cursor` for the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
    /// How many jobs match the filters, up to 10,000; only with `with_total=true`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
    /// More than `total` match; only with `with_total=true`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_capped: Option<bool>,
}

#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct CreateBackupRequest {
    pub repository_id: Uuid,
    /// Absolute paths on the host.
    #[oai(validator(min_items = 1, max_items = 100, max_length = 4096, pattern = r"^\s*/"))]
    pub paths: Vec<String>,
    /// restic `--exclude` patterns.
    #[oai(validator(max_items = 200, max_length = 4096))]
    pub excludes: Option<Vec<String>>,
    /// Tags for the new snapshot: no commas or spaces.
    #[oai(validator(max_items = 20, max_length = 64, pattern = r"^[^, ]*$"))]
    pub tags: Option<Vec<String>>,
}

#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct InitRepositoryRequest {
    /// The host whose agent runs `restic init` (it must be linked to the repository).
    pub host_id: Uuid,
}

#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct RotateKeyRequest {
    /// The linked, online host whose agent adds the new key.
    pub host_id: Uuid,
}

/// A repository operation and the host whose agent runs it.
#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct RepositoryJobRequest {
    /// A host linked to the repository, online.
    pub host_id: Uuid,
    /// `forget`, `prune`, `check`, `unlock` or `stats`, with its arguments.
    pub args: JobArgs,
}

#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct RefreshSnapshotsRequest {
    pub repository_id: Uuid,
}

#[derive(ApiResponse)]
pub enum Started {
    /// Queued; the host's agent receives it on its held poll at once.
    #[oai(status = 202)]
    Accepted(Json<Job>),
}

#[derive(Object, Clone, serde::Serialize)]
#[oai(skip_serializing_if_is_none)]
pub struct LogLine {
    pub seq: i64,
    #[serde(serialize_with = "wire_time::time")]
    pub at: DateTime<Utc>,
    /// `stdout`, `stderr`, `agent` (the agent's own notes) or `hook` (what a schedule's
    /// pre or post hook printed).
    pub stream: String,
    pub line: String,
}

impl From<LogRow> for LogLine {
    fn from(r: LogRow) -> Self {
        LogLine { seq: r.seq, at: r.at, stream: r.stream, line: r.line }
    }
}

#[derive(Object, serde::Serialize)]
#[oai(skip_serializing_if_is_none)]
pub struct LogPage {
    pub items: Vec<LogLine>,
    /// Pass as `after` for the next page.
    pub next_after: i64,
}

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum FeedKind {
    Log,
    Progress,
    Status,
    End,
}

/// One Server-Sent Event of `GET /v1/jobs/{id}/events`; the SSE `event:` field is `kind`
/// and log events carry their seq as the SSE `id:` (what Last-Event-ID resumes from).
#[derive(Object, Clone)]
#[oai(skip_serializing_if_is_none)]
pub struct JobFeedEvent {
    pub kind: FeedKind,
    pub log: Option<LogLine>,
    pub progress: Option<JobProgress>,
    pub job: Option<Job>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Snapshot {
    pub id: String,
    pub short_id: String,
    pub time: DateTime<Utc>,
    pub hostname: String,
    pub paths: Vec<String>,
    pub tags: Vec<String>,
    pub repository_id: Uuid,
    pub repository_name: Option<String>,
    /// Bytes this snapshot added to the repository, when a Cairn backup made it.
    pub data_added: Option<u64>,
    /// Bytes of the files it holds (what restoring all of it writes), when a Cairn backup
    /// made it.
    pub size: Option<u64>,
    /// Files it holds, when a Cairn backup made it.
    pub files: Option<u64>,
    /// The job that made it, when Cairn ran that backup.
    pub job_id: Option<Uuid>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SnapshotList {
    /// Newest first.
    pub items: Vec<Snapshot>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
    /// How many snapshots, up to 10,000; only with `with_total=true`.
    pub total: Option<u64>,
    /// More than `total`; only with `with_total=true`.
    pub total_capped: Option<bool>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use cairn_proto::{JobOutcome, JobProgress, JobResult};
    use poem_openapi::types::ToJSON;

    /// A job with every field set, or with every optional field absent.
    fn job(full: bool) -> Job {
        let t = DateTime::from_timestamp_micros(1_765_000_000_123_456).unwrap();
        let some = |v| if full { Some(v) } else { None };
        let summary = BackupSummary {
            data_added: 7,
            total_duration_secs: 1.5,
            snapshot_id: Some("ab".repeat(32)),
            ..Default::default()
        };
        Job {
            id: Uuid::nil(),
            host_id: Uuid::max(),
            hostname: some("web-01".into()),
            repository_id: full.then(Uuid::max),
            repository_name: some("nas \"main\"".into()),
            kind: JobKind::Backup,
            status: JobStatus::Warning,
            actor_kind: "user".into(),
            actor: some("ada".into()),
            schedule_id: full.then(Uuid::max),
            waiting_for: full.then(Uuid::max),
            backup: full.then(|| BackupSpec {
                paths: vec!["/etc".into()],
                tags: vec!["t".into()],
                ..Default::default()
            }),
            copy: full.then(|| CopyArgs {
                from_repository_id: Uuid::max(),
                host: Some("web-01".into()),
                tags: vec!["t".into()],
            }),
            created_at: t,
            dispatched_at: full.then_some(t),
            started_at: full.then_some(t),
            finished_at: full.then_some(t),
            cancel_requested_at: full.then_some(t),
            exit_code: full.then_some(3),
            error_class: some("restic.incomplete".into()),
            error_message: some("ünreadable\n".into()),
            summary: full.then(|| summary.clone()),
            result: full.then(|| JobResult {
                outcome: JobOutcome::Warning,
                summary: Some(summary.clone()),
                ..Default::default()
            }),
            progress: full.then(|| JobProgress {
                fraction: 0.25,
                seconds_remaining: Some(9),
                ..Default::default()
            }),
            log_lines: 12,
            logs_removed_at: full.then_some(t),
        }
    }

    /// The job list and log page are written by serde (`SerdeJson`): the same JSON as
    /// poem-openapi would write from their `Object`s, field for field.
    #[test]
    fn serde_writes_what_the_document_describes() {
        for full in [true, false] {
            let list = JobList {
                items: vec![job(full)],
                next_cursor: full.then(|| "c".into()),
                total: full.then_some(1),
                total_capped: full.then_some(false),
            };
            assert_eq!(serde_json::to_value(&list).unwrap(), list.to_json().unwrap(), "{full}");
        }
        let t = DateTime::from_timestamp_micros(1_765_000_000_000_001).unwrap();
        let page = LogPage {
            items: vec![LogLine { seq: 1, at: t, stream: "stdout".into(), line: "a\tb".into() }],
            next_after: 1,
        };
        assert_eq!(serde_json::to_value(&page).unwrap(), page.to_json().unwrap());
    }
}
