//! `/hosts/{id}/schedules` and `/schedules/{id}`: what each host backs up, when, and how
//! long it is kept; run one now; preview what a cron expression means.

use cairn_proto::{BackupSpec, MissedRun, RetentionPolicy};
use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{ApiResponse, Object, OpenApi, param::Path, param::Query, payload::Json};
use uuid::Uuid;

use super::jobs::{JobStatus, Started, one};
use super::security::{Auth, perm};
use super::{ApiTags, auth::NoContent, error::ApiError};
use crate::{
    app::AppState,
    domain::rows::HostRow,
    domain::schedules::{self as service, ScheduleInput, ScheduleView},
};

pub struct SchedulesApi;

/// The newest job a schedule made (by its cron or by "Run now").
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ScheduleRun {
    pub job_id: Uuid,
    pub status: JobStatus,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub error_class: Option<String>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Schedule {
    pub id: Uuid,
    pub host_id: Uuid,
    pub repository_id: Uuid,
    pub name: String,
    /// The 5-field cron expression; absent for a manual schedule (runs only when asked).
    pub cron: Option<String>,
    /// The zone the schedule names; absent when it uses its host's.
    pub timezone: Option<String>,
    /// The zone its cron is read in: its own, else its host's, else UTC.
    pub effective_timezone: String,
    /// The cron expression in words, e.g. "Every day at 03:00"; absent for a manual one.
    pub description: Option<String>,
    /// The next fires (up to 5) in `effective_timezone`, as instants; empty for a manual
    /// or disabled schedule.
    pub next_fires: Vec<DateTime<Utc>>,
    pub enabled: bool,
    pub backup: BackupSpec,
    pub retention: Option<RetentionPolicy>,
    pub forget_after_backup: bool,
    pub prune_after_forget: bool,
    pub prune_max_unused: Option<String>,
    pub missed: MissedRun,
    pub last_run: Option<ScheduleRun>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<ScheduleView> for Schedule {
    fn from(v: ScheduleView) -> Self {
        let r = v.row;
        Schedule {
            id: r.id,
            host_id: r.host_id,
            repository_id: r.repository_id,
            name: r.name,
            cron: r.cron,
            timezone: r.timezone,
            effective_timezone: v.effective_timezone,
            description: v.description,
            next_fires: v.next_fires,
            enabled: r.enabled,
            backup: v.backup,
            retention: v.retention,
            forget_after_backup: r.forget_after_backup,
            prune_after_forget: r.prune_after_forget,
            prune_max_unused: r.prune_max_unused,
            missed: v.missed,
            last_run: v.last_run.map(|j| ScheduleRun {
                job_id: j.id,
                status: j.status.into(),
                created_at: j.created_at,
                finished_at: j.finished_at,
                error_class: j.error_class,
            }),
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// A host's schedules, and whether its agent runs the latest of them.
#[derive(Object)]
pub struct ScheduleList {
    /// By name.
    pub items: Vec<Schedule>,
    /// The host's config version: every schedule change bumps it.
    pub config_version: i64,
    /// The version the host's agent last said it applied.
    pub applied_config_version: i64,
    /// The agent runs the current schedules (`applied_config_version ≥ config_version`).
    pub in_sync: bool,
}

fn in_sync(h: &HostRow) -> bool {
    h.applied_config_version >= h.config_version
}

/// A schedule as written: the whole of it, on create and on replace.
#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct ScheduleRequest {
    /// 1–100 printable characters, unique on the host.
    #[oai(validator(min_length = 1, max_length = 100))]
    pub name: String,
    /// A repository linked to the host.
    pub repository_id: Uuid,
    /// 5 fields (minute hour day-of-month month day-of-week) or a nickname (`@daily`,
    /// `@weekly`…); leave out for a manual schedule. Fires at most every 5 minutes.
    #[oai(validator(max_length = 200))]
    pub cron: Option<String>,
    /// An IANA zone (`Europe/Berlin`); leave out to use the host's.
    #[oai(validator(max_length = 64))]
    pub timezone: Option<String>,
    #[oai(default = "yes")]
    pub enabled: bool,
    pub backup: BackupSpec,
    /// Leave out to keep every snapshot.
    pub retention: Option<RetentionPolicy>,
    /// Run `restic forget` with `retention` after each successful backup.
    #[oai(default)]
    pub forget_after_backup: bool,
    /// Run `restic prune` after forget (needs `forget_after_backup`).
    #[oai(default)]
    pub prune_after_forget: bool,
    /// restic `prune --max-unused`: `5%`, `2G` or `unlimited`.
    #[oai(validator(max_length = 16))]
    pub prune_max_unused: Option<String>,
    /// What a fire missed while the agent was stopped becomes when it starts again.
    #[oai(default)]
    pub missed: MissedRun,
}

fn yes() -> bool {
    true
}

impl From<ScheduleRequest> for ScheduleInput {
    fn from(b: ScheduleRequest) -> Self {
        ScheduleInput {
            name: b.name,
            repository_id: b.repository_id,
            cron: b.cron,
            timezone: b.timezone,
            enabled: b.enabled,
            backup: b.backup,
            retention: b.retention,
            forget_after_backup: b.forget_after_backup,
            prune_after_forget: b.prune_after_forget,
            prune_max_unused: b.prune_max_unused,
            missed: b.missed,
        }
    }
}

/// "Run now" options (`{}` for none): the schedule's own settings, with its bandwidth
/// limits overridden for this run when given.
#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct RunScheduleRequest {
    #[oai(validator(minimum(value = "1"), maximum(value = "10000000")))]
    pub limit_upload_kib: Option<u32>,
    #[oai(validator(minimum(value = "1"), maximum(value = "10000000")))]
    pub limit_download_kib: Option<u32>,
}

/// What a cron expression means.
#[derive(Object)]
pub struct CronPreview {
    /// In words, e.g. "Every day at 03:00".
    pub description: String,
    /// The zone the fires are computed in.
    pub timezone: String,
    /// The next 5 fires, as instants.
    pub next_fires: Vec<DateTime<Utc>>,
}

#[derive(ApiResponse)]
pub enum CreatedSchedule {
    /// Stored; the host's agent receives it on its next poll.
    #[oai(status = 201)]
    Created(Json<Schedule>),
}

#[OpenApi(tag = "ApiTags::Schedules")]
impl SchedulesApi {
    /// A host's schedules by name, each with its next fires and last run.
    #[oai(path = "/v1/hosts/:id/schedules", method = "get", operation_id = "list_host_schedules")]
    async fn list(
        &self,
        _auth: Auth<perm::HostsRead>,
        state: Data<&AppState>,
        id: Path<Uuid>,
    ) -> Result<Json<ScheduleList>, ApiError> {
        let (host, views) = service::list_for_host(&state, id.0).await?;
        Ok(Json(ScheduleList {
            items: views.into_iter().map(Into::into).collect(),
            config_version: host.config_version,
            applied_config_version: host.applied_config_version,
            in_sync: in_sync(&host),
        }))
    }

    /// Adds a schedule to a host; its agent receives the new set on its next poll.
    #[oai(path = "/v1/hosts/:id/schedules", method = "post", operation_id = "create_schedule")]
    async fn create(
        &self,
        auth: Auth<perm::SchedulesManage>,
        state: Data<&AppState>,
        id: Path<Uuid>,
        body: Json<ScheduleRequest>,
    ) -> Result<CreatedSchedule, ApiError> {
        let v = service::create(&state, &auth.actor(), id.0, body.0.into()).await?;
        Ok(CreatedSchedule::Created(Json(v.into())))
    }

    #[oai(path = "/v1/schedules/:id", method = "get", operation_id = "get_schedule")]
    async fn get(
        &self,
        _auth: Auth<perm::HostsRead>,
        state: Data<&AppState>,
        id: Path<Uuid>,
    ) -> Result<Json<Schedule>, ApiError> {
        Ok(Json(service::get(&state, id.0).await?.1.into()))
    }

    /// Replaces a schedule whole; its host's agent receives the change on its next poll.
    #[oai(path = "/v1/schedules/:id", method = "put", operation_id = "replace_schedule")]
    async fn replace(
        &self,
        auth: Auth<perm::SchedulesManage>,
        state: Data<&AppState>,
        id: Path<Uuid>,
        body: Json<ScheduleRequest>,
    ) -> Result<Json<Schedule>, ApiError> {
        Ok(Json(service::replace(&state, &auth.actor(), id.0, body.0.into()).await?.into()))
    }

    /// Deletes a schedule; the jobs it made stay in the history.
    #[oai(path = "/v1/schedules/:id", method = "delete", operation_id = "delete_schedule")]
    async fn delete(
        &self,
        auth: Auth<perm::SchedulesManage>,
        state: Data<&AppState>,
        id: Path<Uuid>,
    ) -> Result<NoContent, ApiError> {
        service::delete(&state, &auth.actor(), id.0).await?;
        Ok(NoContent::Done)
    }

    /// Runs the schedule's backup now, with its paths, excludes and options.
    #[oai(path = "/v1/schedules/:id/run", method = "post", operation_id = "run_schedule")]
    async fn run(
        &self,
        auth: Auth<perm::JobsRun>,
        state: Data<&AppState>,
        id: Path<Uuid>,
        body: Json<RunScheduleRequest>,
    ) -> Result<Started, ApiError> {
        let o = body.0;
        let row =
            service::run_now(&state, &auth.actor(), id.0, o.limit_upload_kib, o.limit_download_kib)
                .await?;
        Ok(Started::Accepted(Json(one(&state, row).await?)))
    }

    /// What a cron expression means: in words, and its next 5 fires in `timezone` (else
    /// the zone of `host_id`, else UTC). Refused as the schedule itself would be.
    #[oai(path = "/v1/schedules/preview", method = "get", operation_id = "preview_schedule")]
    async fn preview(
        &self,
        _auth: Auth<perm::HostsRead>,
        state: Data<&AppState>,
        #[oai(validator(min_length = 1, max_length = 200))] cron: Query<String>,
        #[oai(validator(max_length = 64))] timezone: Query<Option<String>>,
        host_id: Query<Option<Uuid>>,
    ) -> Result<Json<CronPreview>, ApiError> {
        let p = service::preview(&state, &cron.0, timezone.0, host_id.0).await?;
        Ok(Json(CronPreview {
            description: p.description,
            timezone: p.timezone,
            next_fires: p.next_fires,
        }))
    }
}
