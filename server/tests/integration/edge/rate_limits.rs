//! WEB3: every endpoint class is limited per client address (IPv6 by /64) and per signed-in account;
//! a refusal says, in `Retry-After`, when the next request would pass.

use crate::harness::{TestApp, unlimited};
use server::config::RawConfig;

fn retry_after(response: &reqwest::Response) -> u64 {
    response.headers()["retry-after"].to_str().unwrap().parse().expect("Retry-After in seconds")
}

/// Behind a trusted proxy on 127.0.0.1 (so browsers can appear to come from any address), with the
/// limits `customize` sets and all others out of the way.
async fn app_with(customize: impl FnOnce(&mut RawConfig)) -> TestApp {
    TestApp::spawn_with(|raw| {
        *raw = unlimited(raw.clone());
        raw.trusted_proxies = vec!["127.0.0.1".into()];
        customize(raw);
    })
    .await
}

const RESET: [(&str, &str); 1] = [("email", "nobody@example.org")];

/// Proves: WEB3
#[tokio::test]
async fn the_limit_passes_at_its_value_and_refuses_one_past_it_with_a_computed_wait() {
    let app = app_with(|raw| raw.code_requests_per_minute = 3).await;
    let browser = app.browser().behind_proxy_as("203.0.113.5");
    for i in 0..3 {
        assert_eq!(browser.call("auth/request-reset", &RESET).await.status(), 200, "request {}", i + 1);
    }
    let refused = browser.call("auth/request-reset", &RESET).await;
    assert_eq!(refused.status(), 429);
    // Three a minute: the next one is allowed 20 s after the first, so the wait is at most 20 s.
    let wait = retry_after(&refused);
    assert!((10..=20).contains(&wait), "Retry-After {wait}");
    assert_eq!(refused.headers()["cache-control"], "no-store");
    let elsewhere = app.browser().behind_proxy_as("203.0.113.6");
    assert_eq!(elsewhere.call("auth/request-reset", &RESET).await.status(), 200, "another address");
    assert_eq!(browser.call("auth/sign-in", &[("email", "x@example.org"), ("password", "x")]).await.status(), 401);
}

/// Proves: WEB3, ID5
#[tokio::test]
async fn addresses_in_one_ipv6_64_share_a_bucket() {
    let app = app_with(|raw| raw.sign_up_requests_per_minute = 2).await;
    let sign_up = |ip: &str, n: u32| {
        let browser = app.browser().behind_proxy_as(ip);
        async move {
            let email = format!("user{n}@example.org");
            browser.call("auth/sign-up", &[("email", &email), ("password", crate::harness::PASSWORD)]).await.status()
        }
    };
    assert_eq!(sign_up("2001:db8:1:2::1", 1).await, 200);
    assert_eq!(sign_up("2001:db8:1:2::abcd", 2).await, 200);
    assert_eq!(sign_up("2001:db8:1:2:ffff:ffff:ffff:ffff", 3).await, 429, "the same /64");
    assert_eq!(sign_up("2001:db8:1:3::1", 4).await, 200, "the next /64 is someone else");
}

/// Proves: WEB3
#[tokio::test]
async fn the_per_account_limit_holds_across_addresses() {
    let app = app_with(|raw| raw.account_requests_per_account_per_minute = 3).await;
    let user = app.user("ada@example.org").await;
    for (i, ip) in ["203.0.113.1", "203.0.113.2", "198.51.100.3"].iter().enumerate() {
        let response = user.behind_proxy_as(ip).fetch("/rpc/account/security").await;
        assert_eq!(response.status(), 200, "request {}", i + 1);
    }
    let refused = user.behind_proxy_as("192.0.2.4").fetch("/rpc/account/security").await;
    assert_eq!(refused.status(), 429, "a fourth address, the same account");
    assert!((10..=20).contains(&retry_after(&refused)));
    let other = app.user("bea@example.org").await;
    assert_eq!(other.behind_proxy_as("192.0.2.4").fetch("/rpc/account/security").await.status(), 200);
}
