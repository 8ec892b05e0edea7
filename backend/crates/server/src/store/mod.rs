//! The store: the only place that talks SQL. It owns the connection pool and the single
//! writer path SQLite needs (an async mutex around write transactions), so concurrent
//! requests queue instead of failing with "database is locked".

pub mod alerts;
pub mod audit;
pub mod channels;
pub mod commands;
pub mod drill_schedules;
pub mod enrollment;
pub mod entities;
pub mod epoch;
pub mod history;
pub mod hosts;
pub mod jobs;
pub(crate) mod positional;
pub mod repositories;
pub mod schedules;
pub mod scope;
pub mod sessions;
pub mod settings;
pub mod snapshots;
pub mod sso;
pub mod tokens;
pub mod users;
pub mod watch;

use std::{ops::Deref, sync::Arc, time::Duration};

use cairn_migration::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    DbErr, SqliteTransactionMode, Statement, TransactionOptions, TransactionTrait,
    sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous},
};
use tokio::sync::{Mutex, OwnedMutexGuard};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(#[from] DbErr),
    #[error("cannot prepare the database location: {0}")]
    Io(#[from] std::io::Error),
}

#[derive(Clone)]
pub struct Store {
    db: DatabaseConnection,
    /// Present for SQLite only: serialises write transactions (PostgreSQL handles its own).
    write_lock: Option<Arc<Mutex<()>>>,
}

/// A write transaction; on SQLite it also holds the writer lock until commit or drop.
pub struct WriteTxn {
    txn: DatabaseTransaction,
    _guard: Option<OwnedMutexGuard<()>>,
    /// [`epoch::AUTH`] at BEGIN: when it moved meanwhile, the commit moves it again.
    auth_epoch: u64,
}

impl Deref for WriteTxn {
    type Target = DatabaseTransaction;
    fn deref(&self) -> &DatabaseTransaction {
        &self.txn
    }
}

/// Rows sqlx may queue between SQLite's thread and the caller: more than the largest page
/// any query reads (a log page: 5,000 lines, plus one to see whether more follow).
const ROW_BUFFER: usize = 5_001;

/// A PostgreSQL connection idle at least this long is pinged before it is handed out.
const PING_AFTER_IDLE: Duration = Duration::from_secs(1);

impl WriteTxn {
    pub async fn commit(self) -> Result<(), StoreError> {
        self.txn.commit().await?;
        // Users, tokens or sessions may have changed in this transaction: what a reader
        // remembered before they became visible must not pass for current.
        if epoch::AUTH.now() != self.auth_epoch {
            epoch::AUTH.bump();
        }
        Ok(())
    }

    pub fn backend(&self) -> DbBackend {
        self.txn.get_database_backend()
    }
}

/// The right to run the periodic sweep now, held until dropped: on PostgreSQL an open
/// transaction holding a transaction-level advisory lock (released with it, even when the
/// replica dies mid-sweep); on SQLite, which has one server, nothing to hold.
pub struct Leadership(Option<DatabaseTransaction>);

impl Leadership {
    /// Lets another replica lead (ends the transaction now rather than when dropped).
    pub async fn release(self) -> Result<(), StoreError> {
        if let Some(txn) = self.0 {
            txn.rollback().await?;
        }
        Ok(())
    }
}

/// Statements run by every store of this process: one relaxed atomic add each, read by the
/// benchmarks (how many queries a sweep costs) and meant for the metrics endpoint.
static STATEMENTS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// The statements this process's stores have run so far.
pub fn statements_run() -> u64 {
    STATEMENTS.load(std::sync::atomic::Ordering::Relaxed)
}

/// The advisory lock key of the periodic sweep (alert evaluation, leases, schedule fires).
pub const SWEEP_LOCK: i64 = 0x6361_6972_6e00_0002;

impl Store {
    /// Takes the lock `key` if no other replica holds it; `None` when one does.
    pub async fn try_lead(&self, key: i64) -> Result<Option<Leadership>, StoreError> {
        if self.write_lock.is_some() {
            return Ok(Some(Leadership(None)));
        }
        let txn = self.db.begin().await?;
        let sql = format!("SELECT pg_try_advisory_xact_lock({key})");
        let row = txn.query_one_raw(Statement::from_string(DbBackend::Postgres, sql)).await?;
        let got = match row {
            Some(r) => r.try_get_by_index::<bool>(0)?,
            None => false,
        };
        if got {
            Ok(Some(Leadership(Some(txn))))
        } else {
            txn.rollback().await?;
            Ok(None)
        }
    }

    pub async fn connect(
        url: &str,
        max_connections: u32,
        busy_timeout: Duration,
    ) -> Result<Store, StoreError> {
        let is_sqlite = url.starts_with("sqlite:");
        if is_sqlite && let Some(file) = sqlite_file(url) {
            if let Some(parent) = file.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent)?;
            }
            // The database holds password and token hashes: owner-only from the start
            // (SQLite gives its -wal and -shm files the same mode).
            if !file.exists() {
                use std::os::unix::fs::OpenOptionsExt;
                std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&file)?;
            }
        }
        let mut opts = ConnectOptions::new(url.to_string());
        opts.max_connections(max_connections)
            .min_connections(1)
            .connect_timeout(Duration::from_secs(10))
            .sqlx_logging(false)
            .map_sqlx_sqlite_opts(move |o| {
                // Set before the first table exists, so pruned pages can be given back;
                // an existing file keeps its mode.
                o.create_if_missing(true)
                    .auto_vacuum(sea_orm::sqlx::sqlite::SqliteAutoVacuum::Incremental)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(busy_timeout)
                    .foreign_keys(true)
                    // sqlx hands each row from the connection's thread to the caller through
                    // a channel of this many; at its default (50) a page of a few hundred
                    // rows ping-pongs between the two threads (futex wake-ups were a sixth
                    // of the server's time on a log or audit page). A page's rows now cross
                    // in one go; memory stays bounded by the page, which LIMIT bounds.
                    .row_buffer_size(ROW_BUFFER)
            });
        if is_sqlite {
            // A connection to a local file does not go stale the way a network connection
            // does, and the check is one more round trip to the connection's thread on
            // every acquire (every agent request needs one).
            opts.test_before_acquire(false);
        } else {
            // A network connection can go stale (a database restart, a proxy or firewall
            // dropping idle sockets), but a ping on every acquire doubled the round trips of
            // every request (an API request takes two connections: the caller, then its
            // data). Only a connection idle this long is pinged before it is handed out.
            opts.test_before_acquire_if_idle_for(PING_AFTER_IDLE);
        }
        let mut db = Database::connect(opts).await?;
        db.set_metric_callback(|_| {
            STATEMENTS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        });
        let write_lock = is_sqlite.then(|| Arc::new(Mutex::new(())));
        Ok(Store { db, write_lock })
    }

    /// Hands up to `pages` pages freed by a prune back to the file system on SQLite (a
    /// database created with `auto_vacuum = INCREMENTAL`; on an older file this frees
    /// nothing), in one short write. Returns the bytes given back; 0 when none are left to
    /// give, and always on PostgreSQL, whose autovacuum reuses the space by itself.
    pub async fn give_space_back(&self, pages: u32) -> Result<u64, StoreError> {
        if self.write_lock.is_none() {
            return Ok(0);
        }
        let txn = self.write().await?;
        let count = |sql: &'static str| {
            let txn = &txn;
            async move {
                let row = txn.query_one_raw(Statement::from_string(DbBackend::Sqlite, sql)).await?;
                Ok::<i64, StoreError>(match row {
                    Some(r) => r.try_get_by_index::<i64>(0)?,
                    None => 0,
                })
            }
        };
        let free = count("PRAGMA freelist_count").await?;
        if free == 0 {
            return Ok(0);
        }
        let page_size = count("PRAGMA page_size").await?;
        txn.execute_unprepared(&format!("PRAGMA incremental_vacuum({pages})")).await?;
        let left = count("PRAGMA freelist_count").await?;
        txn.commit().await?;
        Ok(((free - left).max(0) * page_size) as u64)
    }

    pub async fn migrate(&self) -> Result<(), StoreError> {
        Migrator::up(&self.db, None).await?;
        Ok(())
    }

    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    pub fn backend(&self) -> DbBackend {
        self.db.get_database_backend()
    }

    /// Starts a write transaction on the single writer path.
    pub async fn write(&self) -> Result<WriteTxn, StoreError> {
        let guard = match &self.write_lock {
            Some(lock) => Some(lock.clone().lock_owned().await),
            None => None,
        };
        // IMMEDIATE takes SQLite's write lock at BEGIN, so a writer in another process
        // (an admin command) waits in busy_timeout instead of failing on lock upgrade.
        let options = TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..Default::default()
        };
        let auth_epoch = epoch::AUTH.now();
        let txn = self.db.begin_with_options(options).await?;
        Ok(WriteTxn { txn, _guard: guard, auth_epoch })
    }

    pub async fn ping(&self) -> Result<(), StoreError> {
        self.db.ping().await?;
        Ok(())
    }

    pub async fn close(self) {
        let _ = self.db.close().await;
    }
}

/// The file path of a `sqlite://path?opts` URL, if it names a file.
fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next()?;
    if path.is_empty() || path == ":memory:" {
        return None;
    }
    Some(std::path::PathBuf::from(path))
}

/// Escapes `%` and `_` for a LIKE pattern and wraps it for "contains".
pub(crate) fn like_contains(s: &str) -> String {
    let escaped = s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{escaped}%")
}

/// `head` followed by `rows` groups of `cols` placeholders, in the backend's style (`?` or
/// `$n`), then `tail` (an ON CONFLICT clause, or nothing): a multi-row INSERT built once,
/// where sea-orm would build a model and a value tree per row.
pub fn multi_row_sql(
    backend: DbBackend,
    head: &str,
    cols: usize,
    rows: usize,
    tail: &str,
) -> String {
    use std::fmt::Write;
    let mut sql = String::with_capacity(head.len() + tail.len() + rows * cols * 4);
    sql.push_str(head);
    for i in 0..rows {
        sql.push_str(if i > 0 { ",(" } else { "(" });
        for c in 0..cols {
            if c > 0 {
                sql.push(',');
            }
            if backend == DbBackend::Postgres {
                let _ = write!(sql, "${}", i * cols + c + 1);
            } else {
                sql.push('?');
            }
        }
        sql.push(')');
    }
    sql.push_str(tail);
    sql
}

/// `SELECT COUNT(*)` over `inner`, a query that selects one column and stops at its
/// LIMIT: a count that reads at most that many index entries, whatever the table's size.
pub fn count_statement<E: sea_orm::EntityTrait>(
    backend: DbBackend,
    inner: sea_orm::Select<E>,
) -> sea_orm::Statement {
    use sea_orm::{
        QueryTrait,
        sea_query::{Alias, Expr, Query},
    };
    let stmt = Query::select()
        .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
        .from_subquery(inner.into_query(), Alias::new("page"))
        .to_owned();
    backend.build(&stmt)
}

/// Runs a [`count_statement`].
pub(crate) async fn count_capped<C: ConnectionTrait>(
    db: &C,
    stmt: sea_orm::Statement,
) -> Result<u64, StoreError> {
    let n: i64 = match db.query_one_raw(stmt).await? {
        Some(r) => r.try_get("", "n")?,
        None => 0,
    };
    Ok(n.max(0) as u64)
}
