//! The `alert_rules` table: an admin's settings for one rule (enabled, severity,
//! thresholds, host tag); a rule without a row runs with the code's defaults.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "alert_rules")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub rule: String,
    pub enabled: bool,
    pub severity: String,
    /// JSON: the rule's thresholds.
    pub params: String,
    pub host_tag: Option<String>,
    pub updated_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
