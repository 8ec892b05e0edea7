//! The `deliveries` table: the outbox, one row per alert event and channel, with its
//! attempts, the next one's time, and how the last one went.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "deliveries")]
pub struct Model {
    /// Also the idempotency key a receiver sees.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub alert_event_id: Uuid,
    pub alert_id: Uuid,
    pub channel_id: Uuid,
    /// `pending`, `sending`, `delivered`, `failed` (gave up) or `suppressed` (snoozed or
    /// muted when it was due).
    pub state: String,
    pub attempts: i32,
    pub next_attempt_at: Option<ChronoDateTimeUtc>,
    /// While `sending`: another worker may take it after this (a crash mid-send).
    pub lease_until: Option<ChronoDateTimeUtc>,
    pub last_error: Option<String>,
    /// The receiver's HTTP status (or the SMTP reply code) of the last attempt.
    pub last_status: Option<i32>,
    pub created_at: ChronoDateTimeUtc,
    pub delivered_at: Option<ChronoDateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
