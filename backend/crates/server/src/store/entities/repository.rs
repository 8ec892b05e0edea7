//! The `repositories` table: restic repositories; password and backend environment are AEAD-encrypted.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "repositories")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    pub url: String,
    pub password_enc: String,
    pub env_enc: String,
    /// JSON array of variable names
    pub env_keys: String,
    /// The delete guard (`cairn_proto::ForgetGuard`).
    pub guard_max_delete_count: Option<i32>,
    pub guard_max_delete_percent: Option<i32>,
    pub guard_min_keep: i32,
    /// The newest check that ran to a verdict: its job, when it ended, and whether it
    /// passed (`domain::maintenance::record_check`).
    pub last_check_job_id: Option<Uuid>,
    pub last_check_at: Option<ChronoDateTimeUtc>,
    pub last_check_passed: Option<bool>,
    /// A key rotation (`domain::key_rotation`): the new password, sealed, until its key is
    /// added; the state (`adding`, `waiting`, `removing`, `remove_failed`); the old key's
    /// id; JSON `{host id: config version}` each linked host must apply first.
    pub next_password_enc: Option<String>,
    pub rotation_state: Option<String>,
    pub rotation_old_key: Option<String>,
    pub rotation_waits: Option<String>,
    pub rotation_started_at: Option<ChronoDateTimeUtc>,
    /// A check on a schedule of its own (`domain::check_schedule`): the cron, its zone
    /// (`None`: UTC), `--read-data-subset`, the preferred host, and the next fire.
    pub check_cron: Option<String>,
    pub check_timezone: Option<String>,
    pub check_subset: Option<String>,
    pub check_host_id: Option<Uuid>,
    pub check_next_at: Option<ChronoDateTimeUtc>,
    pub created_at: ChronoDateTimeUtc,
    pub updated_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
