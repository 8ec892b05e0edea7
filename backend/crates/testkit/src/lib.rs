//! Test kit: starts the real Cairn server in-process on 127.0.0.1:0 with a fresh data
//! directory and a fresh database (SQLite always; PostgreSQL when CAIRN_TEST_DATABASE_URL
//! is set), and gives tests HTTP clients that behave like a browser or a script.

pub mod agent;
pub mod api;
pub mod contract;

pub use contract::SendChecked;

use std::sync::atomic::{AtomicU32, Ordering};

use cairn_server::{Config, Running};
use reqwest::{Method, StatusCode, cookie::CookieStore};
use serde::{Serialize, de::DeserializeOwned};
use serde_json::{Value, json};
use uuid::Uuid;

pub use reqwest;
pub use serde_json;

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

pub const ADMIN: &str = "admin";
pub const PASSWORD: &str = "correct-otter-battery-42";

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A server of one test. Dropping it (at the end of the test, or when it panics) stops the
/// server and drops its PostgreSQL database.
pub struct TestApp {
    pub base: String,
    pub config: Config,
    pub data_dir: tempfile::TempDir,
    running: Option<Running>,
    postgres: Option<PgDatabase>,
}

/// The test's own database on the server CAIRN_TEST_DATABASE_URL names.
struct PgDatabase {
    /// CAIRN_TEST_DATABASE_URL: where to connect to create and drop it (never itself).
    server_url: String,
    name: String,
}

impl PgDatabase {
    /// Creates `cairn_t_<pid>_<n>_<random>` and returns it with its URL.
    async fn create(server_url: &str) -> (PgDatabase, String) {
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
    fn drop_now(self) {
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

impl TestApp {
    pub async fn spawn(db: Db) -> TestApp {
        Self::spawn_with(db, |_| {}).await
    }

    /// Starts a server; `tweak` adjusts the configuration first.
    pub async fn spawn_with(db: Db, tweak: impl FnOnce(&mut Config)) -> TestApp {
        let data_dir = tempfile::tempdir().expect("temp dir");
        let (postgres, database_url) = match &db {
            Db::Sqlite => {
                (None, format!("sqlite://{}", data_dir.path().join("cairn.db").display()))
            }
            Db::Postgres(url) => {
                let (created, url) = PgDatabase::create(url).await;
                (Some(created), url)
            }
        };
        // From here on a failure (the server does not start) still drops the database.
        let mut app = TestApp {
            base: String::new(),
            config: Config::default(),
            data_dir,
            running: None,
            postgres,
        };
        let mut config = Config {
            listen: "127.0.0.1:0".into(),
            data_dir: app.data_dir.path().to_path_buf(),
            database_url,
            ..Config::default()
        };
        config.database.max_connections = 8;
        tweak(&mut config);
        let running = cairn_server::start(config.clone()).await.expect("server starts");
        let scheme = if config.tls.enabled() { "https" } else { "http" };
        app.base = format!("{scheme}://{}", running.addr);
        config.public_url = app.base.clone();
        app.config = config;
        app.running = Some(running);
        app
    }

    /// A client builder that trusts the server's own (self-signed) certificate in TLS tests.
    fn client_builder(&self) -> reqwest::ClientBuilder {
        reqwest::Client::builder()
            .user_agent("cairn-testkit")
            .danger_accept_invalid_certs(self.config.tls.enabled())
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Direct access to the server's store (to tamper with rows, count, etc.).
    pub fn state(&self) -> &cairn_server::AppState {
        &self.running.as_ref().expect("running").state
    }

    pub fn setup_token(&self) -> String {
        std::fs::read_to_string(self.data_dir.path().join("setup-token"))
            .expect("setup-token file")
            .trim()
            .to_string()
    }

    /// A new cookie-keeping client: one "browser".
    pub fn browser(&self) -> Session {
        let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
        let client = self.client_builder().cookie_provider(jar.clone()).build().expect("client");
        Session { client, jar: Some(jar), base: self.base.clone(), bearer: None }
    }

    /// A client that authenticates with a personal access token.
    pub fn with_token(&self, token: &str) -> Session {
        let client = self.client_builder().build().expect("client");
        Session { client, jar: None, base: self.base.clone(), bearer: Some(token.to_string()) }
    }

    /// An anonymous client (no cookies, no token).
    pub fn anonymous(&self) -> Session {
        self.with_token_opt(None)
    }

    fn with_token_opt(&self, token: Option<&str>) -> Session {
        let client = self.client_builder().build().expect("client");
        Session { client, jar: None, base: self.base.clone(), bearer: token.map(str::to_string) }
    }

    /// Completes first-run setup as `admin` and returns the signed-in browser.
    pub async fn bootstrap(&self) -> Session {
        self.bootstrap_with(PASSWORD).await
    }

    /// `bootstrap` with another password (for servers that want longer ones).
    pub async fn bootstrap_with(&self, password: &str) -> Session {
        let s = self.browser();
        let r = s
            .post(
                "/api/v1/setup",
                json!({ "token": self.setup_token(), "username": ADMIN, "password": password }),
            )
            .await;
        assert_eq!(
            r.status(),
            StatusCode::CREATED,
            "setup: {}",
            r.text().await.unwrap_or_default()
        );
        s
    }

    pub async fn login(&self, username: &str, password: &str) -> Session {
        let s = self.browser();
        let r = s
            .post("/api/v1/auth/login", json!({ "username": username, "password": password }))
            .await;
        assert_eq!(
            r.status(),
            StatusCode::OK,
            "login {username}: {}",
            r.text().await.unwrap_or_default()
        );
        s
    }

    /// Creates a user through the API as `admin` and returns its id.
    pub async fn create_user(&self, admin: &Session, username: &str, role: &str) -> String {
        let r = admin
            .post(
                "/api/v1/users",
                json!({ "username": username, "role": role, "password": PASSWORD }),
            )
            .await;
        assert_eq!(
            r.status(),
            StatusCode::CREATED,
            "create {username}: {}",
            r.text().await.unwrap_or_default()
        );
        let v: Value = r.json().await.expect("json");
        v["id"].as_str().expect("id").to_string()
    }

    /// Creates a personal access token for the signed-in user and returns its secret.
    pub async fn token(&self, session: &Session, name: &str) -> String {
        let r = session.post("/api/v1/auth/tokens", json!({ "name": name })).await;
        assert_eq!(
            r.status(),
            StatusCode::CREATED,
            "token: {}",
            r.text().await.unwrap_or_default()
        );
        let v: Value = r.json().await.expect("json");
        v["secret"].as_str().expect("secret").to_string()
    }

    /// Stops the server (graceful shutdown) and keeps the data directory and the database:
    /// a test may start a server on them again. Both go when the `TestApp` is dropped.
    pub async fn stop(&mut self) {
        if let Some(r) = self.running.take() {
            r.stop().await;
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Dropping `Running` closes its shutdown channel: the server stops in the background
        // (waiting for it here could take its whole grace period); what it still holds of
        // the database, DROP … WITH (FORCE) ends.
        drop(self.running.take());
        if let Some(db) = self.postgres.take() {
            db.drop_now();
        }
    }
}

/// A client bound to one server, sending the CSRF header (from its cookie) like the web app.
#[derive(Clone)]
pub struct Session {
    pub client: reqwest::Client,
    jar: Option<std::sync::Arc<reqwest::cookie::Jar>>,
    base: String,
    bearer: Option<String>,
}

impl Session {
    /// A new cookie-keeping client ("browser") for a server at `base` that no `TestApp`
    /// runs, e.g. the cairn-server binary started as a process.
    pub fn browser_at(base: &str) -> Session {
        let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
        let client = reqwest::Client::builder()
            .user_agent("cairn-testkit")
            .cookie_provider(jar.clone())
            .build()
            .expect("client");
        Session { client, jar: Some(jar), base: base.to_string(), bearer: None }
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        let jar = self.jar.as_ref()?;
        let url: reqwest::Url = format!("{}/api/v1/auth/x", self.base).parse().ok()?;
        let header = jar.cookies(&url)?;
        header.to_str().ok()?.split("; ").find_map(|kv| {
            kv.split_once('=').filter(|(k, _)| *k == name).map(|(_, v)| v.to_string())
        })
    }

    pub fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        let mut rb = self.client.request(method.clone(), format!("{}{}", self.base, path));
        if let Some(t) = &self.bearer {
            rb = rb.bearer_auth(t);
        }
        if method != Method::GET
            && let Some(csrf) = self.cookie("cairn_csrf")
        {
            rb = rb.header("X-CSRF-Token", csrf);
        }
        rb
    }

    /// Sends a request built with `request` and checks its answer against the contract.
    pub async fn send(&self, rb: reqwest::RequestBuilder) -> reqwest::Response {
        contract::send(rb).await
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        contract::send(self.request(Method::GET, path)).await
    }

    pub async fn post(&self, path: &str, body: Value) -> reqwest::Response {
        contract::send(self.request(Method::POST, path).json(&body)).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> reqwest::Response {
        contract::send(self.request(Method::PATCH, path).json(&body)).await
    }

    pub async fn put_json(&self, path: &str, body: Value) -> reqwest::Response {
        contract::send(self.request(Method::PUT, path).json(&body)).await
    }

    pub async fn delete(&self, path: &str) -> reqwest::Response {
        contract::send(self.request(Method::DELETE, path)).await
    }

    /// A request with a typed body (one of `api`'s).
    pub async fn send_json(
        &self,
        method: Method,
        path: &str,
        body: &impl Serialize,
    ) -> reqwest::Response {
        contract::send(self.request(method, path).json(body)).await
    }

    /// `GET path`, expecting 200 and an answer of type `T`.
    pub async fn get_as<T: DeserializeOwned>(&self, path: &str) -> T {
        expect_json(self.get(path).await, StatusCode::OK, &format!("GET {path}")).await
    }

    // ---- typed helpers: each asserts its documented success status and returns the answer.

    /// `POST /api/v1/repositories`.
    pub async fn create_repository(&self, repo: &api::NewRepository) -> api::Repository {
        let r = self.send_json(Method::POST, "/api/v1/repositories", repo).await;
        expect_json(r, StatusCode::CREATED, "create a repository").await
    }

    /// `POST /api/v1/enrollment-tokens`.
    pub async fn enrollment_token(
        &self,
        token: &api::NewEnrollmentToken,
    ) -> api::CreatedEnrollmentToken {
        let r = self.send_json(Method::POST, "/api/v1/enrollment-tokens", token).await;
        expect_json(r, StatusCode::CREATED, "create an enrollment token").await
    }

    /// A simulated agent named `hostname`, enrolled with a new token made from `token`.
    pub async fn enroll_agent(
        &self,
        hostname: &str,
        token: &api::NewEnrollmentToken,
    ) -> agent::SimAgent {
        let secret = self.enrollment_token(token).await.secret;
        let mut agent = agent::SimAgent::new(&self.base, hostname);
        agent.enroll_ok(&secret).await;
        agent
    }

    /// `PUT /api/v1/hosts/{host}/repositories`: the host's whole list of repositories.
    pub async fn link_repositories(&self, host: Uuid, repositories: &[Uuid]) -> api::Host {
        let path = format!("/api/v1/hosts/{host}/repositories");
        let r = self.put_json(&path, json!({ "repository_ids": repositories })).await;
        expect_json(r, StatusCode::OK, "link repositories").await
    }

    /// `POST /api/v1/hosts/{host}/backups`: the queued job.
    pub async fn start_backup(&self, host: Uuid, backup: &api::NewBackup) -> api::Job {
        let r =
            self.send_json(Method::POST, &format!("/api/v1/hosts/{host}/backups"), backup).await;
        expect_json(r, StatusCode::ACCEPTED, "start a backup").await
    }

    /// `POST /api/v1/repositories/{repository}/init` on `host`: the queued job.
    pub async fn init_repository(&self, repository: Uuid, host: Uuid) -> api::Job {
        let path = format!("/api/v1/repositories/{repository}/init");
        let r = self.post(&path, json!({ "host_id": host })).await;
        expect_json(r, StatusCode::ACCEPTED, "initialise a repository").await
    }

    /// `GET /api/v1/jobs/{id}`.
    pub async fn job(&self, id: Uuid) -> api::Job {
        self.get_as(&format!("/api/v1/jobs/{id}")).await
    }

    /// `GET /api/v1/hosts` (the first page).
    pub async fn hosts(&self) -> api::List<api::Host> {
        self.get_as("/api/v1/hosts").await
    }

    /// `GET /api/v1/pending-hosts`.
    pub async fn pending_hosts(&self) -> api::Items<api::PendingHost> {
        self.get_as("/api/v1/pending-hosts").await
    }

    /// `GET /api/v1/hosts/{host}/snapshots` (the first page).
    pub async fn snapshots(&self, host: Uuid) -> api::List<api::Snapshot> {
        self.get_as(&format!("/api/v1/hosts/{host}/snapshots")).await
    }

    /// Every stored log line of a job, page after page.
    pub async fn job_logs(&self, job: Uuid) -> Vec<api::LogLine> {
        let mut out = Vec::new();
        let mut after = 0;
        loop {
            let page: api::LogPage =
                self.get_as(&format!("/api/v1/jobs/{job}/logs?after={after}&limit=1000")).await;
            if page.items.is_empty() {
                return out;
            }
            after = page.next_after;
            out.extend(page.items);
        }
    }
}

/// Reads an answer of type `T` after checking its status; on another status the failure
/// shows the body. `what` names the request in that message.
pub async fn expect_json<T: DeserializeOwned>(
    r: reqwest::Response,
    status: StatusCode,
    what: &str,
) -> T {
    let got = r.status();
    let body = r.text().await.unwrap_or_default();
    assert_eq!(got, status, "{what}: {body}");
    serde_json::from_str(&body)
        .unwrap_or_else(|e| panic!("{what}: the answer does not parse ({e}): {body}"))
}

/// Reads a JSON error body and returns its `code` and the field `details` names (if any).
pub async fn error_field(r: reqwest::Response) -> (String, Option<String>) {
    let v: Value = r.json().await.expect("error body is JSON");
    let code = v["code"].as_str().expect("code").to_string();
    (code, v["details"]["field"].as_str().map(str::to_string))
}

/// Reads a JSON error body and returns its `code`, checking the `{code, message, details}` shape.
pub async fn error_code(r: reqwest::Response) -> String {
    let status = r.status();
    let v: Value = r.json().await.expect("error body is JSON");
    assert!(v["message"].as_str().is_some_and(|m| !m.is_empty()), "{status}: no message in {v}");
    assert!(v.get("details").is_some(), "{status}: no details in {v}");
    v["code"].as_str().expect("code").to_string()
}
