//! Layered configuration: built-in defaults, then an optional TOML file, then `CAIRN_*`
//! environment variables, then `CAIRN_*_FILE` variables that read a value from a file.
//! Unknown keys are an error everywhere so a typo never silently falls back to a default.

use std::{
    collections::BTreeMap,
    net::SocketAddr,
    path::{Path, PathBuf},
};

use serde::{Deserialize, Serialize};

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("invalid config: {0}")]
    Invalid(String),
}

/// How often a polling agent's last contact is written at most (domain::poll).
pub const HEARTBEAT_SECS: u64 = 15;

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Address the HTTP server binds to.
    pub listen: String,
    /// URL users reach the server at; decides cookie `Secure` and appears in links.
    pub public_url: String,
    /// `sqlite://path` (created if missing) or `postgres://user@host/db`.
    pub database_url: String,
    /// Directory for the secret key, the setup token and (unless database_url says
    /// otherwise) the SQLite database `cairn.db`.
    pub data_dir: PathBuf,
    /// Secret key file (32 random bytes, 0600); default `<data_dir>/secret.key`.
    pub secret_key_file: Option<PathBuf>,
    pub database: DatabaseConfig,
    pub http: HttpConfig,
    pub log: LogConfig,
    pub auth: AuthConfig,
    pub agents: AgentsConfig,
    pub history: HistoryConfig,
    pub alerts: AlertsConfig,
    pub tls: TlsConfig,
}

/// How alert notifications are sent ([docs/alerts.md](../../../docs/alerts.md)).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AlertsConfig {
    /// Private, loopback or link-local addresses (or networks, `10.0.0.0/8`) webhooks and
    /// ntfy may still reach; every other such address is refused.
    pub allow_targets: Vec<String>,
    /// Attempts per delivery before it is given up (with back-off between them).
    pub delivery_max_attempts: u32,
    /// Seconds one attempt may take.
    pub delivery_timeout_secs: u64,
}

impl Default for AlertsConfig {
    fn default() -> Self {
        Self { allow_targets: Vec::new(), delivery_max_attempts: 10, delivery_timeout_secs: 10 }
    }
}

/// How long history is kept ([docs/configuration.md](../../../docs/configuration.md)).
/// Pruning runs in the background in small batches; 0 keeps that part for ever.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HistoryConfig {
    /// The log lines of a job that ended more than this many days ago are removed; the job
    /// stays, saying when its log went.
    pub job_logs_days: u64,
    /// Ended jobs older than this many days are removed, except the newest
    /// `jobs_keep_per_host` of each host and every backup whose snapshot still exists.
    pub jobs_days: u64,
    pub jobs_keep_per_host: u64,
    /// Commands agents received more than this many days ago are removed.
    pub commands_days: u64,
    /// Audit events older than this many days are removed from the start of the chain,
    /// which stays verifiable from the recorded cut.
    pub audit_days: u64,
    /// Seconds between two pruning passes (0: never in the background).
    pub interval_secs: u64,
    /// Rows removed per transaction: small, so agents' writes never wait long.
    pub batch_size: u64,
}

impl Default for HistoryConfig {
    fn default() -> Self {
        Self {
            job_logs_days: 30,
            jobs_days: 180,
            jobs_keep_per_host: 20,
            commands_days: 7,
            audit_days: 400,
            interval_secs: 3600,
            batch_size: 500,
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TlsConfig {
    /// `off` (plain HTTP, e.g. behind a reverse proxy that terminates TLS), `self_signed`
    /// (a certificate made on first start and kept in `<data_dir>/tls/`; agents pin its
    /// fingerprint) or `files` (`cert_file` + `key_file`, re-read when they change).
    pub mode: String,
    /// PEM certificate chain, leaf first (mode `files`).
    pub cert_file: Option<PathBuf>,
    /// PEM private key: PKCS#8, PKCS#1 or SEC1 (mode `files`).
    pub key_file: Option<PathBuf>,
    /// Extra DNS names or IPs for the self-signed certificate, besides localhost, the
    /// machine's hostname and the host of `public_url`.
    pub self_signed_names: Vec<String>,
}

impl Default for TlsConfig {
    fn default() -> Self {
        Self { mode: "off".into(), cert_file: None, key_file: None, self_signed_names: Vec::new() }
    }
}

impl TlsConfig {
    pub fn enabled(&self) -> bool {
        self.mode != "off"
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AgentsConfig {
    /// How long a poll with nothing to deliver is held open.
    pub poll_timeout_secs: u64,
    /// A host with no poll for this long shows as offline.
    pub offline_after_secs: u64,
    /// Default lifetime of an enrollment token.
    pub enrollment_token_ttl_secs: u64,
    /// How long an announced agent waits for a decision before it expires.
    pub pending_ttl_hours: u64,
    /// At most this many announced agents wait at once (more get 409 announce.too_many_pending).
    pub max_pending: u64,
    /// Announcements accepted per source IP per hour.
    pub announce_per_ip_per_hour: u32,
    /// Agent requests processed at once; more wait, bodies already read, in arrival order.
    pub max_concurrent_requests: u32,
    /// How long a request that asks an agent a question (e.g. a repository probe) waits
    /// for the answer before it is `504 agent.no_answer`.
    pub ask_timeout_secs: u64,
    /// A prune, check, unlock or forget handed out longer than this is failed
    /// (`job.lease_expired`), so a hung one cannot hold its repository's backups back.
    pub maintenance_lease_hours: u64,
}

impl Default for AgentsConfig {
    fn default() -> Self {
        Self {
            poll_timeout_secs: 25,
            offline_after_secs: 90,
            enrollment_token_ttl_secs: 3600,
            pending_ttl_hours: 24,
            max_pending: 100,
            announce_per_ip_per_hour: 10,
            max_concurrent_requests: 256,
            ask_timeout_secs: 20,
            maintenance_lease_hours: 12,
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseConfig {
    pub max_connections: u32,
    /// SQLite only: how long a statement waits for a lock held by another process.
    pub sqlite_busy_timeout_ms: u64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HttpConfig {
    /// Largest accepted request body in bytes; larger ones get 413.
    pub body_limit_bytes: usize,
    /// Largest download from a snapshot (a file or an archive) streamed to a browser; 0 for
    /// no limit. A longer one is cut off there (the browser sees it fail).
    pub download_max_bytes: u64,
    /// Seconds in-flight requests get to finish after SIGTERM.
    pub shutdown_grace_secs: u64,
    /// Seconds a request may take to produce its response (not counting streamed bodies).
    pub request_timeout_secs: u64,
    /// Seconds an HTTP/1 client has to send a request's head; also how long a keep-alive
    /// connection may sit idle between requests.
    pub head_timeout_secs: u64,
    /// Reverse proxies (IPs or CIDRs) whose X-Forwarded-For is believed for client IPs.
    pub trusted_proxies: Vec<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    /// `pretty` or `json`.
    pub format: String,
    /// A tracing filter, e.g. `info` or `cairn_server=debug,info`.
    pub level: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuthConfig {
    /// Lifetime of the access JWT held in the session cookie.
    pub access_token_ttl_secs: u64,
    /// Lifetime of a browser session (its refresh token) since the last refresh.
    pub session_ttl_hours: u64,
    pub password_min_length: usize,
    /// Whether username/password login is accepted (turn off once SSO is set up).
    pub local_login: bool,
    /// Usernames that may still sign in with a password while `local_login` is off: the
    /// break-glass admin for when the identity provider is down (`cairn-server admin
    /// reset-password` sets their password from the server's shell).
    pub break_glass_users: Vec<String>,
    /// Force the cookie `Secure` flag; unset means "when public_url is https".
    pub cookie_secure: Option<bool>,
    /// Failed logins per account within the window before 429.
    pub login_max_failures_per_account: u32,
    /// Failed logins per source IP within the window before 429.
    pub login_max_failures_per_ip: u32,
    pub login_window_secs: u64,
    /// Single sign-on providers kept in this file (`[[auth.sso_providers]]`): made or
    /// updated at start, read-only in the web app.
    pub sso_providers: Vec<SsoProviderConfig>,
}

/// A single sign-on provider from the configuration file (see docs/sso.md).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SsoProviderConfig {
    pub slug: String,
    pub label: String,
    pub issuer: String,
    pub client_id: String,
    /// The secret itself, or (better) `client_secret_file`: exactly one of the two.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret_file: Option<PathBuf>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username_claim: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub groups_claim: Option<String>,
    /// `{ group, role, tags? }`: a role over all hosts, or with tags a host role.
    #[serde(default)]
    pub role_map: Vec<SsoRoleMappingConfig>,
    /// `viewer`, `operator` or `admin` for someone in no mapped group; unset refuses them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_role: Option<String>,
    #[serde(default)]
    pub link_by_email: bool,
    #[serde(default = "yes")]
    pub enabled: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SsoRoleMappingConfig {
    pub group: String,
    pub role: String,
    #[serde(default)]
    pub tags: Vec<String>,
}

fn yes() -> bool {
    true
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".into(),
            public_url: DEFAULT_PUBLIC_URL.into(),
            database_url: DEFAULT_DATABASE_URL.into(),
            data_dir: PathBuf::from("data"),
            secret_key_file: None,
            database: DatabaseConfig::default(),
            http: HttpConfig::default(),
            log: LogConfig::default(),
            auth: AuthConfig::default(),
            agents: AgentsConfig::default(),
            history: HistoryConfig::default(),
            alerts: AlertsConfig::default(),
            tls: TlsConfig::default(),
        }
    }
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        Self { max_connections: 16, sqlite_busy_timeout_ms: 5_000 }
    }
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            body_limit_bytes: 1024 * 1024,
            download_max_bytes: 0,
            shutdown_grace_secs: 10,
            request_timeout_secs: 60,
            head_timeout_secs: 30,
            trusted_proxies: Vec::new(),
        }
    }
}

impl Default for LogConfig {
    fn default() -> Self {
        Self { format: "pretty".into(), level: "info".into() }
    }
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            access_token_ttl_secs: 300,
            session_ttl_hours: 24 * 7,
            password_min_length: 12,
            local_login: true,
            break_glass_users: Vec::new(),
            cookie_secure: None,
            login_max_failures_per_account: 5,
            login_max_failures_per_ip: 20,
            login_window_secs: 900,
            sso_providers: Vec::new(),
        }
    }
}

const DEFAULT_DATABASE_URL: &str = "sqlite://data/cairn.db";
const DEFAULT_PUBLIC_URL: &str = "http://127.0.0.1:8080";

/// Environment variables that start with `CAIRN_` but are not configuration keys.
const NON_CONFIG_ENV: &[&str] = &["CAIRN_CONFIG", "CAIRN_TEST_DATABASE_URL", "CAIRN_SERVER_BIN"];

impl Config {
    /// Loads defaults → file → environment. `env` is passed in so tests need not touch
    /// the process environment.
    /// Returns the configuration and warnings (unknown `CAIRN_*` variables, which are
    /// ignored rather than fatal: shells and tools set their own).
    pub fn load(
        file: Option<&std::path::Path>,
        env: &BTreeMap<String, String>,
    ) -> Result<(Config, Vec<String>), ConfigError> {
        let mut warnings = Vec::new();
        let mut value = toml::Value::try_from(Config::default())
            .map_err(|e| ConfigError::Invalid(e.to_string()))?;
        if let Some(path) = file {
            let text = std::fs::read_to_string(path)
                .map_err(|source| ConfigError::Read { path: path.to_path_buf(), source })?;
            let from_file: toml::Value = toml::from_str(&text)
                .map_err(|e| ConfigError::Invalid(format!("{}: {e}", path.display())))?;
            // Deserialize the file alone first: this is where unknown keys are caught
            // with the file's own line numbers.
            Config::deserialize(from_file.clone())
                .map_err(|e| ConfigError::Invalid(format!("{}: {e}", path.display())))?;
            merge(&mut value, from_file);
        }
        let known = known_keys();
        for (name, raw) in env {
            let Some(rest) = name.strip_prefix("CAIRN_") else { continue };
            if NON_CONFIG_ENV.contains(&name.as_str()) {
                continue;
            }
            let direct = known.contains_key(&rest.to_ascii_lowercase());
            let (key, raw) = if let Some(base) = rest.strip_suffix("_FILE").filter(|_| !direct) {
                let text = std::fs::read_to_string(raw)
                    .map_err(|source| ConfigError::Read { path: PathBuf::from(raw), source })?;
                (base.to_string(), text.trim_end_matches(['\n', '\r']).to_string())
            } else {
                (rest.to_string(), raw.clone())
            };
            let Some(path) = known.get(&key.to_ascii_lowercase()) else {
                warnings.push(format!(
                    "ignoring environment variable {name}: no configuration key matches it"
                ));
                continue;
            };
            set_path(&mut value, path, &raw, name)?;
        }
        let mut config =
            Config::deserialize(value).map_err(|e| ConfigError::Invalid(e.to_string()))?;
        // Moving the data directory moves the default database with it.
        if config.database_url == DEFAULT_DATABASE_URL && config.data_dir != Path::new("data") {
            config.database_url =
                format!("sqlite://{}", config.data_dir.join("cairn.db").display());
        }
        config.validate()?;
        Ok((config, warnings))
    }

    pub fn validate(&self) -> Result<(), ConfigError> {
        self.listen.parse::<SocketAddr>().map_err(|e| {
            ConfigError::Invalid(format!("listen = {:?} is not an address: {e}", self.listen))
        })?;
        let mut slugs = std::collections::HashSet::new();
        for p in &self.auth.sso_providers {
            if p.client_secret.is_some() == p.client_secret_file.is_some() {
                return Err(ConfigError::Invalid(format!(
                    "auth.sso_providers {:?}: give client_secret or client_secret_file (one of them)",
                    p.slug
                )));
            }
            if !slugs.insert(p.slug.as_str()) {
                return Err(ConfigError::Invalid(format!(
                    "auth.sso_providers: slug {:?} is used twice",
                    p.slug
                )));
            }
        }
        if !(self.database_url.starts_with("sqlite:")
            || self.database_url.starts_with("postgres://")
            || self.database_url.starts_with("postgresql://"))
        {
            return Err(ConfigError::Invalid(
                "database_url must start with sqlite: or postgres://".into(),
            ));
        }
        if !matches!(self.log.format.as_str(), "pretty" | "json") {
            return Err(ConfigError::Invalid("log.format must be \"pretty\" or \"json\"".into()));
        }
        if self.auth.break_glass_users.iter().any(|u| {
            u.is_empty()
                || u.len() > 64
                || u.chars().any(|c| c.is_ascii_uppercase() || c.is_whitespace())
        }) {
            return Err(ConfigError::Invalid(
                "auth.break_glass_users holds usernames as stored: lower-case, no spaces".into(),
            ));
        }
        if self.auth.password_min_length < 8 {
            return Err(ConfigError::Invalid("auth.password_min_length must be at least 8".into()));
        }
        if self.auth.access_token_ttl_secs < 10 || self.auth.access_token_ttl_secs > 3600 {
            return Err(ConfigError::Invalid(
                "auth.access_token_ttl_secs must be between 10 and 3600".into(),
            ));
        }
        if self.agents.poll_timeout_secs == 0
            || self.agents.poll_timeout_secs >= self.http.request_timeout_secs
        {
            return Err(ConfigError::Invalid(
                "agents.poll_timeout_secs must be at least 1 and below http.request_timeout_secs"
                    .into(),
            ));
        }
        if self.agents.maintenance_lease_hours == 0 {
            return Err(ConfigError::Invalid(
                "agents.maintenance_lease_hours must be at least 1".into(),
            ));
        }
        if self.agents.ask_timeout_secs == 0
            || self.agents.ask_timeout_secs >= self.http.request_timeout_secs
        {
            return Err(ConfigError::Invalid(
                "agents.ask_timeout_secs must be at least 1 and below http.request_timeout_secs"
                    .into(),
            ));
        }
        // A host's last contact is written at most every HEARTBEAT_SECS (and at every poll
        // after that), so a shorter offline threshold would show live hosts as offline.
        if self.agents.offline_after_secs < self.agents.poll_timeout_secs.max(HEARTBEAT_SECS) + 5 {
            return Err(ConfigError::Invalid(format!(
                "agents.offline_after_secs must exceed agents.poll_timeout_secs (and the {HEARTBEAT_SECS} s between recorded heartbeats) by at least 5"
            )));
        }
        if self.history.batch_size == 0 || self.history.batch_size > 10_000 {
            return Err(ConfigError::Invalid(
                "history.batch_size must be between 1 and 10000".into(),
            ));
        }
        if self.history.jobs_days > 0 && self.history.job_logs_days > self.history.jobs_days {
            return Err(ConfigError::Invalid(
                "history.job_logs_days cannot exceed history.jobs_days (a log outliving its job)"
                    .into(),
            ));
        }
        if self.agents.max_concurrent_requests == 0 {
            return Err(ConfigError::Invalid(
                "agents.max_concurrent_requests must be at least 1".into(),
            ));
        }
        if !(60..=30 * 24 * 3600).contains(&self.agents.enrollment_token_ttl_secs) {
            return Err(ConfigError::Invalid(
                "agents.enrollment_token_ttl_secs must be between 60 and 2592000 (30 days)".into(),
            ));
        }
        if let Some(bad) =
            self.http.trusted_proxies.iter().find(|p| crate::http::proxy::parse_net(p).is_none())
        {
            return Err(ConfigError::Invalid(format!(
                "http.trusted_proxies: {bad:?} is not an IP address or CIDR (e.g. 10.0.0.0/8)"
            )));
        }
        if let Some(bad) =
            self.alerts.allow_targets.iter().find(|p| crate::net::parse_net(p).is_none())
        {
            return Err(ConfigError::Invalid(format!(
                "alerts.allow_targets: {bad:?} is not an IP address or CIDR (e.g. 10.0.0.0/8)"
            )));
        }
        if self.alerts.delivery_max_attempts == 0 || self.alerts.delivery_timeout_secs == 0 {
            return Err(ConfigError::Invalid(
                "alerts.delivery_max_attempts and alerts.delivery_timeout_secs must be at least 1"
                    .into(),
            ));
        }
        if self.http.request_timeout_secs == 0 {
            return Err(ConfigError::Invalid(
                "http.request_timeout_secs must be at least 1".into(),
            ));
        }
        if self.http.head_timeout_secs == 0 {
            return Err(ConfigError::Invalid("http.head_timeout_secs must be at least 1".into()));
        }
        match self.tls.mode.as_str() {
            "off" | "self_signed" => {}
            "files" if self.tls.cert_file.is_some() && self.tls.key_file.is_some() => {}
            "files" => {
                return Err(ConfigError::Invalid(
                    "tls.mode = \"files\" needs tls.cert_file and tls.key_file".into(),
                ));
            }
            other => {
                return Err(ConfigError::Invalid(format!(
                    "tls.mode = {other:?}: use \"off\", \"self_signed\" or \"files\""
                )));
            }
        }
        if self.http.body_limit_bytes < 1024 {
            return Err(ConfigError::Invalid("http.body_limit_bytes must be at least 1024".into()));
        }
        Ok(())
    }

    pub fn secret_key_path(&self) -> PathBuf {
        self.secret_key_file.clone().unwrap_or_else(|| self.data_dir.join("secret.key"))
    }

    /// The public URL without a trailing slash, or `None` while it is still the default
    /// (then the address actually reached is a better guess than 127.0.0.1:8080).
    pub fn explicit_public_url(&self) -> Option<&str> {
        let url = self.public_url.trim_end_matches('/');
        (url != DEFAULT_PUBLIC_URL).then_some(url)
    }

    /// Whether browsers reach the server over HTTPS: it terminates TLS itself, or the
    /// public URL (a proxy in front) says so.
    pub fn https(&self) -> bool {
        self.tls.enabled() || self.public_url.starts_with("https://")
    }

    pub fn cookie_secure(&self) -> bool {
        self.auth.cookie_secure.unwrap_or_else(|| self.https())
    }

    /// The effective configuration as TOML with the database password masked.
    pub fn redacted_toml(&self) -> String {
        let mut shown = self.clone();
        shown.database_url = redact_url(&shown.database_url);
        for p in &mut shown.auth.sso_providers {
            if p.client_secret.is_some() {
                p.client_secret = Some("***".into());
            }
        }
        toml::to_string_pretty(&shown).unwrap_or_default()
    }
}

/// Masks the password part of `scheme://user:password@host/...`.
pub fn redact_url(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://")
        && let Some((creds, host)) = rest.split_once('@')
        && let Some((user, _)) = creds.split_once(':')
    {
        return format!("{scheme}://{user}:***@{host}");
    }
    url.to_string()
}

/// Maps `database_max_connections` style names to key paths (`database.max_connections`).
fn known_keys() -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    let Ok(toml::Value::Table(root)) = toml::Value::try_from(Config::default()) else {
        return out;
    };
    // Option fields are absent from the serialized defaults; list them by hand.
    out.insert("secret_key_file".into(), vec!["secret_key_file".into()]);
    out.insert("auth_cookie_secure".into(), vec!["auth".into(), "cookie_secure".into()]);
    out.insert("tls_cert_file".into(), vec!["tls".into(), "cert_file".into()]);
    out.insert("tls_key_file".into(), vec!["tls".into(), "key_file".into()]);
    for (k, v) in root {
        match v {
            toml::Value::Table(section) => {
                for (k2, _) in section {
                    out.insert(format!("{k}_{k2}"), vec![k.clone(), k2]);
                }
            }
            _ => {
                out.insert(k.clone(), vec![k]);
            }
        }
    }
    out
}

fn set_path(
    root: &mut toml::Value,
    path: &[String],
    raw: &str,
    var: &str,
) -> Result<(), ConfigError> {
    let mut cur = root;
    for part in &path[..path.len() - 1] {
        let toml::Value::Table(t) = cur else {
            return Err(ConfigError::Invalid(format!("{var}: not a section")));
        };
        cur = t.entry(part.clone()).or_insert_with(|| toml::Value::Table(Default::default()));
    }
    let toml::Value::Table(t) = cur else {
        return Err(ConfigError::Invalid(format!("{var}: not a section")));
    };
    let leaf = &path[path.len() - 1];
    // Parse according to the type the default has, so CAIRN_AUTH_LOCAL_LOGIN=false is a bool.
    let parsed = match t.get(leaf) {
        Some(toml::Value::Integer(_)) => toml::Value::Integer(
            raw.trim()
                .parse()
                .map_err(|_| ConfigError::Invalid(format!("{var}={raw:?} is not an integer")))?,
        ),
        Some(toml::Value::Boolean(_)) => toml::Value::Boolean(parse_bool(raw, var)?),
        // Lists come comma-separated: CAIRN_HTTP_TRUSTED_PROXIES=10.0.0.1,10.1.0.0/16
        Some(toml::Value::Array(_)) => toml::Value::Array(
            raw.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| toml::Value::String(s.to_string()))
                .collect(),
        ),
        _ if leaf == "cookie_secure" => toml::Value::Boolean(parse_bool(raw, var)?),
        _ => toml::Value::String(raw.to_string()),
    };
    t.insert(leaf.clone(), parsed);
    Ok(())
}

fn parse_bool(raw: &str, var: &str) -> Result<bool, ConfigError> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(ConfigError::Invalid(format!("{var}={raw:?} is not a boolean"))),
    }
}

fn merge(base: &mut toml::Value, over: toml::Value) {
    match (base, over) {
        (toml::Value::Table(b), toml::Value::Table(o)) => {
            for (k, v) in o {
                match b.get_mut(&k) {
                    Some(existing) if existing.is_table() && v.is_table() => merge(existing, v),
                    _ => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (b, o) => *b = o,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn layers_apply_in_order() {
        let dir = tempfile_dir();
        let file = dir.join("c.toml");
        std::fs::write(&file, "listen = \"0.0.0.0:9000\"\n[auth]\npassword_min_length = 14\n")
            .unwrap();
        let secret = dir.join("db");
        std::fs::write(&secret, "postgres://u:pw@h/db\n").unwrap();
        let (c, warnings) = Config::load(
            Some(&file),
            &env(&[
                ("CAIRN_AUTH_PASSWORD_MIN_LENGTH", "16"),
                ("CAIRN_DATABASE_URL_FILE", secret.to_str().unwrap()),
                ("CAIRN_AUTH_LOCAL_LOGIN", "false"),
                ("CAIRN_TEST_DATABASE_URL", "ignored"),
                ("CAIRN_SECRET_KEY_FILE", "/etc/cairn/key"),
            ]),
        )
        .unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(c.secret_key_path(), PathBuf::from("/etc/cairn/key"));
        assert_eq!(c.listen, "0.0.0.0:9000");
        assert_eq!(c.auth.password_min_length, 16);
        assert!(!c.auth.local_login);
        assert_eq!(c.database_url, "postgres://u:pw@h/db");
        assert!(c.redacted_toml().contains("postgres://u:***@h/db"));
        assert!(!c.redacted_toml().contains("pw@"));
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let dir = tempfile_dir();
        let file = dir.join("c.toml");
        std::fs::write(&file, "[auth]\npasword_min_length = 14\n").unwrap();
        let err = Config::load(Some(&file), &BTreeMap::new()).unwrap_err().to_string();
        assert!(err.contains("pasword_min_length"), "{err}");
        // Unknown variables are reported, not fatal: shells and tools set their own.
        let (_, warnings) = Config::load(None, &env(&[("CAIRN_LISTN", "x")])).unwrap();
        assert!(warnings[0].contains("CAIRN_LISTN"), "{warnings:?}");
    }

    #[test]
    fn data_dir_moves_the_default_database() {
        let (c, _) = Config::load(None, &env(&[("CAIRN_DATA_DIR", "/var/lib/cairn")])).unwrap();
        assert_eq!(c.database_url, "sqlite:///var/lib/cairn/cairn.db");
        let (c, _) = Config::load(
            None,
            &env(&[("CAIRN_DATA_DIR", "/x"), ("CAIRN_DATABASE_URL", "postgres://h/db")]),
        )
        .unwrap();
        assert_eq!(c.database_url, "postgres://h/db");
    }

    #[test]
    fn trusted_proxies_from_env() {
        let (c, _) =
            Config::load(None, &env(&[("CAIRN_HTTP_TRUSTED_PROXIES", "10.0.0.1, 10.1.0.0/16")]))
                .unwrap();
        assert_eq!(c.http.trusted_proxies, vec!["10.0.0.1", "10.1.0.0/16"]);
        let err = Config::load(None, &env(&[("CAIRN_HTTP_TRUSTED_PROXIES", "10.0.0.0/40")]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("trusted_proxies"), "{err}");
    }

    #[test]
    fn bad_values_are_rejected() {
        let err = Config::load(None, &env(&[("CAIRN_LISTEN", "nope")])).unwrap_err().to_string();
        assert!(err.contains("listen"), "{err}");
        let err = Config::load(None, &env(&[("CAIRN_HTTP_BODY_LIMIT_BYTES", "lots")]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("not an integer"), "{err}");
        let err = Config::load(None, &env(&[("CAIRN_AGENTS_MAX_CONCURRENT_REQUESTS", "0")]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("agents.max_concurrent_requests"), "{err}");
        let (c, _) =
            Config::load(None, &env(&[("CAIRN_AGENTS_MAX_CONCURRENT_REQUESTS", "32")])).unwrap();
        assert_eq!(c.agents.max_concurrent_requests, 32);
    }

    fn tempfile_dir() -> PathBuf {
        let d = std::env::temp_dir().join(format!("cairn-cfg-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&d).unwrap();
        d
    }
}
