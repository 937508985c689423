//! WEB3 with several servers: when they share Redis, a limit of N a minute holds in total, not N per
//! server, also when the requests race each other on both servers at once.
//!
//! Needs Redis, so ignored unless asked for (`cargo xtask test` runs it when `STRONGROOM_TEST_REDIS` is set).

use crate::harness::{TestApp, redis_for_test, unlimited, use_redis};
use futures_util::future::join_all;
use server::config::RawConfig;

const RESET: [(&str, &str); 1] = [("email", "nobody@example.org")];
const LIMIT: u32 = 5;

/// Two servers on the same databases and Redis, behind a trusted proxy on 127.0.0.1, with a limit of
/// [`LIMIT`] emailed-code requests a minute per address.
async fn two_servers() -> (TestApp, TestApp) {
    let (url, prefix) = redis_for_test();
    let redis = use_redis(&url, &prefix);
    let configure = move |raw: &mut RawConfig| {
        *raw = unlimited(raw.clone());
        raw.trusted_proxies = vec!["127.0.0.1".into()];
        raw.code_requests_per_minute = LIMIT;
        redis(raw);
    };
    let first = TestApp::spawn_with(configure.clone()).await;
    let second = first.spawn_sibling(configure).await;
    (first, second)
}

/// Proves: WEB3
#[tokio::test]
#[ignore = "needs Redis: run with STRONGROOM_TEST_REDIS=redis://127.0.0.1:6379"]
async fn a_limit_holds_in_total_across_servers_sharing_redis() {
    let (first, second) = two_servers().await;
    let on = |app: &TestApp| app.browser().behind_proxy_as("203.0.113.40");
    // Taking turns: the limit passes at its value and refuses one past it, whichever server is asked.
    for i in 0..LIMIT {
        let app = if i % 2 == 0 { &first } else { &second };
        assert_eq!(on(app).call("auth/request-reset", &RESET).await.status(), 200, "request {}", i + 1);
    }
    for app in [&first, &second] {
        let refused = on(app).call("auth/request-reset", &RESET).await;
        assert_eq!(refused.status(), 429, "one past the limit, on {}", app.base);
        let wait: u64 = refused.headers()["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=12).contains(&wait), "{LIMIT} a minute: the next one passes within 12 s, not {wait}");
    }
    // Another address has a bucket of its own, on either server.
    assert_eq!(second.browser().behind_proxy_as("203.0.113.41").call("auth/request-reset", &RESET).await.status(), 200);
}

/// Proves: WEB3
#[tokio::test]
#[ignore = "needs Redis: run with STRONGROOM_TEST_REDIS=redis://127.0.0.1:6379"]
async fn racing_requests_on_two_servers_get_exactly_the_limit_through() {
    let (first, second) = two_servers().await;
    // CSRF tokens first (their page is not limited), then every request at once, half on each server.
    let mut ready = Vec::new();
    for i in 0..4 * LIMIT {
        let browser = if i % 2 == 0 { &first } else { &second }.browser().behind_proxy_as("198.51.100.40");
        let token = browser.csrf_token().await;
        ready.push((browser, token));
    }
    let statuses = join_all(ready.iter().map(|(browser, token)| async move {
        browser.call_with_token("auth/request-reset", &RESET, token).await.status().as_u16()
    }))
    .await;
    let passed = statuses.iter().filter(|s| **s == 200).count();
    let refused = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!((passed, refused), (LIMIT as usize, 3 * LIMIT as usize), "{statuses:?}");
}
