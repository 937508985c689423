//! AUD2: each intrusion detector turns its attack into one block of the attacking address and one
//! security event, at its threshold and not before; other addresses (the rest of a workspace's users)
//! are untouched, and ordinary use trips nothing.

use crate::harness::{TestApp, unlimited};
use crate::workspaces::fixture::Team;
use futures_util::future::join_all;
use sea_orm::{ConnectionTrait as _, Statement};
use server::config::RawConfig;

/// Behind a trusted proxy on 127.0.0.1 (so browsers can come from any address), rate limits out of the
/// way, the detectors as `customize` sets them.
async fn app_with(customize: impl FnOnce(&mut RawConfig)) -> TestApp {
    TestApp::spawn_with(|raw| {
        *raw = unlimited(raw.clone());
        raw.trusted_proxies = vec!["127.0.0.1".into()];
        customize(raw);
    })
    .await
}

/// The detectors named by the `intrusion_blocked` events so far, with their addresses.
async fn blocks(app: &TestApp) -> Vec<(String, String)> {
    let db = app.control_db().await;
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT ip, detail FROM security_events WHERE kind = 'intrusion_blocked'",
        ))
        .await
        .unwrap();
    rows.iter()
        .map(|row| {
            let detail: serde_json::Value =
                serde_json::from_str(&row.try_get::<String>("", "detail").unwrap()).unwrap();
            (detail["detector"].as_str().unwrap().to_owned(), row.try_get::<String>("", "ip").unwrap())
        })
        .collect()
}

/// Proves: AUD2
#[tokio::test]
async fn a_burst_of_misses_on_object_ids_blocks_the_address_once_and_nobody_else() {
    let app = app_with(|raw| raw.ids_misses_per_minute = 10).await;
    let team = Team::create(&app, "Acme", "ada@example.com").await;
    let prober = team.owner.behind_proxy_as("203.0.113.50");
    // Ten workspaces that do not exist, at once: that many misses pass.
    let statuses = join_all((0..10).map(|i| {
        let prober = prober.clone();
        async move { prober.get_page(&format!("/w/nope-{i}/orders")).await.status().as_u16() }
    }))
    .await;
    assert!(statuses.iter().all(|s| *s == 404), "{statuses:?}");
    assert!(blocks(&app).await.is_empty(), "at the threshold nothing is blocked");
    // Twenty more, racing: the first past the threshold blocks, once.
    join_all((10..30).map(|i| {
        let prober = prober.clone();
        async move { prober.get_page(&format!("/w/nope-{i}/orders")).await.status().as_u16() }
    }))
    .await;
    assert_eq!(
        prober.get_page(&format!("/w/{}/orders", team.slug)).await.status(),
        403,
        "blocked, even for real pages"
    );
    assert_eq!(blocks(&app).await, vec![("enumeration".to_owned(), "203.0.113.50".to_owned())]);
    // The same account from another address, and everybody else, go on working.
    let elsewhere = team.owner.behind_proxy_as("198.51.100.7");
    assert_eq!(elsewhere.get_page(&format!("/w/{}/orders", team.slug)).await.status(), 200);
}

/// Proves: AUD2
#[tokio::test]
async fn traversal_and_injection_strings_block_the_address_past_the_threshold() {
    let app = app_with(|raw| raw.ids_suspicious_requests = 2).await;
    let scanner = app.browser().behind_proxy_as("203.0.113.60");
    // Payloads in the forms of the public lists (OWASP testing guide, SecLists fuzzing lists).
    let payloads = [
        "/pkg/..%2f..%2f..%2fetc%2fpasswd",
        "/signin?next=%27%20OR%20%271%27%3D%271",
        "/w/acme/orders?q=1%20UNION%20SELECT%20NULL--",
        "/signin?next=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    ];
    for payload in &payloads[..2] {
        assert_ne!(scanner.get_page(payload).await.status(), 403, "{payload}: below the threshold");
    }
    assert_eq!(scanner.get_page(payloads[2]).await.status(), 403, "one past the threshold");
    assert_eq!(scanner.get_page(payloads[3]).await.status(), 403);
    assert_eq!(scanner.get_page("/signin").await.status(), 403, "the address stays blocked");
    assert_eq!(blocks(&app).await, vec![("attack_patterns".to_owned(), "203.0.113.60".to_owned())]);
    assert_eq!(app.browser().behind_proxy_as("203.0.113.61").get_page("/signin").await.status(), 200);
}

/// Proves: AUD2
#[tokio::test]
async fn a_request_flood_blocks_the_address() {
    let app = app_with(|raw| raw.ids_requests_per_10s = 40).await;
    let flooder = app.browser().behind_proxy_as("203.0.113.70");
    let statuses = join_all((0..40).map(|_| {
        let flooder = flooder.clone();
        async move { flooder.get_page("/signin").await.status().as_u16() }
    }))
    .await;
    assert!(statuses.iter().all(|s| *s == 200), "at the threshold: {statuses:?}");
    // Past it: blocked. (The allowance refills one request every 250 ms, so on a busy machine the 40
    // above may have taken long enough for one or two more to pass; ten more cannot all pass.)
    let mut past = Vec::new();
    for _ in 0..10 {
        past.push(flooder.get_page("/signin").await.status().as_u16());
    }
    assert!(past.contains(&403), "past the threshold the address is blocked: {past:?}");
    assert_eq!(past.last(), Some(&403), "and stays blocked: {past:?}");
    assert_eq!(blocks(&app).await, vec![("flood".to_owned(), "203.0.113.70".to_owned())]);
    assert_eq!(app.get("/healthz").await.status(), 200, "health checks are never counted or blocked");
}

/// Proves: AUD2
#[tokio::test]
async fn ordinary_use_with_the_default_thresholds_trips_nothing() {
    let app = TestApp::spawn_with(|raw| {
        let defaults = RawConfig::default();
        raw.ids_suspicious_requests = defaults.ids_suspicious_requests;
        raw.ids_misses_per_minute = defaults.ids_misses_per_minute;
        raw.ids_requests_per_10s = defaults.ids_requests_per_10s;
    })
    .await;
    let team = Team::create(&app, "Daily Work", "dora@example.com").await;
    team.supplier("Paper & Co").await;
    for _ in 0..5 {
        for page in ["", "/orders", "/requests", "/suppliers", "/members", "/customers", "/sales", "/admin/audit"] {
            let status = team.owner.get_page(&format!("/w/{}{page}", team.slug)).await.status();
            assert!(status.is_success(), "{page}: {status}");
        }
        for page in ["/signin", "/security", "/workspaces"] {
            assert!(team.owner.get_page(page).await.status().is_success(), "{page}");
        }
    }
    // A few typos and an old bookmark are not an attack.
    for typo in ["/w/daily-wrok/orders", "/w/daily-work/order", "/workspace", "/w/daily-work/sales/123"] {
        assert_ne!(team.owner.get_page(typo).await.status(), 403, "{typo}");
    }
    // Searching for an Irish name with an apostrophe is not an injection.
    let search = format!("/w/{}/orders?q=O%27Brien", team.slug);
    assert_ne!(team.owner.get_page(&search).await.status(), 403);
    assert!(blocks(&app).await.is_empty(), "{:?}", blocks(&app).await);
    assert_eq!(team.owner.get_page(&format!("/w/{}/orders", team.slug)).await.status(), 200);
}
