//! The sandbox speaking iyzico (PAY2): the production iyzico client signs its requests `IYZWSv2` to
//! the sandbox, which refuses anything else; the hosted page sends the browser's POST back to the real
//! callback route and a webhook signed `X-Iyz-Signature-V3` to the real webhook route; the result is
//! retrieved, its signature checked and its basket compared before it is applied.

use super::fixture::{no_trial, shop};
use crate::harness::TestApp;
use domain::billing::iyzico::INITIALIZE_PATH;

fn iyzico_sandbox(raw: &mut server::config::RawConfig) {
    no_trial(raw);
    raw.billing.sandbox_scheme = Some("iyzico".into());
}

/// Chooses `outcome` on the sandbox's iyzico page; returns where the browser ends up after the POST
/// to the callback.
async fn choose(app: &TestApp, browser: &crate::harness::Browser, page: &str, outcome: &str) -> String {
    let html = browser.client.get(page).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("SANDBOX") && html.contains("iyzico"), "labelled sandbox: {html}");
    let token = page.rsplit('/').next().unwrap();
    let chosen = browser
        .client
        .post(app.url(&format!("/sandbox/iyzico/pay/{token}")))
        .form(&[("outcome", outcome)])
        .send()
        .await
        .unwrap();
    assert_eq!(chosen.status(), 307, "the browser repeats its POST at the callback, as from iyzico's page");
    let callback = chosen.headers()["location"].to_str().unwrap().to_owned();
    assert!(callback.contains("/billing/iyzico/callback/"), "{callback}");
    // The callback is a cross-site POST: no session cookie needed, no CSRF token.
    let back = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(&callback)
        .form(&[("token", "whatever the browser says")])
        .send()
        .await
        .unwrap();
    assert_eq!(back.status(), 303);
    back.headers()["location"].to_str().unwrap().to_owned()
}

#[tokio::test]
/// Proves: PAY1, PAY2
async fn the_iyzico_sandbox_takes_a_payment_through_the_production_iyzico_code() {
    let app = TestApp::spawn_with(iyzico_sandbox).await;
    let shop = shop(&app, "iyzico-sandbox@example.com").await;
    assert_eq!(shop.overview().await["provider"], "sandbox", "named sandbox, whichever scheme it speaks");
    let page = shop.checkout("team", "month").await;
    assert!(page.starts_with(&app.url("/sandbox/iyzico/pay/")), "{page}");
    let back = choose(&app, &shop.owner, &page, "pay").await;
    assert!(back.starts_with(&format!("/w/{}/admin/billing?checkout=", shop.slug)), "{back}");
    let after = shop
        .owner
        .fetch(&format!("/rpc/billing/overview?slug={}&{}", shop.slug, back.split('?').nth(1).unwrap()))
        .await;
    let after: serde_json::Value = after.json().await.unwrap();
    assert_eq!((after["status"].as_str(), after["plan_key"].as_str()), (Some("active"), Some("team")), "{after}");
    assert_eq!(after["checkout"], "paid");
    assert_eq!((after["card_brand"].as_str(), after["card_last4"].as_str()), (Some("MASTER_CARD"), Some("0008")));
    assert_eq!(shop.text("SELECT provider FROM subscription").await.as_deref(), Some("iyzico"));
    // The callback and the signed webhook both arrived: the payment was applied once.
    assert_eq!(shop.audits("billing.subscription_changed").await, 1);
    assert_eq!(shop.count("SELECT COUNT(*) FROM billing_events").await, 1);
}

#[tokio::test]
/// Proves: PAY2
async fn a_declined_iyzico_sandbox_payment_changes_nothing_and_unsigned_calls_are_refused() {
    let app = TestApp::spawn_with(iyzico_sandbox).await;
    let shop = shop(&app, "iyzico-decline@example.com").await;
    let page = shop.checkout("business", "year").await;
    let back = choose(&app, &shop.owner, &page, "decline").await;
    let checkout = back.split("checkout=").nth(1).unwrap();
    let after: serde_json::Value = shop
        .owner
        .fetch(&format!("/rpc/billing/overview?slug={}&checkout={checkout}", shop.slug))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!((after["plan_key"].as_str(), after["checkout"].as_str()), (Some("free"), Some("declined")));
    assert_eq!(shop.status().await, None, "no subscription was made");
    // Like iyzico, the sandbox's API refuses a request that is not signed with its keys.
    let unsigned = reqwest::Client::new()
        .post(app.url(&format!("/sandbox/iyzico{INITIALIZE_PATH}")))
        .header("Authorization", "IYZWSv2 YXBpS2V5OnguJnJhbmRvbUtleTp4JnNpZ25hdHVyZTp4")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status(), 401);
}
