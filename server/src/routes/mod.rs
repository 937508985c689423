//! The router: which path goes where, and the middleware stack around it.

mod health;
mod site;

use crate::middleware::{errors, security_headers, trace};
use crate::state::AppState;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use http::StatusCode;
use std::time::Duration;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub fn router(state: AppState) -> Router {
    let header_policy = state.header_policy;
    let max_body_bytes = state.max_body_bytes;
    let timeout = state.request_timeout;
    let routes = Router::new().merge(health::routes()).merge(site::routes(&state)).with_state(state);

    // Each `layer` wraps everything before it, so the last one added sees a request first. Every
    // response, errors from the inner layers included, gets the security headers and a request id.
    routes
        .layer(RequestBodyLimitLayer::new(max_body_bytes))
        .layer(DefaultBodyLimit::max(max_body_bytes))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, timeout))
        .layer(CatchPanicLayer::custom(errors::panic_response))
        .layer(axum::middleware::from_fn_with_state(header_policy, security_headers::security_headers))
        .layer(TraceLayer::new_for_http().make_span_with(trace::make_span))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .layer(axum::middleware::map_request(trace::discard_client_request_id))
}

/// How long to wait for in-flight requests when shutting down.
pub const GRACEFUL_SHUTDOWN: Duration = Duration::from_secs(10);
