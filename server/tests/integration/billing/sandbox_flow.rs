//! The sandbox provider end to end over HTTP: pick a plan, the sandbox's hosted page, pay or decline,
//! back to the billing page; the result arrives only as a Stripe-signed webhook to the real route, and
//! is re-fetched from the sandbox's Stripe API before it is applied.

use super::fixture::{no_trial, on_sandbox_page, shop};
use crate::harness::TestApp;
use serde_json::Value;

#[tokio::test]
/// Proves: PAY1, PAY2
async fn an_owner_pays_in_the_sandbox_and_comes_back_to_an_active_subscription() {
    let app = TestApp::spawn_with(no_trial).await;
    let shop = shop(&app, "payer@example.com").await;
    let before = shop.overview().await;
    assert_eq!(before["plan_key"], "free");
    assert_eq!(before["provider"], "sandbox", "the sandbox is named as such");
    let page = shop.checkout("team", "month").await;
    assert!(page.starts_with(&app.url("/sandbox/pay/cs_")), "{page}");
    let back = on_sandbox_page(&app, &shop.owner, &page, "pay").await;
    assert!(back.starts_with(&app.url(&format!("/w/{}/admin/billing?checkout=", shop.slug))), "{back}");
    let checkout = back.split("checkout=").nth(1).unwrap();
    let after = shop.owner.fetch(&format!("/rpc/billing/overview?slug={}&checkout={checkout}", shop.slug)).await;
    let after: Value = after.json().await.unwrap();
    assert_eq!(after["status"], "active", "{after}");
    assert_eq!(after["plan_key"], "team");
    assert_eq!(after["interval"], "month");
    assert_eq!(after["access"], "full");
    assert_eq!(after["checkout"], "paid");
    assert_eq!((after["card_brand"].as_str(), after["card_last4"].as_str()), (Some("visa"), Some("4242")));
    assert!(after["next_charge"].is_string());
    assert_eq!(after["receipts"].as_array().unwrap().len(), 1, "the provider's receipt is listed");
    assert_eq!(shop.audits("billing.checkout_started").await, 1);
    assert_eq!(shop.audits("billing.subscription_changed").await, 1);
    assert_eq!(shop.count("SELECT COUNT(*) FROM billing_events").await, 1);
}

#[tokio::test]
/// Proves: PAY1, PAY2
async fn a_declined_payment_leaves_the_workspace_on_its_previous_state() {
    let app = TestApp::spawn_with(no_trial).await;
    let shop = shop(&app, "decliner@example.com").await;
    let page = shop.checkout("business", "year").await;
    let back = on_sandbox_page(&app, &shop.owner, &page, "decline").await;
    assert!(back.contains("result=declined"), "{back}");
    let checkout = back.split("checkout=").nth(1).unwrap().split('&').next().unwrap();
    let after: Value = shop
        .owner
        .fetch(&format!("/rpc/billing/overview?slug={}&checkout={checkout}", shop.slug))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(after["plan_key"], "free");
    assert_eq!(after["status"], Value::Null);
    assert_eq!(after["checkout"], "declined");
    assert_eq!(shop.status().await, None, "no subscription was made");
    // Pending: the page sends the browser back, nothing is applied yet.
    let page = shop.checkout("team", "month").await;
    on_sandbox_page(&app, &shop.owner, &page, "pending").await;
    assert_eq!(shop.status().await, None);
}

#[tokio::test]
/// Proves: PAY1
async fn the_first_paid_plan_starts_with_a_trial_and_only_once() {
    let app = TestApp::spawn().await;
    let shop = shop(&app, "trial@example.com").await;
    assert_eq!(shop.overview().await["trial_available"], true);
    let page = shop.checkout("team", "month").await;
    on_sandbox_page(&app, &shop.owner, &page, "pay").await;
    let after = shop.overview().await;
    assert_eq!(after["status"], "trialing");
    assert_eq!(after["access"], "full");
    assert!(after["trial_ends_at"].is_string());
    assert_eq!(after["trial_available"], false);
}

#[tokio::test]
/// Proves: PAY1
async fn cancelling_at_period_end_and_resuming_are_audited_and_mailed_once() {
    let app = TestApp::spawn_with(no_trial).await;
    let shop = shop(&app, "canceller@example.com").await;
    let page = shop.checkout("team", "year").await;
    on_sandbox_page(&app, &shop.owner, &page, "pay").await;
    let cancelled = shop.owner.call("billing/cancel", &[("slug", &shop.slug), ("cancel", "true")]).await;
    assert_eq!(cancelled.status(), 200);
    let after = shop.overview().await;
    assert_eq!(after["cancel_at_period_end"], true);
    assert_eq!(after["status"], "active", "it runs to the end of the paid period");
    assert_eq!(after["next_charge"], Value::Null, "no next charge");
    // The provider's own webhook about the change arrives too: it changes nothing more.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let mails = app.mails("canceller@example.com").await;
    assert_eq!(mails.iter().filter(|m| m.subject.contains("cancelled")).count(), 1, "one cancellation mail");
    let resumed = shop.owner.call("billing/cancel", &[("slug", &shop.slug), ("cancel", "false")]).await;
    assert_eq!(resumed.status(), 200);
    assert_eq!(shop.overview().await["cancel_at_period_end"], false);
    assert_eq!(shop.audits("billing.subscription_changed").await, 3, "paid, cancelled, resumed");
}

#[tokio::test]
/// Proves: PAY1, PAY2
async fn the_billing_page_shows_plan_state_and_card_and_labels_the_sandbox() {
    let app = TestApp::spawn_with(no_trial).await;
    let shop = shop(&app, "page@example.com").await;
    let html = shop.owner.get_page(&format!("/w/{}/admin/billing", shop.slug)).await.text().await.unwrap();
    assert!(html.contains("data-testid=\"sandbox-label\""), "the sandbox is labelled on the page");
    assert!(html.contains("Choose and pay") && html.contains("Free plan."), "{html}");
    let page = shop.checkout("team", "month").await;
    let back = on_sandbox_page(&app, &shop.owner, &page, "pay").await;
    let html = shop.owner.get_page(&back[app.base.len()..]).await.text().await.unwrap();
    assert!(html.contains("the payment went through"), "{html}");
    assert!(html.contains("visa ending in 4242"));
    assert!(html.contains("Cancel at the end of the period"));
    // A member without billing.manage sees neither the page nor the data.
    let member = super::fixture::member(&app, &shop, "viewer-billing@example.com", "viewer").await;
    assert_eq!(member.fetch(&format!("/rpc/billing/overview?slug={}", shop.slug)).await.status(), 403);
}
