//! Copies to a mirror repository (3-2-1): the arguments of a copy job, and each source →
//! mirror pair's state, kept when a copy ends and read with the source's newest snapshot
//! so a mirror shows how far behind it is without asking restic.

use std::collections::HashMap;

use cairn_proto::{CopyArgs, JobKind, JobResult};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{Domain, DomainError, jobs as job_service};
use crate::{
    codes::Code,
    store::{
        hosts,
        jobs::JobRow,
        repositories::{self as repo_store, CopyRow},
    },
};

/// A copy's arguments, normalised: `mirror` is the job's repository.
pub fn check_args(c: CopyArgs) -> Result<CopyArgs, DomainError> {
    let (host, tags) = super::maintenance::check_scope(c.host, c.tags)?;
    Ok(CopyArgs { from_repository_id: c.from_repository_id, host, tags })
}

/// A copy from `source` into `mirror` run by `host`: two repositories, both linked to it
/// (its agent opens both).
pub async fn check_pair<C: sea_orm::ConnectionTrait>(
    db: &C,
    host: Uuid,
    source: Uuid,
    mirror: Uuid,
    field: &'static str,
) -> Result<(), DomainError> {
    if source == mirror {
        return Err(DomainError::invalid(
            Code::JobInvalidArgs,
            "A repository cannot be its own mirror: choose a second repository.",
            field,
        ));
    }
    let linked = hosts::linked_repositories(db, host).await?;
    if !linked.contains(&source) || !linked.contains(&mirror) {
        let which = if linked.contains(&source) { "mirror" } else { "source" };
        return Err(DomainError::conflict(
            Code::RepositoryNotLinked,
            format!(
                "The copy's {which} repository is not linked to this host; its agent needs both repositories: link it on the host's page first."
            ),
        ));
    }
    Ok(())
}

/// Keeps an ended copy's outcome on its pair; what it measured replaces the pair's
/// measure only when it ran to the end (a failed copy keeps the last good measure). A
/// copy uploaded late from an agent's outbox does not replace a newer one.
pub async fn record<C: sea_orm::ConnectionTrait>(db: &C, job: &JobRow) -> Result<(), DomainError> {
    let (JobKind::Copy, Some(mirror), Some(cairn_proto::JobArgs::Copy(args))) =
        (job.kind, job.repository_id, job_service::args_of(job))
    else {
        return Ok(());
    };
    if !job.status.is_final() {
        return Ok(());
    }
    let at = job.finished_at.unwrap_or_else(Utc::now);
    let host = args.host.clone().unwrap_or_default();
    let old = repo_store::find_copy(db, args.from_repository_id, mirror, &host).await?;
    if old.as_ref().is_some_and(|o| o.last_at > at) {
        return Ok(());
    }
    let result: Option<JobResult> =
        job.result.as_deref().and_then(|r| serde_json::from_str(r).ok());
    let report = result.and_then(|r| r.copy);
    let mut row = old.unwrap_or(CopyRow {
        source_id: args.from_repository_id,
        mirror_id: mirror,
        host,
        last_job_id: job.id,
        last_status: job.status,
        last_at: at,
        source_snapshots: None,
        missing: None,
        source_newest: None,
        copied_newest: None,
        measured_at: None,
    });
    row.last_job_id = job.id;
    row.last_status = job.status;
    row.last_at = at;
    if let Some(r) = report {
        row.source_snapshots = Some(r.source_snapshots.min(i32::MAX as u32) as i32);
        row.missing = Some(r.missing.min(i32::MAX as u32) as i32);
        row.source_newest = r.source_newest;
        row.copied_newest = r.copied_newest;
        row.measured_at = Some(at);
    }
    repo_store::put_copy(db, row).await?;
    Ok(())
}

/// A source → mirror pair as a repository's page shows it.
#[derive(Clone, Debug)]
pub struct MirrorView {
    pub row: CopyRow,
    pub source_name: String,
    pub mirror_name: String,
    /// The newest snapshot in the source's scope: what the last copy measured, or a newer
    /// one the server has heard of since (a backup after the copy).
    pub source_newest: Option<DateTime<Utc>>,
    /// How far the mirror's newest copied snapshot is behind that; `None` when nothing
    /// was measured yet or nothing in scope is copied.
    pub behind_seconds: Option<i64>,
}

/// The pairs `repository` is the source or the mirror of, newest copy first.
pub async fn of_repository(
    state: &Domain,
    repository: Uuid,
) -> Result<Vec<MirrorView>, DomainError> {
    let db = state.store.db();
    let rows = repo_store::copies_of(db, repository).await?;
    if rows.is_empty() {
        return Ok(vec![]);
    }
    let mut ids: Vec<Uuid> = rows.iter().flat_map(|r| [r.source_id, r.mirror_id]).collect();
    ids.sort();
    ids.dedup();
    let names: HashMap<Uuid, String> =
        repo_store::find_many(db, &ids).await?.into_iter().map(|r| (r.id, r.name)).collect();
    let mut newest: HashMap<Uuid, Vec<(String, DateTime<Utc>)>> = HashMap::new();
    for source in rows.iter().map(|r| r.source_id) {
        if let std::collections::hash_map::Entry::Vacant(e) = newest.entry(source) {
            e.insert(repo_store::newest_snapshots(db, source).await?);
        }
    }
    Ok(rows
        .into_iter()
        .map(|row| {
            let known = newest.get(&row.source_id).and_then(|hosts| {
                hosts
                    .iter()
                    .filter(|(h, _)| row.host.is_empty() || *h == row.host)
                    .map(|(_, t)| *t)
                    .max()
            });
            let source_newest = row.source_newest.max(known);
            let behind_seconds = match (row.measured_at, source_newest, row.copied_newest) {
                (Some(_), Some(s), Some(c)) => Some((s - c).num_seconds().max(0)),
                _ => None,
            };
            MirrorView {
                source_name: names.get(&row.source_id).cloned().unwrap_or_default(),
                mirror_name: names.get(&row.mirror_id).cloned().unwrap_or_default(),
                source_newest,
                behind_seconds,
                row,
            }
        })
        .collect())
}
