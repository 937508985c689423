//! The answers the plain routes share (files, uploads, exports): an error as JSON for a script, a
//! refusal carried back to the form's page for a browser, and a file sent as a download that a browser
//! never renders as part of this site.

use crate::middleware::security_headers::DOWNLOAD_CSP;
use app::error::AppError;
use axum::Json;
use axum::body::Body;
use axum::response::{IntoResponse, Redirect, Response};
use http::{HeaderMap, HeaderValue, StatusCode, header};

/// The error as JSON under its own status: what a script calling the route gets.
pub fn error_json(error: AppError) -> Response {
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, Json(error)).into_response()
}

/// Whether the request is a form the browser posted itself (it accepts HTML), rather than a script.
pub fn from_browser_form(headers: &HeaderMap) -> bool {
    headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/html"))
}

/// Back to the form's page with the refusal (one of our closed error enums, as JSON) in `param`.
pub fn back_with_refusal(back: &str, param: &str, error: &AppError) -> Response {
    let json = serde_json::to_string(error).unwrap_or_default();
    let query: String = form_urlencoded::byte_serialize(json.as_bytes()).collect();
    Redirect::to(&format!("{back}?{param}={query}")).into_response()
}

/// `body` as a download: `Content-Disposition` as given (a name the caller has made safe), never
/// sniffed, rendered or cached.
pub fn download(body: Body, content_type: HeaderValue, disposition: &str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, content_type);
    if let Ok(value) = HeaderValue::from_str(disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(DOWNLOAD_CSP));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
