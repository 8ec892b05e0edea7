//! Database migrations for Cairn, shared by SQLite and PostgreSQL.
//! One file per change; a migration that has landed is never edited.

pub use sea_orm_migration::prelude::*;

mod m0001_identity;
mod m0002_audit;
mod m0003_fleet;
mod m0004_jobs;
mod m0005_tagged_job_args;
mod m0006_list_indexes;
mod m0007_history;
mod m0008_audit_chain_start;
mod m0009_jobs_host_kind_index;
mod m0010_audit_time_index;
mod m0011_schedules;
mod m0012_scheduled_jobs_overlap;
mod m0013_schedule_runs_index;
mod m0014_repository_guard;
mod m0015_job_queue;
mod m0016_schedule_last_job;
mod m0017_repository_last_check;
mod m0018_schedule_hooks_preflight;
mod m0019_key_rotation;
mod m0020_repository_copies;
mod m0021_repository_check_schedule;
mod m0022_host_hooks;
mod m0023_drill_schedules;
mod m0024_alerts;
mod m0025_notifications;
mod m0026_alert_watch;
mod m0027_sso;
mod m0028_role_bindings;
mod m0029_sso_from_config;
mod m0030_server_settings;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_identity::Migration),
            Box::new(m0002_audit::Migration),
            Box::new(m0003_fleet::Migration),
            Box::new(m0004_jobs::Migration),
            Box::new(m0005_tagged_job_args::Migration),
            Box::new(m0006_list_indexes::Migration),
            Box::new(m0007_history::Migration),
            Box::new(m0008_audit_chain_start::Migration),
            Box::new(m0009_jobs_host_kind_index::Migration),
            Box::new(m0010_audit_time_index::Migration),
            Box::new(m0011_schedules::Migration),
            Box::new(m0012_scheduled_jobs_overlap::Migration),
            Box::new(m0013_schedule_runs_index::Migration),
            Box::new(m0014_repository_guard::Migration),
            Box::new(m0015_job_queue::Migration),
            Box::new(m0016_schedule_last_job::Migration),
            Box::new(m0017_repository_last_check::Migration),
            Box::new(m0018_schedule_hooks_preflight::Migration),
            Box::new(m0019_key_rotation::Migration),
            Box::new(m0020_repository_copies::Migration),
            Box::new(m0021_repository_check_schedule::Migration),
            Box::new(m0022_host_hooks::Migration),
            Box::new(m0023_drill_schedules::Migration),
            Box::new(m0024_alerts::Migration),
            Box::new(m0025_notifications::Migration),
            Box::new(m0026_alert_watch::Migration),
            Box::new(m0027_sso::Migration),
            Box::new(m0028_role_bindings::Migration),
            Box::new(m0029_sso_from_config::Migration),
            Box::new(m0030_server_settings::Migration),
        ]
    }
}
