//! `/hosts/{id}/drill-schedule`: a host's restore drill on a cron of its own (read by
//! anyone who sees the host, set and removed by operators). Each fire is a `drill` job.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{ApiResponse, Object, OpenApi, param::Path, payload::Json};
use uuid::Uuid;

use super::security::{HostAuth, perm};
use super::{ApiTags, error::ApiError};
use crate::{
    app::AppState,
    domain::drill_schedule::{self as service, DrillScheduleInput, DrillScheduleView},
};

pub struct DrillSchedulesApi;

/// A host's restore drill schedule.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct DrillSchedule {
    /// The linked repository the drill restores from (the host's newest snapshot in it).
    pub repository_id: Uuid,
    pub cron: String,
    /// The zone given for this schedule; absent when it follows the host's.
    pub timezone: Option<String>,
    /// The zone the cron is read in: `timezone`, else the host's, else UTC.
    pub effective_timezone: String,
    /// The cron in words, e.g. "at 05:00 on Sunday".
    pub description: String,
    /// How many files each drill samples at random.
    pub files: u32,
    /// At most this many bytes per drill.
    pub max_bytes: u64,
    /// The next fire; absent when the cron never fires again. A past one is due and
    /// waits for the host to be online and free on the repository.
    pub next_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

impl From<DrillScheduleView> for DrillSchedule {
    fn from(v: DrillScheduleView) -> Self {
        DrillSchedule {
            repository_id: v.repository_id,
            cron: v.cron,
            timezone: v.timezone,
            effective_timezone: v.effective_timezone,
            description: v.description,
            files: v.files,
            max_bytes: v.max_bytes,
            next_at: v.next_at,
            updated_at: v.updated_at,
        }
    }
}

/// The host's drill schedule, if it has one.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct DrillScheduleAnswer {
    /// Absent when the host has no drill schedule.
    pub schedule: Option<DrillSchedule>,
}

/// A drill schedule, written whole.
#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct SetDrillScheduleRequest {
    /// A repository linked to the host.
    pub repository_id: Uuid,
    /// 5 fields (minute hour day-of-month month day-of-week), at most every 5 minutes.
    #[oai(validator(min_length = 1, max_length = 200))]
    pub cron: String,
    /// An IANA zone; the host's when absent.
    #[oai(validator(max_length = 64))]
    pub timezone: Option<String>,
    /// How many files to sample (1–1000); 20 when absent.
    #[oai(validator(minimum(value = "1"), maximum(value = "1000")))]
    pub files: Option<u32>,
    /// At most this many bytes per drill; 100 MiB when absent.
    #[oai(validator(minimum(value = "1"), maximum(value = "10737418240")))]
    pub max_bytes: Option<u64>,
}

#[derive(ApiResponse)]
pub enum Removed {
    /// The drill schedule is gone.
    #[oai(status = 204)]
    Done,
}

#[OpenApi(tag = "ApiTags::Schedules")]
impl DrillSchedulesApi {
    /// The host's restore drill schedule (`schedule` absent when it has none). The last
    /// drill is the host's newest job of kind `drill`.
    #[oai(
        path = "/v1/hosts/:id/drill-schedule",
        method = "get",
        operation_id = "get_drill_schedule"
    )]
    async fn get(
        &self,
        auth: HostAuth<perm::HostsRead>,
        state: Data<&AppState>,
        id: Path<Uuid>,
    ) -> Result<Json<DrillScheduleAnswer>, ApiError> {
        auth.host(id.0).await?;
        let schedule = service::get(&state, id.0).await?.map(Into::into);
        Ok(Json(DrillScheduleAnswer { schedule }))
    }

    /// Sets the host's restore drill schedule whole: on each fire the server starts a
    /// drill on the host's newest snapshot in the repository (a random sample restored,
    /// verified and deleted). A fire while the host is offline or busy on the repository
    /// waits as one pending run; one while a drill still runs is skipped. Audited.
    #[oai(
        path = "/v1/hosts/:id/drill-schedule",
        method = "put",
        operation_id = "set_drill_schedule"
    )]
    async fn set(
        &self,
        auth: HostAuth<perm::SchedulesManage>,
        state: Data<&AppState>,
        id: Path<Uuid>,
        body: Json<SetDrillScheduleRequest>,
    ) -> Result<Json<DrillSchedule>, ApiError> {
        auth.host(id.0).await?;
        let b = body.0;
        let input = DrillScheduleInput {
            repository_id: b.repository_id,
            cron: b.cron,
            timezone: b.timezone,
            files: b.files.unwrap_or(20),
            max_bytes: b.max_bytes.unwrap_or(100 << 20),
        };
        Ok(Json(service::set(&state, &auth.actor(), id.0, input).await?.into()))
    }

    /// Removes the host's restore drill schedule (`404` when it has none). Audited.
    #[oai(
        path = "/v1/hosts/:id/drill-schedule",
        method = "delete",
        operation_id = "delete_drill_schedule"
    )]
    async fn delete(
        &self,
        auth: HostAuth<perm::SchedulesManage>,
        state: Data<&AppState>,
        id: Path<Uuid>,
    ) -> Result<Removed, ApiError> {
        auth.host(id.0).await?;
        service::remove(&state, &auth.actor(), id.0).await?;
        Ok(Removed::Done)
    }
}
