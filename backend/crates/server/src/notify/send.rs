//! One notification sent over one channel: a signed webhook, an ntfy message, or an email
//! over SMTP. Each says how it went: delivered (with the receiver's status), or failed
//! and whether another attempt could succeed.

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use uuid::Uuid;

use super::{NotifySettings, payload::WebhookBody};
use crate::domain::channels::{ChannelSettings, EmailSettings, NtfySettings, SmtpSecurity};

/// How one attempt went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub delivered: bool,
    /// The HTTP status, or the SMTP reply code.
    pub status: Option<i32>,
    pub error: Option<String>,
    /// A failure another attempt may fix (a timeout, a 5xx, a busy mail server).
    pub retry: bool,
}

impl Outcome {
    fn ok(status: i32) -> Outcome {
        Outcome { delivered: true, status: Some(status), error: None, retry: false }
    }

    fn failed(status: Option<i32>, error: impl Into<String>, retry: bool) -> Outcome {
        Outcome { delivered: false, status, error: Some(error.into()), retry }
    }
}

/// What is sent: the event's words and, for a webhook, its body.
pub struct Message<'a> {
    pub delivery: Uuid,
    pub subject: String,
    pub text: String,
    pub severity: &'a str,
    pub resolved: bool,
    pub click: String,
    pub body: &'a WebhookBody,
}

/// `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`: what the receiver recomputes
/// with the shared secret (and whose `t` it checks is recent, against replays).
pub fn signature(secret: &str, at: DateTime<Utc>, body: &[u8]) -> String {
    let t = at.timestamp();
    #[allow(clippy::expect_used, reason = "HMAC takes a key of any length")]
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("t={t},v1={}", hex::encode(mac.finalize().into_bytes()))
}

pub async fn send(
    cfg: &NotifySettings,
    settings: &ChannelSettings,
    secret: Option<&str>,
    m: &Message<'_>,
) -> Outcome {
    match settings {
        ChannelSettings::Webhook(w) => webhook(cfg, &w.url, secret, m).await,
        ChannelSettings::Ntfy(n) => ntfy(cfg, n, secret, m).await,
        ChannelSettings::Email(e) => email(cfg, e, secret, m).await,
    }
}

/// Posts to a checked address; `Err` is the guard's refusal (nothing was sent).
async fn post(
    cfg: &NotifySettings,
    url: &str,
    build: impl FnOnce(reqwest::RequestBuilder) -> reqwest::RequestBuilder,
) -> Outcome {
    let u = match super::ssrf::parse(url) {
        Ok(u) => u,
        Err(e) => return Outcome::failed(None, e.to_string(), false),
    };
    let addr = match cfg.allowed.resolve(&u).await {
        Ok(a) => a,
        // A name that does not resolve may come back; a forbidden address will not.
        Err(e @ super::ssrf::Refused::Unresolved(..)) => {
            return Outcome::failed(None, e.to_string(), true);
        }
        Err(e) => return Outcome::failed(None, e.to_string(), false),
    };
    let client = match cfg.allowed.client(&u, addr, cfg.timeout) {
        Ok(c) => c,
        Err(e) => return Outcome::failed(None, e.to_string(), true),
    };
    match build(client.post(u)).send().await {
        Ok(r) if r.status().is_success() => Outcome::ok(i32::from(r.status().as_u16())),
        Ok(r) => {
            let s = r.status();
            let redirect = s.is_redirection();
            // A redirect is not followed (it could point anywhere): it is a failure.
            let why = if redirect {
                format!("the receiver answered {s} (a redirect, not followed)")
            } else {
                format!("the receiver answered {s}")
            };
            let retry = s.is_server_error() || s.as_u16() == 408 || s.as_u16() == 429;
            Outcome::failed(Some(i32::from(s.as_u16())), why, retry)
        }
        Err(e) => Outcome::failed(None, format!("could not reach the receiver: {e}"), true),
    }
}

async fn webhook(
    cfg: &NotifySettings,
    url: &str,
    secret: Option<&str>,
    m: &Message<'_>,
) -> Outcome {
    let body = match serde_json::to_vec(m.body) {
        Ok(b) => b,
        Err(e) => return Outcome::failed(None, e.to_string(), false),
    };
    let sig = signature(secret.unwrap_or_default(), m.body.sent_at, &body);
    let id = m.delivery.to_string();
    post(cfg, url, |rb| {
        rb.header("Content-Type", "application/json")
            .header("User-Agent", concat!("Cairn/", env!("CARGO_PKG_VERSION")))
            .header("X-Cairn-Signature", sig)
            .header("X-Cairn-Delivery", &id)
            .header("Idempotency-Key", &id)
            .body(body)
    })
    .await
}

/// ntfy's priorities: 5 urgent … 1 min.
fn priority(severity: &str, resolved: bool) -> u8 {
    match (resolved, severity) {
        (true, _) => 2,
        (_, "critical") => 5,
        (_, "error") => 4,
        (_, "warning") => 3,
        _ => 2,
    }
}

async fn ntfy(
    cfg: &NotifySettings,
    n: &NtfySettings,
    token: Option<&str>,
    m: &Message<'_>,
) -> Outcome {
    // JSON publishing to the server's root: UTF-8 titles need no header encoding.
    let tags: &[&str] = match (m.resolved, m.severity) {
        (true, _) => &["white_check_mark", "cairn"],
        (_, "critical") => &["rotating_light", "cairn"],
        (_, "error") => &["x", "cairn"],
        (_, "warning") => &["warning", "cairn"],
        _ => &["information_source", "cairn"],
    };
    let msg = serde_json::json!({
        "topic": n.topic,
        "title": m.subject,
        "message": m.text,
        "priority": priority(m.severity, m.resolved),
        "tags": tags,
        "click": m.click,
    });
    let id = m.delivery.to_string();
    post(cfg, &n.server_url, |rb| {
        let rb = rb.header("X-Cairn-Delivery", &id).header("Idempotency-Key", &id).json(&msg);
        match token {
            Some(t) => rb.bearer_auth(t),
            None => rb,
        }
    })
    .await
}

fn html(text: &str, click: &str) -> String {
    let escape = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    let paragraphs: Vec<String> = text
        .trim()
        .split("\n\n")
        .map(|p| format!("<p>{}</p>", escape(p).replace('\n', "<br>")))
        .collect();
    format!(
        "<!doctype html><html><body style=\"font-family:sans-serif\">{}<p><a href=\"{}\">Open the alert in Cairn</a></p></body></html>",
        paragraphs.join(""),
        escape(click)
    )
}

async fn email(
    cfg: &NotifySettings,
    e: &EmailSettings,
    password: Option<&str>,
    m: &Message<'_>,
) -> Outcome {
    use lettre::{
        AsyncSmtpTransport, AsyncTransport, Tokio1Executor,
        message::{Mailbox, MultiPart},
        transport::smtp::{
            authentication::Credentials,
            client::{Tls, TlsParameters},
        },
    };
    let fail = |e: String| Outcome::failed(None, e, false);
    let from: Mailbox = match e.from.parse() {
        Ok(f) => f,
        Err(err) => return fail(format!("from {:?}: {err}", e.from)),
    };
    let mut b = lettre::Message::builder()
        .from(from)
        .subject(m.subject.clone())
        // The delivery's id: the same on every retry, so a mailbox can drop duplicates.
        .message_id(Some(format!("<{}@cairn>", m.delivery)));
    for to in &e.to {
        match to.parse::<Mailbox>() {
            Ok(t) => b = b.to(t),
            Err(err) => return fail(format!("to {to:?}: {err}")),
        }
    }
    let msg = match b
        .multipart(MultiPart::alternative_plain_html(m.text.clone(), html(&m.text, &m.click)))
    {
        Ok(msg) => msg,
        Err(err) => return fail(err.to_string()),
    };
    let tls = match e.security {
        SmtpSecurity::None => Tls::None,
        s => {
            let mut params = TlsParameters::builder(e.host.clone());
            if let Some(pem) = &e.ca_pem {
                match lettre::transport::smtp::client::Certificate::from_pem(pem.as_bytes()) {
                    Ok(c) => params = params.add_root_certificate(c),
                    Err(err) => return fail(format!("the trusted certificate: {err}")),
                }
            }
            let params = match params.build_rustls() {
                Ok(p) => p,
                Err(err) => return fail(format!("TLS: {err}")),
            };
            if s == SmtpSecurity::Tls { Tls::Wrapper(params) } else { Tls::Required(params) }
        }
    };
    let mut t = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(e.host.clone())
        .port(e.port)
        .tls(tls)
        .timeout(Some(cfg.timeout));
    if let (Some(user), Some(pw)) = (&e.username, password) {
        t = t.credentials(Credentials::new(user.clone(), pw.to_string()));
    }
    match t.build().send(msg).await {
        Ok(r) => Outcome::ok(i32::from(u16::from(r.code()))),
        Err(err) => {
            let status = err.status().map(|c| i32::from(u16::from(c)));
            // 5xx replies are permanent; anything else (4xx, network, TLS) may pass later.
            let retry = !err.is_permanent();
            Outcome::failed(status, format!("SMTP: {err}"), retry)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_an_hmac_of_time_and_body() {
        let at = DateTime::from_timestamp(1_700_000_000, 0).unwrap_or_default();
        let s = signature("whsec_test", at, b"{\"a\":1}");
        assert!(s.starts_with("t=1700000000,v1="), "{s}");
        // The same input gives the same signature; another secret another one.
        assert_eq!(s, signature("whsec_test", at, b"{\"a\":1}"));
        assert_ne!(s, signature("whsec_other", at, b"{\"a\":1}"));
        assert_eq!(s.len(), "t=1700000000,v1=".len() + 64);
        assert!(html("a <b>\n\nc", "https://x/a?b&c").contains("a &lt;b&gt;"));
    }
}
