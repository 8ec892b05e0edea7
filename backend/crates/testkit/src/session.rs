//! The clients of the test kit: a `Session` behaves like the web app (cookies and CSRF
//! header) or like a script (a bearer token); every answer is contract-checked.

use reqwest::{Method, StatusCode, cookie::CookieStore};
use serde::{Serialize, de::DeserializeOwned};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{agent, api, contract};

/// A client bound to one server, sending the CSRF header (from its cookie) like the web app.
#[derive(Clone)]
pub struct Session {
    pub client: reqwest::Client,
    pub(crate) jar: Option<std::sync::Arc<reqwest::cookie::Jar>>,
    pub(crate) base: String,
    pub(crate) bearer: Option<String>,
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
