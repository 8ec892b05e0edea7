//! A real OpenID provider for the sign-in tests: npm `oidc-provider` (OpenID Certified),
//! started from `crates/testkit/oidc-provider/provider.mjs` on a free port with the clients
//! and users a test gives (users in a file the provider reads again at every login, so a
//! test can change a user's groups between two logins), and a browser stand-in that signs
//! in on its login form and returns where the provider sent it back.

use std::{path::PathBuf, process::Stdio, time::Duration};

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};

pub struct Idp {
    pub issuer: String,
    users_file: PathBuf,
    _dir: tempfile::TempDir,
    child: tokio::process::Child,
}

fn provider_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("oidc-provider")
}

impl Idp {
    /// Starts the provider with `clients` (`[{client_id, client_secret, redirect_uris}]`) and
    /// `users` (`[{username, password, email, email_verified, name, groups}]`).
    pub async fn start(clients: Value, users: Value) -> Idp {
        let dir = tempfile::tempdir().expect("temp dir");
        let users_file = dir.path().join("users.json");
        std::fs::write(&users_file, users.to_string()).expect("write users");
        let idp = provider_dir();
        assert!(
            idp.join("node_modules").exists(),
            "the test provider's packages are missing: run `make deps-oidc` (npm ci in {})",
            idp.display()
        );
        let mut child = tokio::process::Command::new("node")
            .arg(idp.join("provider.mjs"))
            .env("OIDC_PORT", "0")
            .env("OIDC_CLIENTS", clients.to_string())
            .env("OIDC_USERS", &users_file)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("start node provider.mjs");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let first = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
            .await
            .expect("the provider printed nothing in 30 s")
            .expect("read the provider's output")
            .expect("the provider exited before it was ready");
        let ready: Value = serde_json::from_str(&first).expect("the provider's ready line");
        let issuer = ready["issuer"].as_str().expect("issuer").to_string();
        Idp { issuer, users_file, _dir: dir, child }
    }

    /// Replaces the users (the next login reads them).
    pub fn set_users(&self, users: Value) {
        std::fs::write(&self.users_file, users.to_string()).expect("write users");
    }

    /// Signs `username` in at `authorize_url` as a browser would (a cookie jar, the login
    /// form posted) and returns the URL the provider finally sends the browser to: the
    /// client's redirect URI with `code` and `state`, or with `error`.
    pub async fn sign_in(&self, authorize_url: &str, username: &str, password: &str) -> String {
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        let mut url = authorize_url.to_string();
        for _ in 0..20 {
            let r = http.get(&url).send().await.expect("GET");
            if r.status().is_redirection() {
                let next = location(&url, &r);
                if !next.starts_with(&self.issuer) {
                    return next;
                }
                url = next;
                continue;
            }
            let page = r.text().await.expect("page");
            assert!(page.contains("idp-username"), "not the login form at {url}: {page}");
            // The form posts to /interaction/<uid>/login.
            let post = format!("{}/login", url.trim_end_matches('/'));
            let r = http
                .post(&post)
                .form(&[("username", username), ("password", password)])
                .send()
                .await
                .expect("POST login");
            if !r.status().is_redirection() {
                return format!("login-refused:{}", r.status());
            }
            url = location(&post, &r);
            if !url.starts_with(&self.issuer) {
                return url;
            }
        }
        panic!("the provider never sent the browser back");
    }
}

fn location(base: &str, r: &reqwest::Response) -> String {
    let loc = r.headers().get("location").and_then(|v| v.to_str().ok()).expect("Location");
    reqwest::Url::parse(base).and_then(|b| b.join(loc)).map(String::from).expect("a URL")
}

impl Drop for Idp {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}
