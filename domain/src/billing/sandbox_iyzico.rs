//! The sandbox provider speaking iyzico (PAY2): in dev mode and the tests, with `billing.sandbox_scheme =
//! "iyzico"`, it stands in for iyzico's Checkout Form the way [`super::sandbox`] stands in for Stripe.
//! It refuses requests not signed `IYZWSv2` with its keys, signs every answer the way iyzico does, offers
//! a hosted page (labelled sandbox, three buttons, no card asked) whose result goes back by the browser's
//! POST to the callback address, as iyzico's page does, and sends a webhook signed `X-Iyz-Signature-V3`
//! to the real iyzico webhook route. So the production [`super::iyzico::IyzicoClient`], its signature
//! checks and the basket comparison are what runs. State lives in memory.

use super::iyzico::{INITIALIZE_PATH, RETRIEVE_PATH};
use super::sandbox::{ApiError, Outcome};
use super::signatures::{IyzicoWebhookFields, iyzico_check_authorization, iyzico_response_signature};
use secrecy::SecretString;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Mutex;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FormStatus {
    Open,
    Paid,
    Declined,
}

/// One Checkout Form, as it was initialized.
#[derive(Debug, Clone)]
struct Form {
    conversation_id: String,
    basket_id: String,
    price: String,
    paid_price: String,
    currency: String,
    callback_url: String,
    item: String,
    status: FormStatus,
    payment_id: Option<String>,
}

/// A webhook the sandbox wants delivered: the body and its `X-Iyz-Signature-V3`.
#[derive(Debug, Clone)]
pub struct IyzicoDelivery {
    pub body: String,
    pub signature: String,
}

pub struct IyzicoSandbox {
    api_key: String,
    secret_key: SecretString,
    forms: Mutex<HashMap<String, Form>>,
}

impl IyzicoSandbox {
    /// A sandbox with fresh random keys (they live as long as the process).
    pub fn new() -> Self {
        let random = || format!("sandbox-{}", hex::encode(rand::random::<[u8; 20]>()));
        Self { api_key: random(), secret_key: SecretString::from(random()), forms: Mutex::new(HashMap::new()) }
    }

    pub fn api_key(&self) -> &str {
        &self.api_key
    }

    pub fn secret_key(&self) -> &SecretString {
        &self.secret_key
    }

    fn forms(&self) -> std::sync::MutexGuard<'_, HashMap<String, Form>> {
        self.forms.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn failure(code: &str, message: &str) -> Value {
        json!({ "status": "failure", "errorCode": code, "errorMessage": message, "locale": "en" })
    }

    /// Answers a request to iyzico's API at `path` (the part after the sandbox's base), as iyzico
    /// would: refused unless signed `IYZWSv2` with the sandbox's keys over this path and body.
    pub fn api(&self, path: &str, authorization: Option<&str>, body: &str, pay_base: &str) -> (u16, Value) {
        let signed = authorization
            .is_some_and(|header| iyzico_check_authorization(header, &self.api_key, &self.secret_key, path, body));
        if !signed {
            return (401, Self::failure("1000", "Geçersiz imza (invalid signature)"));
        }
        let Ok(request) = serde_json::from_str::<Value>(body) else {
            return (400, Self::failure("11", "Geçersiz istek (invalid request)"));
        };
        match path {
            INITIALIZE_PATH => self.initialize(&request, pay_base),
            RETRIEVE_PATH => self.retrieve(&request),
            _ => (404, Self::failure("404", "unknown path")),
        }
    }

    fn initialize(&self, request: &Value, pay_base: &str) -> (u16, Value) {
        let text = |name: &str| request[name].as_str().unwrap_or_default().to_owned();
        let form = Form {
            conversation_id: text("conversationId"),
            basket_id: text("basketId"),
            price: text("price"),
            paid_price: text("paidPrice"),
            currency: text("currency"),
            callback_url: text("callbackUrl"),
            item: request["basketItems"][0]["name"].as_str().unwrap_or_default().to_owned(),
            status: FormStatus::Open,
            payment_id: None,
        };
        if form.conversation_id.is_empty() || form.basket_id.is_empty() || form.callback_url.is_empty() {
            return (400, Self::failure("12", "conversationId, basketId and callbackUrl are required"));
        }
        let token = format!("sandbox-{}", uuid::Uuid::new_v4().simple());
        let signature = iyzico_response_signature(&self.secret_key, &[&form.conversation_id, &token]);
        let reply = json!({
            "status": "success", "locale": "en", "systemTime": chrono::Utc::now().timestamp_millis(),
            "conversationId": form.conversation_id, "token": token, "tokenExpireTime": 1800,
            "paymentPageUrl": format!("{pay_base}/sandbox/iyzico/pay/{token}"), "signature": signature,
        });
        self.forms().insert(token, form);
        (200, reply)
    }

    fn retrieve(&self, request: &Value) -> (u16, Value) {
        let token = request["token"].as_str().unwrap_or_default();
        let Some(form) = self.forms().get(token).cloned() else {
            return (200, Self::failure("5142", "no such checkout form"));
        };
        let (payment_status, payment_id) = match form.status {
            FormStatus::Paid => ("SUCCESS", form.payment_id.clone().unwrap_or_default()),
            FormStatus::Declined => ("FAILURE", String::new()),
            FormStatus::Open => ("INIT_THREEDS", String::new()),
        };
        let signature = iyzico_response_signature(
            &self.secret_key,
            &[
                payment_status,
                &payment_id,
                &form.currency,
                &form.basket_id,
                &form.conversation_id,
                &form.paid_price,
                &form.price,
                token,
            ],
        );
        let card = |value: &str| if form.status == FormStatus::Paid { Value::from(value) } else { Value::Null };
        (
            200,
            json!({
                "status": "success", "locale": "en", "conversationId": form.conversation_id, "token": token,
                "paymentStatus": payment_status, "paymentId": payment_id, "fraudStatus": 1,
                "price": form.price, "paidPrice": form.paid_price, "currency": form.currency, "basketId": form.basket_id,
                "cardAssociation": card("MASTER_CARD"), "lastFourDigits": card("0008"), "signature": signature,
            }),
        )
    }

    /// For the hosted page: what is being bought, if the form is still open.
    pub fn open_form(&self, token: &str) -> Option<String> {
        self.forms()
            .get(token)
            .filter(|f| f.status == FormStatus::Open)
            .map(|f| format!("{}: {} {}", f.item, f.paid_price, f.currency))
    }

    /// What the person chose on the hosted page: the callback address their browser posts the token
    /// to, and the webhook to send (none while the payment is left pending).
    pub fn complete(&self, token: &str, outcome: Outcome) -> Result<(String, Option<IyzicoDelivery>), ApiError> {
        let mut forms = self.forms();
        let form = forms.get_mut(token).ok_or(ApiError { status: 404, message: "no such checkout form" })?;
        if form.status != FormStatus::Open {
            return Err(ApiError { status: 400, message: "this checkout form is no longer open" });
        }
        let status = match outcome {
            Outcome::Pending => return Ok((form.callback_url.clone(), None)),
            Outcome::Pay => {
                form.status = FormStatus::Paid;
                form.payment_id = Some(format!("{}", rand::random::<u32>()));
                "SUCCESS"
            }
            Outcome::Decline => {
                form.status = FormStatus::Declined;
                "FAILURE"
            }
        };
        let payment_id = form.payment_id.clone().unwrap_or_default();
        let fields = IyzicoWebhookFields {
            event_type: "CHECKOUT_FORM_AUTH",
            payment_id: &payment_id,
            token,
            conversation_id: &form.conversation_id,
            status,
        };
        let signature = fields.signature(&self.secret_key);
        let body = json!({
            "iyziEventType": fields.event_type, "iyziPaymentId": payment_id, "token": token,
            "paymentConversationId": form.conversation_id, "status": status,
            "iyziReferenceCode": uuid::Uuid::new_v4().to_string(), "iyziEventTime": chrono::Utc::now().timestamp_millis(),
        })
        .to_string();
        Ok((form.callback_url.clone(), Some(IyzicoDelivery { body, signature })))
    }
}

impl Default for IyzicoSandbox {
    fn default() -> Self {
        Self::new()
    }
}
