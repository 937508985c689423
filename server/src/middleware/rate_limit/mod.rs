//! Request rates per endpoint class (WEB3): a cheap first line in front of the database-backed failure
//! counters, which are the defence that holds across servers.
//!
//! Every class (sign-in, emailed codes, sign-up, account, workspace actions, invitations, exports) has a
//! limit per client address and, when the caller is signed in, per account. Addresses are counted like
//! the failure counters count them: IPv4 as is, IPv6 by its /64 (one subscriber usually holds a whole
//! /64, so counting single addresses would let them rotate through 2^64 keys). Keys that have been idle
//! long enough to be full again are forgotten on a timer, so memory follows the active clients.
//! A refusal's `Retry-After` is the limiter's own answer: when the next request would pass.
//!
//! With several servers sharing Redis (sessions there), the buckets live in Redis ([`shared`]) and a
//! limit holds in total. Should Redis not answer, each server falls back to its own buckets: a limit per
//! server is weaker, but still a limit, and sign-in keeps working.

pub mod shared;

use self::shared::SharedBuckets;

use super::refusal::refuse;
use app::context::{ClientIp, session_keys};
use app::error::AppError;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use domain::Platform;
use domain::ids::{AuthSessionId, UserId};
use governor::clock::Clock as _;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use http::StatusCode;
use std::hash::Hash;
use std::net::{IpAddr, Ipv6Addr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;
use tower_sessions::Session;

/// The kinds of endpoints, each with limits of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndpointClass {
    /// `/rpc/auth/*` except the ones below (sign-in, sign-out).
    SignIn,
    /// Emailed codes and links: second factor, sending and using codes, password reset, verification.
    Codes,
    SignUp,
    /// `/rpc/account/*`.
    Account,
    /// Every other server function: workspaces, administration, purchasing, the session.
    Workspace,
    /// Sending, revoking, previewing and accepting invitations.
    Invitations,
    /// The audit-log CSV.
    Exports,
}

impl EndpointClass {
    pub const ALL: [Self; 7] =
        [Self::SignIn, Self::Codes, Self::SignUp, Self::Account, Self::Workspace, Self::Invitations, Self::Exports];

    /// The class of a request path; `None` for pages, assets and health checks.
    pub fn of(path: &str) -> Option<Self> {
        if path.starts_with("/w/") && path.ends_with(".csv") {
            return Some(Self::Exports);
        }
        // Signed links to an order (DATA5), the page and its function: links, counted like emailed ones.
        if path.starts_with("/confirmation/") || path == "/rpc/public/order-confirmation" {
            return Some(Self::Codes);
        }
        // Unsubscribe links (UX4): the page's functions and the one-click address, counted the same way.
        if path.starts_with("/mail/unsubscribe/") || path.starts_with("/rpc/public/mail-subscription") {
            return Some(Self::Codes);
        }
        // Attachment uploads and downloads (DATA4).
        if path.starts_with("/w/") && path.contains("/attachments") {
            return Some(Self::Workspace);
        }
        let function = path.strip_prefix("/rpc/")?;
        Some(match function {
            "auth/sign-up" => Self::SignUp,
            "auth/second-factor"
            | "auth/resend-code"
            | "auth/request-code"
            | "auth/sign-in-with-code"
            | "auth/request-reset"
            | "auth/reset"
            | "auth/verify-email" => Self::Codes,
            f if f.starts_with("auth/") => Self::SignIn,
            f if f.starts_with("account/") => Self::Account,
            f if f.starts_with("invitations/") || f == "admin/invite" || f.starts_with("admin/invitations/") => {
                Self::Invitations
            }
            _ => Self::Workspace,
        })
    }

    fn index(self) -> usize {
        self as usize
    }

    /// A short name for bucket keys in Redis.
    fn key_name(self) -> &'static str {
        match self {
            Self::SignIn => "sign-in",
            Self::Codes => "codes",
            Self::SignUp => "sign-up",
            Self::Account => "account",
            Self::Workspace => "workspace",
            Self::Invitations => "invitations",
            Self::Exports => "exports",
        }
    }

    /// The configuration keys of this class's limits, for messages.
    pub fn config_keys(self) -> &'static str {
        match self {
            Self::SignIn => "auth_requests_per_minute / auth_requests_per_account_per_minute",
            Self::Codes => "code_requests_per_minute / code_requests_per_account_per_minute",
            Self::SignUp => "sign_up_requests_per_minute / sign_up_requests_per_account_per_minute",
            Self::Account => "account_requests_per_minute / account_requests_per_account_per_minute",
            Self::Workspace => "workspace_requests_per_minute / workspace_requests_per_account_per_minute",
            Self::Invitations => "invitation_requests_per_minute / invitation_requests_per_account_per_minute",
            Self::Exports => "export_requests_per_minute / export_requests_per_account_per_minute",
        }
    }
}

/// Requests per minute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub per_address: u32,
    pub per_account: u32,
}

/// The limit of every class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitSettings {
    pub sign_in: Limit,
    pub codes: Limit,
    pub sign_up: Limit,
    pub account: Limit,
    pub workspace: Limit,
    pub invitations: Limit,
    pub exports: Limit,
}

impl RateLimitSettings {
    pub fn get(&self, class: EndpointClass) -> Limit {
        match class {
            EndpointClass::SignIn => self.sign_in,
            EndpointClass::Codes => self.codes,
            EndpointClass::SignUp => self.sign_up,
            EndpointClass::Account => self.account,
            EndpointClass::Workspace => self.workspace,
            EndpointClass::Invitations => self.invitations,
            EndpointClass::Exports => self.exports,
        }
    }
}

struct ClassLimiters {
    by_address: DefaultKeyedRateLimiter<IpAddr>,
    by_account: DefaultKeyedRateLimiter<UserId>,
}

struct Inner {
    settings: RateLimitSettings,
    /// The buckets in Redis, when servers share it; `classes` then only stand in while Redis is down.
    shared: Option<SharedBuckets>,
    classes: Vec<ClassLimiters>,
    /// Which user a signed-in session belongs to (it never changes), so the per-account limit costs no
    /// database read after a session's first limited request.
    owners: quick_cache::sync::Cache<AuthSessionId, UserId>,
}

/// The limiters of every class, shared by all requests.
#[derive(Clone)]
pub struct RateLimits(Arc<Inner>);

impl RateLimits {
    /// Limits counted in this server only.
    pub fn per_minute(settings: &RateLimitSettings) -> Self {
        Self::build(settings, None, per_minute)
    }

    /// Limits counted in Redis, shared with every server using the same buckets.
    pub fn shared(settings: &RateLimitSettings, buckets: SharedBuckets) -> Self {
        Self::build(settings, Some(buckets), per_minute)
    }

    /// Local limiters with quotas made by `quota` from each per-minute number (tests use shorter periods).
    pub fn with_quota(settings: &RateLimitSettings, quota: impl Fn(u32) -> Quota) -> Self {
        Self::build(settings, None, quota)
    }

    fn build(settings: &RateLimitSettings, shared: Option<SharedBuckets>, quota: impl Fn(u32) -> Quota) -> Self {
        let classes = EndpointClass::ALL
            .iter()
            .map(|class| {
                let limit = settings.get(*class);
                ClassLimiters {
                    by_address: RateLimiter::keyed(quota(limit.per_address)),
                    by_account: RateLimiter::keyed(quota(limit.per_account)),
                }
            })
            .collect();
        Self(Arc::new(Inner { settings: *settings, shared, classes, owners: quick_cache::sync::Cache::new(10_000) }))
    }

    fn class(&self, class: EndpointClass) -> &ClassLimiters {
        &self.0.classes[class.index()]
    }

    /// `Err(wait)` when the address has used up its allowance for this class.
    pub async fn check_address(&self, class: EndpointClass, ip: IpAddr) -> Result<(), Duration> {
        let key = address_key(ip);
        let per_minute = self.0.settings.get(class).per_address;
        if let Some(answer) = self.check_shared(|| format!("{}:address:{key}", class.key_name()), per_minute).await {
            return answer;
        }
        check(&self.class(class).by_address, &key)
    }

    /// `Err(wait)` when the account has used up its allowance for this class.
    pub async fn check_account(&self, class: EndpointClass, user: UserId) -> Result<(), Duration> {
        let per_minute = self.0.settings.get(class).per_account;
        if let Some(answer) = self.check_shared(|| format!("{}:account:{user}", class.key_name()), per_minute).await {
            return answer;
        }
        check(&self.class(class).by_account, &user)
    }

    /// The answer of the shared buckets; `None` when there are none, or Redis did not answer (then the
    /// local buckets decide).
    async fn check_shared(&self, bucket: impl FnOnce() -> String, per_minute: u32) -> Option<Result<(), Duration>> {
        let shared = self.0.shared.as_ref()?;
        match shared.take(&bucket(), per_minute).await {
            Ok(answer) => Some(answer),
            Err(error) => {
                tracing::warn!(%error, "rate limits: Redis did not answer; counting on this server alone");
                None
            }
        }
    }

    /// Forgets every key whose allowance is full again (it would start from scratch anyway).
    pub fn forget_idle(&self) {
        for class in &self.0.classes {
            class.by_address.retain_recent();
            class.by_address.shrink_to_fit();
            class.by_account.retain_recent();
            class.by_account.shrink_to_fit();
        }
    }

    /// How many addresses and accounts are being counted, over all classes.
    pub fn tracked_keys(&self) -> usize {
        self.0.classes.iter().map(|c| c.by_address.len() + c.by_account.len()).sum()
    }
}

fn per_minute(n: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN))
}

fn check<K: Hash + Eq + Clone>(limiter: &DefaultKeyedRateLimiter<K>, key: &K) -> Result<(), Duration> {
    limiter.check_key(key).map_err(|not_until| not_until.wait_time_from(limiter.clock().now()))
}

/// The counting key of an address: IPv4 (also when mapped into IPv6) as is, IPv6 by its /64 network.
pub fn address_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(Ipv6Addr::from(u128::from(v6) & !u128::from(u64::MAX))),
        },
    }
}

fn too_many(request: &Request, wait: Duration) -> Response {
    let mut response = refuse(request, StatusCode::TOO_MANY_REQUESTS, AppError::Auth(model::AuthFailure::RateLimited));
    // Whole seconds, rounded up: a client that waits this long gets through.
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    if let Ok(value) = http::HeaderValue::from_str(&seconds.max(1).to_string()) {
        response.headers_mut().insert(http::header::RETRY_AFTER, value);
    }
    response
}

/// The per-address limit; runs before the session layer, so refused floods cost no session look-up.
pub async fn by_address(State(limits): State<RateLimits>, request: Request, next: Next) -> Response {
    let Some(class) = EndpointClass::of(request.uri().path()) else { return next.run(request).await };
    let ip = request.extensions().get::<ClientIp>().map_or(IpAddr::from([0, 0, 0, 0]), |ClientIp(ip)| *ip);
    if let Err(wait) = limits.check_address(class, ip).await {
        tracing::warn!(%ip, ?class, path = %request.uri().path(), "rate limit per address reached");
        metrics::counter!("strongroom_rate_limited_total", "class" => class.key_name(), "per" => "address")
            .increment(1);
        return too_many(&request, wait);
    }
    next.run(request).await
}

/// What the per-account limit needs: the limiters, and the platform to learn a session's user.
#[derive(Clone)]
pub struct AccountLimits {
    pub limits: RateLimits,
    pub platform: Arc<Platform>,
}

/// The per-account limit for signed-in callers; runs inside the session layer.
pub async fn by_account(State(state): State<AccountLimits>, request: Request, next: Next) -> Response {
    let Some(class) = EndpointClass::of(request.uri().path()) else { return next.run(request).await };
    let Some(user) = signed_in_user(&state, request.extensions().get::<Session>()).await else {
        return next.run(request).await;
    };
    if let Err(wait) = state.limits.check_account(class, user).await {
        tracing::warn!(%user, ?class, path = %request.uri().path(), "rate limit per account reached");
        metrics::counter!("strongroom_rate_limited_total", "class" => class.key_name(), "per" => "account")
            .increment(1);
        return too_many(&request, wait);
    }
    next.run(request).await
}

/// The user whose signed-in session this is (whether it still counts is for the handler to decide).
async fn signed_in_user(state: &AccountLimits, session: Option<&Session>) -> Option<UserId> {
    let id = session?.get::<AuthSessionId>(session_keys::AUTH).await.ok().flatten()?;
    if let Some(user) = state.limits.0.owners.get(&id) {
        return Some(user);
    }
    let user = state.platform.identity().authenticate(id).await.ok().flatten()?.user;
    state.limits.0.owners.insert(id, user);
    Some(user)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uniform(per_address: u32, per_account: u32) -> RateLimitSettings {
        let limit = Limit { per_address, per_account };
        RateLimitSettings {
            sign_in: limit,
            codes: limit,
            sign_up: limit,
            account: limit,
            workspace: limit,
            invitations: limit,
            exports: limit,
        }
    }

    #[test]
    fn every_endpoint_has_its_class() {
        use EndpointClass::*;
        for (path, class) in [
            ("/rpc/auth/sign-in", Some(SignIn)),
            ("/rpc/auth/sign-out", Some(SignIn)),
            ("/rpc/auth/sign-up", Some(SignUp)),
            ("/rpc/auth/second-factor", Some(Codes)),
            ("/rpc/auth/request-code", Some(Codes)),
            ("/rpc/auth/request-reset", Some(Codes)),
            ("/rpc/account/totp/fresh-codes", Some(Account)),
            ("/rpc/admin/invite", Some(Invitations)),
            ("/rpc/admin/invitations/revoke", Some(Invitations)),
            ("/rpc/invitations/accept", Some(Invitations)),
            ("/rpc/admin/members/remove", Some(Workspace)),
            ("/rpc/purchasing/requests/submit", Some(Workspace)),
            ("/rpc/session/me", Some(Workspace)),
            ("/w/acme/admin/audit.csv", Some(Exports)),
            ("/signin", None),
            ("/pkg/strongroom.wasm", None),
            ("/healthz", None),
        ] {
            assert_eq!(EndpointClass::of(path), class, "{path}");
        }
    }

    #[test]
    fn ipv6_is_counted_by_its_64_and_mapped_ipv4_as_ipv4() {
        let key = |s: &str| address_key(s.parse().unwrap());
        assert_eq!(key("2001:db8:1:2::1"), key("2001:db8:1:2:ffff:ffff:ffff:ffff"));
        assert_ne!(key("2001:db8:1:2::1"), key("2001:db8:1:3::1"));
        assert_eq!(key("::ffff:203.0.113.5"), key("203.0.113.5"));
        assert_ne!(key("203.0.113.5"), key("203.0.113.6"));
    }

    #[tokio::test]
    async fn the_limit_holds_at_its_value_and_says_how_long_to_wait() {
        let limits = RateLimits::per_minute(&uniform(3, 3));
        let ip: IpAddr = "203.0.113.5".parse().unwrap();
        for _ in 0..3 {
            assert!(limits.check_address(EndpointClass::SignIn, ip).await.is_ok());
        }
        let wait = limits.check_address(EndpointClass::SignIn, ip).await.unwrap_err();
        assert!(wait > Duration::from_secs(10) && wait <= Duration::from_secs(20), "one request per 20 s: {wait:?}");
        assert!(limits.check_address(EndpointClass::Account, ip).await.is_ok(), "classes are counted apart");
    }

    #[tokio::test]
    async fn idle_keys_are_forgotten() {
        // One request per millisecond: a key is full again, so forgettable, a millisecond after its use.
        let limits = RateLimits::with_quota(&uniform(1, 1), |_| Quota::with_period(Duration::from_millis(1)).unwrap());
        for i in 0..100u8 {
            let _ = limits.check_address(EndpointClass::SignIn, IpAddr::from([198, 51, 100, i])).await;
        }
        assert_eq!(limits.tracked_keys(), 100);
        std::thread::sleep(Duration::from_millis(20));
        limits.forget_idle();
        assert_eq!(limits.tracked_keys(), 0, "idle keys stay in memory");
    }
}
