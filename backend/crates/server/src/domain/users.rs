//! User management rules: valid names, the password policy, and the guard that there is
//! always at least one active admin. Every change is audited in the same transaction.

use crate::codes::Code;
use chrono::Utc;
use serde_json::json;
use uuid::Uuid;

use super::{
    DomainError,
    audit::{self, Actor, Event, Target},
    page::{self, Page},
};
use crate::{
    auth::{Role, RoleBinding, password, service::bindings_of},
    store::{
        Store, sessions,
        users::{self, UserFilter, UserRow},
    },
};

pub struct NewUser {
    pub username: String,
    pub display_name: Option<String>,
    pub email: Option<String>,
    pub role: Role,
    pub password: String,
    /// Roles over the hosts of some tags.
    pub bindings: Vec<RoleBinding>,
}

#[derive(Default)]
pub struct UserPatch {
    pub display_name: Option<String>,
    /// `Some(None)` clears the email.
    pub email: Option<Option<String>>,
    pub role: Option<Role>,
    pub disabled: Option<bool>,
    /// Replaces the user's host-scoped bindings.
    pub bindings: Option<Vec<RoleBinding>>,
}

/// At most this many host-scoped bindings per user.
pub const MAX_BINDINGS: usize = 20;

/// Checks host-scoped bindings: viewer or operator (admin is global), 1–32 valid tags
/// each, at most [`MAX_BINDINGS`]. Tags are normalised as host tags are.
pub fn check_bindings(bindings: Vec<RoleBinding>) -> Result<Vec<RoleBinding>, DomainError> {
    let invalid = |m: String| DomainError::invalid(Code::UserInvalidBinding, m, "bindings");
    if bindings.len() > MAX_BINDINGS {
        return Err(invalid(format!("A user has at most {MAX_BINDINGS} host-scoped roles.")));
    }
    let mut out: Vec<RoleBinding> = Vec::new();
    for b in bindings {
        if !matches!(b.role, Role::Viewer | Role::Operator) {
            return Err(invalid(format!(
                "A host-scoped role is viewer or operator, not {}: admin is always over all hosts.",
                b.role.as_str()
            )));
        }
        let tags = super::fleet::normalize_tags(&b.tags).map_err(|e| invalid(e.to_string()))?;
        if tags.is_empty() {
            return Err(invalid(
                "A host-scoped role needs at least one host tag (give the role over all hosts instead)."
                    .into(),
            ));
        }
        let b = RoleBinding { role: b.role, tags };
        if !out.contains(&b) {
            out.push(b);
        }
    }
    Ok(out)
}

/// The JSON stored in `users.bindings`.
pub fn bindings_json(b: &[RoleBinding]) -> String {
    serde_json::to_string(b).unwrap_or_else(|_| "[]".into())
}

/// Lower-cases and checks a username: 2–64 of `a-z 0-9 . _ -`, starting alphanumeric.
pub fn normalize_username(raw: &str) -> Result<String, DomainError> {
    let name = raw.trim().to_lowercase();
    let ok_chars = name.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c));
    let ok_start = name.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
    if name.len() < 2 || name.len() > 64 || !ok_chars || !ok_start {
        return Err(DomainError::invalid(
            Code::UserInvalidUsername,
            "Username must be 2–64 characters of a-z, 0-9, '.', '_' or '-', starting with a letter or digit.",
            "username",
        ));
    }
    Ok(name)
}

fn check_display_name(raw: &str) -> Result<String, DomainError> {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > 128 || name.chars().any(char::is_control) {
        return Err(DomainError::invalid(
            Code::UserInvalidDisplayName,
            "Display name must be 1–128 printable characters.",
            "display_name",
        ));
    }
    Ok(name.to_string())
}

fn check_email(raw: Option<String>) -> Result<Option<String>, DomainError> {
    let Some(email) = raw.map(|e| e.trim().to_string()).filter(|e| !e.is_empty()) else {
        return Ok(None);
    };
    let valid = email.len() <= 254
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if !valid {
        return Err(DomainError::invalid(
            Code::UserInvalidEmail,
            "Email must look like name@example.com.",
            "email",
        ));
    }
    Ok(Some(email))
}

/// `field` is the body field the password came in (`password` or `new_password`), so a
/// client can show the refusal beside the right input.
pub fn check_password(
    password: &str,
    username: &str,
    min_len: usize,
    field: &'static str,
) -> Result<(), DomainError> {
    password::check_policy(password, username, min_len).map_err(|v| DomainError::Invalid {
        code: v.code(),
        message: v.message(),
        field: Some(field),
    })
}

pub async fn get(store: &Store, id: Uuid) -> Result<UserRow, DomainError> {
    users::find(store.db(), id).await?.ok_or(DomainError::NotFound { what: "user" })
}

/// One page of users by username; the count (up to [`page::TOTAL_CAP`]) only when asked.
pub async fn list(
    store: &Store,
    filter: &UserFilter,
    cursor: Option<&str>,
    limit: u64,
    with_total: bool,
) -> Result<Page<UserRow>, DomainError> {
    let after = page::decode::<String>(cursor)?;
    let rows = users::list(store.db(), filter, after.as_deref(), limit + 1).await?;
    let total =
        page::total_if_asked(with_total, |cap| users::count_matching(store.db(), filter, cap))
            .await?;
    Ok(page::cut(rows, limit, |u| u.username.clone(), total))
}

/// Builds (but does not store) a user row after checking every field.
pub async fn prepare(new: NewUser, min_password_len: usize) -> Result<UserRow, DomainError> {
    let username = normalize_username(&new.username)?;
    let display_name = match new.display_name.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(d) => check_display_name(d)?,
        None => username.clone(),
    };
    let email = check_email(new.email)?;
    check_password(&new.password, &username, min_password_len, "password")?;
    let bindings = check_bindings(new.bindings)?;
    let hash = password::hash(new.password).await?;
    let now = Utc::now();
    Ok(UserRow {
        id: Uuid::now_v7(),
        username,
        display_name,
        email,
        role: new.role,
        password_hash: Some(hash),
        disabled: false,
        created_at: now,
        updated_at: now,
        last_login_at: None,
        oidc_provider_id: None,
        oidc_subject: None,
        bindings: bindings_json(&bindings),
    })
}

pub async fn create(
    store: &Store,
    actor: &Actor,
    new: NewUser,
    min_password_len: usize,
) -> Result<UserRow, DomainError> {
    let row = prepare(new, min_password_len).await?;
    let txn = store.write().await?;
    if users::find_by_username(&*txn, &row.username).await?.is_some() {
        return Err(DomainError::conflict(
            Code::UserUsernameTaken,
            format!("A user named {:?} already exists.", row.username),
        ));
    }
    let row = users::insert(&*txn, row).await?;
    audit::record(
        &*txn,
        actor,
        Event::success(
            "user.create",
            Some(Target::user(row.id, &row.username)),
            json!({
                "role": row.role, "email": row.email, "display_name": row.display_name,
                "bindings": bindings_of(&row),
            }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

pub async fn update(
    store: &Store,
    actor: &Actor,
    id: Uuid,
    patch: UserPatch,
) -> Result<UserRow, DomainError> {
    let display_name = patch.display_name.as_deref().map(check_display_name).transpose()?;
    let email = patch.email.map(check_email).transpose()?;
    let bindings = patch.bindings.map(check_bindings).transpose()?;
    let txn = store.write().await?;
    let mut row = users::find(&*txn, id).await?.ok_or(DomainError::NotFound { what: "user" })?;
    let before = row.clone();
    let was_active_admin = row.role == Role::Admin && !row.disabled;
    if let Some(d) = display_name {
        row.display_name = d;
    }
    if let Some(e) = email {
        row.email = e;
    }
    if let Some(r) = patch.role {
        row.role = r;
    }
    if let Some(d) = patch.disabled {
        row.disabled = d;
    }
    if let Some(b) = bindings {
        row.bindings = bindings_json(&b);
    }
    let still_active_admin = row.role == Role::Admin && !row.disabled;
    if was_active_admin && !still_active_admin && users::count_active_admins(&*txn).await? <= 1 {
        return Err(DomainError::conflict(
            Code::UserLastAdmin,
            "This is the last active admin; make another user admin first.",
        ));
    }
    if row == before {
        return Ok(row);
    }
    row.updated_at = Utc::now();
    let row = users::save(&*txn, row).await?;
    if row.disabled && !before.disabled {
        sessions::revoke_all_for_user(&*txn, row.id, None, row.updated_at).await?;
    }
    let mut changes = serde_json::Map::new();
    if before.display_name != row.display_name {
        changes.insert("display_name".into(), json!([before.display_name, row.display_name]));
    }
    if before.email != row.email {
        changes.insert("email".into(), json!([before.email, row.email]));
    }
    if before.role != row.role {
        changes.insert("role".into(), json!([before.role, row.role]));
    }
    if before.bindings != row.bindings {
        changes.insert("bindings".into(), json!([bindings_of(&before), bindings_of(&row)]));
    }
    if before.disabled != row.disabled {
        changes.insert("disabled".into(), json!([before.disabled, row.disabled]));
    }
    let action = match (before.disabled, row.disabled) {
        (false, true) => "user.disable",
        (true, false) => "user.enable",
        _ => "user.update",
    };
    audit::record(
        &*txn,
        actor,
        Event::success(
            action,
            Some(Target::user(row.id, &row.username)),
            json!({ "changes": changes }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

pub async fn delete(
    store: &Store,
    actor: &Actor,
    id: Uuid,
    acting_user: Option<Uuid>,
) -> Result<(), DomainError> {
    if acting_user == Some(id) {
        return Err(DomainError::conflict(
            Code::UserDeleteSelf,
            "You cannot delete your own account; ask another admin.",
        ));
    }
    let txn = store.write().await?;
    let row = users::find(&*txn, id).await?.ok_or(DomainError::NotFound { what: "user" })?;
    if row.role == Role::Admin && !row.disabled && users::count_active_admins(&*txn).await? <= 1 {
        return Err(DomainError::conflict(
            Code::UserLastAdmin,
            "This is the last active admin; make another user admin first.",
        ));
    }
    users::delete(&*txn, id).await?;
    audit::record(
        &*txn,
        actor,
        Event::success(
            "user.delete",
            Some(Target::user(row.id, &row.username)),
            json!({ "role": row.role }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// An admin (or the CLI) sets a new password; every session of the user ends.
pub async fn reset_password(
    store: &Store,
    actor: &Actor,
    id: Uuid,
    new_password: String,
    min_password_len: usize,
) -> Result<UserRow, DomainError> {
    let row = get(store, id).await?;
    check_password(&new_password, &row.username, min_password_len, "new_password")?;
    let hash = password::hash(new_password).await?;
    let txn = store.write().await?;
    let mut row = users::find(&*txn, id).await?.ok_or(DomainError::NotFound { what: "user" })?;
    row.password_hash = Some(hash);
    row.updated_at = Utc::now();
    let row = users::save(&*txn, row).await?;
    let ended = sessions::revoke_all_for_user(&*txn, id, None, row.updated_at).await?;
    audit::record(
        &*txn,
        actor,
        Event::success(
            "user.password_reset",
            Some(Target::user(row.id, &row.username)),
            json!({ "sessions_ended": ended }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// A user changes their own password; their other sessions end, this one stays.
pub async fn change_own_password(
    store: &Store,
    actor: &Actor,
    user_id: Uuid,
    current: String,
    new_password: String,
    keep_session: Option<Uuid>,
    min_password_len: usize,
) -> Result<(), DomainError> {
    let row = get(store, user_id).await?;
    if !password::verify(current, row.password_hash.clone()).await {
        audit::record_alone(
            store,
            actor,
            Event {
                action: "auth.password_change",
                target: Some(Target::user(row.id, &row.username)),
                outcome: audit::Outcome::Failure,
                details: json!({ "reason": "wrong current password" }),
            },
        )
        .await;
        return Err(DomainError::invalid(
            Code::AuthWrongPassword,
            "The current password is not correct.",
            "current_password",
        ));
    }
    check_password(&new_password, &row.username, min_password_len, "new_password")?;
    let hash = password::hash(new_password).await?;
    let txn = store.write().await?;
    let mut row =
        users::find(&*txn, user_id).await?.ok_or(DomainError::NotFound { what: "user" })?;
    row.password_hash = Some(hash);
    row.updated_at = Utc::now();
    let row = users::save(&*txn, row).await?;
    let ended = sessions::revoke_all_for_user(&*txn, user_id, keep_session, row.updated_at).await?;
    audit::record(
        &*txn,
        actor,
        Event::success(
            "auth.password_change",
            Some(Target::user(row.id, &row.username)),
            json!({ "other_sessions_ended": ended }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// A user edits their own display name and email.
pub async fn update_profile(
    store: &Store,
    actor: &Actor,
    user_id: Uuid,
    display_name: Option<String>,
    email: Option<Option<String>>,
) -> Result<UserRow, DomainError> {
    update(store, actor, user_id, UserPatch { display_name, email, ..Default::default() }).await
}
