//! The `users` table.

pub use crate::auth::permission::Role;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub role: Role,
    pub password_hash: Option<String>,
    pub disabled: bool,
    pub created_at: ChronoDateTimeUtc,
    pub updated_at: ChronoDateTimeUtc,
    pub last_login_at: Option<ChronoDateTimeUtc>,
    /// The provider a single sign-on user comes from, with their subject there.
    pub oidc_provider_id: Option<Uuid>,
    pub oidc_subject: Option<String>,
    /// Host-scoped role bindings, a JSON array of `{role, tags}` (`auth::RoleBinding`).
    pub bindings: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
