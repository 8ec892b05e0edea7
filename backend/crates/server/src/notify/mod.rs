//! Sending alert notifications: the SSRF guard on targets, the messages (a webhook's
//! JSON body is part of the API contract), the senders per channel kind, and the outbox
//! worker that delivers, retries and gives up. What goes where is decided in the domain
//! (`domain::channels::enqueue`); this layer only talks to the outside.

pub mod outbox;
pub mod payload;
pub mod send;
pub mod ssrf;

use std::time::Duration;

/// How notifications are sent, from `alerts.*` and `public_url`.
#[derive(Clone, Debug)]
pub struct NotifySettings {
    pub allowed: ssrf::Allowed,
    /// Links in notifications point here.
    pub public_url: String,
    pub max_attempts: u32,
    pub timeout: Duration,
}

impl NotifySettings {
    pub fn from_config(c: &crate::config::Config) -> NotifySettings {
        NotifySettings {
            allowed: ssrf::Allowed::new(&c.alerts.allow_targets),
            public_url: c.public_url.trim_end_matches('/').to_string(),
            max_attempts: c.alerts.delivery_max_attempts,
            timeout: Duration::from_secs(c.alerts.delivery_timeout_secs),
        }
    }
}
