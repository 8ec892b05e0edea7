//! A host's restore drill on a schedule: a cron read in the host's zone (or one given),
//! a repository linked to the host, and the sample's size. The server fires it from the
//! maintenance sweep (a drill must be reported to count, so it needs the server anyway);
//! a fire while the host is offline or busy on that repository stays one pending run, and
//! a fire while a drill still runs is skipped: never a burst.

use cairn_proto::{DrillArgs, JobKind};
use cairn_schedule::Schedule;
use chrono::{DateTime, Utc};
use serde_json::json;
use uuid::Uuid;

use super::{
    Domain, DomainError,
    audit::{self, Actor, ActorKind, Event, Target},
    restores,
    schedules::rules::{check_cron, check_zone, zone_of},
};
use crate::{
    codes::Code,
    store::{
        drill_schedules::{self as store, DrillScheduleRow},
        hosts::{self, HostRow},
        jobs as job_store,
    },
};

/// A drill schedule as an operator writes it.
#[derive(Clone, Debug)]
pub struct DrillScheduleInput {
    pub repository_id: Uuid,
    pub cron: String,
    pub timezone: Option<String>,
    pub files: u32,
    pub max_bytes: u64,
}

/// A host's drill schedule as the API shows it.
#[derive(Clone, Debug)]
pub struct DrillScheduleView {
    pub repository_id: Uuid,
    pub cron: String,
    /// The zone given for this schedule, if one was.
    pub timezone: Option<String>,
    /// The zone the cron is read in: the given one, else the host's, else UTC.
    pub effective_timezone: String,
    pub description: String,
    pub files: u32,
    pub max_bytes: u64,
    /// The next fire; a past one is due and waits for the host.
    pub next_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

fn invalid(message: impl Into<String>, field: &'static str) -> DomainError {
    DomainError::invalid(Code::DrillScheduleInvalid, message, field)
}

fn view(row: DrillScheduleRow, host: &HostRow) -> DrillScheduleView {
    let (_, zone) = zone_of(row.timezone.as_deref(), host.timezone.as_deref());
    let description =
        Schedule::parse(&row.cron).map(|s| s.describe()).unwrap_or_else(|_| row.cron.clone());
    DrillScheduleView {
        repository_id: row.repository_id,
        description,
        effective_timezone: zone,
        timezone: row.timezone,
        cron: row.cron,
        files: u32::try_from(row.files).unwrap_or(0),
        max_bytes: u64::try_from(row.max_bytes).unwrap_or(0),
        next_at: row.next_at,
        updated_at: row.updated_at,
    }
}

fn target(host: &HostRow) -> Target {
    Target { kind: "host", id: host.id.to_string(), name: Some(host.hostname.clone()) }
}

async fn host(state: &Domain, id: Uuid) -> Result<HostRow, DomainError> {
    hosts::find(state.store.db(), id).await?.ok_or(DomainError::NotFound { what: "host" })
}

/// The host's drill schedule, if it has one.
pub async fn get(state: &Domain, host_id: Uuid) -> Result<Option<DrillScheduleView>, DomainError> {
    let host = host(state, host_id).await?;
    Ok(store::find(state.store.db(), host_id).await?.map(|r| view(r, &host)))
}

/// Sets the host's drill schedule whole, its next fire from now; audited.
pub async fn set(
    state: &Domain,
    actor: &Actor,
    host_id: Uuid,
    input: DrillScheduleInput,
) -> Result<DrillScheduleView, DomainError> {
    if !(1..=1000).contains(&input.files) {
        return Err(invalid("A drill samples 1–1000 files.", "files"));
    }
    if !(1..=10 << 30).contains(&input.max_bytes) {
        return Err(invalid("A drill restores 1 byte to 10 GiB in all.", "max_bytes"));
    }
    let now = Utc::now();
    let txn = state.store.write().await?;
    let host = hosts::find(&*txn, host_id).await?.ok_or(DomainError::NotFound { what: "host" })?;
    if !hosts::linked_repositories(&*txn, host_id).await?.contains(&input.repository_id) {
        return Err(invalid(
            "A drill restores from a repository linked to the host; link it on the host's page first.",
            "repository_id",
        ));
    }
    let timezone = check_zone(input.timezone)?;
    let (zone, _) = zone_of(timezone.as_deref(), host.timezone.as_deref());
    let cron = input.cron.trim().to_string();
    let schedule = check_cron(&cron, zone, now)?;
    let row = DrillScheduleRow {
        host_id,
        repository_id: input.repository_id,
        next_at: schedule.next_after(zone, now),
        cron,
        timezone,
        files: i32::try_from(input.files).unwrap_or(1000),
        max_bytes: i64::try_from(input.max_bytes).unwrap_or(10 << 30),
        updated_at: now,
    };
    store::save(&*txn, row.clone()).await?;
    audit::record(
        &*txn,
        actor,
        Event::success("host.set_drill_schedule", Some(target(&host)), summary(&row)),
    )
    .await?;
    txn.commit().await?;
    Ok(view(row, &host))
}

/// Removes the host's drill schedule (`404` when it has none); audited.
pub async fn remove(state: &Domain, actor: &Actor, host_id: Uuid) -> Result<(), DomainError> {
    let txn = state.store.write().await?;
    let host = hosts::find(&*txn, host_id).await?.ok_or(DomainError::NotFound { what: "host" })?;
    if !store::delete(&*txn, host_id).await? {
        return Err(DomainError::NotFound { what: "drill schedule" });
    }
    audit::record(
        &*txn,
        actor,
        Event::success("host.delete_drill_schedule", Some(target(&host)), json!({})),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// What the audit log records of a drill schedule.
fn summary(row: &DrillScheduleRow) -> serde_json::Value {
    json!({
        "repository_id": row.repository_id,
        "cron": row.cron,
        "timezone": row.timezone,
        "files": row.files,
        "max_bytes": row.max_bytes,
    })
}

fn actor() -> Actor {
    Actor {
        kind: ActorKind::System,
        id: None,
        name: Some("drill schedule".into()),
        ip: None,
        user_agent: None,
    }
}

/// Fires every drill that is due. Called by the maintenance sweep every 30 s.
pub async fn fire_due(state: &Domain) -> Result<(), DomainError> {
    let now = Utc::now();
    for row in store::due(state.store.db(), now).await? {
        if let Err(e) = fire(state, &row, now).await {
            tracing::warn!(host = %row.host_id, "the scheduled drill did not start (tried again in 30 s): {e}");
        }
    }
    Ok(())
}

async fn fire(
    state: &Domain,
    row: &DrillScheduleRow,
    now: DateTime<Utc>,
) -> Result<(), DomainError> {
    let active = job_store::active_for(state.store.db(), row.host_id, row.repository_id).await?;
    // A drill still running covers this fire; any other job there makes it wait.
    if active.as_ref().is_none_or(|j| j.kind != JobKind::Drill) {
        let args = DrillArgs {
            files: u32::try_from(row.files).unwrap_or(20),
            max_bytes: u64::try_from(row.max_bytes).unwrap_or(100 << 20),
            snapshot_id: None,
        };
        match restores::start_drill(state, &actor(), row.host_id, row.repository_id, args).await {
            Ok(job) => {
                tracing::info!(host = %row.host_id, job = %job.id, "scheduled drill started")
            }
            // Offline, or busy on the repository: the fire stays due (one pending run).
            Err(DomainError::Conflict {
                code: Code::JobAlreadyRunning | Code::HostOffline,
                ..
            }) => {
                return Ok(());
            }
            Err(e) => return Err(e),
        }
    }
    advance(state, row.host_id, now).await
}

/// The next fire after `now` (a late sweep skips the fires it missed: one run, not many).
async fn advance(state: &Domain, host_id: Uuid, now: DateTime<Utc>) -> Result<(), DomainError> {
    let txn = state.store.write().await?;
    let Some(mut row) = store::find(&*txn, host_id).await? else { return Ok(()) };
    let Some(host) = hosts::find(&*txn, host_id).await? else { return Ok(()) };
    let (zone, _) = zone_of(row.timezone.as_deref(), host.timezone.as_deref());
    row.next_at = Schedule::parse(&row.cron).ok().and_then(|s| s.next_after(zone, now));
    store::save(&*txn, row).await?;
    txn.commit().await?;
    Ok(())
}
