//! `/hosts`, `/pending-hosts`, `/enrollment-tokens`: the fleet as operators see it.

use chrono::{DateTime, Duration, Utc};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, Enum, Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};
use uuid::Uuid;

use super::{ApiTags, auth::NoContent, error::ApiError};
use crate::{
    app::AppState,
    auth::{Auth, perm},
    domain::fleet,
    store::{
        enrollment::EnrollmentTokenRow,
        hosts::{HostFilter, HostRow},
    },
};

pub struct HostsApi;

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum HostStatus {
    Online,
    Offline,
}

#[derive(Object)]
pub struct Host {
    pub id: Uuid,
    pub hostname: String,
    pub os: String,
    pub arch: String,
    pub agent_version: String,
    pub restic_version: Option<String>,
    /// True when the agent is older than this server.
    pub agent_outdated: bool,
    /// `SHA256:…` of the agent's public key.
    pub fingerprint: String,
    pub tags: Vec<String>,
    pub status: HostStatus,
    pub last_seen_at: Option<DateTime<Utc>>,
    pub last_ip: Option<String>,
    /// `token` or `announce`.
    pub enrolled_via: String,
    pub created_at: DateTime<Utc>,
    pub repository_ids: Vec<Uuid>,
    /// The config version the server wants the agent on, and the one it reported.
    pub config_version: i64,
    pub applied_config_version: i64,
}

/// Compares dotted versions numerically ("0.9.0" < "0.10.0").
pub fn older_than(agent: &str, server: &str) -> bool {
    let parse =
        |v: &str| -> Vec<u64> { v.split(['.', '-', '+']).map_while(|p| p.parse().ok()).collect() };
    parse(agent) < parse(server)
}

fn view(
    h: HostRow,
    repos: Vec<Uuid>,
    offline_after: std::time::Duration,
    now: DateTime<Utc>,
) -> Host {
    let online = fleet::is_online(&h, offline_after, now);
    Host {
        agent_outdated: older_than(&h.agent_version, env!("CARGO_PKG_VERSION")),
        tags: fleet::tags_of(&h.tags),
        status: if online { HostStatus::Online } else { HostStatus::Offline },
        id: h.id,
        hostname: h.hostname,
        os: h.os,
        arch: h.arch,
        agent_version: h.agent_version,
        restic_version: h.restic_version,
        fingerprint: h.fingerprint,
        last_seen_at: h.last_seen_at,
        last_ip: h.last_ip,
        enrolled_via: h.enrolled_via,
        created_at: h.created_at,
        repository_ids: repos,
        config_version: h.config_version,
        applied_config_version: h.applied_config_version,
    }
}

#[derive(Object)]
pub struct HostList {
    pub items: Vec<Host>,
    pub total: u64,
}

#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct UpdateHostRequest {
    pub tags: Vec<String>,
}

#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct SetHostRepositoriesRequest {
    pub repository_ids: Vec<Uuid>,
}

#[derive(Object)]
pub struct QueuedCommand {
    pub command_id: Uuid,
    pub created_at: DateTime<Utc>,
}

#[derive(ApiResponse)]
pub enum Queued {
    /// Queued; the agent receives it on its next (or current, held) poll.
    #[oai(status = 202)]
    Accepted(Json<QueuedCommand>),
}

#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct PingHostsRequest {
    /// Only hosts with this tag; all hosts when absent.
    pub tag: Option<String>,
}

#[derive(Object)]
pub struct PingedHosts {
    /// How many hosts a test command was queued for.
    pub queued: u64,
}

#[derive(Object)]
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
pub struct EnrollmentTokenList {
    pub items: Vec<EnrollmentToken>,
}

#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct CreateEnrollmentTokenRequest {
    /// Lifetime in seconds (60 s – 30 days); default 1 hour.
    pub ttl_secs: Option<u64>,
    #[oai(default)]
    pub tags: Vec<String>,
    /// A repository the new host is linked to right away.
    pub repository_id: Option<Uuid>,
}

#[derive(Object)]
pub struct CreatedEnrollmentToken {
    pub token: EnrollmentToken,
    /// The secret: shown this once.
    pub secret: String,
    /// Copy-paste command for the host (server URL and token included).
    pub install_command: String,
    pub server_url: String,
}

#[derive(ApiResponse)]
pub enum CreatedEnrollment {
    #[oai(status = 201)]
    Created(Json<CreatedEnrollmentToken>),
}

#[derive(Object)]
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
pub struct PendingHostList {
    pub items: Vec<PendingHost>,
}

#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct AcceptPendingRequest {
    #[oai(default)]
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
    let configured = state.config.public_url.trim_end_matches('/');
    if configured != crate::config::Config::default().public_url {
        return configured.to_string();
    }
    req.headers()
        .get(poem::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| h.chars().all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c)))
        .map(|h| format!("http://{h}"))
        .unwrap_or_else(|| configured.to_string())
}

async fn host_view(state: &AppState, h: HostRow) -> Result<Host, ApiError> {
    let repos = crate::store::hosts::linked_repositories(state.store.db(), h.id)
        .await
        .map_err(crate::domain::DomainError::from)?;
    Ok(view(
        h,
        repos,
        std::time::Duration::from_secs(state.config.agents.offline_after_secs),
        Utc::now(),
    ))
}

#[OpenApi(tag = "ApiTags::Hosts")]
impl HostsApi {
    /// Hosts, filtered by text, tag and status, ordered by hostname.
    #[oai(path = "/v1/hosts", method = "get", operation_id = "list_hosts")]
    async fn list(
        &self,
        _auth: Auth<perm::HostsRead>,
        state: Data<&AppState>,
        /// Text in hostname, OS or fingerprint.
        q: Query<Option<String>>,
        tag: Query<Option<String>>,
        status: Query<Option<HostStatus>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))] limit: Query<Option<u64>>,
        offset: Query<Option<u64>>,
    ) -> Result<Json<HostList>, ApiError> {
        let now = Utc::now();
        let offline_after = std::time::Duration::from_secs(state.config.agents.offline_after_secs);
        let cutoff = now - Duration::from_std(offline_after).unwrap_or_default();
        let filter = HostFilter {
            q: q.0,
            tag: tag.0,
            seen_since: (status.0 == Some(HostStatus::Online)).then_some(cutoff),
            not_seen_since: (status.0 == Some(HostStatus::Offline)).then_some(cutoff),
        };
        let (rows, total) =
            fleet::list_hosts(&state, &filter, limit.0.unwrap_or(100), offset.0.unwrap_or(0))
                .await?;
        let ids: Vec<Uuid> = rows.iter().map(|h| h.id).collect();
        let links = crate::store::hosts::links_for_hosts(state.store.db(), &ids)
            .await
            .map_err(crate::domain::DomainError::from)?;
        let items = rows
            .into_iter()
            .map(|h| {
                let repos = links.iter().filter(|(hid, _)| *hid == h.id).map(|(_, r)| *r).collect();
                view(h, repos, offline_after, now)
            })
            .collect();
        Ok(Json(HostList { items, total }))
    }

    #[oai(path = "/v1/hosts/:id", method = "get", operation_id = "get_host")]
    async fn get(
        &self,
        _auth: Auth<perm::HostsRead>,
        state: Data<&AppState>,
        id: Path<Uuid>,
    ) -> Result<Json<Host>, ApiError> {
        let h = fleet::get_host(&state, id.0).await?;
        Ok(Json(host_view(&state, h).await?))
    }

    /// Replaces the host's tags.
    #[oai(path = "/v1/hosts/:id", method = "patch", operation_id = "update_host")]
    async fn update(
        &self,
        auth: Auth<perm::HostsManage>,
        state: Data<&AppState>,
        id: Path<Uuid>,
        body: Json<UpdateHostRequest>,
    ) -> Result<Json<Host>, ApiError> {
        let h = fleet::set_tags(&state, &auth.actor(), id.0, &body.tags).await?;
        Ok(Json(host_view(&state, h).await?))
    }

    /// Deletes the host; its agent's key is refused from the next request on.
    #[oai(path = "/v1/hosts/:id", method = "delete", operation_id = "delete_host")]
    async fn delete(
        &self,
        auth: Auth<perm::HostsApprove>,
        state: Data<&AppState>,
        id: Path<Uuid>,
    ) -> Result<NoContent, ApiError> {
        fleet::delete_host(&state, &auth.actor(), id.0).await?;
        Ok(NoContent::Done)
    }

    /// Sets which repositories the host may use; the agent receives them as new config.
    #[oai(
        path = "/v1/hosts/:id/repositories",
        method = "put",
        operation_id = "set_host_repositories"
    )]
    async fn set_repositories(
        &self,
        auth: Auth<perm::HostsManage>,
        state: Data<&AppState>,
        id: Path<Uuid>,
        body: Json<SetHostRepositoriesRequest>,
    ) -> Result<Json<Host>, ApiError> {
        let h = fleet::set_repositories(&state, &auth.actor(), id.0, &body.repository_ids).await?;
        Ok(Json(host_view(&state, h).await?))
    }

    /// Sends a test command: proves the agent answers (and measures how fast).
    #[oai(path = "/v1/hosts/:id/ping", method = "post", operation_id = "ping_host")]
    async fn ping(
        &self,
        auth: Auth<perm::HostsManage>,
        state: Data<&AppState>,
        id: Path<Uuid>,
    ) -> Result<Queued, ApiError> {
        let c = fleet::ping(&state, &auth.actor(), id.0).await?;
        Ok(Queued::Accepted(Json(QueuedCommand { command_id: c.id, created_at: c.created_at })))
    }

    /// Sends a test command to every host (or every host with `tag`) at once.
    #[oai(path = "/v1/hosts/ping", method = "post", operation_id = "ping_hosts")]
    async fn ping_all(
        &self,
        auth: Auth<perm::HostsManage>,
        state: Data<&AppState>,
        body: Json<PingHostsRequest>,
    ) -> Result<Json<PingedHosts>, ApiError> {
        let queued = fleet::ping_all(&state, &auth.actor(), body.0.tag).await?;
        Ok(Json(PingedHosts { queued }))
    }

    /// Enrollment tokens that are neither used nor expired (secrets are never shown again).
    #[oai(path = "/v1/enrollment-tokens", method = "get", operation_id = "list_enrollment_tokens")]
    async fn list_tokens(
        &self,
        _auth: Auth<perm::HostsRead>,
        state: Data<&AppState>,
    ) -> Result<Json<EnrollmentTokenList>, ApiError> {
        let rows = fleet::list_enrollment_tokens(&state).await?;
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
        let (row, secret) = fleet::create_enrollment_token(
            &state,
            &auth.actor(),
            b.ttl_secs,
            &b.tags,
            b.repository_id,
        )
        .await?;
        let server_url = public_url(&state, req);
        let install_command =
            format!("cairn-agent enroll --server {server_url} --token {secret} && cairn-agent run");
        Ok(CreatedEnrollment::Created(Json(CreatedEnrollmentToken {
            token: row.into(),
            secret,
            install_command,
            server_url,
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
        fleet::delete_enrollment_token(&state, &auth.actor(), id.0).await?;
        Ok(NoContent::Done)
    }

    /// Agents that announced themselves and wait for a decision.
    #[oai(path = "/v1/pending-hosts", method = "get", operation_id = "list_pending_hosts")]
    async fn list_pending(
        &self,
        _auth: Auth<perm::HostsRead>,
        state: Data<&AppState>,
    ) -> Result<Json<PendingHostList>, ApiError> {
        let items = fleet::list_pending(&state)
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
        let h = fleet::accept_pending(&state, &auth.actor(), id.0, &body.tags).await?;
        Ok(AcceptedHost::Created(Json(host_view(&state, h).await?)))
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
        fleet::reject_pending(&state, &auth.actor(), id.0, body.0.message).await?;
        Ok(NoContent::Done)
    }
}

#[cfg(test)]
mod tests {
    use super::older_than;

    #[test]
    fn versions_compare_numerically() {
        assert!(older_than("0.9.0", "0.10.0"));
        assert!(!older_than("0.10.0", "0.9.9"));
        assert!(!older_than("0.1.0", "0.1.0"));
        assert!(older_than("0.1.0", "0.1.1-dev"));
    }
}
