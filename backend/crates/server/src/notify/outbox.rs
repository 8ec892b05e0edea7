//! The outbox worker: every second it takes the due deliveries, claims each (`sending`,
//! with a lease) in its own transaction, sends it, and records how it went: delivered,
//! another attempt after a back-off with jitter, or given up. A server killed mid-send
//! leaves the claim to expire and the delivery to be sent again; the idempotency key (the
//! delivery's id, in a header and as the email's Message-ID) lets receivers drop that
//! rare duplicate.

use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use rand::Rng;

use super::{payload, send};
use crate::{
    domain::{Domain, DomainError, channels},
    store::{
        alerts::{self as alert_store, AlertEventRow, AlertRow},
        channels::{self as store, DeliveryRow},
        hosts,
    },
};

/// Deliveries taken per pass.
const BATCH: u64 = 64;

/// Deliveries sent at once.
const PARALLEL: usize = 16;

pub async fn run(state: Domain) {
    loop {
        match pass(&state).await {
            // A full batch: there may be more waiting.
            Ok(n) if n as u64 >= BATCH => continue,
            Ok(_) => {}
            Err(e) => {
                tracing::error!("the notification outbox failed a pass (tried again in 1 s): {e}")
            }
        }
        tokio::time::sleep(StdDuration::from_secs(1)).await;
    }
}

/// One pass over the due deliveries; how many it took.
pub async fn pass(state: &Domain) -> Result<usize, DomainError> {
    use futures_util::StreamExt;
    let due = store::due(state.store.db(), Utc::now(), BATCH).await?;
    let n = due.len();
    // Receivers answer in their own time: up to PARALLEL sends at once (claims and
    // results still go through the one writer).
    let results: Vec<Result<(), DomainError>> = futures_util::stream::iter(due)
        .map(|d| deliver(state, d))
        .buffer_unordered(PARALLEL)
        .collect()
        .await;
    results.into_iter().collect::<Result<Vec<()>, _>>()?;
    Ok(n)
}

/// How long a claim holds: longer than one attempt can take.
fn lease(state: &Domain) -> Duration {
    Duration::from_std(state.notify.timeout * 2).unwrap_or(Duration::seconds(20))
        + Duration::seconds(5)
}

/// The wait before attempt `n + 1`: 5 s doubling, at most an hour, plus up to 20 %.
fn backoff(attempts: i32) -> Duration {
    let base = 5i64.saturating_mul(1i64 << attempts.clamp(1, 20).saturating_sub(1)).min(3600);
    let jitter = rand::rng().random_range(0..=base / 5);
    Duration::seconds(base + jitter)
}

async fn claim(
    state: &Domain,
    d: &DeliveryRow,
    now: DateTime<Utc>,
) -> Result<Option<DeliveryRow>, DomainError> {
    let txn = state.store.write().await?;
    // Another worker (a replica) may have taken it first: then nothing changes here.
    if !store::claim(&*txn, d.id, now, now + lease(state)).await? {
        return Ok(None);
    }
    let claimed = store::find_delivery(&*txn, d.id).await?;
    txn.commit().await?;
    Ok(claimed)
}

async fn deliver(state: &Domain, d: DeliveryRow) -> Result<(), DomainError> {
    let now = Utc::now();
    let Some(d) = claim(state, &d, now).await? else { return Ok(()) };
    let db = state.store.db();
    let outcome = match store::find(db, d.channel_id).await? {
        None => send::Outcome {
            delivered: false,
            status: None,
            error: Some("the channel was deleted".into()),
            retry: false,
        },
        Some(ch) => {
            let alert = alert_store::find(db, d.alert_id).await?;
            let event =
                alert_store::events_by_ids(db, &[d.alert_event_id]).await?.into_iter().next();
            match (alert, event, channels::view(ch)) {
                (Some(a), Some(e), Ok(v)) => {
                    let secret = channels::secret_of(state, &v.row)?;
                    let hostname = match a.host_id {
                        Some(h) => hosts::find(db, h).await?.map(|h| h.hostname),
                        None => None,
                    };
                    send_event(state, &v.settings, secret.as_deref(), d.id, &a, &e, hostname)
                        .await
                        .0
                }
                _ => send::Outcome {
                    delivered: false,
                    status: None,
                    error: Some("the alert or its channel cannot be read".into()),
                    retry: false,
                },
            }
        }
    };
    record(state, d, outcome).await
}

/// Sends one alert event over one channel; also what "Send test" uses.
pub async fn send_event(
    state: &Domain,
    settings: &channels::ChannelSettings,
    secret: Option<&str>,
    delivery: uuid::Uuid,
    alert: &AlertRow,
    event: &AlertEventRow,
    hostname: Option<String>,
) -> (send::Outcome, payload::WebhookBody) {
    let public = &state.notify.public_url;
    let body = payload::body(public, delivery, &event.kind, alert, hostname, Utc::now());
    let m = send::Message {
        delivery,
        subject: payload::subject(event, alert),
        text: payload::text(public, event, alert),
        severity: &alert.severity,
        resolved: event.kind == "resolved",
        click: payload::alert_url(public, alert.id),
        body: &body,
    };
    let outcome = send::send(&state.notify, settings, secret, &m).await;
    (outcome, body)
}

async fn record(state: &Domain, d: DeliveryRow, o: send::Outcome) -> Result<(), DomainError> {
    let now = Utc::now();
    let txn = state.store.write().await?;
    let Some(mut row) = store::find_delivery(&*txn, d.id).await? else { return Ok(()) };
    row.lease_until = None;
    row.last_status = o.status;
    row.last_error = o.error.clone();
    if o.delivered {
        row.state = "delivered".into();
        row.delivered_at = Some(now);
        row.next_attempt_at = None;
    } else if o.retry && u32::try_from(row.attempts).unwrap_or(u32::MAX) < state.notify.max_attempts
    {
        row.state = "pending".into();
        row.next_attempt_at = Some(now + backoff(row.attempts));
    } else {
        row.state = "failed".into();
        row.next_attempt_at = None;
        tracing::warn!(delivery = %row.id, channel = %row.channel_id, attempts = row.attempts, "a notification was given up: {}", o.error.as_deref().unwrap_or(""));
    }
    store::save_delivery(&*txn, row).await?;
    txn.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_and_stops_at_an_hour() {
        for (attempt, base) in [(1, 5), (2, 10), (3, 20), (8, 640), (12, 3600), (40, 3600)] {
            let b = backoff(attempt).num_seconds();
            assert!((base..=base + base / 5).contains(&b), "attempt {attempt}: {b} s");
        }
    }
}
