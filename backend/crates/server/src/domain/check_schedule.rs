//! A repository's check on a schedule of its own: a cron read in a zone, optionally
//! reading a subset of the data, run by a preferred linked host or any online one. The
//! server fires it (the repository is no single agent's), from the maintenance sweep, so
//! the check waits in the repository's queue like one started by hand. A fire that finds
//! no online host, or a check still running, stays one pending run: never a burst.

use cairn_proto::{CheckArgs, JobArgs};
use cairn_schedule::{Schedule, Tz};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{
    Domain, DomainError,
    audit::{Actor, ActorKind},
    jobs, repositories,
};
use crate::{
    codes::Code,
    store::{
        jobs::{self as job_store},
        repositories::{self as repo_store, RepositoryRow},
    },
};

/// A check schedule as an admin writes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckScheduleInput {
    pub cron: String,
    pub timezone: Option<String>,
    pub read_data_subset: Option<String>,
    pub host_id: Option<Uuid>,
}

/// A repository's check schedule as the API shows it.
#[derive(Clone, Debug)]
pub struct CheckScheduleView {
    pub cron: String,
    pub timezone: String,
    pub read_data_subset: Option<String>,
    pub host_id: Option<Uuid>,
    pub description: String,
    /// The next fire; a past one is due and waits for an online host.
    pub next_at: Option<DateTime<Utc>>,
}

fn invalid(message: impl Into<String>, field: &'static str) -> DomainError {
    DomainError::invalid(Code::RepositoryInvalidCheckSchedule, message, field)
}

fn zone(name: Option<&str>) -> Result<Tz, DomainError> {
    cairn_schedule::zone(name.unwrap_or("UTC"))
        .map_err(|e| invalid(format!("{e}."), "check_schedule.timezone"))
}

/// The input checked and normalised, with its cron parsed.
pub fn check(
    input: CheckScheduleInput,
    linked: &[Uuid],
    now: DateTime<Utc>,
) -> Result<(CheckScheduleInput, Schedule, Tz), DomainError> {
    let timezone = input.timezone.map(|t| t.trim().to_string()).filter(|t| !t.is_empty());
    let tz = zone(timezone.as_deref())?;
    let cron = input.cron.trim().to_string();
    let schedule = Schedule::check(&cron, tz, now).map_err(|e| {
        invalid(
            format!("The schedule {cron:?} cannot be used: {e}. Write 5 fields, e.g. \"0 4 * * 0\" for Sundays at 04:00."),
            "check_schedule.cron",
        )
    })?;
    let read_data_subset =
        super::maintenance::check_subset(input.read_data_subset).map_err(|_| {
            invalid(
                "read_data_subset is a percentage (10%), n/m (1/5) or a size (500M).",
                "check_schedule.read_data_subset",
            )
        })?;
    if input.host_id.is_some_and(|h| !linked.contains(&h)) {
        return Err(invalid(
            "The check's host must be linked to this repository; link it on the host's page, or leave the host out to use any online linked host.",
            "check_schedule.host_id",
        ));
    }
    Ok((
        CheckScheduleInput { cron, timezone, read_data_subset, host_id: input.host_id },
        schedule,
        tz,
    ))
}

/// Sets (or with `None` removes) the check schedule on `row`, its next fire from `now`.
pub fn apply(
    row: &mut RepositoryRow,
    input: Option<(CheckScheduleInput, Schedule, Tz)>,
    now: DateTime<Utc>,
) {
    match input {
        Some((i, schedule, tz)) => {
            row.check_next_at = schedule.next_after(tz, now);
            row.check_cron = Some(i.cron);
            row.check_timezone = i.timezone;
            row.check_subset = i.read_data_subset;
            row.check_host_id = i.host_id;
        }
        None => {
            row.check_cron = None;
            row.check_timezone = None;
            row.check_subset = None;
            row.check_host_id = None;
            row.check_next_at = None;
        }
    }
}

/// The schedule as stored on `row`, if it has one.
pub fn view(row: &RepositoryRow) -> Option<CheckScheduleView> {
    let cron = row.check_cron.clone()?;
    let description = Schedule::parse(&cron).map(|s| s.describe()).unwrap_or_else(|_| cron.clone());
    Some(CheckScheduleView {
        cron,
        timezone: row.check_timezone.clone().unwrap_or_else(|| "UTC".into()),
        read_data_subset: row.check_subset.clone(),
        host_id: row.check_host_id,
        description,
        next_at: row.check_next_at,
    })
}

/// What the audit log records of a check schedule.
pub fn summary(row: &RepositoryRow) -> serde_json::Value {
    serde_json::json!({
        "cron": row.check_cron,
        "timezone": row.check_timezone,
        "read_data_subset": row.check_subset,
        "host_id": row.check_host_id,
    })
}

fn actor() -> Actor {
    Actor {
        kind: ActorKind::System,
        id: None,
        name: Some("check schedule".into()),
        ip: None,
        user_agent: None,
    }
}

/// Fires every check that is due: one check job per repository through its preferred
/// host, else the first online linked one. A repository with no online host, or whose
/// host is busy on it, stays due (one pending run) and is tried again on the next sweep;
/// one whose check still runs skips this fire. Called by the maintenance sweep.
pub async fn fire_due(state: &Domain) -> Result<(), DomainError> {
    let now = Utc::now();
    for repo in repo_store::checks_due(state.store.db(), now).await? {
        if let Err(e) = fire(state, &repo, now).await {
            tracing::warn!(repository = %repo.name, "the scheduled check did not start (tried again in 30 s): {e}");
        }
    }
    Ok(())
}

async fn fire(state: &Domain, repo: &RepositoryRow, now: DateTime<Utc>) -> Result<(), DomainError> {
    let db = state.store.db();
    let checking = job_store::active_on_repository(db, repo.id)
        .await?
        .into_iter()
        .any(|j| j.kind == cairn_proto::JobKind::Check);
    if !checking {
        let Some(host) = repositories::online_host(state, repo.id, repo.check_host_id).await?
        else {
            return Ok(());
        };
        let host = host.id;
        let args = JobArgs::Check(CheckArgs { read_data_subset: repo.check_subset.clone() });
        match jobs::create(state, &actor(), host, repo.id, args).await {
            Ok(job) => {
                tracing::info!(repository = %repo.name, job = %job.id, "scheduled check started")
            }
            // The host has another job on this repository: the fire stays due.
            Err(DomainError::Conflict {
                code: Code::JobAlreadyRunning | Code::HostOffline,
                ..
            }) => {
                return Ok(());
            }
            Err(e) => return Err(e),
        }
    }
    advance(state, repo.id, now).await
}

/// The next fire after `now` (a late sweep skips the fires it missed: one run, not many).
async fn advance(state: &Domain, id: Uuid, now: DateTime<Utc>) -> Result<(), DomainError> {
    let txn = state.store.write().await?;
    let Some(mut row) = repo_store::find(&*txn, id).await? else { return Ok(()) };
    let Some(cron) = row.check_cron.clone() else { return Ok(()) };
    let tz = zone(row.check_timezone.as_deref()).unwrap_or(Tz::UTC);
    row.check_next_at = Schedule::parse(&cron).ok().and_then(|s| s.next_after(tz, now));
    repo_store::save(&*txn, row).await?;
    txn.commit().await?;
    Ok(())
}
