//! First-run bootstrap: while no user exists the server holds a one-time setup token
//! (logged, and written 0600 to `<data_dir>/setup-token`); presenting it creates the first
//! admin. Once any user exists the gate is closed for good.

use crate::codes::Code;
use std::{path::PathBuf, sync::Mutex};

use serde_json::json;

use crate::{
    app::AppState,
    auth::{
        Role, keys,
        service::{Client, IssuedSession, open_session},
    },
    domain::{
        DomainError,
        audit::{self, Event, Target},
        users::{NewUser, prepare},
    },
    store::{
        Store, StoreError,
        users::{self, UserRow},
    },
};

pub struct SetupGate {
    token: Mutex<Option<String>>,
    file: PathBuf,
}

impl SetupGate {
    pub fn new(data_dir: &std::path::Path) -> SetupGate {
        SetupGate { token: Mutex::new(None), file: data_dir.join("setup-token") }
    }

    /// Opens the gate with a fresh token when the database has no user yet.
    pub async fn arm_if_needed(&self, store: &Store) -> Result<Option<String>, StoreError> {
        if users::count(store.db()).await? > 0 {
            let _ = std::fs::remove_file(&self.file);
            return Ok(None);
        }
        let token = keys::random_secret();
        if let Some(dir) = self.file.parent() {
            std::fs::create_dir_all(dir)?;
        }
        keys::write_private_file(&self.file, format!("{token}\n").as_bytes())?;
        if let Ok(mut t) = self.token.lock() {
            *t = Some(token.clone());
        }
        Ok(Some(token))
    }

    pub fn is_open(&self) -> bool {
        self.token.lock().map(|t| t.is_some()).unwrap_or(false)
    }

    fn matches(&self, presented: &str) -> bool {
        self.token
            .lock()
            .ok()
            .and_then(|t| t.clone())
            .is_some_and(|t| keys::constant_time_eq(t.as_bytes(), presented.trim().as_bytes()))
    }

    fn close(&self) {
        if let Ok(mut t) = self.token.lock() {
            *t = None;
        }
        let _ = std::fs::remove_file(&self.file);
    }

    pub fn file(&self) -> &std::path::Path {
        &self.file
    }
}

pub async fn complete(
    state: &AppState,
    client: &Client,
    token: &str,
    new: NewUser,
) -> Result<(UserRow, IssuedSession), DomainError> {
    let closed =
        || DomainError::conflict(Code::SetupAlreadyDone, "Setup is complete; sign in instead.");
    if !state.setup.is_open() {
        audit::record_alone(
            &state.store,
            &client.anonymous_actor(None),
            Event {
                action: "setup.complete",
                target: None,
                outcome: audit::Outcome::Denied,
                details: json!({ "reason": "setup already done" }),
            },
        )
        .await;
        return Err(closed());
    }
    if !state.setup.matches(token) {
        audit::record_alone(
            &state.store,
            &client.anonymous_actor(None),
            Event {
                action: "setup.complete",
                target: None,
                outcome: audit::Outcome::Denied,
                details: json!({ "reason": "wrong setup token" }),
            },
        )
        .await;
        return Err(DomainError::forbidden(
            Code::SetupInvalidToken,
            "The setup token is not correct. Copy it from the server log or the data/setup-token file.",
        ));
    }
    let row = prepare(NewUser { role: Role::Admin, ..new }, state.config.auth.password_min_length)
        .await?;
    let txn = state.store.write().await?;
    if users::count(&*txn).await? > 0 {
        state.setup.close();
        return Err(closed());
    }
    let row = users::insert(&*txn, row).await?;
    let actor = client.user_actor(&row);
    audit::record(
        &*txn,
        &actor,
        Event::success(
            "setup.complete",
            Some(Target::user(row.id, &row.username)),
            json!({ "role": "admin" }),
        ),
    )
    .await?;
    let issued = open_session(&*txn, state, &row, client).await?;
    txn.commit().await?;
    state.setup.close();
    Ok((row, issued))
}
