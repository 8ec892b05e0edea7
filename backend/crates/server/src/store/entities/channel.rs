//! The `channels` table: where alert notifications go (email, ntfy, webhook), with their
//! routing (least severity, host tag, rules, quiet hours) and their sealed secret.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "channels")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    pub kind: String,
    pub enabled: bool,
    /// JSON: the kind's settings that are not secret.
    pub config: String,
    /// Sealed (context `channel:{id}`): the SMTP password, ntfy token or webhook secret.
    pub secret_enc: Option<String>,
    pub min_severity: String,
    pub host_tag: Option<String>,
    /// JSON array of rule names; empty: every rule.
    pub rules: String,
    pub quiet_from: Option<String>,
    pub quiet_to: Option<String>,
    pub quiet_zone: Option<String>,
    pub created_at: ChronoDateTimeUtc,
    pub updated_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
