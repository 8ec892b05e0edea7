//! Queries on repositories (secrets stay encrypted here; the domain seals and opens them).

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use uuid::Uuid;

use super::{StoreError, entities::repository};

pub use repository::Model as RepositoryRow;

pub async fn find<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
) -> Result<Option<RepositoryRow>, StoreError> {
    Ok(repository::Entity::find_by_id(id).one(db).await?)
}

pub async fn find_by_name<C: ConnectionTrait>(
    db: &C,
    name: &str,
) -> Result<Option<RepositoryRow>, StoreError> {
    Ok(repository::Entity::find().filter(repository::Column::Name.eq(name)).one(db).await?)
}

pub async fn find_many<C: ConnectionTrait>(
    db: &C,
    ids: &[Uuid],
) -> Result<Vec<RepositoryRow>, StoreError> {
    Ok(repository::Entity::find()
        .filter(repository::Column::Id.is_in(ids.iter().copied()))
        .order_by_asc(repository::Column::Name)
        .all(db)
        .await?)
}

pub async fn list<C: ConnectionTrait>(db: &C) -> Result<Vec<RepositoryRow>, StoreError> {
    Ok(repository::Entity::find().order_by_asc(repository::Column::Name).all(db).await?)
}

pub async fn insert<C: ConnectionTrait>(
    db: &C,
    row: RepositoryRow,
) -> Result<RepositoryRow, StoreError> {
    let active: repository::ActiveModel = row.into();
    Ok(active.reset_all().insert(db).await?)
}

pub async fn save<C: ConnectionTrait>(
    db: &C,
    row: RepositoryRow,
) -> Result<RepositoryRow, StoreError> {
    let active: repository::ActiveModel = row.into();
    Ok(active.reset_all().update(db).await?)
}

/// Repositories whose key rotation is at `step`.
pub async fn rotating<C: ConnectionTrait>(
    db: &C,
    step: &str,
) -> Result<Vec<RepositoryRow>, StoreError> {
    Ok(repository::Entity::find()
        .filter(repository::Column::RotationState.eq(step))
        .all(db)
        .await?)
}

pub async fn delete<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<bool, StoreError> {
    Ok(repository::Entity::delete_by_id(id).exec(db).await?.rows_affected > 0)
}
