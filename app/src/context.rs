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
