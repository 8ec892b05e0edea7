//! The databases tests run on: SQLite always, PostgreSQL when CAIRN_TEST_DATABASE_URL is
//! set (required when CI is set), one fresh database per test, dropped when it ends.

use std::sync::atomic::{AtomicU32, Ordering};

use uuid::Uuid;

/// Which database engine a test runs on.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite,
    /// A server URL such as postgres://postgres@127.0.0.1:5432/cairn_test_run.
    Postgres(String),
}

impl Db {
    /// PostgreSQL when CAIRN_TEST_DATABASE_URL is set, else None (the test is skipped).
    pub fn postgres() -> Option<Db> {
        std::env::var("CAIRN_TEST_DATABASE_URL").ok().filter(|s| !s.is_empty()).map(Db::Postgres)
    }
}

/// True when `CI` is set to anything but empty, `0` or `false` (CI runners set `CI=true`).
pub fn on_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !matches!(v.trim(), "" | "0" | "false" | "FALSE" | "False"))
}

/// What a PostgreSQL variant does without CAIRN_TEST_DATABASE_URL: on a developer's machine
/// it is skipped (with a note), on CI it fails, as a skipped suite there would pass unseen.
pub fn postgres_missing() {
    assert!(
        !on_ci(),
        "CI is set but CAIRN_TEST_DATABASE_URL is not, so this PostgreSQL test cannot run. \
         Start PostgreSQL on 127.0.0.1:5432 (`make test-rust` then sets the URL itself) or set \
         CAIRN_TEST_DATABASE_URL=postgres://user@host:port/database"
    );
    eprintln!("skipped: CAIRN_TEST_DATABASE_URL is not set");
}

/// Generates `sqlite::name` and `postgres::name` tokio tests from `async fn name(db: Db)`.
/// Without CAIRN_TEST_DATABASE_URL the PostgreSQL variant is skipped, or fails when `CI` is
/// set (`postgres_missing`).
#[macro_export]
macro_rules! db_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() { super::$name($crate::Db::Sqlite).await }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    match $crate::Db::postgres() {
                        Some(db) => super::$name(db).await,
                        None => $crate::postgres_missing(),
                    }
                }
            )*
        }
    };
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// The test's own database on the server CAIRN_TEST_DATABASE_URL names.
pub(crate) struct PgDatabase {
    /// CAIRN_TEST_DATABASE_URL: where to connect to create and drop it (never itself).
    server_url: String,
    name: String,
}

impl PgDatabase {
    /// Creates `cairn_t_<pid>_<n>_<random>` and returns it with its URL.
    pub(crate) async fn create(server_url: &str) -> (PgDatabase, String) {
        use sea_orm::{ConnectionTrait, Database};
        let name = format!(
            "cairn_t_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst),
            &Uuid::new_v4().simple().to_string()[..8]
        );
        let admin =
            Database::connect(server_url).await.expect("connect to CAIRN_TEST_DATABASE_URL");
        admin
            .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
            .await
            .expect("create test database");
        let _ = admin.close().await;
        let (base, _) = server_url.rsplit_once('/').expect("database URL has a path");
        let url = format!("{base}/{name}");
        (PgDatabase { server_url: server_url.to_string(), name }, url)
    }

    /// Drops the database, also when connections to it are left (`WITH (FORCE)`, PostgreSQL
    /// 13+: a server being shut down may still hold some). Runs on a thread of its own with
    /// its own runtime, so it works from `Drop` in any test (a current-thread runtime too)
    /// and during a panic; it reports a failure rather than panicking (`make test-rust`
    /// sweeps whatever is left).
    pub(crate) fn drop_now(self) {
        let PgDatabase { server_url, name } = self;
        let worker = std::thread::spawn(move || -> Result<(), String> {
            use sea_orm::{ConnectionTrait, Database};
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            rt.block_on(async {
                let admin = Database::connect(&server_url).await.map_err(|e| e.to_string())?;
                let sql = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
                // A connection the server's pool opens at that very moment can make it fail
                // once; the next try terminates that one too.
                let mut dropped = Ok(());
                for _ in 0..3 {
                    dropped = admin.execute_unprepared(&sql).await.map(|_| ());
                    if dropped.is_ok() {
                        break;
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                }
                let _ = admin.close().await;
                dropped.map_err(|e| format!("{name}: {e}"))
            })
        });
        match worker.join() {
            Ok(Ok(())) => {}
            Ok(Err(e)) => eprintln!("testkit: could not drop the test database: {e}"),
            Err(_) => eprintln!("testkit: the thread dropping the test database panicked"),
        }
    }
}
