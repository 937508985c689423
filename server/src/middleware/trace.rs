//! Request ids and request spans: every log line written while serving a request carries its id,
//! and the id goes back to the client in `x-request-id` (and in error references). Ids are always made
//! here: one sent by a client is discarded, so nobody can plant ids (or text) in our logs.

use axum::extract::Request;
use tower_http::request_id::RequestId;
use tracing::Span;

pub fn make_span(request: &Request) -> Span {
    let request_id =
        request.extensions().get::<RequestId>().and_then(|id| id.header_value().to_str().ok()).unwrap_or("-");
    tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), request_id)
}

/// Removes a client-supplied `x-request-id`, so that the request-id layer always makes a fresh one.
pub async fn discard_client_request_id(mut request: Request) -> Request {
    request.headers_mut().remove("x-request-id");
    request
}
