//! The Stripe client against a stand-in for Stripe's REST API (a real HTTP server started by the test):
//! the exact paths, the secret key in `Authorization`, an `Idempotency-Key` on every POST, the API
//! version; and a webhook verified with the configured endpoint secret, then re-fetched from "Stripe".

use super::fixture::{deliver, event, shop};
use super::stand_in::StandIn;
use crate::harness::TestApp;
use serde_json::json;

fn subscription(tenant: &str) -> String {
    json!({
        "id": "sub_standin1", "object": "subscription", "status": "active", "customer": "cus_standin1",
        "cancel_at_period_end": false, "metadata": { "tenant": tenant },
        "items": { "object": "list", "data": [{ "id": "si_1", "price": { "id": "price_sandbox_team_year" }, "current_period_end": 1_900_000_000 }] },
        "default_payment_method": { "id": "pm_1", "card": { "brand": "mastercard", "last4": "4444" } },
    })
    .to_string()
}

#[tokio::test]
/// Proves: PAY1
async fn the_stripe_client_sends_exactly_what_stripe_expects() {
    let tenant = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let seen_tenant = tenant.clone();
    let stripe = StandIn::start(move |req| {
        if req.header("authorization") != Some("Bearer sk_test_standin") {
            return (401, json!({ "error": { "message": "bad key" } }).to_string());
        }
        let tenant = seen_tenant.lock().unwrap().clone();
        match (req.method.as_str(), req.path.as_str()) {
            ("POST", "/v1/checkout/sessions") => {
                *seen_tenant.lock().unwrap() = req.form("metadata[tenant]").unwrap_or_default();
                (200, json!({ "id": "cs_standin1", "object": "checkout.session", "url": "https://checkout.stripe.com/c/pay/cs_standin1" }).to_string())
            }
            ("GET", "/v1/checkout/sessions/cs_standin1") => (
                200,
                json!({ "id": "cs_standin1", "status": "complete", "subscription": "sub_standin1", "client_reference_id": null, "metadata": { "tenant": tenant } }).to_string(),
            ),
            ("GET", "/v1/subscriptions/sub_standin1") => (200, subscription(&tenant)),
            ("GET", "/v1/invoices") => (200, json!({ "object": "list", "data": [] }).to_string()),
            _ => (404, json!({ "error": { "message": "no such route" } }).to_string()),
        }
    })
    .await;
    let base = stripe.base.clone();
    let app = TestApp::spawn_with(move |raw| {
        raw.billing.provider = Some("stripe".into());
        raw.billing.trial_days = 0;
        raw.billing.stripe_api_base = base;
        raw.billing.stripe_secret_key = Some("sk_test_standin".to_owned().into());
        raw.billing.stripe_webhook_secrets = vec!["whsec_old".to_owned().into(), "whsec_standin".to_owned().into()];
    })
    .await;
    let shop = shop(&app, "stripe@example.com").await;
    let page = shop.checkout("team", "year").await;
    assert_eq!(page, "https://checkout.stripe.com/c/pay/cs_standin1", "the browser goes to Stripe's page");
    let seen = stripe.seen();
    let create = seen.iter().find(|r| r.path == "/v1/checkout/sessions").expect("a session was created");
    assert_eq!(create.method, "POST");
    assert!(create.header("idempotency-key").is_some_and(|k| k.starts_with("checkout-")), "{:?}", create.headers);
    assert_eq!(create.header("stripe-version"), Some(domain::billing::stripe::STRIPE_VERSION));
    assert_eq!(create.header("content-type"), Some("application/x-www-form-urlencoded"));
    assert_eq!(create.form("mode").as_deref(), Some("subscription"));
    assert_eq!(create.form("line_items[0][price]").as_deref(), Some("price_sandbox_team_year"));
    assert_eq!(create.form("line_items[0][quantity]").as_deref(), Some("1"));
    assert_eq!(create.form("subscription_data[metadata][tenant]"), Some(shop.tenant.to_string()));
    assert_eq!(create.form("subscription_data[trial_period_days]"), None);
    let success = create.form("success_url").unwrap();
    assert!(success.starts_with(&app.url(&format!("/w/{}/admin/billing?checkout=", shop.slug))), "{success}");
    let key = create.header("idempotency-key").unwrap();
    assert!(uuid::Uuid::parse_str(&key["checkout-".len()..]).is_ok(), "one key per checkout: {key}");
    // Stripe's webhook, signed with the second (rotated-in) endpoint secret.
    let body = event("evt_standin1", "checkout.session.completed", json!({ "id": "cs_standin1" }));
    let secret: secrecy::SecretString = "whsec_standin".to_owned().into();
    let signature =
        domain::billing::signatures::stripe_signature_header(&secret, chrono::Utc::now().timestamp(), body.as_bytes());
    let response = deliver(&app, &body, Some(signature)).await;
    assert_eq!(response.status(), 200);
    assert_eq!(shop.status().await.as_deref(), Some("active"));
    let seen = stripe.seen();
    let paths: Vec<String> = seen.iter().map(|r| format!("{} {}?{}", r.method, r.path, r.query)).collect();
    assert!(paths.contains(&"GET /v1/checkout/sessions/cs_standin1?".to_owned()), "{paths:?}");
    assert!(
        paths.contains(&"GET /v1/subscriptions/sub_standin1?expand%5B%5D=default_payment_method".to_owned()),
        "{paths:?}"
    );
    assert!(seen.iter().all(|r| r.header("authorization") == Some("Bearer sk_test_standin")));
    assert!(
        seen.iter().filter(|r| r.method == "POST").all(|r| r.header("idempotency-key").is_some()),
        "every POST is idempotent"
    );
    let overview = shop.overview().await;
    assert_eq!((overview["card_brand"].as_str(), overview["card_last4"].as_str()), (Some("mastercard"), Some("4444")));
    assert_eq!(overview["interval"], "year");
}
