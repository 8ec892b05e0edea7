//! HTTP plumbing around the API: the request middleware (request id, log span, body
//! limit, security headers, JSON errors), health endpoints and the embedded web app.

pub mod middleware;
pub mod proxy;
pub mod serve;
pub mod spa;
pub mod tls;

use crate::codes::Code;
use poem::{
    IntoResponse, handler,
    http::StatusCode,
    web::{Data, Json},
};
use serde_json::json;

use crate::app::AppState;

/// Liveness: the process answers.
#[handler]
pub fn healthz() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

/// Readiness: the database answers too.
#[handler]
pub async fn readyz(state: Data<&AppState>) -> poem::Response {
    match state.store.ping().await {
        Ok(()) => Json(json!({ "status": "ready" })).into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "code": Code::NotReady, "message": "The database is not reachable.", "details": {} })),
            )
                .into_response()
        }
    }
}
