//! Alerts: rules watch job ends (in the same transaction) and the fleet (a periodic sweep)
//! and raise one alert per rule and subject, which repeats, escalates, and resolves by
//! itself when the condition clears. People acknowledge, snooze and resolve them, mute a
//! host, and tune each rule; every such change is audited.

pub mod baseline;
pub mod on_job;
pub mod raise;
pub mod rules;
pub mod state;
pub mod sweep;

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use sea_orm::ConnectionTrait;
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use crate::auth::HostScope;

pub use crate::store::alerts::{AlertEventRow, AlertRow};
pub use rules::{Rule, RuleSettings, Severity};
pub use state::{AlertState, EventKind};

use super::{
    Domain, DomainError,
    audit::{self, Actor, Event, Target},
    page::{self, Page},
};
use crate::{
    codes::Code,
    store::{
        StoreError,
        alerts::{self as store, AlertFilter, AlertRuleRow, HostMuteRow},
        hosts,
    },
};

/// Snoozes and mutes last at most this long.
pub const MAX_QUIET_DAYS: i64 = 30;

/// Every rule's settings: stored ones over the defaults (one small query).
pub async fn settings_all<C: ConnectionTrait>(
    db: &C,
) -> Result<HashMap<Rule, RuleSettings>, StoreError> {
    let mut out: HashMap<Rule, RuleSettings> =
        Rule::ALL.into_iter().map(|r| (r, RuleSettings::defaults(r))).collect();
    for row in store::rules(db).await? {
        let Some(rule) = Rule::parse(&row.rule) else {
            tracing::warn!(rule = %row.rule, "a stored alert rule this server does not know is ignored");
            continue;
        };
        out.insert(
            rule,
            RuleSettings {
                rule,
                enabled: row.enabled,
                severity: Severity::parse(&row.severity).unwrap_or(rule.default_severity()),
                params: serde_json::from_str(&row.params).unwrap_or_else(|_| rule.default_params()),
                host_tag: row.host_tag,
                customised: true,
            },
        );
    }
    Ok(out)
}

/// The rules with their settings, in the order Cairn lists them.
pub async fn rules(state: &Domain) -> Result<Vec<RuleSettings>, DomainError> {
    let mut all = settings_all(state.store.db()).await?;
    Ok(Rule::ALL.into_iter().filter_map(|r| all.remove(&r)).collect())
}

/// An admin's change of a rule.
#[derive(Clone, Debug)]
pub struct RuleChange {
    pub enabled: bool,
    pub severity: Severity,
    pub params: std::collections::BTreeMap<String, i64>,
    pub host_tag: Option<String>,
}

/// Saves a rule's settings (thresholds checked against their ranges); audited.
pub async fn set_rule(
    state: &Domain,
    actor: &Actor,
    rule: Rule,
    change: RuleChange,
) -> Result<RuleSettings, DomainError> {
    let invalid = |m: String, f: &'static str| DomainError::invalid(Code::AlertRuleInvalid, m, f);
    let mut params = rule.default_params();
    for (name, v) in change.params {
        let Some((lo, hi)) = rule.param_range(&name) else {
            return Err(invalid(
                format!("The rule {} has no threshold {name:?}.", rule.as_str()),
                "params",
            ));
        };
        if !(lo..=hi).contains(&v) {
            return Err(invalid(format!("{name} is a whole number from {lo} to {hi}."), "params"));
        }
        params[name] = json!(v);
    }
    let host_tag = change.host_tag.map(|t| t.trim().to_lowercase()).filter(|t| !t.is_empty());
    if let Some(t) = &host_tag {
        super::fleet::normalize_tags(std::slice::from_ref(t)).map_err(|_| {
            invalid(format!("{t:?} is not a tag: letters, digits, '-', '_', '.', ':'."), "host_tag")
        })?;
    }
    let row = AlertRuleRow {
        rule: rule.as_str().into(),
        enabled: change.enabled,
        severity: change.severity.as_str().into(),
        params: params.to_string(),
        host_tag: host_tag.clone(),
        updated_at: Utc::now(),
    };
    let txn = state.store.write().await?;
    store::save_rule(&*txn, row).await?;
    let details = json!({ "enabled": change.enabled, "severity": change.severity.as_str(), "params": params, "host_tag": host_tag });
    audit::record(
        &*txn,
        actor,
        Event::success(
            "alert_rule.update",
            Some(Target { kind: "alert_rule", id: rule.as_str().into(), name: None }),
            details,
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(RuleSettings {
        rule,
        enabled: change.enabled,
        severity: change.severity,
        params,
        host_tag,
        customised: true,
    })
}

/// The alerts page's filter, as asked.
#[derive(Clone, Debug, Default)]
pub struct ListQuery {
    pub states: Vec<AlertState>,
    pub severities: Vec<Severity>,
    pub rule: Option<Rule>,
    pub host_id: Option<Uuid>,
    pub since: Option<DateTime<Utc>>,
    pub cursor: Option<String>,
    pub limit: u64,
    pub scope: HostScope,
}

#[derive(Serialize, Deserialize)]
struct Key(DateTime<Utc>, Uuid);

/// One page of alerts, newest first.
pub async fn list(state: &Domain, q: ListQuery) -> Result<Page<AlertRow>, DomainError> {
    let after = page::decode::<Key>(q.cursor.as_deref())?.map(|k| (k.0, k.1));
    let filter = AlertFilter {
        states: q.states.iter().map(|s| s.as_str().to_string()).collect(),
        severities: q.severities.iter().map(|s| s.as_str().to_string()).collect(),
        rule: q.rule.map(|r| r.as_str().to_string()),
        host_id: q.host_id,
        since: q.since,
        scope: q.scope,
    };
    let rows = store::list(state.store.db(), &filter, after, q.limit + 1).await?;
    Ok(page::cut(rows, q.limit, |a| Key(a.opened_at, a.id), None))
}

/// At most this many events are shown with an alert (its first and its latest matter).
const EVENTS_SHOWN: u64 = 200;

pub async fn get(state: &Domain, id: Uuid) -> Result<(AlertRow, Vec<AlertEventRow>), DomainError> {
    let db = state.store.db();
    let a = store::find(db, id).await?.ok_or(DomainError::NotFound { what: "alert" })?;
    let events = store::events_of(db, id, EVENTS_SHOWN).await?;
    Ok((a, events))
}

/// Unresolved alerts by state and severity (the navigation's badge, the dashboard).
#[derive(Clone, Debug, Default)]
pub struct Summary {
    pub open: u64,
    pub acknowledged: u64,
    /// Unresolved (open or acknowledged) per severity.
    pub by_severity: HashMap<Severity, u64>,
}

pub async fn summary(state: &Domain, scope: &HostScope) -> Result<Summary, DomainError> {
    let mut s = Summary::default();
    for (st, sev, n) in store::unresolved_counts(state.store.db(), scope).await? {
        let n = u64::try_from(n).unwrap_or(0);
        match AlertState::parse(&st) {
            Some(AlertState::Open) => s.open += n,
            Some(AlertState::Acknowledged) => s.acknowledged += n,
            _ => {}
        }
        if let Some(sev) = Severity::parse(&sev) {
            *s.by_severity.entry(sev).or_default() += n;
        }
    }
    Ok(s)
}

/// The unresolved alerts of a host (its page lists them).
pub async fn of_host(state: &Domain, host: Uuid) -> Result<Vec<AlertRow>, DomainError> {
    Ok(store::unresolved_of_host(state.store.db(), host).await?)
}

fn alert_target(a: &AlertRow) -> Target {
    Target { kind: "alert", id: a.id.to_string(), name: Some(a.title.clone()) }
}

fn who(actor: &Actor) -> String {
    actor.name.clone().unwrap_or_else(|| actor.kind.as_str().to_string())
}

/// A change a person makes to an alert.
#[derive(Clone, Copy, Debug)]
pub enum Change {
    Acknowledge,
    Resolve,
    /// Quiet until then (`None` ends the snooze).
    Snooze(Option<DateTime<Utc>>),
}

/// Acknowledges, resolves or snoozes an alert; audited. A resolved alert takes none of
/// them (`409 alert.resolved`); acknowledging an acknowledged one changes nothing.
pub async fn change(
    state: &Domain,
    actor: &Actor,
    id: Uuid,
    change: Change,
) -> Result<AlertRow, DomainError> {
    let now = Utc::now();
    if let Change::Snooze(Some(until)) = change
        && (until <= now || until > now + Duration::days(MAX_QUIET_DAYS))
    {
        return Err(DomainError::invalid(
            Code::AlertInvalid,
            format!("Snooze until a time in the next {MAX_QUIET_DAYS} days."),
            "until",
        ));
    }
    let txn = state.store.write().await?;
    let mut a = store::find(&*txn, id).await?.ok_or(DomainError::NotFound { what: "alert" })?;
    if a.open_key.is_none() {
        return Err(DomainError::conflict(
            Code::AlertResolved,
            "This alert is resolved already; a new one opens if the problem comes back.",
        ));
    }
    let name = who(actor);
    let (action, a) = match change {
        Change::Acknowledge => {
            if a.state == AlertState::Acknowledged.as_str() {
                return Ok(a);
            }
            a.state = AlertState::Acknowledged.as_str().into();
            a.acknowledged_at = Some(now);
            a.acknowledged_by = Some(name.clone());
            let a = store::save(&*txn, a).await?;
            raise::record(&*txn, &a, EventKind::Acknowledged, &name, json!({}), now).await?;
            ("alert.acknowledge", a)
        }
        Change::Resolve => {
            let a = raise::resolve(&*txn, a, Some(name), "resolved by hand", None, now).await?;
            ("alert.resolve", a)
        }
        Change::Snooze(until) => {
            a.snoozed_until = until;
            let a = store::save(&*txn, a).await?;
            raise::record(&*txn, &a, EventKind::Snoozed, &name, json!({ "until": until }), now)
                .await?;
            ("alert.snooze", a)
        }
    };
    let details = match change {
        Change::Snooze(until) => json!({ "until": until }),
        _ => json!({ "rule": a.rule }),
    };
    audit::record(&*txn, actor, Event::success(action, Some(alert_target(&a)), details)).await?;
    txn.commit().await?;
    Ok(a)
}

/// Mutes a host's alerts until a time (`None` unmutes it); audited. Its alerts are still
/// raised and shown; only their notifications wait.
pub async fn mute_host(
    state: &Domain,
    actor: &Actor,
    host_id: Uuid,
    until: Option<DateTime<Utc>>,
) -> Result<Option<HostMuteRow>, DomainError> {
    let now = Utc::now();
    if let Some(u) = until
        && (u <= now || u > now + Duration::days(MAX_QUIET_DAYS))
    {
        return Err(DomainError::invalid(
            Code::AlertInvalid,
            format!("Mute until a time in the next {MAX_QUIET_DAYS} days."),
            "until",
        ));
    }
    let txn = state.store.write().await?;
    let host = hosts::find(&*txn, host_id).await?.ok_or(DomainError::NotFound { what: "host" })?;
    let row =
        until.map(|until| HostMuteRow { host_id, until, by: Some(who(actor)), created_at: now });
    store::set_mute(&*txn, host_id, row.clone()).await?;
    audit::record(
        &*txn,
        actor,
        Event::success(
            "host.mute",
            Some(Target { kind: "host", id: host_id.to_string(), name: Some(host.hostname) }),
            json!({ "until": until }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// Until when a host's alerts are muted, if they are.
pub async fn muted_until(state: &Domain, host: Uuid) -> Result<Option<DateTime<Utc>>, DomainError> {
    let m = store::mute_of(state.store.db(), host).await?;
    Ok(m.map(|m| m.until).filter(|u| *u > Utc::now()))
}

/// Resolves a deleted host's unresolved alerts (in the deletion's transaction).
pub async fn on_host_deleted<C: ConnectionTrait>(db: &C, host: Uuid) -> Result<(), StoreError> {
    let now = Utc::now();
    for a in store::unresolved_of_host(db, host).await? {
        raise::resolve(db, a, None, "the host was deleted", None, now).await?;
    }
    Ok(())
}
