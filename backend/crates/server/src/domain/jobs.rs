//! Jobs: starting one (checked: host online, repository linked, nothing else running on
//! that pair), cancelling, reading them. What agents report about them is in
//! [`super::job_events`].

use crate::codes::Code;
use std::time::Duration as StdDuration;

pub use super::job_events::{ingest, reconcile};
use cairn_proto::{Action, BackupSpec, CancelJob, JobArgs, JobKind, JobOutcome};
use chrono::Utc;
use serde_json::json;
use uuid::Uuid;

use super::{
    Domain, DomainError,
    audit::{self, Actor, Event, Target},
    fleet,
    page::{self, Page},
};
use crate::store::{
    commands,
    hosts::{self, HostRow},
    jobs::{self, JobFilter, JobRow, LogRow, SnapshotRow},
    repositories,
};

pub use crate::store::jobs::JobStatus;

impl JobStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Queued => "queued",
            JobStatus::Dispatched => "dispatched",
            JobStatus::Running => "running",
            JobStatus::Succeeded => "succeeded",
            JobStatus::Warning => "warning",
            JobStatus::Failed => "failed",
            JobStatus::Cancelled => "cancelled",
            JobStatus::Lost => "lost",
            JobStatus::Blocked => "blocked",
        }
    }

    pub fn is_final(self) -> bool {
        !matches!(self, JobStatus::Queued | JobStatus::Dispatched | JobStatus::Running)
    }

    pub(super) fn of_outcome(o: JobOutcome) -> JobStatus {
        match o {
            JobOutcome::Succeeded => JobStatus::Succeeded,
            JobOutcome::Warning => JobStatus::Warning,
            JobOutcome::Failed => JobStatus::Failed,
            JobOutcome::Cancelled => JobStatus::Cancelled,
            JobOutcome::Lost => JobStatus::Lost,
            JobOutcome::Blocked => JobStatus::Blocked,
        }
    }
}

/// The arguments a job was started with. They were written by this server, so a row
/// whose arguments do not decode is damaged: that is logged as an error and the job is
/// shown without them, never with arguments guessed from its kind.
pub fn args_of(row: &JobRow) -> Option<JobArgs> {
    match serde_json::from_str::<JobArgs>(&row.args) {
        Ok(args) if args.kind() == row.kind => Some(args),
        Ok(args) => {
            tracing::error!(job = %row.id, kind = ?row.kind, args_kind = ?args.kind(), "the job's stored arguments are of another kind");
            None
        }
        Err(e) => {
            tracing::error!(job = %row.id, "the job's stored arguments do not decode: {e}");
            None
        }
    }
}

fn job_target(job: Uuid, kind: JobKind, host: &HostRow) -> Target {
    Target {
        kind: "job",
        id: job.to_string(),
        name: Some(format!("{} on {}", kind.as_str(), host.hostname)),
    }
}

/// A tag restic accepts on a snapshot (and in `--keep-tag`): up to 64 characters, no
/// commas (restic's list separator), no spaces or control characters.
pub fn is_tag(t: &str) -> bool {
    t.chars().count() <= 64 && !t.contains(',') && !t.chars().any(|c| c.is_control() || c == ' ')
}

/// Checks a backup request: absolute paths, sane sizes, tags restic accepts.
pub fn validate_backup(spec: BackupSpec) -> Result<BackupSpec, DomainError> {
    let bad = |msg: String, field| DomainError::invalid(Code::JobInvalidBackup, msg, field);
    let paths: Vec<String> =
        spec.paths.into_iter().map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect();
    if paths.is_empty() {
        return Err(bad("Name at least one path to back up.".into(), "paths"));
    }
    if paths.len() > 100 {
        return Err(bad("At most 100 paths per backup.".into(), "paths"));
    }
    for p in &paths {
        if !p.starts_with('/') {
            return Err(bad(
                format!("{p:?} is not an absolute path (it must start with /)."),
                "paths",
            ));
        }
        if p.chars().count() > 4096 || p.contains('\0') {
            return Err(bad(format!("{p:?} is not a usable path."), "paths"));
        }
    }
    let excludes: Vec<String> =
        spec.excludes.into_iter().map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect();
    if excludes.len() > 200 || excludes.iter().any(|e| e.chars().count() > 4096 || e.contains('\0'))
    {
        return Err(bad("At most 200 exclude patterns, each a usable pattern.".into(), "excludes"));
    }
    let tags: Vec<String> =
        spec.tags.into_iter().map(|t| t.trim().to_string()).filter(|t| !t.is_empty()).collect();
    if tags.len() > 20 {
        return Err(bad("At most 20 tags.".into(), "tags"));
    }
    if let Some(t) = tags.iter().find(|t| !is_tag(t)) {
        return Err(bad(
            format!("Tag {t:?} is not valid: up to 64 characters, no commas or spaces."),
            "tags",
        ));
    }
    let exclude_files: Vec<String> = spec
        .exclude_files
        .into_iter()
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect();
    if exclude_files.len() > 20 {
        return Err(bad("At most 20 exclude files.".into(), "exclude_files"));
    }
    if let Some(f) = exclude_files
        .iter()
        .find(|f| !f.starts_with('/') || f.chars().count() > 4096 || f.contains('\0'))
    {
        return Err(bad(
            format!("Exclude file {f:?} must be an absolute path on the host."),
            "exclude_files",
        ));
    }
    for (limit, field) in [
        (spec.limit_upload_kib, "limit_upload_kib"),
        (spec.limit_download_kib, "limit_download_kib"),
    ] {
        if limit.is_some_and(|l| l == 0 || l > 10_000_000) {
            return Err(bad(
                "A bandwidth limit is 1–10,000,000 KiB/s (leave it out for none).".into(),
                field,
            ));
        }
    }
    let extra_options: Vec<String> = spec
        .extra_options
        .into_iter()
        .map(|o| o.trim().to_string())
        .filter(|o| !o.is_empty())
        .collect();
    if extra_options.len() > cairn_proto::MAX_EXTRA_OPTIONS {
        return Err(bad(
            format!("At most {} extra options.", cairn_proto::MAX_EXTRA_OPTIONS),
            "extra_options",
        ));
    }
    for o in &extra_options {
        if let Err(why) = cairn_proto::allowed_option(o) {
            let allowed: Vec<&str> = cairn_proto::BACKUP_OPTIONS.iter().map(|a| a.name).collect();
            return Err(bad(
                format!("Option {o:?} cannot be used: {why}. Allowed: {}.", allowed.join(", ")),
                "extra_options",
            ));
        }
    }
    Ok(BackupSpec {
        paths,
        excludes,
        tags,
        exclude_files,
        one_file_system: spec.one_file_system,
        limit_upload_kib: spec.limit_upload_kib,
        limit_download_kib: spec.limit_download_kib,
        extra_options,
    })
}

/// Starts a job: checks, stores it with its run command in one transaction, then hands the
/// command to the host's held poll.
pub async fn create(
    state: &Domain,
    actor: &Actor,
    host_id: Uuid,
    repository_id: Uuid,
    args: JobArgs,
) -> Result<JobRow, DomainError> {
    create_for(state, actor, host_id, repository_id, args, Origin::Direct).await
}

/// Why a job is started, beyond who asked: a schedule's "Run now", or an admin's approval
/// of a run a guard blocked. Kept on the job (`schedule_id`) and in its audit event.
#[derive(Clone, Copy, Debug, Default)]
pub enum Origin {
    #[default]
    Direct,
    Schedule(Uuid),
    Approval {
        blocked: Uuid,
    },
    /// A restore of `source`'s snapshot on another host: the repository need not be linked
    /// to the restoring host (its agent gets the credentials for this job only).
    CrossHost {
        source: Uuid,
    },
}

/// [`create`], for a schedule's run or an approved one.
pub async fn create_for(
    state: &Domain,
    actor: &Actor,
    host_id: Uuid,
    repository_id: Uuid,
    args: JobArgs,
    origin: Origin,
) -> Result<JobRow, DomainError> {
    let schedule_id = match origin {
        Origin::Schedule(id) => Some(id),
        Origin::Direct | Origin::Approval { .. } | Origin::CrossHost { .. } => None,
    };
    let kind = args.kind();
    let txn = state.store.write().await?;
    let host = hosts::find(&*txn, host_id).await?.ok_or(DomainError::NotFound { what: "host" })?;
    let repo = repositories::find(&*txn, repository_id)
        .await?
        .ok_or(DomainError::NotFound { what: "repository" })?;
    let now = Utc::now();
    let offline_after = StdDuration::from_secs(state.agents.offline_after_secs);
    if !fleet::is_online(&host, offline_after, now) {
        return Err(DomainError::conflict(
            Code::HostOffline,
            format!(
                "{} is offline (its agent has not been in touch for over {} s); start the agent and try again.",
                host.hostname, state.agents.offline_after_secs
            ),
        ));
    }
    if !matches!(origin, Origin::CrossHost { .. })
        && !hosts::linked_repositories(&*txn, host_id).await?.contains(&repository_id)
    {
        return Err(DomainError::conflict(
            Code::JobRepositoryNotLinked,
            format!(
                "Repository {} is not linked to {}; link it on the host's page first.",
                repo.name, host.hostname
            ),
        ));
    }
    if let Some(running) = jobs::active_for(&*txn, host_id, repository_id).await? {
        return Err(already_running(&running));
    }
    let id = Uuid::now_v7();
    let stored_args =
        serde_json::to_string(&args).map_err(|e| DomainError::Internal(e.to_string()))?;
    let row = JobRow {
        repository_id: Some(repository_id),
        actor_kind: actor.kind.as_str().into(),
        actor: actor.name.clone(),
        schedule_id,
        ..jobs::new_row(id, host_id, kind, stored_args, now)
    };
    let row = match jobs::insert(&*txn, row).await {
        Ok(r) => r,
        // The database's one-active-job index caught a race this check could not see.
        Err(e) if is_unique_violation(&e) => {
            return Err(DomainError::conflict(
                Code::JobAlreadyRunning,
                "Another job on this host and repository is still running.",
            ));
        }
        Err(e) => return Err(e.into()),
    };
    let paths = args.backup().map(|b| b.paths.clone());
    // The maintenance queue: a job that would collide with one on the same repository
    // (any host) waits for it and gets its run command when that one ends.
    let (row, cmd) = match super::queue::blocker(&*txn, repository_id, kind, id).await? {
        Some(b) => {
            let row = jobs::update(&*txn, JobRow { waiting_for: Some(b.id), ..row }).await?;
            (row, None)
        }
        None => {
            let cmd = super::queue::run_command(&row, host.config_version)?;
            commands::enqueue(&*txn, fleet::command_row(&cmd, host_id, actor)?).await?;
            (row, Some(cmd))
        }
    };
    audit::record(
        &*txn,
        actor,
        Event::success(
            match origin {
                Origin::Approval { .. } => "job.approve",
                Origin::Direct | Origin::Schedule(_) | Origin::CrossHost { .. } => "job.create",
            },
            Some(job_target(id, kind, &host)),
            json!({
                "host_id": host_id,
                "repository": repo.name,
                "kind": kind.as_str(),
                "paths": paths,
                "restore": restore_details(&args),
                "schedule_id": schedule_id,
                "approves": match origin {
                    Origin::Approval { blocked } => Some(blocked),
                    Origin::Direct | Origin::Schedule(_) | Origin::CrossHost { .. } => None,
                },
                "source_host_id": match origin {
                    Origin::CrossHost { source } => Some(source),
                    _ => None,
                },
            }),
        ),
    )
    .await?;
    txn.commit().await?;
    state.hub.job_opened(host_id);
    if let Some(cmd) = cmd {
        state.hub.deliver(host_id, vec![cmd]);
    }
    Ok(row)
}

/// A restore's what and where, for its audit event: who restored which paths of which
/// snapshot, to where, replacing what.
fn restore_details(args: &JobArgs) -> Option<serde_json::Value> {
    match args {
        JobArgs::Restore(r) => Some(json!({
            "snapshot_id": r.snapshot_id,
            "source_hostname": r.source_hostname,
            "paths": r.paths,
            "target": r.target.root(),
            "in_place": matches!(r.target, cairn_proto::RestoreTarget::Original(_)),
            "overwrite": r.overwrite,
            "delete_extra": r.delete_extra,
        })),
        _ => None,
    }
}

fn already_running(running: &JobRow) -> DomainError {
    DomainError::Conflict {
        code: Code::JobAlreadyRunning,
        message: format!(
            "A {} job on this host and repository is still {}; wait for it or cancel it.",
            running.kind.as_str(),
            running.status.as_str()
        ),
        details: json!({ "job_id": running.id }),
    }
}

fn is_unique_violation(e: &crate::store::StoreError) -> bool {
    match e {
        crate::store::StoreError::Db(db) => {
            matches!(db.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_)))
        }
        _ => false,
    }
}

/// Asks for a job to stop. A job no agent has received yet ends here and now; one that
/// runs gets a cancel command and ends when the agent reports it stopped.
pub async fn cancel(state: &Domain, actor: &Actor, id: Uuid) -> Result<JobRow, DomainError> {
    let txn = state.store.write().await?;
    let mut job = jobs::find(&*txn, id).await?.ok_or(DomainError::NotFound { what: "job" })?;
    if job.status.is_final() {
        return Err(DomainError::conflict(
            Code::JobFinished,
            format!(
                "This job already ended ({}); there is nothing to cancel.",
                job.status.as_str()
            ),
        ));
    }
    let host =
        hosts::find(&*txn, job.host_id).await?.ok_or(DomainError::NotFound { what: "host" })?;
    let now = Utc::now();
    job.cancel_requested_at = Some(now);
    // A job waiting in its repository's queue has no run command yet.
    let retracted = job.status == JobStatus::Queued
        && (job.waiting_for.is_some() || commands::retract_undelivered(&*txn, job.id).await?);
    let mut wire = None;
    if retracted {
        job.status = JobStatus::Cancelled;
        job.finished_at = Some(now);
        job.error_message = Some("Cancelled before the agent received it.".into());
    } else {
        let action = Action::CancelJob(CancelJob { job_id: job.id });
        let cmd = fleet::command(Uuid::now_v7(), action, now);
        commands::enqueue(&*txn, fleet::command_row(&cmd, job.host_id, actor)?).await?;
        wire = Some(cmd);
    }
    let job = jobs::update(&*txn, job).await?;
    let kind = job.kind;
    audit::record(
        &*txn,
        actor,
        Event::success(
            "job.cancel",
            Some(job_target(job.id, kind, &host)),
            json!({ "before_delivery": retracted }),
        ),
    )
    .await?;
    txn.commit().await?;
    if let Some(w) = wire {
        state.hub.deliver(job.host_id, vec![w]);
    } else {
        state.hub.slot(job.host_id).delivered([job.id]);
    }
    state.hub.job_changed(job.id);
    if job.status.is_final()
        && let Some(repo) = job.repository_id
    {
        super::queue::release(state, repo).await?;
    }
    Ok(job)
}

pub async fn get(state: &Domain, id: Uuid) -> Result<JobRow, DomainError> {
    jobs::find(state.store.db(), id).await?.ok_or(DomainError::NotFound { what: "job" })
}

/// One page of jobs, newest first; the count (up to [`page::TOTAL_CAP`]) only when asked.
pub async fn list(
    state: &Domain,
    filter: &JobFilter,
    cursor: Option<&str>,
    limit: u64,
    with_total: bool,
) -> Result<Page<NamedJob>, DomainError> {
    let after = page::decode::<jobs::JobKey>(cursor)?;
    let db = state.store.db();
    let rows = jobs::list(db, filter, after, limit + 1).await?;
    let total = page::total_if_asked(with_total, |cap| jobs::count(db, filter, cap)).await?;
    let page = page::cut(rows, limit, |r| (r.created_at, r.id), total);
    let items = state.names.of_jobs(db, page.items).await?;
    Ok(Page { items, next_cursor: page.next_cursor, total: page.total })
}

pub async fn logs_after(
    state: &Domain,
    id: Uuid,
    after: i64,
    limit: u64,
) -> Result<Vec<LogRow>, DomainError> {
    let rows = jobs::logs_after(state.store.db(), id, after, limit).await?;
    // Lines prove the job exists; only an empty page needs to ask (a job with no lines yet,
    // or no job at all: 404). A page of lines costs one query, not two.
    if rows.is_empty() {
        get(state, id).await?;
    }
    Ok(rows)
}

/// One page of a host's snapshots, newest first, with the backups that made them; the
/// count (up to [`page::TOTAL_CAP`]) only when asked.
pub async fn snapshots(
    state: &Domain,
    host: Uuid,
    repository: Option<Uuid>,
    cursor: Option<&str>,
    limit: u64,
    with_total: bool,
) -> Result<(Page<SnapshotRow>, Vec<JobRow>), DomainError> {
    let after = page::decode::<jobs::SnapshotKey>(cursor)?;
    let db = state.store.db();
    hosts::find(db, host).await?.ok_or(DomainError::NotFound { what: "host" })?;
    let rows = jobs::snapshots(db, host, repository, after.as_ref(), limit + 1).await?;
    let total =
        page::total_if_asked(with_total, |cap| jobs::count_snapshots(db, host, repository, cap))
            .await?;
    let page = page::cut(rows, limit, |s| (s.time, s.snapshot_id.clone(), s.repository_id), total);
    let ids: Vec<String> = page.items.iter().map(|r| r.snapshot_id.clone()).collect();
    let made_by = jobs::backups_by_snapshot(db, host, &ids).await?;
    Ok((page, made_by))
}

/// A job row with its host's name and its repository's name (absent when deleted since).
pub use jobs::NamedJobRow as NamedJob;

/// Jobs with their host and repository names (`domain::names`).
pub async fn with_names(state: &Domain, rows: Vec<JobRow>) -> Result<Vec<NamedJob>, DomainError> {
    state.names.of_jobs(state.store.db(), rows).await
}

/// The names of the repositories `ids` (for a page of snapshots).
pub async fn repository_names(
    state: &Domain,
    ids: &[Uuid],
) -> Result<Vec<(Uuid, String)>, DomainError> {
    let mut ids = ids.to_vec();
    ids.sort();
    ids.dedup();
    let repos = repositories::find_many(state.store.db(), &ids).await?;
    Ok(repos.into_iter().map(|r| (r.id, r.name)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backup_requests_are_checked() {
        let ok = validate_backup(BackupSpec {
            paths: vec![" /etc ".into(), "".into()],
            excludes: vec!["*.tmp".into()],
            tags: vec!["daily".into()],
            exclude_files: vec![" /etc/cairn/excludes ".into()],
            one_file_system: true,
            limit_upload_kib: Some(1024),
            extra_options: vec![" --exclude-caches ".into(), "--exclude-larger-than=2G".into()],
            ..Default::default()
        })
        .unwrap();
        assert_eq!(ok.extra_options, vec!["--exclude-caches", "--exclude-larger-than=2G"]);
        assert_eq!(ok.paths, vec!["/etc"]);
        assert_eq!(ok.exclude_files, vec!["/etc/cairn/excludes"]);
        assert!(ok.one_file_system);
        assert_eq!(ok.limit_upload_kib, Some(1024));
        for bad in [
            BackupSpec { exclude_files: vec!["relative".into()], ..Default::default() },
            BackupSpec { limit_upload_kib: Some(0), ..Default::default() },
            BackupSpec { limit_download_kib: Some(20_000_000), ..Default::default() },
            // Not on the allow-list: a command restic would run, a repository.
            BackupSpec {
                extra_options: vec!["--password-command=sh".into()],
                ..Default::default()
            },
            BackupSpec { extra_options: vec!["--repo=/tmp/x".into()], ..Default::default() },
            // On it, with a wrong value or a value where none goes.
            BackupSpec {
                extra_options: vec!["--exclude-larger-than=big".into()],
                ..Default::default()
            },
            BackupSpec { extra_options: vec!["--read-concurrency=0".into()], ..Default::default() },
            BackupSpec { extra_options: vec!["--compression=fast".into()], ..Default::default() },
            BackupSpec { extra_options: vec!["--exclude-caches=yes".into()], ..Default::default() },
            BackupSpec { extra_options: vec!["--iexclude".into()], ..Default::default() },
        ] {
            let r = validate_backup(BackupSpec { paths: vec!["/etc".into()], ..bad });
            assert!(matches!(r, Err(DomainError::Invalid { code: Code::JobInvalidBackup, .. })));
        }
        for (paths, tags) in [
            (vec![], vec![]),
            (vec!["etc".to_string()], vec![]),
            (vec!["/etc".to_string()], vec!["a,b".to_string()]),
            (vec!["/etc".to_string()], vec!["has space".to_string()]),
        ] {
            let r = validate_backup(BackupSpec { paths, tags, ..Default::default() });
            assert!(matches!(r, Err(DomainError::Invalid { code: Code::JobInvalidBackup, .. })));
        }
    }

    #[test]
    fn statuses_know_when_they_end() {
        use sea_orm::{ActiveEnum, Iterable};
        for s in JobStatus::iter() {
            // The stored name and the name shown are the same word.
            assert_eq!(s.to_value(), s.as_str());
            assert_eq!(s.is_final(), !crate::store::jobs::ACTIVE.contains(&s));
        }
        assert!(JobStatus::try_from_value(&"done".to_string()).is_err());
    }
}
