//! Notification channels and the deliveries outbox: the SQL of notifications. The worker
//! claims due deliveries by moving them to `sending` with a lease, so a crash mid-send
//! leaves them to be taken again once the lease has passed.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::StoreError;
use super::entities::{channel, delivery};

pub use channel::Model as ChannelRow;
pub use delivery::Model as DeliveryRow;

pub async fn all<C: ConnectionTrait>(db: &C) -> Result<Vec<ChannelRow>, StoreError> {
    Ok(channel::Entity::find().order_by_asc(channel::Column::Name).all(db).await?)
}

pub async fn enabled<C: ConnectionTrait>(db: &C) -> Result<Vec<ChannelRow>, StoreError> {
    Ok(channel::Entity::find().filter(channel::Column::Enabled.eq(true)).all(db).await?)
}

pub async fn find<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<Option<ChannelRow>, StoreError> {
    Ok(channel::Entity::find_by_id(id).one(db).await?)
}

pub async fn find_by_name<C: ConnectionTrait>(
    db: &C,
    name: &str,
) -> Result<Option<ChannelRow>, StoreError> {
    Ok(channel::Entity::find().filter(channel::Column::Name.eq(name)).one(db).await?)
}

pub async fn insert<C: ConnectionTrait>(db: &C, row: ChannelRow) -> Result<ChannelRow, StoreError> {
    let active: channel::ActiveModel = row.into();
    Ok(active.reset_all().insert(db).await?)
}

pub async fn save<C: ConnectionTrait>(db: &C, row: ChannelRow) -> Result<ChannelRow, StoreError> {
    let active: channel::ActiveModel = row.into();
    Ok(active.reset_all().update(db).await?)
}

pub async fn delete<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<bool, StoreError> {
    Ok(channel::Entity::delete_by_id(id).exec(db).await?.rows_affected > 0)
}

pub async fn insert_delivery<C: ConnectionTrait>(
    db: &C,
    row: DeliveryRow,
) -> Result<(), StoreError> {
    let active: delivery::ActiveModel = row.into();
    active.reset_all().insert(db).await?;
    Ok(())
}

pub async fn save_delivery<C: ConnectionTrait>(
    db: &C,
    row: DeliveryRow,
) -> Result<DeliveryRow, StoreError> {
    let active: delivery::ActiveModel = row.into();
    Ok(active.reset_all().update(db).await?)
}

/// Deliveries due at `now`: pending ones whose time has come, and sending ones whose
/// lease ran out (their worker died mid-send). Oldest first, at most `limit`.
pub async fn due<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<DeliveryRow>, StoreError> {
    Ok(delivery::Entity::find()
        .filter(
            Condition::any()
                .add(
                    Condition::all()
                        .add(delivery::Column::State.eq("pending"))
                        .add(delivery::Column::NextAttemptAt.lte(now)),
                )
                .add(
                    Condition::all()
                        .add(delivery::Column::State.eq("sending"))
                        .add(delivery::Column::LeaseUntil.lte(now)),
                ),
        )
        .order_by_asc(delivery::Column::NextAttemptAt)
        .limit(limit)
        .all(db)
        .await?)
}

/// The soonest time a pending delivery is due, if any (the worker sleeps until then).
pub async fn next_due<C: ConnectionTrait>(db: &C) -> Result<Option<DateTime<Utc>>, StoreError> {
    Ok(delivery::Entity::find()
        .filter(delivery::Column::State.eq("pending"))
        .order_by_asc(delivery::Column::NextAttemptAt)
        .one(db)
        .await?
        .and_then(|d| d.next_attempt_at))
}

/// Takes a due delivery for sending: `sending`, leased until `lease_until`, one more
/// attempt. A conditional update, so of two workers (replicas) racing only one wins.
pub async fn claim<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
) -> Result<bool, StoreError> {
    use sea_orm::sea_query::{Expr, ExprTrait};
    let r = delivery::Entity::update_many()
        .col_expr(delivery::Column::State, Expr::value("sending"))
        .col_expr(delivery::Column::LeaseUntil, Expr::value(lease_until))
        .col_expr(delivery::Column::Attempts, Expr::col(delivery::Column::Attempts).add(1))
        .filter(delivery::Column::Id.eq(id))
        .filter(
            Condition::any()
                .add(
                    Condition::all()
                        .add(delivery::Column::State.eq("pending"))
                        .add(delivery::Column::NextAttemptAt.lte(now)),
                )
                .add(
                    Condition::all()
                        .add(delivery::Column::State.eq("sending"))
                        .add(delivery::Column::LeaseUntil.lte(now)),
                ),
        )
        .exec(db)
        .await?;
    Ok(r.rows_affected == 1)
}

pub async fn find_delivery<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
) -> Result<Option<DeliveryRow>, StoreError> {
    Ok(delivery::Entity::find_by_id(id).one(db).await?)
}

/// An alert's deliveries, oldest first.
pub async fn deliveries_of_alert<C: ConnectionTrait>(
    db: &C,
    alert: Uuid,
) -> Result<Vec<DeliveryRow>, StoreError> {
    Ok(delivery::Entity::find()
        .filter(delivery::Column::AlertId.eq(alert))
        .order_by_asc(delivery::Column::CreatedAt)
        .limit(500)
        .all(db)
        .await?)
}

/// A channel's deliveries, newest first, after the keyset `after` (`created_at`, `id`).
pub async fn deliveries_of_channel<C: ConnectionTrait>(
    db: &C,
    channel: Uuid,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: u64,
) -> Result<Vec<DeliveryRow>, StoreError> {
    let mut q = delivery::Entity::find().filter(delivery::Column::ChannelId.eq(channel));
    if let Some((at, id)) = after {
        q = q.filter(
            Condition::any().add(delivery::Column::CreatedAt.lt(at)).add(
                Condition::all()
                    .add(delivery::Column::CreatedAt.eq(at))
                    .add(delivery::Column::Id.lt(id)),
            ),
        );
    }
    Ok(q.order_by_desc(delivery::Column::CreatedAt)
        .order_by_desc(delivery::Column::Id)
        .limit(limit)
        .all(db)
        .await?)
}

/// How many deliveries an event has (a test and the bench check "exactly one").
pub async fn deliveries_of_event<C: ConnectionTrait>(
    db: &C,
    event: Uuid,
) -> Result<Vec<DeliveryRow>, StoreError> {
    Ok(delivery::Entity::find().filter(delivery::Column::AlertEventId.eq(event)).all(db).await?)
}
