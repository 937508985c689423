//! `/healthz` (the process answers) and `/readyz` (it can serve: databases and, when configured, Redis reachable).
//! Readiness failures are logged in detail; the public body only names the failing component.

use crate::state::AppState;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use http::StatusCode;
use serde_json::json;

pub const HEALTH: &str = "/healthz";
pub const READY: &str = "/readyz";

pub fn routes() -> Router<AppState> {
    Router::new().route(HEALTH, get(healthz)).route(READY, get(readyz))
}

async fn healthz() -> impl IntoResponse {
    ([(http::header::CACHE_CONTROL, "no-store")], Json(json!({ "status": "ok" })))
}

async fn readyz(State(state): State<AppState>) -> Response {
    let readiness = state.platform.readiness().await;
    let component = |result: &Result<(), String>, name: &str| match result {
        Ok(()) => "ok",
        Err(detail) => {
            tracing::warn!(component = name, %detail, "not ready");
            "unavailable"
        }
    };
    let body = json!({
        "status": if readiness.is_ready() { "ok" } else { "unavailable" },
        "checks": {
            "control_database": component(&readiness.control, "control_database"),
            "tenant_storage": component(&readiness.tenant_storage, "tenant_storage"),
            "session_store": component(&readiness.session_store, "session_store"),
        }
    });
    let status = if readiness.is_ready() { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, [(http::header::CACHE_CONTROL, "no-store")], Json(body)).into_response()
}
