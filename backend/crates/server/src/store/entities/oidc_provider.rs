//! The `oidc_providers` table: an OpenID Connect provider users sign in with, its client
//! (the secret sealed) and how its groups map to roles.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "oidc_providers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// In URLs (`/api/v1/auth/oidc/{slug}/start`).
    #[sea_orm(unique)]
    pub slug: String,
    /// The sign-in button's text.
    pub label: String,
    pub issuer: String,
    pub client_id: String,
    /// Sealed (context `oidc-provider:{id}`).
    pub client_secret_enc: String,
    /// JSON array of scopes.
    pub scopes: String,
    pub username_claim: String,
    pub groups_claim: String,
    /// JSON array of `{group, role}`, first match by highest role wins.
    pub role_map: String,
    /// The role of a user none of whose groups is mapped; `None` refuses them.
    pub default_role: Option<String>,
    /// A first sign-in may take over a local user with the same verified email.
    pub link_by_email: bool,
    pub enabled: bool,
    /// Comes from the configuration file (`[[auth.sso_providers]]`): read-only here.
    pub from_config: bool,
    pub created_at: ChronoDateTimeUtc,
    pub updated_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
