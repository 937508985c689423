//! CSRF protection (WEB2) for every state-changing request: the `Origin` (or, failing that, the
//! `Referer`) must be this site, and the request must carry the session's CSRF token, either in the
//! `x-csrf-token` header or, for form posts, in the `_csrf_token` field (the one every form renders,
//! whether or not WebAssembly is running). Pages loaded with GET get a token made for their session.

use super::refusal::refuse;
use app::context::{CSRF_FIELD, CsrfToken, session_keys};
use app::error::AppError;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::header::{CONTENT_TYPE, HOST, ORIGIN, REFERER};
use http::{Method, StatusCode};
use std::sync::Arc;
use tower_sessions::Session;
use url::Url;

pub const CSRF_HEADER: &str = "x-csrf-token";

#[derive(Debug, Clone)]
pub struct CsrfPolicy {
    /// `scheme://host[:port]` of the site; `None`: compare with the request's own `Host`.
    pub public_origin: Option<String>,
    pub max_body_bytes: usize,
}

pub async fn csrf(State(policy): State<Arc<CsrfPolicy>>, mut request: Request, next: Next) -> Response {
    let Some(session) = request.extensions().get::<Session>().cloned() else {
        tracing::error!("CSRF middleware runs outside the session layer");
        return refuse(&request, StatusCode::INTERNAL_SERVER_ERROR, AppError::BadRequest);
    };
    if matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        if wants_html(&request) {
            match session_token(&session, true).await {
                Some(token) => {
                    request.extensions_mut().insert(CsrfToken(token));
                }
                None => return refuse(&request, StatusCode::SERVICE_UNAVAILABLE, AppError::BadRequest),
            }
        }
        return next.run(request).await;
    }
    if !same_origin(&request, &policy) {
        tracing::warn!(origin = ?request.headers().get(ORIGIN), "cross-origin state-changing request refused");
        return refuse(&request, StatusCode::FORBIDDEN, AppError::CsrfRejected);
    }
    let Some(expected) = session_token(&session, false).await else {
        return refuse(&request, StatusCode::FORBIDDEN, AppError::CsrfRejected);
    };
    let header = request.headers().get(CSRF_HEADER).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let is_form = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, policy.max_body_bytes).await else {
        let request = Request::from_parts(parts, Body::empty());
        return refuse(&request, StatusCode::PAYLOAD_TOO_LARGE, AppError::BadRequest);
    };
    let presented = header.or_else(|| {
        is_form
            .then(|| {
                form_urlencoded::parse(&bytes).find(|(name, _)| name == CSRF_FIELD).map(|(_, value)| value.into_owned())
            })
            .flatten()
    });
    let request = Request::from_parts(parts, Body::from(bytes));
    match presented {
        Some(token) if tokens_match(&expected, &token) => next.run(request).await,
        _ => {
            tracing::warn!(path = %request.uri().path(), "request without a valid CSRF token refused");
            refuse(&request, StatusCode::FORBIDDEN, AppError::CsrfRejected)
        }
    }
}

fn tokens_match(expected: &str, presented: &str) -> bool {
    use subtle::ConstantTimeEq as _;
    expected.len() == presented.len() && bool::from(expected.as_bytes().ct_eq(presented.as_bytes()))
}

fn wants_html(request: &Request) -> bool {
    request.headers().get(http::header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/html"))
}

/// The session's token; with `create`, one is made if the session has none.
async fn session_token(session: &Session, create: bool) -> Option<String> {
    match session.get::<String>(session_keys::CSRF).await {
        Ok(Some(token)) => Some(token),
        Ok(None) if create => {
            let token = domain::crypto::random_token();
            session.insert(session_keys::CSRF, &token).await.ok()?;
            Some(token)
        }
        Ok(None) => None,
        Err(error) => {
            tracing::error!(%error, "session store unavailable");
            None
        }
    }
}

fn same_origin(request: &Request, policy: &CsrfPolicy) -> bool {
    let headers = request.headers();
    let claimed = match headers.get(ORIGIN).and_then(|v| v.to_str().ok()) {
        Some("null") => return false,
        Some(origin) => Url::parse(origin).ok(),
        None => headers.get(REFERER).and_then(|v| v.to_str().ok()).and_then(|r| Url::parse(r).ok()),
    };
    let Some(claimed) = claimed else { return false };
    let claimed_origin = claimed.origin().ascii_serialization();
    match &policy.public_origin {
        Some(expected) => &claimed_origin == expected,
        None => {
            let host = headers.get(HOST).and_then(|v| v.to_str().ok()).unwrap_or_default();
            claimed.host_str().is_some()
                && claimed_origin.split_once("://").is_some_and(|(_, authority)| authority == host)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(headers: &[(&str, &str)]) -> Request {
        let mut builder = Request::builder().method(Method::POST).uri("/rpc/x");
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        builder.body(Body::empty()).unwrap()
    }

    #[test]
    /// Proves: WEB2
    fn origins_are_compared_exactly() {
        let configured = CsrfPolicy { public_origin: Some("https://app.example".into()), max_body_bytes: 1024 };
        assert!(same_origin(&request(&[("origin", "https://app.example")]), &configured));
        assert!(!same_origin(&request(&[("origin", "https://app.example.evil.test")]), &configured));
        assert!(!same_origin(&request(&[("origin", "http://app.example")]), &configured));
        assert!(!same_origin(&request(&[("origin", "null")]), &configured));
        assert!(!same_origin(&request(&[]), &configured), "no Origin and no Referer");
        assert!(same_origin(&request(&[("referer", "https://app.example/signin?x=1")]), &configured));

        let by_host = CsrfPolicy { public_origin: None, max_body_bytes: 1024 };
        assert!(same_origin(&request(&[("host", "127.0.0.1:3000"), ("origin", "http://127.0.0.1:3000")]), &by_host));
        assert!(!same_origin(&request(&[("host", "127.0.0.1:3000"), ("origin", "http://127.0.0.1:4000")]), &by_host));
    }

    #[test]
    /// Proves: WEB2
    fn token_comparison_needs_equal_length_and_bytes() {
        assert!(tokens_match("abc", "abc"));
        assert!(!tokens_match("abc", "abd"));
        assert!(!tokens_match("abc", "ab"));
    }
}
