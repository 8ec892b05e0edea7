//! The API: the user API under `/api/v1` and the agent API under `/api/agent/v1`, in one
//! OpenAPI document whose server is `/api`. One module per resource, handlers kept thin: parse, check
//! the permission, call the domain, shape the answer. The OpenAPI document is generated
//! from these types, so the contract cannot drift from the code.

pub mod agent;
pub mod agent_security;
pub mod alerts;
pub mod audit;
pub mod auth;
pub mod channels;
pub mod drill_schedules;
pub mod enrollment;
pub mod error;
pub mod hosts;
pub mod jobs;
mod late_json;
pub mod models;
pub mod repositories;
pub mod restores;
pub mod schedules;
pub mod security;
mod serde_json_body;
pub mod snapshots;
pub mod spec;
pub mod sso;
pub mod system;
pub mod users;
mod wire_time;

use poem_openapi::{OpenApiService, Tags};

#[derive(Tags)]
pub enum ApiTags {
    /// Server information and first-run setup.
    System,
    /// Sign-in, sessions, your profile and your API tokens.
    Auth,
    /// User accounts and roles (admins).
    Users,
    /// The tamper-evident audit log.
    Audit,
    /// Hosts, enrollment tokens and announced agents.
    Hosts,
    /// restic repositories and their (write-only) credentials.
    Repositories,
    /// Backups and other restic runs: start, follow live, cancel; snapshots.
    Jobs,
    /// What each host backs up, when, and how long it is kept.
    Schedules,
    /// Alerts the rules raise, their rules, and host mutes.
    Alerts,
    /// The agent protocol (`/api/agent/v1`), spoken by cairn-agent.
    Agent,
}

pub type Apis = (
    system::SystemApi,
    auth::AuthApi,
    users::UsersApi,
    audit::AuditApi,
    hosts::HostsApi,
    enrollment::EnrollmentApi,
    repositories::RepositoriesApi,
    jobs::JobsApi,
    snapshots::SnapshotsApi,
    restores::RestoresApi,
    schedules::SchedulesApi,
    drill_schedules::DrillSchedulesApi,
    alerts::AlertsApi,
    channels::ChannelsApi,
    sso::SsoApi,
    agent::AgentApi,
);

pub fn service() -> OpenApiService<Apis, ()> {
    let apis = (
        system::SystemApi,
        auth::AuthApi,
        users::UsersApi,
        audit::AuditApi,
        hosts::HostsApi,
        enrollment::EnrollmentApi,
        repositories::RepositoriesApi,
        jobs::JobsApi,
        snapshots::SnapshotsApi,
        restores::RestoresApi,
        schedules::SchedulesApi,
        drill_schedules::DrillSchedulesApi,
        alerts::AlertsApi,
        channels::ChannelsApi,
        sso::SsoApi,
        agent::AgentApi,
    );
    OpenApiService::new(apis, "Cairn", env!("CARGO_PKG_VERSION"))
        .description(
            "The Cairn REST API. Browser sessions use cookies plus the X-CSRF-Token header on \
             state-changing requests; scripts use a personal access token as \
             `Authorization: Bearer cairn_pat_…`. Every error is JSON `{code, message, details}`.",
        )
        .server("/api")
}

/// The OpenAPI document as pretty JSON (what `cairn-server openapi` writes).
pub fn spec_json() -> String {
    spec::default_json()
}
