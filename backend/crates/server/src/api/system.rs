//! `/info` (public facts the web app needs before sign-in) and `/setup` (first admin).

use poem::web::Data;
use poem::web::cookie::CookieJar;
use poem_openapi::{ApiResponse, Object, OpenApi, payload::Json};

use super::security::{Auth, ClientInfo, perm};
use super::{ApiTags, auth::set_session_cookies, error::ApiError, models::Me};
use crate::{app::AppState, auth::Role, domain::users::NewUser, setup};

pub struct SystemApi;

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ServerInfo {
    pub version: String,
    /// True until the first admin has been created through `/setup`.
    pub setup_required: bool,
    pub local_login_enabled: bool,
    /// Password sign-in is off but a break-glass user may still use it: the sign-in page
    /// keeps a discreet way to the password form.
    pub break_glass_login: bool,
    /// The enabled single sign-on providers: a "Sign in with …" button each.
    pub sso_providers: Vec<SsoButton>,
    /// Present when the server terminates TLS itself: the certificate agents check.
    pub tls: Option<TlsCertificate>,
}

/// A single sign-on provider's button: the browser goes to `/api/v1/auth/oidc/{slug}/start`
/// to sign in, and may go to `/api/v1/auth/oidc/{slug}/logout` after signing out of Cairn
/// to sign out at the provider too (its users carry its `id` as `sso_provider_id`).
#[derive(Object)]
pub struct SsoButton {
    pub id: uuid::Uuid,
    pub slug: String,
    pub label: String,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct TlsCertificate {
    /// `self_signed` (made by the server; agents must pin it) or `files`.
    pub mode: String,
    /// `SHA256:` + base64 of the certificate: the value for `cairn-agent enroll --pin`.
    pub fingerprint: String,
    /// The same SHA-256 as colon-separated hex (what `openssl x509 -fingerprint -sha256` prints).
    pub fingerprint_hex: String,
}

#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct SetupRequest {
    /// The one-time token from the server log or `data/setup-token`.
    #[oai(validator(max_length = 200))]
    pub token: String,
    /// 2–64 of `a-z 0-9 . _ -`, starting with a letter or digit (stored lower-cased).
    #[oai(validator(min_length = 2, max_length = 64, pattern = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"))]
    pub username: String,
    #[oai(validator(max_length = 1024))]
    pub password: String,
    #[oai(validator(max_length = 128))]
    pub display_name: Option<String>,
    #[oai(validator(max_length = 254))]
    pub email: Option<String>,
}

#[derive(ApiResponse)]
pub enum SetupResponse {
    /// The first admin exists and is signed in.
    #[oai(status = 201)]
    Created(Json<Me>),
}

/// How long this server keeps history (`[history]`; 0 = for ever).
#[derive(Object)]
pub struct HistorySettings {
    /// Log lines of a job are removed this many days after it ended.
    pub job_logs_days: u64,
    /// Ended jobs are removed after this many days, except the newest
    /// `jobs_keep_per_host` of each host and backups whose snapshot still exists.
    pub jobs_days: u64,
    pub jobs_keep_per_host: u64,
    /// Audit events are removed after this many days; the chain stays verifiable.
    pub audit_days: u64,
}

#[OpenApi(tag = "ApiTags::System")]
impl SystemApi {
    /// How long history is kept, for the web app to say so beside the lists.
    #[oai(path = "/v1/history-settings", method = "get", operation_id = "get_history_settings")]
    async fn history_settings(
        &self,
        _auth: Auth<perm::Profile>,
        state: Data<&AppState>,
    ) -> Result<Json<HistorySettings>, ApiError> {
        let h = &state.history;
        Ok(Json(HistorySettings {
            job_logs_days: h.job_logs_days,
            jobs_days: h.jobs_days,
            jobs_keep_per_host: h.jobs_keep_per_host,
            audit_days: h.audit_days,
        }))
    }

    /// Server version and whether first-run setup is pending.
    #[oai(path = "/v1/info", method = "get", operation_id = "get_info")]
    async fn get_info(&self, state: Data<&AppState>) -> Result<Json<ServerInfo>, ApiError> {
        let sso_providers = crate::auth::sso::buttons(&state)
            .await?
            .into_iter()
            .map(|b| SsoButton { id: b.id, slug: b.slug, label: b.label })
            .collect();
        let sign_in = crate::auth::sign_in::get(&state).await?;
        Ok(Json(ServerInfo {
            sso_providers,
            version: env!("CARGO_PKG_VERSION").to_string(),
            setup_required: state.setup.is_open(),
            local_login_enabled: sign_in.local_login,
            break_glass_login: !sign_in.local_login && !sign_in.break_glass_users.is_empty(),
            tls: state.tls.as_ref().map(|t| {
                let i = t.info();
                TlsCertificate {
                    mode: i.mode.to_string(),
                    fingerprint: i.fingerprint,
                    fingerprint_hex: i.fingerprint_hex,
                }
            }),
        }))
    }

    /// Creates the first admin with the one-time setup token and signs them in.
    #[oai(path = "/v1/setup", method = "post", operation_id = "complete_setup")]
    async fn complete_setup(
        &self,
        state: Data<&AppState>,
        client: ClientInfo,
        jar: &CookieJar,
        body: Json<SetupRequest>,
    ) -> Result<SetupResponse, ApiError> {
        let b = body.0;
        let new = NewUser {
            username: b.username,
            display_name: b.display_name,
            email: b.email,
            role: Role::Admin,
            password: b.password,
            bindings: Vec::new(),
        };
        let (user, issued) = setup::complete(&state, &client.0, &b.token, new).await?;
        set_session_cookies(jar, &state, &issued);
        let role = Role::Admin;
        Ok(SetupResponse::Created(Json(Me {
            user: user.into(),
            auth_method: super::models::AuthMethodKind::Session,
            role,
            permissions: role.permissions().to_vec(),
            bindings: Vec::new(),
            host_permissions: role.permissions().to_vec(),
        })))
    }
}
