//! The `alert_events` table: what happened to an alert, in order (opened, repeated,
//! escalated, acknowledged, snoozed, resolved); notifications are sent per event.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "alert_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub alert_id: Uuid,
    pub kind: String,
    pub at: ChronoDateTimeUtc,
    /// Who did it (a user's name); absent when Cairn did (raised, repeated, auto-resolved).
    pub actor: Option<String>,
    /// The alert's severity at that moment.
    pub severity: String,
    pub details: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
