//! The contract check on every answer a test receives: the test kit's clients send through
//! `send`, which checks the answer against the committed `openapi/cairn.json` (documented
//! status, content type and body schema) and fails the test on the first mismatch.

use std::sync::OnceLock;

use cairn_contract::{Exchange, Spec};
use reqwest::{Method, RequestBuilder, Response, ResponseBuilderExt, header};

const COMMITTED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../openapi/cairn.json");

/// The committed document; a stale one stops the run with the fix, not a thousand mismatches.
pub fn spec() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(|| {
        let committed = std::fs::read_to_string(COMMITTED).expect("openapi/cairn.json is readable");
        assert!(
            committed == cairn_server::api::spec_json(),
            "openapi/cairn.json is stale: run `make openapi` and commit the result"
        );
        Spec::from_json(&committed).expect("openapi/cairn.json parses")
    })
}

/// Sends `rb` and checks its answer (see `checked`).
pub async fn send(rb: RequestBuilder) -> Response {
    let (client, req) = rb.build_split();
    let req = req.expect("a well-formed request");
    let method = req.method().clone();
    let resp = client.execute(req).await.expect("the server answers");
    checked(&method, resp).await
}

/// Checks one answer and hands back an equivalent one (same status, headers and body).
/// Event streams are checked by status and content type only: their body never ends.
pub async fn checked(method: &Method, resp: Response) -> Response {
    let url = resp.url().clone();
    let path_and_query = match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_string(),
    };
    if !url.path().starts_with("/api/") || url.path().starts_with("/api/docs") {
        return resp;
    }
    let header_text = |name: header::HeaderName| {
        resp.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_string)
    };
    let content_type = header_text(header::CONTENT_TYPE);
    let allow = header_text(header::ALLOW);
    let mut ex = Exchange {
        method: method.to_string(),
        url: path_and_query,
        status: resp.status().as_u16(),
        content_type: content_type.clone(),
        allow,
        body: None,
    };
    if content_type.as_deref().is_some_and(|c| c.starts_with("text/event-stream")) {
        report(&ex);
        return resp;
    }
    let status = resp.status();
    let version = resp.version();
    let headers = resp.headers().clone();
    let bytes = resp.bytes().await.expect("the answer's body arrives");
    ex.body = Some(String::from_utf8_lossy(&bytes).into_owned());
    report(&ex);
    let mut rebuilt = http::Response::builder().status(status).version(version).url(url);
    if let Some(h) = rebuilt.headers_mut() {
        *h = headers;
    }
    Response::from(rebuilt.body(bytes).expect("a rebuilt answer"))
}

fn report(ex: &Exchange) {
    let errors = spec().check(ex);
    assert!(
        errors.is_empty(),
        "the answer to {} {} ({}) breaks openapi/cairn.json:\n  {}\nbody: {}",
        ex.method,
        ex.url,
        ex.status,
        errors.join("\n  "),
        ex.body.as_deref().unwrap_or("(not read)").chars().take(2000).collect::<String>()
    );
}

/// `rb.send_checked().await`: `send` in method position, for tests that build their own
/// requests (raw bodies, stolen cookies, odd headers).
pub trait SendChecked {
    fn send_checked(self) -> impl std::future::Future<Output = Response> + Send;
}

impl SendChecked for RequestBuilder {
    fn send_checked(self) -> impl std::future::Future<Output = Response> + Send {
        send(self)
    }
}
