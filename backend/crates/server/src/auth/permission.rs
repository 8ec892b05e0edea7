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
    /// No role over all hosts: the user's own profile only, plus whatever their host-scoped
    /// role bindings give on the hosts those cover.
    None,
    Viewer,
    Operator,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::None => "none",
            Role::Viewer => "viewer",
            Role::Operator => "operator",
            Role::Admin => "admin",
        }
    }

    pub fn permissions(self) -> &'static [Permission] {
        use Permission::*;
        match self {
            Role::None => &[Profile],
            Role::Viewer => &[Profile, HostsRead, SnapshotsRead, ReposRead, AlertsRead],
            Role::Operator => &[
                Profile,
                HostsRead,
                SnapshotsRead,
                SnapshotsDownload,
                ReposRead,
                HostsManage,
                JobsRun,
                BackupsRun,
                RestoresRun,
                SchedulesManage,
                ReposMaintain,
                AlertsRead,
                AlertsManage,
            ],
            Role::Admin => &[
                Profile,
                HostsRead,
                SnapshotsRead,
                SnapshotsDownload,
                ReposRead,
                HostsManage,
                HostsDelete,
                JobsRun,
                BackupsRun,
                RestoresRun,
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
    /// Accept or reject announced agents.
    HostsApprove,
    /// Delete hosts (revokes their agent's key).
    HostsDelete,
    /// Look inside hosts' snapshots: browse their directories, search them, diff them.
    SnapshotsRead,
    /// Read data back: download files and folders of a snapshot through the browser.
    SnapshotsDownload,
    /// Restore to a new path on the same host (and run restore drills).
    RestoresRun,
    /// Restores that replace files where they were (in place) or write to another host.
    RestoresAnywhere,
    /// Start backups (now, or a schedule's run now).
    BackupsRun,
    /// Cancel jobs and refresh a host's snapshot list.
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
            Permission::HostsDelete => "hosts_delete",
            Permission::SnapshotsRead => "snapshots_read",
            Permission::SnapshotsDownload => "snapshots_download",
            Permission::RestoresRun => "restores_run",
            Permission::RestoresAnywhere => "restores_anywhere",
            Permission::BackupsRun => "backups_run",
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

/// A role over the hosts that carry at least one of `tags`. Stored as JSON on the user
/// (`users.bindings`); only viewer and operator can be bound: admin is global.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct RoleBinding {
    pub role: Role,
    pub tags: Vec<String>,
}

/// The hosts a permission reaches for one caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HostScope {
    All,
    /// Hosts carrying at least one of these tags (sorted, no duplicates, never empty).
    Tags(Vec<String>),
}

/// Every host: what internal callers (the sweep, fleet commands) read with.
impl Default for HostScope {
    fn default() -> Self {
        HostScope::All
    }
}

impl HostScope {
    pub fn covers(&self, host_tags: &[String]) -> bool {
        match self {
            HostScope::All => true,
            HostScope::Tags(tags) => host_tags.iter().any(|t| tags.contains(t)),
        }
    }

    pub fn is_all(&self) -> bool {
        matches!(self, HostScope::All)
    }
}

/// Where `p` reaches for a caller whose role over all hosts is `role` and whose
/// host-scoped bindings are `bindings`: every host, the hosts of some tags, or none.
pub fn scope_of(role: Role, bindings: &[RoleBinding], p: Permission) -> Option<HostScope> {
    if role.allows(p) {
        return Some(HostScope::All);
    }
    let mut tags: Vec<String> = bindings
        .iter()
        // An admin binding cannot be stored; refusing it here too keeps admin global even
        // if one were.
        .filter(|b| b.role < Role::Admin && b.role.allows(p))
        .flat_map(|b| b.tags.iter().cloned())
        .collect();
    tags.sort();
    tags.dedup();
    (!tags.is_empty()).then_some(HostScope::Tags(tags))
}

/// Every permission `role` and `bindings` give anywhere (over all hosts or some).
pub fn permissions_anywhere(role: Role, bindings: &[RoleBinding]) -> Vec<Permission> {
    union_of(role, bindings.iter())
}

/// The role's permissions and those of the bindings (admin bindings grant nothing), each once.
fn union_of<'a>(role: Role, bindings: impl Iterator<Item = &'a RoleBinding>) -> Vec<Permission> {
    let mut out: Vec<Permission> = role.permissions().to_vec();
    for b in bindings.filter(|b| b.role < Role::Admin) {
        for p in b.role.permissions() {
            if !out.contains(p) {
                out.push(*p);
            }
        }
    }
    out
}

/// The permissions of `Access::OnHosts` operations: all a single host can grant. Read
/// from `OPERATIONS` once, not for every host row of a list.
static HOST_LEVEL: std::sync::LazyLock<Vec<Permission>> = std::sync::LazyLock::new(|| {
    let mut v: Vec<Permission> = Vec::new();
    for (_, a) in OPERATIONS {
        if let Access::OnHosts(p) = a
            && !v.contains(p)
        {
            v.push(*p);
        }
    }
    v
});

/// What `role` and `bindings` allow on one host, the one carrying `host_tags`: the
/// host-level permissions (those of `Access::OnHosts` operations) the role over all hosts
/// gives, plus those of every host role whose tags the host carries.
pub fn permissions_on(
    role: Role,
    bindings: &[RoleBinding],
    host_tags: &[String],
) -> Vec<Permission> {
    let carried = bindings.iter().filter(|b| b.tags.iter().any(|t| host_tags.contains(t)));
    let mut out = union_of(role, carried);
    out.retain(|p| HOST_LEVEL.contains(p));
    out
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// No credentials needed (sign-in, first-run setup, server info, agent enrollment).
    Public,
    /// The permission over all hosts (a host-scoped binding is not enough).
    Requires(Permission),
    /// The permission on the host the operation is about (its job, schedule, alert or
    /// snapshot's host): a binding whose tags the host carries is enough, a host out of
    /// the caller's scope answers 404 as if it did not exist, and lists hold only the
    /// hosts in scope (and their jobs, snapshots, alerts, repositories).
    OnHosts(Permission),
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
    ("get_sign_in_settings", Access::Requires(Permission::UsersManage)),
    ("update_sign_in_settings", Access::Requires(Permission::UsersManage)),
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
    ("list_hosts", Access::OnHosts(Permission::HostsRead)),
    ("get_host", Access::OnHosts(Permission::HostsRead)),
    ("update_host", Access::OnHosts(Permission::HostsManage)),
    ("delete_host", Access::Requires(Permission::HostsDelete)),
    ("set_host_repositories", Access::Requires(Permission::HostsManage)),
    ("ping_host", Access::OnHosts(Permission::HostsManage)),
    ("ping_hosts", Access::Requires(Permission::HostsManage)),
    ("probe_repository", Access::Requires(Permission::HostsManage)),
    ("list_enrollment_tokens", Access::Requires(Permission::HostsRead)),
    ("create_enrollment_token", Access::Requires(Permission::HostsManage)),
    ("delete_enrollment_token", Access::Requires(Permission::HostsManage)),
    ("list_pending_hosts", Access::Requires(Permission::HostsRead)),
    ("accept_pending_host", Access::Requires(Permission::HostsApprove)),
    ("reject_pending_host", Access::Requires(Permission::HostsApprove)),
    ("list_repositories", Access::OnHosts(Permission::ReposRead)),
    ("get_repository", Access::OnHosts(Permission::ReposRead)),
    ("list_repository_copies", Access::OnHosts(Permission::ReposRead)),
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
    ("create_backup", Access::OnHosts(Permission::BackupsRun)),
    ("init_repository", Access::Requires(Permission::ReposManage)),
    ("refresh_snapshots", Access::OnHosts(Permission::JobsRun)),
    ("list_jobs", Access::OnHosts(Permission::HostsRead)),
    ("get_job", Access::OnHosts(Permission::HostsRead)),
    ("list_job_logs", Access::OnHosts(Permission::HostsRead)),
    ("stream_job_events", Access::OnHosts(Permission::HostsRead)),
    ("cancel_job", Access::OnHosts(Permission::JobsRun)),
    ("list_host_snapshots", Access::OnHosts(Permission::HostsRead)),
    ("browse_snapshot", Access::OnHosts(Permission::SnapshotsRead)),
    ("search_snapshots", Access::OnHosts(Permission::SnapshotsRead)),
    ("diff_snapshots", Access::OnHosts(Permission::SnapshotsRead)),
    ("download_snapshot_path", Access::OnHosts(Permission::SnapshotsDownload)),
    ("create_restore", Access::OnHosts(Permission::RestoresRun)),
    ("preview_restore", Access::OnHosts(Permission::RestoresRun)),
    ("create_drill", Access::OnHosts(Permission::RestoresRun)),
    ("get_drill_schedule", Access::OnHosts(Permission::HostsRead)),
    ("list_alerts", Access::OnHosts(Permission::AlertsRead)),
    ("get_alert_summary", Access::OnHosts(Permission::AlertsRead)),
    ("get_alert", Access::OnHosts(Permission::AlertsRead)),
    ("acknowledge_alert", Access::OnHosts(Permission::AlertsManage)),
    ("resolve_alert", Access::OnHosts(Permission::AlertsManage)),
    ("snooze_alert", Access::OnHosts(Permission::AlertsManage)),
    ("list_alert_rules", Access::OnHosts(Permission::AlertsRead)),
    ("update_alert_rule", Access::Requires(Permission::AlertsConfigure)),
    ("get_host_mute", Access::OnHosts(Permission::AlertsRead)),
    ("set_host_mute", Access::OnHosts(Permission::AlertsManage)),
    ("list_channels", Access::Requires(Permission::AlertsConfigure)),
    ("create_channel", Access::Requires(Permission::AlertsConfigure)),
    ("get_channel", Access::Requires(Permission::AlertsConfigure)),
    ("update_channel", Access::Requires(Permission::AlertsConfigure)),
    ("delete_channel", Access::Requires(Permission::AlertsConfigure)),
    ("test_channel", Access::Requires(Permission::AlertsConfigure)),
    ("list_channel_deliveries", Access::Requires(Permission::AlertsConfigure)),
    ("list_alert_deliveries", Access::OnHosts(Permission::AlertsRead)),
    ("set_drill_schedule", Access::OnHosts(Permission::SchedulesManage)),
    ("delete_drill_schedule", Access::OnHosts(Permission::SchedulesManage)),
    ("list_host_schedules", Access::OnHosts(Permission::HostsRead)),
    ("create_schedule", Access::OnHosts(Permission::SchedulesManage)),
    ("get_host_hooks", Access::Requires(Permission::SchedulesHooks)),
    ("set_host_hooks", Access::Requires(Permission::SchedulesHooks)),
    ("get_schedule", Access::OnHosts(Permission::HostsRead)),
    ("replace_schedule", Access::OnHosts(Permission::SchedulesManage)),
    ("delete_schedule", Access::OnHosts(Permission::SchedulesManage)),
    ("run_schedule", Access::OnHosts(Permission::BackupsRun)),
    ("preview_schedule", Access::OnHosts(Permission::HostsRead)),
    ("preflight_schedule_draft", Access::OnHosts(Permission::SchedulesManage)),
    ("preflight_schedule", Access::OnHosts(Permission::SchedulesManage)),
    ("rotate_repository_key", Access::Requires(Permission::ReposManage)),
    ("list_backup_options", Access::OnHosts(Permission::HostsRead)),
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
    fn bindings_reach_only_the_hosts_of_their_tags() {
        let b = vec![
            RoleBinding { role: Role::Operator, tags: vec!["web".into()] },
            RoleBinding { role: Role::Viewer, tags: vec!["db".into(), "web".into()] },
        ];
        assert_eq!(scope_of(Role::Admin, &b, Permission::BackupsRun), Some(HostScope::All));
        assert_eq!(
            scope_of(Role::None, &b, Permission::BackupsRun),
            Some(HostScope::Tags(vec!["web".into()]))
        );
        assert_eq!(
            scope_of(Role::None, &b, Permission::HostsRead),
            Some(HostScope::Tags(vec!["db".into(), "web".into()]))
        );
        assert_eq!(scope_of(Role::None, &b, Permission::UsersManage), None);
        assert_eq!(scope_of(Role::Viewer, &b, Permission::HostsRead), Some(HostScope::All));
        let web = scope_of(Role::None, &b, Permission::BackupsRun).unwrap();
        assert!(web.covers(&["web".into(), "eu".into()]));
        assert!(!web.covers(&["db".into()]));
        assert!(!web.covers(&[]));
        // An admin binding (which validation refuses) grants nothing.
        let admin = vec![RoleBinding { role: Role::Admin, tags: vec!["web".into()] }];
        assert_eq!(scope_of(Role::None, &admin, Permission::UsersManage), None);
        assert_eq!(permissions_anywhere(Role::None, &admin), vec![Permission::Profile]);
        assert!(permissions_anywhere(Role::None, &b).contains(&Permission::BackupsRun));
    }

    #[test]
    fn a_hosts_permissions_are_the_global_roles_and_those_of_the_host_roles_it_carries() {
        let b = vec![
            RoleBinding { role: Role::Operator, tags: vec!["web".into()] },
            RoleBinding { role: Role::Viewer, tags: vec!["db".into()] },
        ];
        let on = |role, tags: &[&str]| {
            let tags: Vec<String> = tags.iter().map(|t| t.to_string()).collect();
            permissions_on(role, &b, &tags)
        };
        // Operator on web: runs backups on a web host, only reads a db host, nothing else.
        assert!(on(Role::None, &["web"]).contains(&Permission::BackupsRun));
        assert!(on(Role::None, &["db"]).contains(&Permission::HostsRead));
        assert!(!on(Role::None, &["db"]).contains(&Permission::BackupsRun));
        assert!(on(Role::None, &["other"]).is_empty());
        // Only host-level permissions: an admin's user management is not a host's.
        let admin = on(Role::Admin, &[]);
        assert!(
            admin.contains(&Permission::BackupsRun) && admin.contains(&Permission::SchedulesManage)
        );
        assert!(
            !admin.contains(&Permission::UsersManage) && !admin.contains(&Permission::HostsDelete)
        );
        // The global role counts on every host, a host role adds to it.
        assert!(on(Role::Viewer, &["other"]).contains(&Permission::HostsRead));
        assert!(on(Role::Viewer, &["web"]).contains(&Permission::BackupsRun));
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
