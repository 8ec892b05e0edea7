//! The `jobs` table: one row per job, with its status, result and latest progress.

pub use cairn_proto::JobKind;
use sea_orm::entity::prelude::*;

/// Where a job is in its life: `queued → dispatched → running → an end`. Stored as its
/// snake_case name; a row with a name this server does not know fails to load (an error
/// in the log and the response), it is never taken for another status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))", rename_all = "snake_case")]
pub enum JobStatus {
    Queued,
    Dispatched,
    Running,
    Succeeded,
    Warning,
    Failed,
    Cancelled,
    Lost,
    Blocked,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "jobs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub host_id: Uuid,
    pub repository_id: Option<Uuid>,
    pub kind: JobKind,
    pub status: JobStatus,
    pub actor_kind: String,
    pub actor: Option<String>,
    /// JSON: the job's `cairn_proto::JobArgs` (tagged by kind), never a secret.
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
    /// When retention removed the job's log lines (`history.job_logs_days`).
    pub logs_removed_at: Option<ChronoDateTimeUtc>,
    /// The schedule that made the job (its fire or its run-now); kept when the schedule
    /// is deleted.
    pub schedule_id: Option<Uuid>,
    /// The job on the same repository this one waits for (the maintenance queue); its
    /// run command is made once that one ends.
    pub waiting_for: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
