//! Notification channels: where alert events go (email, ntfy, a signed webhook), each
//! with its routing (least severity, host tag, rules, quiet hours). Secrets are sealed at
//! rest and never read back; a webhook's signing secret is made here and shown once.
//! `enqueue` writes an alert event's deliveries in the event's own transaction.

use chrono::{DateTime, NaiveTime, TimeZone, Utc};
use rand::RngCore;
use sea_orm::ConnectionTrait;
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use super::{
    Domain, DomainError,
    alerts::{Rule, Severity},
    audit::{self, Actor, Event, Target},
};
use crate::{
    codes::Code,
    notify::ssrf,
    store::{
        StoreError, alerts as alert_store,
        alerts::{AlertEventRow, AlertRow},
        channels::{self as store, ChannelRow, DeliveryRow},
        hosts,
    },
};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmtpSecurity {
    /// Plain SMTP upgraded with STARTTLS (port 587), refused if the server cannot.
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption (a relay on the same machine or network only).
    None,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailSettings {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub username: Option<String>,
    pub from: String,
    pub to: Vec<String>,
    /// A certificate (PEM) to trust besides the public roots: a mail server with its own
    /// CA or a self-signed certificate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_pem: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NtfySettings {
    /// e.g. `https://ntfy.sh`.
    pub server_url: String,
    pub topic: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookSettings {
    pub url: String,
}

/// A channel's kind with its settings (stored as JSON, tagged by kind).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ChannelSettings {
    Email(EmailSettings),
    Ntfy(NtfySettings),
    Webhook(WebhookSettings),
}

impl ChannelSettings {
    pub fn kind(&self) -> &'static str {
        match self {
            ChannelSettings::Email(_) => "email",
            ChannelSettings::Ntfy(_) => "ntfy",
            ChannelSettings::Webhook(_) => "webhook",
        }
    }
}

/// Quiet hours: from `from` to `to` (local times in `zone`; overnight when `to` < `from`)
/// only critical alerts go out; the others wait until `to`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Quiet {
    pub from: NaiveTime,
    pub to: NaiveTime,
    pub zone: String,
}

/// What to do with a channel's secret on a change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SecretChange {
    Keep,
    Clear,
    Set(String),
}

/// A channel as an admin writes it.
#[derive(Clone, Debug)]
pub struct ChannelInput {
    pub name: String,
    pub enabled: bool,
    pub settings: ChannelSettings,
    /// The SMTP password or the ntfy token (a webhook's secret is made by Cairn).
    pub secret: SecretChange,
    /// A new webhook signing secret (on create one is always made).
    pub rotate_secret: bool,
    pub min_severity: Severity,
    pub host_tag: Option<String>,
    pub rules: Vec<Rule>,
    pub quiet: Option<Quiet>,
}

/// A channel as stored, read back.
#[derive(Clone, Debug)]
pub struct ChannelView {
    pub row: ChannelRow,
    pub settings: ChannelSettings,
    pub has_secret: bool,
    pub min_severity: Severity,
    pub rules: Vec<Rule>,
    pub quiet: Option<Quiet>,
}

fn invalid(message: impl Into<String>, field: &'static str) -> DomainError {
    DomainError::invalid(Code::ChannelInvalid, message, field)
}

fn context(id: Uuid) -> String {
    format!("channel:{id}")
}

pub fn view(row: ChannelRow) -> Result<ChannelView, DomainError> {
    let settings: ChannelSettings = serde_json::from_str(&row.config)
        .map_err(|e| DomainError::Internal(format!("channel {} settings: {e}", row.id)))?;
    let rules: Vec<String> = serde_json::from_str(&row.rules).unwrap_or_default();
    let quiet = match (&row.quiet_from, &row.quiet_to, &row.quiet_zone) {
        (Some(f), Some(t), Some(z)) => match (hhmm(f), hhmm(t)) {
            (Some(from), Some(to)) => Some(Quiet { from, to, zone: z.clone() }),
            _ => None,
        },
        _ => None,
    };
    Ok(ChannelView {
        settings,
        has_secret: row.secret_enc.is_some(),
        min_severity: Severity::parse(&row.min_severity).unwrap_or(Severity::Warning),
        rules: rules.iter().filter_map(|r| Rule::parse(r)).collect(),
        quiet,
        row,
    })
}

fn hhmm(s: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(s.trim(), "%H:%M").ok()
}

/// Parses "HH:MM" for the API's quiet hours.
pub fn parse_hhmm(s: &str, field: &'static str) -> Result<NaiveTime, DomainError> {
    hhmm(s).ok_or_else(|| invalid(format!("{s:?} is not a time of day such as 22:00."), field))
}

fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else { return false };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && s.len() <= 254
        && !s.chars().any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>')
}

/// A target URL checked as far as it can be without sending anything: its form, an IP
/// literal's range, and what its name resolves to now (a name that does not resolve yet
/// is accepted: it is checked again at every delivery).
async fn check_target(
    state: &Domain,
    url: &str,
    field: &'static str,
) -> Result<String, DomainError> {
    let forbidden =
        |e: ssrf::Refused| DomainError::invalid(Code::ChannelForbiddenTarget, e.to_string(), field);
    let u = ssrf::parse(url).map_err(forbidden)?;
    let lookup =
        tokio::time::timeout(std::time::Duration::from_secs(3), state.notify.allowed.resolve(&u))
            .await;
    match lookup {
        Ok(Err(e @ ssrf::Refused::Forbidden { .. })) => return Err(forbidden(e)),
        Ok(Err(e @ (ssrf::Refused::Scheme(_) | ssrf::Refused::NoHost))) => {
            return Err(forbidden(e));
        }
        _ => {}
    }
    Ok(u.to_string())
}

async fn checked(state: &Domain, mut i: ChannelInput) -> Result<ChannelInput, DomainError> {
    i.name = i.name.trim().to_string();
    if i.name.is_empty() || i.name.chars().count() > 100 {
        return Err(invalid("A channel's name is 1–100 characters.", "name"));
    }
    i.settings = match i.settings {
        ChannelSettings::Email(mut e) => {
            e.host = e.host.trim().to_string();
            if e.host.is_empty() || e.host.len() > 253 || e.host.contains(['/', ' ', ':']) {
                return Err(invalid(
                    "The SMTP server is a host name or address, e.g. smtp.example.com.",
                    "settings.host",
                ));
            }
            if e.port == 0 {
                return Err(invalid(
                    "The SMTP port is 1–65535 (587 for STARTTLS, 465 for TLS).",
                    "settings.port",
                ));
            }
            e.from = e.from.trim().to_string();
            if !is_email(&e.from) {
                return Err(invalid(
                    format!("{:?} is not an email address.", e.from),
                    "settings.from",
                ));
            }
            e.to = e.to.iter().map(|t| t.trim().to_string()).filter(|t| !t.is_empty()).collect();
            if e.to.is_empty() || e.to.len() > 20 {
                return Err(invalid("Give 1–20 recipients.", "settings.to"));
            }
            if let Some(bad) = e.to.iter().find(|t| !is_email(t)) {
                return Err(invalid(format!("{bad:?} is not an email address."), "settings.to"));
            }
            e.username = e.username.map(|u| u.trim().to_string()).filter(|u| !u.is_empty());
            ChannelSettings::Email(e)
        }
        ChannelSettings::Ntfy(mut n) => {
            n.server_url = check_target(state, &n.server_url, "settings.server_url").await?;
            n.topic = n.topic.trim().to_string();
            if n.topic.is_empty()
                || n.topic.len() > 64
                || !n.topic.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                return Err(invalid(
                    "An ntfy topic is 1–64 letters, digits, '-' or '_'.",
                    "settings.topic",
                ));
            }
            ChannelSettings::Ntfy(n)
        }
        ChannelSettings::Webhook(mut w) => {
            w.url = check_target(state, &w.url, "settings.url").await?;
            ChannelSettings::Webhook(w)
        }
    };
    i.host_tag = i.host_tag.map(|t| t.trim().to_lowercase()).filter(|t| !t.is_empty());
    if let Some(t) = &i.host_tag {
        super::fleet::normalize_tags(std::slice::from_ref(t))
            .map_err(|_| invalid(format!("{t:?} is not a tag."), "host_tag"))?;
    }
    if let Some(q) = &i.quiet {
        cairn_schedule::zone(&q.zone).map_err(|e| invalid(format!("{e}."), "quiet.zone"))?;
        if q.from == q.to {
            return Err(invalid("Quiet hours start and end at different times.", "quiet"));
        }
    }
    if let SecretChange::Set(s) = &i.secret
        && (s.is_empty() || s.len() > 1024)
    {
        return Err(invalid("A password or token is 1–1024 characters.", "secret"));
    }
    Ok(i)
}

/// A new webhook signing secret: 32 random bytes, hex, with a prefix that says what it is.
fn new_webhook_secret() -> String {
    let mut b = [0u8; 32];
    rand::rng().fill_bytes(&mut b);
    format!("whsec_{}", hex::encode(b))
}

fn target(row: &ChannelRow) -> Target {
    Target { kind: "channel", id: row.id.to_string(), name: Some(row.name.clone()) }
}

/// What the audit log records of a channel: its routing and where it sends, never secrets.
fn summary(i: &ChannelInput) -> serde_json::Value {
    json!({
        "kind": i.settings.kind(),
        "enabled": i.enabled,
        "min_severity": i.min_severity.as_str(),
        "host_tag": i.host_tag,
        "rules": i.rules.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
        "secret_changed": !matches!(i.secret, SecretChange::Keep) || i.rotate_secret,
    })
}

fn fill(row: &mut ChannelRow, i: &ChannelInput) -> Result<(), DomainError> {
    row.name = i.name.clone();
    row.kind = i.settings.kind().into();
    row.enabled = i.enabled;
    row.config =
        serde_json::to_string(&i.settings).map_err(|e| DomainError::Internal(e.to_string()))?;
    row.min_severity = i.min_severity.as_str().into();
    row.host_tag = i.host_tag.clone();
    row.rules = serde_json::to_string(&i.rules.iter().map(|r| r.as_str()).collect::<Vec<_>>())
        .unwrap_or_else(|_| "[]".into());
    row.quiet_from = i.quiet.as_ref().map(|q| q.from.format("%H:%M").to_string());
    row.quiet_to = i.quiet.as_ref().map(|q| q.to.format("%H:%M").to_string());
    row.quiet_zone = i.quiet.as_ref().map(|q| q.zone.clone());
    Ok(())
}

async fn name_free<C: ConnectionTrait>(
    db: &C,
    name: &str,
    id: Option<Uuid>,
) -> Result<(), DomainError> {
    if store::find_by_name(db, name).await?.is_some_and(|c| Some(c.id) != id) {
        return Err(DomainError::conflict(
            Code::ChannelNameTaken,
            format!("A channel named {name:?} exists already."),
        ));
    }
    Ok(())
}

/// Creates a channel; a webhook's new signing secret comes back once (never again).
pub async fn create(
    state: &Domain,
    actor: &Actor,
    input: ChannelInput,
) -> Result<(ChannelView, Option<String>), DomainError> {
    let i = checked(state, input).await?;
    let now = Utc::now();
    let id = Uuid::now_v7();
    let shown = matches!(i.settings, ChannelSettings::Webhook(_)).then(new_webhook_secret);
    let secret = match (&shown, &i.secret) {
        (Some(s), _) => Some(s.clone()),
        (None, SecretChange::Set(s)) => Some(s.clone()),
        _ => None,
    };
    let mut row = ChannelRow {
        id,
        name: String::new(),
        kind: String::new(),
        enabled: true,
        config: String::new(),
        secret_enc: secret.map(|s| state.keys.seal(&context(id), s.as_bytes())),
        min_severity: String::new(),
        host_tag: None,
        rules: "[]".into(),
        quiet_from: None,
        quiet_to: None,
        quiet_zone: None,
        created_at: now,
        updated_at: now,
    };
    fill(&mut row, &i)?;
    let txn = state.store.write().await?;
    name_free(&*txn, &i.name, None).await?;
    let row = store::insert(&*txn, row).await?;
    audit::record(&*txn, actor, Event::success("channel.create", Some(target(&row)), summary(&i)))
        .await?;
    txn.commit().await?;
    Ok((view(row)?, shown))
}

/// Replaces a channel's settings; the secret is kept unless changed. A webhook's
/// rotated secret comes back once.
pub async fn update(
    state: &Domain,
    actor: &Actor,
    id: Uuid,
    input: ChannelInput,
) -> Result<(ChannelView, Option<String>), DomainError> {
    let i = checked(state, input).await?;
    let txn = state.store.write().await?;
    let mut row = store::find(&*txn, id).await?.ok_or(DomainError::NotFound { what: "channel" })?;
    if row.kind != i.settings.kind() {
        return Err(invalid(
            "A channel keeps its kind: make a new channel for another kind.",
            "settings.kind",
        ));
    }
    name_free(&*txn, &i.name, Some(id)).await?;
    fill(&mut row, &i)?;
    let webhook = matches!(i.settings, ChannelSettings::Webhook(_));
    let shown = (webhook && i.rotate_secret).then(new_webhook_secret);
    match (&shown, &i.secret) {
        (Some(s), _) => row.secret_enc = Some(state.keys.seal(&context(id), s.as_bytes())),
        (None, SecretChange::Set(s)) if !webhook => {
            row.secret_enc = Some(state.keys.seal(&context(id), s.as_bytes()))
        }
        (None, SecretChange::Clear) if !webhook => row.secret_enc = None,
        _ => {}
    }
    row.updated_at = Utc::now();
    let row = store::save(&*txn, row).await?;
    audit::record(&*txn, actor, Event::success("channel.update", Some(target(&row)), summary(&i)))
        .await?;
    txn.commit().await?;
    Ok((view(row)?, shown))
}

pub async fn delete(state: &Domain, actor: &Actor, id: Uuid) -> Result<(), DomainError> {
    let txn = state.store.write().await?;
    let row = store::find(&*txn, id).await?.ok_or(DomainError::NotFound { what: "channel" })?;
    store::delete(&*txn, id).await?;
    audit::record(&*txn, actor, Event::success("channel.delete", Some(target(&row)), json!({})))
        .await?;
    txn.commit().await?;
    Ok(())
}

pub async fn list(state: &Domain) -> Result<Vec<ChannelView>, DomainError> {
    store::all(state.store.db()).await?.into_iter().map(view).collect()
}

pub async fn get(state: &Domain, id: Uuid) -> Result<ChannelView, DomainError> {
    view(
        store::find(state.store.db(), id)
            .await?
            .ok_or(DomainError::NotFound { what: "channel" })?,
    )
}

/// The channel's secret, unsealed for sending.
pub fn secret_of(state: &Domain, row: &ChannelRow) -> Result<Option<String>, DomainError> {
    row.secret_enc
        .as_ref()
        .map(|s| {
            state
                .keys
                .open(&context(row.id), s)
                .map_err(|e| DomainError::Internal(format!("channel {} secret: {e}", row.id)))
                .map(|b| String::from_utf8_lossy(&b).into_owned())
        })
        .transpose()
}

/// Whether `now` falls in the quiet hours, and when they end.
pub fn quiet_until(q: &Quiet, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let tz = cairn_schedule::zone(&q.zone).ok()?;
    let local = now.with_timezone(&tz);
    let t = local.time();
    let inside = if q.from < q.to { t >= q.from && t < q.to } else { t >= q.from || t < q.to };
    if !inside {
        return None;
    }
    let mut day = local.date_naive();
    if t >= q.to {
        day = day.succ_opt()?;
    }
    tz.from_local_datetime(&day.and_time(q.to)).earliest().map(|d| d.with_timezone(&Utc))
}

/// Writes the deliveries an alert event calls for, in the event's transaction: one per
/// enabled channel whose routing takes it. A muted host's or a snoozed alert's are
/// recorded as suppressed; outside critical, quiet hours hold them until they end.
pub async fn enqueue<C: ConnectionTrait>(
    db: &C,
    alert: &AlertRow,
    event: &AlertEventRow,
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    let channels = store::enabled(db).await?;
    if channels.is_empty() {
        return Ok(0);
    }
    let severity = Severity::parse(&alert.severity).unwrap_or(Severity::Error);
    let (tags, muted) = match alert.host_id {
        Some(h) => {
            let tags = hosts::find(db, h)
                .await?
                .map(|h| super::fleet::tags_of(&h.tags))
                .unwrap_or_default();
            let mute = alert_store::mute_of(db, h).await?.filter(|m| m.until > now);
            (tags, mute.map(|m| m.until))
        }
        None => (Vec::new(), None),
    };
    let snoozed = alert.snoozed_until.filter(|u| *u > now);
    let mut n = 0;
    for ch in channels {
        let Ok(v) = view(ch) else { continue };
        if severity < v.min_severity
            || (!v.rules.is_empty() && !v.rules.iter().any(|r| r.as_str() == alert.rule))
            || v.row.host_tag.as_ref().is_some_and(|t| !tags.contains(t))
        {
            continue;
        }
        let (state, at, note) = if let Some(u) = muted {
            ("suppressed", None, Some(format!("the host is muted until {}", u.to_rfc3339())))
        } else if let Some(u) = snoozed {
            ("suppressed", None, Some(format!("the alert is snoozed until {}", u.to_rfc3339())))
        } else {
            let held = (severity < Severity::Critical)
                .then(|| v.quiet.as_ref().and_then(|q| quiet_until(q, now)))
                .flatten();
            (
                "pending",
                Some(held.unwrap_or(now)),
                held.map(|u| format!("quiet hours until {}", u.to_rfc3339())),
            )
        };
        store::insert_delivery(
            db,
            DeliveryRow {
                id: Uuid::now_v7(),
                alert_event_id: event.id,
                alert_id: alert.id,
                channel_id: v.row.id,
                state: state.into(),
                attempts: 0,
                next_attempt_at: at,
                lease_until: None,
                last_error: note,
                last_status: None,
                created_at: now,
                delivered_at: None,
            },
        )
        .await?;
        n += 1;
    }
    Ok(n)
}

/// A delivery as the API shows it: with its channel's name and the event it tells.
#[derive(Clone, Debug)]
pub struct DeliveryView {
    pub row: DeliveryRow,
    pub channel_name: Option<String>,
    pub event: String,
}

async fn views(state: &Domain, rows: Vec<DeliveryRow>) -> Result<Vec<DeliveryView>, DomainError> {
    let db = state.store.db();
    let names: std::collections::HashMap<Uuid, String> =
        store::all(db).await?.into_iter().map(|c| (c.id, c.name)).collect();
    // One query for the page's events, not one per alert.
    let ids: Vec<Uuid> = rows.iter().map(|r| r.alert_event_id).collect();
    let kinds: std::collections::HashMap<Uuid, String> =
        alert_store::events_by_ids(db, &ids).await?.into_iter().map(|e| (e.id, e.kind)).collect();
    Ok(rows
        .into_iter()
        .map(|r| DeliveryView {
            channel_name: names.get(&r.channel_id).cloned(),
            event: kinds.get(&r.alert_event_id).cloned().unwrap_or_default(),
            row: r,
        })
        .collect())
}

/// An alert's deliveries, oldest first.
pub async fn deliveries_of_alert(
    state: &Domain,
    alert: Uuid,
) -> Result<Vec<DeliveryView>, DomainError> {
    let db = state.store.db();
    alert_store::find(db, alert).await?.ok_or(DomainError::NotFound { what: "alert" })?;
    let rows = store::deliveries_of_alert(db, alert).await?;
    views(state, rows).await
}

#[derive(Serialize, Deserialize)]
struct Key(DateTime<Utc>, Uuid);

/// A channel's deliveries, newest first, by cursor.
pub async fn deliveries_of_channel(
    state: &Domain,
    channel: Uuid,
    cursor: Option<&str>,
    limit: u64,
) -> Result<super::page::Page<DeliveryView>, DomainError> {
    let db = state.store.db();
    store::find(db, channel).await?.ok_or(DomainError::NotFound { what: "channel" })?;
    let after = super::page::decode::<Key>(cursor)?.map(|k| (k.0, k.1));
    let rows = store::deliveries_of_channel(db, channel, after, limit + 1).await?;
    let page = super::page::cut(rows, limit, |d| Key(d.created_at, d.id), None);
    Ok(super::page::Page {
        items: views(state, page.items).await?,
        next_cursor: page.next_cursor,
        total: None,
    })
}

/// How "Send test" went.
pub struct TestResult {
    pub outcome: crate::notify::send::Outcome,
    pub elapsed_ms: u64,
    pub webhook_body: Option<crate::notify::payload::WebhookBody>,
}

/// Sends a test notification over the channel now (nothing is stored).
pub async fn test(state: &Domain, id: Uuid) -> Result<TestResult, DomainError> {
    let v = get(state, id).await?;
    let secret = secret_of(state, &v.row)?;
    let now = Utc::now();
    let alert = AlertRow {
        id: Uuid::nil(),
        rule: "test".into(),
        subject_kind: "host".into(),
        subject_id: String::new(),
        host_id: None,
        repository_id: None,
        job_id: None,
        severity: v.min_severity.as_str().into(),
        state: "open".into(),
        title: format!("Test of the channel {}", v.row.name),
        message: "If you read this, Cairn's alerts reach you here.".into(),
        details: "{}".into(),
        count: 1,
        opened_at: now,
        last_seen_at: now,
        acknowledged_at: None,
        acknowledged_by: None,
        snoozed_until: None,
        resolved_at: None,
        resolved_by: None,
        open_key: None,
    };
    let event = AlertEventRow {
        id: Uuid::nil(),
        alert_id: alert.id,
        kind: "test".into(),
        at: now,
        actor: None,
        severity: alert.severity.clone(),
        details: "{}".into(),
    };
    let started = std::time::Instant::now();
    let (outcome, body) = crate::notify::outbox::send_event(
        state,
        &v.settings,
        secret.as_deref(),
        Uuid::now_v7(),
        &alert,
        &event,
        None,
    )
    .await;
    let webhook = matches!(v.settings, ChannelSettings::Webhook(_));
    Ok(TestResult {
        outcome,
        elapsed_ms: started.elapsed().as_millis() as u64,
        webhook_body: webhook.then_some(body),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quiet_hours_overnight_and_by_day() {
        let q = Quiet {
            from: NaiveTime::from_hms_opt(22, 0, 0).unwrap_or_default(),
            to: NaiveTime::from_hms_opt(7, 0, 0).unwrap_or_default(),
            zone: "UTC".into(),
        };
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap_or_default();
        assert_eq!(quiet_until(&q, at("2026-12-07T23:30:00Z")), Some(at("2026-12-08T07:00:00Z")));
        assert_eq!(quiet_until(&q, at("2026-12-08T03:00:00Z")), Some(at("2026-12-08T07:00:00Z")));
        assert_eq!(quiet_until(&q, at("2026-12-08T12:00:00Z")), None);
        let day = Quiet {
            from: NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default(),
            to: NaiveTime::from_hms_opt(17, 0, 0).unwrap_or_default(),
            zone: "Europe/Berlin".into(),
        };
        assert_eq!(quiet_until(&day, at("2026-12-07T10:00:00Z")), Some(at("2026-12-07T16:00:00Z")));
        assert!(is_email("ops@example.com") && !is_email("ops@") && !is_email("a b@example.com"));
    }
}
