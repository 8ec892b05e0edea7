//! Who holds locks in a repository, read now through a linked host's agent (`restic list
//! locks`): each lock's host, PID, user and age, whether restic would take it for stale,
//! and the Cairn host and running job it most likely belongs to.

use cairn_proto::{Answer, AskFailure, LockSeen, LocksQuery, Question};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{Domain, DomainError, asks, audit::Actor, repositories};
use crate::{
    codes::Code,
    store::{hosts, jobs as job_store, repositories as repo_store},
};

/// One lock, with the Cairn host whose name it carries and that host's running job on
/// the repository, when there is exactly one.
pub struct LockView {
    pub seen: LockSeen,
    pub host_id: Option<Uuid>,
    pub job_id: Option<Uuid>,
}

pub struct LockState {
    pub via_host_id: Uuid,
    pub via_hostname: String,
    pub checked_at: DateTime<Utc>,
    pub outcome: Result<Vec<LockView>, AskFailure>,
}

/// Reads the repository's locks through `via` (a linked host), or through the first
/// online linked host.
pub async fn read(
    state: &Domain,
    actor: &Actor,
    repository: Uuid,
    via: Option<Uuid>,
) -> Result<LockState, DomainError> {
    let db = state.store.db();
    repo_store::find(db, repository).await?.ok_or(DomainError::NotFound { what: "repository" })?;
    let host = match via {
        Some(h) => repositories::linked_pair(state, h, repository).await?.0,
        None => repositories::online_host(state, repository, None).await?.ok_or_else(|| {
            DomainError::conflict(
                Code::RepositoryNoOnlineHost,
                "No host linked to this repository is online: its locks are read through a linked host's agent.",
            )
        })?,
    };
    let question = Question::Locks(LocksQuery { repository_id: repository });
    let answer = asks::ask(state, actor, &host, question, asks::deadline(state)).await?;
    let outcome = match answer {
        Answer::Locks(a) => Ok(attribute(state, repository, a.locks).await?),
        Answer::Failed(f) => Err(f),
        other => Err(repositories::wrong_answer(&other)),
    };
    Ok(LockState {
        via_host_id: host.id,
        via_hostname: host.hostname,
        checked_at: Utc::now(),
        outcome,
    })
}

/// Names each lock's Cairn host (a linked host of that hostname) and its running job.
async fn attribute(
    state: &Domain,
    repository: Uuid,
    locks: Vec<LockSeen>,
) -> Result<Vec<LockView>, DomainError> {
    let db = state.store.db();
    let linked = hosts::find_many(db, &hosts::hosts_of_repository(db, repository).await?).await?;
    let active = job_store::active_on_repository(db, repository).await?;
    Ok(locks
        .into_iter()
        .map(|seen| {
            let host_id = linked.iter().find(|h| h.hostname == seen.hostname).map(|h| h.id);
            let mut running = active.iter().filter(|j| Some(j.host_id) == host_id);
            let job_id = match (running.next(), running.next()) {
                (Some(j), None) => Some(j.id),
                _ => None,
            };
            LockView { seen, host_id, job_id }
        })
        .collect())
}
