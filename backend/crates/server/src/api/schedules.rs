//! `/hosts/{id}/schedules` and `/schedules/{id}`: what each host backs up, when, and how
//! long it is kept; run one now; preview what a cron expression means.

use cairn_proto::{BackupHooks, BackupSpec, Finding, MissedRun, RetentionPolicy};
use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{ApiResponse, Object, OpenApi, param::Path, param::Query, payload::Json};
use uuid::Uuid;

use super::jobs::{JobStatus, Started, one};
use super::security::{Auth, HostAuth, perm};
use super::{ApiTags, auth::NoContent, error::ApiError};
use crate::{
    app::AppState,
    auth::Permission,
    domain::rows::HostRow,
    domain::schedules::{
        self as service, PreflightReport as Report, ScheduleInput, ScheduleView, hooks, preflight,
    },
};

/// What a schedule's findings add up to.
#[derive(poem_openapi::Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum PreflightState {
    /// Nothing found: it runs.
    Ready,
    /// It runs; the findings say what may go wrong.
    Warning,
    /// It does not run until a blocking finding is fixed.
    Blocked,
}

impl From<preflight::PreflightState> for PreflightState {
    fn from(s: preflight::PreflightState) -> Self {
        match s {
            preflight::PreflightState::Ready => PreflightState::Ready,
            preflight::PreflightState::Warning => PreflightState::Warning,
            preflight::PreflightState::Blocked => PreflightState::Blocked,
        }
    }
}

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
    /// The mirror repository each successful backup's snapshots are copied to (after the
    /// retention, when there is one); absent: no copy.
    pub copy_to: Option<Uuid>,
    pub missed: MissedRun,
    pub last_run: Option<ScheduleRun>,
    /// Whether it has a pre or post hook.
    pub has_hooks: bool,
    /// The hooks themselves: only for admins (they may hold secrets); absent for others
    /// and when there are none.
    pub hooks: Option<BackupHooks>,
    /// `ready`, `warning` (runs; see `findings`) or `blocked` (does not run).
    pub state: PreflightState,
    /// The server's findings about its settings, then the agent's newest (from "Check"
    /// or its latest run); empty when all is well.
    pub findings: Vec<Finding>,
    /// When the agent last checked it (a preflight or a run); absent when never since it
    /// last changed.
    pub agent_checked_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Schedule {
    /// The view for a caller who may or may not see hooks.
    fn for_caller(v: ScheduleView, sees_hooks: bool) -> Self {
        let hooks = (sees_hooks && !v.hooks.is_empty()).then(|| v.hooks.clone());
        Schedule { hooks, ..v.into() }
    }
}

fn sees_hooks<P: crate::api::security::Needs>(auth: &HostAuth<P>) -> bool {
    auth.principal().role.allows(Permission::SchedulesHooks)
}

impl From<ScheduleView> for Schedule {
    fn from(v: ScheduleView) -> Self {
        let r = v.row;
        Schedule {
            has_hooks: !v.hooks.is_empty(),
            hooks: None,
            state: v.state.into(),
            findings: v.findings,
            agent_checked_at: r.agent_checked_at,
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
            copy_to: r.copy_to,
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
    /// A second repository linked to the host: after each successful backup (and its
    /// retention), this host's snapshots of the schedule are copied to it (3-2-1).
    pub copy_to: Option<Uuid>,
    /// What a fire missed while the agent was stopped becomes when it starts again.
    #[oai(default)]
    pub missed: MissedRun,
    /// Commands run before and after each backup (admins only). Leave out to keep the
    /// stored ones (none on a new schedule); `{}` removes them.
    pub hooks: Option<BackupHooks>,
}

impl ScheduleRequest {
    /// Hooks run as the agent's user: setting them needs `schedules_hooks` (admins).
    async fn check_hooks<P: crate::api::security::Needs>(
        &self,
        auth: &HostAuth<P>,
    ) -> Result<(), ApiError> {
        if self.hooks.is_some() {
            auth.require(Permission::SchedulesHooks).await?;
        }
        Ok(())
    }
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
            copy_to: b.copy_to,
            missed: b.missed,
            hooks: b.hooks,
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

/// A preflight: the server's findings about the settings, the agent's checks on its host,
/// and what the agent would run.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct PreflightReport {
    pub state: PreflightState,
    /// The server's findings, then the agent's; empty when all passed.
    pub findings: Vec<Finding>,
    /// Whether the agent answered; when not, a finding says why.
    pub agent_checked: bool,
    /// The argv the agent would run, the restic binary first, with no secret in it.
    pub command: Option<Vec<String>>,
    /// The environment restic would get, secrets masked (`RESTIC_PASSWORD=***`).
    pub env: Option<Vec<String>>,
    pub restic_version: Option<String>,
}

impl From<Report> for PreflightReport {
    fn from(r: Report) -> Self {
        let agent_checked = r.answer.is_some();
        let (command, env, restic_version) = match r.answer {
            Some(a) => (Some(a.command), Some(a.env), Some(a.restic_version)),
            None => (None, None, None),
        };
        PreflightReport {
            state: r.state.into(),
            findings: r.findings,
            agent_checked,
            command,
            env,
            restic_version,
        }
    }
}

/// A schedule as written, to check before saving it; `schedule_id` names the stored one it
/// would replace (its hooks are checked when the draft leaves them out).
#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct PreflightDraftRequest {
    pub schedule: ScheduleRequest,
    pub schedule_id: Option<Uuid>,
}

/// A `restic backup` option a schedule may add (`backup.extra_options`).
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct BackupOption {
    /// E.g. `--exclude-larger-than`.
    pub name: String,
    /// `none` (a flag: `--name`), `size` (`--name=500M`), `integer` (within `min`–`max`),
    /// `word` (one of `words`) or `text`.
    pub value: String,
    pub min: Option<u32>,
    pub max: Option<u32>,
    pub words: Option<Vec<String>>,
    /// The first restic release that has it (`0.17`).
    pub since: String,
    pub help: String,
}

fn backup_option(o: &cairn_proto::AllowedOption) -> BackupOption {
    use cairn_proto::OptionValue as V;
    let (value, min, max, words) = match o.value {
        V::None => ("none", None, None, None),
        V::Size => ("size", None, None, None),
        V::Int(lo, hi) => ("integer", Some(lo), Some(hi), None),
        V::Word(w) => ("word", None, None, Some(w.iter().map(|s| s.to_string()).collect())),
        V::Text => ("text", None, None, None),
    };
    BackupOption {
        name: o.name.into(),
        value: value.into(),
        min,
        max,
        words,
        since: format!("{}.{}", o.since.0, o.since.1),
        help: o.help.into(),
    }
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
        auth: HostAuth<perm::HostsRead>,
        state: Data<&AppState>,
        id: Path<Uuid>,
    ) -> Result<Json<ScheduleList>, ApiError> {
        auth.host(id.0).await?;
        let (host, views) = service::list_for_host(&state, id.0).await?;
        let sees = sees_hooks(&auth);
        Ok(Json(ScheduleList {
            items: views.into_iter().map(|v| Schedule::for_caller(v, sees)).collect(),
            config_version: host.config_version,
            applied_config_version: host.applied_config_version,
            in_sync: in_sync(&host),
        }))
    }

    /// Adds a schedule to a host; its agent receives the new set on its next poll.
    #[oai(path = "/v1/hosts/:id/schedules", method = "post", operation_id = "create_schedule")]
    async fn create(
        &self,
        auth: HostAuth<perm::SchedulesManage>,
        state: Data<&AppState>,
        id: Path<Uuid>,
        body: Json<ScheduleRequest>,
    ) -> Result<CreatedSchedule, ApiError> {
        auth.host(id.0).await?;
        body.check_hooks(&auth).await?;
        let v = service::create(&state, &auth.actor(), id.0, body.0.into()).await?;
        Ok(CreatedSchedule::Created(Json(Schedule::for_caller(v, sees_hooks(&auth)))))
    }

    #[oai(path = "/v1/schedules/:id", method = "get", operation_id = "get_schedule")]
    async fn get(
        &self,
        auth: HostAuth<perm::HostsRead>,
        state: Data<&AppState>,
        id: Path<Uuid>,
    ) -> Result<Json<Schedule>, ApiError> {
        auth.schedule(id.0).await?;
        let v = service::get(&state, id.0).await?.1;
        Ok(Json(Schedule::for_caller(v, sees_hooks(&auth))))
    }

    /// Replaces a schedule whole; its host's agent receives the change on its next poll.
    #[oai(path = "/v1/schedules/:id", method = "put", operation_id = "replace_schedule")]
    async fn replace(
        &self,
        auth: HostAuth<perm::SchedulesManage>,
        state: Data<&AppState>,
        id: Path<Uuid>,
        body: Json<ScheduleRequest>,
    ) -> Result<Json<Schedule>, ApiError> {
        auth.schedule(id.0).await?;
        body.check_hooks(&auth).await?;
        let v = service::replace(&state, &auth.actor(), id.0, body.0.into()).await?;
        Ok(Json(Schedule::for_caller(v, sees_hooks(&auth))))
    }

    /// Deletes a schedule; the jobs it made stay in the history.
    #[oai(path = "/v1/schedules/:id", method = "delete", operation_id = "delete_schedule")]
    async fn delete(
        &self,
        auth: HostAuth<perm::SchedulesManage>,
        state: Data<&AppState>,
        id: Path<Uuid>,
    ) -> Result<NoContent, ApiError> {
        auth.schedule(id.0).await?;
        service::delete(&state, &auth.actor(), id.0).await?;
        Ok(NoContent::Done)
    }

    /// Runs the schedule's backup now, with its paths, excludes and options.
    #[oai(path = "/v1/schedules/:id/run", method = "post", operation_id = "run_schedule")]
    async fn run(
        &self,
        auth: HostAuth<perm::BackupsRun>,
        state: Data<&AppState>,
        id: Path<Uuid>,
        body: Json<RunScheduleRequest>,
    ) -> Result<Started, ApiError> {
        auth.schedule(id.0).await?;
        let o = body.0;
        let row =
            service::run_now(&state, &auth.actor(), id.0, o.limit_upload_kib, o.limit_download_kib)
                .await?;
        Ok(Started::Accepted(Json(one(&state, row).await?)))
    }

    /// Checks a schedule before it is saved: the server's findings about its settings, and
    /// the host's agent's (paths, repository, disk, hooks), with the command it would run.
    /// Nothing is stored. Refused (400) as saving it would be. Waits for the agent up to
    /// `agents.ask_timeout_secs`; an agent that does not answer is a finding.
    #[oai(
        path = "/v1/hosts/:id/schedules/preflight",
        method = "post",
        operation_id = "preflight_schedule_draft"
    )]
    async fn preflight_draft(
        &self,
        auth: HostAuth<perm::SchedulesManage>,
        state: Data<&AppState>,
        id: Path<Uuid>,
        body: Json<PreflightDraftRequest>,
    ) -> Result<Json<PreflightReport>, ApiError> {
        auth.host(id.0).await?;
        let b = body.0;
        b.schedule.check_hooks(&auth).await?;
        let r =
            service::preflight_draft(&state, &auth.actor(), id.0, b.schedule.into(), b.schedule_id)
                .await?;
        Ok(Json(r.into()))
    }

    /// Checks a stored schedule now (as its runs do); the agent's findings become its
    /// newest and its `state` follows them.
    #[oai(
        path = "/v1/schedules/:id/preflight",
        method = "post",
        operation_id = "preflight_schedule"
    )]
    async fn preflight(
        &self,
        auth: HostAuth<perm::SchedulesManage>,
        state: Data<&AppState>,
        id: Path<Uuid>,
    ) -> Result<Json<PreflightReport>, ApiError> {
        auth.schedule(id.0).await?;
        Ok(Json(service::preflight_stored(&state, &auth.actor(), id.0).await?.into()))
    }

    /// The `restic backup` options a schedule may add, and the value each takes. Anything
    /// else (a repository, a password, TLS, a command) is refused.
    /// The hooks every schedule of the host runs by default (admins only: they may hold
    /// secrets). A schedule's own pre or post hook replaces the default of that slot.
    #[oai(path = "/v1/hosts/:id/hooks", method = "get", operation_id = "get_host_hooks")]
    async fn get_host_hooks(
        &self,
        _auth: Auth<perm::SchedulesHooks>,
        state: Data<&AppState>,
        id: Path<Uuid>,
    ) -> Result<Json<BackupHooks>, ApiError> {
        Ok(Json(hooks::of_host(&state, id.0).await?))
    }

    /// Sets the host's default hooks whole (`{}` removes them); sealed at rest, audited
    /// without their commands, pushed to the agent with its next config.
    #[oai(path = "/v1/hosts/:id/hooks", method = "put", operation_id = "set_host_hooks")]
    async fn set_host_hooks(
        &self,
        auth: Auth<perm::SchedulesHooks>,
        state: Data<&AppState>,
        id: Path<Uuid>,
        body: Json<BackupHooks>,
    ) -> Result<Json<BackupHooks>, ApiError> {
        Ok(Json(hooks::set_host_defaults(&state, &auth.actor(), id.0, body.0).await?))
    }

    #[oai(path = "/v1/backup-options", method = "get", operation_id = "list_backup_options")]
    async fn backup_options(
        &self,
        _auth: HostAuth<perm::HostsRead>,
    ) -> Result<Json<Vec<BackupOption>>, ApiError> {
        Ok(Json(cairn_proto::BACKUP_OPTIONS.iter().map(backup_option).collect()))
    }

    /// What a cron expression means: in words, and its next 5 fires in `timezone` (else
    /// the zone of `host_id`, else UTC). Refused as the schedule itself would be.
    #[oai(path = "/v1/schedules/preview", method = "get", operation_id = "preview_schedule")]
    async fn preview(
        &self,
        _auth: HostAuth<perm::HostsRead>,
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
