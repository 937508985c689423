//! How middleware refuses a request: a JSON [`AppError`] for the WebAssembly client (which shows its
//! message), or a small HTML page for a browser posting a plain form.

use super::errors::error_page;
use app::error::AppError;
use axum::extract::Request;
use axum::response::{IntoResponse as _, Response};
use http::StatusCode;

pub fn refuse(request: &Request, status: StatusCode, error: AppError) -> Response {
    let wants_html = request
        .headers()
        .get(http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    if wants_html {
        let title = status.canonical_reason().unwrap_or("Refused");
        return error_page(status, title, &error.to_string());
    }
    let mut response = (status, axum::Json(error)).into_response();
    response.headers_mut().insert("serverfnerror", http::HeaderValue::from_static("middleware"));
    response
}
