//! The per-host command queue: commands wait here until the host's agent polls.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    sea_query::Expr,
};
use uuid::Uuid;

use super::{StoreError, entities::agent_command};

pub use agent_command::Model as CommandRow;

pub async fn enqueue<C: ConnectionTrait>(
    db: &C,
    row: CommandRow,
) -> Result<CommandRow, StoreError> {
    let active: agent_command::ActiveModel = row.into();
    Ok(active.reset_all().insert(db).await?)
}

/// Inserts many commands in chunks (SQLite limits bound parameters per statement).
pub async fn enqueue_many<C: ConnectionTrait>(
    db: &C,
    rows: Vec<CommandRow>,
) -> Result<(), StoreError> {
    for chunk in rows.chunks(500) {
        let models: Vec<agent_command::ActiveModel> = chunk
            .iter()
            .cloned()
            .map(|r| agent_command::ActiveModel::from(r).reset_all())
            .collect();
        agent_command::Entity::insert_many(models).exec(db).await?;
    }
    Ok(())
}

pub async fn undelivered<C: ConnectionTrait>(
    db: &C,
    host: Uuid,
) -> Result<Vec<CommandRow>, StoreError> {
    Ok(agent_command::Entity::find()
        .filter(agent_command::Column::HostId.eq(host))
        .filter(agent_command::Column::DeliveredAt.is_null())
        .order_by_asc(agent_command::Column::CreatedAt)
        .all(db)
        .await?)
}

pub async fn mark_delivered<C: ConnectionTrait>(
    db: &C,
    ids: &[Uuid],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    agent_command::Entity::update_many()
        .col_expr(agent_command::Column::DeliveredAt, Expr::value(now))
        .filter(agent_command::Column::Id.is_in(ids.iter().copied()))
        .filter(agent_command::Column::DeliveredAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

pub async fn find<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<Option<CommandRow>, StoreError> {
    Ok(agent_command::Entity::find_by_id(id).one(db).await?)
}

/// Removes a command no agent has received yet. False when it was already delivered.
pub async fn retract_undelivered<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<bool, StoreError> {
    let res = agent_command::Entity::delete_many()
        .filter(agent_command::Column::Id.eq(id))
        .filter(agent_command::Column::DeliveredAt.is_null())
        .exec(db)
        .await?;
    Ok(res.rows_affected > 0)
}

/// Makes a delivered command undelivered again, so the next poll hands it out anew.
pub async fn redeliver<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<bool, StoreError> {
    let res = agent_command::Entity::update_many()
        .col_expr(agent_command::Column::DeliveredAt, Expr::value(Option::<DateTime<Utc>>::None))
        .filter(agent_command::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(res.rows_affected > 0)
}
