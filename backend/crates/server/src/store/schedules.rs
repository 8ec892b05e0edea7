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

/// A schedule as its host's row shows it: when it fires, and the copy of its newest job
/// (the `job_*` fields, absent when it made none that is still stored).
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

/// The schedules of many hosts at once, by host, then by name (agent configs built in a
/// batch).
pub async fn list_for_hosts<C: ConnectionTrait>(
    db: &C,
    hosts: &[Uuid],
) -> Result<Vec<ScheduleRow>, StoreError> {
    Ok(schedule::Entity::find()
        .filter(schedule::Column::HostId.is_in(hosts.iter().copied()))
        .order_by_asc(schedule::Column::HostId)
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

/// The schedules of `hosts` (a page of the host list, or one host) with the copy of each
/// one's newest job, in one statement along `idx_schedules_host_name`. `jobs` is not read:
/// probing it for each schedule's newest job cost more than the rest of the page.
pub fn runs_of_hosts_query(backend: DbBackend, hosts: &[Uuid]) -> Statement {
    use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
    let s = |c: schedule::Column| (schedule::Entity, c);
    let copy =
        |c: &str, name: &str| (Expr::col((schedule::Entity, Alias::new(c))), Alias::new(name));
    let mut q = Query::select();
    q.columns([
        s(schedule::Column::Id),
        s(schedule::Column::HostId),
        s(schedule::Column::Name),
        s(schedule::Column::Cron),
        s(schedule::Column::Timezone),
        s(schedule::Column::Enabled),
    ]);
    for (c, name) in [
        ("last_job_id", "job_id"),
        ("last_job_status", "job_status"),
        ("last_job_created_at", "job_created_at"),
        ("last_job_finished_at", "job_finished_at"),
    ] {
        let (expr, alias) = copy(c, name);
        q.expr_as(expr, alias);
    }
    q.from(schedule::Entity)
        .and_where(Expr::col(s(schedule::Column::HostId)).is_in(hosts.iter().copied()));
    backend.build(&q)
}

/// The newest job of the schedule, copied onto its row: one probe of
/// `idx_jobs_schedule_runs`, which holds every field copied.
const NEWEST_JOB: &str = "UPDATE schedules SET \
     (last_job_id, last_job_status, last_job_created_at, last_job_finished_at) = \
     (SELECT l.id, l.status, l.created_at, l.finished_at FROM jobs l \
      WHERE l.schedule_id = schedules.id ORDER BY l.created_at DESC, l.id DESC LIMIT 1) \
     WHERE id IN ";

/// `(p1, p2, …)` in the backend's placeholder style, for `n` values.
fn in_list(backend: DbBackend, n: usize) -> String {
    let p = (1..=n)
        .map(|i| if backend == DbBackend::Postgres { format!("${i}") } else { "?".into() })
        .collect::<Vec<_>>();
    format!("({})", p.join(","))
}

/// The statement of [`refresh_last_jobs`] for up to 500 schedules.
pub fn refresh_last_jobs_statement(backend: DbBackend, schedules: &[Uuid]) -> Statement {
    let sql = format!("{NEWEST_JOB}{}", in_list(backend, schedules.len()));
    let values = schedules.iter().map(|id| (*id).into()).collect::<Vec<sea_orm::Value>>();
    Statement::from_sql_and_values(backend, sql, values)
}

/// The statement of [`refresh_last_jobs_of`] for up to 500 jobs.
pub fn refresh_last_jobs_of_statement(backend: DbBackend, jobs: &[Uuid]) -> Statement {
    let sql = format!(
        "{NEWEST_JOB}(SELECT j.schedule_id FROM jobs j WHERE j.id IN {} \
         AND j.schedule_id IS NOT NULL)",
        in_list(backend, jobs.len())
    );
    let values = jobs.iter().map(|id| (*id).into()).collect::<Vec<sea_orm::Value>>();
    Statement::from_sql_and_values(backend, sql, values)
}

/// Copies each schedule's newest job onto its row again (the job list's order: newest
/// `created_at`, then greatest id), after a job of theirs was written or removed. Called
/// inside the writer's transaction, so the copy changes with the job.
pub async fn refresh_last_jobs<C: ConnectionTrait>(
    db: &C,
    schedules: &[Uuid],
) -> Result<(), StoreError> {
    let backend = db.get_database_backend();
    for chunk in schedules.chunks(500) {
        db.execute_raw(refresh_last_jobs_statement(backend, chunk)).await?;
    }
    Ok(())
}

/// [`refresh_last_jobs`] for the schedules that made any of `jobs` (nothing for jobs no
/// schedule made, found by a primary-key probe each).
pub async fn refresh_last_jobs_of<C: ConnectionTrait>(
    db: &C,
    jobs: &[Uuid],
) -> Result<(), StoreError> {
    let backend = db.get_database_backend();
    for chunk in jobs.chunks(500) {
        db.execute_raw(refresh_last_jobs_of_statement(backend, chunk)).await?;
    }
    Ok(())
}

/// The schedules that made any of `jobs`.
pub async fn of_jobs<C: ConnectionTrait>(db: &C, jobs: &[Uuid]) -> Result<Vec<Uuid>, StoreError> {
    use sea_orm::QuerySelect;
    let ids: Vec<Option<Uuid>> = job::Entity::find()
        .select_only()
        .column(job::Column::ScheduleId)
        .filter(job::Column::Id.is_in(jobs.iter().copied()))
        .filter(job::Column::ScheduleId.is_not_null())
        .distinct()
        .into_tuple()
        .all(db)
        .await?;
    Ok(ids.into_iter().flatten().collect())
}

/// Keeps the agent's newest preflight findings of a schedule (JSON), and when.
pub async fn record_findings<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    findings: Option<String>,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<(), StoreError> {
    use sea_orm::sea_query::Expr;
    schedule::Entity::update_many()
        .col_expr(schedule::Column::AgentFindings, Expr::value(findings))
        .col_expr(schedule::Column::AgentCheckedAt, Expr::value(Some(at)))
        .filter(schedule::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
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
