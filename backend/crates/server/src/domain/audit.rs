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

    pub fn failure(action: &'static str, target: Option<Target>, details: Value) -> Event {
        Event { action, target, outcome: Outcome::Failure, details }
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

/// How many events one page of a text search (a name that contains a string, an action
/// prefix) looks at, at most: such a filter has no index, and this bounds each request.
pub const TEXT_SEARCH_WINDOW: i64 = 20_000;

/// One page of audit events and where the next one starts.
pub struct AuditRows {
    pub items: Vec<store_audit::AuditRow>,
    /// Pass as `before` for the next (older) page; absent when no older event is left to
    /// look at. A text search that found fewer than `limit` events in its window still
    /// gives it, and the next page goes on searching from there.
    pub next_before: Option<i64>,
}

/// One page of events matching `filter`, newest first, older than event `before`. A text
/// search looks at [`TEXT_SEARCH_WINDOW`] events at most, so a page costs the same however
/// rare the match is; the page may then hold fewer than `limit` events (even none) and
/// still have a `next_before`.
pub async fn page(
    store: &Store,
    filter: &store_audit::AuditFilter,
    before: Option<i64>,
    limit: u64,
) -> Result<AuditRows, crate::domain::DomainError> {
    page_within(store, filter, before, limit, TEXT_SEARCH_WINDOW).await
}

/// [`page`] with a text search window of `window` events (tests use a small one).
pub async fn page_within(
    store: &Store,
    filter: &store_audit::AuditFilter,
    before: Option<i64>,
    limit: u64,
    window: i64,
) -> Result<AuditRows, crate::domain::DomainError> {
    let db = store.db();
    let window = if filter.searches_text() {
        let Some((lo, hi)) = store_audit::id_range(db).await? else {
            return Ok(AuditRows { items: Vec::new(), next_before: None });
        };
        let top = before.unwrap_or(hi + 1).min(hi + 1);
        Some((top.saturating_sub(window), lo))
    } else {
        None
    };
    let from = window.map(|(from, _)| from);
    let mut items = store_audit::list(db, filter, before, from, limit + 1).await?;
    let next_before = if items.len() as u64 > limit {
        items.truncate(limit as usize);
        items.last().map(|r| r.id)
    } else {
        // The window ran out before the page filled: go on below it, if anything is there.
        window.and_then(|(from, lo)| (from > lo).then_some(from))
    };
    Ok(AuditRows { items, next_before })
}

/// Recomputes the hash chain over every event.
pub async fn verify(store: &Store) -> Result<store_audit::ChainReport, crate::domain::DomainError> {
    Ok(store_audit::verify_chain(store.db()).await?)
}
