//! The sandbox provider (PAY2): a stand-in for Stripe in dev mode and the tests, labelled "sandbox"
//! wherever it shows. It keeps its sessions and subscriptions in memory, answers the subset of
//! Stripe's REST API that [`super::stripe::StripeClient`] uses (with Stripe's JSON shapes, a bearer key
//! and `Idempotency-Key` required on POSTs), offers a hosted page where a person pays, declines or
//! leaves the payment pending, and reports outcomes as webhooks signed with Stripe's real scheme to
//! the real webhook route. So the production client, verification and re-fetch code is what runs.
//! No card number is ever asked for: the page only has three buttons.

use super::signatures::stripe_signature_header;
use secrecy::{ExposeSecret as _, SecretString};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Mutex;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Pay,
    Decline,
    Pending,
}

impl Outcome {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pay" => Some(Self::Pay),
            "decline" => Some(Self::Decline),
            "pending" => Some(Self::Pending),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
struct Session {
    id: String,
    price: String,
    customer: String,
    success_url: String,
    cancel_url: String,
    client_reference_id: String,
    tenant: String,
    trial_days: Option<i64>,
    status: &'static str,
    subscription: Option<String>,
}

#[derive(Debug, Clone)]
struct Sub {
    id: String,
    customer: String,
    price: String,
    status: &'static str,
    cancel_at_period_end: bool,
    period_end: i64,
    trial_end: Option<i64>,
    tenant: String,
}

#[derive(Default)]
struct State {
    sessions: HashMap<String, Session>,
    subscriptions: HashMap<String, Sub>,
    invoices: Vec<Value>,
    /// Answers already given per idempotency key (Stripe replays them).
    replies: HashMap<String, Value>,
    events: u64,
}

/// A request the sandbox's API refused, with Stripe's status code.
#[derive(Debug)]
pub struct ApiError {
    pub status: u16,
    pub message: &'static str,
}

fn err(status: u16, message: &'static str) -> ApiError {
    ApiError { status, message }
}

pub struct Sandbox {
    secret_key: SecretString,
    webhook_secret: SecretString,
    state: Mutex<State>,
}

/// A webhook the sandbox wants delivered: the body and its `Stripe-Signature`.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub body: String,
    pub signature: String,
}

fn id(prefix: &str) -> String {
    format!("{prefix}_sb{}", uuid::Uuid::new_v4().simple())
}

fn form_get<'a>(form: &'a [(String, String)], key: &str) -> Option<&'a str> {
    form.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

impl Sandbox {
    /// A sandbox with fresh random keys (they live as long as the process).
    pub fn new() -> Self {
        let random = || SecretString::from(format!("sb_{}", hex::encode(rand::random::<[u8; 24]>())));
        Self { secret_key: random(), webhook_secret: random(), state: Mutex::new(State::default()) }
    }

    pub fn secret_key(&self) -> &SecretString {
        &self.secret_key
    }

    pub fn webhook_secret(&self) -> &SecretString {
        &self.webhook_secret
    }

    /// Whether `authorization` is `Bearer <our key>` (constant-time).
    pub fn authorized(&self, authorization: Option<&str>) -> bool {
        let given = authorization.and_then(|a| a.strip_prefix("Bearer ")).unwrap_or("");
        crate::crypto::mac_matches(self.secret_key.expose_secret(), given)
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn session_json(s: &Session, pay_base: &str) -> Value {
        json!({
            "id": s.id, "object": "checkout.session", "url": format!("{pay_base}/sandbox/pay/{}", s.id),
            "status": s.status, "payment_status": if s.status == "complete" { "paid" } else { "unpaid" },
            "subscription": s.subscription, "customer": s.customer, "client_reference_id": s.client_reference_id,
            "metadata": { "tenant": s.tenant, "checkout": s.client_reference_id },
        })
    }

    fn sub_json(s: &Sub) -> Value {
        json!({
            "id": s.id, "object": "subscription", "status": s.status, "customer": s.customer,
            "cancel_at_period_end": s.cancel_at_period_end, "trial_end": s.trial_end,
            "metadata": { "tenant": s.tenant },
            "items": { "object": "list", "data": [{ "id": format!("si_{}", &s.id[4..]), "price": { "id": s.price }, "current_period_end": s.period_end }] },
            "default_payment_method": { "id": "pm_sandbox", "card": { "brand": "visa", "last4": "4242" } },
        })
    }

    /// Replays the first answer for a repeated idempotency key, as Stripe does.
    fn once(
        &self,
        key: Option<&str>,
        make: impl FnOnce(&mut State) -> Result<Value, ApiError>,
    ) -> Result<Value, ApiError> {
        let key = key.filter(|k| !k.is_empty()).ok_or(err(400, "Idempotency-Key is required"))?;
        let mut state = self.state();
        if let Some(reply) = state.replies.get(key) {
            return Ok(reply.clone());
        }
        let reply = make(&mut state)?;
        state.replies.insert(key.to_owned(), reply.clone());
        Ok(reply)
    }

    pub fn create_session(
        &self,
        form: &[(String, String)],
        idempotency_key: Option<&str>,
        pay_base: &str,
    ) -> Result<Value, ApiError> {
        self.once(idempotency_key, |state| {
            let need = |k| form_get(form, k).map(str::to_owned).ok_or(err(400, "missing parameter"));
            if form_get(form, "mode") != Some("subscription") {
                return Err(err(400, "mode must be subscription"));
            }
            let session = Session {
                id: id("cs"),
                price: need("line_items[0][price]")?,
                customer: form_get(form, "customer").map(str::to_owned).unwrap_or_else(|| id("cus")),
                success_url: need("success_url")?,
                cancel_url: need("cancel_url")?,
                client_reference_id: need("client_reference_id")?,
                tenant: need("subscription_data[metadata][tenant]")?,
                trial_days: form_get(form, "subscription_data[trial_period_days]").and_then(|d| d.parse().ok()),
                status: "open",
                subscription: None,
            };
            let reply = Self::session_json(&session, pay_base);
            state.sessions.insert(session.id.clone(), session);
            Ok(reply)
        })
    }

    pub fn session(&self, session_id: &str, pay_base: &str) -> Result<Value, ApiError> {
        let state = self.state();
        state
            .sessions
            .get(session_id)
            .map(|s| Self::session_json(s, pay_base))
            .ok_or(err(404, "no such checkout session"))
    }

    pub fn subscription(&self, sub_id: &str) -> Result<Value, ApiError> {
        self.state().subscriptions.get(sub_id).map(Self::sub_json).ok_or(err(404, "no such subscription"))
    }

    /// `POST /v1/subscriptions/:id`: `cancel_at_period_end`, or a new price on the item.
    pub fn update_subscription(
        &self,
        sub_id: &str,
        form: &[(String, String)],
        idempotency_key: Option<&str>,
    ) -> Result<(Value, Option<Delivery>), ApiError> {
        let reply = self.once(idempotency_key, |state| {
            let sub = state.subscriptions.get_mut(sub_id).ok_or(err(404, "no such subscription"))?;
            if let Some(cancel) = form_get(form, "cancel_at_period_end") {
                sub.cancel_at_period_end = cancel == "true";
            }
            if let Some(price) = form_get(form, "items[0][price]") {
                sub.price = price.to_owned();
            }
            Ok(Self::sub_json(sub))
        })?;
        let delivery = self.event("customer.subscription.updated", reply.clone());
        Ok((reply, Some(delivery)))
    }

    pub fn portal(
        &self,
        form: &[(String, String)],
        idempotency_key: Option<&str>,
        pay_base: &str,
    ) -> Result<Value, ApiError> {
        self.once(idempotency_key, |_| {
            let customer = form_get(form, "customer").ok_or(err(400, "missing customer"))?;
            let back = form_get(form, "return_url").ok_or(err(400, "missing return_url"))?;
            let back: String = url::form_urlencoded::byte_serialize(back.as_bytes()).collect();
            Ok(json!({ "id": id("bps"), "object": "billing_portal.session", "url": format!("{pay_base}/sandbox/portal/{customer}?return_url={back}") }))
        })
    }

    pub fn invoices(&self, customer: &str) -> Value {
        let state = self.state();
        let data: Vec<Value> = state.invoices.iter().filter(|i| i["customer"] == customer).rev().cloned().collect();
        json!({ "object": "list", "data": data })
    }

    fn event(&self, kind: &str, object: Value) -> Delivery {
        let n = {
            let mut state = self.state();
            state.events += 1;
            state.events
        };
        let body = json!({ "id": format!("evt_sb{n}_{}", uuid::Uuid::new_v4().simple()), "object": "event", "type": kind, "data": { "object": object } }).to_string();
        let signature = stripe_signature_header(&self.webhook_secret, chrono::Utc::now().timestamp(), body.as_bytes());
        Delivery { body, signature }
    }

    /// What the person chose on the hosted page: where their browser goes next, and the webhooks to send.
    pub fn complete(
        &self,
        session_id: &str,
        outcome: Outcome,
        pay_base: &str,
    ) -> Result<(String, Vec<Delivery>), ApiError> {
        let (session, sub) = {
            let mut state = self.state();
            let session = state.sessions.get_mut(session_id).ok_or(err(404, "no such checkout session"))?;
            if session.status != "open" {
                return Err(err(400, "this checkout session is no longer open"));
            }
            match outcome {
                Outcome::Pending => return Ok((session.success_url.clone(), Vec::new())),
                Outcome::Decline => {
                    session.status = "expired";
                    (session.clone(), None)
                }
                Outcome::Pay => {
                    let now = chrono::Utc::now().timestamp();
                    let yearly = session.price.ends_with("_year");
                    let trial_end = session.trial_days.map(|d| now + d * 86_400);
                    let sub = Sub {
                        id: id("sub"),
                        customer: session.customer.clone(),
                        price: session.price.clone(),
                        status: if trial_end.is_some() { "trialing" } else { "active" },
                        cancel_at_period_end: false,
                        period_end: trial_end.unwrap_or(now + if yearly { 365 } else { 30 } * 86_400),
                        trial_end,
                        tenant: session.tenant.clone(),
                    };
                    session.status = "complete";
                    session.subscription = Some(sub.id.clone());
                    (session.clone(), Some(sub))
                }
            }
        };
        match sub {
            None => {
                let expired = self.event("checkout.session.expired", Self::session_json(&session, pay_base));
                let back = format!(
                    "{}{}result=declined",
                    session.cancel_url,
                    if session.cancel_url.contains('?') { "&" } else { "?" }
                );
                Ok((back, vec![expired]))
            }
            Some(sub) => {
                {
                    let mut state = self.state();
                    let number = state.invoices.len() + 1;
                    state.invoices.push(json!({
                        "id": id("in"), "object": "invoice", "customer": sub.customer, "subscription": sub.id,
                        "number": format!("SANDBOX-{number:04}"), "amount_paid": 0, "amount_due": 0,
                        "currency": "eur", "status": "paid", "created": chrono::Utc::now().timestamp(), "hosted_invoice_url": null,
                    }));
                    state.subscriptions.insert(sub.id.clone(), sub);
                }
                let completed = self.event("checkout.session.completed", Self::session_json(&session, pay_base));
                Ok((session.success_url, vec![completed]))
            }
        }
    }

    /// Makes a subscription's next renewal fail (the portal's "simulate a failed renewal"): it becomes
    /// past due and an `invoice.payment_failed` webhook goes out.
    pub fn fail_renewal(&self, customer: &str) -> Option<Delivery> {
        let invoice = {
            let mut state = self.state();
            let sub = state.subscriptions.values_mut().find(|s| s.customer == customer)?;
            sub.status = "past_due";
            json!({ "id": id("in"), "object": "invoice", "customer": sub.customer, "subscription": sub.id, "status": "open", "currency": "eur", "created": chrono::Utc::now().timestamp() })
        };
        Some(self.event("invoice.payment_failed", invoice))
    }

    /// The session's return address for a person who leaves the hosted page.
    pub fn cancel_url(&self, session_id: &str) -> Option<String> {
        self.state().sessions.get(session_id).map(|s| s.cancel_url.clone())
    }

    /// For the hosted page: the price being bought, if the session is open.
    pub fn open_session_price(&self, session_id: &str) -> Option<String> {
        self.state().sessions.get(session_id).filter(|s| s.status == "open").map(|s| s.price.clone())
    }
}

impl Default for Sandbox {
    fn default() -> Self {
        Self::new()
    }
}
