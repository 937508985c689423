//! DATA5 over HTTP: signed, expiring, revocable links to one sales order's confirmation page, opened
//! without an account. Only that order, contact data masked; every opening audited; a tampered,
//! expired, revoked, unknown or foreign link shows nothing, and all of them the same nothing.

use super::fixture::Team;
use super::sales_fixture::{SECRETS, add_order, execute, id_value, secret_customer, tenant, tenant_db, texts};
use super::sharing_fixture::{create_link, open, token_of};
use crate::harness::TestApp;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

fn clear_values() -> [&'static str; 5] {
    [SECRETS.email, "5550199", "Zwetschgenweg", "Leipzig", "gate code"]
}

async fn new_order(team: &Team, customer: &str) -> String {
    let (status, order) = add_order(&team.owner, &team.slug, customer, "3", "12.50").await;
    assert_eq!(status, 200, "{order}");
    order["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
/// Proves: DATA5
async fn the_end_customer_opens_only_that_order_without_an_account_with_contact_data_masked() {
    let app = TestApp::spawn().await;
    let team = Team::create(&app, "Link Co", "owner@example.com").await;
    let customer = secret_customer(&team).await;
    let order = new_order(&team, &customer).await;
    let member = team.member(&app, "member@example.com", "member").await;
    let viewer = team.member(&app, "viewer@example.com", "viewer").await;
    let (status, _) = create_link(&viewer, &team.slug, &order).await;
    assert_eq!(status, 403, "seeing an order is not enough to hand it out");
    let (status, link) = create_link(&member, &team.slug, &order).await;
    assert_eq!(status, 200, "{link}");
    let token = token_of(&link);

    let anonymous = app.browser();
    let (status, body) = open(&anonymous, &token).await;
    assert_eq!(status, 200, "{body}");
    let answer: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(answer["customer"], "Ottilie Quandt");
    assert_eq!(answer["email"], "o•••@private-mail.example");
    assert_eq!(answer["phone"], "+49 ••• ••• 99");
    assert_eq!(answer["total"], "37.50");
    assert_eq!(answer["lines"][0]["description"], "Plum jam");
    let page = anonymous.get_page(&format!("/confirmation/{token}")).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("data-testid=\"confirmation\"") && html.contains("+49 ••• ••• 99"), "{html}");
    for clear in clear_values() {
        assert!(!body.contains(clear) && !html.contains(clear), "{clear} in clear on the confirmation page");
    }
    assert_eq!(anonymous.whoami().await, None, "no account, no session needed");

    let db = tenant_db(&app, &team.slug).await;
    let opened = texts(&db, "SELECT actor_kind FROM audit_events WHERE action = 'order_link.opened'").await;
    let visitor = Some("visitor".to_owned());
    assert_eq!(opened, vec![visitor.clone(), visitor], "each opening (the answer, then the page) is one audit event");
    let links = super::fixture::get(&member, &format!("/rpc/sales/order?slug={}&id={order}", team.slug)).await;
    assert_eq!(links["links"][0]["state"], "active");
    assert!(links["links"][0]["last_opened_at"].is_string());
    let seen = super::fixture::get(&viewer, &format!("/rpc/sales/order?slug={}&id={order}", team.slug)).await;
    assert_eq!(seen["links"], Value::Array(vec![]), "links are shown only to those who may hand them out");
}

/// What the confirmation endpoint and page say about a link; `(status, body, page status, page)`.
async fn refusal(app: &TestApp, token: &str) -> (u16, String, u16, String) {
    let anonymous = app.browser();
    let (status, body) = open(&anonymous, token).await;
    let page = anonymous.get_page(&format!("/confirmation/{token}")).await;
    let page_status = page.status().as_u16();
    (status, body, page_status, page.text().await.unwrap())
}

fn assert_shows_nothing(what: &str, answer: &(u16, String, u16, String), unknown: &(u16, String, u16, String)) {
    let (status, body, page_status, page) = answer;
    assert_eq!((*status, *page_status), (404, 404), "{what}: {body}");
    assert_eq!(body, &unknown.1, "{what}: the same answer as for an unknown link");
    assert!(page.contains("data-testid=\"confirmation-invalid\""), "{what}: {page}");
    for shown in ["Ottilie", "Plum jam", "37.50", "•••"] {
        assert!(!body.contains(shown) && !page.contains(shown), "{what}: shows {shown}");
    }
}

/// `token` with its payload's bytes `range` replaced by `with`, keeping the signature.
fn with_payload(token: &str, range: std::ops::Range<usize>, with: &[u8]) -> String {
    let (payload, signature) = token.split_once('.').unwrap();
    let mut bytes = URL_SAFE_NO_PAD.decode(payload).unwrap();
    bytes[range].copy_from_slice(with);
    format!("{}.{signature}", URL_SAFE_NO_PAD.encode(bytes))
}

#[tokio::test]
/// Proves: DATA5
async fn tampered_expired_revoked_unknown_and_foreign_links_show_nothing() {
    let app = TestApp::spawn().await;
    let team = Team::create(&app, "Link Co", "owner@example.com").await;
    let customer = secret_customer(&team).await;
    let order = new_order(&team, &customer).await;
    let other_order = new_order(&team, &customer).await;
    let link = |order: String| {
        let team = &team;
        async move {
            let (status, link) = create_link(&team.owner, &team.slug, &order).await;
            assert_eq!(status, 200, "{link}");
            link
        }
    };
    let unknown = refusal(&app, "not-a-link.0000").await;
    assert_eq!((unknown.0, unknown.2), (404, 404));

    // Tampered: one character of the signature, or the order id in the payload.
    let valid = token_of(&link(order.clone()).await);
    assert_eq!(open(&app.browser(), &valid).await.0, 200, "the untouched link opens");
    let (payload, signature) = valid.split_once('.').unwrap();
    let flipped = if signature.starts_with('0') { "1" } else { "0" };
    let tampered = format!("{payload}.{flipped}{}", &signature[1..]);
    assert_shows_nothing("a tampered signature", &refusal(&app, &tampered).await, &unknown);
    let other_id = uuid::Uuid::parse_str(&other_order).unwrap();
    let moved = with_payload(&valid, 32..48, other_id.as_bytes());
    assert_shows_nothing("another order's id under this signature", &refusal(&app, &moved).await, &unknown);
    let later = with_payload(&valid, 48..56, &i64::MAX.to_be_bytes());
    assert_shows_nothing("a later expiry under this signature", &refusal(&app, &later).await, &unknown);

    // Expired: the row says so (the token's own expiry is still ahead).
    let expiring = link(order.clone()).await;
    let db = tenant_db(&app, &team.slug).await;
    let past = chrono::Utc::now() - chrono::Duration::minutes(1);
    execute(
        &db,
        "UPDATE order_links SET expires_at = $1 WHERE id = $2",
        vec![past.into(), id_value(expiring["id"].as_str().unwrap())],
    )
    .await;
    assert_shows_nothing("an expired link", &refusal(&app, &token_of(&expiring)).await, &unknown);

    // Revoked by the workspace.
    let revoked = link(order.clone()).await;
    assert_eq!(open(&app.browser(), &token_of(&revoked)).await.0, 200);
    let answer = team
        .owner
        .call(
            "sales/order/links/revoke",
            &[("slug", &team.slug), ("id", &order), ("link", revoked["id"].as_str().unwrap())],
        )
        .await;
    assert_eq!(answer.status(), 200);
    assert_shows_nothing("a revoked link", &refusal(&app, &token_of(&revoked)).await, &unknown);
    let refused = texts(&db, "SELECT changes FROM audit_events WHERE action = 'order_link.refused'").await;
    // Two links, each refused twice (the endpoint and the page); forged ones are not logged in the workspace.
    assert_eq!(refused.len(), 4, "refused openings of real links are on the record: {refused:?}");

    // Another workspace: its order's id, or its workspace id, in this workspace's link.
    let other = Team::create(&app, "Other Co", "other@example.com").await;
    let foreign_customer = secret_customer(&other).await;
    let foreign_order = new_order(&other, &foreign_customer).await;
    let foreign_id = uuid::Uuid::parse_str(&foreign_order).unwrap();
    let (status, _) = create_link(&team.owner, &team.slug, &foreign_order).await;
    assert_eq!(status, 404, "no link to another workspace's order");
    let foreign = with_payload(&valid, 32..48, foreign_id.as_bytes());
    assert_shows_nothing("another workspace's order id", &refusal(&app, &foreign).await, &unknown);
    let elsewhere = with_payload(&valid, 0..16, tenant(&app, &other.slug).await.as_uuid().as_bytes());
    let elsewhere = with_payload(&elsewhere, 32..48, foreign_id.as_bytes());
    assert_shows_nothing("another workspace's id and order", &refusal(&app, &elsewhere).await, &unknown);
    assert_eq!(open(&app.browser(), &valid).await.0, 200, "the real link still opens");
}
