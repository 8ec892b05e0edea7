//! Shapes shared by several API modules (users appear in auth, users and setup answers).

use chrono::{DateTime, Utc};
use poem_openapi::{Enum, Object};
use uuid::Uuid;

use crate::{
    auth::{AuthMethod, Permission, Principal, Role, RoleBinding, service::bindings_of},
    domain::rows::UserRow,
};

/// A role over the hosts carrying at least one of `tags`.
#[derive(Object, Debug, Clone, PartialEq)]
#[oai(deny_unknown_fields)]
pub struct HostRoleBinding {
    /// `viewer` or `operator` (admin is always over all hosts).
    pub role: Role,
    /// 1–32 host tags; a host carrying any of them is in scope.
    #[oai(validator(min_items = 1, max_items = 32))]
    pub tags: Vec<String>,
}

impl From<RoleBinding> for HostRoleBinding {
    fn from(b: RoleBinding) -> Self {
        HostRoleBinding { role: b.role, tags: b.tags }
    }
}

impl From<HostRoleBinding> for RoleBinding {
    fn from(b: HostRoleBinding) -> Self {
        RoleBinding { role: b.role, tags: b.tags }
    }
}

#[derive(Object, Debug, Clone)]
#[oai(skip_serializing_if_is_none)]
pub struct User {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    /// The role over all hosts (`none`: only what `bindings` give).
    pub role: Role,
    /// Roles over the hosts of some tags, on top of `role`.
    pub bindings: Vec<HostRoleBinding>,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub last_login_at: Option<DateTime<Utc>>,
    /// The single sign-on provider this user signs in through (their identity there is
    /// kept by Cairn); absent for local users.
    pub sso_provider_id: Option<Uuid>,
    /// The user's subject (`sub`) at that provider.
    pub sso_subject: Option<String>,
}

impl From<UserRow> for User {
    fn from(r: UserRow) -> Self {
        let bindings = bindings_of(&r).into_iter().map(Into::into).collect();
        User {
            bindings,
            id: r.id,
            username: r.username,
            display_name: r.display_name,
            email: r.email,
            // Rows are written through Role::as_str, so this only defaults on corruption.
            role: r.role,
            disabled: r.disabled,
            created_at: r.created_at,
            updated_at: r.updated_at,
            last_login_at: r.last_login_at,
            sso_provider_id: r.oidc_provider_id,
            sso_subject: r.oidc_subject,
        }
    }
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum AuthMethodKind {
    Session,
    Token,
}

/// The signed-in caller and what their role allows right now.
#[derive(Object, Debug, Clone)]
#[oai(skip_serializing_if_is_none)]
pub struct Me {
    pub user: User,
    pub auth_method: AuthMethodKind,
    /// The effective role over all hosts (for a token: its cap, never above the owner's
    /// role).
    pub role: Role,
    /// What `role` allows, on every host.
    pub permissions: Vec<Permission>,
    /// The effective host-scoped roles (for a token: each capped like `role`).
    pub bindings: Vec<HostRoleBinding>,
    /// What the caller may do on some hosts at least: `permissions` plus what `bindings`
    /// add on the hosts they cover. A web app shows host pages and actions by this; the
    /// server decides per host.
    pub host_permissions: Vec<Permission>,
}

impl Me {
    pub fn of(p: &Principal) -> Me {
        Me {
            user: p.user.clone().into(),
            auth_method: match p.method {
                AuthMethod::Session { .. } => AuthMethodKind::Session,
                AuthMethod::Token { .. } => AuthMethodKind::Token,
            },
            role: p.role,
            permissions: p.role.permissions().to_vec(),
            bindings: p.bindings.iter().cloned().map(Into::into).collect(),
            host_permissions: p.permissions_anywhere(),
        }
    }
}
