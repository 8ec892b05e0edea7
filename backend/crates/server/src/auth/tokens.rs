//! Personal access tokens: created with a role cap no higher than the creator's, shown
//! once, stored as SHA-256, checked against the owner's current state on every use.

use crate::codes::Code;
use chrono::{Duration, Utc};
use serde_json::json;
use uuid::Uuid;

use super::{
    Role,
    callers::{Found, Key},
    keys,
    service::{AuthMethod, Client, Principal, Rejection},
};
use crate::{
    app::AppState,
    domain::{
        DomainError,
        audit::{self, Event, Target},
    },
    store::epoch,
    store::tokens::{self, TokenRow},
};

pub const TOKEN_PREFIX: &str = "cairn_pat_";

pub async fn authenticate_token(
    state: &AppState,
    token: &str,
) -> Result<Result<Principal, Rejection>, DomainError> {
    if !token.starts_with(TOKEN_PREFIX) {
        return Ok(Err(Rejection::Refused("not a Cairn API token")));
    }
    let hash = keys::token_hash(token);
    let key = Key::Token(hash.clone());
    let (row, user) = match state.callers.get(&key) {
        Some(Found::Token(row, user)) => (row, user),
        _ => {
            let epoch = epoch::AUTH.now();
            let Some((row, user)) = tokens::find_by_hash(state.store.db(), &hash).await? else {
                return Ok(Err(Rejection::Refused("unknown API token")));
            };
            state.callers.put(key.clone(), Found::Token(row.clone(), user.clone()), epoch);
            (row, user)
        }
    };
    let now = Utc::now();
    if row.revoked_at.is_some() {
        return Ok(Err(Rejection::Refused("API token revoked")));
    }
    if row.expires_at.is_some_and(|e| e <= now) {
        return Ok(Err(Rejection::Refused("API token expired")));
    }
    let Some(user) = user else {
        return Ok(Err(Rejection::Refused("user deleted")));
    };
    if user.disabled {
        return Ok(Err(Rejection::Refused("user disabled")));
    }
    // Last-used is informative; write it at most once a minute per token.
    if row.last_used_at.is_none_or(|t| now - t > Duration::seconds(60)) {
        let txn = state.store.write().await?;
        tokens::touch(&*txn, row.id, now).await?;
        txn.commit().await?;
        state.callers.touched(&key, now);
    }
    let method = AuthMethod::Token { token_id: row.id, name: row.name };
    Ok(Ok(Principal::new(user, Some(row.role), method)))
}

pub async fn list_tokens(
    state: &AppState,
    principal: &Principal,
) -> Result<Vec<TokenRow>, DomainError> {
    Ok(tokens::list_for_user(state.store.db(), principal.user.id).await?)
}

pub async fn create_token(
    state: &AppState,
    principal: &Principal,
    client: &Client,
    name: &str,
    role: Option<Role>,
    expires_in_days: Option<u32>,
) -> Result<(TokenRow, String), DomainError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(DomainError::invalid(
            Code::TokenInvalidName,
            "Token name must be 1–100 printable characters.",
            "name",
        ));
    }
    // The cap applies to the role over all hosts and to each host-scoped binding, so a
    // token never carries more than its owner's bindings: its cap can reach the highest
    // of them, no further.
    let highest = principal
        .bindings
        .iter()
        .map(|b| b.role)
        .chain([principal.role])
        .max()
        .unwrap_or(Role::None);
    let role = role.unwrap_or(highest);
    if role > highest || role == Role::None {
        return Err(DomainError::invalid(
            Code::TokenRoleTooHigh,
            format!(
                "A token's role must be viewer, operator or admin, and no higher than your highest role ({}).",
                highest.as_str()
            ),
            "role",
        ));
    }
    if let Some(days) = expires_in_days
        && !(1..=3650).contains(&days)
    {
        return Err(DomainError::invalid(
            Code::TokenInvalidExpiry,
            "Expiry must be 1–3650 days, or omitted for no expiry.",
            "expires_in_days",
        ));
    }
    let secret = format!("{TOKEN_PREFIX}{}", keys::random_secret());
    let now = Utc::now();
    let row = TokenRow {
        id: Uuid::now_v7(),
        user_id: principal.user.id,
        name: name.to_string(),
        prefix: secret.chars().take(TOKEN_PREFIX.len() + 6).collect(),
        token_hash: keys::token_hash(&secret),
        role,
        created_at: now,
        expires_at: expires_in_days.map(|d| now + Duration::days(d as i64)),
        last_used_at: None,
        revoked_at: None,
    };
    let txn = state.store.write().await?;
    let row = tokens::insert(&*txn, row).await?;
    audit::record(
        &*txn,
        &principal.actor(client),
        Event::success(
            "token.create",
            Some(Target {
                kind: "api_token",
                id: row.id.to_string(),
                name: Some(row.name.clone()),
            }),
            json!({ "role": row.role, "expires_at": row.expires_at, "prefix": row.prefix }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok((row, secret))
}

pub async fn revoke_token(
    state: &AppState,
    principal: &Principal,
    client: &Client,
    id: Uuid,
) -> Result<(), DomainError> {
    let txn = state.store.write().await?;
    let row = tokens::find_for_user(&*txn, id, principal.user.id)
        .await?
        .ok_or(DomainError::NotFound { what: "API token" })?;
    tokens::revoke(&*txn, id, Utc::now()).await?;
    audit::record(
        &*txn,
        &principal.actor(client),
        Event::success(
            "token.revoke",
            Some(Target {
                kind: "api_token",
                id: row.id.to_string(),
                name: Some(row.name.clone()),
            }),
            json!({ "prefix": row.prefix }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
