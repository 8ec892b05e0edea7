//! Test kit: starts the real Cairn server in-process on 127.0.0.1:0 with a fresh data
//! directory and a fresh database (SQLite always; PostgreSQL when CAIRN_TEST_DATABASE_URL
//! is set), and gives tests HTTP clients that behave like a browser or a script.

pub mod agent;
pub mod api;
pub mod contract;
mod db;
pub mod idp;
pub mod receivers;
mod session;

use db::PgDatabase;
pub use db::{Db, on_ci, postgres_missing};
pub use session::*;

/// The first admin `bootstrap` makes, and the password every test user gets.
pub const ADMIN: &str = "admin";
pub const PASSWORD: &str = "correct-otter-battery-42";

pub use contract::SendChecked;

use cairn_server::{Config, Running};
use reqwest::StatusCode;
use serde_json::{Value, json};

pub use reqwest;
pub use serde_json;

/// A server of one test. Dropping it (at the end of the test, or when it panics) stops the
/// server and drops its PostgreSQL database.
pub struct TestApp {
    pub base: String,
    pub config: Config,
    pub data_dir: tempfile::TempDir,
    running: Option<Running>,
    postgres: Option<PgDatabase>,
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

    /// A "browser" that keeps cookies but does not follow redirects (to read where a
    /// single sign-on step sends it).
    pub fn browser_no_redirects(&self) -> Session {
        let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
        let client = self
            .client_builder()
            .cookie_provider(jar.clone())
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
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

/// The set-up most job tests start from: a server (polls held 1 s), its admin signed in,
/// a repository "main", and an enrolled agent linked to it that has polled once.
pub struct OneHost {
    pub app: TestApp,
    pub admin: Session,
    pub agent: agent::SimAgent,
    pub host: uuid::Uuid,
    pub repo: uuid::Uuid,
}

impl OneHost {
    pub async fn new(db: Db, hostname: &str) -> OneHost {
        Self::with_poll_timeout(db, hostname, 1).await
    }

    /// [`OneHost::new`] with polls held up to `secs` (a held poll is what a deliver wakes).
    pub async fn with_poll_timeout(db: Db, hostname: &str, secs: u64) -> OneHost {
        Self::with_config(db, hostname, |c| c.agents.poll_timeout_secs = secs).await
    }

    /// [`OneHost::new`] on a server whose configuration `tweak` changed (polls held 1 s
    /// unless it says otherwise).
    pub async fn with_config(db: Db, hostname: &str, tweak: impl FnOnce(&mut Config)) -> OneHost {
        let app = TestApp::spawn_with(db, |c| {
            c.agents.poll_timeout_secs = 1;
            tweak(c)
        })
        .await;
        let admin = app.bootstrap().await;
        let repo = admin
            .create_repository(&api::NewRepository::new("main", "/srv/restic", "repo-pass-123"))
            .await
            .id;
        let agent = admin.enroll_agent(hostname, &api::NewEnrollmentToken::linked_to(repo)).await;
        let host = agent.id.expect("an enrolled agent has a host id");
        agent.poll_ok(0).await;
        OneHost { app, admin, agent, host, repo }
    }

    /// Polls until the server's next question to the agent arrives (at most 10 s): the
    /// whole `ask` command.
    pub async fn next_question(&self) -> serde_json::Value {
        let t0 = std::time::Instant::now();
        loop {
            let v: serde_json::Value =
                self.agent.poll(1).await.json().await.expect("a poll answer");
            if let Some(c) = v["commands"]
                .as_array()
                .and_then(|cs| cs.iter().find(|c| c["action"]["kind"] == "ask"))
            {
                return c.clone();
            }
            assert!(t0.elapsed() < std::time::Duration::from_secs(10), "no question arrived");
        }
    }
}
