//! The `repositories` table: restic repositories; password and backend environment are AEAD-encrypted.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "repositories")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    pub url: String,
    pub password_enc: String,
    pub env_enc: String,
    /// JSON array of variable names
    pub env_keys: String,
    /// The delete guard (`cairn_proto::ForgetGuard`).
    pub guard_max_delete_count: Option<i32>,
    pub guard_max_delete_percent: Option<i32>,
    pub guard_min_keep: i32,
    pub created_at: ChronoDateTimeUtc,
    pub updated_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
