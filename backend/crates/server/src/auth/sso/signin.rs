//! A sign-in through a provider: its start (state, nonce, PKCE verifier), its end (the
//! answer checked, groups to a role, the user found, linked or made, a session opened), the
//! refusals sent back to the sign-in page, and signing out at the provider.

use chrono::{Duration, Utc};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::{
    super::RoleBinding,
    CALLBACK_PATH, LOGIN_TTL_MINUTES, Role, RoleMapping,
    providers::{seal_context, view},
};
use crate::{
    app::AppState,
    auth::{
        keys,
        oidc::{self, AuthRequest, Expected},
        service::{Client, IssuedSession, open_session},
    },
    codes::Code,
    domain::{
        DomainError,
        audit::{self, Event, Outcome, Target},
        users::normalize_username,
    },
    store::{
        sso::{self as store, SsoLoginRow, SsoProviderRow},
        users::{self, UserRow},
    },
};

/// Where to send a browser to sign out at provider `slug` too: its end-session endpoint
/// with this client and the sign-in page to come back to; the sign-in page when the
/// provider offers none.
pub async fn logout_url(state: &AppState, slug: &str) -> String {
    let back = format!("{}/login", state.config.public_url.trim_end_matches('/'));
    let Ok(Some(p)) = store::find_by_slug(state.store.db(), slug).await else {
        return "/login".into();
    };
    let Ok(http) = oidc::http_client() else { return "/login".into() };
    let Ok(d) = oidc::discover(&http, &p.issuer).await else { return "/login".into() };
    let Some(end) = d.end_session_endpoint else { return "/login".into() };
    let Ok(mut url) = url::Url::parse(&end) else { return "/login".into() };
    url.query_pairs_mut()
        .append_pair("client_id", &p.client_id)
        .append_pair("post_logout_redirect_uri", &back);
    url.into()
}

fn redirect_uri(state: &AppState) -> String {
    format!("{}{CALLBACK_PATH}", state.config.public_url.trim_end_matches('/'))
}

/// Where a browser may be sent after signing in: a path of this web app, nothing else.
pub fn safe_next(next: Option<&str>) -> Option<String> {
    let n = next?.trim();
    let ok = n.starts_with('/')
        && !n.starts_with("//")
        && !n.contains('\\')
        && n.len() <= 2048
        && !n.chars().any(char::is_control);
    ok.then(|| n.to_string())
}

/// Why a sign-in through a provider did not end in a session: a code for the sign-in page
/// and a sentence for people. Never more detail than that to the browser; the audit log
/// and the server log keep the rest.
#[derive(Debug)]
pub struct SsoRefusal {
    pub code: Code,
    pub message: String,
}

impl SsoRefusal {
    fn new(code: Code, message: impl Into<String>) -> SsoRefusal {
        SsoRefusal { code, message: message.into() }
    }
}

impl From<DomainError> for SsoRefusal {
    fn from(e: DomainError) -> Self {
        tracing::error!("single sign-on failed inside Cairn: {e}");
        SsoRefusal::new(Code::AuthSsoFailed, "Cairn could not finish the sign-in; try again.")
    }
}

/// Starts a sign-in at provider `slug`: returns the provider's authorization URL.
pub async fn start(state: &AppState, slug: &str, next: Option<&str>) -> Result<String, SsoRefusal> {
    let p = store::find_by_slug(state.store.db(), slug)
        .await
        .map_err(DomainError::from)?
        .filter(|p| p.enabled)
        .ok_or_else(|| {
            SsoRefusal::new(
                Code::AuthSsoFailed,
                "This sign-in provider does not exist or is switched off.",
            )
        })?;
    let http = oidc::http_client().map_err(provider_down)?;
    let d = oidc::discover(&http, &p.issuer).await.map_err(provider_down)?;
    let (st, nonce, verifier) = (oidc::random_value(), oidc::random_value(), oidc::random_value());
    let scopes: Vec<String> = serde_json::from_str(&p.scopes).unwrap_or_default();
    let url = oidc::authorize_url(
        &d,
        &AuthRequest {
            client_id: &p.client_id,
            redirect_uri: &redirect_uri(state),
            scopes: &scopes,
            state: &st,
            nonce: &nonce,
            pkce_verifier: &verifier,
        },
    )
    .map_err(provider_down)?;
    let now = Utc::now();
    let row = SsoLoginRow {
        state_hash: keys::token_hash(&st),
        provider_id: p.id,
        nonce,
        pkce_verifier: verifier,
        next_path: safe_next(next),
        created_at: now,
    };
    let txn = state.store.write().await.map_err(DomainError::from)?;
    store::begin_login(&*txn, row, now - Duration::minutes(LOGIN_TTL_MINUTES))
        .await
        .map_err(DomainError::from)?;
    txn.commit().await.map_err(DomainError::from)?;
    Ok(url)
}

fn provider_down(e: oidc::OidcError) -> SsoRefusal {
    tracing::warn!("single sign-on: the provider failed: {e}");
    SsoRefusal::new(
        Code::AuthSsoFailed,
        "The sign-in provider could not be reached or answered badly; try again, or ask an admin to check its settings.",
    )
}

/// What the provider sent the browser back with.
pub struct Callback {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
}

/// A finished sign-in: the user, their new session, and where to go.
pub struct SignedIn {
    pub user: UserRow,
    pub session: IssuedSession,
    pub next: Option<String>,
}

async fn deny(
    state: &AppState,
    client: &Client,
    who: Option<String>,
    target: Option<Target>,
    reason: &str,
    provider: &str,
) {
    audit::record_alone(
        &state.store,
        &client.anonymous_actor(who),
        Event {
            action: "auth.login",
            target,
            outcome: Outcome::Denied,
            details: json!({ "method": "oidc", "provider": provider, "reason": reason }),
        },
    )
    .await;
}

/// Ends a sign-in: checks everything, then opens a session.
pub async fn finish(
    state: &AppState,
    client: &Client,
    cb: Callback,
) -> Result<SignedIn, SsoRefusal> {
    let stale = || {
        SsoRefusal::new(
            Code::AuthSsoState,
            "This sign-in was already used or took too long; sign in again.",
        )
    };
    let Some(st) = cb.state.filter(|s| !s.is_empty() && s.len() <= 256) else {
        deny(state, client, None, None, "no state", "").await;
        return Err(stale());
    };
    let txn = state.store.write().await.map_err(DomainError::from)?;
    let login =
        store::take_login(&*txn, &keys::token_hash(&st)).await.map_err(DomainError::from)?;
    txn.commit().await.map_err(DomainError::from)?;
    let Some(login) =
        login.filter(|l| l.created_at > Utc::now() - Duration::minutes(LOGIN_TTL_MINUTES))
    else {
        deny(state, client, None, None, "unknown, used or expired state", "").await;
        return Err(stale());
    };
    let p = store::find(state.store.db(), login.provider_id)
        .await
        .map_err(DomainError::from)?
        .filter(|p| p.enabled)
        .ok_or_else(|| {
            SsoRefusal::new(
                Code::AuthSsoFailed,
                "This sign-in provider was removed or switched off.",
            )
        })?;
    if let Some(e) = cb.error {
        deny(state, client, None, None, &format!("the provider answered {e}"), &p.slug).await;
        return Err(SsoRefusal::new(
            Code::AuthSsoFailed,
            format!(
                "{} did not sign you in ({}).",
                p.label,
                e.chars().take(64).collect::<String>()
            ),
        ));
    }
    let Some(code) = cb.code.filter(|c| !c.is_empty() && c.len() <= 2048) else {
        deny(state, client, None, None, "no code", &p.slug).await;
        return Err(SsoRefusal::new(
            Code::AuthSsoFailed,
            "The provider sent no code back; sign in again.",
        ));
    };
    let secret = state.keys.open(&seal_context(p.id), &p.client_secret_enc).map_err(|e| {
        DomainError::Internal(format!("the provider's client secret cannot be opened: {e}"))
    })?;
    let secret = String::from_utf8(secret)
        .map_err(|_| DomainError::Internal("client secret is not UTF-8".into()))?;
    let http = oidc::http_client().map_err(provider_down)?;
    let d = oidc::discover(&http, &p.issuer).await.map_err(provider_down)?;
    let token = match oidc::exchange_code(
        &http,
        &d,
        &p.client_id,
        &secret,
        &code,
        &redirect_uri(state),
        &login.pkce_verifier,
    )
    .await
    {
        Ok(t) => t,
        Err(oidc::OidcError::CodeRefused(why)) => {
            deny(state, client, None, None, &format!("code refused: {why}"), &p.slug).await;
            return Err(SsoRefusal::new(
                Code::AuthSsoFailed,
                "The provider refused this sign-in's code; sign in again.",
            ));
        }
        Err(e) => return Err(provider_down(e)),
    };
    let jwks = oidc::keys(&http, &d).await.map_err(provider_down)?;
    let want = Expected {
        issuer: &p.issuer,
        client_id: &p.client_id,
        nonce: &login.nonce,
        now: Utc::now().timestamp(),
    };
    let claims = match oidc::verify_id_token(&token, &jwks, &want) {
        Ok(c) => c,
        Err(e) => {
            deny(state, client, None, None, &e.to_string(), &p.slug).await;
            return Err(SsoRefusal::new(
                Code::AuthSsoFailed,
                "The provider's answer did not pass Cairn's checks; an admin can read why in the audit log.",
            ));
        }
    };
    let signed_in = sign_in(state, client, &p, &claims).await?;
    Ok(SignedIn { user: signed_in.0, session: signed_in.1, next: login.next_path })
}

fn claim_str<'a>(claims: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    claims.get(name).and_then(Value::as_str).filter(|s| !s.is_empty())
}

/// The groups in `claim`: an array of strings, or one string.
pub fn groups_of(claims: &Map<String, Value>, claim: &str) -> Vec<String> {
    match claims.get(claim) {
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).map(str::to_string).collect(),
        Some(Value::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    }
}

/// What `groups` give: the highest role over all hosts any of them maps to, and the
/// host-scoped roles of those mapped with tags. A user whose groups map only to scoped
/// roles has no role over all hosts (`none`); one in no mapped group gets the default
/// role, or nothing (`None`: refused).
pub fn grants_for(
    groups: &[String],
    map: &[RoleMapping],
    default: Option<Role>,
) -> Option<(Role, Vec<RoleBinding>)> {
    let matched: Vec<&RoleMapping> =
        map.iter().filter(|m| groups.iter().any(|g| g == &m.group)).collect();
    let global = matched.iter().filter(|m| m.tags.is_empty()).map(|m| m.role).max();
    let mut bindings: Vec<RoleBinding> = Vec::new();
    for m in matched.iter().filter(|m| !m.tags.is_empty()) {
        let b = RoleBinding { role: m.role, tags: m.tags.clone() };
        if !bindings.contains(&b) {
            bindings.push(b);
        }
    }
    match global {
        Some(role) => Some((role, bindings)),
        None if !bindings.is_empty() => Some((Role::None, bindings)),
        None => default.map(|r| (r, Vec::new())),
    }
}

/// A username from a provider's claim: lower-cased, other characters as '-', made unique.
async fn free_username(state: &AppState, wanted: &str) -> Result<String, DomainError> {
    let base: String = wanted
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || "._-".contains(c) { c } else { '-' })
        .take(60)
        .collect();
    let base = base.trim_start_matches(|c: char| !c.is_ascii_alphanumeric()).to_string();
    let base = if base.len() < 2 { format!("user-{base}") } else { base };
    for n in 1..100 {
        let name = if n == 1 { base.clone() } else { format!("{base}-{n}") };
        let name = normalize_username(&name)?;
        if !store::username_taken(state.store.db(), &name).await? {
            return Ok(name);
        }
    }
    Err(DomainError::Internal(format!("no free username near {base:?}")))
}

async fn sign_in(
    state: &AppState,
    client: &Client,
    p: &SsoProviderRow,
    claims: &Map<String, Value>,
) -> Result<(UserRow, IssuedSession), SsoRefusal> {
    let v = view(p.clone());
    let sub = claim_str(claims, "sub").ok_or_else(|| {
        SsoRefusal::new(Code::AuthSsoFailed, "The provider's answer names no user.")
    })?;
    let who = claim_str(claims, &p.username_claim).unwrap_or(sub).to_string();
    let groups = groups_of(claims, &p.groups_claim);
    let Some((role, bindings)) = grants_for(&groups, &v.role_map, v.default_role) else {
        deny(state, client, Some(who.clone()), None, "no mapped group", &p.slug).await;
        return Err(SsoRefusal::new(
            Code::AuthSsoNoRole,
            format!(
                "Your account at {} is in no group that gives access to Cairn; ask an admin.",
                p.label
            ),
        ));
    };
    let email = claim_str(claims, "email").map(str::to_string);
    let verified = claims.get("email_verified").and_then(Value::as_bool) == Some(true);
    let name = claim_str(claims, "name").map(|n| n.chars().take(128).collect::<String>());
    let db = state.store.db();
    let mut user = store::user_by_identity(db, p.id, sub).await.map_err(DomainError::from)?;
    let mut linked = false;
    if user.is_none()
        && p.link_by_email
        && verified
        && let Some(e) = &email
    {
        // Only an unambiguous match: one local user with this email.
        let mut found = store::local_users_by_email(db, e).await.map_err(DomainError::from)?;
        if found.len() == 1 {
            user = found.pop();
            linked = true;
        }
    }
    let now = Utc::now();
    let created = user.is_none();
    let mut row = match user {
        Some(u) => u,
        None => {
            let username = free_username(state, &who).await?;
            UserRow {
                id: Uuid::now_v7(),
                display_name: name.clone().unwrap_or_else(|| username.clone()),
                username,
                email: email.clone(),
                role,
                password_hash: None,
                disabled: false,
                created_at: now,
                updated_at: now,
                last_login_at: None,
                oidc_provider_id: Some(p.id),
                oidc_subject: Some(sub.to_string()),
                bindings: "[]".into(),
            }
        }
    };
    if row.disabled {
        deny(
            state,
            client,
            Some(row.username.clone()),
            Some(Target::user(row.id, &row.username)),
            "account disabled",
            &p.slug,
        )
        .await;
        return Err(SsoRefusal::new(Code::AuthUserDisabled, "This account is disabled."));
    }
    let before = row.role;
    row.role = role;
    row.bindings = crate::domain::users::bindings_json(&bindings);
    row.oidc_provider_id = Some(p.id);
    row.oidc_subject = Some(sub.to_string());
    if let Some(n) = name.filter(|_| !created) {
        row.display_name = n;
    }
    if email.is_some() && verified {
        row.email = email;
    }
    row.last_login_at = Some(now);
    row.updated_at = now;
    let txn = state.store.write().await.map_err(DomainError::from)?;
    let row = if created { users::insert(&*txn, row).await } else { users::save(&*txn, row).await }
        .map_err(DomainError::from)?;
    let session = open_session(&*txn, state, &row, client).await?;
    let actor = client.user_actor(&row);
    audit::record(
        &*txn,
        &actor,
        Event::success(
            "auth.login",
            Some(Target::user(row.id, &row.username)),
            json!({ "method": "oidc", "provider": p.slug, "created": created, "linked_by_email": linked,
                    "role": row.role.as_str(), "role_before": (!created && before != row.role).then(|| before.as_str()),
                    "bindings": bindings,
                    "groups": groups }),
        ),
    )
    .await
    .map_err(DomainError::from)?;
    txn.commit().await.map_err(DomainError::from)?;
    Ok((row, session))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_map_to_the_highest_role() {
        let map = vec![
            RoleMapping { group: "ops".into(), role: Role::Operator, tags: vec![] },
            RoleMapping { group: "admins".into(), role: Role::Admin, tags: vec![] },
            RoleMapping { group: "web-ops".into(), role: Role::Operator, tags: vec!["web".into()] },
            RoleMapping { group: "all-eyes".into(), role: Role::Viewer, tags: vec![] },
        ];
        let g = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let role = |v: &[&str], d| grants_for(&g(v), &map, d).map(|(r, _)| r);
        assert_eq!(role(&["ops", "admins"], None), Some(Role::Admin));
        assert_eq!(role(&["ops"], None), Some(Role::Operator));
        assert_eq!(role(&["sales"], None), None);
        assert_eq!(role(&["sales"], Some(Role::Viewer)), Some(Role::Viewer));
        // Scoped groups give bindings; alone they give no role over all hosts.
        let web = RoleBinding { role: Role::Operator, tags: vec!["web".into()] };
        assert_eq!(grants_for(&g(&["web-ops"]), &map, None), Some((Role::None, vec![web.clone()])));
        assert_eq!(
            grants_for(&g(&["web-ops", "all-eyes"]), &map, Some(Role::Admin)),
            Some((Role::Viewer, vec![web]))
        );
        let claims: Map<String, Value> =
            serde_json::from_value(json!({ "g1": ["a", 3, "b"], "g2": "solo" })).unwrap();
        assert_eq!(groups_of(&claims, "g1"), g(&["a", "b"]));
        assert_eq!(groups_of(&claims, "g2"), g(&["solo"]));
        assert!(groups_of(&claims, "none").is_empty());
    }

    #[test]
    fn only_a_path_of_the_app_is_a_next_stop() {
        assert_eq!(safe_next(Some("/hosts?tag=web")), Some("/hosts?tag=web".into()));
        for bad in ["https://evil.example", "//evil.example/x", "/\\evil", "hosts", "/a\nb"] {
            assert_eq!(safe_next(Some(bad)), None, "{bad}");
        }
        assert_eq!(safe_next(None), None);
    }
}
