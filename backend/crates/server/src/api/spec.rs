//! The OpenAPI document as served and committed: poem-openapi's output plus what the
//! handler types cannot say by themselves: the answers of the HTTP layer (408, 413, 415,
//! 503), `additionalProperties: false` on the user API's request bodies, and the configured
//! password length. Every rule here is checked against the running server by the tests.

use serde_json::{Map, Value, json};

use crate::config::Config;

/// Request schemas under this prefix refuse unknown fields (`deny_unknown_fields`); the
/// agent API's accept them, so an older server can talk to a newer agent.
const STRICT_PREFIX: &str = "/v1/";

/// Fields that take a new password: their `minLength` is `auth.password_min_length`, which
/// the domain checks (a poem validator could not follow the configuration).
const PASSWORD_FIELDS: [(&str, &str); 4] = [
    ("SetupRequest", "password"),
    ("CreateUserRequest", "password"),
    ("ResetPasswordRequest", "new_password"),
    ("ChangePasswordRequest", "new_password"),
];

/// The document for a server whose passwords need `password_min_length` characters.
#[allow(clippy::expect_used, reason = "poem-openapi's own output is JSON")]
pub fn document(password_min_length: usize) -> Value {
    // poem-openapi's own output is valid JSON by construction.
    let mut doc: Value =
        serde_json::from_str(&super::service().spec()).expect("poem-openapi emits JSON");
    http_layer_answers(&mut doc);
    strict_request_bodies(&mut doc);
    password_lengths(&mut doc, password_min_length);
    doc
}

/// The committed document (`openapi/cairn.json`): the default configuration's.
pub fn default_json() -> String {
    to_json(&document(Config::default().auth.password_min_length))
}

#[allow(clippy::expect_used, reason = "a serde_json::Value always serialises")]
pub fn to_json(doc: &Value) -> String {
    let mut text = serde_json::to_string_pretty(doc).expect("a JSON value serialises");
    text.push('\n');
    text
}

fn error_answer(description: &str) -> Value {
    json!({
        "description": description,
        "content": { "application/json; charset=utf-8": {
            "schema": { "$ref": "#/components/schemas/ErrorBody" }
        }}
    })
}

/// Answers the HTTP layer (http/middleware.rs, poem's extractors) gives before or around
/// any handler, added to every operation they can happen on.
fn http_layer_answers(doc: &mut Value) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else { return };
    for item in paths.values_mut().filter_map(Value::as_object_mut) {
        for (method, op) in item.iter_mut() {
            let has_body = op.get("requestBody").is_some();
            let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
                continue;
            };
            let mut add = |code: &str, text: &str| {
                responses.entry(code).or_insert_with(|| error_answer(text));
            };
            if method != "get" {
                add("408", "`request.body_timeout`: the request body did not arrive in time.");
                add("413", "`request.too_large`: the body is over `http.body_limit_bytes`.");
            }
            if has_body {
                add("415", "`request.unsupported_media_type`: the body is not `application/json`.");
            }
            add("500", "`internal`: a fault on the server; its log has the details.");
            add(
                "503",
                "`request.timeout`: the server took longer than `http.request_timeout_secs`.",
            );
        }
    }
}

/// `additionalProperties: false` on every object schema a `/v1` request body reaches.
fn strict_request_bodies(doc: &mut Value) {
    let mut names = Vec::new();
    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        for (_, item) in paths.iter().filter(|(p, _)| p.starts_with(STRICT_PREFIX)) {
            let Some(item) = item.as_object() else { continue };
            for op in item.values() {
                let content = op.pointer("/requestBody/content").and_then(Value::as_object);
                for media in content.into_iter().flat_map(Map::values) {
                    if let Some(schema) = media.get("schema") {
                        collect_refs(schema, &mut names);
                    }
                }
            }
        }
    }
    // Follow references inside those schemas too (nested request objects).
    let mut i = 0;
    while i < names.len() {
        let nested = doc.pointer(&format!("/components/schemas/{}", names[i])).cloned();
        if let Some(schema) = nested {
            let mut more = Vec::new();
            collect_refs(&schema, &mut more);
            for n in more {
                if !names.contains(&n) {
                    names.push(n);
                }
            }
        }
        i += 1;
    }
    for name in names {
        if let Some(schema) = doc.pointer_mut(&format!("/components/schemas/{name}"))
            && schema.get("properties").is_some()
            && let Some(obj) = schema.as_object_mut()
        {
            obj.insert("additionalProperties".into(), Value::Bool(false));
        }
    }
}

fn collect_refs(schema: &Value, out: &mut Vec<String>) {
    match schema {
        Value::Object(map) => {
            if let Some(name) = map
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
                && !out.iter().any(|n| n == name)
            {
                out.push(name.to_string());
            }
            map.values().for_each(|v| collect_refs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

fn password_lengths(doc: &mut Value, min: usize) {
    for (schema, field) in PASSWORD_FIELDS {
        let pointer = format!("/components/schemas/{schema}/properties/{field}");
        // A renamed type or field must not silently drop the rule: the test below fails.
        if let Some(prop) = doc.pointer_mut(&pointer).and_then(Value::as_object_mut) {
            prop.insert("minLength".into(), json!(min));
            prop.insert("format".into(), json!("password"));
            prop.insert("writeOnly".into(), json!(true));
            prop.insert(
                "description".into(),
                json!(format!(
                    "At least `auth.password_min_length` characters ({min} on this server)."
                )),
            );
        }
    }
}

/// The methods `spec` declares for the path of `uri_path` (e.g. `/api/v1/users`), as an
/// `Allow` header value; None outside the API.
pub fn allow_header(spec: &cairn_contract::Spec, uri_path: &str) -> Option<String> {
    let methods = spec.allowed_methods(uri_path)?;
    (!methods.is_empty()).then(|| methods.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_password_field_exists_and_carries_the_configured_length() {
        let doc = document(17);
        for (schema, field) in PASSWORD_FIELDS {
            let p = format!("/components/schemas/{schema}/properties/{field}/minLength");
            assert_eq!(doc.pointer(&p), Some(&json!(17)), "{p}");
        }
    }

    #[test]
    fn user_api_bodies_are_strict_and_agent_bodies_are_not() {
        let doc = document(12);
        let strict = |name: &str| {
            doc.pointer(&format!("/components/schemas/{name}/additionalProperties")).cloned()
        };
        assert_eq!(strict("CreateUserRequest"), Some(json!(false)));
        assert_eq!(strict("UpdateRepositoryRequest"), Some(json!(false)));
        assert_eq!(strict("PollRequest"), None);
        assert_eq!(strict("AgentFacts"), None);
    }

    #[test]
    fn http_layer_answers_are_on_the_operations_they_can_happen_on() {
        let doc = document(12);
        let codes = |path: &str, method: &str| -> Vec<String> {
            let p = format!("/paths/{}/{method}/responses", path.replace('/', "~1"));
            doc.pointer(&p).and_then(Value::as_object).unwrap().keys().cloned().collect()
        };
        let post = codes("/v1/users", "post");
        for c in ["408", "413", "415", "500", "503"] {
            assert!(post.contains(&c.to_string()), "create_user lacks {c}: {post:?}");
        }
        let get = codes("/v1/users", "get");
        assert!(!get.contains(&"415".to_string()) && get.contains(&"503".to_string()));
        let spec = cairn_contract::Spec::from_json(&to_json(&doc)).unwrap();
        assert_eq!(allow_header(&spec, "/api/v1/users").as_deref(), Some("GET, POST"));
        assert_eq!(allow_header(&spec, "/api/v1/users/abc").as_deref(), Some("GET, DELETE, PATCH"));
        assert_eq!(allow_header(&spec, "/api/v1/nothing"), None);
    }
}
