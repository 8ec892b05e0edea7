//! The RBAC matrix: every operation in the served OpenAPI document × {anonymous,
//! viewer, operator, admin, revoked token, disabled user} (the host-scoped dimension is in
//! `scopes.rs`). Fails on any operation missing from
//! the permission table, and on any answer that does not match what the table says.

use cairn_server::auth::{Access, OPERATIONS, Role};
use cairn_testkit::{Db, SendChecked, TestApp, db_tests};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

#[derive(Debug, Clone, Copy)]
enum Who {
    Anonymous,
    Role(Role),
    RevokedToken,
    DisabledUser,
}

async fn matrix(db: Db) {
    let app = TestApp::spawn(db).await;
    let admin = app.bootstrap().await;
    let mut tokens = Vec::new();
    for role in [Role::Viewer, Role::Operator, Role::Admin] {
        let name = format!("m-{}", role.as_str());
        app.create_user(&admin, &name, role.as_str()).await;
        let s = app.login(&name, cairn_testkit::PASSWORD).await;
        tokens.push((Who::Role(role), app.token(&s, "matrix").await));
    }
    // A revoked token.
    let r: Value = admin
        .post("/api/v1/auth/tokens", json!({ "name": "to-revoke" }))
        .await
        .json()
        .await
        .unwrap();
    admin.delete(&format!("/api/v1/auth/tokens/{}", r["token"]["id"].as_str().unwrap())).await;
    tokens.push((Who::RevokedToken, r["secret"].as_str().unwrap().to_string()));
    // A disabled admin's token.
    let id = app.create_user(&admin, "m-disabled", "admin").await;
    let s = app.login("m-disabled", cairn_testkit::PASSWORD).await;
    tokens.push((Who::DisabledUser, app.token(&s, "matrix").await));
    admin.patch(&format!("/api/v1/users/{id}"), json!({ "disabled": true })).await;

    let spec: Value = app.anonymous().get("/api/openapi.json").await.json().await.unwrap();
    let mut seen = Vec::new();
    let mut failures = Vec::new();
    let paths = spec["paths"].as_object().expect("paths");
    for (path, ops) in paths {
        for (method, op) in ops.as_object().unwrap() {
            let op_id = op["operationId"].as_str().expect("every operation has an operationId");
            assert!(op["tags"].as_array().is_some_and(|t| !t.is_empty()), "{op_id} has no tag");
            seen.push(op_id.to_string());
            let Some(access) = OPERATIONS.iter().find(|(id, _)| *id == op_id).map(|(_, a)| *a)
            else {
                failures.push(format!(
                    "{op_id} is not in the permission table (auth::permission::OPERATIONS)"
                ));
                continue;
            };
            let url = format!(
                "/api{}",
                path.replace("{id}", &uuid::Uuid::new_v4().to_string())
                    .replace("{rule}", "agent_offline")
                    .replace("{slug}", "no-such-provider")
            );
            let method: Method = method.to_uppercase().parse().unwrap();
            let mut callers: Vec<(Who, Option<&str>)> = vec![(Who::Anonymous, None)];
            callers.extend(tokens.iter().map(|(w, t)| (*w, Some(t.as_str()))));
            for (who, token) in callers {
                let session = match token {
                    Some(t) => app.with_token(t),
                    None => app.anonymous(),
                };
                // The protocol header lets agent operations get as far as authentication.
                let mut rb = session.request(method.clone(), &url).header(
                    cairn_proto::PROTOCOL_HEADER,
                    cairn_proto::PROTOCOL_VERSION.to_string(),
                );
                if matches!(method, Method::POST | Method::PATCH | Method::PUT) {
                    rb = rb.json(&json!({}));
                }
                let resp = rb.send_checked().await;
                let status = resp.status();
                let body = resp.text().await.unwrap_or_default();
                if status.is_server_error() {
                    failures.push(format!("{op_id} as {who:?}: {status} {body}"));
                    continue;
                }
                if status.is_client_error() {
                    let parsed: Option<Value> = serde_json::from_str(&body).ok();
                    if !parsed
                        .as_ref()
                        .is_some_and(|v| v["code"].is_string() && v["message"].is_string())
                    {
                        failures.push(format!(
                            "{op_id} as {who:?}: {status} without a JSON error body: {body}"
                        ));
                    }
                }
                // Over all hosts, a host-scoped operation needs what any other does.
                let access = match access {
                    Access::OnHosts(p) => Access::Requires(p),
                    a => a,
                };
                let expected_ok = match (access, who) {
                    (Access::Public, _) => None,
                    (
                        Access::Requires(_),
                        Who::Anonymous | Who::RevokedToken | Who::DisabledUser,
                    ) => Some(StatusCode::UNAUTHORIZED),
                    (Access::Requires(p), Who::Role(r)) if !r.allows(p) => {
                        Some(StatusCode::FORBIDDEN)
                    }
                    (Access::Requires(_), Who::Role(_)) => None,
                    // No user credential, valid or not, is an agent's signed token.
                    (Access::Agent, _) => Some(StatusCode::UNAUTHORIZED),
                    (Access::OnHosts(_), _) => unreachable!("mapped above"),
                };
                match expected_ok {
                    Some(want) if status != want => failures
                        .push(format!("{op_id} as {who:?}: expected {want}, got {status} {body}")),
                    None if status == StatusCode::FORBIDDEN
                        || (status == StatusCode::UNAUTHORIZED && access != Access::Public) =>
                    {
                        failures.push(format!(
                            "{op_id} as {who:?}: allowed by the table but got {status} {body}"
                        ))
                    }
                    _ => {}
                }
            }
        }
    }
    for (id, _) in OPERATIONS {
        if !seen.iter().any(|s| s == id) {
            failures.push(format!("{id} is in the permission table but not in the API"));
        }
    }
    assert!(seen.len() >= 20, "only {} operations found", seen.len());
    assert!(failures.is_empty(), "RBAC matrix failures:\n{}", failures.join("\n"));

    // Every 403 above was audited as a denial.
    let page: Value = admin
        .get("/api/v1/audit?action=access.denied&outcome=denied&limit=500")
        .await
        .json()
        .await
        .unwrap();
    let denied = page["items"].as_array().unwrap();
    assert!(
        denied
            .iter()
            .any(|e| e["actor_name"] == "m-viewer" && e["details"]["needs"] == "users_manage")
    );
    assert!(denied.iter().any(|e| e["details"]["reason"] == "API token revoked"));
    assert!(denied.iter().any(|e| e["details"]["reason"] == "user disabled"));
}

db_tests!(matrix);
