//! `/alerts`, `/alert-rules` and a host's mute: the alerts rules raised (newest first,
//! filtered, by cursor), one alert with its events, acknowledge / resolve / snooze, the
//! open counts for the navigation's badge, and the rules' settings.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{
    Enum, Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};
use serde_json::Value;
use uuid::Uuid;

use super::security::{Auth, HostAuth, perm};
use super::{ApiTags, error::ApiError};
use crate::{
    app::AppState,
    domain::alerts::{
        self as service, AlertEventRow, AlertRow, AlertState, Change, EventKind, ListQuery, Rule,
        RuleChange, RuleSettings, Severity,
    },
};

pub struct AlertsApi;

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum AlertSeverity {
    Info,
    Warning,
    Error,
    Critical,
}

impl From<Severity> for AlertSeverity {
    fn from(s: Severity) -> Self {
        match s {
            Severity::Info => AlertSeverity::Info,
            Severity::Warning => AlertSeverity::Warning,
            Severity::Error => AlertSeverity::Error,
            Severity::Critical => AlertSeverity::Critical,
        }
    }
}

impl From<AlertSeverity> for Severity {
    fn from(s: AlertSeverity) -> Self {
        match s {
            AlertSeverity::Info => Severity::Info,
            AlertSeverity::Warning => Severity::Warning,
            AlertSeverity::Error => Severity::Error,
            AlertSeverity::Critical => Severity::Critical,
        }
    }
}

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum AlertStateName {
    Open,
    Acknowledged,
    Resolved,
}

impl From<AlertStateName> for AlertState {
    fn from(s: AlertStateName) -> Self {
        match s {
            AlertStateName::Open => AlertState::Open,
            AlertStateName::Acknowledged => AlertState::Acknowledged,
            AlertStateName::Resolved => AlertState::Resolved,
        }
    }
}

impl From<AlertState> for AlertStateName {
    fn from(s: AlertState) -> Self {
        match s {
            AlertState::Open => AlertStateName::Open,
            AlertState::Acknowledged => AlertStateName::Acknowledged,
            AlertState::Resolved => AlertStateName::Resolved,
        }
    }
}

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum AlertRuleName {
    BackupFailed,
    BackupWarning,
    JobLost,
    CheckFailed,
    MaintenanceFailed,
    RestoreFailed,
    RestoreSucceeded,
    DrillFailed,
    AgentOffline,
    NothingRan,
    RpoMissed,
    Unscheduled,
    JobStuck,
    RepositoryLocked,
    GuardTripped,
    VersionBehind,
    UnusualChange,
}

impl From<Rule> for AlertRuleName {
    fn from(r: Rule) -> Self {
        match r {
            Rule::BackupFailed => AlertRuleName::BackupFailed,
            Rule::BackupWarning => AlertRuleName::BackupWarning,
            Rule::JobLost => AlertRuleName::JobLost,
            Rule::CheckFailed => AlertRuleName::CheckFailed,
            Rule::MaintenanceFailed => AlertRuleName::MaintenanceFailed,
            Rule::RestoreFailed => AlertRuleName::RestoreFailed,
            Rule::RestoreSucceeded => AlertRuleName::RestoreSucceeded,
            Rule::DrillFailed => AlertRuleName::DrillFailed,
            Rule::AgentOffline => AlertRuleName::AgentOffline,
            Rule::NothingRan => AlertRuleName::NothingRan,
            Rule::RpoMissed => AlertRuleName::RpoMissed,
            Rule::Unscheduled => AlertRuleName::Unscheduled,
            Rule::JobStuck => AlertRuleName::JobStuck,
            Rule::RepositoryLocked => AlertRuleName::RepositoryLocked,
            Rule::GuardTripped => AlertRuleName::GuardTripped,
            Rule::VersionBehind => AlertRuleName::VersionBehind,
            Rule::UnusualChange => AlertRuleName::UnusualChange,
        }
    }
}

impl From<AlertRuleName> for Rule {
    fn from(r: AlertRuleName) -> Self {
        match r {
            AlertRuleName::BackupFailed => Rule::BackupFailed,
            AlertRuleName::BackupWarning => Rule::BackupWarning,
            AlertRuleName::JobLost => Rule::JobLost,
            AlertRuleName::CheckFailed => Rule::CheckFailed,
            AlertRuleName::MaintenanceFailed => Rule::MaintenanceFailed,
            AlertRuleName::RestoreFailed => Rule::RestoreFailed,
            AlertRuleName::RestoreSucceeded => Rule::RestoreSucceeded,
            AlertRuleName::DrillFailed => Rule::DrillFailed,
            AlertRuleName::AgentOffline => Rule::AgentOffline,
            AlertRuleName::NothingRan => Rule::NothingRan,
            AlertRuleName::RpoMissed => Rule::RpoMissed,
            AlertRuleName::Unscheduled => Rule::Unscheduled,
            AlertRuleName::JobStuck => Rule::JobStuck,
            AlertRuleName::RepositoryLocked => Rule::RepositoryLocked,
            AlertRuleName::GuardTripped => Rule::GuardTripped,
            AlertRuleName::VersionBehind => Rule::VersionBehind,
            AlertRuleName::UnusualChange => Rule::UnusualChange,
        }
    }
}

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum AlertEventKind {
    Opened,
    Repeated,
    Escalated,
    Acknowledged,
    Snoozed,
    Resolved,
}

impl From<EventKind> for AlertEventKind {
    fn from(k: EventKind) -> Self {
        match k {
            EventKind::Opened => AlertEventKind::Opened,
            EventKind::Repeated => AlertEventKind::Repeated,
            EventKind::Escalated => AlertEventKind::Escalated,
            EventKind::Acknowledged => AlertEventKind::Acknowledged,
            EventKind::Snoozed => AlertEventKind::Snoozed,
            EventKind::Resolved => AlertEventKind::Resolved,
        }
    }
}

/// What an alert is about.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum AlertSubjectKind {
    Host,
    Schedule,
    /// A host's use of a repository (a backup started by hand, a lost job).
    HostRepo,
    Repository,
}

fn subject_kind(s: &str) -> AlertSubjectKind {
    match s {
        "schedule" => AlertSubjectKind::Schedule,
        "host_repo" => AlertSubjectKind::HostRepo,
        "repository" => AlertSubjectKind::Repository,
        _ => AlertSubjectKind::Host,
    }
}

/// An alert: a rule's finding about a subject, from when it opened until it resolved.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Alert {
    pub id: Uuid,
    pub rule: AlertRuleName,
    pub subject_kind: AlertSubjectKind,
    /// The schedule's, host's or repository's id (`host/repository` for `host_repo`;
    /// `repository/kind` for a forget's or prune's).
    pub subject_id: String,
    pub host_id: Option<Uuid>,
    pub repository_id: Option<Uuid>,
    /// The job that raised it, or its latest repeat.
    pub job_id: Option<Uuid>,
    pub severity: AlertSeverity,
    pub state: AlertStateName,
    pub title: String,
    /// The latest finding in a sentence (the job's error, how long the agent is silent).
    pub message: String,
    /// What the rule saw (the error class, the threshold…).
    pub details: Value,
    /// How many times the rule saw it while unresolved (1 when it opened).
    pub count: u64,
    pub opened_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub acknowledged_by: Option<String>,
    /// Its notifications wait until then.
    pub snoozed_until: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    /// Who resolved it; absent when Cairn did (the condition cleared).
    pub resolved_by: Option<String>,
}

impl From<AlertRow> for Alert {
    fn from(a: AlertRow) -> Self {
        Alert {
            id: a.id,
            rule: Rule::parse(&a.rule).unwrap_or(Rule::BackupFailed).into(),
            subject_kind: subject_kind(&a.subject_kind),
            subject_id: a.subject_id,
            host_id: a.host_id,
            repository_id: a.repository_id,
            job_id: a.job_id,
            severity: Severity::parse(&a.severity).unwrap_or(Severity::Error).into(),
            state: AlertState::parse(&a.state).unwrap_or(AlertState::Open).into(),
            title: a.title,
            message: a.message,
            details: serde_json::from_str(&a.details).unwrap_or(Value::Null),
            count: u64::try_from(a.count).unwrap_or(0),
            opened_at: a.opened_at,
            last_seen_at: a.last_seen_at,
            acknowledged_at: a.acknowledged_at,
            acknowledged_by: a.acknowledged_by,
            snoozed_until: a.snoozed_until,
            resolved_at: a.resolved_at,
            resolved_by: a.resolved_by,
        }
    }
}

/// One step in an alert's life.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AlertEvent {
    pub kind: AlertEventKind,
    pub at: DateTime<Utc>,
    /// Who did it; absent when Cairn did.
    pub actor: Option<String>,
    /// The alert's severity then.
    pub severity: AlertSeverity,
    pub details: Value,
}

impl From<AlertEventRow> for AlertEvent {
    fn from(e: AlertEventRow) -> Self {
        AlertEvent {
            kind: EventKind::parse(&e.kind).unwrap_or(EventKind::Repeated).into(),
            at: e.at,
            actor: e.actor,
            severity: Severity::parse(&e.severity).unwrap_or(Severity::Error).into(),
            details: serde_json::from_str(&e.details).unwrap_or(Value::Null),
        }
    }
}

#[derive(Object)]
pub struct AlertDetail {
    pub alert: Alert,
    /// Oldest first, at most 200.
    pub events: Vec<AlertEvent>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AlertList {
    pub items: Vec<Alert>,
    /// Absent on the last page.
    pub next_cursor: Option<String>,
}

/// Unresolved alerts, for the navigation's badge and the dashboard.
#[derive(Object)]
pub struct AlertSummary {
    pub open: u64,
    pub acknowledged: u64,
    /// Unresolved (open or acknowledged) of each severity.
    pub info: u64,
    pub warning: u64,
    pub error: u64,
    pub critical: u64,
}

#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct SnoozeRequest {
    /// Quiet until then (at most 30 days ahead); `null` ends the snooze.
    #[oai(nullable)]
    pub until: Option<DateTime<Utc>>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct HostMute {
    /// The host's alert notifications wait until then; absent when it is not muted.
    pub until: Option<DateTime<Utc>>,
}

#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct HostMuteRequest {
    /// Mute until then (at most 30 days ahead); `null` unmutes.
    #[oai(nullable)]
    pub until: Option<DateTime<Utc>>,
}

/// A rule and its settings.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AlertRule {
    pub rule: AlertRuleName,
    pub description: String,
    pub enabled: bool,
    pub severity: AlertSeverity,
    /// Its thresholds, e.g. `{"minutes": 15}`.
    pub params: Value,
    /// Each threshold's default and allowed range, in the order of `params`.
    pub thresholds: Vec<AlertRuleThreshold>,
    /// Only hosts with this tag raise it; absent: every host.
    pub host_tag: Option<String>,
    /// An admin changed it from the defaults.
    pub customised: bool,
}

/// A rule's threshold: its name (a key of `params`), default and whole-number range.
#[derive(Object)]
pub struct AlertRuleThreshold {
    pub name: String,
    pub default: i64,
    pub min: i64,
    pub max: i64,
}

impl From<RuleSettings> for AlertRule {
    fn from(s: RuleSettings) -> Self {
        AlertRule {
            rule: s.rule.into(),
            description: s.rule.describe().into(),
            enabled: s.enabled,
            severity: s.severity.into(),
            params: s.params,
            thresholds: s
                .rule
                .thresholds()
                .into_iter()
                .map(|(name, default, (min, max))| AlertRuleThreshold { name, default, min, max })
                .collect(),
            host_tag: s.host_tag,
            customised: s.customised,
        }
    }
}

#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct UpdateAlertRuleRequest {
    pub enabled: bool,
    pub severity: AlertSeverity,
    /// Thresholds to change (the others keep their defaults), e.g. `{"minutes": 30}`.
    pub params: Option<std::collections::BTreeMap<String, i64>>,
    /// Only hosts with this tag raise it; absent or empty: every host.
    #[oai(validator(max_length = 64))]
    pub host_tag: Option<String>,
}

#[OpenApi(tag = "ApiTags::Alerts")]
impl AlertsApi {
    /// Alerts, newest first, by cursor. `state` and `severity` may repeat
    /// (`?state=open&state=acknowledged`).
    #[oai(path = "/v1/alerts", method = "get", operation_id = "list_alerts")]
    #[allow(clippy::too_many_arguments, reason = "one argument per query parameter")]
    async fn list(
        &self,
        auth: HostAuth<perm::AlertsRead>,
        state: Data<&AppState>,
        #[oai(name = "state", explode = true)] state_in: Query<Option<Vec<AlertStateName>>>,
        #[oai(explode = true)] severity: Query<Option<Vec<AlertSeverity>>>,
        rule: Query<Option<AlertRuleName>>,
        host_id: Query<Option<Uuid>>,
        /// Opened at or after this time.
        since: Query<Option<DateTime<Utc>>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))] limit: Query<Option<u64>>,
        /// The `next_cursor` of the previous page.
        #[oai(validator(max_length = 512))]
        cursor: Query<Option<String>>,
    ) -> Result<Json<AlertList>, ApiError> {
        let q = ListQuery {
            states: state_in.0.unwrap_or_default().into_iter().map(Into::into).collect(),
            severities: severity.0.unwrap_or_default().into_iter().map(Into::into).collect(),
            rule: rule.0.map(Into::into),
            host_id: host_id.0,
            since: since.0,
            cursor: cursor.0,
            limit: limit.0.unwrap_or(50),
            scope: auth.scope().clone(),
        };
        let page = service::list(&state, q).await?;
        Ok(Json(AlertList {
            items: page.items.into_iter().map(Into::into).collect(),
            next_cursor: page.next_cursor,
        }))
    }

    /// How many alerts are unresolved, by state and severity.
    #[oai(path = "/v1/alerts/summary", method = "get", operation_id = "get_alert_summary")]
    async fn summary(
        &self,
        auth: HostAuth<perm::AlertsRead>,
        state: Data<&AppState>,
    ) -> Result<Json<AlertSummary>, ApiError> {
        let s = service::summary(&state, auth.scope()).await?;
        let n = |v: Severity| s.by_severity.get(&v).copied().unwrap_or(0);
        Ok(Json(AlertSummary {
            open: s.open,
            acknowledged: s.acknowledged,
            info: n(Severity::Info),
            warning: n(Severity::Warning),
            error: n(Severity::Error),
            critical: n(Severity::Critical),
        }))
    }

    /// One alert with its events.
    #[oai(path = "/v1/alerts/:id", method = "get", operation_id = "get_alert")]
    async fn get(
        &self,
        auth: HostAuth<perm::AlertsRead>,
        state: Data<&AppState>,
        id: Path<Uuid>,
    ) -> Result<Json<AlertDetail>, ApiError> {
        auth.alert(id.0).await?;
        let (a, events) = service::get(&state, id.0).await?;
        Ok(Json(AlertDetail {
            alert: a.into(),
            events: events.into_iter().map(Into::into).collect(),
        }))
    }

    /// Acknowledges an alert: someone is on it (it stays unresolved until the condition
    /// clears or someone resolves it). `409 alert.resolved` once resolved. Audited.
    #[oai(path = "/v1/alerts/:id/acknowledge", method = "post", operation_id = "acknowledge_alert")]
    async fn acknowledge(
        &self,
        auth: HostAuth<perm::AlertsManage>,
        state: Data<&AppState>,
        id: Path<Uuid>,
    ) -> Result<Json<Alert>, ApiError> {
        auth.alert(id.0).await?;
        Ok(Json(service::change(&state, &auth.actor(), id.0, Change::Acknowledge).await?.into()))
    }

    /// Resolves an alert by hand; a new one opens if the rule sees the problem again.
    /// Audited.
    #[oai(path = "/v1/alerts/:id/resolve", method = "post", operation_id = "resolve_alert")]
    async fn resolve(
        &self,
        auth: HostAuth<perm::AlertsManage>,
        state: Data<&AppState>,
        id: Path<Uuid>,
    ) -> Result<Json<Alert>, ApiError> {
        auth.alert(id.0).await?;
        Ok(Json(service::change(&state, &auth.actor(), id.0, Change::Resolve).await?.into()))
    }

    /// Snoozes an alert's notifications until a time (`null` ends it). Audited.
    #[oai(path = "/v1/alerts/:id/snooze", method = "post", operation_id = "snooze_alert")]
    async fn snooze(
        &self,
        auth: HostAuth<perm::AlertsManage>,
        state: Data<&AppState>,
        id: Path<Uuid>,
        body: Json<SnoozeRequest>,
    ) -> Result<Json<Alert>, ApiError> {
        auth.alert(id.0).await?;
        let c = Change::Snooze(body.0.until);
        Ok(Json(service::change(&state, &auth.actor(), id.0, c).await?.into()))
    }

    /// Every rule with its settings.
    #[oai(path = "/v1/alert-rules", method = "get", operation_id = "list_alert_rules")]
    async fn rules(
        &self,
        _auth: HostAuth<perm::AlertsRead>,
        state: Data<&AppState>,
    ) -> Result<Json<Vec<AlertRule>>, ApiError> {
        Ok(Json(service::rules(&state).await?.into_iter().map(Into::into).collect()))
    }

    /// Changes a rule's settings: on or off, its severity, thresholds within their
    /// ranges, a host tag. Audited.
    #[oai(path = "/v1/alert-rules/:rule", method = "put", operation_id = "update_alert_rule")]
    async fn update_rule(
        &self,
        auth: Auth<perm::AlertsConfigure>,
        state: Data<&AppState>,
        rule: Path<AlertRuleName>,
        body: Json<UpdateAlertRuleRequest>,
    ) -> Result<Json<AlertRule>, ApiError> {
        let b = body.0;
        let change = RuleChange {
            enabled: b.enabled,
            severity: b.severity.into(),
            params: b.params.unwrap_or_default(),
            host_tag: b.host_tag,
        };
        Ok(Json(service::set_rule(&state, &auth.actor(), rule.0.into(), change).await?.into()))
    }

    /// Whether the host's alert notifications are muted, and until when.
    #[oai(path = "/v1/hosts/:id/mute", method = "get", operation_id = "get_host_mute")]
    async fn get_mute(
        &self,
        auth: HostAuth<perm::AlertsRead>,
        state: Data<&AppState>,
        id: Path<Uuid>,
    ) -> Result<Json<HostMute>, ApiError> {
        auth.host(id.0).await?;
        Ok(Json(HostMute { until: service::muted_until(&state, id.0).await? }))
    }

    /// Mutes the host's alert notifications until a time (`null` unmutes); its alerts
    /// are still raised and shown. Audited.
    #[oai(path = "/v1/hosts/:id/mute", method = "put", operation_id = "set_host_mute")]
    async fn set_mute(
        &self,
        auth: HostAuth<perm::AlertsManage>,
        state: Data<&AppState>,
        id: Path<Uuid>,
        body: Json<HostMuteRequest>,
    ) -> Result<Json<HostMute>, ApiError> {
        auth.host(id.0).await?;
        let row = service::mute_host(&state, &auth.actor(), id.0, body.0.until).await?;
        Ok(Json(HostMute { until: row.map(|r| r.until) }))
    }
}
