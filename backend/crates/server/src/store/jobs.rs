//! Queries on jobs, their log lines and the snapshots agents report. Log lines are
//! inserted with ON CONFLICT DO NOTHING on (job, seq): a retried batch stores nothing twice.

use chrono::{DateTime, Utc};

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Statement, sea_query::OnConflict,
};
use uuid::Uuid;

use super::{
    StoreError,
    entities::{job, job_log, snapshot},
};

pub use job::{JobKind, JobStatus, Model as JobRow};
pub use job_log::Model as LogRow;
pub use snapshot::Model as SnapshotRow;

/// Statuses of a job that has not ended.
pub const ACTIVE: [JobStatus; 3] = [JobStatus::Queued, JobStatus::Dispatched, JobStatus::Running];

#[derive(Debug, Default, Clone)]
pub struct JobFilter {
    pub host: Option<Uuid>,
    pub repository: Option<Uuid>,
    pub kind: Option<JobKind>,
    pub status: Option<JobStatus>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    /// Only jobs of the hosts a caller's scope reaches.
    pub scope: crate::auth::HostScope,
}

/// A job row that nothing has happened to yet: queued, no result, nothing counted. Callers
/// set who started it and for which repository and schedule.
pub fn new_row(id: Uuid, host_id: Uuid, kind: JobKind, args: String, at: DateTime<Utc>) -> JobRow {
    JobRow {
        id,
        host_id,
        repository_id: None,
        kind,
        status: JobStatus::Queued,
        actor_kind: String::new(),
        actor: None,
        args,
        created_at: at,
        dispatched_at: None,
        started_at: None,
        finished_at: None,
        cancel_requested_at: None,
        exit_code: None,
        error_class: None,
        error_message: None,
        summary: None,
        snapshot_id: None,
        result: None,
        progress: None,
        last_seq: 0,
        log_lines: 0,
        dispatches: 0,
        logs_removed_at: None,
        schedule_id: None,
        waiting_for: None,
    }
}

/// A repository's jobs that are handed out or about to be (waiting ones left out), any host.
pub async fn active_on_repository<C: ConnectionTrait>(
    db: &C,
    repository: Uuid,
) -> Result<Vec<JobRow>, StoreError> {
    Ok(job::Entity::find()
        .filter(job::Column::RepositoryId.eq(repository))
        .filter(job::Column::Status.is_in(ACTIVE))
        .filter(job::Column::WaitingFor.is_null())
        .all(db)
        .await?)
}

/// A repository's waiting jobs, oldest first.
pub async fn waiting_on_repository<C: ConnectionTrait>(
    db: &C,
    repository: Uuid,
) -> Result<Vec<JobRow>, StoreError> {
    Ok(job::Entity::find()
        .filter(job::Column::RepositoryId.eq(repository))
        .filter(job::Column::Status.eq(JobStatus::Queued))
        .filter(job::Column::WaitingFor.is_not_null())
        .order_by_asc(job::Column::CreatedAt)
        .order_by_asc(job::Column::Id)
        .all(db)
        .await?)
}

/// The jobs handed out (dispatched or running) of these kinds, any host.
pub async fn handed_out_of_kinds<C: ConnectionTrait>(
    db: &C,
    kinds: &[JobKind],
) -> Result<Vec<JobRow>, StoreError> {
    Ok(job::Entity::find()
        .filter(job::Column::Status.is_in([JobStatus::Dispatched, JobStatus::Running]))
        .filter(job::Column::Kind.is_in(kinds.iter().copied()))
        .all(db)
        .await?)
}

/// Repositories with a waiting job.
pub async fn repositories_with_waiting<C: ConnectionTrait>(
    db: &C,
) -> Result<Vec<Uuid>, StoreError> {
    let rows = job::Entity::find()
        .select_only()
        .column(job::Column::RepositoryId)
        .filter(job::Column::Status.eq(JobStatus::Queued))
        .filter(job::Column::WaitingFor.is_not_null())
        .distinct()
        .into_tuple::<Option<Uuid>>()
        .all(db)
        .await?;
    Ok(rows.into_iter().flatten().collect())
}

/// Stores a new job; a schedule's job becomes its schedule's copied newest job when it is
/// newer than the one copied (`schedules::refresh_last_jobs`).
pub async fn insert<C: ConnectionTrait>(db: &C, row: JobRow) -> Result<JobRow, StoreError> {
    let active: job::ActiveModel = row.into();
    let row = active.reset_all().insert(db).await?;
    if let Some(s) = row.schedule_id {
        super::schedules::refresh_last_jobs(db, &[s]).await?;
    }
    Ok(row)
}

pub async fn find<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<Option<JobRow>, StoreError> {
    Ok(job::Entity::find_by_id(id).one(db).await?)
}

/// Saves a job whole; a schedule's job also refreshes its schedule's copy of its newest job
/// (a status or end time may have changed).
pub async fn update<C: ConnectionTrait>(db: &C, row: JobRow) -> Result<JobRow, StoreError> {
    let active: job::ActiveModel = row.into();
    let row = active.reset_all().update(db).await?;
    if let Some(s) = row.schedule_id {
        super::schedules::refresh_last_jobs(db, &[s]).await?;
    }
    Ok(row)
}

/// The unfinished job of this host on this repository, if any.
pub async fn active_for<C: ConnectionTrait>(
    db: &C,
    host: Uuid,
    repository: Uuid,
) -> Result<Option<JobRow>, StoreError> {
    Ok(job::Entity::find()
        .filter(job::Column::HostId.eq(host))
        .filter(job::Column::RepositoryId.eq(repository))
        .filter(job::Column::Status.is_in(ACTIVE))
        .one(db)
        .await?)
}

/// This host's jobs that have not ended (queued ones included).
pub async fn active_on_host<C: ConnectionTrait>(
    db: &C,
    host: Uuid,
) -> Result<Vec<JobRow>, StoreError> {
    Ok(job::Entity::find()
        .filter(job::Column::HostId.eq(host))
        .filter(job::Column::Status.is_in(ACTIVE))
        .all(db)
        .await?)
}

/// Hosts that have a job that has not ended (read once at start-up).
pub async fn hosts_with_open_jobs<C: ConnectionTrait>(db: &C) -> Result<Vec<Uuid>, StoreError> {
    Ok(job::Entity::find()
        .select_only()
        .column(job::Column::HostId)
        .distinct()
        .filter(job::Column::Status.is_in(ACTIVE))
        .into_tuple()
        .all(db)
        .await?)
}

/// The key jobs are listed by, newest first: `(created_at, id)`.
pub type JobKey = (DateTime<Utc>, Uuid);

fn filtered(f: &JobFilter) -> sea_orm::Select<job::Entity> {
    let mut q = job::Entity::find();
    if let Some(h) = f.host {
        q = q.filter(job::Column::HostId.eq(h));
    }
    if let Some(r) = f.repository {
        q = match f.host {
            // With a host the host's index must lead (a repository is shared by many
            // hosts): an expression no index serves keeps SQLite, which has no statistics
            // here, from reading the repository's whole history instead.
            Some(_) => {
                use sea_orm::sea_query::{Expr, ExprTrait, Func};
                let col = || Expr::col((job::Entity, job::Column::RepositoryId));
                q.filter(Expr::expr(Func::coalesce([col(), col()])).eq(r))
            }
            None => q.filter(job::Column::RepositoryId.eq(r)),
        };
    }
    if let Some(k) = f.kind {
        q = q.filter(job::Column::Kind.eq(k));
    }
    if let Some(s) = f.status {
        q = q.filter(job::Column::Status.eq(s));
    }
    if let Some(t) = f.since {
        q = q.filter(job::Column::CreatedAt.gte(t));
    }
    if let Some(t) = f.until {
        q = q.filter(job::Column::CreatedAt.lt(t));
    }
    // A host scope is a set of hosts, not one: as an expression no index serves, it filters
    // along the list's own order instead of making SQLite read the scope's hosts through
    // the host index and sort all their jobs.
    use sea_orm::sea_query::{Expr, Func};
    let col = || Expr::col((job::Entity, job::Column::HostId));
    let host = Expr::expr(Func::coalesce([col(), col()]));
    if let Some(c) = super::scope::host_in(host, &f.scope) {
        q = q.filter(c);
    }
    q
}

/// A job as lists show it: the row with its host's and its repository's names (absent when
/// deleted since), which the domain adds (`domain::names`).
#[derive(Debug, Clone)]
pub struct NamedJobRow {
    pub row: JobRow,
    pub hostname: Option<String>,
    pub repository_name: Option<String>,
}

/// The query of one page: the rows after `after` in `(created_at, id)` order, newest
/// first. Every filter has an index that ends in that order (`m0006`), so a page reads
/// `limit` index entries plus the rows they skip for other filters, never the whole set.
/// List rows leave out the agent's whole report (`result`) and the last progress of a job
/// that ended; the single read has both. The host's and repository's names are not read
/// here: per-row lookups cost PostgreSQL more than the page itself, and the domain keeps
/// them in memory (`domain::names`).
pub fn list_query(
    f: &JobFilter,
    after: Option<JobKey>,
    limit: u64,
) -> sea_orm::Select<job::Entity> {
    use sea_orm::{Condition, Iterable, sea_query::Expr};
    let mut q = filtered(f);
    if let Some((t, id)) = after {
        // The first term bounds the index range; the second breaks ties on the timestamp.
        q = q
            .filter(job::Column::CreatedAt.lte(t))
            .filter(Condition::any().add(job::Column::CreatedAt.lt(t)).add(job::Column::Id.lt(id)));
    }
    let no_text = || Expr::value(Option::<String>::None);
    let live_progress: sea_orm::sea_query::SimpleExpr =
        Expr::case(job::Column::Status.is_in(ACTIVE), Expr::col(job::Column::Progress))
            .finally(no_text())
            .into();
    // Every column in the model's order, as `positional::JobByPosition` reads them.
    let mut q = q.select_only();
    for c in job::Column::iter() {
        q = match c {
            job::Column::Result => q.column_as(no_text(), "result"),
            job::Column::Progress => q.column_as(live_progress.clone(), "progress"),
            c => q.column(c),
        };
    }
    q.order_by_desc(job::Column::CreatedAt).order_by_desc(job::Column::Id).limit(limit)
}

/// One page of jobs, newest first (see [`list_query`]).
pub async fn list<C: ConnectionTrait>(
    db: &C,
    f: &JobFilter,
    after: Option<JobKey>,
    limit: u64,
) -> Result<Vec<JobRow>, StoreError> {
    let rows = list_query(f, after, limit)
        .into_model::<super::positional::JobByPosition>()
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// The query counting the jobs that match, at most `cap + 1` of them.
pub fn count_query(backend: DbBackend, f: &JobFilter, cap: u64) -> Statement {
    let inner = filtered(f).select_only().column(job::Column::Id).limit(cap + 1);
    super::count_statement(backend, inner)
}

/// How many jobs match, counting at most `cap + 1`.
pub async fn count<C: ConnectionTrait>(db: &C, f: &JobFilter, cap: u64) -> Result<u64, StoreError> {
    super::count_capped(db, count_query(db.get_database_backend(), f, cap)).await
}

/// Jobs whose run command an agent just received: queued → dispatched (and so the copies
/// of those that are their schedule's newest).
pub async fn mark_dispatched<C: ConnectionTrait>(
    db: &C,
    ids: &[Uuid],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    use sea_orm::sea_query::{Expr, ExprTrait};
    for chunk in ids.chunks(500) {
        job::Entity::update_many()
            .col_expr(job::Column::Status, Expr::value(JobStatus::Dispatched))
            .col_expr(job::Column::DispatchedAt, Expr::value(now))
            .col_expr(job::Column::Dispatches, Expr::col(job::Column::Dispatches).add(1))
            .filter(job::Column::Id.is_in(chunk.iter().copied()))
            .filter(job::Column::Status.eq(JobStatus::Queued))
            .exec(db)
            .await?;
        super::schedules::refresh_last_jobs_of(db, chunk).await?;
    }
    Ok(())
}

/// The INSERT statements that store these log lines; a (job, seq) already present is
/// skipped. Built apart from running them so that callers can build them before taking
/// the write lock (log ingestion is the hottest write path, P4). Hand-built multi-row
/// INSERTs of up to 1000 lines: through ActiveModels, building cost as much as running.
pub fn log_inserts(backend: DbBackend, rows: Vec<LogRow>) -> Vec<Statement> {
    let mut out = Vec::new();
    // 5 parameters per row; SQLite allows 32766 per statement, PostgreSQL 65535. The rows
    // are moved into the statement's values, not cloned.
    let mut rest = rows;
    while !rest.is_empty() {
        let tail = rest.split_off(rest.len().min(1000));
        let chunk = std::mem::replace(&mut rest, tail);
        let sql = super::multi_row_sql(
            backend,
            "INSERT INTO job_logs (job_id, seq, at, stream, line) VALUES ",
            5,
            chunk.len(),
            " ON CONFLICT (job_id, seq) DO NOTHING",
        );
        let mut values: Vec<sea_orm::Value> = Vec::with_capacity(chunk.len() * 5);
        for r in chunk {
            values.push(r.job_id.into());
            values.push(r.seq.into());
            values.push(r.at.into());
            values.push(r.stream.into());
            values.push(r.line.into());
        }
        out.push(Statement::from_sql_and_values(backend, sql, values));
    }
    out
}

/// Runs [`log_inserts`]; returns how many lines were new.
pub async fn run_log_inserts<C: ConnectionTrait>(
    db: &C,
    inserts: Vec<Statement>,
) -> Result<u64, StoreError> {
    let mut added = 0;
    for stmt in inserts {
        added += db.execute_raw(stmt).await?.rows_affected();
    }
    Ok(added)
}

/// What recording a batch of lines reports back.
pub struct JobTick {
    pub last_seq: i64,
    pub status: JobStatus,
    pub cancel_requested: bool,
}

/// Inserts a batch's lines ([`log_inserts`]) and records the batch on `host`'s job: the
/// highest seq, the lines that were new, and the progress when it is newer than what was
/// stored (a retried old batch must not roll it back). `None`: no such job on that host;
/// the caller rolls its transaction back. On SQLite, lines that fit one statement travel
/// with the job's UPDATE in one call: one round trip less to the connection's thread while
/// the single writer lock is held.
pub async fn record_batch<C: ConnectionTrait>(
    db: &C,
    inserts: Vec<Statement>,
    job: Uuid,
    host: Uuid,
    through: i64,
    progress: Option<(i64, String)>,
) -> Result<Option<JobTick>, StoreError> {
    let backend = db.get_database_backend();
    let (progress_seq, progress) = progress.map_or((0, None), |(seq, p)| (seq, Some(p)));
    // Every SET expression reads the row as it was, so `last_seq` below is the old value.
    // `added` is how many lines were new. Parameters are numbered in order of appearance
    // from `base` on PostgreSQL, and anonymous on SQLite (sqlx binds those in order, also
    // across the statements of one call).
    let update = |base: usize, added: &str| {
        let p = |n: usize| match backend {
            DbBackend::Postgres => format!("${}", base + n),
            _ => "?".to_string(),
        };
        format!(
            "UPDATE jobs SET last_seq = CASE WHEN last_seq > {} THEN last_seq ELSE {} END, \
             log_lines = log_lines + {added}, \
             progress = CASE WHEN {} > last_seq THEN {} ELSE progress END \
             WHERE id = {} AND host_id = {} \
             RETURNING last_seq, status, (cancel_requested_at IS NOT NULL) AS cancel_requested",
            p(1),
            p(2),
            p(3),
            p(4),
            p(5),
            p(6),
        )
    };
    let tail: Vec<sea_orm::Value> = vec![
        through.into(),
        through.into(),
        progress_seq.into(),
        progress.into(),
        job.into(),
        host.into(),
    ];
    let mut inserts = inserts;
    let stmt = if backend == DbBackend::Sqlite
        && inserts.len() == 1
        && let Some(insert) = inserts.pop()
    {
        // SQLite's changes() in the UPDATE counts the rows the INSERT before it added
        // (conflicting, already stored lines are not counted).
        let mut values = insert.values.map(|v| v.0).unwrap_or_default();
        let sql = format!("{}; {}", insert.sql, update(values.len(), "changes()"));
        values.extend(tail);
        Statement::from_sql_and_values(backend, sql, values)
    } else {
        // The lines first, then the UPDATE with their count.
        let added = run_log_inserts(db, inserts).await?;
        Statement::from_sql_and_values(backend, update(0, &added.to_string()), tail)
    };
    let Some(row) = db.query_one_raw(stmt).await? else {
        return Ok(None);
    };
    Ok(Some(JobTick {
        last_seq: row.try_get("", "last_seq")?,
        status: row.try_get("", "status")?,
        cancel_requested: row.try_get("", "cancel_requested")?,
    }))
}

pub async fn logs_after<C: ConnectionTrait>(
    db: &C,
    job: Uuid,
    after_seq: i64,
    limit: u64,
) -> Result<Vec<LogRow>, StoreError> {
    let rows = job_log::Entity::find()
        .filter(job_log::Column::JobId.eq(job))
        .filter(job_log::Column::Seq.gt(after_seq))
        .order_by_asc(job_log::Column::Seq)
        .limit(limit)
        .into_model::<super::positional::LogByPosition>()
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// Replaces what is known of a host's snapshots in one repository.
pub async fn replace_snapshots<C: ConnectionTrait>(
    db: &C,
    host: Uuid,
    repository: Uuid,
    rows: Vec<SnapshotRow>,
) -> Result<(), StoreError> {
    snapshot::Entity::delete_many()
        .filter(snapshot::Column::HostId.eq(host))
        .filter(snapshot::Column::RepositoryId.eq(repository))
        .exec(db)
        .await?;
    // 8 parameters per row.
    for chunk in rows.chunks(1000) {
        let models: Vec<snapshot::ActiveModel> =
            chunk.iter().cloned().map(|r| snapshot::ActiveModel::from(r).reset_all()).collect();
        snapshot::Entity::insert_many(models)
            .on_conflict(
                OnConflict::columns([
                    snapshot::Column::HostId,
                    snapshot::Column::RepositoryId,
                    snapshot::Column::SnapshotId,
                ])
                .do_nothing()
                .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// Newest first.
/// The key a host's snapshots are listed by, newest first: `(time, snapshot_id,
/// repository_id)` (one snapshot may be in two repositories).
pub type SnapshotKey = (DateTime<Utc>, String, Uuid);

fn host_snapshots(host: Uuid, repository: Option<Uuid>) -> sea_orm::Select<snapshot::Entity> {
    let mut q = snapshot::Entity::find().filter(snapshot::Column::HostId.eq(host));
    if let Some(r) = repository {
        q = q.filter(snapshot::Column::RepositoryId.eq(r));
    }
    q
}

/// One page of a host's snapshots (of one repository or all), newest first, after `after`.
pub fn snapshots_query(
    host: Uuid,
    repository: Option<Uuid>,
    after: Option<&SnapshotKey>,
    limit: u64,
) -> sea_orm::Select<snapshot::Entity> {
    use sea_orm::Condition;
    use snapshot::Column as C;
    let mut q = host_snapshots(host, repository);
    if let Some((t, snap, repo)) = after {
        q = q.filter(C::Time.lte(*t)).filter(
            Condition::any().add(C::Time.lt(*t)).add(C::SnapshotId.lt(snap.as_str())).add(
                Condition::all()
                    .add(C::SnapshotId.eq(snap.as_str()))
                    .add(C::RepositoryId.lt(*repo)),
            ),
        );
    }
    q.order_by_desc(C::Time)
        .order_by_desc(C::SnapshotId)
        .order_by_desc(C::RepositoryId)
        .limit(limit)
}

pub async fn snapshots<C: ConnectionTrait>(
    db: &C,
    host: Uuid,
    repository: Option<Uuid>,
    after: Option<&SnapshotKey>,
    limit: u64,
) -> Result<Vec<SnapshotRow>, StoreError> {
    Ok(snapshots_query(host, repository, after, limit).all(db).await?)
}

/// The query counting a host's snapshots, at most `cap + 1` of them.
pub fn snapshots_count_query(
    backend: DbBackend,
    host: Uuid,
    repository: Option<Uuid>,
    cap: u64,
) -> Statement {
    let inner = host_snapshots(host, repository)
        .select_only()
        .column(snapshot::Column::SnapshotId)
        .limit(cap + 1);
    super::count_statement(backend, inner)
}

pub async fn count_snapshots<C: ConnectionTrait>(
    db: &C,
    host: Uuid,
    repository: Option<Uuid>,
    cap: u64,
) -> Result<u64, StoreError> {
    super::count_capped(db, snapshots_count_query(db.get_database_backend(), host, repository, cap))
        .await
}

/// The backups that made these snapshots (for "size added" per snapshot).
pub async fn backups_by_snapshot<C: ConnectionTrait>(
    db: &C,
    host: Uuid,
    snapshot_ids: &[String],
) -> Result<Vec<JobRow>, StoreError> {
    if snapshot_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(job::Entity::find()
        .filter(job::Column::HostId.eq(host))
        .filter(job::Column::SnapshotId.is_in(snapshot_ids.iter().cloned()))
        .all(db)
        .await?)
}
