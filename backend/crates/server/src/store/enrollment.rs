//! Queries on enrollment tokens and announced (pending) agents.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, sea_query::Expr,
};
use uuid::Uuid;

use super::{
    StoreError,
    entities::{enrollment_token, pending_host},
};

pub use enrollment_token::Model as EnrollmentTokenRow;
pub use pending_host::Model as PendingHostRow;

pub async fn insert_token<C: ConnectionTrait>(
    db: &C,
    row: EnrollmentTokenRow,
) -> Result<EnrollmentTokenRow, StoreError> {
    let active: enrollment_token::ActiveModel = row.into();
    Ok(active.reset_all().insert(db).await?)
}

pub async fn find_token_by_hash<C: ConnectionTrait>(
    db: &C,
    hash: &str,
) -> Result<Option<EnrollmentTokenRow>, StoreError> {
    Ok(enrollment_token::Entity::find()
        .filter(enrollment_token::Column::TokenHash.eq(hash))
        .one(db)
        .await?)
}

pub async fn find_token<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
) -> Result<Option<EnrollmentTokenRow>, StoreError> {
    Ok(enrollment_token::Entity::find_by_id(id).one(db).await?)
}

/// Marks a token used; false when someone else used it first (the row changed under us).
pub async fn use_token<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    host: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let res = enrollment_token::Entity::update_many()
        .col_expr(enrollment_token::Column::UsedAt, Expr::value(now))
        .col_expr(enrollment_token::Column::HostId, Expr::value(host))
        .filter(enrollment_token::Column::Id.eq(id))
        .filter(enrollment_token::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Tokens not used and not expired, newest first.
pub async fn list_open_tokens<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
) -> Result<Vec<EnrollmentTokenRow>, StoreError> {
    Ok(enrollment_token::Entity::find()
        .filter(enrollment_token::Column::UsedAt.is_null())
        .filter(enrollment_token::Column::ExpiresAt.gt(now))
        .order_by_desc(enrollment_token::Column::CreatedAt)
        .all(db)
        .await?)
}

pub async fn delete_token<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<bool, StoreError> {
    Ok(enrollment_token::Entity::delete_by_id(id).exec(db).await?.rows_affected > 0)
}

pub async fn insert_pending<C: ConnectionTrait>(
    db: &C,
    row: PendingHostRow,
) -> Result<PendingHostRow, StoreError> {
    let active: pending_host::ActiveModel = row.into();
    Ok(active.reset_all().insert(db).await?)
}

pub async fn save_pending<C: ConnectionTrait>(
    db: &C,
    row: PendingHostRow,
) -> Result<PendingHostRow, StoreError> {
    let active: pending_host::ActiveModel = row.into();
    Ok(active.reset_all().update(db).await?)
}

pub async fn find_pending<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
) -> Result<Option<PendingHostRow>, StoreError> {
    Ok(pending_host::Entity::find_by_id(id).one(db).await?)
}

pub async fn find_pending_by_key<C: ConnectionTrait>(
    db: &C,
    key: &str,
) -> Result<Option<PendingHostRow>, StoreError> {
    Ok(pending_host::Entity::find().filter(pending_host::Column::PublicKey.eq(key)).one(db).await?)
}

/// Announced agents still waiting for a decision and not expired, oldest first.
pub async fn list_waiting<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
) -> Result<Vec<PendingHostRow>, StoreError> {
    Ok(pending_host::Entity::find()
        .filter(pending_host::Column::State.eq("pending"))
        .filter(pending_host::Column::ExpiresAt.gt(now))
        .order_by_asc(pending_host::Column::CreatedAt)
        .all(db)
        .await?)
}

pub async fn delete_pending<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<bool, StoreError> {
    Ok(pending_host::Entity::delete_by_id(id).exec(db).await?.rows_affected > 0)
}

pub async fn count_waiting<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
) -> Result<u64, StoreError> {
    Ok(pending_host::Entity::find()
        .filter(pending_host::Column::State.eq("pending"))
        .filter(pending_host::Column::ExpiresAt.gt(now))
        .count(db)
        .await?)
}

/// Drops decided or expired announcements older than `before` (housekeeping).
pub async fn purge_pending<C: ConnectionTrait>(
    db: &C,
    before: DateTime<Utc>,
) -> Result<u64, StoreError> {
    Ok(pending_host::Entity::delete_many()
        .filter(pending_host::Column::ExpiresAt.lt(before))
        .exec(db)
        .await?
        .rows_affected)
}
