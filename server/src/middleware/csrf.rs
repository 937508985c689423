//! CSRF protection (WEB2) for every state-changing request: the `Origin` (or, failing that, the
//! `Referer`) must be this site, and the request must carry the session's CSRF token, either in the
//! `x-csrf-token` header or, for form posts, in the `_csrf_token` field (the one every form renders,
//! whether or not WebAssembly is running; in a `multipart/form-data` upload form it is read the same
//! way, from the form's fields).
//!
//! Where the token lives: a signed-in browser's token is in its server-side session (new at every
//! sign-in, see `app::auth::establish`). An anonymous visitor gets no server-side record at all (a page
//! view must not cost a database row, L1): its token is a signed double-submit cookie, `R.MAC(R)` with a
//! key derived from the master key, HttpOnly and `__Host-`; the same value goes into the page's forms, and
//! a state-changing request must present it and carry a validly signed cookie with the same value. Once
//! the session holds a token, only that one counts, and the anonymous cookie is dropped at the next page,
//! so a token known from before sign-in is worth nothing after it, or after sign-out.

use super::refusal::refuse;
use app::context::{CSRF_FIELD, CsrfToken, session_keys};
use app::error::AppError;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use domain::crypto::{KeyPurpose, Keys};
use http::header::{CONTENT_TYPE, COOKIE, HOST, ORIGIN, REFERER, SET_COOKIE};
use http::{HeaderValue, Method, StatusCode};
use std::sync::Arc;
use tower_sessions::Session;
use url::Url;

pub const CSRF_HEADER: &str = "x-csrf-token";
/// The anonymous visitor's signed token. `__Host-`: Secure, host-only, `Path=/`, so no other site or
/// subdomain can plant one.
pub const CSRF_COOKIE: &str = "__Host-strongroom-csrf";

#[derive(Clone)]
pub struct CsrfPolicy {
    /// `scheme://host[:port]` of the site; `None`: compare with the request's own `Host`.
    pub public_origin: Option<String>,
    pub max_body_bytes: usize,
    /// Signs and checks the anonymous cookie ([`KeyPurpose::CsrfCookie`]).
    pub keys: Arc<Keys>,
}

impl CsrfPolicy {
    fn sign(&self, random: &str) -> String {
        format!("{random}.{}", self.keys.mac(KeyPurpose::CsrfCookie, &[random.as_bytes()]))
    }

    /// The token in a cookie value, if we signed it.
    fn verified<'a>(&self, value: &'a str) -> Option<&'a str> {
        let (random, mac) = value.split_once('.')?;
        let expected = self.keys.mac(KeyPurpose::CsrfCookie, &[random.as_bytes()]);
        domain::crypto::mac_matches(&expected, mac).then_some(value)
    }

    /// The request's anonymous token, if it carries a validly signed cookie.
    fn cookie_token(&self, request: &Request) -> Option<String> {
        let value = request
            .headers()
            .get_all(COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(cookie::Cookie::split_parse)
            .filter_map(Result::ok)
            .find(|c| c.name() == CSRF_COOKIE)?
            .value()
            .to_owned();
        self.verified(&value).map(str::to_owned)
    }
}

/// What to do with the anonymous cookie on the way out.
enum CookieChange {
    None,
    Set(String),
    Remove,
}

fn csrf_cookie(change: CookieChange) -> Option<HeaderValue> {
    let builder = match change {
        CookieChange::None => return None,
        CookieChange::Set(value) => cookie::Cookie::build((CSRF_COOKIE, value)),
        CookieChange::Remove => cookie::Cookie::build((CSRF_COOKIE, "")).max_age(cookie::time::Duration::ZERO),
    };
    let cookie = builder.path("/").secure(true).http_only(true).same_site(cookie::SameSite::Lax).build();
    HeaderValue::from_str(&cookie.to_string()).ok()
}

pub async fn csrf(State(policy): State<Arc<CsrfPolicy>>, mut request: Request, next: Next) -> Response {
    let Some(session) = request.extensions().get::<Session>().cloned() else {
        tracing::error!("CSRF middleware runs outside the session layer");
        return refuse(&request, StatusCode::INTERNAL_SERVER_ERROR, AppError::BadRequest);
    };
    if matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        if !wants_html(&request) {
            return next.run(request).await;
        }
        let cookie = policy.cookie_token(&request);
        let (token, change) = match session_token(&session).await {
            Err(()) => return refuse(&request, StatusCode::SERVICE_UNAVAILABLE, AppError::BadRequest),
            Ok(Some(token)) => (token, if cookie.is_some() { CookieChange::Remove } else { CookieChange::None }),
            Ok(None) => match cookie {
                Some(token) => (token, CookieChange::None),
                None => {
                    let token = policy.sign(&domain::crypto::random_token());
                    (token.clone(), CookieChange::Set(token))
                }
            },
        };
        // Pages are compressed: they only ever carry a freshly masked form of the token (BREACH).
        request.extensions_mut().insert(CsrfToken(super::csrf_mask::mask(&token)));
        let mut response = next.run(request).await;
        if let Some(value) = csrf_cookie(change) {
            response.headers_mut().append(SET_COOKIE, value);
        }
        return response;
    }
    if !same_origin(&request, &policy) {
        tracing::warn!(origin = ?request.headers().get(ORIGIN), "cross-origin state-changing request refused");
        return refuse(&request, StatusCode::FORBIDDEN, AppError::CsrfRejected);
    }
    let expected = match session_token(&session).await {
        Ok(Some(token)) => Some(token),
        Ok(None) => policy.cookie_token(&request),
        Err(()) => return refuse(&request, StatusCode::SERVICE_UNAVAILABLE, AppError::BadRequest),
    };
    let Some(expected) = expected else {
        return refuse(&request, StatusCode::FORBIDDEN, AppError::CsrfRejected);
    };
    let header = request.headers().get(CSRF_HEADER).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let content_type = request.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let is_form = content_type.starts_with("application/x-www-form-urlencoded");
    let boundary =
        content_type.starts_with("multipart/form-data").then(|| multer::parse_boundary(content_type).ok()).flatten();
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, policy.max_body_bytes).await else {
        let request = Request::from_parts(parts, Body::empty());
        return refuse(&request, StatusCode::PAYLOAD_TOO_LARGE, AppError::BadRequest);
    };
    let mut presented = header.or_else(|| {
        is_form
            .then(|| {
                form_urlencoded::parse(&bytes).find(|(name, _)| name == CSRF_FIELD).map(|(_, value)| value.into_owned())
            })
            .flatten()
    });
    if presented.is_none()
        && let Some(boundary) = boundary
    {
        presented = multipart_token(bytes.clone(), boundary).await;
    }
    let request = Request::from_parts(parts, Body::from(bytes));
    match presented {
        Some(token) if super::csrf_mask::unmask(&token).is_some_and(|token| tokens_match(&expected, &token)) => {
            next.run(request).await
        }
        _ => {
            tracing::warn!(path = %request.uri().path(), "request without a valid CSRF token refused");
            refuse(&request, StatusCode::FORBIDDEN, AppError::CsrfRejected)
        }
    }
}

/// The `_csrf_token` field of a multipart form, if it has one (forms render it first).
async fn multipart_token(bytes: axum::body::Bytes, boundary: String) -> Option<String> {
    let mut form = multer::Multipart::new(Body::from(bytes).into_data_stream(), boundary);
    while let Ok(Some(field)) = form.next_field().await {
        if field.name() == Some(CSRF_FIELD) {
            return field.text().await.ok();
        }
    }
    None
}

fn tokens_match(expected: &str, presented: &str) -> bool {
    use subtle::ConstantTimeEq as _;
    expected.len() == presented.len() && bool::from(expected.as_bytes().ct_eq(presented.as_bytes()))
}

fn wants_html(request: &Request) -> bool {
    request.headers().get(http::header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/html"))
}

/// The signed-in session's token, if the session has one. Reading never creates a session record.
async fn session_token(session: &Session) -> Result<Option<String>, ()> {
    session.get::<String>(session_keys::CSRF).await.map_err(|error| {
        tracing::error!(%error, "session store unavailable");
    })
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

    fn policy(public_origin: Option<&str>) -> CsrfPolicy {
        let master = domain::crypto::MasterKey::generate();
        CsrfPolicy {
            public_origin: public_origin.map(str::to_owned),
            max_body_bytes: 1024,
            keys: Arc::new(Keys::derive(&master)),
        }
    }

    #[test]
    fn only_cookies_we_signed_count() {
        let ours = policy(None);
        let token = ours.sign("abc");
        assert_eq!(ours.verified(&token), Some(token.as_str()));
        assert_eq!(ours.verified("abc"), None, "unsigned");
        assert_eq!(ours.verified(&token.replace("abc", "abd")), None, "another value under our MAC");
        assert_eq!(policy(None).verified(&token), None, "signed with another master key");
    }

    #[test]
    /// Proves: WEB2
    fn origins_are_compared_exactly() {
        let configured = policy(Some("https://app.example"));
        assert!(same_origin(&request(&[("origin", "https://app.example")]), &configured));
        assert!(!same_origin(&request(&[("origin", "https://app.example.evil.test")]), &configured));
        assert!(!same_origin(&request(&[("origin", "http://app.example")]), &configured));
        assert!(!same_origin(&request(&[("origin", "null")]), &configured));
        assert!(!same_origin(&request(&[]), &configured), "no Origin and no Referer");
        assert!(same_origin(&request(&[("referer", "https://app.example/signin?x=1")]), &configured));

        let by_host = policy(None);
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
