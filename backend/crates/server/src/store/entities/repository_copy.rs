//! The `repository_copies` table: each source → mirror pair that a copy job ran for, with
//! what its newest copy measured (`domain::copies`).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "repository_copies")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub source_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub mirror_id: Uuid,
    /// The host name whose snapshots were copied (restic `--host`); `""`: every host's.
    #[sea_orm(primary_key, auto_increment = false)]
    pub host: String,
    /// The newest copy job of the pair, its status and when it ended.
    pub last_job_id: Uuid,
    pub last_status: super::job::JobStatus,
    pub last_at: ChronoDateTimeUtc,
    /// What the newest copy that ran to the end measured (kept when a later one fails).
    pub source_snapshots: Option<i32>,
    pub missing: Option<i32>,
    pub source_newest: Option<ChronoDateTimeUtc>,
    pub copied_newest: Option<ChronoDateTimeUtc>,
    pub measured_at: Option<ChronoDateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
