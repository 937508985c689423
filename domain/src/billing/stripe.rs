//! Stripe's REST API over reqwest: Checkout Sessions, the Customer Portal, subscriptions and invoices.
//! Every POST carries an `Idempotency-Key` (Stripe replays the first answer for a repeated key, so a
//! retried request never creates a second session or change); GETs have no effect to repeat.
//! The secret key goes only into the `Authorization` header and is never logged.

use super::BillingError;
use secrecy::{ExposeSecret as _, SecretString};
use serde::Deserialize;
use url::Url;

/// Stripe's API version this client is written against.
pub const STRIPE_VERSION: &str = "2025-03-31.basil";

#[derive(Clone)]
pub struct StripeClient {
    http: reqwest::Client,
    base: Url,
    secret_key: SecretString,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CheckoutSession {
    pub id: String,
    pub url: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub payment_status: Option<String>,
    #[serde(default)]
    pub subscription: Option<String>,
    #[serde(default)]
    pub client_reference_id: Option<String>,
    #[serde(default)]
    pub metadata: std::collections::HashMap<String, String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Subscription {
    pub id: String,
    pub status: String,
    pub customer: String,
    #[serde(default)]
    pub cancel_at_period_end: bool,
    /// Top level before API version 2025-03-31; on the items since.
    #[serde(default)]
    pub current_period_end: Option<i64>,
    #[serde(default)]
    pub trial_end: Option<i64>,
    #[serde(default)]
    pub metadata: std::collections::HashMap<String, String>,
    pub items: List<SubscriptionItem>,
    #[serde(default)]
    pub default_payment_method: Option<PaymentMethod>,
}

impl Subscription {
    pub fn period_end(&self) -> Option<i64> {
        self.current_period_end.or_else(|| self.items.data.first().and_then(|i| i.current_period_end))
    }

    pub fn price_id(&self) -> Option<&str> {
        self.items.data.first().map(|i| i.price.id.as_str())
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct List<T> {
    pub data: Vec<T>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SubscriptionItem {
    pub id: String,
    pub price: Price,
    #[serde(default)]
    pub current_period_end: Option<i64>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Price {
    pub id: String,
}

/// Only what may be shown: the brand and the last four digits, as Stripe returns them.
#[derive(Debug, Clone, Deserialize)]
pub struct PaymentMethod {
    #[serde(default)]
    pub card: Option<CardSummary>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CardSummary {
    pub brand: String,
    pub last4: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Invoice {
    pub id: String,
    #[serde(default)]
    pub number: Option<String>,
    #[serde(default)]
    pub amount_paid: i64,
    #[serde(default)]
    pub amount_due: i64,
    pub currency: String,
    #[serde(default)]
    pub status: Option<String>,
    pub created: i64,
    #[serde(default)]
    pub hosted_invoice_url: Option<String>,
}

#[derive(Debug, Deserialize)]
struct PortalSession {
    url: String,
}

/// What a Checkout Session is created with.
pub struct NewCheckout<'a> {
    pub price_id: &'a str,
    pub customer: Option<&'a str>,
    pub tenant: &'a str,
    pub checkout_id: &'a str,
    pub success_url: &'a str,
    pub cancel_url: &'a str,
    pub trial_days: Option<u32>,
}

impl StripeClient {
    pub fn new(http: reqwest::Client, base: Url, secret_key: SecretString) -> Self {
        Self { http, base, secret_key }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base.as_str().trim_end_matches('/'))
    }

    async fn send<T: serde::de::DeserializeOwned>(&self, request: reqwest::RequestBuilder) -> Result<T, BillingError> {
        let response = request
            .bearer_auth(self.secret_key.expose_secret())
            .header("Stripe-Version", STRIPE_VERSION)
            .send()
            .await
            .map_err(|e| BillingError::Provider(format!("Stripe unreachable: {e}")))?;
        let status = response.status();
        if !status.is_success() {
            // Stripe's error bodies name the problem, never a secret; keep them for the log.
            let body = response.text().await.unwrap_or_default();
            return Err(BillingError::Provider(format!(
                "Stripe answered {status}: {}",
                body.chars().take(300).collect::<String>()
            )));
        }
        response.json().await.map_err(|e| BillingError::Provider(format!("unexpected Stripe answer: {e}")))
    }

    async fn post<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        form: &[(String, String)],
        idempotency_key: &str,
    ) -> Result<T, BillingError> {
        self.send(self.http.post(self.url(path)).header("Idempotency-Key", idempotency_key).form(form)).await
    }

    async fn get<T: serde::de::DeserializeOwned>(&self, path: &str, query: &[(&str, &str)]) -> Result<T, BillingError> {
        self.send(self.http.get(self.url(path)).query(query)).await
    }

    #[tracing::instrument(skip_all, fields(checkout = new.checkout_id))]
    pub async fn create_checkout_session(&self, new: &NewCheckout<'_>) -> Result<CheckoutSession, BillingError> {
        let mut form: Vec<(String, String)> = vec![
            ("mode".into(), "subscription".into()),
            ("line_items[0][price]".into(), new.price_id.into()),
            ("line_items[0][quantity]".into(), "1".into()),
            ("success_url".into(), new.success_url.into()),
            ("cancel_url".into(), new.cancel_url.into()),
            ("client_reference_id".into(), new.checkout_id.into()),
            ("metadata[tenant]".into(), new.tenant.into()),
            ("metadata[checkout]".into(), new.checkout_id.into()),
            ("subscription_data[metadata][tenant]".into(), new.tenant.into()),
        ];
        if let Some(customer) = new.customer {
            form.push(("customer".into(), customer.into()));
        }
        if let Some(days) = new.trial_days.filter(|d| *d > 0) {
            form.push(("subscription_data[trial_period_days]".into(), days.to_string()));
        }
        self.post("/v1/checkout/sessions", &form, &format!("checkout-{}", new.checkout_id)).await
    }

    #[tracing::instrument(skip_all)]
    pub async fn checkout_session(&self, id: &str) -> Result<CheckoutSession, BillingError> {
        self.get(&format!("/v1/checkout/sessions/{}", path_segment(id)?), &[]).await
    }

    #[tracing::instrument(skip_all)]
    pub async fn subscription(&self, id: &str) -> Result<Subscription, BillingError> {
        self.get(&format!("/v1/subscriptions/{}", path_segment(id)?), &[("expand[]", "default_payment_method")]).await
    }

    /// Changes a subscription (`cancel_at_period_end`, a new price on its item).
    #[tracing::instrument(skip_all)]
    pub async fn update_subscription(
        &self,
        id: &str,
        form: &[(String, String)],
        idempotency_key: &str,
    ) -> Result<Subscription, BillingError> {
        self.post(&format!("/v1/subscriptions/{}", path_segment(id)?), form, idempotency_key).await
    }

    #[tracing::instrument(skip_all)]
    pub async fn portal_session(
        &self,
        customer: &str,
        return_url: &str,
        idempotency_key: &str,
    ) -> Result<String, BillingError> {
        let form = vec![("customer".to_owned(), customer.to_owned()), ("return_url".to_owned(), return_url.to_owned())];
        let session: PortalSession = self.post("/v1/billing_portal/sessions", &form, idempotency_key).await?;
        Ok(session.url)
    }

    #[tracing::instrument(skip_all)]
    pub async fn invoices(&self, customer: &str) -> Result<Vec<Invoice>, BillingError> {
        let list: List<Invoice> = self.get("/v1/invoices", &[("customer", customer), ("limit", "12")]).await?;
        Ok(list.data)
    }
}

/// An id from a webhook is only a lookup key, but it goes into a URL path: Stripe ids are
/// `prefix_alphanumeric`, anything else is refused.
fn path_segment(id: &str) -> Result<&str, BillingError> {
    if !id.is_empty() && id.len() <= 255 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        Ok(id)
    } else {
        Err(BillingError::Refused("not a Stripe id"))
    }
}
