//! Stripe webhooks at the real route: forged ones are refused with nothing changed; the same one
//! twice, or events out of order, end in the provider's current state with each effect once; and a
//! server that never hears a webhook converges by the scheduled re-fetch.

use super::fixture::{Shop, deliver, event, no_trial, on_sandbox_page, shop, sign};
use crate::harness::TestApp;
use serde_json::json;

/// A workspace on the Team plan, paid in the sandbox.
async fn paying(app: &TestApp, email: &str) -> Shop {
    let shop = shop(app, email).await;
    let page = shop.checkout("team", "month").await;
    on_sandbox_page(app, &shop.owner, &page, "pay").await;
    assert_eq!(shop.status().await.as_deref(), Some("active"));
    shop
}

fn customer(body: &str) -> String {
    serde_json::from_str::<serde_json::Value>(body).unwrap()["data"]["object"]["customer"].as_str().unwrap().to_owned()
}

#[tokio::test]
/// Proves: PAY1
async fn forged_tampered_stale_or_unsigned_webhooks_are_refused_and_change_nothing() {
    let app = TestApp::spawn_with(no_trial).await;
    let shop = paying(&app, "forged@example.com").await;
    let sub = shop.subscription_ref().await;
    let cus = shop.text("SELECT customer_ref FROM subscription").await.unwrap();
    // The provider's state really changed (a renewal failed), but nobody has been told in a way we believe.
    let genuine = app.platform.billing().sandbox().unwrap().fail_renewal(&cus).unwrap();
    let events_before = shop.count("SELECT COUNT(*) FROM billing_events").await;
    let now = chrono::Utc::now().timestamp();
    let body = event("evt_forged_1", "invoice.payment_failed", json!({ "subscription": sub, "customer": cus }));
    let wrong_secret =
        domain::billing::signatures::stripe_signature_header(&"whsec_guess".to_owned().into(), now, body.as_bytes());
    let tampered = genuine.body.replace("invoice.payment_failed", "invoice.payment_failed ");
    // The timestamps are signed just before each delivery, a few seconds past the tolerance: the server
    // reads its clock a moment later than the test, to the second, so exactly one second past could land
    // on the tolerance itself. (The unit tests in `signatures.rs` pin 300 and 301 with a fixed clock.)
    enum Signed {
        No,
        As(String),
        SecondsFromNow(i64),
    }
    let attempts = vec![
        ("no signature", body.clone(), Signed::No),
        ("wrong secret", body.clone(), Signed::As(wrong_secret)),
        ("tampered body", tampered, Signed::As(genuine.signature.clone())),
        ("old timestamp", body.clone(), Signed::SecondsFromNow(-305)),
        ("future timestamp", body.clone(), Signed::SecondsFromNow(305)),
        ("garbage header", body.clone(), Signed::As("t=abc,v1=zz".into())),
    ];
    for (what, body, signed) in attempts {
        let signature = match signed {
            Signed::No => None,
            Signed::As(header) => Some(header),
            Signed::SecondsFromNow(offset) => Some(sign(&app, &body, chrono::Utc::now().timestamp() + offset)),
        };
        let response = deliver(&app, &body, signature).await;
        assert_eq!(response.status(), 400, "{what} must be refused");
    }
    assert_eq!(shop.status().await.as_deref(), Some("active"), "nothing applied");
    assert_eq!(shop.count("SELECT COUNT(*) FROM billing_events").await, events_before, "nothing recorded");
    assert!(app.mails("forged@example.com").await.iter().all(|m| !m.subject.contains("Payment failed")));
    // At the edge of the tolerance the genuine scheme still passes.
    let response = deliver(&app, &body, Some(sign(&app, &body, chrono::Utc::now().timestamp() - 290))).await;
    assert_eq!(response.status(), 200);
    assert_eq!(shop.status().await.as_deref(), Some("past_due"));
}

#[tokio::test]
/// Proves: PAY1
async fn the_same_webhook_delivered_twice_at_once_is_applied_once() {
    let app = TestApp::spawn_with(no_trial).await;
    let shop = paying(&app, "twice@example.com").await;
    let cus = shop.text("SELECT customer_ref FROM subscription").await.unwrap();
    let failed = app.platform.billing().sandbox().unwrap().fail_renewal(&cus).unwrap();
    let events_before = shop.count("SELECT COUNT(*) FROM billing_events").await;
    let audits_before = shop.audits("billing.subscription_changed").await;
    let (a, b) = tokio::join!(
        deliver(&app, &failed.body, Some(failed.signature.clone())),
        deliver(&app, &failed.body, Some(failed.signature.clone()))
    );
    assert_eq!((a.status().as_u16(), b.status().as_u16()), (200, 200), "a duplicate is acknowledged");
    let answers = [a.text().await.unwrap(), b.text().await.unwrap()];
    assert!(answers.contains(&"Duplicate".to_owned()), "one of them was recognised as a duplicate: {answers:?}");
    let again = deliver(&app, &failed.body, Some(failed.signature.clone())).await;
    assert_eq!(again.text().await.unwrap(), "Duplicate");
    assert_eq!(shop.status().await.as_deref(), Some("past_due"));
    assert_eq!(shop.count("SELECT COUNT(*) FROM billing_events").await, events_before + 1, "recorded once");
    assert_eq!(shop.audits("billing.subscription_changed").await, audits_before + 1, "audited once");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let mails = app.mails("twice@example.com").await;
    assert_eq!(mails.iter().filter(|m| m.subject.contains("Payment failed")).count(), 1, "mailed once");
    let banner = shop.overview().await;
    assert_eq!(banner["access"], "grace", "past due keeps working for the grace period");
    assert!(banner["grace_until"].is_string());
}

#[tokio::test]
/// Proves: PAY1
async fn events_out_of_order_cannot_move_the_subscription_back() {
    let app = TestApp::spawn_with(no_trial).await;
    let shop = paying(&app, "order@example.com").await;
    let sub = shop.subscription_ref().await;
    let cus = shop.text("SELECT customer_ref FROM subscription").await.unwrap();
    let newer = app.platform.billing().sandbox().unwrap().fail_renewal(&cus).unwrap();
    assert_eq!(customer(&newer.body), cus);
    // An older event, sent before the failure but delivered after it, whose copy says "active".
    let now = chrono::Utc::now().timestamp();
    let older = event(
        "evt_older_1",
        "customer.subscription.updated",
        json!({ "id": sub, "status": "active", "customer": cus }),
    );
    assert_eq!(deliver(&app, &newer.body, Some(newer.signature.clone())).await.status(), 200);
    assert_eq!(deliver(&app, &older, Some(sign(&app, &older, now - 60))).await.status(), 200);
    assert_eq!(
        shop.status().await.as_deref(),
        Some("past_due"),
        "the provider's current state wins, not the event's copy"
    );
    assert_eq!(shop.count("SELECT COUNT(*) FROM billing_events").await, 3, "checkout, failure, older update");
    let mails = app.mails("order@example.com").await;
    assert_eq!(mails.iter().filter(|m| m.subject.contains("Payment failed")).count(), 1);
}

#[tokio::test]
/// Proves: PAY1
async fn a_server_that_never_receives_the_webhook_converges_by_the_scheduled_refetch() {
    let app = TestApp::spawn_with(no_trial).await;
    let shop = shop(&app, "quiet@example.com").await;
    let page = shop.checkout("team", "month").await;
    let session = page.rsplit('/').next().unwrap();
    // The person pays at the provider, but its webhooks are lost on the way.
    let (_, lost) = app
        .platform
        .billing()
        .sandbox()
        .unwrap()
        .complete(session, domain::billing::sandbox::Outcome::Pay, &app.base)
        .unwrap();
    assert_eq!(lost.len(), 1);
    assert_eq!(shop.status().await, None);
    let scheduler = app.platform.scheduler();
    scheduler.run_soon(domain::billing::REFETCH_JOB).await.unwrap();
    let report = scheduler.run_due().await.unwrap();
    assert!(report.succeeded.contains(&domain::billing::REFETCH_JOB), "{report:?}");
    assert_eq!(shop.status().await.as_deref(), Some("active"), "converged without any webhook");
    assert_eq!(shop.text("SELECT status FROM billing_checkouts").await.as_deref(), Some("paid"));
    // The lost webhook arriving late changes nothing more.
    let late = &lost[0];
    assert_eq!(deliver(&app, &late.body, Some(late.signature.clone())).await.status(), 200);
    assert_eq!(shop.audits("billing.subscription_changed").await, 1);
}

#[tokio::test]
/// Proves: PAY1
async fn past_due_beyond_grace_is_read_only_and_nothing_is_deleted() {
    let app = TestApp::spawn_with(no_trial).await;
    let shop = paying(&app, "overdue@example.com").await;
    let added = shop
        .owner
        .call("purchasing/suppliers/add", &[("slug", &shop.slug), ("name", "Kept Supplies"), ("email", "")])
        .await;
    assert_eq!(added.status(), 200);
    let cus = shop.text("SELECT customer_ref FROM subscription").await.unwrap();
    let failed = app.platform.billing().sandbox().unwrap().fail_renewal(&cus).unwrap();
    assert_eq!(deliver(&app, &failed.body, Some(failed.signature)).await.status(), 200);
    // Within the grace period: still writable.
    let during = shop
        .owner
        .call("purchasing/suppliers/add", &[("slug", &shop.slug), ("name", "Grace Supplies"), ("email", "")])
        .await;
    assert_eq!(during.status(), 200);
    // Every page of the workspace says so, not only the billing page.
    let page = shop.owner.get_page(&format!("/w/{}/suppliers", shop.slug)).await.text().await.unwrap();
    assert!(page.contains("data-testid=\"payment-banner\"") && page.contains("keeps working until"), "{page}");
    // Seven days and a second later.
    let since = chrono::Utc::now() - chrono::Duration::days(7) - chrono::Duration::seconds(1);
    use sea_orm::{ConnectionTrait as _, Statement};
    let backend = shop.db.get_database_backend();
    let sql = match backend {
        sea_orm::DatabaseBackend::Postgres => "UPDATE subscription SET past_due_since = $1",
        _ => "UPDATE subscription SET past_due_since = ?",
    };
    shop.db.execute_raw(Statement::from_sql_and_values(backend, sql, [since.into()])).await.unwrap();
    let refused = shop
        .owner
        .call("purchasing/suppliers/add", &[("slug", &shop.slug), ("name", "Late Supplies"), ("email", "")])
        .await;
    assert_eq!(refused.status(), 403, "read-only after the grace period");
    let body = refused.text().await.unwrap();
    assert!(body.contains("PaymentOverdue"), "{body}");
    // Every business write is refused, the customers and sales orders of DATA1 too.
    let customer = shop
        .owner
        .call(
            "sales/customers/add",
            &[
                ("slug", &shop.slug),
                ("name", "Late Customer"),
                ("email", ""),
                ("phone", ""),
                ("address", ""),
                ("notes", ""),
            ],
        )
        .await;
    assert_eq!(customer.status(), 403, "no new customers while read-only");
    let list = shop.owner.fetch(&format!("/rpc/purchasing/suppliers?slug={}", shop.slug)).await;
    assert_eq!(list.status(), 200, "reading still works");
    let list: serde_json::Value = list.json().await.unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 2, "nothing deleted");
    let billing = shop.overview().await;
    assert_eq!(billing["access"], "read_only", "and the billing page still opens, to pay");
    let page = shop.owner.get_page(&format!("/w/{}/members", shop.slug)).await.text().await.unwrap();
    assert!(page.contains("This workspace is read-only until its overdue payment is made"), "{page}");
}
