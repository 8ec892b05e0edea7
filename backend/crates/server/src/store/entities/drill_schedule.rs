//! The `drill_schedules` table: a host's restore drill on a cron of its own.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "drill_schedules")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub host_id: Uuid,
    pub repository_id: Uuid,
    pub cron: String,
    /// The zone the cron is read in; the host's when absent.
    pub timezone: Option<String>,
    pub files: i32,
    pub max_bytes: i64,
    /// The next fire; a past one is due and waits for the host to be online.
    pub next_at: Option<ChronoDateTimeUtc>,
    pub updated_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
