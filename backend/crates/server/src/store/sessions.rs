//! Queries on browser sessions.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, JoinType, QueryFilter,
    QuerySelect, sea_query::Expr,
};
use uuid::Uuid;

use super::{
    StoreError,
    entities::{session, user},
    users::UserRow,
};

pub use session::Model as SessionRow;

pub async fn insert<C: ConnectionTrait>(db: &C, row: SessionRow) -> Result<(), StoreError> {
    let active: session::ActiveModel = row.into();
    active.reset_all().insert(db).await?;
    Ok(())
}

pub async fn find<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<Option<SessionRow>, StoreError> {
    Ok(session::Entity::find_by_id(id).one(db).await?)
}

/// The session `id` with its user (absent when the user is gone since): one query, as every
/// request from the browser starts with it.
pub async fn find_with_user<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
) -> Result<Option<(SessionRow, Option<UserRow>)>, StoreError> {
    let owner = session::Entity::belongs_to(user::Entity)
        .from(session::Column::UserId)
        .to(user::Column::Id);
    Ok(session::Entity::find_by_id(id)
        .select_also(user::Entity)
        .join(JoinType::LeftJoin, owner.into())
        .one(db)
        .await?)
}

pub async fn find_by_refresh_hash<C: ConnectionTrait>(
    db: &C,
    hash: &str,
) -> Result<Option<SessionRow>, StoreError> {
    Ok(session::Entity::find().filter(session::Column::RefreshHash.eq(hash)).one(db).await?)
}

pub async fn find_by_prev_refresh_hash<C: ConnectionTrait>(
    db: &C,
    hash: &str,
) -> Result<Option<SessionRow>, StoreError> {
    Ok(session::Entity::find().filter(session::Column::PrevRefreshHash.eq(hash)).one(db).await?)
}

pub async fn rotate<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    old_hash: &str,
    new_hash: &str,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    // Conditional on the old hash so two concurrent refreshes cannot both win.
    let res = session::Entity::update_many()
        .col_expr(session::Column::RefreshHash, Expr::value(new_hash))
        .col_expr(session::Column::PrevRefreshHash, Expr::value(old_hash))
        .col_expr(session::Column::LastUsedAt, Expr::value(now))
        .col_expr(session::Column::ExpiresAt, Expr::value(expires_at))
        .filter(session::Column::Id.eq(id))
        .filter(session::Column::RefreshHash.eq(old_hash))
        .filter(session::Column::RevokedAt.is_null())
        .exec(db);
    Ok(super::epoch::AUTH.changing(res).await?.rows_affected == 1)
}

pub async fn revoke<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let res = session::Entity::update_many()
        .col_expr(session::Column::RevokedAt, Expr::value(now))
        .filter(session::Column::Id.eq(id))
        .filter(session::Column::RevokedAt.is_null())
        .exec(db);
    Ok(super::epoch::AUTH.changing(res).await?.rows_affected == 1)
}

/// Revokes every live session of a user, except `keep` (the caller's own, when set).
pub async fn revoke_all_for_user<C: ConnectionTrait>(
    db: &C,
    user_id: Uuid,
    keep: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<u64, StoreError> {
    let mut q = session::Entity::update_many()
        .col_expr(session::Column::RevokedAt, Expr::value(now))
        .filter(session::Column::UserId.eq(user_id))
        .filter(session::Column::RevokedAt.is_null());
    if let Some(keep) = keep {
        q = q.filter(session::Column::Id.ne(keep));
    }
    Ok(super::epoch::AUTH.changing(q.exec(db)).await?.rows_affected)
}
