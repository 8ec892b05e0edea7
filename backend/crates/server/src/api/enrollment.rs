//! `/enrollment-tokens` and `/pending-hosts`: how agents join the fleet, as operators see it.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{ApiResponse, Object, OpenApi, param::Path, payload::Json};
use uuid::Uuid;

use super::security::{Auth, perm};
use super::{
    ApiTags,
    auth::NoContent,
    error::ApiError,
    hosts::{Host, host_view},
};
use crate::{
    app::AppState,
    domain::rows::EnrollmentTokenRow,
    domain::{enrollment, fleet},
};

pub struct EnrollmentApi;

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct EnrollmentToken {
    pub id: Uuid,
    pub created_by: Option<String>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub tags: Vec<String>,
    pub repository_id: Option<Uuid>,
}

impl From<EnrollmentTokenRow> for EnrollmentToken {
    fn from(r: EnrollmentTokenRow) -> Self {
        EnrollmentToken {
            id: r.id,
            tags: fleet::tags_of(&r.tags),
            created_by: r.created_by,
            created_at: r.created_at,
            expires_at: r.expires_at,
            repository_id: r.repository_id,
        }
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct EnrollmentTokenList {
    pub items: Vec<EnrollmentToken>,
}

#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct CreateEnrollmentTokenRequest {
    /// Lifetime in seconds (60 s – 30 days); default `agents.enrollment_token_ttl_secs`.
    #[oai(validator(minimum(value = "60"), maximum(value = "2592000")))]
    pub ttl_secs: Option<u64>,
    /// Tags the new host gets (letters, digits, `- _ . : / =`; stored lower-cased).
    #[oai(
        default,
        validator(
            max_items = 32,
            min_length = 1,
            max_length = 64,
            pattern = r"^[A-Za-z0-9_.:/=-]+$"
        )
    )]
    pub tags: Vec<String>,
    /// A repository the new host is linked to right away.
    pub repository_id: Option<Uuid>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct CreatedEnrollmentToken {
    pub token: EnrollmentToken,
    /// The secret: shown this once.
    pub secret: String,
    /// Copy-paste command for the host (server URL and token included).
    pub install_command: String,
    /// Certificate fingerprint the agent must pin (`--pin`), when the server's certificate
    /// is self-signed.
    pub pin: Option<String>,
    pub server_url: String,
}

#[derive(ApiResponse)]
pub enum CreatedEnrollment {
    #[oai(status = 201)]
    Created(Json<CreatedEnrollmentToken>),
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct PendingHost {
    pub id: Uuid,
    pub hostname: String,
    pub os: String,
    pub arch: String,
    pub agent_version: String,
    pub restic_version: Option<String>,
    /// Compare with what the agent printed on the host before accepting.
    pub fingerprint: String,
    pub source_ip: Option<String>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// A host with this hostname already exists (never resolved automatically).
    pub duplicate_hostname: bool,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct PendingHostList {
    pub items: Vec<PendingHost>,
}

#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct AcceptPendingRequest {
    /// Tags the new host gets (letters, digits, `- _ . : / =`; stored lower-cased).
    #[oai(
        default,
        validator(
            max_items = 32,
            min_length = 1,
            max_length = 64,
            pattern = r"^[A-Za-z0-9_.:/=-]+$"
        )
    )]
    pub tags: Vec<String>,
}

#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct RejectPendingRequest {
    /// Shown to the agent, which exits with it.
    #[oai(validator(max_length = 500))]
    pub message: Option<String>,
}

#[derive(ApiResponse)]
pub enum AcceptedHost {
    #[oai(status = 201)]
    Created(Json<Host>),
}

/// The configured public URL; while it is still the default, the address this request
/// reached (what the operator's browser uses is the best guess for the agent too).
fn public_url(state: &AppState, req: &poem::Request) -> String {
    if let Some(url) = state.config.explicit_public_url() {
        return url.to_string();
    }
    // HTTP/2 carries the host in `:authority` (the URI), HTTP/1.1 in the Host header.
    let authority = req.uri().authority().map(|a| a.as_str());
    authority
        .or_else(|| req.headers().get(poem::http::header::HOST).and_then(|h| h.to_str().ok()))
        .filter(|h| h.chars().all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c)))
        .map(|h| format!("{}://{h}", if state.config.tls.enabled() { "https" } else { "http" }))
        .unwrap_or_else(|| state.config.public_url.trim_end_matches('/').to_string())
}

#[OpenApi(tag = "ApiTags::Hosts")]
impl EnrollmentApi {
    /// Enrollment tokens that are neither used nor expired (secrets are never shown again).
    #[oai(path = "/v1/enrollment-tokens", method = "get", operation_id = "list_enrollment_tokens")]
    async fn list_tokens(
        &self,
        _auth: Auth<perm::HostsRead>,
        state: Data<&AppState>,
    ) -> Result<Json<EnrollmentTokenList>, ApiError> {
        let rows = enrollment::list_enrollment_tokens(&state).await?;
        Ok(Json(EnrollmentTokenList { items: rows.into_iter().map(Into::into).collect() }))
    }

    /// Creates a one-time enrollment token and the install command that uses it.
    #[oai(
        path = "/v1/enrollment-tokens",
        method = "post",
        operation_id = "create_enrollment_token"
    )]
    async fn create_token(
        &self,
        auth: Auth<perm::HostsManage>,
        state: Data<&AppState>,
        req: &poem::Request,
        body: Json<CreateEnrollmentTokenRequest>,
    ) -> Result<CreatedEnrollment, ApiError> {
        let b = body.0;
        let (row, secret) = enrollment::create_enrollment_token(
            &state,
            &auth.actor(),
            b.ttl_secs,
            &b.tags,
            b.repository_id,
        )
        .await?;
        let server_url = public_url(&state, req);
        // A self-signed certificate is trusted by its fingerprint alone; a CA-issued one
        // (mode `files`) by the host's trust store, so that renewals need no re-pinning.
        let pin = state
            .tls
            .as_ref()
            .map(|t| t.info())
            .filter(|i| i.mode == "self_signed")
            .map(|i| i.fingerprint);
        let pin_arg = pin.as_ref().map(|p| format!(" --pin {p}")).unwrap_or_default();
        let install_command = format!(
            "cairn-agent enroll --server {server_url} --token {secret}{pin_arg} && cairn-agent run"
        );
        Ok(CreatedEnrollment::Created(Json(CreatedEnrollmentToken {
            token: row.into(),
            secret,
            install_command,
            server_url,
            pin,
        })))
    }

    #[oai(
        path = "/v1/enrollment-tokens/:id",
        method = "delete",
        operation_id = "delete_enrollment_token"
    )]
    async fn delete_token(
        &self,
        auth: Auth<perm::HostsManage>,
        state: Data<&AppState>,
        id: Path<Uuid>,
    ) -> Result<NoContent, ApiError> {
        enrollment::delete_enrollment_token(&state, &auth.actor(), id.0).await?;
        Ok(NoContent::Done)
    }

    /// Agents that announced themselves and wait for a decision.
    #[oai(path = "/v1/pending-hosts", method = "get", operation_id = "list_pending_hosts")]
    async fn list_pending(
        &self,
        _auth: Auth<perm::HostsRead>,
        state: Data<&AppState>,
    ) -> Result<Json<PendingHostList>, ApiError> {
        let items = enrollment::list_pending(&state)
            .await?
            .into_iter()
            .map(|p| PendingHost {
                id: p.row.id,
                hostname: p.row.hostname,
                os: p.row.os,
                arch: p.row.arch,
                agent_version: p.row.agent_version,
                restic_version: p.row.restic_version,
                fingerprint: p.row.fingerprint,
                source_ip: p.row.source_ip,
                created_at: p.row.created_at,
                expires_at: p.row.expires_at,
                duplicate_hostname: p.duplicate_hostname,
            })
            .collect();
        Ok(Json(PendingHostList { items }))
    }

    /// Accepts an announced agent: it becomes a host.
    #[oai(
        path = "/v1/pending-hosts/:id/accept",
        method = "post",
        operation_id = "accept_pending_host"
    )]
    async fn accept(
        &self,
        auth: Auth<perm::HostsApprove>,
        state: Data<&AppState>,
        id: Path<Uuid>,
        body: Json<AcceptPendingRequest>,
    ) -> Result<AcceptedHost, ApiError> {
        let h = enrollment::accept_pending(&state, &auth.actor(), id.0, &body.tags).await?;
        Ok(AcceptedHost::Created(Json(host_view(&state, h, &auth.principal).await?)))
    }

    /// Rejects an announced agent; it stops with the given message.
    #[oai(
        path = "/v1/pending-hosts/:id/reject",
        method = "post",
        operation_id = "reject_pending_host"
    )]
    async fn reject(
        &self,
        auth: Auth<perm::HostsApprove>,
        state: Data<&AppState>,
        id: Path<Uuid>,
        body: Json<RejectPendingRequest>,
    ) -> Result<NoContent, ApiError> {
        enrollment::reject_pending(&state, &auth.actor(), id.0, body.0.message).await?;
        Ok(NoContent::Done)
    }
}
