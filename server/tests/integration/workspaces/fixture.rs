//! A workspace with people in it, built the way people build it: the owner creates it and invites
//! others by mail; they sign up, sign in and accept.

use crate::harness::{Browser, TestApp, link_token};
use serde_json::Value;

pub struct Team {
    pub slug: String,
    pub owner: Browser,
}

impl Team {
    /// `owner_email` signs up and creates a workspace named `name`.
    pub async fn create(app: &TestApp, name: &str, owner_email: &str) -> Self {
        let owner = app.user(owner_email).await;
        let response = owner.call("workspaces/create", &[("name", name)]).await;
        assert_eq!(response.status(), 200, "creating {name}");
        let slug = response.json::<Value>().await.unwrap()["slug"].as_str().unwrap().to_owned();
        Self { slug, owner }
    }

    /// Invites `email` with `role` (as `inviter`), then that person joins; returns their browser.
    pub async fn join_as(&self, app: &TestApp, inviter: &Browser, email: &str, role: &str) -> Browser {
        let invited = inviter.call("admin/invite", &[("slug", &self.slug), ("email", email), ("role", role)]).await;
        assert_eq!(invited.status(), 200, "inviting {email} as {role}");
        let token = link_token(&app.mail(email, "invitation").await.text, "/invitations/accept");
        let member = app.user(email).await;
        let accepted = member.call("invitations/accept", &[("token", &token)]).await;
        assert_eq!(accepted.status(), 200, "{email} accepting");
        member
    }

    pub async fn member(&self, app: &TestApp, email: &str, role: &str) -> Browser {
        self.join_as(app, &self.owner, email, role).await
    }

    /// Adds a supplier (as the owner) and returns its id.
    pub async fn supplier(&self, name: &str) -> String {
        let added =
            self.owner.call("purchasing/suppliers/add", &[("slug", &self.slug), ("name", name), ("email", "")]).await;
        assert_eq!(added.status(), 200);
        let list = get(&self.owner, &format!("/rpc/purchasing/suppliers?slug={}", self.slug)).await;
        list["items"].as_array().unwrap().iter().find(|s| s["name"] == name).unwrap()["id"].as_str().unwrap().to_owned()
    }
}

/// A GET server-function call's JSON body (`Null` when refused).
pub async fn get(browser: &Browser, path_and_query: &str) -> Value {
    browser.fetch(path_and_query).await.json().await.unwrap_or(Value::Null)
}

pub async fn get_status(browser: &Browser, path_and_query: &str) -> u16 {
    browser.fetch(path_and_query).await.status().as_u16()
}

/// Submits a purchase request of one line (`quantity` × `unit_price`); returns (status, body).
pub async fn submit(
    browser: &Browser,
    slug: &str,
    supplier: &str,
    title: &str,
    quantity: &str,
    unit_price: &str,
) -> (u16, Value) {
    let response = browser
        .call(
            "purchasing/requests/submit",
            &[
                ("slug", slug),
                ("supplier", supplier),
                ("title", title),
                ("lines[0][description]", "Item"),
                ("lines[0][quantity]", quantity),
                ("lines[0][unit_price]", unit_price),
            ],
        )
        .await;
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

pub async fn decide(browser: &Browser, slug: &str, id: &str, decision: &str, comment: &str) -> (u16, Value) {
    let response = browser
        .call("purchasing/request/decide", &[("slug", slug), ("id", id), ("decision", decision), ("comment", comment)])
        .await;
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}
