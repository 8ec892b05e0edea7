//! The `oidc_logins` table: a sign-in under way at a provider, found by its `state`
//! (hashed) and removed when used, so a `state` works once.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "oidc_logins")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub state_hash: String,
    pub provider_id: Uuid,
    pub nonce: String,
    pub pkce_verifier: String,
    /// Where the browser goes after signing in (a path of the web app).
    pub next_path: Option<String>,
    pub created_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
