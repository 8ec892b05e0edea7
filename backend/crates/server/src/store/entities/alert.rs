//! The `alerts` table: one row per alert, its state and counters; `open_key` is set while
//! it is unresolved, which keeps one unresolved alert per rule and subject.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "alerts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub rule: String,
    pub subject_kind: String,
    pub subject_id: String,
    pub host_id: Option<Uuid>,
    pub repository_id: Option<Uuid>,
    pub job_id: Option<Uuid>,
    pub severity: String,
    pub state: String,
    pub title: String,
    pub message: String,
    /// JSON: what the rule saw (the job, the threshold, the baseline…).
    pub details: String,
    pub count: i64,
    pub opened_at: ChronoDateTimeUtc,
    pub last_seen_at: ChronoDateTimeUtc,
    pub acknowledged_at: Option<ChronoDateTimeUtc>,
    pub acknowledged_by: Option<String>,
    pub snoozed_until: Option<ChronoDateTimeUtc>,
    pub resolved_at: Option<ChronoDateTimeUtc>,
    pub resolved_by: Option<String>,
    pub open_key: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
