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
use uuid::Uuid;

use crate::{
    app::AppState,
    auth::{
        ACCESS_COOKIE, CSRF_HEADER, HostScope, Permission,
        service::{self, Client, Principal, Rejection},
    },
    domain::audit::{self, Actor, Event, Outcome},
    domain::{DomainError, scope},
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
        HostsDelete,
        SnapshotsRead,
        SnapshotsDownload,
        RestoresRun,
        RestoresAnywhere,
        BackupsRun,
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

/// An authenticated caller whose role over all hosts has `P`'s permission (a host-scoped
/// binding is not enough: operations on hosts take [`HostAuth`]).
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

    /// Succeeds when the caller's role over all hosts has `p`; otherwise audits the
    /// denial and refuses.
    pub async fn require(&self, p: Permission) -> Result<&Principal, ApiError> {
        if self.principal.role.allows(p) {
            return Ok(&self.principal);
        }
        Err(self.denied(p).await)
    }

    async fn denied(&self, p: Permission) -> ApiError {
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
        let scoped = if self.principal.scope(p).is_some() {
            " over all hosts (your host-scoped roles do not reach this)"
        } else {
            ""
        };
        ApiError::forbidden(
            Code::AuthForbidden,
            format!("Your role ({}) does not allow this{scoped}.", self.principal.role.as_str()),
        )
    }
}

/// An authenticated caller who has `P` on some hosts at least: over all of them, or
/// through a binding to some host tags. The one place that decides about a host: a
/// handler checks each host it touches (directly, or behind a job, schedule, alert or
/// repository) with the methods below, and filters its lists with [`HostAuth::scope`].
/// Out of scope answers exactly as a missing thing does (404), so a scoped caller cannot
/// even learn that a host exists.
pub struct HostAuth<P: Needs> {
    auth: Auth<P>,
    scope: HostScope,
}

impl<P: Needs> HostAuth<P> {
    pub fn actor(&self) -> Actor {
        self.auth.actor()
    }

    pub fn principal(&self) -> &Principal {
        &self.auth.principal
    }

    /// Another permission this operation needs over all hosts (for example a restore in
    /// place); refuses and audits as [`Auth::require`] does.
    pub async fn require(&self, p: Permission) -> Result<&Principal, ApiError> {
        self.auth.require(p).await
    }

    /// The hosts `P` reaches for this caller.
    pub fn scope(&self) -> &HostScope {
        &self.scope
    }

    /// The scope of another permission this operation also needs (for example a restore
    /// that also writes to another host); refuses like the extractor when there is none.
    pub async fn also(&self, p: Permission) -> Result<HostScope, ApiError> {
        match self.auth.principal.scope(p) {
            Some(s) => Ok(s),
            None => Err(self.auth.denied(p).await),
        }
    }

    /// Refuses (404, as for a missing host) unless the host is in scope.
    pub async fn host(&self, id: Uuid) -> Result<(), ApiError> {
        self.host_in(&self.scope, id).await
    }

    /// [`HostAuth::host`] for a scope from [`HostAuth::also`].
    pub async fn host_in(&self, s: &HostScope, id: Uuid) -> Result<(), ApiError> {
        self.decide(scope::covers_host(self.ctx(), s, id).await?, "host", id).await
    }

    /// Refuses (404, as for a missing job) unless the job's host is in scope.
    pub async fn job(&self, id: Uuid) -> Result<(), ApiError> {
        self.decide(scope::covers_job(self.ctx(), &self.scope, id).await?, "job", id).await
    }

    /// Refuses (404, as for a missing schedule) unless the schedule's host is in scope.
    pub async fn schedule(&self, id: Uuid) -> Result<(), ApiError> {
        let ok = scope::covers_schedule(self.ctx(), &self.scope, id).await?;
        self.decide(ok, "schedule", id).await
    }

    /// Refuses (404, as for a missing alert) unless the alert is about a host in scope.
    pub async fn alert(&self, id: Uuid) -> Result<(), ApiError> {
        self.decide(scope::covers_alert(self.ctx(), &self.scope, id).await?, "alert", id).await
    }

    /// Refuses (404, as for a missing repository) unless a host in scope is linked to it.
    pub async fn repository(&self, id: Uuid) -> Result<(), ApiError> {
        let ok = scope::covers_repository(self.ctx(), &self.scope, id).await?;
        self.decide(ok, "repository", id).await
    }

    fn ctx(&self) -> &AppState {
        &self.auth.state
    }

    async fn decide(&self, in_scope: bool, what: &'static str, id: Uuid) -> Result<(), ApiError> {
        if in_scope { Ok(()) } else { Err(self.out_of_scope(what, id).await) }
    }

    /// What the caller may learn about a thing out of `P`'s scope: one they can see anyway
    /// (a viewer everywhere who operates only `web`, on a `db` host) is refused with 403;
    /// one they cannot see answers 404, as if it did not exist.
    async fn out_of_scope(&self, what: &'static str, id: Uuid) -> ApiError {
        let visible = match self.auth.principal.scope(Permission::HostsRead) {
            None => false,
            Some(seen) => {
                let ctx = self.ctx();
                match what {
                    "host" => scope::covers_host(ctx, &seen, id).await,
                    "job" => scope::covers_job(ctx, &seen, id).await,
                    "schedule" => scope::covers_schedule(ctx, &seen, id).await,
                    "alert" => scope::covers_alert(ctx, &seen, id).await,
                    _ => scope::covers_repository(ctx, &seen, id).await,
                }
                .unwrap_or(false)
            }
        };
        audit::record_alone(
            &self.auth.state.store,
            &self.actor(),
            Event {
                action: "access.denied",
                target: None,
                outcome: Outcome::Denied,
                details: json!({
                    "request": self.auth.request,
                    "needs": P::PERMISSION.as_str(),
                    "reason": "outside the caller's host scope",
                    "resource": what,
                    "id": id,
                }),
            },
        )
        .await;
        if visible {
            ApiError::forbidden(
                Code::AuthForbidden,
                format!(
                    "Your roles do not allow this on this {what} ({} is needed on its host).",
                    P::PERMISSION.as_str()
                ),
            )
        } else {
            DomainError::NotFound { what }.into()
        }
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

/// The caller of this request, authenticated but not yet checked for any permission.
async fn caller<P: Needs>(req: &Request) -> poem::Result<Auth<P>> {
    let state = req
        .data::<AppState>()
        .cloned()
        .ok_or_else(|| poem::Error::from(ApiError::internal("application state missing")))?;
    let client = client_of(req);
    let principal = authenticate(&state, req, &client).await?;
    let request = format!("{} {}", req.method(), req.original_uri().path());
    Ok(Auth { principal, client, state, request, _needs: std::marker::PhantomData })
}

impl<'a, P: Needs> ApiExtractor<'a> for HostAuth<P> {
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
        let auth = caller::<P>(req).await?;
        match auth.principal.scope(P::PERMISSION) {
            Some(scope) => Ok(HostAuth { auth, scope }),
            None => Err(auth.denied(P::PERMISSION).await.into()),
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
        let auth = caller::<P>(req).await?;
        auth.require(P::PERMISSION).await?;
        Ok(auth)
    }
}
