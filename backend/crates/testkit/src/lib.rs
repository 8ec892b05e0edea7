//! Test kit: starts the real Cairn server in-process on 127.0.0.1:0 with a fresh data
//! directory and a fresh database (SQLite always; PostgreSQL when CAIRN_TEST_DATABASE_URL
//! is set), and gives tests HTTP clients that behave like a browser or a script.

pub mod agent;
pub mod contract;

pub use contract::SendChecked;

use std::sync::atomic::{AtomicU32, Ordering};

use cairn_server::{Config, Running};
use reqwest::{Method, StatusCode, cookie::CookieStore};
use serde_json::{Value, json};

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

/// Generates `sqlite::name` and `postgres::name` tokio tests from `async fn name(db: Db)`.
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
                        None => eprintln!("skipped: CAIRN_TEST_DATABASE_URL is not set"),
                    }
                }
            )*
        }
    };
}

pub const ADMIN: &str = "admin";
pub const PASSWORD: &str = "correct-otter-battery-42";

static COUNTER: AtomicU32 = AtomicU32::new(0);

pub struct TestApp {
    pub base: String,
    pub config: Config,
    pub data_dir: tempfile::TempDir,
    running: Option<Running>,
}

async fn fresh_postgres(server_url: &str) -> String {
    use sea_orm::{ConnectionTrait, Database};
    let name = format!(
        "cairn_t_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst),
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    );
    let admin = Database::connect(server_url).await.expect("connect to CAIRN_TEST_DATABASE_URL");
    admin
        .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
        .await
        .expect("create test database");
    let _ = admin.close().await;
    let (base, _) = server_url.rsplit_once('/').expect("database URL has a path");
    format!("{base}/{name}")
}

impl TestApp {
    pub async fn spawn(db: Db) -> TestApp {
        Self::spawn_with(db, |_| {}).await
    }

    /// Starts a server; `tweak` adjusts the configuration first.
    pub async fn spawn_with(db: Db, tweak: impl FnOnce(&mut Config)) -> TestApp {
        let data_dir = tempfile::tempdir().expect("temp dir");
        let database_url = match &db {
            Db::Sqlite => format!("sqlite://{}", data_dir.path().join("cairn.db").display()),
            Db::Postgres(url) => fresh_postgres(url).await,
        };
        let mut config = Config {
            listen: "127.0.0.1:0".into(),
            data_dir: data_dir.path().to_path_buf(),
            database_url,
            ..Config::default()
        };
        config.database.max_connections = 8;
        tweak(&mut config);
        let running = cairn_server::start(config.clone()).await.expect("server starts");
        let scheme = if config.tls.enabled() { "https" } else { "http" };
        let base = format!("{scheme}://{}", running.addr);
        config.public_url = base.clone();
        TestApp { base, config, data_dir, running: Some(running) }
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

    /// Stops the server (graceful shutdown) and keeps the data directory.
    pub async fn stop(&mut self) {
        if let Some(r) = self.running.take() {
            r.stop().await;
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
