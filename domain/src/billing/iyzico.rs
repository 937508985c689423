//! iyzico's Checkout Form over reqwest: initialize (basket, amount, currency, callback) and retrieve by
//! token. Every request is signed `IYZWSv2`; every response's `signature` is verified before anything
//! in it is read; and a retrieved payment is accepted only if it is the one that was asked for (basket
//! id, conversation id, amount and currency) and iyzico says `paymentStatus` SUCCESS and `fraudStatus` 1.

use super::BillingError;
use super::signatures::{iyzico_authorization, iyzico_response_signature_matches};
use model::Cents;
use secrecy::SecretString;
use serde_json::{Value, json};
use url::Url;

pub const INITIALIZE_PATH: &str = "/payment/iyzipos/checkoutform/initialize/auth/ecom";
pub const RETRIEVE_PATH: &str = "/payment/iyzipos/checkoutform/auth/ecom/detail";

#[derive(Clone)]
pub struct IyzicoClient {
    http: reqwest::Client,
    base: Url,
    api_key: String,
    secret_key: SecretString,
}

/// What a checkout asks for, and what its retrieved result must match.
#[derive(Debug, Clone)]
pub struct Basket {
    /// Our checkout id: the basket id.
    pub basket_id: String,
    /// `<tenant>_<checkout>`: comes back in callbacks and webhooks, and says which workspace it is for.
    pub conversation_id: String,
    pub amount: Cents,
    pub currency: &'static str,
    pub item_name: String,
    pub plan_key: String,
    pub callback_url: String,
    pub buyer_id: String,
    pub buyer_email: String,
    pub buyer_ip: String,
}

/// A started Checkout Form.
#[derive(Debug, Clone)]
pub struct Started {
    pub token: String,
    pub payment_page_url: String,
}

/// A payment as iyzico reports it, signature verified and checked against its basket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    pub payment_id: String,
    pub paid: bool,
    pub card_brand: Option<String>,
    pub card_last4: Option<String>,
}

/// iyzico's price text: "29.0", "29.5", "29.99" (what its libraries send).
pub fn price_text(amount: Cents) -> String {
    let (whole, cents) = (amount.0 / 100, amount.0 % 100);
    if cents % 10 == 0 { format!("{whole}.{}", cents / 10) } else { format!("{whole}.{cents:02}") }
}

/// Parses a decimal amount ("29", "29.0", "29.00000000") into exact cents; anything finer than a cent,
/// negative or not a number is `None`.
pub fn parse_amount(text: &str) -> Option<Cents> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !fraction.bytes().all(|b| b.is_ascii_digit())
        || whole.len() > 12
    {
        return None;
    }
    let (cents, rest) = fraction.split_at(fraction.len().min(2));
    if rest.bytes().any(|b| b != b'0') {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let cents: i64 = format!("{cents:0<2}").parse().ok()?;
    Some(Cents(whole * 100 + cents))
}

/// A response field as text, the way iyzico's own libraries stringify it for the signature.
fn field(body: &Value, name: &str) -> String {
    match body.get(name) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

impl IyzicoClient {
    pub fn new(http: reqwest::Client, base: Url, api_key: String, secret_key: SecretString) -> Self {
        Self { http, base, api_key, secret_key }
    }

    async fn call(&self, path: &str, body: Value) -> Result<Value, BillingError> {
        let body = body.to_string();
        let random_key = format!("{}{}", chrono::Utc::now().timestamp_millis(), uuid::Uuid::new_v4().simple());
        let authorization = iyzico_authorization(&self.api_key, &self.secret_key, &random_key, path, &body);
        let response = self
            .http
            .post(format!("{}{path}", self.base.as_str().trim_end_matches('/')))
            .header("Authorization", authorization)
            .header("x-iyzi-rnd", random_key)
            .header("Content-Type", "application/json")
            .body(body)
            .send()
            .await
            .map_err(|e| BillingError::Provider(format!("iyzico unreachable: {e}")))?;
        let status = response.status();
        let value: Value = response
            .json()
            .await
            .map_err(|e| BillingError::Provider(format!("unexpected iyzico answer ({status}): {e}")))?;
        if value.get("status").and_then(Value::as_str) != Some("success") {
            return Err(BillingError::Provider(format!(
                "iyzico refused: {} {}",
                field(&value, "errorCode"),
                field(&value, "errorMessage").chars().take(200).collect::<String>()
            )));
        }
        Ok(value)
    }

    fn verify(&self, body: &Value, names: &[&str]) -> Result<(), BillingError> {
        let fields: Vec<String> = names.iter().map(|n| field(body, n)).collect();
        let fields: Vec<&str> = fields.iter().map(String::as_str).collect();
        let given = field(body, "signature");
        if iyzico_response_signature_matches(&self.secret_key, &fields, &given) {
            Ok(())
        } else {
            Err(BillingError::Refused("iyzico response signature does not match"))
        }
    }

    #[tracing::instrument(skip_all, fields(basket = %basket.basket_id))]
    pub async fn initialize(&self, basket: &Basket) -> Result<Started, BillingError> {
        let price = price_text(basket.amount);
        let request = json!({
            "locale": "en",
            "conversationId": basket.conversation_id,
            "price": price,
            "paidPrice": price,
            "currency": basket.currency,
            "basketId": basket.basket_id,
            "paymentGroup": "SUBSCRIPTION",
            "callbackUrl": basket.callback_url,
            "enabledInstallments": [1],
            "buyer": {
                "id": basket.buyer_id, "name": "Workspace", "surname": "Administrator", "email": basket.buyer_email,
                "identityNumber": "11111111111", "registrationAddress": "-", "city": "-", "country": "-", "ip": basket.buyer_ip,
            },
            "billingAddress": { "contactName": basket.buyer_email, "city": "-", "country": "-", "address": "-" },
            "basketItems": [{
                "id": basket.plan_key, "name": basket.item_name, "category1": "Subscription", "itemType": "VIRTUAL", "price": price,
            }],
        });
        let answer = self.call(INITIALIZE_PATH, request).await?;
        // CheckoutForm Initialize is signed over conversationId, token.
        self.verify(&answer, &["conversationId", "token"])?;
        if field(&answer, "conversationId") != basket.conversation_id {
            return Err(BillingError::Refused("iyzico answered for another conversation"));
        }
        let token = field(&answer, "token");
        let payment_page_url = field(&answer, "paymentPageUrl");
        if token.is_empty() || !payment_page_url.starts_with("https://") && !payment_page_url.starts_with("http://") {
            return Err(BillingError::Provider("iyzico gave no token or payment page".into()));
        }
        Ok(Started { token, payment_page_url })
    }

    /// Retrieves the result for `token` and checks it against `basket`. `Err(Refused)` when the
    /// signature, basket, conversation, amount or currency is not what was asked; `paid: false` when
    /// iyzico reports no successful, fraud-approved payment.
    #[tracing::instrument(skip_all, fields(basket = %basket.basket_id))]
    pub async fn retrieve(&self, token: &str, basket: &Basket) -> Result<Payment, BillingError> {
        let answer = self
            .call(RETRIEVE_PATH, json!({ "locale": "en", "conversationId": basket.conversation_id, "token": token }))
            .await?;
        // CheckoutForm Retrieve is signed over paymentStatus, paymentId, currency, basketId,
        // conversationId, paidPrice, price, token.
        self.verify(
            &answer,
            &["paymentStatus", "paymentId", "currency", "basketId", "conversationId", "paidPrice", "price", "token"],
        )?;
        check_against_basket(&answer, token, basket)?;
        let paid = field(&answer, "paymentStatus") == "SUCCESS" && field(&answer, "fraudStatus") == "1";
        let text = |name: &str| Some(field(&answer, name)).filter(|s| !s.is_empty());
        Ok(Payment {
            payment_id: field(&answer, "paymentId"),
            paid,
            card_brand: text("cardAssociation"),
            card_last4: text("lastFourDigits").filter(|d| d.len() == 4 && d.bytes().all(|b| b.is_ascii_digit())),
        })
    }
}

/// The retrieved payment must be the one asked for.
pub fn check_against_basket(answer: &Value, token: &str, basket: &Basket) -> Result<(), BillingError> {
    if field(answer, "token") != token {
        return Err(BillingError::Refused("iyzico answered for another token"));
    }
    if field(answer, "basketId") != basket.basket_id {
        return Err(BillingError::Refused("basket id does not match the checkout"));
    }
    if field(answer, "conversationId") != basket.conversation_id {
        return Err(BillingError::Refused("conversation id does not match the checkout"));
    }
    if field(answer, "currency") != basket.currency {
        return Err(BillingError::Refused("currency does not match the checkout"));
    }
    for name in ["paidPrice", "price"] {
        if parse_amount(&field(answer, name)) != Some(basket.amount) {
            return Err(BillingError::Refused("amount does not match the checkout"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_are_written_and_read_exactly() {
        assert_eq!(price_text(Cents(2900)), "29.0");
        assert_eq!(price_text(Cents(2950)), "29.5");
        assert_eq!(price_text(Cents(2999)), "29.99");
        assert_eq!(price_text(Cents(5)), "0.05");
        for (text, cents) in [("29", 2900), ("29.0", 2900), ("29.00000000", 2900), ("29.99", 2999), ("0.05", 5)] {
            assert_eq!(parse_amount(text), Some(Cents(cents)), "{text}");
        }
        for bad in ["", "-29", "29.001", "2e3", ".5", "abc", "29.5x"] {
            assert_eq!(parse_amount(bad), None, "{bad}");
        }
    }
}
