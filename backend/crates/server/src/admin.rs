//! Offline admin commands run against the database directly (`cairn-server admin …`):
//! reset a password or turn password sign-in back on when nobody can sign in, and verify
//! the audit chain.

use crate::{
    api::audit::verification,
    auth::keys,
    config::Config,
    domain::{DomainError, audit::Actor, users},
    store::{Store, audit as store_audit, users as user_store},
};

async fn open(config: &Config) -> Result<Store, DomainError> {
    let store = Store::connect(
        &config.database_url,
        2,
        std::time::Duration::from_millis(config.database.sqlite_busy_timeout_ms),
    )
    .await?;
    store.migrate().await?;
    Ok(store)
}

/// Sets a new password (given, or generated and returned) and ends the user's sessions.
pub async fn reset_password(
    config: &Config,
    username: &str,
    password: Option<String>,
) -> Result<String, DomainError> {
    let store = open(config).await?;
    let name = users::normalize_username(username)?;
    let user = user_store::find_by_username(store.db(), &name)
        .await?
        .ok_or(DomainError::NotFound { what: "user" })?;
    let password = password.unwrap_or_else(|| format!("cairn-{}", &keys::random_secret()[..20]));
    users::reset_password(
        &store,
        &Actor::cli(),
        user.id,
        password.clone(),
        config.auth.password_min_length,
    )
    .await?;
    store.close().await;
    Ok(password)
}

/// Returns the report and whether the chain is intact.
pub async fn audit_verify(config: &Config) -> Result<(String, bool), DomainError> {
    let store = open(config).await?;
    let report = store_audit::verify_chain(store.db()).await?;
    store.close().await;
    let v = verification(report);
    Ok((v.message, v.ok))
}

/// Turns password sign-in on or off, without the web app's checks: this is the way back in.
/// Returns a note when the configuration file still forces it off.
pub async fn set_local_login(config: &Config, on: bool) -> Result<String, DomainError> {
    let store = open(config).await?;
    crate::auth::sign_in::write(&store, &Actor::cli(), on).await?;
    store.close().await;
    Ok(if on && !config.auth.local_login {
        " Note: the configuration file still says auth.local_login = false, which wins: change it and restart.".into()
    } else {
        String::new()
    })
}
