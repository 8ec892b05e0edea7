//! The `hosts` table: a host: an enrolled agent, its public key and what it last reported.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "hosts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub hostname: String,
    pub os: String,
    pub arch: String,
    pub agent_version: String,
    pub restic_version: Option<String>,
    pub public_key: String,
    pub fingerprint: String,
    /// JSON array of strings
    pub tags: String,
    pub enrolled_via: String,
    pub created_at: ChronoDateTimeUtc,
    pub last_seen_at: Option<ChronoDateTimeUtc>,
    pub last_ip: Option<String>,
    pub config_version: i64,
    pub applied_config_version: i64,
    /// The IANA zone the agent reported, when it is one this server knows.
    pub timezone: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
