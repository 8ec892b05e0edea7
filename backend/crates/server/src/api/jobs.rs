//! Jobs for people: start a backup (or a repository init, or a snapshot refresh), list and
//! read jobs, their logs, a live feed as Server-Sent Events (resumable with Last-Event-ID),
//! cancel, and the snapshots each host has.

use crate::codes::Code;
use std::{collections::VecDeque, time::Duration};

use cairn_proto::{BackupSpec, BackupSummary, JobKind, JobProgress, JobResult};
use chrono::{DateTime, Utc};
use futures_util::stream::BoxStream;
use poem::web::{Data, sse::Event};
use poem_openapi::{
    ApiResponse, Enum, Object, OpenApi,
    param::{Header, Path, Query},
    payload::{EventStream, Json},
};
use uuid::Uuid;

use super::security::{Auth, perm};
use super::{ApiTags, error::ApiError};
use crate::{
    app::AppState,
    domain::jobs::{self as domain},
    domain::rows::{JobFilter, JobRow, LogRow},
};

pub struct JobsApi;

/// A job. Never carries a secret: the command line shown is restic's arguments only.
#[derive(Object, Clone)]
#[oai(skip_serializing_if_is_none)]
pub struct Job {
    pub id: Uuid,
    pub host_id: Uuid,
    pub hostname: Option<String>,
    pub repository_id: Option<Uuid>,
    pub repository_name: Option<String>,
    pub kind: JobKind,
    pub status: JobStatus,
    /// `user`, `token`, `schedule` or `system`.
    pub actor_kind: String,
    pub actor: Option<String>,
    /// What a backup was asked to save.
    pub backup: Option<BackupSpec>,
    pub created_at: DateTime<Utc>,
    pub dispatched_at: Option<DateTime<Utc>>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub cancel_requested_at: Option<DateTime<Utc>>,
    pub exit_code: Option<i32>,
    /// Stable class of the failure, e.g. `restic.wrong_password`, `restic.locked`,
    /// `restic.incomplete`, `agent.lost`.
    pub error_class: Option<String>,
    pub error_message: Option<String>,
    pub summary: Option<BackupSummary>,
    /// The whole result the agent reported (unreadable paths, stale lock…).
    pub result: Option<JobResult>,
    /// The latest progress while it runs (and the last one after).
    pub progress: Option<JobProgress>,
    pub log_lines: i64,
}

pub(super) fn view(row: JobRow, hostname: Option<String>, repository_name: Option<String>) -> Job {
    let args: serde_json::Value = serde_json::from_str(&row.args).unwrap_or_default();
    Job {
        id: row.id,
        host_id: row.host_id,
        hostname,
        repository_id: row.repository_id,
        repository_name,
        kind: domain::parse_kind(&row.kind).unwrap_or(JobKind::Backup),
        status: domain::status_of(&row).into(),
        actor_kind: row.actor_kind,
        actor: row.actor,
        backup: serde_json::from_value(args["backup"].clone()).ok().flatten(),
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
    }
}

/// Jobs with their host and repository names (the domain's read model), as the API shows them.
async fn views(state: &AppState, rows: Vec<JobRow>) -> Result<Vec<Job>, ApiError> {
    Ok(domain::with_names(state, rows)
        .await?
        .into_iter()
        .map(|j| view(j.row, j.hostname, j.repository_name))
        .collect())
}

async fn one(state: &AppState, row: JobRow) -> Result<Job, ApiError> {
    Ok(views(state, vec![row]).await?.remove(0))
}

// The domain's `JobStatus`, one to one: the matches below are exhaustive both ways, so a
// new status is a compile error until the API shows it.
/// Where a job is in its life: `queued → dispatched → running →` `succeeded`, `warning`,
/// `failed`, `cancelled` or `lost`.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum JobStatus {
    Queued,
    Dispatched,
    Running,
    Succeeded,
    Warning,
    Failed,
    Cancelled,
    Lost,
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
        }
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct JobList {
    pub items: Vec<Job>,
    pub total: u64,
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
pub struct RefreshSnapshotsRequest {
    pub repository_id: Uuid,
}

#[derive(ApiResponse)]
pub enum Started {
    /// Queued; the host's agent receives it on its held poll at once.
    #[oai(status = 202)]
    Accepted(Json<Job>),
}

#[derive(Object, Clone)]
#[oai(skip_serializing_if_is_none)]
pub struct LogLine {
    pub seq: i64,
    pub at: DateTime<Utc>,
    /// `stdout`, `stderr` or `agent`.
    pub stream: String,
    pub line: String,
}

impl From<LogRow> for LogLine {
    fn from(r: LogRow) -> Self {
        LogLine { seq: r.seq, at: r.at, stream: r.stream, line: r.line }
    }
}

#[derive(Object)]
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
    /// The job that made it, when Cairn ran that backup.
    pub job_id: Option<Uuid>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SnapshotList {
    pub items: Vec<Snapshot>,
    pub total: u64,
}

fn invalid(code: Code, msg: &str, field: &'static str) -> ApiError {
    crate::domain::DomainError::invalid(code, msg, field).into()
}

#[OpenApi(tag = "ApiTags::Jobs")]
impl JobsApi {
    /// Backs up paths of a host to one of its repositories now. Refused (409) when the host
    /// is offline, the repository is not linked to it, or a job on that pair still runs.
    #[oai(path = "/v1/hosts/:id/backups", method = "post", operation_id = "create_backup")]
    async fn create_backup(
        &self,
        auth: Auth<perm::JobsRun>,
        state: Data<&AppState>,
        id: Path<Uuid>,
        body: Json<CreateBackupRequest>,
    ) -> Result<Started, ApiError> {
        let b = body.0;
        let spec = domain::validate_backup(BackupSpec {
            paths: b.paths,
            excludes: b.excludes.unwrap_or_default(),
            tags: b.tags.unwrap_or_default(),
        })?;
        let row = domain::create(
            &state,
            &auth.actor(),
            id.0,
            b.repository_id,
            JobKind::Backup,
            Some(spec),
        )
        .await?;
        Ok(Started::Accepted(Json(one(&state, row).await?)))
    }

    /// Creates the restic repository (`restic init`) through a linked host's agent.
    #[oai(path = "/v1/repositories/:id/init", method = "post", operation_id = "init_repository")]
    async fn init_repository(
        &self,
        auth: Auth<perm::ReposManage>,
        state: Data<&AppState>,
        id: Path<Uuid>,
        body: Json<InitRepositoryRequest>,
    ) -> Result<Started, ApiError> {
        let row =
            domain::create(&state, &auth.actor(), body.host_id, id.0, JobKind::Init, None).await?;
        Ok(Started::Accepted(Json(one(&state, row).await?)))
    }

    /// Asks the host's agent for the repository's current list of this host's snapshots.
    #[oai(
        path = "/v1/hosts/:id/snapshots/refresh",
        method = "post",
        operation_id = "refresh_snapshots"
    )]
    async fn refresh_snapshots(
        &self,
        auth: Auth<perm::JobsRun>,
        state: Data<&AppState>,
        id: Path<Uuid>,
        body: Json<RefreshSnapshotsRequest>,
    ) -> Result<Started, ApiError> {
        let row = domain::create(
            &state,
            &auth.actor(),
            id.0,
            body.repository_id,
            JobKind::Snapshots,
            None,
        )
        .await?;
        Ok(Started::Accepted(Json(one(&state, row).await?)))
    }

    /// Jobs, newest first, with filters.
    #[oai(path = "/v1/jobs", method = "get", operation_id = "list_jobs")]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        _auth: Auth<perm::HostsRead>,
        state: Data<&AppState>,
        host_id: Query<Option<Uuid>>,
        repository_id: Query<Option<Uuid>>,
        kind: Query<Option<JobKind>>,
        status: Query<Option<JobStatus>>,
        /// Created at or after (RFC 3339).
        since: Query<Option<DateTime<Utc>>>,
        /// Created before (RFC 3339).
        until: Query<Option<DateTime<Utc>>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))] limit: Query<Option<u64>>,
        #[oai(validator(minimum(value = "0")))] offset: Query<Option<u64>>,
    ) -> Result<Json<JobList>, ApiError> {
        let filter = JobFilter {
            host: host_id.0,
            repository: repository_id.0,
            kind: kind.0.map(|k| domain::kind_str(k).to_string()),
            status: status.0.map(|s| domain::JobStatus::from(s).as_str().to_string()),
            since: since.0,
            until: until.0,
        };
        let (rows, total) =
            domain::list(&state, &filter, limit.0.unwrap_or(50), offset.0.unwrap_or(0)).await?;
        Ok(Json(JobList { items: views(&state, rows).await?, total }))
    }

    #[oai(path = "/v1/jobs/:id", method = "get", operation_id = "get_job")]
    async fn get(
        &self,
        _auth: Auth<perm::HostsRead>,
        state: Data<&AppState>,
        id: Path<Uuid>,
    ) -> Result<Json<Job>, ApiError> {
        let row = domain::get(&state, id.0).await?;
        Ok(Json(one(&state, row).await?))
    }

    /// A job's log lines after `after` (a seq), oldest first.
    #[oai(path = "/v1/jobs/:id/logs", method = "get", operation_id = "list_job_logs")]
    async fn logs(
        &self,
        _auth: Auth<perm::HostsRead>,
        state: Data<&AppState>,
        id: Path<Uuid>,
        after: Query<Option<i64>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "5000")))] limit: Query<Option<u64>>,
    ) -> Result<Json<LogPage>, ApiError> {
        domain::get(&state, id.0).await?;
        let after = after.0.unwrap_or(0);
        let rows = domain::logs_after(&state, id.0, after, limit.0.unwrap_or(1000)).await?;
        let next_after = rows.last().map(|r| r.seq).unwrap_or(after);
        Ok(Json(LogPage { items: rows.into_iter().map(Into::into).collect(), next_after }))
    }

    /// The job live, as Server-Sent Events: `log` (id = seq), `progress`, `status` (the job
    /// whenever its status changes) and a final `end` once it has ended and every line was
    /// sent. Resumes after `Last-Event-ID` (or `after`), so a reconnect misses nothing.
    #[oai(path = "/v1/jobs/:id/events", method = "get", operation_id = "stream_job_events")]
    async fn events(
        &self,
        _auth: Auth<perm::HostsRead>,
        state: Data<&AppState>,
        id: Path<Uuid>,
        #[oai(name = "Last-Event-ID")] last_event_id: Header<Option<String>>,
        after: Query<Option<i64>>,
    ) -> Result<EventStream<BoxStream<'static, JobFeedEvent>>, ApiError> {
        let row = domain::get(&state, id.0).await?;
        let from_header = match last_event_id.0.as_deref() {
            None => None,
            Some(v) => Some(v.trim().parse::<i64>().map_err(|_| {
                invalid(Code::JobBadLastEventId, "Last-Event-ID must be a number.", "Last-Event-ID")
            })?),
        };
        let job = one(&state, row).await?;
        let feed = super::job_feed::Feed {
            state: state.clone(),
            notify: state.hub.watch_job(id.0),
            job: id.0,
            after: from_header.or(after.0).unwrap_or(0).max(0),
            names: (job.hostname.clone(), job.repository_name.clone()),
            last_status: None,
            last_progress: None,
            pending: VecDeque::new(),
            done: false,
        };
        let stream = futures_util::stream::unfold(feed, super::job_feed::Feed::next);
        Ok(EventStream::new(Box::pin(stream) as BoxStream<'static, JobFeedEvent>)
            .keep_alive(Duration::from_secs(15))
            .to_event(|e: JobFeedEvent| {
                let kind = match e.kind {
                    FeedKind::Log => "log",
                    FeedKind::Progress => "progress",
                    FeedKind::Status => "status",
                    FeedKind::End => "end",
                };
                let id = e.log.as_ref().map(|l| l.seq);
                let data = poem_openapi::types::ToJSON::to_json_string(&e);
                let ev = Event::message(data).event_type(kind);
                match id {
                    Some(id) => ev.id(id.to_string()),
                    None => ev,
                }
            }))
    }

    /// Asks a job to stop. One no agent has received yet ends at once; a running one ends
    /// when its agent has stopped restic (status `cancelled`).
    #[oai(path = "/v1/jobs/:id/cancel", method = "post", operation_id = "cancel_job")]
    async fn cancel(
        &self,
        auth: Auth<perm::JobsRun>,
        state: Data<&AppState>,
        id: Path<Uuid>,
    ) -> Result<Started, ApiError> {
        let row = domain::cancel(&state, &auth.actor(), id.0).await?;
        Ok(Started::Accepted(Json(one(&state, row).await?)))
    }

    /// The host's snapshots as its agent last reported them, newest first.
    #[oai(path = "/v1/hosts/:id/snapshots", method = "get", operation_id = "list_host_snapshots")]
    async fn snapshots(
        &self,
        _auth: Auth<perm::HostsRead>,
        state: Data<&AppState>,
        id: Path<Uuid>,
        repository_id: Query<Option<Uuid>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))] limit: Query<Option<u64>>,
        #[oai(validator(minimum(value = "0")))] offset: Query<Option<u64>>,
    ) -> Result<Json<SnapshotList>, ApiError> {
        let (rows, total, made_by) = domain::snapshots(
            &state,
            id.0,
            repository_id.0,
            limit.0.unwrap_or(50),
            offset.0.unwrap_or(0),
        )
        .await?;
        let repo_ids: Vec<Uuid> = rows.iter().map(|r| r.repository_id).collect();
        let repos = domain::repository_names(&state, &repo_ids).await?;
        let items = rows
            .into_iter()
            .map(|r| {
                let job = made_by.iter().find(|j| j.snapshot_id.as_deref() == Some(&r.snapshot_id));
                let added = job
                    .and_then(|j| j.summary.as_deref())
                    .and_then(|s| serde_json::from_str::<BackupSummary>(s).ok())
                    .map(|s| s.data_added);
                Snapshot {
                    short_id: r.snapshot_id.chars().take(8).collect(),
                    time: r.time,
                    hostname: r.hostname,
                    paths: serde_json::from_str(&r.paths).unwrap_or_default(),
                    tags: serde_json::from_str(&r.tags).unwrap_or_default(),
                    repository_name: repos
                        .iter()
                        .find(|(id, _)| *id == r.repository_id)
                        .map(|(_, name)| name.clone()),
                    repository_id: r.repository_id,
                    data_added: added,
                    job_id: job.map(|j| j.id),
                    id: r.snapshot_id,
                }
            })
            .collect();
        Ok(Json(SnapshotList { items, total }))
    }
}
