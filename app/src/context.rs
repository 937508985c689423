//! What the server hands to server functions and pages through Leptos context (server only).
//!
//! The `server` crate builds one [`AppContext`] at start-up and provides it to every render and
//! server-function call; code here reads it with [`app_context`], never from function arguments.

use crate::error::{AppError, Reference};
use domain::Platform;
use leptos::prelude::*;
use std::sync::Arc;

/// The request header that carries the request id (set by the server's request-id layer).
pub const REQUEST_ID_HEADER: &str = "x-request-id";

#[derive(Clone)]
pub struct AppContext {
    pub platform: Arc<Platform>,
}

/// The server's context, or an internal error if a route was wired without it.
pub fn app_context() -> Result<AppContext, AppError> {
    use_context::<AppContext>().ok_or_else(|| {
        let reference = request_id();
        tracing::error!(%reference, "AppContext missing from Leptos context");
        AppError::Internal { reference: Reference::parse(&reference).unwrap_or_else(Reference::unknown) }
    })
}

/// The id of the request being served, for log correlation and error references.
pub fn request_id() -> String {
    use_context::<http::request::Parts>()
        .and_then(|parts| parts.headers.get(REQUEST_ID_HEADER)?.to_str().ok().map(str::to_owned))
        .unwrap_or_else(|| "-".to_owned())
}

/// Whether this request is a form posted by the browser itself (no WebAssembly): such a post must be
/// answered with a redirect, which Leptos does, and its status must not be touched.
pub fn is_plain_form_post() -> bool {
    use_context::<http::request::Parts>()
        .and_then(|parts| parts.headers.get(http::header::ACCEPT)?.to_str().ok().map(|v| v.contains("text/html")))
        .unwrap_or(false)
}

/// Sets the response status of a failed server-function call (instead of Leptos's blanket 500), so
/// logs and monitoring tell a refused input from a server fault.
pub fn set_error_status(error: &AppError) {
    if is_plain_form_post() {
        return;
    }
    if let (Some(response), Ok(status)) =
        (use_context::<leptos_axum::ResponseOptions>(), http::StatusCode::from_u16(error.status()))
    {
        response.set_status(status);
    }
}

/// The client's address, as the server's client-address middleware determined it (from a trusted
/// proxy's `X-Forwarded-For`, else the peer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub std::net::IpAddr);

/// Keys of the values kept in the server-side session.
pub mod session_keys {
    /// The `auth_sessions` row of a signed-in session.
    pub const AUTH: &str = "auth";
    /// A sign-in waiting for its second factor.
    pub const PENDING_SIGN_IN: &str = "pending_sign_in";
    /// The session's CSRF token.
    pub const CSRF: &str = "csrf";
    /// The signed-in user's saved language (copied from the account at sign-in and when changed).
    pub const LOCALE: &str = "locale";
    /// The signed-in user's saved time zone (copied from the account at sign-in and when changed).
    pub const TIME_ZONE: &str = "time_zone";
    /// Recovery codes just made, shown once.
    pub const FRESH_RECOVERY_CODES: &str = "fresh_recovery_codes";
}

/// The name of the hidden form field (and server-function argument) carrying the CSRF token.
pub const CSRF_FIELD: &str = "_csrf_token";
/// The cookie that recognises a browser across sign-ins (for "new device" checks).
pub const DEVICE_COOKIE: &str = "__Host-strongroom-device";

/// This session's CSRF token, put into a page's request by the server's CSRF middleware so that forms
/// can carry it (see `components::CsrfField`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsrfToken(pub String);
