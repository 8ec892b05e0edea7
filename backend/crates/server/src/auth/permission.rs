//! Roles, permissions and the table of which operation needs which permission. A handler
//! names its permission in its signature (`auth: Auth<perm::X>`); the RBAC matrix test
//! checks every operation in the OpenAPI document against `OPERATIONS`, so none can be
//! added without an entry, and none can answer differently from what the table says.

use poem_openapi::Enum;
use sea_orm::{DeriveActiveEnum, EnumIter, sea_query::StringLen};
use serde::{Deserialize, Serialize};

/// Stored by name in `users.role` and `api_tokens.role`: a name this server does not know
/// fails to load (an error, logged), it never falls back to a weaker or stronger role.
#[derive(
    Enum,
    Serialize,
    Deserialize,
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    EnumIter,
    DeriveActiveEnum,
)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))", rename_all = "snake_case")]
pub enum Role {
    // Declared weakest first: the derived order is the privilege order.
    Viewer,
    Operator,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Operator => "operator",
            Role::Admin => "admin",
        }
    }

    pub fn permissions(self) -> &'static [Permission] {
        use Permission::*;
        match self {
            Role::Viewer => &[Profile, HostsRead, SnapshotsRead, ReposRead, AlertsRead],
            Role::Operator => &[
                Profile,
                HostsRead,
                SnapshotsRead,
                ReposRead,
                HostsManage,
                JobsRun,
                SchedulesManage,
                ReposMaintain,
                AlertsRead,
                AlertsManage,
            ],
            Role::Admin => &[
                Profile,
                HostsRead,
                SnapshotsRead,
                ReposRead,
                HostsManage,
                JobsRun,
                SchedulesManage,
                SchedulesHooks,
                ReposMaintain,
                RestoresAnywhere,
                HostsApprove,
                ReposManage,
                UsersRead,
                UsersManage,
                AuditRead,
                AlertsRead,
                AlertsManage,
                AlertsConfigure,
            ],
        }
    }

    pub fn allows(self, p: Permission) -> bool {
        self.permissions().contains(&p)
    }
}

#[derive(Enum, Serialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// Your own profile, password and API tokens.
    Profile,
    /// See hosts, pending agents and enrollment tokens.
    HostsRead,
    /// Enrollment tokens, host tags, repository links, test commands.
    HostsManage,
    /// Accept or reject announced agents; delete hosts (revokes their key).
    HostsApprove,
    /// Look inside hosts' snapshots: browse their directories, search them, diff them.
    SnapshotsRead,
    /// Restores that replace files where they were (in place) or write to another host.
    RestoresAnywhere,
    /// Start and cancel jobs (backups, snapshot refreshes).
    JobsRun,
    /// Create, edit and delete hosts' schedules (hooks excepted).
    SchedulesManage,
    /// See and set the commands a schedule runs before and after its backups (they run as
    /// the agent's user, often root).
    SchedulesHooks,
    /// See repositories (never their secrets).
    ReposRead,
    /// Create, edit and delete repositories and their credentials; remove live locks and
    /// approve a forget its delete guard stopped.
    ReposManage,
    /// Repository care: forget, prune, check, unlock stale locks, stats.
    ReposMaintain,
    UsersRead,
    UsersManage,
    AuditRead,
    /// See alerts, their counts and the rules.
    AlertsRead,
    /// Acknowledge, resolve and snooze alerts; mute a host's notifications.
    AlertsManage,
    /// Change the alert rules (and, later, the notification channels).
    AlertsConfigure,
}

impl Permission {
    pub fn as_str(self) -> &'static str {
        match self {
            Permission::Profile => "profile",
            Permission::HostsRead => "hosts_read",
            Permission::HostsManage => "hosts_manage",
            Permission::HostsApprove => "hosts_approve",
            Permission::SnapshotsRead => "snapshots_read",
            Permission::RestoresAnywhere => "restores_anywhere",
            Permission::JobsRun => "jobs_run",
            Permission::SchedulesManage => "schedules_manage",
            Permission::SchedulesHooks => "schedules_hooks",
            Permission::ReposRead => "repos_read",
            Permission::ReposManage => "repos_manage",
            Permission::ReposMaintain => "repos_maintain",
            Permission::UsersRead => "users_read",
            Permission::UsersManage => "users_manage",
            Permission::AuditRead => "audit_read",
            Permission::AlertsRead => "alerts_read",
            Permission::AlertsManage => "alerts_manage",
            Permission::AlertsConfigure => "alerts_configure",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// No credentials needed (sign-in, first-run setup, server info, agent enrollment).
    Public,
    Requires(Permission),
    /// An agent's signed request token (agent API).
    Agent,
}

/// Every operation of the user API by `operation_id`, with what it needs.
pub const OPERATIONS: &[(&str, Access)] = &[
    ("get_info", Access::Public),
    ("complete_setup", Access::Public),
    ("login", Access::Public),
    ("refresh_session", Access::Public),
    ("start_sso_login", Access::Public),
    ("finish_sso_login", Access::Public),
    ("sso_logout", Access::Public),
    ("list_sso_providers", Access::Requires(Permission::UsersManage)),
    ("create_sso_provider", Access::Requires(Permission::UsersManage)),
    ("get_sso_provider", Access::Requires(Permission::UsersManage)),
    ("update_sso_provider", Access::Requires(Permission::UsersManage)),
    ("delete_sso_provider", Access::Requires(Permission::UsersManage)),
    ("logout", Access::Requires(Permission::Profile)),
    ("get_me", Access::Requires(Permission::Profile)),
    ("get_history_settings", Access::Requires(Permission::Profile)),
    ("update_me", Access::Requires(Permission::Profile)),
    ("change_my_password", Access::Requires(Permission::Profile)),
    ("list_my_tokens", Access::Requires(Permission::Profile)),
    ("create_my_token", Access::Requires(Permission::Profile)),
    ("revoke_my_token", Access::Requires(Permission::Profile)),
    ("list_users", Access::Requires(Permission::UsersRead)),
    ("get_user", Access::Requires(Permission::UsersRead)),
    ("create_user", Access::Requires(Permission::UsersManage)),
    ("update_user", Access::Requires(Permission::UsersManage)),
    ("delete_user", Access::Requires(Permission::UsersManage)),
    ("reset_user_password", Access::Requires(Permission::UsersManage)),
    ("list_audit_events", Access::Requires(Permission::AuditRead)),
    ("export_audit_events", Access::Requires(Permission::AuditRead)),
    ("verify_audit_chain", Access::Requires(Permission::AuditRead)),
    ("list_hosts", Access::Requires(Permission::HostsRead)),
    ("get_host", Access::Requires(Permission::HostsRead)),
    ("update_host", Access::Requires(Permission::HostsManage)),
    ("delete_host", Access::Requires(Permission::HostsApprove)),
    ("set_host_repositories", Access::Requires(Permission::HostsManage)),
    ("ping_host", Access::Requires(Permission::HostsManage)),
    ("ping_hosts", Access::Requires(Permission::HostsManage)),
    ("probe_repository", Access::Requires(Permission::HostsManage)),
    ("list_enrollment_tokens", Access::Requires(Permission::HostsRead)),
    ("create_enrollment_token", Access::Requires(Permission::HostsManage)),
    ("delete_enrollment_token", Access::Requires(Permission::HostsManage)),
    ("list_pending_hosts", Access::Requires(Permission::HostsRead)),
    ("accept_pending_host", Access::Requires(Permission::HostsApprove)),
    ("reject_pending_host", Access::Requires(Permission::HostsApprove)),
    ("list_repositories", Access::Requires(Permission::ReposRead)),
    ("get_repository", Access::Requires(Permission::ReposRead)),
    ("list_repository_copies", Access::Requires(Permission::ReposRead)),
    ("list_repository_locks", Access::Requires(Permission::ReposMaintain)),
    ("create_repository", Access::Requires(Permission::ReposManage)),
    ("update_repository", Access::Requires(Permission::ReposManage)),
    ("delete_repository", Access::Requires(Permission::ReposManage)),
    ("agent_enroll", Access::Public),
    ("agent_announce", Access::Public),
    ("agent_announce_status", Access::Agent),
    ("agent_poll", Access::Agent),
    ("agent_job_events", Access::Agent),
    ("agent_answer", Access::Agent),
    ("agent_job_repository", Access::Agent),
    ("agent_upload_download", Access::Agent),
    ("create_backup", Access::Requires(Permission::JobsRun)),
    ("init_repository", Access::Requires(Permission::ReposManage)),
    ("refresh_snapshots", Access::Requires(Permission::JobsRun)),
    ("list_jobs", Access::Requires(Permission::HostsRead)),
    ("get_job", Access::Requires(Permission::HostsRead)),
    ("list_job_logs", Access::Requires(Permission::HostsRead)),
    ("stream_job_events", Access::Requires(Permission::HostsRead)),
    ("cancel_job", Access::Requires(Permission::JobsRun)),
    ("list_host_snapshots", Access::Requires(Permission::HostsRead)),
    ("browse_snapshot", Access::Requires(Permission::SnapshotsRead)),
    ("search_snapshots", Access::Requires(Permission::SnapshotsRead)),
    ("diff_snapshots", Access::Requires(Permission::SnapshotsRead)),
    ("download_snapshot_path", Access::Requires(Permission::SnapshotsRead)),
    ("create_restore", Access::Requires(Permission::JobsRun)),
    ("preview_restore", Access::Requires(Permission::JobsRun)),
    ("create_drill", Access::Requires(Permission::JobsRun)),
    ("get_drill_schedule", Access::Requires(Permission::HostsRead)),
    ("list_alerts", Access::Requires(Permission::AlertsRead)),
    ("get_alert_summary", Access::Requires(Permission::AlertsRead)),
    ("get_alert", Access::Requires(Permission::AlertsRead)),
    ("acknowledge_alert", Access::Requires(Permission::AlertsManage)),
    ("resolve_alert", Access::Requires(Permission::AlertsManage)),
    ("snooze_alert", Access::Requires(Permission::AlertsManage)),
    ("list_alert_rules", Access::Requires(Permission::AlertsRead)),
    ("update_alert_rule", Access::Requires(Permission::AlertsConfigure)),
    ("get_host_mute", Access::Requires(Permission::AlertsRead)),
    ("set_host_mute", Access::Requires(Permission::AlertsManage)),
    ("list_channels", Access::Requires(Permission::AlertsConfigure)),
    ("create_channel", Access::Requires(Permission::AlertsConfigure)),
    ("get_channel", Access::Requires(Permission::AlertsConfigure)),
    ("update_channel", Access::Requires(Permission::AlertsConfigure)),
    ("delete_channel", Access::Requires(Permission::AlertsConfigure)),
    ("test_channel", Access::Requires(Permission::AlertsConfigure)),
    ("list_channel_deliveries", Access::Requires(Permission::AlertsConfigure)),
    ("list_alert_deliveries", Access::Requires(Permission::AlertsRead)),
    ("set_drill_schedule", Access::Requires(Permission::SchedulesManage)),
    ("delete_drill_schedule", Access::Requires(Permission::SchedulesManage)),
    ("list_host_schedules", Access::Requires(Permission::HostsRead)),
    ("create_schedule", Access::Requires(Permission::SchedulesManage)),
    ("get_host_hooks", Access::Requires(Permission::SchedulesHooks)),
    ("set_host_hooks", Access::Requires(Permission::SchedulesHooks)),
    ("get_schedule", Access::Requires(Permission::HostsRead)),
    ("replace_schedule", Access::Requires(Permission::SchedulesManage)),
    ("delete_schedule", Access::Requires(Permission::SchedulesManage)),
    ("run_schedule", Access::Requires(Permission::JobsRun)),
    ("preview_schedule", Access::Requires(Permission::HostsRead)),
    ("preflight_schedule_draft", Access::Requires(Permission::SchedulesManage)),
    ("preflight_schedule", Access::Requires(Permission::SchedulesManage)),
    ("rotate_repository_key", Access::Requires(Permission::ReposManage)),
    ("list_backup_options", Access::Requires(Permission::HostsRead)),
    ("start_repository_job", Access::Requires(Permission::ReposMaintain)),
    ("approve_job", Access::Requires(Permission::ReposManage)),
    ("preview_retention", Access::Requires(Permission::ReposMaintain)),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_ordered_by_privilege() {
        assert!(Role::Admin > Role::Operator && Role::Operator > Role::Viewer);
        assert!(Role::Admin.allows(Permission::UsersManage));
        assert!(!Role::Operator.allows(Permission::UsersManage));
        assert!(!Role::Viewer.allows(Permission::AuditRead));
    }

    #[test]
    fn operation_ids_are_unique() {
        let mut ids: Vec<_> = OPERATIONS.iter().map(|(id, _)| *id).collect();
        ids.sort();
        let n = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), n);
    }
}
