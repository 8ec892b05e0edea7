//! The queries of history retention: which rows are due, and removing them a batch at a
//! time. Each function does one bounded piece of work inside the caller's transaction.

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Statement, sea_query::Expr,
};
use uuid::Uuid;

use super::{
    StoreError,
    entities::{agent_command, job, job_log},
    jobs::ACTIVE,
};

/// Up to `limit` jobs that ended before `cutoff` and still have log lines.
pub async fn jobs_with_old_logs<C: ConnectionTrait>(
    db: &C,
    cutoff: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<Uuid>, StoreError> {
    Ok(job::Entity::find()
        .select_only()
        .column(job::Column::Id)
        .filter(job::Column::FinishedAt.lt(cutoff))
        .filter(job::Column::LogsRemovedAt.is_null())
        .limit(limit)
        .into_tuple()
        .all(db)
        .await?)
}

/// Removes these jobs' log lines and marks them removed. Returns the lines removed.
pub async fn remove_logs<C: ConnectionTrait>(
    db: &C,
    jobs: &[Uuid],
    now: DateTime<Utc>,
) -> Result<u64, StoreError> {
    let removed = job_log::Entity::delete_many()
        .filter(job_log::Column::JobId.is_in(jobs.iter().copied()))
        .exec(db)
        .await?
        .rows_affected;
    job::Entity::update_many()
        .col_expr(job::Column::LogsRemovedAt, Expr::value(now))
        .filter(job::Column::Id.is_in(jobs.iter().copied()))
        .exec(db)
        .await?;
    Ok(removed)
}

/// Up to `limit` ended jobs created before `cutoff` that retention may remove: not among
/// the newest `keep` jobs of their host, and not the backup of a snapshot the host still
/// has.
pub async fn removable_jobs<C: ConnectionTrait>(
    db: &C,
    cutoff: DateTime<Utc>,
    keep: u64,
    limit: u64,
) -> Result<Vec<Uuid>, StoreError> {
    let backend = db.get_database_backend();
    let p = |n: usize| match backend {
        sea_orm::DbBackend::Postgres => format!("${n}"),
        _ => "?".to_string(),
    };
    let active = ACTIVE
        .iter()
        .map(|s| format!("'{}'", sea_orm::ActiveEnum::to_value(s)))
        .collect::<Vec<_>>()
        .join(", ");
    // The rank counts every job of the host, so "the newest K" holds whatever their state.
    let sql = format!(
        "SELECT id FROM (\
           SELECT id, host_id, status, created_at, snapshot_id, \
                  ROW_NUMBER() OVER (PARTITION BY host_id ORDER BY created_at DESC, id DESC) AS rank \
           FROM jobs) ranked \
         WHERE rank > {} AND created_at < {} AND status NOT IN ({active}) \
           AND (snapshot_id IS NULL OR NOT EXISTS (\
             SELECT 1 FROM snapshots s WHERE s.host_id = ranked.host_id AND s.snapshot_id = ranked.snapshot_id)) \
         LIMIT {}",
        p(1),
        p(2),
        p(3),
    );
    let values: Vec<sea_orm::Value> =
        vec![(keep as i64).into(), cutoff.into(), (limit as i64).into()];
    let rows = db.query_all_raw(Statement::from_sql_and_values(backend, sql, values)).await?;
    rows.iter().map(|r| r.try_get::<Uuid>("", "id").map_err(StoreError::from)).collect()
}

/// Removes these jobs (their log lines go with them). A schedule whose copied newest job
/// was among them copies its newest remaining one.
pub async fn remove_jobs<C: ConnectionTrait>(db: &C, jobs: &[Uuid]) -> Result<u64, StoreError> {
    let schedules = super::schedules::of_jobs(db, jobs).await?;
    let removed = job::Entity::delete_many()
        .filter(job::Column::Id.is_in(jobs.iter().copied()))
        .exec(db)
        .await?
        .rows_affected;
    super::schedules::refresh_last_jobs(db, &schedules).await?;
    Ok(removed)
}

/// Removes up to `limit` commands agents received before `cutoff`.
pub async fn remove_delivered_commands<C: ConnectionTrait>(
    db: &C,
    cutoff: DateTime<Utc>,
    limit: u64,
) -> Result<u64, StoreError> {
    let ids: Vec<Uuid> = agent_command::Entity::find()
        .select_only()
        .column(agent_command::Column::Id)
        .filter(agent_command::Column::DeliveredAt.lt(cutoff))
        .limit(limit)
        .into_tuple()
        .all(db)
        .await?;
    if ids.is_empty() {
        return Ok(0);
    }
    Ok(agent_command::Entity::delete_many()
        .filter(agent_command::Column::Id.is_in(ids))
        .exec(db)
        .await?
        .rows_affected)
}
