//! The API contract check: one HTTP exchange (method, URL, status, content type, body)
//! against `openapi/cairn.json`. The test kit runs it on every answer the Rust tests get,
//! and `cairn-contract check` on every answer the browser e2e run recorded.

pub mod route;
pub mod schema;

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use route::Template;
use schema::{Resolver, validate};

/// One answer as a client saw it.
#[derive(Debug, Clone, Deserialize)]
pub struct Exchange {
    pub method: String,
    /// Path and query, e.g. `/api/v1/users?limit=5`.
    pub url: String,
    pub status: u16,
    #[serde(default)]
    pub content_type: Option<String>,
    /// The `Allow` header, when the answer had one.
    #[serde(default)]
    pub allow: Option<String>,
    /// The raw body; None when it was not read (an event stream, say).
    #[serde(default)]
    pub body: Option<String>,
}

pub struct Spec {
    doc: Value,
    /// The servers entry every path hangs under, e.g. `/api`.
    base: String,
    templates: Vec<Template>,
}

const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

impl Spec {
    pub fn from_json(text: &str) -> Result<Spec, String> {
        let doc: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
        let base = doc
            .pointer("/servers/0/url")
            .and_then(Value::as_str)
            .unwrap_or("")
            .trim_end_matches('/')
            .to_string();
        let templates = doc
            .get("paths")
            .and_then(Value::as_object)
            .ok_or("the document has no paths")?
            .keys()
            .map(|p| Template::new(p))
            .collect();
        Ok(Spec { doc, base, templates })
    }

    pub fn load(path: &std::path::Path) -> Result<Spec, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        Spec::from_json(&text)
    }

    /// The path of `url` below the API base (`/api`), without its query; None outside it.
    fn relative<'u>(&self, url: &'u str) -> Option<&'u str> {
        url.split('?').next().unwrap_or(url).strip_prefix(self.base.as_str())
    }

    /// The document's path item (its operations by method) for a relative path.
    fn path_item(&self, rel: &str) -> Option<&Value> {
        let t = route::best_match(&self.templates, rel)?;
        self.doc.pointer(&format!("/paths/{}", escape(&t.template)))
    }

    /// The methods the document declares for the path `url` belongs to (upper case), if any.
    pub fn allowed_methods(&self, url: &str) -> Option<Vec<String>> {
        self.path_item(self.relative(url)?).map(methods_of)
    }

    /// The operation an exchange belongs to, as `operationId` (for reports).
    pub fn operation_id(&self, method: &str, url: &str) -> Option<String> {
        self.operation(method, url)?.get("operationId").and_then(Value::as_str).map(str::to_string)
    }

    fn operation(&self, method: &str, url: &str) -> Option<&Value> {
        self.path_item(self.relative(url)?)?.get(method.to_lowercase())
    }

    /// How a JSON request body breaks the schema its operation declares (empty when it keeps
    /// it); None when the document has no such operation or it takes no JSON body. Each
    /// mismatch starts with the JSON pointer of the offending value (`/paths/0: …`).
    pub fn check_request(&self, method: &str, url: &str, body: &Value) -> Option<Vec<String>> {
        let op = self.operation(method, url)?;
        let content = op.pointer("/requestBody/content")?.as_object()?;
        let (_, media) = content.iter().find(|(k, _)| media_essence(k) == "application/json")?;
        let mut out = Vec::new();
        validate(
            &Resolver { doc: &self.doc, answer: false },
            media.get("schema")?,
            body,
            "",
            &mut out,
        );
        Some(out)
    }

    /// Every way `ex` breaks the contract; empty when it keeps it. The document itself
    /// (`/api/openapi.json`) and Swagger UI (`/api/docs`) are served beside the operations.
    pub fn check(&self, ex: &Exchange) -> Vec<String> {
        let mut out = Vec::new();
        let path = ex.url.split('?').next().unwrap_or(&ex.url);
        let beside = [format!("{}/openapi.json", self.base), format!("{}/docs", self.base)];
        if beside.iter().any(|p| path == p || path.starts_with(&format!("{p}/"))) {
            return out;
        }
        let Some(rel) = self.relative(path) else {
            return vec![format!("{path} is outside the API base {}", self.base)];
        };
        let Some(item) = self.path_item(rel) else {
            // No such route: the router's 404, in the error shape.
            if ex.status != 404 {
                out.push(format!("undocumented path answered {} (expected 404)", ex.status));
            }
            self.check_error_body(ex, &mut out);
            return out;
        };
        let Some(op) = item.get(ex.method.to_lowercase()) else {
            // A documented path with a method it lacks: 405 with the methods it has.
            if ex.status != 405 {
                out.push(format!("undocumented method answered {} (expected 405)", ex.status));
            }
            let expected = methods_of(item);
            let mut got: Vec<String> = ex
                .allow
                .as_deref()
                .unwrap_or("")
                .split(',')
                .map(|m| m.trim().to_uppercase())
                .filter(|m| !m.is_empty())
                .collect();
            got.sort();
            let mut want = expected.clone();
            want.sort();
            if got != want {
                out.push(format!("405 Allow header {:?}, expected {}", ex.allow, want.join(", ")));
            }
            self.check_error_body(ex, &mut out);
            return out;
        };
        let responses = op.get("responses").and_then(Value::as_object);
        let declared =
            responses.and_then(|r| r.get(&ex.status.to_string()).or_else(|| r.get("default")));
        let Some(declared) = declared else {
            let mut codes: Vec<&String> = responses.map(|r| r.keys().collect()).unwrap_or_default();
            codes.sort();
            out.push(format!("status {} is not documented (documented: {codes:?})", ex.status));
            return out;
        };
        let declared = resolve_response(&self.doc, declared);
        match declared.get("content").and_then(Value::as_object).filter(|c| !c.is_empty()) {
            Some(content) => self.check_content(content, ex, &mut out),
            None => {
                if ex.body.as_deref().is_some_and(|b| !b.is_empty()) {
                    out.push(format!("status {} declares no body, but one came", ex.status));
                }
            }
        }
        out
    }

    fn check_content(
        &self,
        content: &serde_json::Map<String, Value>,
        ex: &Exchange,
        out: &mut Vec<String>,
    ) {
        let Some(ct) = ex.content_type.as_deref() else {
            return out.push("the answer has no Content-Type".into());
        };
        let essence = media_essence(ct);
        let media =
            content.iter().find(|(k, _)| media_essence(k) == essence || k.as_str() == "*/*");
        let Some((_, media)) = media else {
            let declared: Vec<&String> = content.keys().collect();
            return out
                .push(format!("Content-Type {ct} is not documented (documented: {declared:?})"));
        };
        let Some(body) = ex.body.as_deref() else { return };
        if essence != "application/json" {
            return;
        }
        let value: Value = match serde_json::from_str(body) {
            Ok(v) => v,
            Err(e) => return out.push(format!("the body is not JSON: {e}")),
        };
        if let Some(schema) = media.get("schema") {
            validate(&Resolver { doc: &self.doc, answer: true }, schema, &value, "", out);
        }
    }

    /// Answers outside any operation (404, 405) still carry `{code, message, details}`.
    fn check_error_body(&self, ex: &Exchange, out: &mut Vec<String>) {
        let Some(body) = ex.body.as_deref() else { return };
        match self.doc.pointer("/components/schemas/ErrorBody") {
            Some(schema) => match serde_json::from_str::<Value>(body) {
                Ok(v) => validate(&Resolver { doc: &self.doc, answer: true }, schema, &v, "", out),
                Err(e) => out.push(format!("the error body is not JSON: {e}")),
            },
            None => out.push("the document has no ErrorBody schema".into()),
        }
    }
}

/// A response object may itself be a `$ref` (to `#/components/responses/…`).
fn resolve_response<'a>(doc: &'a Value, v: &'a Value) -> &'a Value {
    match v.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix('#')) {
        Some(p) => doc.pointer(p).unwrap_or(v),
        None => v,
    }
}

/// The methods a path item has operations for, upper case, in the document's order.
fn methods_of(item: &Value) -> Vec<String> {
    METHODS.iter().filter(|m| item.get(**m).is_some()).map(|m| m.to_uppercase()).collect()
}

/// JSON pointer escaping of one path segment (`/` is `~1`, `~` is `~0`).
fn escape(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

fn media_essence(ct: &str) -> String {
    ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase()
}

/// How many exchanges each operation and status had, for the coverage line of a report.
pub fn coverage(spec: &Spec, exchanges: &[Exchange]) -> BTreeMap<String, BTreeMap<u16, usize>> {
    let mut seen: BTreeMap<String, BTreeMap<u16, usize>> = BTreeMap::new();
    for ex in exchanges {
        let id = spec.operation_id(&ex.method, &ex.url).unwrap_or_else(|| "(no operation)".into());
        *seen.entry(id).or_default().entry(ex.status).or_default() += 1;
    }
    seen
}
