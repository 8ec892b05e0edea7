//! Queries on schedules, and on the jobs they made (a schedule's last run).

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, FromQueryResult,
    PaginatorTrait, QueryFilter, QueryOrder, Statement,
};
use uuid::Uuid;

use super::{
    StoreError,
    entities::{job, job::JobStatus, schedule},
};

pub use schedule::Model as ScheduleRow;

/// A schedule as its host's row shows it: when it fires, and its newest job (the `job_*`
/// fields, absent when it made none or its newest was removed by retention).
#[derive(Clone, Debug, FromQueryResult)]
pub struct ScheduleRunRow {
    pub id: Uuid,
    pub host_id: Uuid,
    pub name: String,
    pub cron: Option<String>,
    pub timezone: Option<String>,
    pub enabled: bool,
    pub job_id: Option<Uuid>,
    pub job_status: Option<JobStatus>,
    pub job_created_at: Option<DateTime<Utc>>,
    pub job_finished_at: Option<DateTime<Utc>>,
}

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

/// A schedule's newest job: one probe of `idx_jobs_schedule_runs`.
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
/// newest job id is one probe of `idx_jobs_schedule_runs`.
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

/// The schedules of `hosts` (a page of the host list, or one host), each with its newest
/// job, in one statement: the schedules along `idx_schedules_host_name`, and each one's
/// newest job from `idx_jobs_schedule_runs`, which holds every field read here, so a
/// job's own row (kilobytes of JSON, a page read apiece) is never read.
///
/// PostgreSQL reads the newest job in one backward probe (a lateral join, which also keeps
/// the planner from hashing the whole index). SQLite has no lateral join: it probes for the
/// newest time, then for the jobs at that time; two jobs of one schedule made in the same
/// microsecond both come back, and the caller keeps the greater id, as the job list does.
pub fn runs_of_hosts_query(backend: DbBackend, hosts: &[Uuid]) -> Statement {
    use sea_orm::sea_query::{Alias, Expr, ExprTrait, JoinType, Order, Query};
    let s = |c: schedule::Column| (schedule::Entity, c);
    let (j, l) = (Alias::new("j"), Alias::new("l"));
    let jc = |c: job::Column| Expr::col((j.clone(), c));
    let mut q = Query::select()
        .columns([
            s(schedule::Column::Id),
            s(schedule::Column::HostId),
            s(schedule::Column::Name),
            s(schedule::Column::Cron),
            s(schedule::Column::Timezone),
            s(schedule::Column::Enabled),
        ])
        .expr_as(jc(job::Column::Id), Alias::new("job_id"))
        .expr_as(jc(job::Column::Status), Alias::new("job_status"))
        .expr_as(jc(job::Column::CreatedAt), Alias::new("job_created_at"))
        .expr_as(jc(job::Column::FinishedAt), Alias::new("job_finished_at"))
        .from(schedule::Entity)
        .and_where(Expr::col(s(schedule::Column::HostId)).is_in(hosts.iter().copied()))
        .to_owned();
    match backend {
        DbBackend::Postgres => {
            let lc = |c: job::Column| (l.clone(), c);
            let newest = Query::select()
                .columns([
                    lc(job::Column::Id),
                    lc(job::Column::Status),
                    lc(job::Column::CreatedAt),
                    lc(job::Column::FinishedAt),
                ])
                .from_as(job::Entity, l.clone())
                .and_where(Expr::col(lc(job::Column::ScheduleId)).equals(s(schedule::Column::Id)))
                .order_by(lc(job::Column::CreatedAt), Order::Desc)
                .order_by(lc(job::Column::Id), Order::Desc)
                .limit(1)
                .to_owned();
            q.join_lateral(JoinType::LeftJoin, newest, j.clone(), Expr::cust("TRUE"));
        }
        _ => {
            let newest = Expr::cust(
                "(SELECT MAX(l.created_at) FROM jobs l WHERE l.schedule_id = schedules.id)",
            );
            q.join_as(
                JoinType::LeftJoin,
                job::Entity,
                j.clone(),
                jc(job::Column::ScheduleId)
                    .equals(s(schedule::Column::Id))
                    .and(jc(job::Column::CreatedAt).eq(newest)),
            );
        }
    }
    backend.build(&q)
}

/// See [`runs_of_hosts_query`]; no statement at all for no hosts.
pub async fn runs_of_hosts<C: ConnectionTrait>(
    db: &C,
    hosts: &[Uuid],
) -> Result<Vec<ScheduleRunRow>, StoreError> {
    if hosts.is_empty() {
        return Ok(Vec::new());
    }
    let stmt = runs_of_hosts_query(db.get_database_backend(), hosts);
    Ok(ScheduleRunRow::find_by_statement(stmt).all(db).await?)
}
