//! Alerts, their events, the rules' settings and host mutes: the SQL of the alerts domain.
//! The alerts page reads newest first by keyset (`opened_at DESC, id DESC`) through an
//! index per filter; the open alert of a rule and subject is found by its `open_key`.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::StoreError;
use super::entities::{alert, alert_event, alert_rule, host_mute};

pub use alert::Model as AlertRow;
pub use alert_event::Model as AlertEventRow;
pub use alert_rule::Model as AlertRuleRow;
pub use host_mute::Model as HostMuteRow;

/// The unresolved alert of a rule and subject, if there is one.
pub async fn find_open<C: ConnectionTrait>(
    db: &C,
    open_key: &str,
) -> Result<Option<AlertRow>, StoreError> {
    Ok(alert::Entity::find().filter(alert::Column::OpenKey.eq(open_key)).one(db).await?)
}

/// The unresolved alerts of any of `keys`.
pub async fn find_open_many<C: ConnectionTrait>(
    db: &C,
    keys: &[String],
) -> Result<Vec<AlertRow>, StoreError> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    Ok(alert::Entity::find()
        .filter(alert::Column::OpenKey.is_in(keys.iter().cloned()))
        .all(db)
        .await?)
}

/// The unresolved alerts of one rule (the sweep's rules read theirs in one query).
pub async fn open_of_rule<C: ConnectionTrait>(
    db: &C,
    rule: &str,
) -> Result<Vec<AlertRow>, StoreError> {
    Ok(alert::Entity::find()
        .filter(alert::Column::Rule.eq(rule))
        .filter(alert::Column::OpenKey.is_not_null())
        .all(db)
        .await?)
}

pub async fn find<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<Option<AlertRow>, StoreError> {
    Ok(alert::Entity::find_by_id(id).one(db).await?)
}

pub async fn insert<C: ConnectionTrait>(db: &C, row: AlertRow) -> Result<AlertRow, StoreError> {
    let active: alert::ActiveModel = row.into();
    Ok(active.reset_all().insert(db).await?)
}

pub async fn save<C: ConnectionTrait>(db: &C, row: AlertRow) -> Result<AlertRow, StoreError> {
    let active: alert::ActiveModel = row.into();
    Ok(active.reset_all().update(db).await?)
}

pub async fn insert_event<C: ConnectionTrait>(
    db: &C,
    row: AlertEventRow,
) -> Result<(), StoreError> {
    let active: alert_event::ActiveModel = row.into();
    active.reset_all().insert(db).await?;
    Ok(())
}

/// The events with these ids (a page of deliveries names each one's event).
pub async fn events_by_ids<C: ConnectionTrait>(
    db: &C,
    ids: &[Uuid],
) -> Result<Vec<AlertEventRow>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(alert_event::Entity::find()
        .filter(alert_event::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?)
}

/// An alert's events, oldest first (at most `limit`).
pub async fn events_of<C: ConnectionTrait>(
    db: &C,
    alert: Uuid,
    limit: u64,
) -> Result<Vec<AlertEventRow>, StoreError> {
    Ok(alert_event::Entity::find()
        .filter(alert_event::Column::AlertId.eq(alert))
        .order_by_asc(alert_event::Column::At)
        .order_by_asc(alert_event::Column::Id)
        .limit(limit)
        .all(db)
        .await?)
}

/// What the alerts page filters by.
#[derive(Clone, Debug, Default)]
pub struct AlertFilter {
    pub states: Vec<String>,
    pub severities: Vec<String>,
    pub rule: Option<String>,
    pub host_id: Option<Uuid>,
    pub since: Option<DateTime<Utc>>,
    /// Only alerts about the hosts a caller's scope reaches (for a scope of tags, alerts
    /// about no host are left out).
    pub scope: crate::auth::HostScope,
}

fn filtered(f: &AlertFilter) -> sea_orm::Select<alert::Entity> {
    let mut q = alert::Entity::find();
    if !f.states.is_empty() {
        q = q.filter(alert::Column::State.is_in(f.states.iter().cloned()));
    }
    if !f.severities.is_empty() {
        q = q.filter(alert::Column::Severity.is_in(f.severities.iter().cloned()));
    }
    if let Some(r) = &f.rule {
        q = q.filter(alert::Column::Rule.eq(r.as_str()));
    }
    if let Some(h) = f.host_id {
        q = q.filter(alert::Column::HostId.eq(h));
    }
    if let Some(t) = f.since {
        q = q.filter(alert::Column::OpenedAt.gte(t));
    }
    if let Some(c) = super::scope::host_column_in((alert::Entity, alert::Column::HostId), &f.scope)
    {
        q = q.filter(c);
    }
    q
}

/// One page of alerts, newest first, after the keyset `after` (`opened_at`, `id`).
pub async fn list<C: ConnectionTrait>(
    db: &C,
    f: &AlertFilter,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: u64,
) -> Result<Vec<AlertRow>, StoreError> {
    let mut q = filtered(f);
    if let Some((at, id)) = after {
        q = q.filter(Condition::any().add(alert::Column::OpenedAt.lt(at)).add(
            Condition::all().add(alert::Column::OpenedAt.eq(at)).add(alert::Column::Id.lt(id)),
        ));
    }
    Ok(q.order_by_desc(alert::Column::OpenedAt)
        .order_by_desc(alert::Column::Id)
        .limit(limit)
        .all(db)
        .await?)
}

/// How many alerts are in each unresolved state and severity: `(state, severity, n)`.
/// Unresolved alerts are few (one per rule and subject), so this stays cheap.
pub async fn unresolved_counts<C: ConnectionTrait>(
    db: &C,
    scope: &crate::auth::HostScope,
) -> Result<Vec<(String, String, i64)>, StoreError> {
    let mut q = alert::Entity::find();
    if let Some(c) = super::scope::host_column_in((alert::Entity, alert::Column::HostId), scope) {
        q = q.filter(c);
    }
    Ok(q.select_only()
        .column(alert::Column::State)
        .column(alert::Column::Severity)
        .column_as(alert::Column::Id.count(), "n")
        .filter(alert::Column::OpenKey.is_not_null())
        .group_by(alert::Column::State)
        .group_by(alert::Column::Severity)
        .into_tuple()
        .all(db)
        .await?)
}

/// Unresolved alerts of one host, newest first (the host page shows them all).
pub async fn unresolved_of_host<C: ConnectionTrait>(
    db: &C,
    host: Uuid,
) -> Result<Vec<AlertRow>, StoreError> {
    Ok(alert::Entity::find()
        .filter(alert::Column::HostId.eq(host))
        .filter(alert::Column::OpenKey.is_not_null())
        .order_by_desc(alert::Column::OpenedAt)
        .all(db)
        .await?)
}

pub async fn rules<C: ConnectionTrait>(db: &C) -> Result<Vec<AlertRuleRow>, StoreError> {
    Ok(alert_rule::Entity::find().all(db).await?)
}

/// Writes a rule's settings whole.
pub async fn save_rule<C: ConnectionTrait>(db: &C, row: AlertRuleRow) -> Result<(), StoreError> {
    alert_rule::Entity::delete_by_id(row.rule.clone()).exec(db).await?;
    let active: alert_rule::ActiveModel = row.into();
    active.reset_all().insert(db).await?;
    Ok(())
}

/// The hosts muted at `now`.
pub async fn muted<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
) -> Result<Vec<HostMuteRow>, StoreError> {
    Ok(host_mute::Entity::find().filter(host_mute::Column::Until.gt(now)).all(db).await?)
}

pub async fn mute_of<C: ConnectionTrait>(
    db: &C,
    host: Uuid,
) -> Result<Option<HostMuteRow>, StoreError> {
    Ok(host_mute::Entity::find_by_id(host).one(db).await?)
}

/// Mutes a host until a time (`None` unmutes it).
pub async fn set_mute<C: ConnectionTrait>(
    db: &C,
    host: Uuid,
    mute: Option<HostMuteRow>,
) -> Result<(), StoreError> {
    host_mute::Entity::delete_by_id(host).exec(db).await?;
    if let Some(m) = mute {
        let active: host_mute::ActiveModel = m.into();
        active.reset_all().insert(db).await?;
    }
    Ok(())
}

/// How many alerts there are in all (a test and the bench read it).
pub async fn count_all<C: ConnectionTrait>(db: &C) -> Result<u64, StoreError> {
    Ok(alert::Entity::find().count(db).await?)
}
