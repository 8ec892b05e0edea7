//! `/channels`: where alert notifications go (email, ntfy, a signed webhook), their
//! routing, "Send test", and the delivery log; `/alerts/{id}/deliveries`. Secrets are
//! write-only: answers say only whether one is set, and a webhook's signing secret is
//! shown once, in the answer that made it.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, Enum, Object, OpenApi, Union,
    param::{Path, Query},
    payload::Json,
    types::MaybeUndefined,
};
use uuid::Uuid;

use super::alerts::{AlertRuleName, AlertSeverity};
use super::security::{Auth, HostAuth, perm};
use super::{ApiTags, error::ApiError};
use crate::{
    app::AppState,
    domain::channels::{
        self as service, ChannelInput, ChannelSettings, ChannelView, DeliveryView, EmailSettings,
        NtfySettings, Quiet, SecretChange, SmtpSecurity, WebhookSettings,
    },
    notify::payload::WebhookBody,
};

pub struct ChannelsApi;

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum SmtpSecurityName {
    /// STARTTLS on a plain connection (587); refused when the server cannot.
    Starttls,
    /// TLS from the first byte (465).
    Tls,
    /// No encryption: a relay on the same machine or network only.
    None,
}

/// An email channel: SMTP server and addresses. The password is write-only (`secret`).
#[derive(Object, Clone, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct EmailChannelSettings {
    #[oai(validator(min_length = 1, max_length = 253))]
    pub host: String,
    #[oai(validator(minimum(value = "1"), maximum(value = "65535")))]
    pub port: u16,
    pub security: SmtpSecurityName,
    #[oai(validator(max_length = 254))]
    pub username: Option<String>,
    #[oai(validator(min_length = 3, max_length = 254))]
    pub from: String,
    #[oai(validator(min_items = 1, max_items = 20))]
    pub to: Vec<String>,
    /// A certificate (PEM) to trust besides the public roots.
    #[oai(validator(max_length = 16384))]
    pub ca_pem: Option<String>,
}

/// An ntfy channel: the server and topic. An access token is write-only (`secret`).
#[derive(Object, Clone, Debug)]
pub struct NtfyChannelSettings {
    /// e.g. `https://ntfy.sh`.
    #[oai(validator(min_length = 1, max_length = 2048))]
    pub server_url: String,
    #[oai(validator(min_length = 1, max_length = 64))]
    pub topic: String,
}

/// A webhook: Cairn POSTs `WebhookBody` signed with the channel's secret.
#[derive(Object, Clone, Debug)]
pub struct WebhookChannelSettings {
    #[oai(validator(min_length = 1, max_length = 2048))]
    pub url: String,
}

#[derive(Union, Clone, Debug)]
#[oai(discriminator_name = "kind", one_of)]
pub enum ChannelKindSettings {
    #[oai(mapping = "email")]
    Email(EmailChannelSettings),
    #[oai(mapping = "ntfy")]
    Ntfy(NtfyChannelSettings),
    #[oai(mapping = "webhook")]
    Webhook(WebhookChannelSettings),
}

impl From<ChannelKindSettings> for ChannelSettings {
    fn from(s: ChannelKindSettings) -> Self {
        match s {
            ChannelKindSettings::Email(e) => ChannelSettings::Email(EmailSettings {
                host: e.host,
                port: e.port,
                security: match e.security {
                    SmtpSecurityName::Starttls => SmtpSecurity::Starttls,
                    SmtpSecurityName::Tls => SmtpSecurity::Tls,
                    SmtpSecurityName::None => SmtpSecurity::None,
                },
                username: e.username,
                from: e.from,
                to: e.to,
                ca_pem: e.ca_pem,
            }),
            ChannelKindSettings::Ntfy(n) => {
                ChannelSettings::Ntfy(NtfySettings { server_url: n.server_url, topic: n.topic })
            }
            ChannelKindSettings::Webhook(w) => {
                ChannelSettings::Webhook(WebhookSettings { url: w.url })
            }
        }
    }
}

impl From<ChannelSettings> for ChannelKindSettings {
    fn from(s: ChannelSettings) -> Self {
        match s {
            ChannelSettings::Email(e) => ChannelKindSettings::Email(EmailChannelSettings {
                host: e.host,
                port: e.port,
                security: match e.security {
                    SmtpSecurity::Starttls => SmtpSecurityName::Starttls,
                    SmtpSecurity::Tls => SmtpSecurityName::Tls,
                    SmtpSecurity::None => SmtpSecurityName::None,
                },
                username: e.username,
                from: e.from,
                to: e.to,
                ca_pem: e.ca_pem,
            }),
            ChannelSettings::Ntfy(n) => ChannelKindSettings::Ntfy(NtfyChannelSettings {
                server_url: n.server_url,
                topic: n.topic,
            }),
            ChannelSettings::Webhook(w) => {
                ChannelKindSettings::Webhook(WebhookChannelSettings { url: w.url })
            }
        }
    }
}

/// Quiet hours: between `from` and `to` (local "HH:MM" in `zone`; overnight when `to` is
/// earlier) only critical alerts go out; the others wait until `to`.
#[derive(Object, Clone, Debug)]
#[oai(deny_unknown_fields)]
pub struct QuietHours {
    #[oai(validator(pattern = "^[0-2][0-9]:[0-5][0-9]$"))]
    pub from: String,
    #[oai(validator(pattern = "^[0-2][0-9]:[0-5][0-9]$"))]
    pub to: String,
    #[oai(validator(min_length = 1, max_length = 64))]
    pub zone: String,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Channel {
    pub id: Uuid,
    pub name: String,
    pub enabled: bool,
    pub settings: ChannelKindSettings,
    /// A password, token or signing secret is set (it is never shown).
    pub has_secret: bool,
    /// Alerts at least this severe go to this channel.
    pub min_severity: AlertSeverity,
    /// Only alerts of hosts with this tag; absent: every host.
    pub host_tag: Option<String>,
    /// Only these rules' alerts; empty: every rule.
    pub rules: Vec<AlertRuleName>,
    pub quiet: Option<QuietHours>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<ChannelView> for Channel {
    fn from(v: ChannelView) -> Self {
        Channel {
            id: v.row.id,
            name: v.row.name,
            enabled: v.row.enabled,
            settings: v.settings.into(),
            has_secret: v.has_secret,
            min_severity: v.min_severity.into(),
            host_tag: v.row.host_tag,
            rules: v.rules.into_iter().map(Into::into).collect(),
            quiet: v.quiet.map(|q| QuietHours {
                from: q.from.format("%H:%M").to_string(),
                to: q.to.format("%H:%M").to_string(),
                zone: q.zone,
            }),
            created_at: v.row.created_at,
            updated_at: v.row.updated_at,
        }
    }
}

/// A channel and, once, a webhook's new signing secret.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ChannelSaved {
    pub channel: Channel,
    /// The webhook's signing secret (`whsec_…`): shown this once, keep it in the receiver.
    pub secret: Option<String>,
}

#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct ChannelRequest {
    #[oai(validator(min_length = 1, max_length = 100))]
    pub name: String,
    /// On when absent.
    pub enabled: Option<bool>,
    pub settings: ChannelKindSettings,
    /// The SMTP password or the ntfy access token: write-only. Absent keeps it (on an
    /// update), `null` removes it. A webhook's secret is made by Cairn instead.
    #[oai(nullable, validator(max_length = 1024))]
    pub secret: MaybeUndefined<String>,
    /// A webhook: make a new signing secret (shown once in the answer).
    #[oai(default)]
    pub rotate_secret: bool,
    /// `warning` when absent.
    pub min_severity: Option<AlertSeverity>,
    #[oai(validator(max_length = 64))]
    pub host_tag: Option<String>,
    pub rules: Option<Vec<AlertRuleName>>,
    pub quiet: Option<QuietHours>,
}

impl ChannelRequest {
    fn input(self) -> Result<ChannelInput, ApiError> {
        let quiet = match self.quiet {
            Some(q) => Some(Quiet {
                from: service::parse_hhmm(&q.from, "quiet.from")?,
                to: service::parse_hhmm(&q.to, "quiet.to")?,
                zone: q.zone,
            }),
            None => None,
        };
        Ok(ChannelInput {
            name: self.name,
            enabled: self.enabled.unwrap_or(true),
            settings: self.settings.into(),
            secret: match self.secret {
                MaybeUndefined::Undefined => SecretChange::Keep,
                MaybeUndefined::Null => SecretChange::Clear,
                MaybeUndefined::Value(s) => SecretChange::Set(s),
            },
            rotate_secret: self.rotate_secret,
            min_severity: self.min_severity.unwrap_or(AlertSeverity::Warning).into(),
            host_tag: self.host_tag,
            rules: self.rules.unwrap_or_default().into_iter().map(Into::into).collect(),
            quiet,
        })
    }
}

#[derive(ApiResponse)]
pub enum CreatedChannel {
    #[oai(status = 201)]
    Created(Json<ChannelSaved>),
}

#[derive(ApiResponse)]
pub enum DeletedChannel {
    /// The channel is gone; its deliveries stay in alerts' history.
    #[oai(status = 204)]
    Done,
}

/// How "Send test" went.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ChannelTestResult {
    pub delivered: bool,
    /// The receiver's HTTP status, or the mail server's reply code.
    pub status: Option<i32>,
    /// Why it failed, in words to act on.
    pub error: Option<String>,
    pub elapsed_ms: u64,
    /// For a webhook: the body that was sent (the same schema as every alert's).
    pub webhook_body: Option<WebhookBody>,
}

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum DeliveryState {
    Pending,
    Sending,
    Delivered,
    /// Given up after its attempts, or refused for good (a 4xx, a forbidden target).
    Failed,
    /// Not sent: the alert was snoozed or its host muted when it was due.
    Suppressed,
}

/// One notification of one alert event over one channel.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Delivery {
    /// Also the idempotency key receivers see.
    pub id: Uuid,
    pub alert_id: Uuid,
    pub channel_id: Uuid,
    /// The channel's name (absent once it is deleted).
    pub channel_name: Option<String>,
    /// The alert event it tells: `opened`, `escalated` or `resolved`.
    pub event: String,
    pub state: DeliveryState,
    pub attempts: u32,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
}

impl From<DeliveryView> for Delivery {
    fn from(v: DeliveryView) -> Self {
        let d = v.row;
        Delivery {
            id: d.id,
            alert_id: d.alert_id,
            channel_id: d.channel_id,
            channel_name: v.channel_name,
            event: v.event,
            state: match d.state.as_str() {
                "pending" => DeliveryState::Pending,
                "sending" => DeliveryState::Sending,
                "delivered" => DeliveryState::Delivered,
                "suppressed" => DeliveryState::Suppressed,
                _ => DeliveryState::Failed,
            },
            attempts: u32::try_from(d.attempts).unwrap_or(0),
            next_attempt_at: d.next_attempt_at,
            last_status: d.last_status,
            last_error: d.last_error,
            created_at: d.created_at,
            delivered_at: d.delivered_at,
        }
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct DeliveryList {
    pub items: Vec<Delivery>,
    pub next_cursor: Option<String>,
}

#[OpenApi(tag = "ApiTags::Alerts")]
impl ChannelsApi {
    /// The notification channels.
    #[oai(path = "/v1/channels", method = "get", operation_id = "list_channels")]
    async fn list(
        &self,
        _auth: Auth<perm::AlertsConfigure>,
        state: Data<&AppState>,
    ) -> Result<Json<Vec<Channel>>, ApiError> {
        Ok(Json(service::list(&state).await?.into_iter().map(Into::into).collect()))
    }

    /// Adds a channel. Webhook and ntfy targets must be public addresses (unless
    /// allow-listed in `alerts.allow_targets`): `400 channel.forbidden_target`. A
    /// webhook's signing secret is made now and shown once in the answer. Audited.
    #[oai(path = "/v1/channels", method = "post", operation_id = "create_channel")]
    async fn create(
        &self,
        auth: Auth<perm::AlertsConfigure>,
        state: Data<&AppState>,
        body: Json<ChannelRequest>,
    ) -> Result<CreatedChannel, ApiError> {
        let (v, secret) = service::create(&state, &auth.actor(), body.0.input()?).await?;
        Ok(CreatedChannel::Created(Json(ChannelSaved { channel: v.into(), secret })))
    }

    #[oai(path = "/v1/channels/:id", method = "get", operation_id = "get_channel")]
    async fn get(
        &self,
        _auth: Auth<perm::AlertsConfigure>,
        state: Data<&AppState>,
        id: Path<Uuid>,
    ) -> Result<Json<Channel>, ApiError> {
        Ok(Json(service::get(&state, id.0).await?.into()))
    }

    /// Replaces a channel's settings (its kind stays); the secret is kept unless `secret`
    /// is given or `rotate_secret` is set. Audited.
    #[oai(path = "/v1/channels/:id", method = "put", operation_id = "update_channel")]
    async fn update(
        &self,
        auth: Auth<perm::AlertsConfigure>,
        state: Data<&AppState>,
        id: Path<Uuid>,
        body: Json<ChannelRequest>,
    ) -> Result<Json<ChannelSaved>, ApiError> {
        let (v, secret) = service::update(&state, &auth.actor(), id.0, body.0.input()?).await?;
        Ok(Json(ChannelSaved { channel: v.into(), secret }))
    }

    /// Deletes a channel; its pending deliveries are given up. Audited.
    #[oai(path = "/v1/channels/:id", method = "delete", operation_id = "delete_channel")]
    async fn delete(
        &self,
        auth: Auth<perm::AlertsConfigure>,
        state: Data<&AppState>,
        id: Path<Uuid>,
    ) -> Result<DeletedChannel, ApiError> {
        service::delete(&state, &auth.actor(), id.0).await?;
        Ok(DeletedChannel::Done)
    }

    /// Sends a test notification over the channel now and says how it went (a failure
    /// is `200` with `delivered: false` and the reason; a forbidden target is refused
    /// before any connection).
    #[oai(path = "/v1/channels/:id/test", method = "post", operation_id = "test_channel")]
    async fn test(
        &self,
        _auth: Auth<perm::AlertsConfigure>,
        state: Data<&AppState>,
        id: Path<Uuid>,
    ) -> Result<Json<ChannelTestResult>, ApiError> {
        let t = service::test(&state, id.0).await?;
        Ok(Json(ChannelTestResult {
            delivered: t.outcome.delivered,
            status: t.outcome.status,
            error: t.outcome.error,
            elapsed_ms: t.elapsed_ms,
            webhook_body: t.webhook_body,
        }))
    }

    /// The channel's deliveries, newest first, by cursor.
    #[oai(
        path = "/v1/channels/:id/deliveries",
        method = "get",
        operation_id = "list_channel_deliveries"
    )]
    async fn deliveries(
        &self,
        _auth: Auth<perm::AlertsConfigure>,
        state: Data<&AppState>,
        id: Path<Uuid>,
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))] limit: Query<Option<u64>>,
        #[oai(validator(max_length = 512))] cursor: Query<Option<String>>,
    ) -> Result<Json<DeliveryList>, ApiError> {
        let page = service::deliveries_of_channel(
            &state,
            id.0,
            cursor.0.as_deref(),
            limit.0.unwrap_or(50),
        )
        .await?;
        Ok(Json(DeliveryList {
            items: page.items.into_iter().map(Into::into).collect(),
            next_cursor: page.next_cursor,
        }))
    }

    /// An alert's notifications: each channel's delivery of each event, oldest first.
    #[oai(
        path = "/v1/alerts/:id/deliveries",
        method = "get",
        operation_id = "list_alert_deliveries"
    )]
    async fn alert_deliveries(
        &self,
        auth: HostAuth<perm::AlertsRead>,
        state: Data<&AppState>,
        id: Path<Uuid>,
    ) -> Result<Json<Vec<Delivery>>, ApiError> {
        auth.alert(id.0).await?;
        Ok(Json(
            service::deliveries_of_alert(&state, id.0).await?.into_iter().map(Into::into).collect(),
        ))
    }
}
