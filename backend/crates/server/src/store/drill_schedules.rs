//! Restore drill schedules: one row per host that has one, read by the host page and by
//! the maintenance sweep (the due ones, through the `next_at` index).

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use uuid::Uuid;

use super::StoreError;
use super::entities::drill_schedule;

pub use drill_schedule::Model as DrillScheduleRow;

pub async fn find<C: ConnectionTrait>(
    db: &C,
    host: Uuid,
) -> Result<Option<DrillScheduleRow>, StoreError> {
    Ok(drill_schedule::Entity::find_by_id(host).one(db).await?)
}

/// Writes the host's drill schedule whole (a new one or a replacement).
pub async fn save<C: ConnectionTrait>(db: &C, row: DrillScheduleRow) -> Result<(), StoreError> {
    let host = row.host_id;
    drill_schedule::Entity::delete_by_id(host).exec(db).await?;
    let active: drill_schedule::ActiveModel = row.into();
    active.reset_all().insert(db).await?;
    Ok(())
}

pub async fn delete<C: ConnectionTrait>(db: &C, host: Uuid) -> Result<bool, StoreError> {
    Ok(drill_schedule::Entity::delete_by_id(host).exec(db).await?.rows_affected > 0)
}

/// Removes the host's drill schedule if it samples `repository` (which is being unlinked).
pub async fn delete_on<C: ConnectionTrait>(
    db: &C,
    host: Uuid,
    repository: Uuid,
) -> Result<bool, StoreError> {
    Ok(drill_schedule::Entity::delete_many()
        .filter(drill_schedule::Column::HostId.eq(host))
        .filter(drill_schedule::Column::RepositoryId.eq(repository))
        .exec(db)
        .await?
        .rows_affected
        > 0)
}

/// The schedules whose next fire is at or before `now`, the longest due first.
pub async fn due<C: ConnectionTrait>(
    db: &C,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<DrillScheduleRow>, StoreError> {
    Ok(drill_schedule::Entity::find()
        .filter(drill_schedule::Column::NextAt.lte(now))
        .order_by_asc(drill_schedule::Column::NextAt)
        .all(db)
        .await?)
}
