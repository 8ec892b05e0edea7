//! The `schedules` table: what one host backs up to one repository, when, and how long
//! its snapshots are kept. The table also holds a copy of each schedule's newest job
//! (`last_job_id`, `last_job_status`, `last_job_created_at`, `last_job_finished_at`),
//! written only by `store::schedules::refresh_last_jobs`; it is left out of this model so
//! that saving a schedule never overwrites it.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "schedules")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub host_id: Uuid,
    pub repository_id: Uuid,
    pub name: String,
    /// 5-field cron expression; `None` for a manual schedule.
    pub cron: Option<String>,
    /// IANA zone; `None` for the host's own.
    pub timezone: Option<String>,
    pub enabled: bool,
    /// JSON `cairn_proto::BackupSpec`.
    pub backup: String,
    /// JSON `cairn_proto::RetentionPolicy`; `None` keeps everything.
    pub retention: Option<String>,
    pub forget_after_backup: bool,
    pub prune_after_forget: bool,
    pub prune_max_unused: Option<String>,
    /// A second repository linked to the host that each backup's snapshots are copied to.
    pub copy_to: Option<Uuid>,
    /// `run_once` or `skip`.
    pub missed: String,
    /// Sealed JSON `cairn_proto::BackupHooks`; `None` for no hooks.
    pub hooks_enc: Option<String>,
    /// JSON `Vec<cairn_proto::Finding>`: what the agent's newest preflight of this schedule
    /// found (an explicit check or a run), and when.
    pub agent_findings: Option<String>,
    pub agent_checked_at: Option<ChronoDateTimeUtc>,
    pub created_at: ChronoDateTimeUtc,
    pub updated_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
