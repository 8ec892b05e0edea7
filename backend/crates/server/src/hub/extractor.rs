//! Security schemes of the agent API: `AgentAuth` (a host's signed token) and
//! `AnnounceAuth` (an announced agent asking about its request, signed with the same key).
//! Both check the protocol version first, so a mismatched agent gets a clear answer.

use base64::Engine;
use poem::{Request, RequestBody};
use poem_openapi::{
    ApiExtractor, ApiExtractorType, ExtractParamOptions, SecurityScheme, auth::Bearer,
    registry::Registry,
};
use serde_json::json;

use super::auth::{AgentTokenError, check_protocol, unverified_subject, verify};
use crate::{
    api::error::ApiError,
    app::AppState,
    auth::{extractor::client_of, service::Client},
    domain::audit::{self, Event, Outcome},
    store::{
        enrollment::{self, PendingHostRow},
        hosts::{self, HostRow},
    },
};

// Only documents the scheme in the OpenAPI document; the extractors do the checking.
/// An agent's request token: a JWT it signs with its Ed25519 key (EdDSA; `sub` = host id,
/// `aud` = "cairn-agent", at most 5 minutes long). Also send `X-Cairn-Protocol`.
#[allow(dead_code)]
#[derive(SecurityScheme)]
#[oai(rename = "agent", ty = "bearer", bearer_format = "JWT (EdDSA)")]
struct AgentScheme(Bearer);

pub fn protocol_error(server: u32, agent: Option<u32>) -> ApiError {
    let agent_text = agent.map(|a| a.to_string()).unwrap_or_else(|| "none".into());
    ApiError::BadRequest(poem_openapi::payload::Json(crate::api::error::ErrorBody {
        code: "agent.protocol_mismatch".into(),
        message: format!(
            "Agent protocol {agent_text} does not match the server's protocol {server}: upgrade the agent (or the server) so both speak the same version."
        ),
        details: json!({ "server_protocol": server, "agent_protocol": agent }),
    }))
}

fn bearer(req: &Request) -> Result<&str, AgentTokenError> {
    req.headers()
        .get(poem::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|h| h.strip_prefix("Bearer "))
        .map(str::trim)
        .ok_or(AgentTokenError::Missing)
}

/// `agent.revoked`: the key is unknown (host deleted); `agent.clock_skew`: the token's
/// times are off (fix the clock, retry); `agent.unauthorized`: anything else.
fn code_for(err: Option<&AgentTokenError>) -> &'static str {
    match err {
        None => "agent.revoked",
        Some(AgentTokenError::Expired | AgentTokenError::IssuedInFuture) => "agent.clock_skew",
        Some(_) => "agent.unauthorized",
    }
}

async fn refuse(
    state: &AppState,
    client: &Client,
    req: &Request,
    err: Option<&AgentTokenError>,
) -> ApiError {
    let reason = err.map(AgentTokenError::reason).unwrap_or("unknown or deleted host");
    audit::record_alone(
        &state.store,
        &client.anonymous_actor(None),
        Event {
            action: "access.denied",
            target: None,
            outcome: Outcome::Denied,
            details: json!({ "request": format!("{} {}", req.method(), req.original_uri().path()), "credential": "agent", "reason": reason }),
        },
    )
    .await;
    ApiError::unauthorized(code_for(err), format!("Agent credential refused: {reason}."))
}

fn state_of(req: &Request) -> poem::Result<AppState> {
    req.data::<AppState>()
        .cloned()
        .ok_or_else(|| poem::Error::from(ApiError::internal("application state missing")))
}

/// A request from an enrolled host's agent.
pub struct AgentAuth {
    pub host: HostRow,
    pub client: Client,
}

impl<'a> ApiExtractor<'a> for AgentAuth {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::SecurityScheme];
    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        <AgentScheme as ApiExtractor>::register(registry);
    }

    fn security_schemes() -> Vec<&'static str> {
        vec!["agent"]
    }

    async fn from_request(
        req: &'a Request,
        _body: &mut RequestBody,
        _o: ExtractParamOptions<()>,
    ) -> poem::Result<Self> {
        // Boxed so the database lookup's large state is not part of every held poll.
        Box::pin(authenticate_agent(req)).await
    }
}

async fn authenticate_agent(req: &Request) -> poem::Result<AgentAuth> {
    let state = state_of(req)?;
    let client = client_of(req);
    check_protocol(req).map_err(|(s, a)| poem::Error::from(protocol_error(s, a)))?;
    let token = match bearer(req) {
        Ok(t) => t,
        Err(e) => {
            return Err(ApiError::unauthorized(
                "agent.unauthorized",
                format!("Agent credential refused: {}.", e.reason()),
            )
            .into());
        }
    };
    let sub = match unverified_subject(token) {
        Ok(s) => s,
        Err(e) => return Err(refuse(&state, &client, req, Some(&e)).await.into()),
    };
    let host = hosts::find(state.store.db(), sub)
        .await
        .map_err(|e| poem::Error::from(ApiError::from(crate::domain::DomainError::from(e))))?;
    let Some(host) = host else {
        return Err(refuse(&state, &client, req, None).await.into());
    };
    let key =
        base64::engine::general_purpose::STANDARD.decode(&host.public_key).unwrap_or_default();
    if let Err(e) = verify(token, &key) {
        return Err(refuse(&state, &client, req, Some(&e)).await.into());
    }
    Ok(AgentAuth { host, client })
}

/// An announced agent asking whether it was accepted (signed with its pending key).
pub struct AnnounceAuth {
    pub pending: PendingHostRow,
}

impl<'a> ApiExtractor<'a> for AnnounceAuth {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::SecurityScheme];
    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        <AgentScheme as ApiExtractor>::register(registry);
    }

    fn security_schemes() -> Vec<&'static str> {
        vec!["agent"]
    }

    async fn from_request(
        req: &'a Request,
        _body: &mut RequestBody,
        _o: ExtractParamOptions<()>,
    ) -> poem::Result<Self> {
        let state = state_of(req)?;
        let client = client_of(req);
        check_protocol(req).map_err(|(s, a)| poem::Error::from(protocol_error(s, a)))?;
        let token = bearer(req).map_err(|e| {
            poem::Error::from(ApiError::unauthorized(
                "agent.unauthorized",
                format!("Agent credential refused: {}.", e.reason()),
            ))
        })?;
        let sub = match unverified_subject(token) {
            Ok(s) => s,
            Err(e) => return Err(refuse(&state, &client, req, Some(&e)).await.into()),
        };
        let pending = enrollment::find_pending(state.store.db(), sub)
            .await
            .map_err(|e| poem::Error::from(ApiError::from(crate::domain::DomainError::from(e))))?;
        let Some(pending) = pending else {
            return Err(refuse(&state, &client, req, None).await.into());
        };
        let key = base64::engine::general_purpose::STANDARD
            .decode(&pending.public_key)
            .unwrap_or_default();
        if let Err(e) = verify(token, &key) {
            return Err(refuse(&state, &client, req, Some(&e)).await.into());
        }
        Ok(AnnounceAuth { pending })
    }
}

/// For the public agent operations (enroll, announce): refuses a protocol mismatch.
pub struct ProtocolGuard;

impl<'a> poem::FromRequest<'a> for ProtocolGuard {
    async fn from_request(req: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        check_protocol(req).map_err(|(s, a)| poem::Error::from(protocol_error(s, a)))?;
        Ok(ProtocolGuard)
    }
}
