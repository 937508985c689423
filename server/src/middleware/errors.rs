//! Responses for failures outside the app's own pages: panics and timeouts. They say what happened
//! in plain words and nothing about the internals.

use axum::body::Body;
use axum::response::{IntoResponse as _, Response};
use http::StatusCode;

/// A self-contained HTML page (no scripts, no external resources) for errors.
pub fn error_page(status: StatusCode, title: &str, message: &str) -> Response {
    let html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title} · Strongroom</title></head>\
         <body><main><h1>{title}</h1><p>{message}</p><p><a href=\"/\">Go to the home page</a></p></main></body></html>"
    );
    (status, [(http::header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
}

/// `CatchPanicLayer` handler: the panic's message goes to the log only.
pub fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> Response<Body> {
    let detail = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("non-string panic payload");
    tracing::error!(panic = detail, "request handler panicked");
    error_page(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong",
        "An unexpected error occurred on our side. It has been logged; please try again.",
    )
}
