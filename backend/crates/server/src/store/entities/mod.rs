//! sea-orm entities: one module per table, mirroring the migrations.

pub mod agent_command;
pub mod alert;
pub mod alert_event;
pub mod alert_rule;
pub mod api_token;
pub mod audit_event;
pub mod channel;
pub mod delivery;
pub mod drill_schedule;
pub mod enrollment_token;
pub mod host;
pub mod host_hooks;
pub mod host_mute;
pub mod host_repository;
pub mod job;
pub mod job_log;
pub mod oidc_login;
pub mod oidc_provider;
pub mod pending_host;
pub mod repository;
pub mod repository_copy;
pub mod schedule;
pub mod server_setting;
pub mod session;
pub mod snapshot;
pub mod user;
