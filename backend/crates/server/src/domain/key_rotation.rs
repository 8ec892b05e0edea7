//! Rotating a repository's password without stopping any host: a new key is added through
//! one linked host, every linked host gets the new password, and the old key is removed
//! only once each of them has applied that config, so a host that was offline keeps
//! backing up with the old key until it comes back and acks.

use std::collections::BTreeMap;

use cairn_proto::{JobArgs, JobKind, JobResult, KeyAddArgs, KeyRemoveArgs};
use chrono::Utc;
use serde_json::json;
use uuid::Uuid;

use super::{
    Domain, DomainError,
    audit::{self, Actor, Event},
    fleet,
    jobs::{self, JobStatus},
};
use crate::{
    codes::Code,
    store::{
        hosts,
        jobs::JobRow,
        repositories::{self as repo_store, RepositoryRow},
    },
};

/// Where a rotation is; stored as its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// The `key_add` job runs with the new password in its host's config.
    Adding,
    /// The new key exists and is the repository's password; the linked hosts are taking it.
    Waiting,
    /// The `key_remove` job of the old key runs.
    Removing,
    /// Removing the old key failed; starting the rotation again retries it.
    RemoveFailed,
}

impl Step {
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Adding => "adding",
            Step::Waiting => "waiting",
            Step::Removing => "removing",
            Step::RemoveFailed => "remove_failed",
        }
    }

    pub fn of(s: &str) -> Option<Step> {
        [Step::Adding, Step::Waiting, Step::Removing, Step::RemoveFailed]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}

fn next_context(id: Uuid) -> String {
    format!("repository:{id}:next-password")
}

fn clear(row: &mut RepositoryRow) {
    row.next_password_enc = None;
    row.rotation_state = None;
    row.rotation_old_key = None;
    row.rotation_waits = None;
    row.rotation_started_at = None;
}

fn audit_target(r: &RepositoryRow) -> audit::Target {
    audit::Target { kind: "repository", id: r.id.to_string(), name: Some(r.name.clone()) }
}

/// The new password an agent's config carries while its key is being added.
pub fn new_password(state: &Domain, r: &RepositoryRow) -> Result<Option<String>, DomainError> {
    match (&r.next_password_enc, r.rotation_state.as_deref().and_then(Step::of)) {
        (Some(sealed), Some(Step::Adding)) => {
            let raw = state
                .keys
                .open(&next_context(r.id), sealed)
                .map_err(|e| DomainError::Internal(e.to_string()))?;
            Ok(Some(String::from_utf8(raw).map_err(|e| DomainError::Internal(e.to_string()))?))
        }
        _ => Ok(None),
    }
}

/// Starts a rotation through `host` (linked and online): a new random password, given to
/// that host's agent with a `key_add` job. Refused while one is under way; after a failed
/// removal of the old key it retries that removal through `host`.
pub async fn start(
    state: &Domain,
    actor: &Actor,
    repository: Uuid,
    host: Uuid,
) -> Result<JobRow, DomainError> {
    let txn = state.store.write().await?;
    let mut row = repo_store::find(&*txn, repository)
        .await?
        .ok_or(DomainError::NotFound { what: "repository" })?;
    // A step whose job is gone without ending it (cancelled before it ran, or lost) is
    // stale: adding starts over, removing is retried.
    let key_job_active = crate::store::jobs::active_on_repository(&*txn, repository)
        .await?
        .iter()
        .any(|j| matches!(j.kind, JobKind::KeyAdd | JobKind::KeyRemove));
    let step = match row.rotation_state.as_deref().and_then(Step::of) {
        Some(Step::Adding) if !key_job_active => None,
        Some(Step::Removing) if !key_job_active => Some(Step::RemoveFailed),
        other => other,
    };
    match step {
        None => {}
        Some(Step::RemoveFailed) => {
            let key_id = row.rotation_old_key.clone().unwrap_or_default();
            row.rotation_state = Some(Step::Removing.as_str().into());
            repo_store::save(&*txn, row).await?;
            txn.commit().await?;
            return remove_old_key(state, actor, repository, host, key_id, Step::RemoveFailed)
                .await;
        }
        Some(step) => {
            return Err(DomainError::conflict(
                Code::RepositoryRotationInProgress,
                format!(
                    "A key rotation of {} is under way ({}); it ends by itself once every linked host has the new password.",
                    row.name,
                    step.as_str()
                ),
            ));
        }
    }
    let h = hosts::find(&*txn, host).await?.ok_or(DomainError::NotFound { what: "host" })?;
    if !fleet::is_online(
        &h,
        std::time::Duration::from_secs(state.agents.offline_after_secs),
        Utc::now(),
    ) {
        return Err(DomainError::conflict(
            Code::HostOffline,
            format!("{} is offline; rotate the key through an online host.", h.hostname),
        ));
    }
    let password = crate::auth::keys::random_secret();
    row.next_password_enc = Some(state.keys.seal(&next_context(row.id), password.as_bytes()));
    row.rotation_state = Some(Step::Adding.as_str().into());
    row.rotation_started_at = Some(Utc::now());
    let row = repo_store::save(&*txn, row).await?;
    // The host's next config carries the new password; the job asks for that version.
    hosts::bump_config(&*txn, &[host]).await?;
    audit::record(
        &*txn,
        actor,
        Event::success(
            "repository.rotate_key",
            Some(audit_target(&row)),
            json!({ "step": "started", "host_id": host, "hostname": h.hostname }),
        ),
    )
    .await?;
    txn.commit().await?;
    match jobs::create(state, actor, host, repository, JobArgs::KeyAdd(KeyAddArgs {})).await {
        Ok(job) => Ok(job),
        Err(e) => {
            // Nothing was added: the rotation did not start.
            let txn = state.store.write().await?;
            if let Some(mut r) = repo_store::find(&*txn, repository).await? {
                clear(&mut r);
                repo_store::save(&*txn, r).await?;
                hosts::bump_config(&*txn, &[host]).await?;
            }
            txn.commit().await?;
            Err(e)
        }
    }
}

/// Starts the `key_remove` job; when it cannot start (the host is busy, offline), the
/// rotation goes back to `on_fail`.
async fn remove_old_key(
    state: &Domain,
    actor: &Actor,
    repository: Uuid,
    host: Uuid,
    key_id: String,
    on_fail: Step,
) -> Result<JobRow, DomainError> {
    let job =
        jobs::create(state, actor, host, repository, JobArgs::KeyRemove(KeyRemoveArgs { key_id }))
            .await;
    if job.is_err() {
        let txn = state.store.write().await?;
        if let Some(mut r) = repo_store::find(&*txn, repository).await? {
            r.rotation_state = Some(on_fail.as_str().into());
            repo_store::save(&*txn, r).await?;
        }
        txn.commit().await?;
    }
    job
}

/// A rotation's job ended (in the transaction that ends it): a key added makes the new
/// password the repository's and every linked host's (returned, to wake); a key removed
/// ends the rotation. A failed `key_add` ends it with nothing changed.
pub async fn on_job_end<C: sea_orm::ConnectionTrait>(
    state: &Domain,
    db: &C,
    job: &JobRow,
) -> Result<Vec<Uuid>, DomainError> {
    let (JobKind::KeyAdd | JobKind::KeyRemove, Some(repository)) = (job.kind, job.repository_id)
    else {
        return Ok(vec![]);
    };
    let Some(mut row) = repo_store::find(db, repository).await? else { return Ok(vec![]) };
    let result: Option<JobResult> =
        job.result.as_deref().and_then(|r| serde_json::from_str(r).ok());
    let keys = result.and_then(|r| r.keys).unwrap_or_default();
    let ok = job.status == JobStatus::Succeeded;
    let actor = Actor::system();
    let mut woken = Vec::new();
    let step = match (job.kind, ok, &keys.old_key_id, &row.next_password_enc) {
        (JobKind::KeyAdd, true, Some(old), Some(next)) => {
            let password = state
                .keys
                .open(&next_context(row.id), next)
                .map_err(|e| DomainError::Internal(e.to_string()))?;
            row.password_enc =
                state.keys.seal(&super::repositories::password_context(row.id), &password);
            row.next_password_enc = None;
            row.rotation_old_key = Some(old.clone());
            row.rotation_state = Some(Step::Waiting.as_str().into());
            woken = hosts::bump_config_for_repository(db, repository).await?;
            // The version each linked host must apply before the old key may go.
            let mut waits = BTreeMap::new();
            for h in hosts::find_many(db, &woken).await? {
                waits.insert(h.id.to_string(), h.config_version);
            }
            row.rotation_waits = Some(
                serde_json::to_string(&waits).map_err(|e| DomainError::Internal(e.to_string()))?,
            );
            "key_added"
        }
        (JobKind::KeyAdd, _, _, _) => {
            clear(&mut row);
            // The host that had the new password in its config gets it taken out.
            hosts::bump_config(db, &[job.host_id]).await?;
            woken.push(job.host_id);
            "add_failed"
        }
        (JobKind::KeyRemove, true, _, _) => {
            clear(&mut row);
            "done"
        }
        _ => {
            row.rotation_state = Some(Step::RemoveFailed.as_str().into());
            "remove_failed"
        }
    };
    let details = json!({ "step": step, "job_id": job.id, "old_key_id": row.rotation_old_key.clone().or(keys.removed_key_id.clone()), "new_key_id": keys.new_key_id });
    let target = audit_target(&row);
    repo_store::save(db, row).await?;
    let event = if ok {
        Event::success("repository.rotate_key", Some(target), details)
    } else {
        Event::failure("repository.rotate_key", Some(target), details)
    };
    audit::record(db, &actor, event).await?;
    Ok(woken)
}

/// Rotations whose new password every linked host has applied move on to removing the old
/// key, through an online linked host. Run by the maintenance sweep.
pub async fn advance(state: &Domain) -> Result<usize, DomainError> {
    let db = state.store.db();
    let mut started = 0;
    for row in repo_store::rotating(db, Step::Waiting.as_str()).await? {
        let waits: BTreeMap<String, i64> = row
            .rotation_waits
            .as_deref()
            .and_then(|w| serde_json::from_str(w).ok())
            .unwrap_or_default();
        let linked = hosts::hosts_of_repository(db, row.id).await?;
        let hosts = hosts::find_many(db, &linked).await?;
        // A host unlinked since does not hold the rotation up.
        let pending = hosts
            .iter()
            .any(|h| waits.get(&h.id.to_string()).is_some_and(|v| h.applied_config_version < *v));
        if pending {
            continue;
        }
        let offline_after = std::time::Duration::from_secs(state.agents.offline_after_secs);
        let now = Utc::now();
        let Some(via) = hosts.iter().find(|h| fleet::is_online(h, offline_after, now)) else {
            continue;
        };
        let Some(key_id) = row.rotation_old_key.clone() else { continue };
        {
            let txn = state.store.write().await?;
            let Some(mut r) = repo_store::find(&*txn, row.id).await? else { continue };
            if r.rotation_state.as_deref() != Some(Step::Waiting.as_str()) {
                continue;
            }
            r.rotation_state = Some(Step::Removing.as_str().into());
            repo_store::save(&*txn, r).await?;
            txn.commit().await?;
        }
        if remove_old_key(state, &Actor::system(), row.id, via.id, key_id, Step::Waiting)
            .await
            .is_ok()
        {
            started += 1;
        }
    }
    Ok(started)
}
