//! One outer middleware for every request: a request id (taken from `X-Request-Id` when
//! sane, else new) on a tracing span so every log line of the request carries it; the
//! body size limit; user-API JSON bodies held to the OpenAPI document; admission of agent
//! requests; security headers; and the conversion of any error into JSON.

use crate::codes::Code;
use std::{sync::Arc, time::Instant};

use poem::{
    Endpoint, IntoResponse, Middleware, Request, Response,
    http::{HeaderValue, Method, StatusCode, header},
    web::Json,
};
use serde_json::json;
use tokio::sync::Semaphore;
use tracing::Instrument;

use crate::api::error::json_error;

const CSP_APP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
    img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; \
    base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
/// Swagger UI ships inline scripts; it gets its own, looser policy on its own path only.
const CSP_DOCS: &str = "default-src 'self'; script-src 'self' 'unsafe-inline'; \
    style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'";

/// Requests under this path come from agents and pass the agent gate.
const AGENT_PATHS: &str = "/api/agent/";
/// An agent's upload of a download: streamed through to a browser as it arrives, so it is
/// neither read here, nor bound by the body limit or the request timeout, nor made to
/// hold an agent permit for as long as it lasts.
const STREAMED: &str = "/api/agent/v1/downloads/";
/// JSON bodies under this path are validated against the document before any handler.
const USER_API: &str = "/api/v1/";

pub struct Frontline {
    pub body_limit: usize,
    pub timeout: std::time::Duration,
    /// Send Strict-Transport-Security (the server is reached over https).
    pub hsts: bool,
    /// Permits for agent requests being processed (`agents.max_concurrent_requests`).
    pub agent_gate: Arc<Semaphore>,
    /// The served OpenAPI document, which user-API request bodies must keep.
    pub contract: Option<Arc<cairn_contract::Spec>>,
}

impl<E: Endpoint> Middleware<E> for Frontline {
    type Output = FrontlineEndpoint<E>;
    fn transform(&self, inner: E) -> Self::Output {
        FrontlineEndpoint {
            inner,
            body_limit: self.body_limit,
            timeout: self.timeout,
            hsts: self.hsts,
            agent_gate: self.agent_gate.clone(),
            contract: self.contract.clone(),
        }
    }
}

pub struct FrontlineEndpoint<E> {
    inner: E,
    body_limit: usize,
    timeout: std::time::Duration,
    hsts: bool,
    agent_gate: Arc<Semaphore>,
    contract: Option<Arc<cairn_contract::Spec>>,
}

fn request_id(req: &Request) -> String {
    req.headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|s| {
            !s.is_empty()
                && s.len() <= 64
                && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        .map(str::to_string)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string())
}

fn too_large(limit: usize) -> Response {
    (
        StatusCode::PAYLOAD_TOO_LARGE,
        Json(json!({
            "code": Code::RequestTooLarge,
            "message": format!("The request body is larger than the limit of {limit} bytes."),
            "details": { "limit_bytes": limit },
        })),
    )
        .into_response()
}

/// A user-API body that breaks its schema: poem alone would take `12345` for a string or
/// let a rule the document declares through; the document is the contract, so it decides.
fn off_contract(
    spec: &cairn_contract::Spec,
    method: &Method,
    path: &str,
    content_type: Option<&str>,
    body: &[u8],
) -> Option<Response> {
    if !path.starts_with(USER_API)
        || !content_type.is_some_and(|c| c.starts_with("application/json"))
    {
        return None;
    }
    // A body that is not JSON at all is poem's to refuse, with its parser's message.
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let problems = spec.check_request(method.as_str(), path, &value)?;
    let first = problems.first()?;
    let (pointer, what) = first.split_once(": ").unwrap_or(("", first));
    let field = pointer.trim_start_matches('/').split('/').next().unwrap_or("");
    let message = match pointer.trim_start_matches('/') {
        "" => format!("The request body: {what}."),
        p => format!("`{p}`: {what}."),
    };
    let mut details = json!({ "problems": problems });
    if !field.is_empty() {
        details["field"] = json!(field);
    }
    Some(
        (
            StatusCode::BAD_REQUEST,
            Json(
                json!({ "code": Code::RequestInvalidBody, "message": message, "details": details }),
            ),
        )
            .into_response(),
    )
}

fn body_timeout(limit: std::time::Duration) -> Response {
    (
        StatusCode::REQUEST_TIMEOUT,
        Json(json!({
            "code": Code::RequestBodyTimeout,
            "message": format!("The request body did not arrive within {} s.", limit.as_secs()),
            "details": { "timeout_secs": limit.as_secs() },
        })),
    )
        .into_response()
}

impl<E: Endpoint> Endpoint for FrontlineEndpoint<E> {
    type Output = Response;

    async fn call(&self, mut req: Request) -> poem::Result<Response> {
        let id = request_id(&req);
        let path = req.uri().path().to_string();
        let span = tracing::info_span!("request", id = %id, method = %req.method(), path = %path);
        async move {
            let started = Instant::now();
            let mut refusal = None;
            let mut resp = 'answer: {
                let declared = req
                    .headers()
                    .get(header::CONTENT_LENGTH)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.parse::<usize>().ok());
                let streamed = path.starts_with(STREAMED);
                if declared.is_some_and(|n| n > self.body_limit) && !streamed {
                    break 'answer too_large(self.body_limit);
                }
                if !streamed
                    && !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS)
                {
                    // Read the body here, bounded in size (so chunked bodies obey the limit
                    // too) and in time (a client trickling its body holds a connection, not
                    // the server).
                    let body = req.take_body().into_bytes_limit(self.body_limit);
                    match tokio::time::timeout(self.timeout, body).await {
                        Ok(Ok(bytes)) => {
                            let ct = req.content_type();
                            refusal = self.contract.as_ref().and_then(|spec| {
                                off_contract(spec, req.method(), &path, ct, &bytes)
                            });
                            // The handler still runs, with a body it cannot parse, so that its
                            // authentication speaks first (401 before 400); its 400 is then
                            // replaced by the refusal, which says what is wrong.
                            if refusal.is_some() {
                                req.set_body(Vec::new());
                            } else {
                                req.set_body(bytes)
                            }
                        }
                        Ok(Err(poem::error::ReadBodyError::PayloadTooLarge)) => {
                            break 'answer too_large(self.body_limit);
                        }
                        Ok(Err(e)) => break 'answer json_error(poem::Error::from(e)),
                        Err(_) => break 'answer body_timeout(self.timeout),
                    }
                }
                // A fleet answered at once (a fleet-wide command, a restart) re-polls at once:
                // ten thousand requests. Past the gate's permits they wait here, each holding
                // its request only; the endpoint chain's future (KBs, and its database reads)
                // is made, boxed, once a permit is held. Bodies are read above, so a slow
                // client cannot sit on a permit. User requests never wait behind agents.
                let gate = (path.starts_with(AGENT_PATHS) && !streamed).then_some(&self.agent_gate);
                let answer = async {
                    let _permit = match gate {
                        Some(gate) => gate.acquire().await.ok(),
                        None => None,
                    };
                    Box::pin(self.inner.call(req)).await
                };
                // A streamed upload lasts as long as its download: a day at most.
                let limit =
                    if streamed { std::time::Duration::from_secs(86_400) } else { self.timeout };
                match tokio::time::timeout(limit, answer).await {
                    Ok(result) => {
                        let resp = match result {
                            Ok(r) => r.into_response(),
                            Err(e) => json_error(e),
                        };
                        match refusal {
                            Some(refusal) if resp.status() == StatusCode::BAD_REQUEST => refusal,
                            _ => resp,
                        }
                    }
                    Err(_) => (
                        StatusCode::SERVICE_UNAVAILABLE,
                        Json(json!({
                            "code": Code::RequestTimeout,
                            "message": "The server took too long to answer; try again.",
                            "details": { "timeout_secs": self.timeout.as_secs() },
                        })),
                    )
                        .into_response(),
                }
            };
            let status = resp.status();
            let ms = (started.elapsed().as_secs_f64() * 10_000.0).round() / 10.0;
            if status.is_server_error() {
                tracing::error!(status = status.as_u16(), ms, "request failed");
            } else {
                tracing::info!(status = status.as_u16(), ms, "request");
            }
            let h = resp.headers_mut();
            // RFC 9110 §15.5.6: a 405 names the methods the resource has.
            if status == StatusCode::METHOD_NOT_ALLOWED
                && let Some(spec) = &self.contract
                && let Some(allow) = crate::api::spec::allow_header(spec, &path)
                && let Ok(v) = HeaderValue::from_str(&allow)
            {
                h.insert(header::ALLOW, v);
            }
            if let Ok(v) = HeaderValue::from_str(&id) {
                h.insert("x-request-id", v);
            }
            h.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
            h.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
            h.insert("x-frame-options", HeaderValue::from_static("DENY"));
            if self.hsts {
                h.insert(
                    "strict-transport-security",
                    HeaderValue::from_static("max-age=31536000; includeSubDomains"),
                );
            }
            let csp = if path.starts_with("/api/docs") { CSP_DOCS } else { CSP_APP };
            h.insert("content-security-policy", HeaderValue::from_static(csp));
            if path.starts_with("/api/") && !h.contains_key(header::CACHE_CONTROL) {
                h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            }
            Ok(resp)
        }
        .instrument(span)
        .await
    }
}

/// A panic inside a handler still answers JSON (and is logged with the request id).
pub fn panic_response(err: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let what = err
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| err.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    tracing::error!(panic = %what, "handler panicked");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        Json(json!({ "code": Code::Internal, "message": "An internal error occurred; the server log has the details.", "details": {} })),
    )
        .into_response()
}

/// Whether the client asks for Server-Sent Events (`EventSource` sends this Accept).
pub fn wants_event_stream(req: &poem::Request) -> bool {
    req.headers()
        .get(poem::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/event-stream"))
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use poem::EndpointExt;

    use super::*;

    /// Counts how many requests it is serving at once, and the most it ever served.
    #[derive(Default)]
    struct Busy {
        now: AtomicUsize,
        most: AtomicUsize,
    }

    async fn concurrency_seen(path: &'static str, permits: usize, requests: usize) -> usize {
        let busy = Arc::new(Busy::default());
        let inner = poem::endpoint::make({
            let busy = busy.clone();
            move |_req: Request| {
                let busy = busy.clone();
                async move {
                    let n = busy.now.fetch_add(1, Ordering::SeqCst) + 1;
                    busy.most.fetch_max(n, Ordering::SeqCst);
                    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                    busy.now.fetch_sub(1, Ordering::SeqCst);
                    "ok"
                }
            }
        });
        let ep = Arc::new(inner.with(Frontline {
            body_limit: 1024,
            timeout: std::time::Duration::from_secs(10),
            hsts: false,
            agent_gate: Arc::new(Semaphore::new(permits)),
            contract: None,
        }));
        let calls = (0..requests).map(|_| {
            let ep = ep.clone();
            tokio::spawn(async move {
                let req = Request::builder().method(Method::POST).uri_str(path).body("{}");
                ep.get_response(req).await.status()
            })
        });
        for status in futures_util::future::join_all(calls).await {
            assert_eq!(status.unwrap(), StatusCode::OK, "every waiting request is served");
        }
        busy.most.load(Ordering::SeqCst)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn agent_requests_pass_the_gate_a_few_at_a_time_and_user_requests_do_not_wait() {
        assert_eq!(concurrency_seen("/api/agent/v1/poll", 2, 8).await, 2);
        assert_eq!(concurrency_seen("/api/v1/hosts", 2, 8).await, 8);
    }
}
