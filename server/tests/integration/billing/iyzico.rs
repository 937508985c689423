//! iyzico's Checkout Form against a stand-in for iyzico's REST API: requests signed `IYZWSv2` (the
//! stand-in refuses anything else, as iyzico does), responses signed by "iyzico", and the callback, a
//! cross-site POST without session or CSRF token, answered with a redirect to the billing page. A
//! result whose basket, amount or currency is not what was asked is refused; so is one without a valid
//! signature, and one that is not SUCCESS with fraudStatus 1.

use super::fixture::shop;
use super::stand_in::StandIn;
use crate::harness::TestApp;
use domain::billing::iyzico::{INITIALIZE_PATH, RETRIEVE_PATH};
use domain::billing::signatures::{iyzico_check_authorization, iyzico_response_signature};
use secrecy::SecretString;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

const API_KEY: &str = "sandbox-api-key-standin";
const SECRET: &str = "sandbox-secret-key-standin";

/// How the stand-in's retrieve answer differs from the truth.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Twist {
    None,
    Amount,
    Currency,
    Basket,
    Signature,
    Fraud,
    Failure,
}

async fn iyzico_stand_in(twist: Twist) -> StandIn {
    let asked: Arc<Mutex<Value>> = Arc::new(Mutex::new(Value::Null));
    StandIn::start(move |req| {
        let secret = SecretString::from(SECRET.to_owned());
        let authorized = req.header("authorization").is_some_and(|a| iyzico_check_authorization(a, API_KEY, &secret, &req.path, &req.body));
        if !authorized || req.header("x-iyzi-rnd").is_none() {
            return (401, json!({ "status": "failure", "errorCode": "1000", "errorMessage": "Geçersiz imza" }).to_string());
        }
        let body: Value = serde_json::from_str(&req.body).unwrap_or(Value::Null);
        let sign = |fields: &[&str]| iyzico_response_signature(&secret, fields);
        match req.path.as_str() {
            INITIALIZE_PATH => {
                *asked.lock().unwrap() = body.clone();
                let conversation = body["conversationId"].as_str().unwrap_or_default();
                let token = "token-standin-1";
                (200, json!({
                    "status": "success", "conversationId": conversation, "token": token,
                    "paymentPageUrl": format!("https://sandbox-cpp.iyzipay.com?token={token}&lang=en"),
                    "signature": sign(&[conversation, token]),
                }).to_string())
            }
            RETRIEVE_PATH => {
                let asked = asked.lock().unwrap().clone();
                let mut price = asked["paidPrice"].as_str().unwrap_or_default().to_owned();
                let mut currency = asked["currency"].as_str().unwrap_or_default().to_owned();
                let mut basket = asked["basketId"].as_str().unwrap_or_default().to_owned();
                match twist {
                    Twist::Amount => price = "1.0".into(),
                    Twist::Currency => currency = "TRY".into(),
                    Twist::Basket => basket = uuid::Uuid::new_v4().to_string(),
                    _ => {}
                }
                let status = if twist == Twist::Failure { "FAILURE" } else { "SUCCESS" };
                let conversation = body["conversationId"].as_str().unwrap_or_default().to_owned();
                let token = body["token"].as_str().unwrap_or_default().to_owned();
                let mut signature = sign(&[status, "24478123", &currency, &basket, &conversation, &price, &price, &token]);
                if twist == Twist::Signature {
                    signature = sign(&[status, "24478123", &currency, &basket, &conversation, &price, &price, "other"]);
                }
                (200, json!({
                    "status": "success", "paymentStatus": status, "fraudStatus": if twist == Twist::Fraud { 0 } else { 1 },
                    "paymentId": "24478123", "currency": currency, "basketId": basket, "conversationId": conversation,
                    "paidPrice": price, "price": price, "token": token, "cardAssociation": "MASTER_CARD", "lastFourDigits": "0006",
                    "signature": signature,
                }).to_string())
            }
            _ => (404, json!({ "status": "failure" }).to_string()),
        }
    })
    .await
}

async fn iyzico_app(stand_in: &StandIn) -> TestApp {
    let base = stand_in.base.clone();
    TestApp::spawn_with(move |raw| {
        raw.billing.provider = Some("iyzico".into());
        raw.billing.iyzico_api_base = base;
        raw.billing.iyzico_api_key = Some(API_KEY.into());
        raw.billing.iyzico_secret_key = Some(SECRET.to_owned().into());
    })
    .await
}

/// Starts a checkout and posts iyzico's callback cross-site; returns where the browser is sent.
async fn pay(stand_in: &StandIn, shop: &super::fixture::Shop) -> String {
    let page = shop.checkout("team", "month").await;
    assert!(page.starts_with("https://sandbox-cpp.iyzipay.com"), "{page}");
    assert_eq!(shop.text("SELECT provider_ref FROM billing_checkouts").await.as_deref(), Some("token-standin-1"));
    let seen = stand_in.seen();
    let init = seen.iter().find(|r| r.path == INITIALIZE_PATH).expect("initialize was called");
    let asked: Value = serde_json::from_str(&init.body).unwrap();
    assert_eq!(asked["price"], "29.0");
    assert_eq!(asked["paidPrice"], "29.0");
    assert_eq!(asked["currency"], "EUR");
    assert_eq!(asked["basketItems"][0]["price"], "29.0");
    assert!(asked["conversationId"].as_str().unwrap().starts_with(&shop.tenant.to_string()));
    assert!(!init.body.to_lowercase().contains("card"), "no card data is sent, iyzico's page asks for it");
    let callback = asked["callbackUrl"].as_str().unwrap().to_owned();
    // iyzico's page posts the token from its own origin: no session cookie, no CSRF token.
    let response = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(&callback)
        .header("origin", "https://sandbox-cpp.iyzipay.com")
        .form(&[("token", "token-standin-1")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303, "the cross-site callback is not refused by CSRF, and redirects");
    response.headers()["location"].to_str().unwrap().to_owned()
}

#[tokio::test]
/// Proves: PAY1
async fn an_iyzico_payment_is_accepted_only_after_retrieving_and_checking_it() {
    let stand_in = iyzico_stand_in(Twist::None).await;
    let app = iyzico_app(&stand_in).await;
    let shop = shop(&app, "iyzico@example.com").await;
    let back = pay(&stand_in, &shop).await;
    assert!(back.starts_with(&format!("/w/{}/admin/billing?checkout=", shop.slug)), "{back}");
    assert_eq!(shop.status().await.as_deref(), Some("active"));
    let overview = shop.overview().await;
    assert_eq!(overview["plan_key"], "team");
    assert_eq!((overview["card_brand"].as_str(), overview["card_last4"].as_str()), (Some("MASTER_CARD"), Some("0006")));
    assert_eq!(overview["receipts"].as_array().unwrap().len(), 1);
    let retrieve = stand_in.seen().into_iter().find(|r| r.path == RETRIEVE_PATH).expect("retrieved by token");
    let asked: Value = serde_json::from_str(&retrieve.body).unwrap();
    assert_eq!(asked["token"], "token-standin-1", "with the token we stored, whatever the callback posted");
    // The same callback again (a replay) changes nothing.
    let events = shop.count("SELECT COUNT(*) FROM billing_events").await;
    let callback =
        serde_json::from_str::<Value>(&stand_in.seen()[0].body).unwrap()["callbackUrl"].as_str().unwrap().to_owned();
    let again = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(&callback)
        .form(&[("token", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 303);
    assert_eq!(shop.count("SELECT COUNT(*) FROM billing_events").await, events);
    assert_eq!(shop.audits("billing.subscription_changed").await, 1);
}

#[tokio::test]
/// Proves: PAY1
async fn an_iyzico_result_for_another_amount_currency_or_basket_is_refused() {
    for twist in [Twist::Amount, Twist::Currency, Twist::Basket, Twist::Signature] {
        let stand_in = iyzico_stand_in(twist).await;
        let app = iyzico_app(&stand_in).await;
        let shop = shop(&app, "mismatch@example.com").await;
        pay(&stand_in, &shop).await;
        assert_eq!(shop.status().await, None, "{twist:?}: nothing applied");
        assert_eq!(shop.text("SELECT status FROM billing_checkouts").await.as_deref(), Some("refused"), "{twist:?}");
        assert_eq!(shop.audits("billing.payment_refused").await, 1, "{twist:?}: the refusal is on the record");
        assert_eq!(shop.overview().await["plan_key"], "free", "{twist:?}");
    }
}

#[tokio::test]
/// Proves: PAY1
async fn an_iyzico_payment_that_failed_or_awaits_fraud_review_is_not_accepted() {
    for twist in [Twist::Fraud, Twist::Failure] {
        let stand_in = iyzico_stand_in(twist).await;
        let app = iyzico_app(&stand_in).await;
        let shop = shop(&app, "declined@example.com").await;
        pay(&stand_in, &shop).await;
        assert_eq!(shop.status().await, None, "{twist:?}");
        assert_eq!(shop.text("SELECT status FROM billing_checkouts").await.as_deref(), Some("declined"), "{twist:?}");
    }
}

#[tokio::test]
/// Proves: PAY1
async fn an_iyzico_webhook_is_verified_then_retrieved() {
    let stand_in = iyzico_stand_in(Twist::None).await;
    let app = iyzico_app(&stand_in).await;
    let shop = shop(&app, "iyzihook@example.com").await;
    shop.checkout("team", "month").await;
    let asked: Value = serde_json::from_str(&stand_in.seen()[0].body).unwrap();
    let conversation = asked["conversationId"].as_str().unwrap();
    let body = json!({ "paymentConversationId": conversation, "merchantId": 1, "token": "token-standin-1", "status": "SUCCESS", "iyziEventType": "CHECKOUT_FORM_AUTH", "iyziPaymentId": 24478123 }).to_string();
    let fields = domain::billing::signatures::IyzicoWebhookFields {
        event_type: "CHECKOUT_FORM_AUTH",
        payment_id: "24478123",
        token: "token-standin-1",
        conversation_id: conversation,
        status: "SUCCESS",
    };
    let post = |signature: String| {
        reqwest::Client::new()
            .post(app.url("/billing/webhooks/iyzico"))
            .header("x-iyz-signature-v3", signature)
            .body(body.clone())
            .send()
    };
    let forged = fields.signature(&SecretString::from("another-secret".to_owned()));
    assert_eq!(post(forged).await.unwrap().status(), 400);
    assert_eq!(shop.status().await, None, "a forged webhook changes nothing");
    let genuine = fields.signature(&SecretString::from(SECRET.to_owned()));
    assert_eq!(post(genuine).await.unwrap().status(), 200);
    assert_eq!(shop.status().await.as_deref(), Some("active"));
}
