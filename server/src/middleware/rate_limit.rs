//! Per-address request rates for the identity endpoints (WEB3): a cheap first line in front of the
//! database-backed failure counters, which are the defence that holds across servers.

use super::refusal::refuse;
use app::context::ClientIp;
use app::error::AppError;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use http::StatusCode;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

/// Paths under this prefix are rate limited.
pub const LIMITED_PREFIX: &str = "/rpc/auth/";

#[derive(Clone)]
pub struct AuthRateLimit(Arc<DefaultKeyedRateLimiter<IpAddr>>);

impl AuthRateLimit {
    pub fn per_minute(requests: u32) -> Self {
        let per_minute = NonZeroU32::new(requests).unwrap_or(NonZeroU32::MIN);
        Self(Arc::new(RateLimiter::keyed(Quota::per_minute(per_minute))))
    }
}

pub async fn rate_limit(State(limit): State<AuthRateLimit>, request: Request, next: Next) -> Response {
    if !request.uri().path().starts_with(LIMITED_PREFIX) {
        return next.run(request).await;
    }
    let ip = request.extensions().get::<ClientIp>().map_or(IpAddr::from([0, 0, 0, 0]), |ClientIp(ip)| *ip);
    if limit.0.check_key(&ip).is_err() {
        tracing::warn!(%ip, path = %request.uri().path(), "identity endpoint rate limit reached");
        let mut response =
            refuse(&request, StatusCode::TOO_MANY_REQUESTS, AppError::Auth(model::AuthFailure::RateLimited));
        response.headers_mut().insert(http::header::RETRY_AFTER, http::HeaderValue::from_static("60"));
        return response;
    }
    next.run(request).await
}
