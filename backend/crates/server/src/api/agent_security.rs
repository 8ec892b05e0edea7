//! Security schemes of the agent API: `AgentAuth` (a host's signed token) and
//! `AnnounceAuth` (an announced agent asking about its request, signed with the same key).
//! Both check the protocol version first, so a mismatched agent gets a clear answer.

use crate::codes::Code;
use base64::Engine;
use poem::{Request, RequestBody};
use poem_openapi::{
    ApiExtractor, ApiExtractorType, ExtractParamOptions, SecurityScheme, auth::Bearer,
    registry::Registry,
};
use serde_json::json;

use super::{error::ApiError, security::client_of};
use crate::{
    app::AppState,
    auth::service::Client,
    domain::audit::{self, Event, Outcome},
    domain::{
        enrollment, fleet,
        rows::{HostRow, PendingHostRow},
    },
    hub::auth::{AgentTokenError, check_protocol, unverified_subject},
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
        code: Code::AgentProtocolMismatch.into(),
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
fn code_for(err: Option<&AgentTokenError>) -> Code {
    match err {
        None => Code::AgentRevoked,
        Some(AgentTokenError::Expired | AgentTokenError::IssuedInFuture) => Code::AgentClockSkew,
        Some(_) => Code::AgentUnauthorized,
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

/// The agent's `X-Cairn-Protocol` header, as text.
fn protocol_header(req: &Request) -> Option<&str> {
    req.headers().get(cairn_proto::PROTOCOL_HEADER).and_then(|v| v.to_str().ok())
}

fn state_of(req: &Request) -> poem::Result<AppState> {
    req.data::<AppState>()
        .cloned()
        .ok_or_else(|| poem::Error::from(ApiError::internal("application state missing")))
}

/// Who signed an agent request: an enrolled host, or an agent still waiting for approval.
enum Signer {
    Host(HostRow),
    Pending(PendingHostRow),
}

impl Signer {
    fn public_key(&self) -> &str {
        match self {
            Signer::Host(h) => &h.public_key,
            Signer::Pending(p) => &p.public_key,
        }
    }
}

/// The one path every signed agent request takes: protocol, token, the signer's stored
/// public key (looked up by the token's subject), signature and times; refusals audited.
async fn authenticate(req: &Request, pending: bool) -> poem::Result<(Signer, Client)> {
    let state = state_of(req)?;
    let client = client_of(req);
    check_protocol(protocol_header(req))
        .map_err(|(s, a)| poem::Error::from(protocol_error(s, a)))?;
    let token = bearer(req).map_err(|e| {
        poem::Error::from(ApiError::unauthorized(
            Code::AgentUnauthorized,
            format!("Agent credential refused: {}.", e.reason()),
        ))
    })?;
    let sub = match unverified_subject(token) {
        Ok(s) => s,
        Err(e) => return Err(refuse(&state, &client, req, Some(&e)).await.into()),
    };
    let failed = |e| poem::Error::from(ApiError::from(e));
    let signer = if pending {
        enrollment::find_pending(&state, sub).await.map_err(failed)?.map(Signer::Pending)
    } else {
        fleet::find_host(&state, sub).await.map_err(failed)?.map(Signer::Host)
    };
    let Some(signer) = signer else {
        return Err(refuse(&state, &client, req, None).await.into());
    };
    let key =
        base64::engine::general_purpose::STANDARD.decode(signer.public_key()).unwrap_or_default();
    if let Err(e) = state.agent_tokens.verify(token, &key) {
        return Err(refuse(&state, &client, req, Some(&e)).await.into());
    }
    Ok((signer, client))
}

/// Both extractors document the same `agent` security scheme.
macro_rules! agent_scheme {
    () => {
        const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::SecurityScheme];
        type ParamType = ();
        type ParamRawType = ();

        fn register(registry: &mut Registry) {
            <AgentScheme as ApiExtractor>::register(registry);
        }

        fn security_schemes() -> Vec<&'static str> {
            vec!["agent"]
        }
    };
}

/// A request from an enrolled host's agent.
pub struct AgentAuth {
    pub host: HostRow,
    pub client: Client,
}

impl<'a> ApiExtractor<'a> for AgentAuth {
    agent_scheme!();

    async fn from_request(
        req: &'a Request,
        _body: &mut RequestBody,
        _o: ExtractParamOptions<()>,
    ) -> poem::Result<Self> {
        // Boxed so the database lookup's large state is not part of every held poll.
        match Box::pin(authenticate(req, false)).await? {
            (Signer::Host(host), client) => Ok(AgentAuth { host, client }),
            (Signer::Pending(_), _) => Err(ApiError::internal("unexpected signer").into()),
        }
    }
}

/// An announced agent asking whether it was accepted (signed with its pending key).
pub struct AnnounceAuth {
    pub pending: PendingHostRow,
}

impl<'a> ApiExtractor<'a> for AnnounceAuth {
    agent_scheme!();

    async fn from_request(
        req: &'a Request,
        _body: &mut RequestBody,
        _o: ExtractParamOptions<()>,
    ) -> poem::Result<Self> {
        match Box::pin(authenticate(req, true)).await? {
            (Signer::Pending(pending), _) => Ok(AnnounceAuth { pending }),
            (Signer::Host(_), _) => Err(ApiError::internal("unexpected signer").into()),
        }
    }
}

/// For the public agent operations (enroll, announce): refuses a protocol mismatch.
pub struct ProtocolGuard;

impl<'a> poem::FromRequest<'a> for ProtocolGuard {
    async fn from_request(req: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        check_protocol(protocol_header(req))
            .map_err(|(s, a)| poem::Error::from(protocol_error(s, a)))?;
        Ok(ProtocolGuard)
    }
}
