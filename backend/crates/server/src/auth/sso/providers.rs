//! The single sign-on providers admins configure: their checks, the sealed client secret,
//! the audited changes, and the enabled ones the sign-in page offers.

use chrono::Utc;
use serde_json::{Value, json};
use uuid::Uuid;

use super::{Role, RoleMapping};
use crate::{
    app::AppState,
    codes::Code,
    domain::{
        DomainError,
        audit::{self, Actor, Event, Target},
    },
    store::sso::{self as store, SsoProviderRow},
};

/// A provider as an admin sees and changes it (never its secret).
#[derive(Clone, Debug)]
pub struct ProviderView {
    pub row: SsoProviderRow,
    pub scopes: Vec<String>,
    pub role_map: Vec<RoleMapping>,
    pub default_role: Option<Role>,
}

/// An admin's provider settings; `client_secret` absent keeps the stored one.
#[derive(Clone, Debug)]
pub struct ProviderInput {
    pub slug: String,
    pub label: String,
    pub issuer: String,
    pub client_id: String,
    pub client_secret: Option<String>,
    pub scopes: Vec<String>,
    pub username_claim: String,
    pub groups_claim: String,
    pub role_map: Vec<RoleMapping>,
    pub default_role: Option<Role>,
    pub link_by_email: bool,
    pub enabled: bool,
}

pub(super) fn seal_context(id: Uuid) -> String {
    format!("oidc-provider:{id}")
}

pub(super) fn view(row: SsoProviderRow) -> ProviderView {
    ProviderView {
        scopes: serde_json::from_str(&row.scopes).unwrap_or_default(),
        role_map: serde_json::from_str(&row.role_map).unwrap_or_default(),
        default_role: row
            .default_role
            .as_deref()
            .and_then(|r| serde_json::from_value(json!(r)).ok()),
        row,
    }
}

fn invalid(message: impl Into<String>, field: &'static str) -> DomainError {
    DomainError::invalid(Code::SsoProviderInvalid, message, field)
}

/// Checks an admin's input; `creating` needs a client secret.
fn check(input: &ProviderInput, creating: bool) -> Result<(), DomainError> {
    let slug_ok = (1..=64).contains(&input.slug.len())
        && input.slug.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !input.slug.starts_with('-');
    if !slug_ok {
        return Err(invalid(
            "The short name is 1–64 of a-z, 0-9 and '-' (it appears in URLs).",
            "slug",
        ));
    }
    if input.label.trim().is_empty() || input.label.chars().count() > 100 {
        return Err(invalid("The button label is 1–100 characters.", "label"));
    }
    let url = url::Url::parse(&input.issuer).map_err(|_| {
        invalid("The issuer is a URL, e.g. https://login.example.com/realms/main.", "issuer")
    })?;
    // `*.localhost` names this machine too (RFC 6761): the docker compose demo's provider.
    let loopback = matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"))
        || url.host_str().is_some_and(|h| h.ends_with(".localhost"));
    if url.scheme() != "https" && !(url.scheme() == "http" && loopback) {
        return Err(invalid(
            "The issuer must be an https:// URL (http:// only on this machine).",
            "issuer",
        ));
    }
    if input.issuer.len() > 2048 || url.query().is_some() || url.fragment().is_some() {
        return Err(invalid(
            "The issuer is a URL without query or fragment, at most 2,048 characters.",
            "issuer",
        ));
    }
    if input.client_id.trim().is_empty() || input.client_id.len() > 255 {
        return Err(invalid("The client id is 1–255 characters.", "client_id"));
    }
    match &input.client_secret {
        Some(s) if s.is_empty() || s.len() > 1024 => {
            return Err(invalid("The client secret is 1–1,024 characters.", "client_secret"));
        }
        None if creating => return Err(invalid("A client secret is needed.", "client_secret")),
        _ => {}
    }
    let scope_ok =
        |s: &String| !s.is_empty() && s.len() <= 100 && s.chars().all(|c| c.is_ascii_graphic());
    if input.scopes.len() > 20 || !input.scopes.iter().all(scope_ok) {
        return Err(invalid("Up to 20 scopes, each without spaces.", "scopes"));
    }
    for (v, f) in [(&input.username_claim, "username_claim"), (&input.groups_claim, "groups_claim")]
    {
        if v.is_empty() || v.len() > 100 || !v.chars().all(|c| c.is_ascii_graphic()) {
            return Err(invalid("A claim name is 1–100 characters without spaces.", f));
        }
    }
    if input.role_map.len() > 100
        || input.role_map.iter().any(|m| m.group.trim().is_empty() || m.group.len() > 255)
    {
        return Err(invalid(
            "Up to 100 mappings, each with a group of 1–255 characters.",
            "role_map",
        ));
    }
    if input.role_map.iter().any(|m| m.role == Role::None) || input.default_role == Some(Role::None)
    {
        return Err(invalid(
            "A group maps to viewer, operator or admin (leave a group out to give it nothing).",
            "role_map",
        ));
    }
    Ok(())
}

/// Checks and normalises the host tags of the mappings that have them (as a user's
/// bindings are: viewer or operator, valid tags).
fn scoped_mappings(role_map: Vec<RoleMapping>) -> Result<Vec<RoleMapping>, DomainError> {
    role_map
        .into_iter()
        .map(|m| {
            if m.tags.is_empty() {
                return Ok(m);
            }
            let b = crate::domain::users::check_bindings(vec![crate::auth::RoleBinding {
                role: m.role,
                tags: m.tags,
            }])
            .map_err(|e| invalid(format!("Group {:?}: {e}", m.group), "role_map"))?;
            let b =
                b.into_iter().next().ok_or_else(|| invalid("A mapping needs tags.", "role_map"))?;
            Ok(RoleMapping { group: m.group, role: b.role, tags: b.tags })
        })
        .collect()
}

pub async fn list(state: &AppState) -> Result<Vec<ProviderView>, DomainError> {
    Ok(store::providers(state.store.db()).await?.into_iter().map(view).collect())
}

pub async fn get(state: &AppState, id: Uuid) -> Result<ProviderView, DomainError> {
    store::find(state.store.db(), id)
        .await?
        .map(view)
        .ok_or(DomainError::NotFound { what: "single sign-on provider" })
}

fn details(input: &ProviderInput) -> Value {
    json!({ "slug": input.slug, "issuer": input.issuer, "client_id": input.client_id,
            "role_map": input.role_map, "default_role": input.default_role.map(Role::as_str),
            "link_by_email": input.link_by_email, "enabled": input.enabled,
            "secret_changed": input.client_secret.is_some() })
}

fn from_config_refusal(slug: &str) -> DomainError {
    DomainError::conflict(
        Code::SsoProviderFromConfig,
        format!(
            "Provider {slug:?} comes from the configuration file (auth.sso_providers): change it there and restart the server."
        ),
    )
}

/// Creates or (with `id`) replaces a provider as an admin does; audited. A provider from
/// the configuration file is refused (409): the file is where it changes.
pub async fn save(
    state: &AppState,
    actor: &Actor,
    id: Option<Uuid>,
    input: ProviderInput,
) -> Result<ProviderView, DomainError> {
    save_as(state, actor, id, input, Origin::Admin).await
}

/// Who saves a provider: an admin (refused for one from the file), the file at start, or
/// the start that finds a provider gone from the file.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Origin {
    Admin,
    ConfigFile,
    LeftConfigFile,
}

async fn save_as(
    state: &AppState,
    actor: &Actor,
    id: Option<Uuid>,
    input: ProviderInput,
    origin: Origin,
) -> Result<ProviderView, DomainError> {
    let from_config = origin == Origin::ConfigFile;
    check(&input, id.is_none())?;
    let input = ProviderInput { role_map: scoped_mappings(input.role_map)?, ..input };
    let now = Utc::now();
    let txn = state.store.write().await?;
    if let Some(other) = store::find_by_slug(&*txn, &input.slug).await?
        && Some(other.id) != id
    {
        return Err(DomainError::conflict(
            Code::SsoSlugTaken,
            format!("Another provider is called {:?}.", input.slug),
        ));
    }
    let existing = match id {
        Some(id) => Some(
            store::find(&*txn, id)
                .await?
                .ok_or(DomainError::NotFound { what: "single sign-on provider" })?,
        ),
        None => None,
    };
    if let Some(e) = existing.as_ref().filter(|e| e.from_config && origin == Origin::Admin) {
        return Err(from_config_refusal(&e.slug));
    }
    let pid = existing.as_ref().map_or_else(Uuid::now_v7, |r| r.id);
    let secret = match (&input.client_secret, &existing) {
        (Some(s), _) => state.keys.seal(&seal_context(pid), s.as_bytes()),
        (None, Some(r)) => r.client_secret_enc.clone(),
        (None, None) => return Err(invalid("A client secret is needed.", "client_secret")),
    };
    let row = SsoProviderRow {
        id: pid,
        slug: input.slug.clone(),
        label: input.label.trim().to_string(),
        issuer: input.issuer.clone(),
        client_id: input.client_id.trim().to_string(),
        client_secret_enc: secret,
        scopes: json!(input.scopes).to_string(),
        username_claim: input.username_claim.clone(),
        groups_claim: input.groups_claim.clone(),
        role_map: json!(input.role_map).to_string(),
        default_role: input.default_role.map(|r| r.as_str().to_string()),
        link_by_email: input.link_by_email,
        enabled: input.enabled,
        from_config,
        created_at: existing.as_ref().map_or(now, |r| r.created_at),
        updated_at: now,
    };
    let row = if existing.is_some() {
        store::save(&*txn, row).await?
    } else {
        store::insert(&*txn, row).await?
    };
    let action = if existing.is_some() { "sso_provider.update" } else { "sso_provider.create" };
    audit::record(
        &*txn,
        actor,
        Event::success(
            action,
            Some(Target {
                kind: "sso_provider",
                id: row.id.to_string(),
                name: Some(row.slug.clone()),
            }),
            details(&input),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(view(row))
}

/// Removes a provider; its users stay (they can no longer sign in through it). Audited.
pub async fn delete(state: &AppState, actor: &Actor, id: Uuid) -> Result<(), DomainError> {
    let txn = state.store.write().await?;
    let row = store::find(&*txn, id)
        .await?
        .ok_or(DomainError::NotFound { what: "single sign-on provider" })?;
    if row.from_config {
        return Err(from_config_refusal(&row.slug));
    }
    store::delete(&*txn, id).await?;
    audit::record(
        &*txn,
        actor,
        Event::success(
            "sso_provider.delete",
            Some(Target { kind: "sso_provider", id: id.to_string(), name: Some(row.slug.clone()) }),
            json!({}),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// An enabled provider as the sign-in page shows it.
pub struct Button {
    pub id: Uuid,
    pub slug: String,
    pub label: String,
}

/// The enabled providers, for the sign-in page's buttons.
pub async fn buttons(state: &AppState) -> Result<Vec<Button>, DomainError> {
    Ok(store::providers(state.store.db())
        .await?
        .into_iter()
        .filter(|p| p.enabled)
        .map(|p| Button { id: p.id, slug: p.slug, label: p.label })
        .collect())
}

/// Makes the database match `auth.sso_providers` at start: each provider of the file is
/// created or updated (by slug) and marked as coming from it; one that left the file is
/// disabled and handed back to the web app. Only real changes are written (and audited,
/// by `system`), so a restart with the same file changes nothing.
pub async fn sync_from_config(state: &AppState) -> Result<(), DomainError> {
    let actor = Actor::system();
    let wanted = &state.config.auth.sso_providers;
    let stored = store::providers(state.store.db()).await?;
    for c in wanted {
        let secret = match (&c.client_secret, &c.client_secret_file) {
            (Some(s), _) => s.clone(),
            (None, Some(path)) => std::fs::read_to_string(path)
                .map_err(|e| {
                    DomainError::Internal(format!(
                        "auth.sso_providers {:?}: cannot read {}: {e}",
                        c.slug,
                        path.display()
                    ))
                })?
                .trim()
                .to_string(),
            (None, None) => String::new(),
        };
        let role = |r: &str, what: &str| -> Result<Role, DomainError> {
            serde_json::from_value(json!(r)).map_err(|_| {
                DomainError::Internal(format!(
                    "auth.sso_providers {:?}: {what} {r:?} is not viewer, operator or admin",
                    c.slug
                ))
            })
        };
        let mut role_map = Vec::new();
        for m in &c.role_map {
            role_map.push(RoleMapping {
                group: m.group.clone(),
                role: role(&m.role, "role")?,
                tags: m.tags.clone(),
            });
        }
        let role_map = scoped_mappings(role_map)
            .map_err(|e| DomainError::Internal(format!("auth.sso_providers {:?}: {e}", c.slug)))?;
        let input = ProviderInput {
            slug: c.slug.clone(),
            label: c.label.clone(),
            issuer: c.issuer.trim().to_string(),
            client_id: c.client_id.clone(),
            client_secret: Some(secret.clone()),
            scopes: c.scopes.clone().unwrap_or_else(|| {
                ["openid", "profile", "email", "groups"].map(String::from).to_vec()
            }),
            username_claim: c.username_claim.clone().unwrap_or_else(|| "preferred_username".into()),
            groups_claim: c.groups_claim.clone().unwrap_or_else(|| "groups".into()),
            role_map,
            default_role: c.default_role.as_deref().map(|r| role(r, "default_role")).transpose()?,
            link_by_email: c.link_by_email,
            enabled: c.enabled,
        };
        let existing = stored.iter().find(|s| s.slug == c.slug);
        if let Some(e) = existing
            && e.from_config
            && unchanged(state, e, &input)
        {
            continue;
        }
        save_as(state, &actor, existing.map(|e| e.id), input, Origin::ConfigFile).await.map_err(
            |e| match e {
                DomainError::Invalid { message, .. } => {
                    DomainError::Internal(format!("auth.sso_providers {:?}: {message}", c.slug))
                }
                e => e,
            },
        )?;
        tracing::info!(slug = %c.slug, "single sign-on provider set from the configuration file");
    }
    for gone in stored.iter().filter(|s| s.from_config && !wanted.iter().any(|c| c.slug == s.slug))
    {
        let v = view(gone.clone());
        let input = ProviderInput {
            slug: gone.slug.clone(),
            label: gone.label.clone(),
            issuer: gone.issuer.clone(),
            client_id: gone.client_id.clone(),
            client_secret: None,
            scopes: v.scopes,
            username_claim: gone.username_claim.clone(),
            groups_claim: gone.groups_claim.clone(),
            role_map: v.role_map,
            default_role: v.default_role,
            link_by_email: gone.link_by_email,
            enabled: false,
        };
        save_as(state, &actor, Some(gone.id), input, Origin::LeftConfigFile).await?;
        tracing::warn!(slug = %gone.slug, "single sign-on provider left the configuration file: disabled");
    }
    Ok(())
}

/// Whether the stored provider already is what the file says (the sealed secret compared
/// by its plain text: sealing twice never gives the same text).
fn unchanged(state: &AppState, row: &SsoProviderRow, input: &ProviderInput) -> bool {
    let v = view(row.clone());
    let secret_same = match (
        &input.client_secret,
        state.keys.open(&seal_context(row.id), &row.client_secret_enc),
    ) {
        (Some(s), Ok(plain)) => plain == s.as_bytes(),
        _ => false,
    };
    secret_same
        && row.label == input.label.trim()
        && row.issuer == input.issuer
        && row.client_id == input.client_id.trim()
        && v.scopes == input.scopes
        && row.username_claim == input.username_claim
        && row.groups_claim == input.groups_claim
        && v.role_map == input.role_map
        && v.default_role == input.default_role
        && row.link_by_email == input.link_by_email
        && row.enabled == input.enabled
}
