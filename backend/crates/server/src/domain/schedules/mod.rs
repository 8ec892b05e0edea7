//! Schedules: what a host backs up to which linked repository, when (cron in an IANA zone,
//! or manual) and how long snapshots are kept. Every change bumps the host's config
//! version, so its agent receives the new set on its next poll and acks the version.

use crate::codes::Code;

use cairn_proto::{
    BackupHooks, BackupSpec, Finding, JobArgs, MissedRun, RetentionPolicy, ScheduleConfig,
};
use cairn_schedule::{Schedule, Tz};
use chrono::{DateTime, Utc};
use serde_json::json;
use uuid::Uuid;

use super::{
    Domain, DomainError,
    audit::{self, Actor, Event, Target},
    jobs::{self as job_service, validate_backup},
};

pub mod hooks;
mod next_fire;
pub mod preflight;
pub(crate) mod rules;
mod stored;
mod surroundings;
use crate::store::{
    hosts::{self, HostRow},
    jobs::{JobRow, JobStatus},
    repositories,
    schedules::{self as store, ScheduleRow, ScheduleRunRow},
};
use preflight::{PreflightState, Subject};
use rules::{check, check_cron, check_zone, zone_of};
use stored::{agent_findings, missed_of, stored};
use surroundings::Surroundings;

/// A host may hold this many schedules.
pub const MAX_PER_HOST: u64 = 50;
/// How many coming fires a schedule's view lists.
pub const NEXT_FIRES: usize = 5;

/// A schedule as an admin writes it (create, or replace whole).
#[derive(Clone, Debug)]
pub struct ScheduleInput {
    pub name: String,
    pub repository_id: Uuid,
    pub cron: Option<String>,
    pub timezone: Option<String>,
    pub enabled: bool,
    pub backup: BackupSpec,
    pub retention: Option<RetentionPolicy>,
    pub forget_after_backup: bool,
    pub prune_after_forget: bool,
    pub prune_max_unused: Option<String>,
    /// A second repository linked to the host, each backup's snapshots copied to it.
    pub copy_to: Option<Uuid>,
    pub missed: MissedRun,
    /// `None`: none on a new schedule, the stored ones kept on a replace (only admins may
    /// set them; the API checks that before this layer).
    pub hooks: Option<BackupHooks>,
}

/// A schedule with what the server can say about it: its sentence, its next fires in its
/// zone, its last run.
pub struct ScheduleView {
    pub row: ScheduleRow,
    pub backup: BackupSpec,
    pub retention: Option<RetentionPolicy>,
    pub missed: MissedRun,
    /// The zone its cron is read in: its own, else the host's, else UTC.
    pub effective_timezone: String,
    pub description: Option<String>,
    pub next_fires: Vec<DateTime<Utc>>,
    pub last_run: Option<JobRow>,
    pub hooks: BackupHooks,
    /// The server's findings, then the agent's newest ones.
    pub findings: Vec<Finding>,
    pub state: PreflightState,
}

/// The next fire over a host's enabled cron schedules, and which schedule fires.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NextRun {
    pub at: DateTime<Utc>,
    pub schedule_id: Uuid,
    pub schedule_name: String,
}

/// The newest job any of a host's schedules made, fired or run now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScheduledRun {
    pub job_id: Uuid,
    pub status: JobStatus,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub schedule_id: Uuid,
    pub schedule_name: String,
}

/// What a host's row says of its schedules.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HostRuns {
    pub next_run: Option<NextRun>,
    pub last_run: Option<ScheduledRun>,
}

/// What a cron expression means, for the editor while a person types.
pub struct CronPreview {
    pub description: String,
    pub timezone: String,
    pub next_fires: Vec<DateTime<Utc>>,
}

fn target(s: &ScheduleRow, host: &HostRow) -> Target {
    Target {
        kind: "schedule",
        id: s.id.to_string(),
        name: Some(format!("{} on {}", s.name, host.hostname)),
    }
}

/// The zone a schedule of `host` reads its cron in.
fn effective_zone(own: Option<&str>, host: &HostRow) -> (Tz, String) {
    zone_of(own, host.timezone.as_deref())
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<String, DomainError> {
    serde_json::to_string(v).map_err(|e| DomainError::Internal(e.to_string()))
}

fn to_row(
    id: Uuid,
    host: Uuid,
    i: &ScheduleInput,
    hooks_enc: Option<String>,
    created: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<ScheduleRow, DomainError> {
    Ok(ScheduleRow {
        id,
        host_id: host,
        repository_id: i.repository_id,
        name: i.name.clone(),
        cron: i.cron.clone(),
        timezone: i.timezone.clone(),
        enabled: i.enabled,
        backup: to_json(&i.backup)?,
        retention: i.retention.as_ref().map(to_json).transpose()?,
        forget_after_backup: i.forget_after_backup,
        prune_after_forget: i.prune_after_forget,
        prune_max_unused: i.prune_max_unused.clone(),
        copy_to: i.copy_to,
        missed: i.missed.as_str().to_string(),
        hooks_enc,
        // A changed schedule's old findings may be about paths it no longer has: the next
        // check or run finds again.
        agent_findings: None,
        agent_checked_at: None,
        created_at: created,
        updated_at: now,
    })
}

fn view(
    state: &Domain,
    row: ScheduleRow,
    host: &HostRow,
    last_run: Option<JobRow>,
    around: &Surroundings,
    now: DateTime<Utc>,
) -> Result<ScheduleView, DomainError> {
    let (backup, retention) = stored(&row)?;
    let mut findings = around.of_row(&row, &backup);
    findings.extend(agent_findings(&row)?);
    let (zone, zone_name) = effective_zone(row.timezone.as_deref(), host);
    let parsed = row.cron.as_deref().and_then(|c| Schedule::parse(c).ok());
    let next_fires = match (&parsed, row.enabled) {
        (Some(s), true) => s.next_fires(zone, now, NEXT_FIRES),
        _ => Vec::new(),
    };
    Ok(ScheduleView {
        missed: missed_of(&row.missed),
        description: parsed.map(|s| s.describe()),
        next_fires,
        effective_timezone: zone_name,
        state: preflight::state_of(&findings),
        findings,
        hooks: hooks::open(state, &row)?,
        backup,
        retention,
        last_run,
        row,
    })
}

async fn host_of<C: sea_orm::ConnectionTrait>(db: &C, id: Uuid) -> Result<HostRow, DomainError> {
    hosts::find(db, id).await?.ok_or(DomainError::NotFound { what: "host" })
}

async fn linked<C: sea_orm::ConnectionTrait>(
    db: &C,
    host: &HostRow,
    repo: Uuid,
) -> Result<String, DomainError> {
    let r = repositories::find(db, repo).await?.ok_or_else(|| {
        DomainError::invalid(
            Code::ScheduleRepositoryNotLinked,
            "That repository does not exist.",
            "repository_id",
        )
    })?;
    if !hosts::linked_repositories(db, host.id).await?.contains(&repo) {
        return Err(DomainError::invalid(
            Code::ScheduleRepositoryNotLinked,
            format!(
                "Repository {} is not linked to {}; link it on the host's page first.",
                r.name, host.hostname
            ),
            "repository_id",
        ));
    }
    Ok(r.name)
}

/// The mirror a schedule copies to: another repository linked to the host.
async fn linked_mirror<C: sea_orm::ConnectionTrait>(
    db: &C,
    host: &HostRow,
    input: &ScheduleInput,
) -> Result<(), DomainError> {
    let Some(mirror) = input.copy_to else { return Ok(()) };
    if mirror == input.repository_id {
        return Err(DomainError::invalid(
            Code::ScheduleRepositoryNotLinked,
            "A schedule copies to a second repository, not to the one it backs up to.",
            "copy_to",
        ));
    }
    let linked = hosts::linked_repositories(db, host.id).await?;
    if !linked.contains(&mirror) {
        return Err(DomainError::invalid(
            Code::ScheduleRepositoryNotLinked,
            format!(
                "The mirror repository is not linked to {}; link it on the host's page first (its agent needs both repositories).",
                host.hostname
            ),
            "copy_to",
        ));
    }
    Ok(())
}

fn name_taken(name: &str, host: &HostRow) -> DomainError {
    DomainError::conflict(
        Code::ScheduleNameTaken,
        format!("{} already has a schedule named {name:?}.", host.hostname),
    )
}

/// A host's schedules by name, each with its last run.
pub async fn list_for_host(
    state: &Domain,
    host_id: Uuid,
) -> Result<(HostRow, Vec<ScheduleView>), DomainError> {
    let db = state.store.db();
    let host = host_of(db, host_id).await?;
    let rows = store::list_for_host(db, host_id).await?;
    let mut runs = store::last_runs(db, host_id).await?;
    let around = Surroundings::of(db, &rows).await?;
    let now = Utc::now();
    let views = rows
        .into_iter()
        .map(|r| {
            let last =
                runs.iter().position(|j| j.schedule_id == Some(r.id)).map(|i| runs.swap_remove(i));
            view(state, r, &host, last, &around, now)
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((host, views))
}

/// For each of `hosts`, in their order: its next fire and its newest scheduled job. One
/// statement for all of them (a page of the host list is one, not one per host); the
/// fires are computed here, in each schedule's zone by the same rule as its own view.
pub async fn runs_of_hosts(
    state: &Domain,
    hosts: &[HostRow],
    now: DateTime<Utc>,
) -> Result<Vec<HostRuns>, DomainError> {
    let ids: Vec<Uuid> = hosts.iter().map(|h| h.id).collect();
    let rows = store::runs_of_hosts(state.store.db(), &ids).await?;
    let at: std::collections::HashMap<Uuid, usize> =
        ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let mut out = vec![HostRuns::default(); hosts.len()];
    let mut fires = next_fire::memo();
    for r in rows {
        let Some(&i) = at.get(&r.host_id) else { continue };
        add_run(&mut out[i], &hosts[i], r, now, &mut fires);
    }
    Ok(out)
}

/// Folds one schedule into its host's runs: the earlier next fire (ties by name, so the
/// answer does not change between reads) and the newer job (in the job list's order).
fn add_run(
    runs: &mut HostRuns,
    host: &HostRow,
    r: ScheduleRunRow,
    now: DateTime<Utc>,
    fires: &mut next_fire::NextFires,
) {
    if let (Some(job_id), Some(status), Some(created_at)) =
        (r.job_id, r.job_status, r.job_created_at)
        && runs.last_run.as_ref().is_none_or(|l| (created_at, job_id) > (l.created_at, l.job_id))
    {
        runs.last_run = Some(ScheduledRun {
            job_id,
            status,
            created_at,
            finished_at: r.job_finished_at,
            schedule_id: r.id,
            schedule_name: r.name.clone(),
        });
    }
    let Some(cron) = r.cron.as_deref().filter(|_| r.enabled) else { return };
    let (zone, _) = effective_zone(r.timezone.as_deref(), host);
    // A stored cron was checked when written; one that no longer parses fires never.
    let Some(at) = fires.after(cron, zone, now) else { return };
    if runs
        .next_run
        .as_ref()
        .is_none_or(|n| (at, r.name.as_str()) < (n.at, n.schedule_name.as_str()))
    {
        runs.next_run = Some(NextRun { at, schedule_id: r.id, schedule_name: r.name });
    }
}

pub async fn get(state: &Domain, id: Uuid) -> Result<(HostRow, ScheduleView), DomainError> {
    let db = state.store.db();
    let row = store::find(db, id).await?.ok_or(DomainError::NotFound { what: "schedule" })?;
    let host = host_of(db, row.host_id).await?;
    let last = store::last_run(db, id).await?;
    let around = Surroundings::of_host(db, host.id).await?;
    let v = view(state, row, &host, last, &around, Utc::now())?;
    Ok((host, v))
}

pub async fn create(
    state: &Domain,
    actor: &Actor,
    host_id: Uuid,
    input: ScheduleInput,
) -> Result<ScheduleView, DomainError> {
    let now = Utc::now();
    let txn = state.store.write().await?;
    let host = host_of(&*txn, host_id).await?;
    let input = check(input, &host, now)?;
    let repo_name = linked(&*txn, &host, input.repository_id).await?;
    linked_mirror(&*txn, &host, &input).await?;
    if store::count_for_host(&*txn, host_id).await? >= MAX_PER_HOST {
        return Err(DomainError::conflict(
            Code::ScheduleLimit,
            format!(
                "{} already has {MAX_PER_HOST} schedules, the most a host may hold.",
                host.hostname
            ),
        ));
    }
    if store::find_by_name(&*txn, host_id, &input.name).await?.is_some() {
        return Err(name_taken(&input.name, &host));
    }
    let id = Uuid::now_v7();
    let hooks = input.hooks.clone().unwrap_or_default();
    let sealed = hooks::seal(state, id, &hooks)?;
    let row = store::insert(&*txn, to_row(id, host_id, &input, sealed, now, now)?).await?;
    hosts::bump_config(&*txn, &[host_id]).await?;
    let mut details = summary(&row, &repo_name);
    details["hooks"] = hooks::summary(&hooks);
    audit::record(
        &*txn,
        actor,
        Event::success("schedule.create", Some(target(&row, &host)), details),
    )
    .await?;
    let around = Surroundings::of_host(&*txn, host_id).await?;
    txn.commit().await?;
    state.hub.wake(host_id);
    view(state, row, &host, None, &around, now)
}

/// Replaces a schedule whole (its host stays).
pub async fn replace(
    state: &Domain,
    actor: &Actor,
    id: Uuid,
    input: ScheduleInput,
) -> Result<ScheduleView, DomainError> {
    let now = Utc::now();
    let txn = state.store.write().await?;
    let old = store::find(&*txn, id).await?.ok_or(DomainError::NotFound { what: "schedule" })?;
    let host = host_of(&*txn, old.host_id).await?;
    let input = check(input, &host, now)?;
    let repo_name = linked(&*txn, &host, input.repository_id).await?;
    linked_mirror(&*txn, &host, &input).await?;
    if let Some(other) = store::find_by_name(&*txn, host.id, &input.name).await?
        && other.id != id
    {
        return Err(name_taken(&input.name, &host));
    }
    let old_hooks = hooks::open(state, &old)?;
    let (sealed, hooks) = match &input.hooks {
        Some(h) => (hooks::seal(state, id, h)?, h.clone()),
        None => (old.hooks_enc.clone(), old_hooks.clone()),
    };
    let row = store::save(&*txn, to_row(id, host.id, &input, sealed, old.created_at, now)?).await?;
    hosts::bump_config(&*txn, &[host.id]).await?;
    let mut details = summary(&row, &repo_name);
    details["hooks"] = hooks::summary(&hooks);
    // Whether the commands changed, never what they are: a hook may hold a secret.
    details["hooks_changed"] = json!(hooks != old_hooks);
    details["was"] = summary_fields(&old);
    audit::record(
        &*txn,
        actor,
        Event::success("schedule.update", Some(target(&row, &host)), details),
    )
    .await?;
    let around = Surroundings::of_host(&*txn, host.id).await?;
    txn.commit().await?;
    state.hub.wake(host.id);
    let last = store::last_run(state.store.db(), id).await?;
    view(state, row, &host, last, &around, now)
}

pub async fn delete(state: &Domain, actor: &Actor, id: Uuid) -> Result<(), DomainError> {
    let txn = state.store.write().await?;
    let row = store::find(&*txn, id).await?.ok_or(DomainError::NotFound { what: "schedule" })?;
    let host = host_of(&*txn, row.host_id).await?;
    store::delete(&*txn, id).await?;
    hosts::bump_config(&*txn, &[host.id]).await?;
    audit::record(
        &*txn,
        actor,
        Event::success("schedule.delete", Some(target(&row, &host)), summary_fields(&row)),
    )
    .await?;
    txn.commit().await?;
    state.hub.wake(host.id);
    Ok(())
}

/// Runs a schedule's backup now, with its paths, excludes and options (`limits` override
/// its bandwidth limits for this run only). Same checks as any backup: host online,
/// repository linked, nothing else running on the pair.
pub async fn run_now(
    state: &Domain,
    actor: &Actor,
    id: Uuid,
    limit_upload_kib: Option<u32>,
    limit_download_kib: Option<u32>,
) -> Result<JobRow, DomainError> {
    let db = state.store.db();
    let row = store::find(db, id).await?.ok_or(DomainError::NotFound { what: "schedule" })?;
    let (mut backup, _) = stored(&row)?;
    let around = Surroundings::of_host(db, row.host_id).await?;
    if let Some(why) = preflight::blocked_by(&around.of_row(&row, &backup)) {
        return Err(DomainError::conflict(Code::ScheduleBlocked, format!("It cannot run: {why}")));
    }
    if limit_upload_kib.is_some() {
        backup.limit_upload_kib = limit_upload_kib;
    }
    if limit_download_kib.is_some() {
        backup.limit_download_kib = limit_download_kib;
    }
    let backup = validate_backup(backup)?;
    job_service::create_for(
        state,
        actor,
        row.host_id,
        row.repository_id,
        JobArgs::Backup(backup),
        job_service::Origin::Schedule(row.id),
    )
    .await
}

/// A preflight's whole answer: the findings (the server's, then the agent's), their state,
/// and what the agent would run (absent when it did not answer).
pub struct PreflightReport {
    pub state: PreflightState,
    pub findings: Vec<Finding>,
    pub answer: Option<cairn_proto::PreflightAnswer>,
}

/// Asks the host's agent to check a backup; a failure to ask is a finding, not an error,
/// so the server's own findings are still shown.
async fn ask_preflight(
    state: &Domain,
    actor: &Actor,
    host: &HostRow,
    repository_id: Uuid,
    backup: BackupSpec,
    hooks: BackupHooks,
) -> Result<(Vec<Finding>, Option<cairn_proto::PreflightAnswer>), DomainError> {
    use cairn_proto::{Answer, PreflightQuery, Question, Severity};
    // Checked as they would run: with the host's default in each slot the schedule leaves.
    let defaults = hooks::host_defaults(state, state.store.db(), host.id).await?;
    let hooks = hooks::effective(&hooks, &defaults);
    let q = Question::Preflight(PreflightQuery { repository_id, backup, hooks });
    let not_checked = |why: String| {
        Finding::new(
            "agent.not_checked",
            Severity::Warning,
            format!(
                "{why}: its paths, the repository and the hooks were not checked on {}.",
                host.hostname
            ),
        )
    };
    match super::asks::ask(state, actor, host, q, super::asks::deadline(state)).await {
        Ok(Answer::Preflight(a)) => Ok((a.findings.clone(), Some(a))),
        Ok(Answer::Failed(f)) => {
            Ok((vec![not_checked(format!("The agent could not check ({})", f.message))], None))
        }
        Ok(other) => {
            let f = super::repositories::wrong_answer(&other);
            Ok((vec![not_checked(format!("The agent could not check ({})", f.message))], None))
        }
        Err(DomainError::Conflict { message, .. } | DomainError::NoAnswer { message }) => {
            Ok((vec![not_checked(format!("The agent did not answer ({message})"))], None))
        }
        Err(e) => Err(e),
    }
}

/// Checks a schedule as written, before it is saved: the same rules as saving it, the
/// server's findings, and the agent's. Nothing is stored.
pub async fn preflight_draft(
    state: &Domain,
    actor: &Actor,
    host_id: Uuid,
    input: ScheduleInput,
    id: Option<Uuid>,
) -> Result<PreflightReport, DomainError> {
    let db = state.store.db();
    let host = host_of(db, host_id).await?;
    let input = check(input, &host, Utc::now())?;
    linked(db, &host, input.repository_id).await?;
    // A draft of a stored schedule without hooks in it keeps the stored ones.
    let hooks = match (&input.hooks, id) {
        (Some(h), _) => h.clone(),
        (None, Some(id)) => match store::find(db, id).await? {
            Some(row) if row.host_id == host.id => hooks::open(state, &row)?,
            _ => BackupHooks::default(),
        },
        (None, None) => BackupHooks::default(),
    };
    let around = Surroundings::of_host(db, host.id).await?;
    let mut findings = around.server_findings(&Subject {
        id,
        repository_id: input.repository_id,
        enabled: input.enabled,
        backup: &input.backup,
        forget_after_backup: input.forget_after_backup,
    });
    let (agent, answer) =
        ask_preflight(state, actor, &host, input.repository_id, input.backup.clone(), hooks)
            .await?;
    findings.extend(agent);
    Ok(PreflightReport { state: preflight::state_of(&findings), findings, answer })
}

/// Checks a stored schedule now; the agent's findings are kept as its newest.
pub async fn preflight_stored(
    state: &Domain,
    actor: &Actor,
    id: Uuid,
) -> Result<PreflightReport, DomainError> {
    let db = state.store.db();
    let row = store::find(db, id).await?.ok_or(DomainError::NotFound { what: "schedule" })?;
    let host = host_of(db, row.host_id).await?;
    let (backup, _) = stored(&row)?;
    let around = Surroundings::of_host(db, host.id).await?;
    let mut findings = around.of_row(&row, &backup);
    let hooks = hooks::open(state, &row)?;
    let (agent, answer) =
        ask_preflight(state, actor, &host, row.repository_id, backup, hooks).await?;
    if answer.is_some() {
        let txn = state.store.write().await?;
        store::record_findings(&*txn, id, Some(to_json(&agent)?), Utc::now()).await?;
        txn.commit().await?;
    }
    findings.extend(agent);
    Ok(PreflightReport { state: preflight::state_of(&findings), findings, answer })
}

/// Keeps what the agent's preflight found when a backup of the schedule ended (in the
/// transaction that ends it).
pub async fn record_run_findings<C: sea_orm::ConnectionTrait>(
    db: &C,
    job: &JobRow,
) -> Result<(), DomainError> {
    let (Some(schedule), cairn_proto::JobKind::Backup) = (job.schedule_id, job.kind) else {
        return Ok(());
    };
    // A run that ended without the agent's result (lost, cancelled before it started)
    // found nothing new.
    let Some(result) =
        job.result.as_deref().and_then(|r| serde_json::from_str::<cairn_proto::JobResult>(r).ok())
    else {
        return Ok(());
    };
    let findings = result.findings;
    let at = job.finished_at.unwrap_or_else(Utc::now);
    store::record_findings(db, schedule, Some(to_json(&findings)?), at).await?;
    Ok(())
}

/// What a cron expression means in a zone (the given one, else the host's, else UTC).
pub async fn preview(
    state: &Domain,
    cron: &str,
    timezone: Option<String>,
    host_id: Option<Uuid>,
) -> Result<CronPreview, DomainError> {
    let own = check_zone(timezone)?;
    let host_zone = match host_id {
        Some(h) => host_of(state.store.db(), h).await?.timezone,
        None => None,
    };
    let (zone, name) = zone_of(own.as_deref(), host_zone.as_deref());
    let now = Utc::now();
    let s = check_cron(cron.trim(), zone, now)?;
    Ok(CronPreview {
        description: s.describe(),
        timezone: name,
        next_fires: s.next_fires(zone, now, NEXT_FIRES),
    })
}

/// The schedules an agent receives in its config, from rows read for it (agent configs are
/// built in batches: `agent_config::agent_configs`). `rows` are the host's schedules,
/// `linked` its linked repositories, `defaults` its default hooks.
pub fn agent_schedules(
    state: &Domain,
    host: &HostRow,
    rows: Vec<ScheduleRow>,
    linked: &[&repositories::RepositoryRow],
    defaults: &BackupHooks,
) -> Result<Vec<ScheduleConfig>, DomainError> {
    let around = Surroundings::among(&rows, linked)?;
    rows.into_iter()
        .map(|r| {
            let (_, zone) = effective_zone(r.timezone.as_deref(), host);
            let (backup, retention) = stored(&r)?;
            let blocked_by = preflight::blocked_by(&around.of_row(&r, &backup));
            let hooks = hooks::effective(&hooks::open(state, &r)?, defaults);
            Ok(ScheduleConfig {
                hooks,
                blocked_by,
                backup,
                retention,
                missed: missed_of(&r.missed),
                id: r.id,
                name: r.name,
                repository_id: r.repository_id,
                cron: r.cron,
                timezone: zone,
                enabled: r.enabled,
                forget_after_backup: r.forget_after_backup,
                prune_after_forget: r.prune_after_forget,
                prune_max_unused: r.prune_max_unused,
                copy_to: r.copy_to,
            })
        })
        .collect()
}

fn summary_fields(r: &ScheduleRow) -> serde_json::Value {
    json!({
        "name": r.name,
        "cron": r.cron,
        "timezone": r.timezone,
        "enabled": r.enabled,
        "forget_after_backup": r.forget_after_backup,
        "prune_after_forget": r.prune_after_forget,
        "copy_to": r.copy_to,
    })
}

fn summary(r: &ScheduleRow, repository: &str) -> serde_json::Value {
    let mut v = summary_fields(r);
    v["repository"] = json!(repository);
    v
}
