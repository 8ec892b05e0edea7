//! What a notification says: the webhook's JSON body (a stable, documented schema: it is
//! in the OpenAPI document as `WebhookBody`), and the text an email or a phone shows.

use chrono::{DateTime, Utc};
use poem_openapi::Object;
use serde::Serialize;
use uuid::Uuid;

use crate::store::alerts::{AlertEventRow, AlertRow};

/// The alert a webhook reports.
#[derive(Object, Serialize, Clone, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct WebhookAlert {
    pub id: Uuid,
    /// The rule's name, e.g. `backup_failed`.
    pub rule: String,
    /// `info`, `warning`, `error` or `critical`.
    pub severity: String,
    /// `open`, `acknowledged` or `resolved`.
    pub state: String,
    pub title: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repository_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job_id: Option<Uuid>,
    pub count: u64,
    pub opened_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolved_at: Option<DateTime<Utc>>,
    /// The alert in Cairn's web app.
    pub url: String,
}

/// The JSON body of every webhook Cairn sends (version 1). The request carries the headers
/// `X-Cairn-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the
/// channel's secret>`, `X-Cairn-Delivery` and `Idempotency-Key` (the delivery's id: the
/// same on every retry of one delivery).
#[derive(Object, Serialize, Clone, Debug)]
pub struct WebhookBody {
    /// 1: fields are only ever added to this version.
    pub version: u32,
    /// The delivery's id; retries of one delivery repeat it.
    pub delivery_id: Uuid,
    /// What happened: `opened`, `escalated`, `resolved` (or `test` from "Send test").
    pub event: String,
    pub sent_at: DateTime<Utc>,
    pub alert: WebhookAlert,
}

pub fn alert_url(public_url: &str, alert: Uuid) -> String {
    format!("{public_url}/alerts/{alert}")
}

pub fn body(
    public_url: &str,
    delivery: Uuid,
    event: &str,
    alert: &AlertRow,
    hostname: Option<String>,
    now: DateTime<Utc>,
) -> WebhookBody {
    WebhookBody {
        version: 1,
        delivery_id: delivery,
        event: event.to_string(),
        sent_at: now,
        alert: WebhookAlert {
            id: alert.id,
            rule: alert.rule.clone(),
            severity: alert.severity.clone(),
            state: alert.state.clone(),
            title: alert.title.clone(),
            message: alert.message.clone(),
            host_id: alert.host_id,
            hostname,
            repository_id: alert.repository_id,
            job_id: alert.job_id,
            count: u64::try_from(alert.count).unwrap_or(0),
            opened_at: alert.opened_at,
            resolved_at: alert.resolved_at,
            url: alert_url(public_url, alert.id),
        },
    }
}

/// The one-line subject (email) or title (ntfy) of an event.
pub fn subject(event: &AlertEventRow, alert: &AlertRow) -> String {
    let tag = match event.kind.as_str() {
        "resolved" => "Resolved".to_string(),
        "escalated" => format!("Escalated to {}", alert.severity.to_uppercase()),
        "test" => "Test".to_string(),
        _ => alert.severity.to_uppercase(),
    };
    format!("[Cairn] {tag}: {}", alert.title)
}

/// The plain text of an event, with the link back to Cairn.
pub fn text(public_url: &str, event: &AlertEventRow, alert: &AlertRow) -> String {
    let what = match event.kind.as_str() {
        "resolved" => "This alert is resolved.".to_string(),
        "escalated" => {
            format!("This alert repeated {} times and is now {}.", alert.count, alert.severity)
        }
        "test" => "This is a test notification from Cairn: the channel works.".to_string(),
        _ => format!("A new {} alert.", alert.severity),
    };
    format!(
        "{what}\n\n{}\n{}\n\nOpened {} · seen {} time(s)\n{}\n",
        alert.title,
        alert.message,
        alert.opened_at.format("%Y-%m-%d %H:%M UTC"),
        alert.count,
        alert_url(public_url, alert.id)
    )
}
