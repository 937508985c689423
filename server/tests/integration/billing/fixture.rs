//! Helpers: a workspace with an owner, looking at its billing tables behind the application's back,
//! and Stripe-signed webhooks.

use crate::harness::{Browser, TestApp};
use domain::ids::TenantId;
use sea_orm::{ConnectionTrait as _, DatabaseConnection, Statement};
use serde_json::Value;

pub struct Shop {
    pub slug: String,
    pub owner: Browser,
    pub tenant: TenantId,
    pub db: DatabaseConnection,
}

pub async fn shop(app: &TestApp, owner_email: &str) -> Shop {
    let owner = app.user(owner_email).await;
    let response = owner.call("workspaces/create", &[("name", "Billing Co")]).await;
    assert_eq!(response.status(), 200);
    let slug = response.json::<Value>().await.unwrap()["slug"].as_str().unwrap().to_owned();
    let parsed = model::WorkspaceSlug::parse(&slug).unwrap();
    let tenant = app.platform.tenancy().find_by_slug(&parsed).await.unwrap().id;
    let db = app.platform.tenancy().tenant_db(tenant).await.unwrap();
    Shop { slug, owner, tenant, db }
}

impl Shop {
    pub async fn overview(&self) -> Value {
        let response = self.owner.fetch(&format!("/rpc/billing/overview?slug={}", self.slug)).await;
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    }

    /// Starts a checkout; returns the provider page's address.
    pub async fn checkout(&self, plan: &str, interval: &str) -> String {
        let response =
            self.owner.call("billing/checkout", &[("slug", &self.slug), ("plan", plan), ("interval", interval)]).await;
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        assert_eq!(status, 200, "checkout: {body}");
        body.as_str().unwrap().to_owned()
    }

    pub async fn count(&self, sql: &str) -> i64 {
        let row = self
            .db
            .query_one_raw(Statement::from_string(self.db.get_database_backend(), sql.to_owned()))
            .await
            .unwrap()
            .unwrap();
        row.try_get_by_index::<i64>(0).unwrap()
    }

    pub async fn text(&self, sql: &str) -> Option<String> {
        let row = self
            .db
            .query_one_raw(Statement::from_string(self.db.get_database_backend(), sql.to_owned()))
            .await
            .unwrap()?;
        row.try_get_by_index::<Option<String>>(0).unwrap()
    }

    pub async fn status(&self) -> Option<String> {
        self.text("SELECT status FROM subscription").await
    }

    pub async fn subscription_ref(&self) -> String {
        self.text("SELECT subscription_ref FROM subscription").await.expect("a subscription")
    }

    pub async fn audits(&self, action: &str) -> i64 {
        self.count(&format!("SELECT COUNT(*) FROM audit_events WHERE action = '{action}'")).await
    }
}

/// A Stripe event of `kind` about `object`, with id `id`.
pub fn event(id: &str, kind: &str, object: Value) -> String {
    serde_json::json!({ "id": id, "object": "event", "type": kind, "data": { "object": object } }).to_string()
}

/// Posts `body` to the Stripe webhook route with `signature` (or none).
pub async fn deliver(app: &TestApp, body: &str, signature: Option<String>) -> reqwest::Response {
    let mut request = reqwest::Client::new()
        .post(app.url("/billing/webhooks/stripe"))
        .header("content-type", "application/json")
        .body(body.to_owned());
    if let Some(signature) = signature {
        request = request.header("stripe-signature", signature);
    }
    request.send().await.unwrap()
}

/// The sandbox's webhook secret signs `body` at `t` as Stripe would.
pub fn sign(app: &TestApp, body: &str, t: i64) -> String {
    let secret = app.platform.billing().sandbox().unwrap().webhook_secret();
    domain::billing::signatures::stripe_signature_header(secret, t, body.as_bytes())
}

/// Follows the sandbox page: pays (or declines, or leaves pending) as a person would; returns where
/// the browser was sent back to.
pub async fn on_sandbox_page(app: &TestApp, browser: &Browser, page: &str, outcome: &str) -> String {
    let html = browser.client.get(page).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("SANDBOX"), "the provider page is labelled sandbox: {html}");
    assert!(!html.to_lowercase().contains("card number"), "the sandbox never asks for a card");
    let id = page.rsplit('/').next().unwrap();
    let response =
        browser.client.post(app.url(&format!("/sandbox/pay/{id}"))).form(&[("outcome", outcome)]).send().await.unwrap();
    assert_eq!(response.status(), 303, "the sandbox sends the browser back");
    response.headers()["location"].to_str().unwrap().to_owned()
}

/// `email` joins `shop` with `role` by invitation.
pub async fn member(app: &TestApp, shop: &Shop, email: &str, role: &str) -> Browser {
    let invited = shop.owner.call("admin/invite", &[("slug", &shop.slug), ("email", email), ("role", role)]).await;
    assert_eq!(invited.status(), 200);
    let token = crate::harness::link_token(&app.mail(email, "invitation").await.text, "/invitations/accept");
    let member = app.user(email).await;
    assert_eq!(member.call("invitations/accept", &[("token", &token)]).await.status(), 200);
    member
}

pub fn no_trial(raw: &mut server::config::RawConfig) {
    raw.billing.trial_days = 0;
}
