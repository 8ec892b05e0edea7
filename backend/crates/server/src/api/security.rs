//! The `Auth` security scheme every protected operation takes as its first argument:
//! it accepts a Bearer personal access token or the session cookie (plus the CSRF header
//! on state-changing requests), and `require(Permission)` is the one gate for rights.

use crate::codes::Code;
use poem::{FromRequest, Request, RequestBody, http::Method};
use poem_openapi::{
    ApiExtractor, ApiExtractorType, ExtractParamOptions, SecurityScheme,
    auth::{ApiKey, Bearer},
    registry::Registry,
};
use serde_json::json;

use super::error::ApiError;
use crate::{
    app::AppState,
    auth::{
        ACCESS_COOKIE, CSRF_HEADER, Permission,
        service::{self, Client, Principal, Rejection},
    },
    domain::audit::{self, Actor, Event, Outcome},
};

// Only documents the scheme in the OpenAPI document; `Auth` does the checking.
/// A personal access token: `Authorization: Bearer cairn_pat_…` (create one on your profile page).
#[allow(dead_code)]
#[derive(SecurityScheme)]
#[oai(rename = "token", ty = "bearer", bearer_format = "cairn_pat_…")]
struct TokenScheme(Bearer);

// Only documents the scheme in the OpenAPI document; `Auth` does the checking.
/// The browser session cookie set by sign-in; state-changing requests must also send
/// `X-CSRF-Token` with the value of the `cairn_csrf` cookie.
#[allow(dead_code)]
#[derive(SecurityScheme)]
#[oai(rename = "session", ty = "api_key", key_name = "cairn_access", key_in = "cookie")]
struct SessionScheme(ApiKey);

/// The permission an operation needs, as a type, so it is part of the handler's signature
/// and is checked before the request body is even parsed.
pub trait Needs: Send + Sync + 'static {
    const PERMISSION: Permission;
}

/// One marker type per `Permission`.
pub mod perm {
    use super::Needs;
    use crate::auth::Permission;

    macro_rules! markers {
        ($($name:ident),*) => {$(
            pub struct $name;
            impl Needs for $name {
                const PERMISSION: Permission = Permission::$name;
            }
        )*};
    }
    markers!(
        Profile,
        HostsRead,
        HostsManage,
        HostsApprove,
        SnapshotsRead,
        RestoresAnywhere,
        JobsRun,
        SchedulesManage,
        SchedulesHooks,
        ReposRead,
        ReposManage,
        ReposMaintain,
        UsersRead,
        UsersManage,
        AuditRead,
        AlertsRead,
        AlertsManage,
        AlertsConfigure
    );
}

/// An authenticated caller whose role has `P`'s permission.
pub struct Auth<P: Needs> {
    pub principal: Principal,
    pub client: Client,
    state: AppState,
    /// "METHOD /path", for the audit line of a denial.
    request: String,
    _needs: std::marker::PhantomData<P>,
}

impl<P: Needs> Auth<P> {
    pub fn actor(&self) -> Actor {
        self.principal.actor(&self.client)
    }

    /// Succeeds when the caller's role has `p`; otherwise audits the denial and refuses.
    pub async fn require(&self, p: Permission) -> Result<&Principal, ApiError> {
        if self.principal.role.allows(p) {
            return Ok(&self.principal);
        }
        audit::record_alone(
            &self.state.store,
            &self.actor(),
            Event {
                action: "access.denied",
                target: None,
                outcome: Outcome::Denied,
                details: json!({
                    "request": self.request,
                    "needs": p.as_str(),
                    "role": self.principal.role.as_str(),
                }),
            },
        )
        .await;
        Err(ApiError::forbidden(
            Code::AuthForbidden,
            format!("Your role ({}) does not allow this.", self.principal.role.as_str()),
        ))
    }
}

pub fn client_of(req: &Request) -> Client {
    let peer = req.remote_addr().as_socket_addr().map(|a| a.ip());
    let ip = match (peer, req.data::<AppState>()) {
        (Some(peer), Some(state)) => {
            let xff = req.headers().get("x-forwarded-for").and_then(|v| v.to_str().ok());
            Some(state.trusted_proxies.client_ip(peer, xff))
        }
        (peer, _) => peer,
    };
    Client {
        ip: ip.map(|ip| ip.to_string()),
        user_agent: req
            .headers()
            .get(poem::http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|s| s.chars().take(512).collect()),
    }
}

/// Source IP and user agent, for public operations that still audit (login, setup).
pub struct ClientInfo(pub Client);

impl<'a> FromRequest<'a> for ClientInfo {
    async fn from_request(req: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        Ok(ClientInfo(client_of(req)))
    }
}

fn is_safe(m: &Method) -> bool {
    matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

async fn authenticate(
    state: &AppState,
    req: &Request,
    client: &Client,
) -> Result<Principal, ApiError> {
    let request = format!("{} {}", req.method(), req.original_uri().path());
    let (result, via) = if let Some(header) = req.headers().get(poem::http::header::AUTHORIZATION) {
        let token = header
            .to_str()
            .ok()
            .and_then(|h| h.strip_prefix("Bearer ").or_else(|| h.strip_prefix("bearer ")))
            .map(str::trim);
        let result = match token {
            Some(token) => crate::auth::tokens::authenticate_token(state, token).await?,
            None => Err(Rejection::Refused("Authorization is not \"Bearer <token>\"")),
        };
        (result, "token")
    } else if let Some(cookie) = req.cookie().get(ACCESS_COOKIE) {
        let result = service::authenticate_session(state, cookie.value_str()).await?;
        if let Ok(p) = &result
            && !is_safe(req.method())
        {
            let presented =
                req.headers().get(CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("");
            let sid = p.session_id().unwrap_or_default();
            if !state.keys.csrf_matches(sid, presented) {
                audit::record_alone(
                    &state.store,
                    &p.actor(client),
                    Event {
                        action: "access.denied",
                        target: None,
                        outcome: Outcome::Denied,
                        details: json!({ "request": request, "reason": "missing or wrong CSRF token" }),
                    },
                )
                .await;
                return Err(ApiError::forbidden(
                    Code::AuthCsrf,
                    format!(
                        "State-changing requests need the {CSRF_HEADER} header (the value of the cairn_csrf cookie)."
                    ),
                ));
            }
        }
        (result, "session")
    } else {
        return Err(ApiError::unauthorized(
            Code::AuthRequired,
            "Sign in, or send an API token as \"Authorization: Bearer <token>\".",
        ));
    };
    match result {
        Ok(p) => Ok(p),
        Err(Rejection::Expired) => Err(ApiError::unauthorized(
            Code::AuthTokenExpired,
            "Your access token expired; refresh the session.",
        )),
        Err(Rejection::Refused(reason)) => {
            audit::record_alone(
                &state.store,
                &client.anonymous_actor(None),
                Event {
                    action: "access.denied",
                    target: None,
                    outcome: Outcome::Denied,
                    details: json!({ "request": request, "credential": via, "reason": reason }),
                },
            )
            .await;
            let code =
                if via == "token" { Code::AuthInvalidToken } else { Code::AuthSessionExpired };
            Err(ApiError::unauthorized(code, format!("Credential refused: {reason}.")))
        }
    }
}

impl<'a, P: Needs> ApiExtractor<'a> for Auth<P> {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::SecurityScheme];
    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        <TokenScheme as ApiExtractor>::register(registry);
        <SessionScheme as ApiExtractor>::register(registry);
    }

    fn security_schemes() -> Vec<&'static str> {
        vec!["token", "session"]
    }

    async fn from_request(
        req: &'a Request,
        _body: &mut RequestBody,
        _opts: ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        let state = req
            .data::<AppState>()
            .cloned()
            .ok_or_else(|| poem::Error::from(ApiError::internal("application state missing")))?;
        let client = client_of(req);
        let principal = authenticate(&state, req, &client).await?;
        let request = format!("{} {}", req.method(), req.original_uri().path());
        let auth = Auth { principal, client, state, request, _needs: std::marker::PhantomData };
        auth.require(P::PERMISSION).await?;
        Ok(auth)
    }
}
