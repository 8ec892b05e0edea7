//! Jobs for people: start a backup (or a repository init, or a snapshot refresh), list and
//! read jobs, their logs, a live feed as Server-Sent Events (resumable with Last-Event-ID),
//! cancel, and the snapshots each host has.

use crate::codes::Code;
use std::{collections::VecDeque, time::Duration};

use cairn_proto::{
    BackupSpec, BackupSummary, InitArgs, JobArgs, JobKind, SnapshotsArgs, UnlockArgs,
};
use chrono::{DateTime, Utc};
use futures_util::stream::BoxStream;
use poem::web::{Data, sse::Event};
use poem_openapi::{
    OpenApi,
    param::{Header, Path, Query},
    payload::{EventStream, Json},
};
use uuid::Uuid;

use super::security::{Auth, HostAuth, perm};
use super::{ApiTags, error::ApiError, serde_json_body::SerdeJson};
use crate::{
    app::AppState,
    auth::permission::Permission,
    domain::jobs::{self as domain},
    domain::maintenance,
    domain::rows::JobFilter,
};

mod feed;
pub(crate) mod models;

pub(crate) use models::one;
pub use models::*;

pub struct JobsApi;

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
        auth: HostAuth<perm::BackupsRun>,
        state: Data<&AppState>,
        id: Path<Uuid>,
        body: Json<CreateBackupRequest>,
    ) -> Result<Started, ApiError> {
        auth.host(id.0).await?;
        let b = body.0;
        let spec = domain::validate_backup(BackupSpec {
            paths: b.paths,
            excludes: b.excludes.unwrap_or_default(),
            tags: b.tags.unwrap_or_default(),
            ..Default::default()
        })?;
        let row =
            domain::create(&state, &auth.actor(), id.0, b.repository_id, JobArgs::Backup(spec))
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
        let args = JobArgs::Init(InitArgs {});
        let row = domain::create(&state, &auth.actor(), body.host_id, id.0, args).await?;
        Ok(Started::Accepted(Json(one(&state, row).await?)))
    }

    /// Runs a repository operation through a linked host's agent: `forget` (within the
    /// repository's delete guard; a run past it removes nothing and ends `blocked`),
    /// `prune`, `check`, `unlock` (stale locks; all locks, `remove_all`, needs an admin)
    /// or `stats`. Refused (409) like a backup when the host is offline, the repository not
    /// linked to it, or a job on that pair still runs.
    #[oai(
        path = "/v1/repositories/:id/jobs",
        method = "post",
        operation_id = "start_repository_job"
    )]
    async fn start_repository_job(
        &self,
        auth: Auth<perm::ReposMaintain>,
        state: Data<&AppState>,
        id: Path<Uuid>,
        body: Json<RepositoryJobRequest>,
    ) -> Result<Started, ApiError> {
        let b = body.0;
        if matches!(b.args, JobArgs::Unlock(UnlockArgs { remove_all: true })) {
            auth.require(Permission::ReposManage).await?;
        }
        let row = maintenance::start(&state, &auth.actor(), id.0, b.host_id, b.args).await?;
        Ok(Started::Accepted(Json(one(&state, row).await?)))
    }

    /// Rotates the repository's password: a new random one is given to `host_id`'s agent,
    /// which adds a key for it (`key_add`); every linked host then gets it, and once each
    /// has applied that config the old key is removed (`key_remove`, through any online
    /// linked host). A host offline meanwhile keeps the old key working until it acks.
    /// Refused (409 `repository.rotation_in_progress`) while one is under way; after a
    /// failed removal of the old key it retries that removal.
    #[oai(
        path = "/v1/repositories/:id/rotate-key",
        method = "post",
        operation_id = "rotate_repository_key"
    )]
    async fn rotate_key(
        &self,
        auth: Auth<perm::ReposManage>,
        state: Data<&AppState>,
        id: Path<Uuid>,
        body: Json<RotateKeyRequest>,
    ) -> Result<Started, ApiError> {
        let row =
            crate::domain::key_rotation::start(&state, &auth.actor(), id.0, body.0.host_id).await?;
        Ok(Started::Accepted(Json(one(&state, row).await?)))
    }

    /// Runs again, past the delete guard, a forget its guard blocked (same host,
    /// repository and policy). Audited as `job.approve`.
    #[oai(path = "/v1/jobs/:id/approve", method = "post", operation_id = "approve_job")]
    async fn approve_job(
        &self,
        auth: Auth<perm::ReposManage>,
        state: Data<&AppState>,
        id: Path<Uuid>,
    ) -> Result<Started, ApiError> {
        let row = maintenance::approve(&state, &auth.actor(), id.0).await?;
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
        auth: HostAuth<perm::JobsRun>,
        state: Data<&AppState>,
        id: Path<Uuid>,
        body: Json<RefreshSnapshotsRequest>,
    ) -> Result<Started, ApiError> {
        auth.host(id.0).await?;
        let args = JobArgs::Snapshots(SnapshotsArgs {});
        let row = domain::create(&state, &auth.actor(), id.0, body.repository_id, args).await?;
        Ok(Started::Accepted(Json(one(&state, row).await?)))
    }

    /// Jobs, newest first, with filters, a page at a time: pass the answer's `next_cursor`
    /// as `cursor` for the next page. Any page costs what the first does.
    #[oai(path = "/v1/jobs", method = "get", operation_id = "list_jobs")]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        auth: HostAuth<perm::HostsRead>,
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
        /// The `next_cursor` of the previous page.
        #[oai(validator(max_length = 512))]
        cursor: Query<Option<String>>,
        /// Also count the matching jobs (up to 10,000; `total_capped` says when there are
        /// more).
        with_total: Query<Option<bool>>,
    ) -> Result<SerdeJson<JobList>, ApiError> {
        let filter = JobFilter {
            host: host_id.0,
            repository: repository_id.0,
            kind: kind.0,
            status: status.0.map(domain::JobStatus::from),
            since: since.0,
            until: until.0,
            scope: auth.scope().clone(),
        };
        let limit = limit.0.unwrap_or(50);
        let with_total = with_total.0.unwrap_or(false);
        let page = domain::list(&state, &filter, cursor.0.as_deref(), limit, with_total).await?;
        Ok(SerdeJson(JobList {
            items: page
                .items
                .into_iter()
                .map(|j| view(j.row, j.hostname, j.repository_name))
                .collect(),
            next_cursor: page.next_cursor,
            total: page.total.map(|t| t.count),
            total_capped: page.total.map(|t| t.capped),
        }))
    }

    #[oai(path = "/v1/jobs/:id", method = "get", operation_id = "get_job")]
    async fn get(
        &self,
        auth: HostAuth<perm::HostsRead>,
        state: Data<&AppState>,
        id: Path<Uuid>,
    ) -> Result<Json<Job>, ApiError> {
        auth.job(id.0).await?;
        let row = domain::get(&state, id.0).await?;
        Ok(Json(one(&state, row).await?))
    }

    /// A job's log lines after `after` (a seq), oldest first.
    #[oai(path = "/v1/jobs/:id/logs", method = "get", operation_id = "list_job_logs")]
    async fn logs(
        &self,
        auth: HostAuth<perm::HostsRead>,
        state: Data<&AppState>,
        id: Path<Uuid>,
        after: Query<Option<i64>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "5000")))] limit: Query<Option<u64>>,
    ) -> Result<SerdeJson<LogPage>, ApiError> {
        auth.job(id.0).await?;
        let after = after.0.unwrap_or(0);
        let rows = domain::logs_after(&state, id.0, after, limit.0.unwrap_or(1000)).await?;
        let next_after = rows.last().map(|r| r.seq).unwrap_or(after);
        Ok(SerdeJson(LogPage { items: rows.into_iter().map(Into::into).collect(), next_after }))
    }

    /// The job live, as Server-Sent Events: `log` (id = seq), `progress`, `status` (the job
    /// whenever its status changes) and a final `end` once it has ended and every line was
    /// sent. Resumes after `Last-Event-ID` (or `after`), so a reconnect misses nothing.
    #[oai(path = "/v1/jobs/:id/events", method = "get", operation_id = "stream_job_events")]
    async fn events(
        &self,
        auth: HostAuth<perm::HostsRead>,
        state: Data<&AppState>,
        id: Path<Uuid>,
        #[oai(name = "Last-Event-ID")] last_event_id: Header<Option<String>>,
        after: Query<Option<i64>>,
    ) -> Result<EventStream<BoxStream<'static, JobFeedEvent>>, ApiError> {
        auth.job(id.0).await?;
        let row = domain::get(&state, id.0).await?;
        let from_header = match last_event_id.0.as_deref() {
            None => None,
            Some(v) => Some(v.trim().parse::<i64>().map_err(|_| {
                invalid(Code::JobBadLastEventId, "Last-Event-ID must be a number.", "Last-Event-ID")
            })?),
        };
        let job = one(&state, row).await?;
        let feed = feed::Feed {
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
        let stream = futures_util::stream::unfold(feed, feed::Feed::next);
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
        auth: HostAuth<perm::JobsRun>,
        state: Data<&AppState>,
        id: Path<Uuid>,
    ) -> Result<Started, ApiError> {
        auth.job(id.0).await?;
        let row = domain::cancel(&state, &auth.actor(), id.0).await?;
        Ok(Started::Accepted(Json(one(&state, row).await?)))
    }

    /// The host's snapshots as its agent last reported them, newest first.
    #[allow(clippy::too_many_arguments, reason = "one argument per query parameter")]
    #[oai(path = "/v1/hosts/:id/snapshots", method = "get", operation_id = "list_host_snapshots")]
    async fn snapshots(
        &self,
        auth: HostAuth<perm::HostsRead>,
        state: Data<&AppState>,
        id: Path<Uuid>,
        repository_id: Query<Option<Uuid>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))] limit: Query<Option<u64>>,
        /// The `next_cursor` of the previous page.
        #[oai(validator(max_length = 512))]
        cursor: Query<Option<String>>,
        /// Also count the snapshots (up to 10,000).
        with_total: Query<Option<bool>>,
    ) -> Result<Json<SnapshotList>, ApiError> {
        auth.host(id.0).await?;
        let (page, made_by) = domain::snapshots(
            &state,
            id.0,
            repository_id.0,
            cursor.0.as_deref(),
            limit.0.unwrap_or(50),
            with_total.0.unwrap_or(false),
        )
        .await?;
        let rows = page.items;
        let repo_ids: Vec<Uuid> = rows.iter().map(|r| r.repository_id).collect();
        let repos = domain::repository_names(&state, &repo_ids).await?;
        let items = rows
            .into_iter()
            .map(|r| {
                let job = made_by.iter().find(|j| j.snapshot_id.as_deref() == Some(&r.snapshot_id));
                let summary = job
                    .and_then(|j| j.summary.as_deref())
                    .and_then(|s| serde_json::from_str::<BackupSummary>(s).ok());
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
                    data_added: summary.as_ref().map(|s| s.data_added),
                    size: summary.as_ref().map(|s| s.total_bytes_processed),
                    files: summary.as_ref().map(|s| s.total_files_processed),
                    job_id: job.map(|j| j.id),
                    id: r.snapshot_id,
                }
            })
            .collect();
        Ok(Json(SnapshotList {
            items,
            next_cursor: page.next_cursor,
            total: page.total.map(|t| t.count),
            total_capped: page.total.map(|t| t.capped),
        }))
    }
}
