//! What an audit event says (actor, action, target, outcome, details) and how it is
//! written: inside the caller's transaction for changes, on its own for denials.
//! Details are built by callers from plain fields; secrets are never passed in.

use chrono::Utc;
use sea_orm::ConnectionTrait;
use serde_json::Value;

use crate::store::{
    Store, StoreError,
    audit::{self as store_audit, NewAuditRow},
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActorKind {
    User,
    Token,
    System,
    Anonymous,
    Cli,
    /// A host's agent, identified by its key.
    Agent,
}

impl ActorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ActorKind::User => "user",
            ActorKind::Token => "token",
            ActorKind::System => "system",
            ActorKind::Anonymous => "anonymous",
            ActorKind::Cli => "cli",
            ActorKind::Agent => "agent",
        }
    }
}

/// Who did it and from where.
#[derive(Clone, Debug)]
pub struct Actor {
    pub kind: ActorKind,
    pub id: Option<String>,
    pub name: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl Actor {
    pub fn cli() -> Actor {
        let who = std::env::var("SUDO_USER").or_else(|_| std::env::var("USER")).ok();
        Actor { kind: ActorKind::Cli, id: None, name: who, ip: None, user_agent: None }
    }

    pub fn system() -> Actor {
        Actor { kind: ActorKind::System, id: None, name: None, ip: None, user_agent: None }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Success,
    Denied,
    Failure,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Denied => "denied",
            Outcome::Failure => "failure",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Target {
    pub kind: &'static str,
    pub id: String,
    pub name: Option<String>,
}

impl Target {
    pub fn user(id: uuid::Uuid, username: &str) -> Target {
        Target { kind: "user", id: id.to_string(), name: Some(username.to_string()) }
    }
}

#[derive(Clone, Debug)]
pub struct Event {
    pub action: &'static str,
    pub target: Option<Target>,
    pub outcome: Outcome,
    pub details: Value,
}

impl Event {
    pub fn success(action: &'static str, target: Option<Target>, details: Value) -> Event {
        Event { action, target, outcome: Outcome::Success, details }
    }
}

fn row(actor: &Actor, ev: Event) -> NewAuditRow {
    let (target_kind, target_id, target_name) = match ev.target {
        Some(t) => (Some(t.kind.to_string()), Some(t.id), t.name),
        None => (None, None, None),
    };
    NewAuditRow {
        time: Utc::now(),
        actor_kind: actor.kind.as_str().to_string(),
        actor_id: actor.id.clone(),
        actor_name: actor.name.clone(),
        source_ip: actor.ip.clone(),
        user_agent: actor.user_agent.as_ref().map(|ua| ua.chars().take(512).collect()),
        action: ev.action.to_string(),
        target_kind,
        target_id,
        target_name,
        outcome: ev.outcome.as_str().to_string(),
        details: if ev.details.is_null() { "{}".into() } else { ev.details.to_string() },
    }
}

/// Records an event in the caller's transaction.
pub async fn record<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    ev: Event,
) -> Result<(), StoreError> {
    store_audit::append(db, row(actor, ev)).await?;
    Ok(())
}

/// Records an event in a transaction of its own (denials and failures, where nothing
/// else is written). A failure to write is logged: the request's answer stays the same.
pub async fn record_alone(store: &Store, actor: &Actor, ev: Event) {
    let action = ev.action;
    let result = async {
        let txn = store.write().await?;
        record(&*txn, actor, ev).await?;
        txn.commit().await
    }
    .await;
    if let Err(e) = result {
        tracing::error!(error = %e, action, "could not write audit event");
    }
}

/// One page of events matching `filter`, newest first, older than event `before`.
pub async fn page(
    store: &Store,
    filter: &store_audit::AuditFilter,
    before: Option<i64>,
    limit: u64,
) -> Result<Vec<store_audit::AuditRow>, crate::domain::DomainError> {
    Ok(store_audit::list(store.db(), filter, before, limit).await?)
}

/// Recomputes the hash chain over every event.
pub async fn verify(store: &Store) -> Result<store_audit::ChainReport, crate::domain::DomainError> {
    Ok(store_audit::verify_chain(store.db()).await?)
}
