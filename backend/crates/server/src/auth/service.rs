//! Sign-in, sessions and personal access tokens: login with rate limits, refresh-token
//! rotation with reuse detection, and turning a presented credential into a `Principal`
//! checked against the database on every request (so revocation is immediate).

use crate::codes::Code;
use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use uuid::Uuid;

use super::{
    Permission, Role,
    callers::{Found, Key},
    keys, password,
    permission::{self, HostScope, RoleBinding},
};
use crate::{
    app::AppState,
    domain::{
        DomainError,
        audit::{self, Actor, ActorKind, Event, Outcome, Target},
    },
    store::{
        epoch,
        sessions::{self, SessionRow},
        users::{self, UserRow},
    },
};

/// Where the request came from; filled by the HTTP layer.
#[derive(Clone, Debug, Default)]
pub struct Client {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl Client {
    /// `user` acting from this client (a sign-in, the first-run setup).
    pub fn user_actor(&self, user: &UserRow) -> Actor {
        Actor {
            kind: ActorKind::User,
            id: Some(user.id.to_string()),
            name: Some(user.username.clone()),
            ip: self.ip.clone(),
            user_agent: self.user_agent.clone(),
        }
    }

    pub fn anonymous_actor(&self, name: Option<String>) -> Actor {
        Actor {
            kind: ActorKind::Anonymous,
            id: None,
            name,
            ip: self.ip.clone(),
            user_agent: self.user_agent.clone(),
        }
    }
}

#[derive(Clone, Debug)]
pub enum AuthMethod {
    Session { session_id: Uuid },
    Token { token_id: Uuid, name: String },
}

/// An authenticated caller: the user as stored now, and the role in force for this
/// request (a token's role cap never exceeds its owner's current role).
#[derive(Clone, Debug)]
pub struct Principal {
    pub user: UserRow,
    /// The role over every host.
    pub role: Role,
    /// Roles over the hosts of some tags (capped like `role` for a token).
    pub bindings: Vec<RoleBinding>,
    pub method: AuthMethod,
}

/// The host-scoped bindings stored on `user`. Rows are written from checked bindings, so
/// a row that does not parse is corruption: it is logged and grants nothing.
pub fn bindings_of(user: &UserRow) -> Vec<RoleBinding> {
    match serde_json::from_str(&user.bindings) {
        Ok(b) => b,
        Err(e) => {
            tracing::error!(user = %user.id, error = %e, "unreadable role bindings; none granted");
            Vec::new()
        }
    }
}

impl Principal {
    /// `user` as a caller, with every role capped at `cap` (a token's role).
    pub fn new(user: UserRow, cap: Option<Role>, method: AuthMethod) -> Principal {
        let cap = cap.unwrap_or(Role::Admin);
        let bindings = bindings_of(&user)
            .into_iter()
            .map(|b| RoleBinding { role: b.role.min(cap), tags: b.tags })
            .filter(|b| b.role > Role::None)
            .collect();
        Principal { role: user.role.min(cap), user, bindings, method }
    }

    /// The hosts `p` reaches for this caller (`None`: no host at all).
    pub fn scope(&self, p: Permission) -> Option<HostScope> {
        permission::scope_of(self.role, &self.bindings, p)
    }

    /// Every permission this caller has over all hosts or some.
    pub fn permissions_anywhere(&self) -> Vec<Permission> {
        permission::permissions_anywhere(self.role, &self.bindings)
    }

    /// What this caller may do on the host carrying `host_tags`.
    pub fn permissions_on(&self, host_tags: &[String]) -> Vec<Permission> {
        permission::permissions_on(self.role, &self.bindings, host_tags)
    }

    pub fn actor(&self, client: &Client) -> Actor {
        let kind = match self.method {
            AuthMethod::Session { .. } => ActorKind::User,
            AuthMethod::Token { .. } => ActorKind::Token,
        };
        Actor {
            kind,
            id: Some(self.user.id.to_string()),
            name: Some(self.user.username.clone()),
            ip: client.ip.clone(),
            user_agent: client.user_agent.clone(),
        }
    }

    pub fn session_id(&self) -> Option<Uuid> {
        match self.method {
            AuthMethod::Session { session_id } => Some(session_id),
            AuthMethod::Token { .. } => None,
        }
    }
}

/// What a new or refreshed session hands to the browser (as cookies).
pub struct IssuedSession {
    pub session_id: Uuid,
    pub access_token: String,
    pub refresh_token: String,
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
}

fn issue(
    state: &AppState,
    user: Uuid,
    session_id: Uuid,
    refresh_token: String,
    expires_at: DateTime<Utc>,
) -> IssuedSession {
    let now = Utc::now().timestamp();
    IssuedSession {
        session_id,
        access_token: state.keys.sign_session(
            user,
            session_id,
            now,
            state.config.auth.access_token_ttl_secs as i64,
        ),
        refresh_token,
        csrf_token: state.keys.csrf_token(session_id),
        expires_at,
    }
}

fn session_ttl(state: &AppState) -> Duration {
    Duration::hours(state.config.auth.session_ttl_hours as i64)
}

/// Creates a session row for `user` inside the caller's transaction.
pub async fn open_session<C: sea_orm::ConnectionTrait>(
    db: &C,
    state: &AppState,
    user: &UserRow,
    client: &Client,
) -> Result<IssuedSession, DomainError> {
    let now = Utc::now();
    let refresh = keys::random_secret();
    let row = SessionRow {
        id: Uuid::now_v7(),
        user_id: user.id,
        refresh_hash: keys::token_hash(&refresh),
        prev_refresh_hash: None,
        created_at: now,
        last_used_at: now,
        expires_at: now + session_ttl(state),
        revoked_at: None,
        source_ip: client.ip.clone(),
        user_agent: client.user_agent.as_ref().map(|u| u.chars().take(512).collect()),
    };
    sessions::insert(db, row.clone()).await?;
    Ok(issue(state, user.id, row.id, refresh, row.expires_at))
}

pub async fn login(
    state: &AppState,
    client: &Client,
    username: &str,
    password_in: String,
) -> Result<(UserRow, IssuedSession), DomainError> {
    let name = username.trim().to_lowercase();
    // With password sign-in off, only a break-glass user may still use one.
    if !super::sign_in::password_allowed(state, &name).await? {
        audit::record_alone(
            &state.store,
            &client.anonymous_actor(Some(name.clone())),
            Event {
                action: "auth.login",
                target: None,
                outcome: Outcome::Denied,
                details: json!({ "reason": "local login disabled" }),
            },
        )
        .await;
        return Err(DomainError::LocalLoginDisabled);
    }
    if let Err(wait) = state.limiter.check(&name, client.ip.as_deref()) {
        let retry_after_secs = wait.as_secs().max(1);
        audit::record_alone(
            &state.store,
            &client.anonymous_actor(Some(name.clone())),
            Event {
                action: "auth.login",
                target: None,
                outcome: Outcome::Denied,
                details: json!({ "reason": "rate limited", "retry_after_secs": retry_after_secs }),
            },
        )
        .await;
        return Err(DomainError::Throttled {
            code: Code::AuthRateLimited,
            message: format!("Too many failed attempts. Try again in {retry_after_secs} seconds."),
            retry_after_secs,
        });
    }
    let user = users::find_by_username(state.store.db(), &name).await?;
    let ok =
        password::verify(password_in, user.as_ref().and_then(|u| u.password_hash.clone())).await;
    let user = match user {
        Some(u) if ok => u,
        found => {
            state.limiter.record_failure(&name, client.ip.as_deref());
            let reason = if found.is_some() { "wrong password" } else { "unknown user" };
            audit::record_alone(
                &state.store,
                &client.anonymous_actor(Some(name.clone())),
                Event {
                    action: "auth.login",
                    target: found.as_ref().map(|u| Target::user(u.id, &u.username)),
                    outcome: Outcome::Failure,
                    details: json!({ "reason": reason }),
                },
            )
            .await;
            return Err(DomainError::InvalidCredentials);
        }
    };
    if user.disabled {
        // Only said after a correct password, so it reveals nothing to a guesser.
        audit::record_alone(
            &state.store,
            &client.anonymous_actor(Some(name.clone())),
            Event {
                action: "auth.login",
                target: Some(Target::user(user.id, &user.username)),
                outcome: Outcome::Denied,
                details: json!({ "reason": "account disabled" }),
            },
        )
        .await;
        return Err(DomainError::forbidden(Code::AuthUserDisabled, "This account is disabled."));
    }
    state.limiter.record_success(&name);
    let txn = state.store.write().await?;
    let issued = open_session(&*txn, state, &user, client).await?;
    let mut row = user;
    row.last_login_at = Some(Utc::now());
    let row = users::save(&*txn, row).await?;
    let actor = client.user_actor(&row);
    audit::record(
        &*txn,
        &actor,
        Event::success(
            "auth.login",
            Some(Target::user(row.id, &row.username)),
            json!({ "method": "password" }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok((row, issued))
}

/// Rotates the refresh token. Presenting an already-rotated token means it was copied:
/// the whole session is revoked.
pub async fn refresh(
    state: &AppState,
    client: &Client,
    refresh_token: &str,
) -> Result<(Principal, IssuedSession), DomainError> {
    let expired = || {
        DomainError::unauthenticated(
            Code::AuthSessionExpired,
            "Your session has ended; sign in again.",
        )
    };
    let hash = keys::token_hash(refresh_token);
    let now = Utc::now();
    let db = state.store.db();
    let Some(session) = sessions::find_by_refresh_hash(db, &hash).await? else {
        if let Some(stolen) = sessions::find_by_prev_refresh_hash(db, &hash).await? {
            let txn = state.store.write().await?;
            sessions::revoke(&*txn, stolen.id, now).await?;
            audit::record(
                &*txn,
                &client.anonymous_actor(None),
                Event {
                    action: "auth.refresh_reuse",
                    target: Some(Target { kind: "session", id: stolen.id.to_string(), name: None }),
                    outcome: Outcome::Denied,
                    details: json!({ "user_id": stolen.user_id, "session_revoked": true }),
                },
            )
            .await?;
            txn.commit().await?;
        }
        return Err(expired());
    };
    if session.revoked_at.is_some() || session.expires_at <= now {
        return Err(expired());
    }
    let user = users::find(db, session.user_id).await?.ok_or_else(expired)?;
    if user.disabled {
        return Err(expired());
    }
    let new_refresh = keys::random_secret();
    let expires_at = now + session_ttl(state);
    let txn = state.store.write().await?;
    if !sessions::rotate(&*txn, session.id, &hash, &keys::token_hash(&new_refresh), now, expires_at)
        .await?
    {
        return Err(expired());
    }
    txn.commit().await?;
    let issued = issue(state, user.id, session.id, new_refresh, expires_at);
    Ok((Principal::new(user, None, AuthMethod::Session { session_id: session.id }), issued))
}

pub async fn logout(
    state: &AppState,
    principal: &Principal,
    client: &Client,
) -> Result<(), DomainError> {
    let txn = state.store.write().await?;
    if let Some(sid) = principal.session_id() {
        sessions::revoke(&*txn, sid, Utc::now()).await?;
    }
    audit::record(&*txn, &principal.actor(client), Event::success("auth.logout", None, json!({})))
        .await?;
    txn.commit().await?;
    Ok(())
}

/// Why a presented credential was refused.
pub enum Rejection {
    /// Routine: the short-lived access token ran out; the browser refreshes it.
    Expired,
    /// Worth an audit line: a forged, revoked or disabled credential.
    Refused(&'static str),
}

pub async fn authenticate_session(
    state: &AppState,
    access_token: &str,
) -> Result<Result<Principal, Rejection>, DomainError> {
    let claims = match state.keys.verify_session(access_token) {
        Ok(c) => c,
        Err(keys::JwtError::Expired) => return Ok(Err(Rejection::Expired)),
        Err(keys::JwtError::Invalid) => {
            return Ok(Err(Rejection::Refused("invalid session token")));
        }
    };
    let key = Key::Session(claims.sid);
    let (session, user) = match state.callers.get(&key) {
        Some(Found::Session(session, user)) => (session, user),
        _ => {
            let epoch = epoch::AUTH.now();
            let Some((session, user)) =
                sessions::find_with_user(state.store.db(), claims.sid).await?
            else {
                return Ok(Err(Rejection::Refused("unknown session")));
            };
            state.callers.put(key, Found::Session(session.clone(), user.clone()), epoch);
            (session, user)
        }
    };
    if session.revoked_at.is_some()
        || session.user_id != claims.sub
        || session.expires_at <= Utc::now()
    {
        return Ok(Err(Rejection::Refused("session revoked or expired")));
    }
    let Some(user) = user else {
        return Ok(Err(Rejection::Refused("user deleted")));
    };
    if user.disabled {
        return Ok(Err(Rejection::Refused("user disabled")));
    }
    Ok(Ok(Principal::new(user, None, AuthMethod::Session { session_id: session.id })))
}
