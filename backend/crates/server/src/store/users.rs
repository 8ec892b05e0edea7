//! Queries on users.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
    sea_query::{Expr, ExprTrait, Func, LikeExpr},
};
use uuid::Uuid;

use super::{StoreError, entities::user, like_contains};

pub use user::Model as UserRow;

#[derive(Debug, Default, Clone)]
pub struct UserFilter {
    /// Matches username, display name or email, case-insensitively.
    pub q: Option<String>,
    pub role: Option<user::Role>,
    pub disabled: Option<bool>,
}

pub async fn count<C: ConnectionTrait>(db: &C) -> Result<u64, StoreError> {
    Ok(user::Entity::find().count(db).await?)
}

pub async fn count_active_admins<C: ConnectionTrait>(db: &C) -> Result<u64, StoreError> {
    Ok(user::Entity::find()
        .filter(user::Column::Role.eq(user::Role::Admin))
        .filter(user::Column::Disabled.eq(false))
        .count(db)
        .await?)
}

pub async fn find<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<Option<UserRow>, StoreError> {
    Ok(user::Entity::find_by_id(id).one(db).await?)
}

pub async fn find_by_username<C: ConnectionTrait>(
    db: &C,
    username: &str,
) -> Result<Option<UserRow>, StoreError> {
    Ok(user::Entity::find().filter(user::Column::Username.eq(username)).one(db).await?)
}

pub async fn insert<C: ConnectionTrait>(db: &C, row: UserRow) -> Result<UserRow, StoreError> {
    let active: user::ActiveModel = row.into();
    Ok(active.reset_all().insert(db).await?)
}

/// Writes every column of `row` back (the caller read it in the same transaction).
pub async fn save<C: ConnectionTrait>(db: &C, row: UserRow) -> Result<UserRow, StoreError> {
    let active: user::ActiveModel = row.into();
    Ok(super::epoch::AUTH.changing(active.reset_all().update(db)).await?)
}

pub async fn delete<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<bool, StoreError> {
    let deleted = super::epoch::AUTH.changing(user::Entity::delete_by_id(id).exec(db)).await?;
    Ok(deleted.rows_affected > 0)
}

fn filtered(filter: &UserFilter) -> sea_orm::Select<user::Entity> {
    let mut query = user::Entity::find();
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let pattern = like_contains(&q.to_lowercase());
        let like = |col: user::Column| {
            Expr::expr(Func::lower(Expr::col(col))).like(LikeExpr::new(&pattern).escape('\\'))
        };
        query = query.filter(
            like(user::Column::Username)
                .or(like(user::Column::DisplayName))
                .or(like(user::Column::Email)),
        );
    }
    if let Some(role) = filter.role {
        query = query.filter(user::Column::Role.eq(role));
    }
    if let Some(disabled) = filter.disabled {
        query = query.filter(user::Column::Disabled.eq(disabled));
    }
    query
}

/// One page of users by username, after `after` (usernames are unique).
pub fn list_query(
    filter: &UserFilter,
    after: Option<&str>,
    limit: u64,
) -> sea_orm::Select<user::Entity> {
    let mut q = filtered(filter);
    if let Some(name) = after {
        q = q.filter(user::Column::Username.gt(name));
    }
    q.order_by_asc(user::Column::Username).limit(limit)
}

pub async fn list<C: ConnectionTrait>(
    db: &C,
    filter: &UserFilter,
    after: Option<&str>,
    limit: u64,
) -> Result<Vec<UserRow>, StoreError> {
    Ok(list_query(filter, after, limit).all(db).await?)
}

/// The query counting matching users, at most `cap + 1` of them.
pub fn count_query(
    backend: sea_orm::DbBackend,
    filter: &UserFilter,
    cap: u64,
) -> sea_orm::Statement {
    super::count_statement(
        backend,
        filtered(filter).select_only().column(user::Column::Id).limit(cap + 1),
    )
}

pub async fn count_matching<C: ConnectionTrait>(
    db: &C,
    filter: &UserFilter,
    cap: u64,
) -> Result<u64, StoreError> {
    super::count_capped(db, count_query(db.get_database_backend(), filter, cap)).await
}
