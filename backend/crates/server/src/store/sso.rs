//! Single sign-on's SQL: the providers, the sign-ins under way (taken once by their hashed
//! `state`), and users found by their identity at a provider or by email.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use uuid::Uuid;

use super::StoreError;
use super::entities::{oidc_login, oidc_provider, user};

pub use oidc_login::Model as SsoLoginRow;
pub use oidc_provider::Model as SsoProviderRow;

pub async fn providers<C: ConnectionTrait>(db: &C) -> Result<Vec<SsoProviderRow>, StoreError> {
    Ok(oidc_provider::Entity::find().order_by_asc(oidc_provider::Column::Label).all(db).await?)
}

pub async fn find<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
) -> Result<Option<SsoProviderRow>, StoreError> {
    Ok(oidc_provider::Entity::find_by_id(id).one(db).await?)
}

pub async fn find_by_slug<C: ConnectionTrait>(
    db: &C,
    slug: &str,
) -> Result<Option<SsoProviderRow>, StoreError> {
    Ok(oidc_provider::Entity::find().filter(oidc_provider::Column::Slug.eq(slug)).one(db).await?)
}

pub async fn insert<C: ConnectionTrait>(
    db: &C,
    row: SsoProviderRow,
) -> Result<SsoProviderRow, StoreError> {
    let active: oidc_provider::ActiveModel = row.into();
    Ok(active.reset_all().insert(db).await?)
}

pub async fn save<C: ConnectionTrait>(
    db: &C,
    row: SsoProviderRow,
) -> Result<SsoProviderRow, StoreError> {
    let active: oidc_provider::ActiveModel = row.into();
    Ok(active.reset_all().update(db).await?)
}

pub async fn delete<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<bool, StoreError> {
    Ok(oidc_provider::Entity::delete_by_id(id).exec(db).await?.rows_affected > 0)
}

/// Records a sign-in under way, first removing those started before `stale`.
pub async fn begin_login<C: ConnectionTrait>(
    db: &C,
    row: SsoLoginRow,
    stale: DateTime<Utc>,
) -> Result<(), StoreError> {
    oidc_login::Entity::delete_many()
        .filter(oidc_login::Column::CreatedAt.lt(stale))
        .exec(db)
        .await?;
    let active: oidc_login::ActiveModel = row.into();
    active.reset_all().insert(db).await?;
    Ok(())
}

/// Takes the sign-in whose state hashes to `state_hash`: found and removed in one go, so a
/// second use (a replayed callback) finds nothing.
pub async fn take_login<C: ConnectionTrait>(
    db: &C,
    state_hash: &str,
) -> Result<Option<SsoLoginRow>, StoreError> {
    let Some(row) = oidc_login::Entity::find_by_id(state_hash.to_string()).one(db).await? else {
        return Ok(None);
    };
    let gone = oidc_login::Entity::delete_by_id(state_hash.to_string()).exec(db).await?;
    // Two callbacks racing: only the one whose delete removed the row goes on.
    Ok((gone.rows_affected == 1).then_some(row))
}

pub async fn user_by_identity<C: ConnectionTrait>(
    db: &C,
    provider: Uuid,
    subject: &str,
) -> Result<Option<user::Model>, StoreError> {
    Ok(user::Entity::find()
        .filter(user::Column::OidcProviderId.eq(provider))
        .filter(user::Column::OidcSubject.eq(subject))
        .one(db)
        .await?)
}

/// Local users (no identity at a provider) with this email, compared case-insensitively.
pub async fn local_users_by_email<C: ConnectionTrait>(
    db: &C,
    email: &str,
) -> Result<Vec<user::Model>, StoreError> {
    use sea_orm::sea_query::{Expr, ExprTrait, Func};
    Ok(user::Entity::find()
        .filter(user::Column::OidcProviderId.is_null())
        .filter(Expr::expr(Func::lower(Expr::col(user::Column::Email))).eq(email.to_lowercase()))
        .all(db)
        .await?)
}

pub async fn username_taken<C: ConnectionTrait>(db: &C, name: &str) -> Result<bool, StoreError> {
    Ok(user::Entity::find().filter(user::Column::Username.eq(name)).one(db).await?.is_some())
}
