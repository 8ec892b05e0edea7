//! The per-host command queue: commands wait here until the host's agent polls.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    Statement, sea_query::Expr,
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

/// Inserts many commands, 1,000 rows a statement (7 parameters each: SQLite allows 32766
/// per statement, PostgreSQL 65535), in one hand-built multi-row INSERT per chunk.
pub async fn enqueue_many<C: ConnectionTrait>(
    db: &C,
    rows: &[CommandRow],
) -> Result<(), StoreError> {
    let backend = db.get_database_backend();
    for chunk in rows.chunks(1000) {
        let sql = super::multi_row_sql(
            backend,
            "INSERT INTO agent_commands \
             (id, host_id, kind, payload, created_by, created_at, delivered_at) VALUES ",
            7,
            chunk.len(),
            "",
        );
        let mut values: Vec<sea_orm::Value> = Vec::with_capacity(chunk.len() * 7);
        for r in chunk {
            values.push(r.id.into());
            values.push(r.host_id.into());
            values.push(sea_orm::ActiveEnum::to_value(&r.kind).into());
            values.push(r.payload.clone().into());
            values.push(r.created_by.clone().into());
            values.push(r.created_at.into());
            values.push(r.delivered_at.into());
        }
        db.execute_raw(Statement::from_sql_and_values(backend, sql, values)).await?;
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
