//! Whether password sign-in is on: the configuration can force it off; within that, an
//! admin turns it off or on from the web app (refused while no single sign-on provider is
//! enabled, so nobody is locked out), and `cairn-server admin local-login on` always turns
//! it back on from the server's shell. Break-glass users keep their password either way.

use chrono::Utc;
use serde_json::json;

use crate::{
    app::AppState,
    codes::Code,
    domain::{
        DomainError,
        audit::{self, Actor, Event},
    },
    store::{Store, settings, sso},
};

const LOCAL_LOGIN: &str = "auth.local_login";

/// Password sign-in as it stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignInSettings {
    /// In force now: the configuration allows it and the stored setting is on.
    pub local_login: bool,
    /// The configuration file says `auth.local_login = false`: no setting turns it on.
    pub forced_off_by_config: bool,
    /// Who keeps a password while it is off (`auth.break_glass_users`).
    pub break_glass_users: Vec<String>,
}

async fn stored(store: &Store) -> Result<bool, DomainError> {
    Ok(settings::get(store.db(), LOCAL_LOGIN)
        .await?
        .and_then(|v| serde_json::from_str::<bool>(&v).ok())
        .unwrap_or(true))
}

pub async fn get(state: &AppState) -> Result<SignInSettings, DomainError> {
    let a = &state.config.auth;
    Ok(SignInSettings {
        local_login: a.local_login && stored(&state.store).await?,
        forced_off_by_config: !a.local_login,
        break_glass_users: a.break_glass_users.clone(),
    })
}

/// Whether `username` may sign in with a password now.
pub async fn password_allowed(state: &AppState, username: &str) -> Result<bool, DomainError> {
    Ok(state.config.auth.break_glass_users.iter().any(|u| u == username)
        || get(state).await?.local_login)
}

/// An admin turns password sign-in on or off from the web app; audited.
pub async fn set_local_login(
    state: &AppState,
    actor: &Actor,
    on: bool,
) -> Result<SignInSettings, DomainError> {
    if on && !state.config.auth.local_login {
        return Err(DomainError::conflict(
            Code::AuthLocalLoginFromConfig,
            "The configuration file turns password sign-in off (auth.local_login = false): change it there.",
        ));
    }
    if !on && !sso::providers(state.store.db()).await?.iter().any(|p| p.enabled) {
        return Err(DomainError::conflict(
            Code::AuthNoSsoProvider,
            "Add and enable a single sign-on provider first: with password sign-in off and no provider, nobody could sign in.",
        ));
    }
    write(&state.store, actor, on).await?;
    get(state).await
}

/// Stores the setting with its audit event, no checks: the shell's way back in.
pub async fn write(store: &Store, actor: &Actor, on: bool) -> Result<(), DomainError> {
    let txn = store.write().await?;
    settings::set(&*txn, LOCAL_LOGIN, json!(on).to_string(), Utc::now()).await?;
    audit::record(&*txn, actor, Event::success("auth.local_login", None, json!({ "enabled": on })))
        .await?;
    txn.commit().await?;
    Ok(())
}
