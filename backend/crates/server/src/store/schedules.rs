//! Queries on schedules, and on the jobs they made (a schedule's last run).

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Statement,
};
use uuid::Uuid;

use super::{
    StoreError,
    entities::{job, schedule},
};

pub use schedule::Model as ScheduleRow;

pub async fn find<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<Option<ScheduleRow>, StoreError> {
    Ok(schedule::Entity::find_by_id(id).one(db).await?)
}

/// A host's schedules by name.
pub async fn list_for_host<C: ConnectionTrait>(
    db: &C,
    host: Uuid,
) -> Result<Vec<ScheduleRow>, StoreError> {
    Ok(schedule::Entity::find()
        .filter(schedule::Column::HostId.eq(host))
        .order_by_asc(schedule::Column::Name)
        .all(db)
        .await?)
}

pub async fn count_for_host<C: ConnectionTrait>(db: &C, host: Uuid) -> Result<u64, StoreError> {
    Ok(schedule::Entity::find().filter(schedule::Column::HostId.eq(host)).count(db).await?)
}

pub async fn find_by_name<C: ConnectionTrait>(
    db: &C,
    host: Uuid,
    name: &str,
) -> Result<Option<ScheduleRow>, StoreError> {
    Ok(schedule::Entity::find()
        .filter(schedule::Column::HostId.eq(host))
        .filter(schedule::Column::Name.eq(name))
        .one(db)
        .await?)
}

pub async fn insert<C: ConnectionTrait>(
    db: &C,
    row: ScheduleRow,
) -> Result<ScheduleRow, StoreError> {
    let active: schedule::ActiveModel = row.into();
    Ok(active.reset_all().insert(db).await?)
}

pub async fn save<C: ConnectionTrait>(db: &C, row: ScheduleRow) -> Result<ScheduleRow, StoreError> {
    let active: schedule::ActiveModel = row.into();
    Ok(active.reset_all().update(db).await?)
}

pub async fn delete<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<bool, StoreError> {
    Ok(schedule::Entity::delete_by_id(id).exec(db).await?.rows_affected > 0)
}

/// A schedule's newest job: one probe of `idx_jobs_schedule_page`.
pub async fn last_run<C: ConnectionTrait>(
    db: &C,
    schedule: Uuid,
) -> Result<Option<job::Model>, StoreError> {
    Ok(job::Entity::find()
        .filter(job::Column::ScheduleId.eq(schedule))
        .order_by_desc(job::Column::CreatedAt)
        .order_by_desc(job::Column::Id)
        .one(db)
        .await?)
}

/// The newest job of each of a host's schedules, in one statement: each schedule's
/// newest job id is one probe of `idx_jobs_schedule_page`.
pub async fn last_runs<C: ConnectionTrait>(
    db: &C,
    host: Uuid,
) -> Result<Vec<job::Model>, StoreError> {
    let backend = db.get_database_backend();
    let p = |n: usize| match backend {
        sea_orm::DbBackend::Postgres => format!("${n}"),
        _ => "?".to_string(),
    };
    let sql = format!(
        "SELECT * FROM jobs WHERE id IN (SELECT (SELECT j.id FROM jobs j WHERE j.schedule_id = s.id \
         ORDER BY j.created_at DESC, j.id DESC LIMIT 1) FROM schedules s WHERE s.host_id = {})",
        p(1)
    );
    let stmt = Statement::from_sql_and_values(backend, sql, [host.into()]);
    Ok(job::Entity::find().from_raw_sql(stmt).all(db).await?)
}
