//! The `jobs` table: one row per job, with its status, result and latest progress.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "jobs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub host_id: Uuid,
    pub repository_id: Option<Uuid>,
    pub kind: String,
    pub status: String,
    pub actor_kind: String,
    pub actor: Option<String>,
    /// JSON: the job's arguments (e.g. a BackupSpec), never a secret.
    pub args: String,
    pub created_at: ChronoDateTimeUtc,
    pub dispatched_at: Option<ChronoDateTimeUtc>,
    pub started_at: Option<ChronoDateTimeUtc>,
    pub finished_at: Option<ChronoDateTimeUtc>,
    pub cancel_requested_at: Option<ChronoDateTimeUtc>,
    pub exit_code: Option<i32>,
    pub error_class: Option<String>,
    pub error_message: Option<String>,
    /// JSON BackupSummary.
    pub summary: Option<String>,
    /// The snapshot a backup made (from its summary), to show "size added" per snapshot.
    pub snapshot_id: Option<String>,
    /// JSON JobResult as the agent sent it.
    pub result: Option<String>,
    /// JSON JobProgress, the latest.
    pub progress: Option<String>,
    pub last_seq: i64,
    pub log_lines: i64,
    /// How many times the run command was handed to an agent (it is re-sent when the
    /// agent never got it, e.g. it went to a dead connection).
    pub dispatches: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
