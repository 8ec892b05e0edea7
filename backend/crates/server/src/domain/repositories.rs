//! Repositories: a restic URL plus secrets (password, backend environment) that are
//! sealed with the server's key before they reach the database, and opened only to build
//! the config of a host the repository is linked to. Views never contain a secret.

use crate::codes::Code;
use std::collections::BTreeMap;

use cairn_proto::{
    Answer, AskFailure, ForgetGuard, ProbeAnswer, Question, RepositoryConfig, RepositoryProbe,
};
use chrono::Utc;
use serde_json::json;
use uuid::Uuid;

use super::{
    Domain, DomainError, asks,
    audit::{self, Actor, Event, Target},
};
use crate::store::{
    hosts::{self, HostRow},
    repositories::{self as repo_store, RepositoryRow},
};

const SCHEMES: &[&str] = &["sftp:", "rest:", "s3:", "b2:", "azure:", "gs:", "swift:", "rclone:"];

pub struct NewRepository {
    pub name: String,
    pub url: String,
    pub password: String,
    pub env: BTreeMap<String, String>,
    /// `None`: the default guard.
    pub guard: Option<ForgetGuard>,
}

#[derive(Default)]
pub struct RepositoryPatch {
    pub name: Option<String>,
    pub url: Option<String>,
    /// A new password; `None` keeps the stored one.
    pub password: Option<String>,
    /// Variables to add or replace.
    pub env_set: BTreeMap<String, String>,
    /// Variables to remove.
    pub env_remove: Vec<String>,
    /// A new delete guard, whole.
    pub guard: Option<ForgetGuard>,
    /// `Some(Some(_))` sets the check schedule, `Some(None)` removes it, `None` keeps it.
    pub check_schedule: Option<Option<super::check_schedule::CheckScheduleInput>>,
}

/// A repository's delete guard as stored.
pub fn guard_of(r: &RepositoryRow) -> ForgetGuard {
    ForgetGuard {
        max_delete_count: r.guard_max_delete_count.map(|n| n.max(0) as u32),
        max_delete_percent: r.guard_max_delete_percent.map(|n| n.clamp(0, 100) as u32),
        min_keep: r.guard_min_keep.max(0) as u32,
    }
}

/// Counts 1–100,000, a percentage 1–100, a minimum kept 0–1,000.
fn check_guard(g: &ForgetGuard) -> Result<(), DomainError> {
    let bad =
        |msg: &str, field| Err(DomainError::invalid(Code::RepositoryInvalidGuard, msg, field));
    if g.max_delete_count.is_some_and(|n| !(1..=100_000).contains(&n)) {
        return bad(
            "At most 1–100,000 snapshots per forget, or no count limit.",
            "guard.max_delete_count",
        );
    }
    if g.max_delete_percent.is_some_and(|n| !(1..=100).contains(&n)) {
        return bad(
            "At most 1–100 % of the snapshots per forget, or no limit.",
            "guard.max_delete_percent",
        );
    }
    if g.min_keep > 1000 {
        return bad("Keep at least 0–1,000 snapshots per group.", "guard.min_keep");
    }
    Ok(())
}

fn set_guard(row: &mut RepositoryRow, g: &ForgetGuard) {
    row.guard_max_delete_count = g.max_delete_count.map(|n| n as i32);
    row.guard_max_delete_percent = g.max_delete_percent.map(|n| n as i32);
    row.guard_min_keep = g.min_keep as i32;
}

fn target(r: &RepositoryRow) -> Target {
    Target { kind: "repository", id: r.id.to_string(), name: Some(r.name.clone()) }
}

fn check_name(name: &str) -> Result<String, DomainError> {
    let n = name.trim();
    if n.is_empty() || n.chars().count() > 100 || n.chars().any(char::is_control) {
        return Err(DomainError::invalid(
            Code::RepositoryInvalidName,
            "Name must be 1–100 printable characters.",
            "name",
        ));
    }
    Ok(n.to_string())
}

fn check_url(url: &str) -> Result<String, DomainError> {
    let u = url.trim();
    let known = u.starts_with('/') || SCHEMES.iter().any(|s| u.starts_with(s));
    if u.is_empty() || u.chars().count() > 2048 || u.chars().any(char::is_control) || !known {
        return Err(DomainError::invalid(
            Code::RepositoryInvalidUrl,
            "The URL must be an absolute path or start with sftp:, rest:, s3:, b2:, azure:, gs:, swift: or rclone:.",
            "url",
        ));
    }
    Ok(u.to_string())
}

fn check_password(p: &str) -> Result<(), DomainError> {
    if p.is_empty() || p.chars().count() > 4096 {
        return Err(DomainError::invalid(
            Code::RepositoryInvalidPassword,
            "The repository password must be 1–4096 characters.",
            "password",
        ));
    }
    Ok(())
}

fn check_env(env: &BTreeMap<String, String>) -> Result<(), DomainError> {
    if env.len() > 64 {
        return Err(DomainError::invalid(
            Code::RepositoryInvalidEnv,
            "At most 64 environment variables.",
            "env",
        ));
    }
    for (k, v) in env {
        let name_ok = !k.is_empty()
            && k.len() <= 128
            && k.chars().next().is_some_and(|c| c.is_ascii_uppercase() || c == '_')
            && k.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
        // RESTIC_PASSWORD* and RESTIC_REPOSITORY* would fight the fields above, and
        // RESTIC_FROM_* would point a copy at another source than the one it names.
        if !name_ok
            || k.starts_with("RESTIC_PASSWORD")
            || k.starts_with("RESTIC_REPOSITORY")
            || k.starts_with("RESTIC_FROM_")
        {
            return Err(DomainError::invalid(
                Code::RepositoryInvalidEnv,
                format!(
                    "{k:?} is not an allowed variable name (A–Z, 0–9, _; not RESTIC_PASSWORD*/RESTIC_REPOSITORY*/RESTIC_FROM_*)."
                ),
                "env",
            ));
        }
        if v.chars().count() > 4096 || v.contains('\0') {
            return Err(DomainError::invalid(
                Code::RepositoryInvalidEnv,
                format!("The value of {k} is too long or contains NUL."),
                "env",
            ));
        }
    }
    Ok(())
}

pub(super) fn password_context(id: Uuid) -> String {
    format!("repository:{id}:password")
}

fn env_context(id: Uuid) -> String {
    format!("repository:{id}:env")
}

/// A repository as an agent receives it, its secrets opened.
pub(super) fn repository_config(
    state: &Domain,
    r: &RepositoryRow,
) -> Result<RepositoryConfig, DomainError> {
    let password = state
        .keys
        .open(&password_context(r.id), &r.password_enc)
        .map_err(|e| DomainError::Internal(e.to_string()))?;
    Ok(RepositoryConfig {
        id: r.id,
        name: r.name.clone(),
        url: r.url.clone(),
        password: String::from_utf8(password).map_err(|e| DomainError::Internal(e.to_string()))?,
        env: open_env(state, r)?,
        guard: guard_of(r),
        failed_check: failed_check(r),
        new_password: super::key_rotation::new_password(state, r)?,
    })
}

/// A repository lent to one job on a host it is not linked to (a cross-host restore): its
/// credentials, without the delete guard's or key rotation's parts, which are the linked
/// hosts' business.
pub(super) fn lent_config(
    state: &Domain,
    r: &RepositoryRow,
) -> Result<RepositoryConfig, DomainError> {
    Ok(RepositoryConfig {
        new_password: None,
        failed_check: None,
        guard: ForgetGuard::default(),
        ..repository_config(state, r)?
    })
}

fn open_env(state: &Domain, r: &RepositoryRow) -> Result<BTreeMap<String, String>, DomainError> {
    let raw = state
        .keys
        .open(&env_context(r.id), &r.env_enc)
        .map_err(|e| DomainError::Internal(e.to_string()))?;
    serde_json::from_slice(&raw).map_err(|e| DomainError::Internal(e.to_string()))
}

pub fn env_keys(r: &RepositoryRow) -> Vec<String> {
    serde_json::from_str(&r.env_keys).unwrap_or_default()
}

fn seal_env(state: &Domain, id: Uuid, env: &BTreeMap<String, String>) -> (String, String) {
    let json = serde_json::to_vec(env).unwrap_or_default();
    let keys: Vec<&String> = env.keys().collect();
    (
        state.keys.seal(&env_context(id), &json),
        serde_json::to_string(&keys).unwrap_or_else(|_| "[]".into()),
    )
}

pub async fn list(
    state: &Domain,
    scope: &crate::auth::HostScope,
) -> Result<Vec<RepositoryRow>, DomainError> {
    Ok(repo_store::list(state.store.db(), scope).await?)
}

pub async fn get(state: &Domain, id: Uuid) -> Result<RepositoryRow, DomainError> {
    repo_store::find(state.store.db(), id)
        .await?
        .ok_or(DomainError::NotFound { what: "repository" })
}

pub async fn create(
    state: &Domain,
    actor: &Actor,
    new: NewRepository,
) -> Result<RepositoryRow, DomainError> {
    let name = check_name(&new.name)?;
    let url = check_url(&new.url)?;
    check_password(&new.password)?;
    check_env(&new.env)?;
    let guard = new.guard.unwrap_or_default();
    check_guard(&guard)?;
    let id = Uuid::now_v7();
    let (env_enc, env_key_list) = seal_env(state, id, &new.env);
    let now = Utc::now();
    let mut row = RepositoryRow {
        id,
        name,
        url,
        password_enc: state.keys.seal(&password_context(id), new.password.as_bytes()),
        env_enc,
        env_keys: env_key_list,
        guard_max_delete_count: None,
        guard_max_delete_percent: None,
        guard_min_keep: 0,
        last_check_job_id: None,
        last_check_at: None,
        last_check_passed: None,
        next_password_enc: None,
        rotation_state: None,
        rotation_old_key: None,
        rotation_waits: None,
        rotation_started_at: None,
        check_cron: None,
        check_timezone: None,
        check_subset: None,
        check_host_id: None,
        check_next_at: None,
        created_at: now,
        updated_at: now,
    };
    set_guard(&mut row, &guard);
    let txn = state.store.write().await?;
    if repo_store::find_by_name(&*txn, &row.name).await?.is_some() {
        return Err(DomainError::conflict(
            Code::RepositoryNameTaken,
            format!("A repository named {:?} exists.", row.name),
        ));
    }
    let row = repo_store::insert(&*txn, row).await?;
    audit::record(
        &*txn,
        actor,
        Event::success(
            "repository.create",
            Some(target(&row)),
            json!({ "url": crate::config::redact_url(&row.url), "env_keys": env_keys(&row) }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

pub async fn update(
    state: &Domain,
    actor: &Actor,
    id: Uuid,
    patch: RepositoryPatch,
) -> Result<RepositoryRow, DomainError> {
    let name = patch.name.as_deref().map(check_name).transpose()?;
    let url = patch.url.as_deref().map(check_url).transpose()?;
    if let Some(p) = &patch.password {
        check_password(p)?;
    }
    check_env(&patch.env_set)?;
    if let Some(g) = &patch.guard {
        check_guard(g)?;
    }
    let txn = state.store.write().await?;
    let mut row =
        repo_store::find(&*txn, id).await?.ok_or(DomainError::NotFound { what: "repository" })?;
    let before = row.clone();
    if let Some(n) = name {
        if n != row.name && repo_store::find_by_name(&*txn, &n).await?.is_some() {
            return Err(DomainError::conflict(
                Code::RepositoryNameTaken,
                format!("A repository named {n:?} exists."),
            ));
        }
        row.name = n;
    }
    // The masked URL the API shows, sent back unchanged, means "keep the stored one".
    if let Some(u) = url.filter(|u| *u != crate::config::redact_url(&row.url)) {
        row.url = u;
    }
    let password_changed = patch.password.is_some();
    if let Some(p) = patch.password {
        row.password_enc = state.keys.seal(&password_context(id), p.as_bytes());
    }
    let env_changed = !patch.env_set.is_empty() || !patch.env_remove.is_empty();
    if env_changed {
        let mut env = open_env(state, &row)?;
        for k in &patch.env_remove {
            env.remove(k);
        }
        env.extend(patch.env_set);
        check_env(&env)?;
        (row.env_enc, row.env_keys) = seal_env(state, id, &env);
    }
    let guard_changed = patch.guard.as_ref().is_some_and(|g| *g != guard_of(&before));
    if let Some(g) = &patch.guard {
        set_guard(&mut row, g);
    }
    let now = Utc::now();
    if let Some(check) = patch.check_schedule {
        let linked = hosts::hosts_of_repository(&*txn, id).await?;
        let checked = check.map(|c| super::check_schedule::check(c, &linked, now)).transpose()?;
        super::check_schedule::apply(&mut row, checked, now);
    }
    let check_changed =
        super::check_schedule::summary(&before) != super::check_schedule::summary(&row);
    row.updated_at = now;
    let row = repo_store::save(&*txn, row).await?;
    let hosts = hosts::bump_config_for_repository(&*txn, id).await?;
    audit::record(
        &*txn,
        actor,
        Event::success(
            "repository.update",
            Some(target(&row)),
            json!({
                "name": (before.name != row.name).then_some([&before.name, &row.name]),
                "url": (before.url != row.url).then(|| {
                    [crate::config::redact_url(&before.url), crate::config::redact_url(&row.url)]
                }),
                "password_changed": password_changed,
                "env_keys": env_changed.then(|| env_keys(&row)),
                "guard": guard_changed.then(|| [guard_of(&before), guard_of(&row)]),
                "check_schedule": check_changed.then(|| super::check_schedule::summary(&row)),
            }),
        ),
    )
    .await?;
    txn.commit().await?;
    state.hub.wake_many(&hosts);
    Ok(row)
}

pub async fn delete(state: &Domain, actor: &Actor, id: Uuid) -> Result<(), DomainError> {
    let txn = state.store.write().await?;
    let row =
        repo_store::find(&*txn, id).await?.ok_or(DomainError::NotFound { what: "repository" })?;
    let linked = hosts::bump_config_for_repository(&*txn, id).await?;
    if !linked.is_empty() {
        return Err(DomainError::conflict(
            Code::RepositoryInUse,
            format!("{} host(s) use this repository; unlink it from them first.", linked.len()),
        ));
    }
    repo_store::delete(&*txn, id).await?;
    audit::record(
        &*txn,
        actor,
        Event::success(
            "repository.delete",
            Some(target(&row)),
            json!({ "url": crate::config::redact_url(&row.url) }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// The check that holds forget and prune back: the newest verdict, when it found errors.
pub fn failed_check(r: &RepositoryRow) -> Option<cairn_proto::FailedCheck> {
    match (r.last_check_passed, r.last_check_job_id, r.last_check_at) {
        (Some(false), Some(job_id), Some(finished_at)) => {
            Some(cairn_proto::FailedCheck { job_id, finished_at })
        }
        _ => None,
    }
}

/// The linked host through which the server reaches a repository: `preferred` when it is
/// linked and online, else the first online linked host by name; `None` when none is online.
pub async fn online_host(
    state: &Domain,
    repository: Uuid,
    preferred: Option<Uuid>,
) -> Result<Option<HostRow>, DomainError> {
    let db = state.store.db();
    let linked = hosts::hosts_of_repository(db, repository).await?;
    let offline_after = std::time::Duration::from_secs(state.agents.offline_after_secs);
    let now = Utc::now();
    let mut rows = hosts::find_many(db, &linked).await?;
    rows.sort_by(|a, b| {
        (Some(a.id) != preferred, &a.hostname).cmp(&(Some(b.id) != preferred, &b.hostname))
    });
    Ok(rows.into_iter().find(|h| super::fleet::is_online(h, offline_after, now)))
}

/// A host and a repository linked to it, for asking the host's agent about it (`409
/// repository.not_linked` otherwise).
pub async fn linked_pair(
    state: &Domain,
    host_id: Uuid,
    repository_id: Uuid,
) -> Result<(HostRow, RepositoryRow), DomainError> {
    let db = state.store.db();
    let host = hosts::find(db, host_id).await?.ok_or(DomainError::NotFound { what: "host" })?;
    let repo = repo_store::find(db, repository_id)
        .await?
        .ok_or(DomainError::NotFound { what: "repository" })?;
    if !hosts::linked_repositories(db, host_id).await?.contains(&repository_id) {
        return Err(DomainError::conflict(
            Code::RepositoryNotLinked,
            format!(
                "Repository {} is not linked to {}; link it on the host's page first.",
                repo.name, host.hostname
            ),
        ));
    }
    Ok((host, repo))
}

/// An agent that answered a question with an answer of another kind (a bug on its side).
pub fn wrong_answer(a: &Answer) -> AskFailure {
    let kind = serde_json::to_value(a).ok().and_then(|v| v["kind"].as_str().map(str::to_owned));
    AskFailure {
        error_class: "agent.wrong_answer".into(),
        message: format!(
            "The agent answered with a {} answer; upgrade it to the server's version.",
            kind.unwrap_or_default()
        ),
    }
}

/// A repository opened from one host through its agent: what restic said, or why it
/// could not open it.
pub struct Probe {
    pub host_id: Uuid,
    pub repository_id: Uuid,
    pub outcome: Result<ProbeAnswer, AskFailure>,
    /// From the question's start to its answer, as the server measured it.
    pub round_trip_ms: u64,
    pub checked_at: chrono::DateTime<Utc>,
}

/// Opens a linked repository from `host_id` (`restic cat config` on that host): is it
/// there, does its password open it, how long does that take from there. Asked, not run
/// as a job: it reads only and leaves no history.
pub async fn probe(
    state: &Domain,
    actor: &Actor,
    host_id: Uuid,
    repository_id: Uuid,
) -> Result<Probe, DomainError> {
    let (host, _) = linked_pair(state, host_id, repository_id).await?;
    let started = std::time::Instant::now();
    let question = Question::RepositoryProbe(RepositoryProbe { repository_id });
    let answer = asks::ask(state, actor, &host, question, asks::deadline(state)).await?;
    let outcome = match answer {
        Answer::RepositoryProbe(p) => Ok(p),
        Answer::Failed(f) => Err(f),
        other => Err(wrong_answer(&other)),
    };
    Ok(Probe {
        host_id,
        repository_id,
        outcome,
        round_trip_ms: started.elapsed().as_millis() as u64,
        checked_at: Utc::now(),
    })
}
