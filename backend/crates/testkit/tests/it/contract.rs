//! The contract from the request side: every operation with a body, taken from
//! `openapi/cairn.json` itself, gets schema-invalid requests (wrong types, missing required
//! fields, oversized strings, deep nesting, a wrong content type, an unknown field) and must
//! answer a 4xx `{code, message, details}`, never a 5xx. A new operation with a body fails
//! here until it has a valid example below, so the check covers it from its first day.

use cairn_testkit::{
    Db, PASSWORD, SendChecked, Session, TestApp, agent::SimAgent, api::NewEnrollmentToken,
    contract, db_tests, error_field,
};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

db_tests!(
    every_operation_with_a_body_refuses_bad_bodies_with_a_4xx,
    the_served_document_is_this_servers_and_its_rules_hold,
    the_check_catches_an_answer_that_breaks_the_document,
);

/// The served document carries this server's password length, and the edge holds to it.
async fn the_served_document_is_this_servers_and_its_rules_hold(db: Db) {
    let app = TestApp::spawn_with(db, |c| c.auth.password_min_length = 16).await;
    let admin = app.bootstrap_with("sixteen-otters-42").await;
    let doc: Value = app.anonymous().get("/api/openapi.json").await.json().await.unwrap();
    let min =
        &doc["components"]["schemas"]["CreateUserRequest"]["properties"]["password"]["minLength"];
    assert_eq!(min, 16);
    let body = json!({ "username": "sixteen", "role": "viewer", "password": "fourteen-chars" });
    let r = admin.post("/api/v1/users", body).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        (v["code"].as_str(), v["details"]["field"].as_str()),
        (Some("request.invalid_body"), Some("password"))
    );
    assert!(v["message"].as_str().unwrap().contains("minLength 16"), "{v}");
    // A number where the document says string is refused, though poem alone would take it.
    let r = admin.patch("/api/v1/auth/me", json!({ "display_name": 12345 })).await;
    assert_eq!(error_field(r).await, ("request.invalid_body".into(), Some("display_name".into())));
    // 405 names the methods the path has.
    let r = admin.request(Method::PUT, "/api/v1/users").send_checked().await;
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(r.headers()["allow"], "GET, POST");
}

/// The checker is not a rubber stamp: a real answer, bent in each way the document forbids,
/// is reported.
async fn the_check_catches_an_answer_that_breaks_the_document(db: Db) {
    let app = TestApp::spawn(db).await;
    let admin = app.bootstrap().await;
    let me = admin.get("/api/v1/auth/me").await.text().await.unwrap();
    let ex = |status: u16, body: String| cairn_contract::Exchange {
        method: "GET".into(),
        url: "/api/v1/auth/me".into(),
        status,
        content_type: Some("application/json; charset=utf-8".into()),
        allow: None,
        body: Some(body),
    };
    let spec = contract::spec();
    assert!(spec.check(&ex(200, me.clone())).is_empty(), "the real answer keeps the document");
    let mut v: Value = serde_json::from_str(&me).unwrap();
    v["user"]["email"] = Value::Null;
    assert!(spec.check(&ex(200, v.to_string()))[0].contains("/user/email: null"));
    let mut v: Value = serde_json::from_str(&me).unwrap();
    v["surprise"] = json!(1);
    assert!(spec.check(&ex(200, v.to_string()))[0].contains("/surprise: property not declared"));
    let mut v: Value = serde_json::from_str(&me).unwrap();
    v["role"] = json!("superuser");
    assert!(spec.check(&ex(200, v.to_string()))[0].contains("is not one of"));
    assert!(spec.check(&ex(418, me.clone()))[0].contains("status 418 is not documented"));
    let mut bad_type = ex(200, me);
    bad_type.content_type = Some("text/html".into());
    assert!(spec.check(&bad_type)[0].contains("Content-Type text/html is not documented"));
    let wrong_405 = cairn_contract::Exchange {
        method: "PUT".into(),
        url: "/api/v1/users".into(),
        status: 405,
        content_type: Some("application/json".into()),
        allow: None,
        body: Some(r#"{"code":"request.method_not_allowed","message":"x","details":{}}"#.into()),
    };
    assert!(spec.check(&wrong_405)[0].contains("Allow header"));
}

/// A body each operation accepts at parse time (the handler may still refuse it).
fn valid_example(operation: &str, agent: &SimAgent) -> Option<Value> {
    let any = Uuid::new_v4();
    let facts = serde_json::to_value(&agent.facts).ok()?;
    let v = cairn_proto::PROTOCOL_VERSION;
    Some(match operation {
        "complete_setup" => {
            json!({ "token": "x".repeat(20), "username": "fz", "password": PASSWORD })
        }
        "login" => json!({ "username": "nobody", "password": "wrong" }),
        "update_me" => json!({ "display_name": "Fuzz" }),
        "change_my_password" => json!({ "current_password": "x", "new_password": PASSWORD }),
        "create_my_token" => json!({ "name": "fuzz" }),
        "create_user" => json!({ "username": "fz", "role": "viewer", "password": PASSWORD }),
        "update_user" => json!({ "display_name": "Fuzz" }),
        "reset_user_password" => json!({ "new_password": PASSWORD }),
        "update_host" => json!({ "tags": ["a"] }),
        "set_host_repositories" => json!({ "repository_ids": [] }),
        "ping_hosts" => json!({}),
        "create_enrollment_token" => json!({}),
        "accept_pending_host" => json!({}),
        "reject_pending_host" => json!({}),
        "create_repository" => json!({ "name": "r", "url": "/srv/r", "password": "p" }),
        "update_repository" => json!({}),
        "create_backup" => json!({ "repository_id": any, "paths": ["/etc"] }),
        "init_repository" => json!({ "host_id": any }),
        "refresh_snapshots" => json!({ "repository_id": any }),
        "create_schedule" | "replace_schedule" => {
            json!({ "name": "s", "repository_id": any, "backup": { "paths": ["/etc"] } })
        }
        "run_schedule" => json!({}),
        "preflight_schedule_draft" => json!({
            "schedule": { "name": "s", "repository_id": any, "backup": { "paths": ["/etc"] } }
        }),
        "preflight_schedule" => json!({}),
        "rotate_repository_key" => json!({ "host_id": any }),
        "start_repository_job" => json!({ "host_id": any, "args": { "kind": "stats" } }),
        "preview_retention" => json!({ "host_id": any, "policy": { "keep_last": 1 } }),
        "create_drill" => json!({ "repository_id": any }),
        "set_drill_schedule" => json!({ "repository_id": any, "cron": "0 5 * * 0" }),
        "update_alert_rule" => json!({ "enabled": true, "severity": "error" }),
        "snooze_alert" | "set_host_mute" => json!({ "until": null }),
        "create_channel" | "update_channel" => {
            json!({ "name": "c", "settings": { "kind": "webhook", "url": "https://93.184.215.14/hook" } })
        }
        "create_sso_provider" | "update_sso_provider" => json!({
            "slug": "idp", "label": "IdP", "issuer": "https://idp.example.test",
            "client_id": "cairn", "client_secret": "s3cret"
        }),
        "update_sign_in_settings" => json!({ "local_login": true }),
        "create_restore" | "preview_restore" => json!({
            "snapshot_id": "0".repeat(64),
            "target": { "mode": "new_path", "path": "/srv/restore" }
        }),
        "set_host_hooks" => json!({ "pre": { "command": "true", "timeout_secs": 5 } }),
        "agent_enroll" => {
            json!({ "protocol_version": v, "token": "cairn_enroll_x", "public_key": agent.public_key(), "facts": facts })
        }
        "agent_announce" => {
            json!({ "protocol_version": v, "public_key": agent.public_key(), "facts": facts })
        }
        "agent_poll" => serde_json::to_value(agent.poll_request(1)).ok()?,
        "agent_job_events" => json!({ "events": [] }),
        "agent_answer" => json!({ "kind": "failed", "error_class": "x", "message": "m" }),
        _ => return None,
    })
}

/// A value of the wrong JSON type for `schema`.
fn wrong_type(spec_doc: &Value, schema: &Value) -> Value {
    let resolved = match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => spec_doc.pointer(r.trim_start_matches('#')).unwrap_or(schema),
        None => schema,
    };
    if resolved.get("enum").is_some() {
        return json!("not-one-of-the-values");
    }
    match resolved.get("type").and_then(Value::as_str) {
        Some("string") => json!(12345),
        Some("integer") | Some("number") => json!("twelve"),
        Some("boolean") => json!("yes"),
        Some("array") => json!({ "not": "a list" }),
        Some("object") => json!("not an object"),
        _ => match resolved.get("allOf").and_then(|a| a.get(0)) {
            Some(first) => wrong_type(spec_doc, first),
            None => json!([[[]]]),
        },
    }
}

/// `[[[…]]]` as raw text, `levels` deep: past serde_json's recursion limit it cannot be
/// built as a `Value`, so it goes on the wire as text.
fn deep_text(levels: usize) -> String {
    format!("{}{}", "[".repeat(levels), "]".repeat(levels))
}

/// `[[[1]]]`, `levels` deep, as a value (200 is past the server's parse depth of 128).
fn deep_value(levels: usize) -> Value {
    (0..levels).fold(json!(1), |inner, _| Value::Array(vec![inner]))
}

struct Case {
    what: String,
    content_type: &'static str,
    body: String,
}

fn cases(spec_doc: &Value, schema: &Value, example: &Value) -> Vec<Case> {
    let json_case = |what: String, body: Value| Case {
        what,
        content_type: "application/json",
        body: body.to_string(),
    };
    let mut out = vec![
        json_case("a list instead of an object".into(), json!([])),
        json_case("a string instead of an object".into(), json!("x")),
        json_case("a number instead of an object".into(), json!(42)),
        json_case("null instead of an object".into(), Value::Null),
        Case { what: "not JSON".into(), content_type: "application/json", body: "{\"a\":".into() },
        Case {
            what: "deep nesting".into(),
            content_type: "application/json",
            body: deep_text(10_000),
        },
        Case { what: "text/plain".into(), content_type: "text/plain", body: example.to_string() },
        Case { what: "no content type".into(), content_type: "", body: example.to_string() },
    ];
    let props = schema.get("properties").and_then(Value::as_object).cloned().unwrap_or_default();
    let required: Vec<String> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(|n| n.as_str().map(str::to_string)).collect())
        .unwrap_or_default();
    for name in &required {
        let mut b = example.clone();
        if let Some(o) = b.as_object_mut() {
            o.remove(name);
        }
        out.push(json_case(format!("required `{name}` missing"), b));
    }
    for (name, prop) in &props {
        let mut with = |what: &str, v: Value| {
            let mut b = example.clone();
            if let Some(o) = b.as_object_mut() {
                o.insert(name.clone(), v);
            }
            out.push(json_case(format!("`{name}` {what}"), b));
        };
        with("of the wrong type", wrong_type(spec_doc, prop));
        with("an oversized string", json!("a".repeat(100_000)));
        with("nested 200 deep", deep_value(200));
        with("a huge number", json!(1e300));
    }
    out
}

/// Who may call which path: the agent's own token for agent operations, an admin otherwise.
fn caller<'a>(path: &str, admin: &'a Session) -> Option<&'a Session> {
    (!path.starts_with("/agent/")).then_some(admin)
}

async fn every_operation_with_a_body_refuses_bad_bodies_with_a_4xx(db: Db) {
    let app = TestApp::spawn_with(db, |c| c.agents.poll_timeout_secs = 1).await;
    let admin = app.bootstrap().await;
    let agent = admin.enroll_agent("fuzz-1", &NewEnrollmentToken::default()).await;

    let doc: Value = serde_json::from_str(&cairn_server::api::spec_json()).unwrap();
    let paths = doc["paths"].as_object().unwrap().clone();
    let mut operations = 0;
    let mut requests = 0;
    for (path, item) in &paths {
        for (method, op) in item.as_object().unwrap() {
            let Some(schema_ref) =
                op.pointer("/requestBody/content/application~1json; charset=utf-8/schema")
            else {
                continue;
            };
            let id = op["operationId"].as_str().unwrap();
            let example = valid_example(id, &agent).unwrap_or_else(|| {
                panic!("{id} takes a body: give it a valid example in tests/it/contract.rs")
            });
            let schema = match schema_ref.get("$ref").and_then(Value::as_str) {
                Some(r) => doc.pointer(r.trim_start_matches('#')).unwrap().clone(),
                None => schema_ref.clone(),
            };
            operations += 1;
            let url = format!(
                "/api{}",
                path.replace("{id}", &Uuid::new_v4().to_string())
                    .replace("{rule}", "agent_offline")
            );
            let method: Method = method.to_uppercase().parse().unwrap();
            let strict = schema.get("additionalProperties") == Some(&Value::Bool(false));
            let mut all = cases(&doc, &schema, &example);
            let mut unknown = example.clone();
            if let Some(o) = unknown.as_object_mut() {
                o.insert("zz_not_a_field".into(), json!(1));
            }
            all.push(Case {
                what: "an unknown field".into(),
                content_type: "application/json",
                body: unknown.to_string(),
            });
            for case in all {
                let rb = match caller(path, &admin) {
                    Some(s) => s.request(method.clone(), &url),
                    None => app
                        .anonymous()
                        .client
                        .request(method.clone(), app.url(&url))
                        .header(
                            cairn_proto::PROTOCOL_HEADER,
                            cairn_proto::PROTOCOL_VERSION.to_string(),
                        )
                        .bearer_auth(agent.token()),
                };
                let rb = match case.content_type {
                    "" => rb.body(case.body.clone()),
                    ct => rb.header("content-type", ct).body(case.body.clone()),
                };
                // send_checked: the answer is checked against the document too.
                let r = rb.send_checked().await;
                requests += 1;
                let status = r.status();
                let v: Value = r.json().await.unwrap_or(Value::Null);
                let label = format!("{id} ({method} {path}) with {}: {status} {v}", case.what);
                if case.what == "an unknown field" && !strict {
                    // The agent API takes unknown fields (forward compatibility): any
                    // answer but a server fault.
                    assert!(!status.is_server_error(), "{label}");
                    continue;
                }
                assert!(status.is_client_error(), "{label}");
                assert!(v["code"].as_str().is_some_and(|c| !c.is_empty()), "{label}");
                assert!(v["message"].as_str().is_some_and(|m| !m.is_empty()), "{label}");
                assert!(v["details"].is_object(), "{label}");
                match case.what.as_str() {
                    "text/plain" | "no content type" => {
                        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{label}")
                    }
                    "an unknown field" => {
                        assert_eq!(status, StatusCode::BAD_REQUEST, "{label}");
                        assert_eq!(v["details"]["field"], "zz_not_a_field", "{label}");
                    }
                    _ => {}
                }
            }
        }
    }
    assert!(operations >= 20, "only {operations} operations with a body found in the document");
    eprintln!("{operations} operations, {requests} bad requests, all refused with a 4xx");
}
