//! What the sweep's alert rules read and the job-end transaction keeps: each schedule's and
//! host's newest successful backup, since when a repository has been seen locked, the
//! jobs that have not finished, and the recent runs a baseline is made of. The watched
//! columns (m0026) are not in the entities: only this module reads or writes them.

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
    QuerySelect,
    sea_query::{Alias, Expr, ExprTrait, Query},
};
use uuid::Uuid;

use super::StoreError;
use super::entities::{host, job, repository, schedule};
use super::jobs::{JobKind, JobStatus};

fn col(name: &str) -> Alias {
    Alias::new(name)
}

/// Records a successful backup of `host` (and of `schedule`) that ended `at`; an older
/// end (an outbox uploaded late) never moves the mark back.
pub async fn backup_ok<C: ConnectionTrait>(
    db: &C,
    host: Uuid,
    schedule: Option<Uuid>,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let backend = db.get_database_backend();
    let mark = |table: Alias, column: &str, id: Uuid| {
        let c = col(column);
        let mut q = Query::update();
        q.table(table)
            .value(c.clone(), at)
            .and_where(Expr::col(col("id")).eq(id))
            .and_where(Expr::col(c.clone()).is_null().or(Expr::col(c).lt(at)));
        backend.build(&q)
    };
    db.execute_raw(mark(col("hosts"), "last_backup_ok_at", host)).await?;
    if let Some(s) = schedule {
        db.execute_raw(mark(col("schedules"), "last_success_at", s)).await?;
    }
    Ok(())
}

/// Marks `repository` locked (keeping the first time it was seen so), by `by` (restic's
/// "PID … on host … by user" when it said).
pub async fn locked<C: ConnectionTrait>(
    db: &C,
    repository: Uuid,
    at: DateTime<Utc>,
    by: Option<String>,
) -> Result<(), StoreError> {
    let mut q = Query::update();
    q.table(col("repositories"))
        .value(col("locked_since"), Expr::col(col("locked_since")).if_null(at))
        .value(col("locked_by"), by)
        .and_where(Expr::col(col("id")).eq(repository));
    db.execute_raw(db.get_database_backend().build(&q)).await?;
    Ok(())
}

/// Forgets that `repository` was locked: always (`kind` absent: an exclusive lock was
/// taken, so no lock was left), or when it was a `kind` job that was locked out. Whether
/// it had been marked.
pub async fn unlocked<C: ConnectionTrait>(
    db: &C,
    repository: Uuid,
    kind: Option<&str>,
) -> Result<bool, StoreError> {
    let mut q = Query::update();
    q.table(col("repositories"))
        .value(col("locked_since"), Option::<DateTime<Utc>>::None)
        .value(col("locked_by"), Option::<String>::None)
        .and_where(Expr::col(col("id")).eq(repository))
        .and_where(Expr::col(col("locked_since")).is_not_null());
    if let Some(k) = kind {
        q.and_where(Expr::col(col("locked_by")).like(format!("{k}:%")));
    }
    Ok(db.execute_raw(db.get_database_backend().build(&q)).await?.rows_affected() > 0)
}

/// A repository seen locked.
#[derive(Clone, Debug, FromQueryResult)]
pub struct LockedRepository {
    pub id: Uuid,
    pub name: String,
    pub locked_since: DateTime<Utc>,
    pub locked_by: Option<String>,
}

/// The repositories seen locked since `before` or earlier.
pub async fn locked_since<C: ConnectionTrait>(
    db: &C,
    before: DateTime<Utc>,
) -> Result<Vec<LockedRepository>, StoreError> {
    let mut q = Query::select();
    q.columns([col("id"), col("name"), col("locked_since"), col("locked_by")])
        .from(repository::Entity)
        .and_where(Expr::col(col("locked_since")).lte(before));
    let stmt = db.get_database_backend().build(&q);
    Ok(LockedRepository::find_by_statement(stmt).all(db).await?)
}

/// A scheduled (cron) enabled schedule with what "nothing ran" needs to judge it.
#[derive(Clone, Debug, FromQueryResult)]
pub struct WatchedSchedule {
    pub id: Uuid,
    pub host_id: Uuid,
    pub repository_id: Uuid,
    pub name: String,
    pub cron: String,
    pub timezone: Option<String>,
    pub updated_at: DateTime<Utc>,
    pub last_success_at: Option<DateTime<Utc>>,
    pub last_job_status: Option<String>,
}

/// Every enabled schedule with a cron expression (one scan of `schedules`).
pub async fn scheduled<C: ConnectionTrait>(db: &C) -> Result<Vec<WatchedSchedule>, StoreError> {
    let s = |c: schedule::Column| (schedule::Entity, c);
    let mut q = Query::select();
    q.columns([
        s(schedule::Column::Id),
        s(schedule::Column::HostId),
        s(schedule::Column::RepositoryId),
        s(schedule::Column::Name),
        s(schedule::Column::Cron),
        s(schedule::Column::Timezone),
        s(schedule::Column::UpdatedAt),
    ])
    .column(col("last_success_at"))
    .column(col("last_job_status"))
    .from(schedule::Entity)
    .and_where(Expr::col(s(schedule::Column::Enabled)).eq(true))
    .and_where(Expr::col(s(schedule::Column::Cron)).is_not_null());
    let stmt = db.get_database_backend().build(&q);
    Ok(WatchedSchedule::find_by_statement(stmt).all(db).await?)
}

/// A host as the sweep's rules see it.
#[derive(Clone, Debug, FromQueryResult)]
pub struct WatchedHost {
    pub id: Uuid,
    pub hostname: String,
    pub tags: String,
    pub timezone: Option<String>,
    pub created_at: DateTime<Utc>,
    pub agent_version: String,
    pub restic_version: Option<String>,
    pub last_backup_ok_at: Option<DateTime<Utc>>,
}

/// Every host (one scan of `hosts`).
pub async fn hosts<C: ConnectionTrait>(db: &C) -> Result<Vec<WatchedHost>, StoreError> {
    let h = |c: host::Column| (host::Entity, c);
    let mut q = Query::select();
    q.columns([
        h(host::Column::Id),
        h(host::Column::Hostname),
        h(host::Column::Tags),
        h(host::Column::Timezone),
        h(host::Column::CreatedAt),
        h(host::Column::AgentVersion),
        h(host::Column::ResticVersion),
    ])
    .column(col("last_backup_ok_at"))
    .from(host::Entity);
    let stmt = db.get_database_backend().build(&q);
    Ok(WatchedHost::find_by_statement(stmt).all(db).await?)
}

/// A job that has not finished.
#[derive(Clone, Debug, FromQueryResult)]
pub struct ActiveJob {
    pub id: Uuid,
    pub host_id: Uuid,
    pub repository_id: Option<Uuid>,
    pub kind: JobKind,
    pub status: JobStatus,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
}

/// The jobs queued, dispatched or running that were created before `before` (along
/// `idx_jobs_status_page`).
pub async fn active_before<C: ConnectionTrait>(
    db: &C,
    before: DateTime<Utc>,
) -> Result<Vec<ActiveJob>, StoreError> {
    Ok(job::Entity::find()
        .select_only()
        .columns([
            job::Column::Id,
            job::Column::HostId,
            job::Column::RepositoryId,
            job::Column::Kind,
            job::Column::Status,
            job::Column::CreatedAt,
            job::Column::StartedAt,
        ])
        .filter(job::Column::Status.is_in([
            JobStatus::Queued,
            JobStatus::Dispatched,
            JobStatus::Running,
        ]))
        .filter(job::Column::CreatedAt.lt(before))
        .into_model::<ActiveJob>()
        .all(db)
        .await?)
}

/// A finished run, for a baseline.
#[derive(Clone, Debug, FromQueryResult)]
pub struct PastRun {
    pub id: Uuid,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub summary: Option<String>,
}

/// The newest `n` successful runs of `kind` on `host` (of `schedule`, or on `repository`
/// when given), newest first, along `idx_jobs_host_kind_page`; `except` left out.
pub async fn recent_ok<C: ConnectionTrait>(
    db: &C,
    host: Uuid,
    kind: JobKind,
    schedule: Option<Uuid>,
    repository: Option<Uuid>,
    except: Option<Uuid>,
    n: u64,
) -> Result<Vec<PastRun>, StoreError> {
    let mut q = job::Entity::find()
        .select_only()
        .columns([
            job::Column::Id,
            job::Column::CreatedAt,
            job::Column::StartedAt,
            job::Column::FinishedAt,
            job::Column::Summary,
        ])
        .filter(job::Column::HostId.eq(host))
        .filter(job::Column::Kind.eq(kind))
        .filter(job::Column::Status.is_in([JobStatus::Succeeded, JobStatus::Warning]));
    if let Some(s) = schedule {
        q = q.filter(job::Column::ScheduleId.eq(s));
    } else if let Some(r) = repository {
        q = q.filter(job::Column::RepositoryId.eq(r));
    }
    if let Some(e) = except {
        q = q.filter(job::Column::Id.ne(e));
    }
    Ok(q.order_by_desc(job::Column::CreatedAt)
        .order_by_desc(job::Column::Id)
        .limit(n)
        .into_model::<PastRun>()
        .all(db)
        .await?)
}
