//! The `snapshots` table: each host's snapshots per repository, as its agent reported them.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "snapshots")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub host_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub repository_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub snapshot_id: String,
    pub time: ChronoDateTimeUtc,
    pub hostname: String,
    /// JSON array of strings.
    pub paths: String,
    /// JSON array of strings.
    pub tags: String,
    pub reported_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
