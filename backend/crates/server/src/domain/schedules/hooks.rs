//! Backup hooks at rest and in effect: a schedule's own hooks and its host's defaults,
//! each sealed (hooks may carry secrets), and the hooks a schedule really runs: its own
//! pre or post hook, else the host's default of the same slot.

use cairn_proto::{BackupHooks, Hook};
use chrono::Utc;
use serde_json::json;
use uuid::Uuid;

use crate::{
    codes::Code,
    domain::{
        Domain, DomainError,
        audit::{self, Actor, Event, Target},
    },
    store::{hosts, schedules::ScheduleRow},
};

fn to_json(h: &BackupHooks) -> Result<String, DomainError> {
    serde_json::to_string(h).map_err(|e| DomainError::Internal(e.to_string()))
}

fn schedule_context(id: Uuid) -> String {
    format!("schedule:{id}:hooks")
}

fn host_context(id: Uuid) -> String {
    format!("host:{id}:hooks")
}

fn open_sealed(state: &Domain, context: &str, sealed: &str) -> Result<BackupHooks, DomainError> {
    let raw = state
        .keys
        .open(context, sealed)
        .map_err(|e| DomainError::Internal(format!("{context}: {e}")))?;
    serde_json::from_slice(&raw).map_err(|e| DomainError::Internal(format!("{context}: {e}")))
}

/// A schedule's hooks sealed for its row; `None` for none.
pub(super) fn seal(
    state: &Domain,
    id: Uuid,
    hooks: &BackupHooks,
) -> Result<Option<String>, DomainError> {
    if hooks.is_empty() {
        return Ok(None);
    }
    Ok(Some(state.keys.seal(&schedule_context(id), to_json(hooks)?.as_bytes())))
}

/// A schedule's own hooks.
pub(super) fn open(state: &Domain, row: &ScheduleRow) -> Result<BackupHooks, DomainError> {
    match &row.hooks_enc {
        Some(sealed) => open_sealed(state, &schedule_context(row.id), sealed),
        None => Ok(BackupHooks::default()),
    }
}

/// The hooks a schedule runs: its own in each slot it sets, the host's default in the
/// others.
pub fn effective(own: &BackupHooks, host: &BackupHooks) -> BackupHooks {
    BackupHooks {
        pre: own.pre.clone().or_else(|| host.pre.clone()),
        post: own.post.clone().or_else(|| host.post.clone()),
    }
}

/// Which hooks are set, for the audit log (never their commands).
pub(super) fn summary(h: &BackupHooks) -> serde_json::Value {
    json!({ "pre": h.pre.is_some(), "post": h.post.is_some() })
}

/// Each hook usable (`schedule.invalid_hook`, with `hooks.pre`/`hooks.post`).
pub(super) fn check(h: &BackupHooks) -> Result<(), DomainError> {
    for (hook, field) in [(&h.pre, "hooks.pre"), (&h.post, "hooks.post")] {
        if let Some(why) = hook.as_ref().and_then(cairn_proto::hook_problem) {
            return Err(DomainError::invalid(
                Code::ScheduleInvalidHook,
                format!("This hook cannot be used: {why}."),
                field,
            ));
        }
    }
    Ok(())
}

/// The default hooks of `host`'s schedules.
pub async fn host_defaults<C: sea_orm::ConnectionTrait>(
    state: &Domain,
    db: &C,
    host: Uuid,
) -> Result<BackupHooks, DomainError> {
    match hosts::default_hooks(db, host).await? {
        Some(sealed) => open_sealed(state, &host_context(host), &sealed),
        None => Ok(BackupHooks::default()),
    }
}

/// A host's default hooks from their sealed text (read in a batch).
pub fn open_host_defaults(
    state: &Domain,
    host: Uuid,
    sealed: &str,
) -> Result<BackupHooks, DomainError> {
    open_sealed(state, &host_context(host), sealed)
}

/// The default hooks of an existing host's schedules (`404` for no such host).
pub async fn of_host(state: &Domain, host_id: Uuid) -> Result<BackupHooks, DomainError> {
    let db = state.store.db();
    hosts::find(db, host_id).await?.ok_or(DomainError::NotFound { what: "host" })?;
    host_defaults(state, db, host_id).await
}

/// Sets the default hooks of a host's schedules (`{}` removes them): sealed, audited
/// without their text, and pushed to the agent with a new config version.
pub async fn set_host_defaults(
    state: &Domain,
    actor: &Actor,
    host_id: Uuid,
    hooks: BackupHooks,
) -> Result<BackupHooks, DomainError> {
    let hooks = BackupHooks { pre: trimmed(hooks.pre), post: trimmed(hooks.post) };
    check(&hooks)?;
    let txn = state.store.write().await?;
    let host = hosts::find(&*txn, host_id).await?.ok_or(DomainError::NotFound { what: "host" })?;
    let old = host_defaults(state, &*txn, host_id).await?;
    let sealed = (!hooks.is_empty())
        .then(|| to_json(&hooks).map(|j| state.keys.seal(&host_context(host_id), j.as_bytes())))
        .transpose()?;
    hosts::set_default_hooks(&*txn, host_id, sealed, Utc::now()).await?;
    hosts::bump_config(&*txn, &[host_id]).await?;
    let mut details = json!({ "hooks": summary(&hooks) });
    // Whether the commands changed, never what they are: a hook may hold a secret.
    details["hooks_changed"] = json!(hooks != old);
    audit::record(
        &*txn,
        actor,
        Event::success(
            "host.set_hooks",
            Some(Target { kind: "host", id: host.id.to_string(), name: Some(host.hostname) }),
            details,
        ),
    )
    .await?;
    txn.commit().await?;
    state.hub.wake(host_id);
    Ok(hooks)
}

/// A hook whose command is only blanks is no hook.
fn trimmed(h: Option<Hook>) -> Option<Hook> {
    h.filter(|h| !h.command.trim().is_empty())
}
