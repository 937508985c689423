//! The router: which path goes where, and the middleware stack around it.

mod answers;
mod attachments;
mod billing;
mod dev;
mod exports;
mod health;
mod sandbox;
mod sandbox_iyzico;
mod site;
mod unsubscribe;

use crate::middleware::{client_ip, csrf, errors, intrusion, locale, rate_limit, security_headers, trace, zone};
use crate::state::AppState;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use domain::session_store::SessionBackend;
use http::StatusCode;
use std::time::Duration;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate as _};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

pub fn router(state: AppState) -> Router {
    let header_policy = state.header_policy;
    let max_body_bytes = state.max_body_bytes;
    let timeout = state.request_timeout;
    let proxies = state.trusted_proxies.clone();
    let csrf_policy = state.csrf.clone();
    let rate_limits = state.rate_limits.clone();
    let intrusion = state.intrusion.clone();
    let account_limits =
        rate_limit::AccountLimits { limits: state.rate_limits.clone(), platform: state.platform.clone() };
    let sessions = session_layer(&state);
    let mut routes = Router::new()
        .merge(health::routes())
        .merge(exports::routes())
        .merge(attachments::download_routes())
        .merge(site::routes(&state));
    if state.dev_mode {
        routes = routes.merge(dev::routes());
    }
    // The payment providers' routes: outside the session and CSRF layers (they verify themselves).
    // One-click unsubscribing from notification mail (RFC 8058) is the same: the link is signed.
    let mut providers = billing::routes().merge(unsubscribe::routes());
    if state.dev_mode && state.platform.billing().is_sandbox() {
        providers = providers.merge(sandbox::routes());
    }
    let providers = providers.with_state(state.clone());
    // Attachment uploads (DATA4): the same session, CSRF and locale layers, but their own body limit
    // (the largest file plus the form around it) instead of everyone else's.
    let upload_bytes = state.upload_body_bytes;
    let upload_csrf = std::sync::Arc::new(csrf::CsrfPolicy { max_body_bytes: upload_bytes, ..(*state.csrf).clone() });
    let uploads = attachments::upload_routes()
        .with_state(state.clone())
        .layer(axum::middleware::from_fn_with_state(upload_csrf, csrf::csrf))
        .layer(axum::middleware::from_fn(locale::locale))
        .layer(axum::middleware::from_fn_with_state(account_limits.clone(), rate_limit::by_account))
        .layer(sessions.clone())
        .layer(RequestBodyLimitLayer::new(upload_bytes))
        .layer(DefaultBodyLimit::max(upload_bytes));
    let metrics = state.metrics;
    let platform = state.platform.clone();
    let routes = routes.with_state(state);

    // Each `layer` wraps everything before it, so the last one added sees a request first. Every
    // response, errors from the inner layers included, gets the security headers and a request id.
    let routes = routes
        .layer(axum::middleware::from_fn_with_state(csrf_policy, csrf::csrf))
        .layer(axum::middleware::from_fn_with_state(platform, zone::zone))
        .layer(axum::middleware::from_fn(locale::locale))
        .layer(axum::middleware::from_fn_with_state(account_limits, rate_limit::by_account))
        .layer(sessions)
        .merge(providers)
        .layer(RequestBodyLimitLayer::new(max_body_bytes))
        .layer(DefaultBodyLimit::max(max_body_bytes))
        .merge(uploads)
        .layer(axum::middleware::from_fn_with_state(rate_limits, rate_limit::by_address))
        .layer(axum::middleware::from_fn_with_state(intrusion, intrusion::detect))
        .layer(axum::middleware::from_fn_with_state(proxies, client_ip::client_ip))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, timeout))
        .layer(CatchPanicLayer::custom(errors::panic_response));
    // Requests are measured only where Prometheus scrapes them (`metrics_addr`).
    let routes =
        if metrics { routes.layer(axum::middleware::from_fn(crate::metrics::record_requests)) } else { routes };
    routes
        // Pages and JSON are compressed on the fly (brotli or gzip, as the browser accepts); the built
        // assets under /pkg are served precompressed and pass through untouched. Pages carry the CSRF
        // token only masked afresh per response (`csrf_mask`), so compression does not leak it (BREACH).
        // A portable export is a zip, compressed already.
        .layer(
            CompressionLayer::new()
                .br(true)
                .gzip(true)
                .no_deflate()
                .no_zstd()
                .compress_when(DefaultPredicate::new().and(NotForContentType::const_new("application/zip"))),
        )
        .layer(axum::middleware::from_fn_with_state(header_policy, security_headers::security_headers))
        .layer(TraceLayer::new_for_http().make_span_with(trace::make_span))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .layer(axum::middleware::map_request(trace::discard_client_request_id))
}

/// Every path `router` serves, as axum spells it. axum has no API to list routes, but its `Debug` output
/// names every registered path (`RouteId(n): "/path"`): reading it keeps the tenant-isolation test's
/// inventory tied to the real router, so a new route nobody listed fails that test.
pub fn served_paths<S>(router: &Router<S>) -> std::collections::BTreeSet<String> {
    let debug = format!("{router:?}");
    debug
        .split("RouteId(")
        .skip(1)
        .filter_map(|part| {
            part.split_once("): \"").and_then(|(_, rest)| rest.split_once('"')).map(|(p, _)| p.to_owned())
        })
        .collect()
}

/// Server-side sessions (ID8): a `__Host-` cookie, HttpOnly, Secure, SameSite=Lax, kept only while the
/// browser runs; the data lives in the control-plane database, or in Redis when configured. The idle and
/// absolute limits of a signed-in session are enforced on every request by `domain::identity::sessions`,
/// which needs no cookie refresh (refreshing a `Max-Age` would mean writing the session on every request).
fn session_layer(state: &AppState) -> SessionManagerLayer<SessionBackend> {
    SessionManagerLayer::new(state.platform.session_store())
        .with_name(SESSION_COOKIE)
        .with_secure(true)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_path("/")
        .with_expiry(Expiry::OnSessionEnd)
}

/// The session cookie's name. `__Host-` makes browsers refuse it unless it is Secure, host-only and `Path=/`.
pub const SESSION_COOKIE: &str = "__Host-strongroom-session";

/// How long to wait for in-flight requests when shutting down.
pub const GRACEFUL_SHUTDOWN: Duration = Duration::from_secs(10);

/// Room for the rest of an upload form beside the file.
pub const UPLOAD_FORM_OVERHEAD: usize = attachments::FORM_OVERHEAD;
