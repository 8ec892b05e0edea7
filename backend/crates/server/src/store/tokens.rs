//! Queries on personal access tokens.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, JoinType, QueryFilter, QueryOrder,
    QuerySelect, sea_query::Expr,
};
use uuid::Uuid;

use super::{
    StoreError,
    entities::{api_token, user},
    users::UserRow,
};

pub use api_token::Model as TokenRow;

pub async fn insert<C: ConnectionTrait>(db: &C, row: TokenRow) -> Result<TokenRow, StoreError> {
    let active: api_token::ActiveModel = row.into();
    Ok(active.reset_all().insert(db).await?)
}

/// The user's tokens that are not revoked, newest first.
pub async fn list_for_user<C: ConnectionTrait>(
    db: &C,
    user_id: Uuid,
) -> Result<Vec<TokenRow>, StoreError> {
    Ok(api_token::Entity::find()
        .filter(api_token::Column::UserId.eq(user_id))
        .filter(api_token::Column::RevokedAt.is_null())
        .order_by_desc(api_token::Column::CreatedAt)
        .all(db)
        .await?)
}

/// The token whose hash is `hash`, with its user (absent when the user is gone since): one
/// query, as every request with a token starts with it.
pub async fn find_by_hash<C: ConnectionTrait>(
    db: &C,
    hash: &str,
) -> Result<Option<(TokenRow, Option<UserRow>)>, StoreError> {
    let owner = api_token::Entity::belongs_to(user::Entity)
        .from(api_token::Column::UserId)
        .to(user::Column::Id);
    Ok(api_token::Entity::find()
        .filter(api_token::Column::TokenHash.eq(hash))
        .select_also(user::Entity)
        .join(JoinType::LeftJoin, owner.into())
        .one(db)
        .await?)
}

pub async fn find_for_user<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    user_id: Uuid,
) -> Result<Option<TokenRow>, StoreError> {
    Ok(api_token::Entity::find_by_id(id)
        .filter(api_token::Column::UserId.eq(user_id))
        .filter(api_token::Column::RevokedAt.is_null())
        .one(db)
        .await?)
}

pub async fn revoke<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let res = api_token::Entity::update_many()
        .col_expr(api_token::Column::RevokedAt, Expr::value(now))
        .filter(api_token::Column::Id.eq(id))
        .filter(api_token::Column::RevokedAt.is_null())
        .exec(db);
    Ok(super::epoch::AUTH.changing(res).await?.rows_affected == 1)
}

pub async fn touch<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    api_token::Entity::update_many()
        .col_expr(api_token::Column::LastUsedAt, Expr::value(now))
        .filter(api_token::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}
