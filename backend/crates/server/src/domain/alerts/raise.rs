//! Raising and clearing alerts inside the caller's transaction, so an alert exists exactly
//! when the change that caused it does: one unresolved alert per rule and subject (its
//! `open_key`); a repeat counts and may escalate; a clear resolves it as Cairn's doing.

use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use uuid::Uuid;

use super::rules::{Rule, RuleSettings, Severity};
use super::state::{AlertState, EventKind};
use crate::store::{
    StoreError,
    alerts::{self as store, AlertEventRow, AlertRow},
};

/// What an alert is about: a host, a schedule, a repository, or a host's use of one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subject {
    pub kind: &'static str,
    pub id: String,
    pub host_id: Option<Uuid>,
    pub repository_id: Option<Uuid>,
}

impl Subject {
    pub fn host(host: Uuid) -> Subject {
        Subject { kind: "host", id: host.to_string(), host_id: Some(host), repository_id: None }
    }

    pub fn schedule(id: Uuid, host: Uuid, repository: Option<Uuid>) -> Subject {
        Subject {
            kind: "schedule",
            id: id.to_string(),
            host_id: Some(host),
            repository_id: repository,
        }
    }

    /// A host's use of a repository (a backup started by hand, a lost job).
    pub fn host_repository(host: Uuid, repository: Uuid) -> Subject {
        Subject {
            kind: "host_repo",
            id: format!("{host}/{repository}"),
            host_id: Some(host),
            repository_id: Some(repository),
        }
    }

    /// A repository, or one kind of work on it (`part`: `prune`, `forget`).
    pub fn repository(id: Uuid, part: Option<&str>, host: Option<Uuid>) -> Subject {
        Subject {
            kind: "repository",
            id: part.map_or_else(|| id.to_string(), |p| format!("{id}/{p}")),
            host_id: host,
            repository_id: Some(id),
        }
    }

    /// One job (a stuck one).
    pub fn job(id: Uuid, host: Uuid, repository: Option<Uuid>) -> Subject {
        Subject { kind: "job", id: id.to_string(), host_id: Some(host), repository_id: repository }
    }

    pub(super) fn open_key(&self, rule: Rule) -> String {
        format!("{}:{}:{}", rule.as_str(), self.kind, self.id)
    }
}

/// A rule's finding about a subject.
#[derive(Clone, Debug)]
pub struct Signal {
    pub rule: Rule,
    pub subject: Subject,
    pub job_id: Option<Uuid>,
    pub title: String,
    pub message: String,
    pub details: Value,
}

fn event(
    alert: &AlertRow,
    kind: EventKind,
    at: DateTime<Utc>,
    actor: Option<String>,
    details: Value,
) -> AlertEventRow {
    AlertEventRow {
        id: Uuid::now_v7(),
        alert_id: alert.id,
        kind: kind.as_str().into(),
        at,
        actor,
        severity: alert.severity.clone(),
        details: details.to_string(),
    }
}

/// Opens the alert of the signal's rule and subject, or counts a repeat of the open one
/// (escalating a failed backup to critical at its threshold). `None` when the rule is
/// off. The caller checks the host tag scope.
pub async fn raise<C: ConnectionTrait>(
    db: &C,
    settings: &RuleSettings,
    s: Signal,
    now: DateTime<Utc>,
) -> Result<Option<AlertRow>, StoreError> {
    if !settings.enabled {
        return Ok(None);
    }
    let key = s.subject.open_key(s.rule);
    if let Some(mut a) = store::find_open(db, &key).await? {
        a.count += 1;
        a.last_seen_at = now;
        a.job_id = s.job_id.or(a.job_id);
        a.message = s.message;
        a.details = s.details.to_string();
        let escalate = s.rule == Rule::BackupFailed
            && a.count >= settings.param("escalate_after")
            && Severity::parse(&a.severity).is_some_and(|v| v < Severity::Critical);
        let kind = if escalate {
            a.severity = Severity::Critical.as_str().into();
            // A worse problem asks for attention again.
            a.state = AlertState::Open.as_str().into();
            a.acknowledged_at = None;
            a.acknowledged_by = None;
            EventKind::Escalated
        } else {
            EventKind::Repeated
        };
        let a = store::save(db, a).await?;
        let e = event(&a, kind, now, None, json!({ "count": a.count, "job_id": s.job_id }));
        store::insert_event(db, e.clone()).await?;
        // A repeat is counted, not sent: one notification per problem and per escalation.
        if kind == EventKind::Escalated {
            crate::domain::channels::enqueue(db, &a, &e, now).await?;
        }
        return Ok(Some(a));
    }
    let a = AlertRow {
        id: Uuid::now_v7(),
        rule: s.rule.as_str().into(),
        subject_kind: s.subject.kind.into(),
        subject_id: s.subject.id.clone(),
        host_id: s.subject.host_id,
        repository_id: s.subject.repository_id,
        job_id: s.job_id,
        severity: settings.severity.as_str().into(),
        state: AlertState::Open.as_str().into(),
        title: s.title,
        message: s.message,
        details: s.details.to_string(),
        count: 1,
        opened_at: now,
        last_seen_at: now,
        acknowledged_at: None,
        acknowledged_by: None,
        snoozed_until: None,
        resolved_at: None,
        resolved_by: None,
        open_key: Some(key),
    };
    let a = store::insert(db, a).await?;
    let e = event(&a, EventKind::Opened, now, None, json!({ "job_id": s.job_id }));
    store::insert_event(db, e.clone()).await?;
    crate::domain::channels::enqueue(db, &a, &e, now).await?;
    Ok(Some(a))
}

/// Resolves the unresolved alert of `rule` and `subject`, if any, as Cairn's doing: the
/// condition cleared (`why`, e.g. "the next backup succeeded").
pub async fn clear<C: ConnectionTrait>(
    db: &C,
    rule: Rule,
    subject: &Subject,
    why: &str,
    job_id: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<Option<AlertRow>, StoreError> {
    let Some(a) = store::find_open(db, &subject.open_key(rule)).await? else { return Ok(None) };
    resolve(db, a, None, why, job_id, now).await.map(Some)
}

/// Resolves `a`: by `actor` (a person), or by Cairn when `None`.
pub async fn resolve<C: ConnectionTrait>(
    db: &C,
    mut a: AlertRow,
    actor: Option<String>,
    why: &str,
    job_id: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<AlertRow, StoreError> {
    a.state = AlertState::Resolved.as_str().into();
    a.resolved_at = Some(now);
    a.resolved_by = actor.clone();
    a.open_key = None;
    let a = store::save(db, a).await?;
    let details = json!({ "auto": actor.is_none(), "why": why, "job_id": job_id });
    let e = event(&a, EventKind::Resolved, now, actor, details);
    store::insert_event(db, e.clone()).await?;
    crate::domain::channels::enqueue(db, &a, &e, now).await?;
    Ok(a)
}

/// Records a person's change of an alert (acknowledge, snooze) as an event.
pub async fn record<C: ConnectionTrait>(
    db: &C,
    a: &AlertRow,
    kind: EventKind,
    actor: &str,
    details: Value,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    store::insert_event(db, event(a, kind, now, Some(actor.to_string()), details)).await
}
