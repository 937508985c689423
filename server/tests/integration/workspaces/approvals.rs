//! TN5: the approval flow — threshold, approvers notified, nobody approves their own request, a denial
//! keeps no order, and one order per approval however many approvers click at once.

use super::fixture::{Team, decide, get, submit};
use crate::harness::TestApp;
use serde_json::{Value, json};

#[tokio::test]
/// Proves: TN5
async fn requests_at_or_below_the_threshold_become_orders_at_once() {
    let app = TestApp::spawn().await;
    let team = Team::create(&app, "Small Buys", "owner@example.com").await;
    let supplier = team.supplier("Paper Co").await;
    let member = team.member(&app, "member@example.com", "member").await;
    // The default threshold is 1,000.00: 2 × 500.00 is at it.
    let (status, body) = submit(&member, &team.slug, &supplier, "Printer paper", "2", "500").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "approved");
    let detail =
        get(&member, &format!("/rpc/purchasing/request?slug={}&id={}", team.slug, body["id"].as_str().unwrap())).await;
    assert_eq!(detail["order_number"], 1);
    assert_eq!(detail["summary"]["total"], "1,000.00");
    assert!(detail["decisions"][0]["comment"].as_str().unwrap().contains("automatically"));
}

#[tokio::test]
/// Proves: TN5
async fn above_the_threshold_approvers_decide_and_nobody_approves_their_own_request() {
    let app = TestApp::spawn().await;
    let team = Team::create(&app, "Big Buys", "owner@example.com").await;
    let supplier = team.supplier("Machines Ltd").await;
    let member = team.member(&app, "member@example.com", "member").await;
    let approver = team.member(&app, "approver@example.com", "approver").await;

    let (status, request) = submit(&member, &team.slug, &supplier, "Laser cutter", "1", "15,000.00").await;
    assert_eq!((status, request["status"].clone()), (200, json!("pending")));
    let id = request["id"].as_str().unwrap().to_owned();

    // Approvers (the owner and the approver, not the requester) hear about it: mail and notice.
    for email in ["approver@example.com", "owner@example.com"] {
        assert!(app.mail(email, "approval_needed").await.text.contains("Laser cutter"));
    }
    assert!(app.mails("member@example.com").await.iter().all(|m| m.kind != "approval_needed"));
    let home = get(&approver, &format!("/rpc/workspaces/home?slug={}", team.slug)).await;
    assert!(home["notices"][0]["text"].as_str().unwrap().contains("waits for your approval"), "{home}");

    // A member cannot decide; an approver cannot decide on their own request.
    assert_eq!(decide(&member, &team.slug, &id, "approve", "").await.0, 403);
    let (_, own) = submit(&approver, &team.slug, &supplier, "Approver's own", "1", "5000").await;
    let (status, body) = decide(&approver, &team.slug, own["id"].as_str().unwrap(), "approve", "").await;
    assert_eq!((status, body), (403, json!({ "Forbidden": "SelfApproval" })));

    // The approver approves the member's request: one order, the decision in the history.
    let (status, detail) = decide(&approver, &team.slug, &id, "approve", "Budgeted for Q4").await;
    assert_eq!(status, 200, "{detail}");
    assert_eq!(detail["summary"]["status"], "approved");
    assert_eq!(detail["order_number"], 1);
    assert_eq!(
        detail["decisions"],
        json!([{ "approver": "approver@example.com", "approved": true, "comment": "Budgeted for Q4", "at": detail["decisions"][0]["at"] }])
    );
    assert!(app.mail("member@example.com", "request_decided").await.subject.contains("approved"));
    // Decided is decided.
    assert_eq!(decide(&team.owner, &team.slug, &id, "deny", "Too late").await.0, 409);
}

#[tokio::test]
/// Proves: TN5
async fn a_denial_needs_a_reason_and_keeps_no_order() {
    let app = TestApp::spawn().await;
    let team = Team::create(&app, "Deny Co", "owner@example.com").await;
    let supplier = team.supplier("Gadgets").await;
    let member = team.member(&app, "member@example.com", "member").await;
    let (_, request) = submit(&member, &team.slug, &supplier, "Gold-plated stapler", "1", "9999").await;
    let id = request["id"].as_str().unwrap();
    let (status, body) = decide(&team.owner, &team.slug, id, "deny", "  ").await;
    assert_eq!((status, body), (422, json!({ "Invalid": { "Required": { "field": "Comment" } } })));
    let (status, detail) = decide(&team.owner, &team.slug, id, "deny", "Not needed").await;
    assert_eq!(status, 200);
    assert_eq!(detail["summary"]["status"], "denied");
    assert_eq!(detail["order_number"], Value::Null);
    let orders = get(&team.owner, &format!("/rpc/purchasing/orders?slug={}", team.slug)).await;
    assert_eq!(orders["items"], json!([]));
}

#[tokio::test]
/// Proves: TN5
async fn two_approvers_clicking_at_once_make_exactly_one_order() {
    let app = TestApp::spawn().await;
    let team = Team::create(&app, "Race Co", "owner@example.com").await;
    let supplier = team.supplier("Fast Parts").await;
    let member = team.member(&app, "member@example.com", "member").await;
    let first = team.member(&app, "first@example.com", "approver").await;
    let second = team.member(&app, "second@example.com", "approver").await;
    for round in 0..5 {
        let (_, request) = submit(&member, &team.slug, &supplier, &format!("Race {round}"), "1", "5000").await;
        let id = request["id"].as_str().unwrap().to_owned();
        let (a, b) = tokio::join!(
            decide(&first, &team.slug, &id, "approve", "first"),
            decide(&second, &team.slug, &id, "approve", "second")
        );
        let mut statuses = [a.0, b.0];
        statuses.sort();
        assert_eq!(statuses, [200, 409], "round {round}: one wins, the other is told it was decided: {a:?} {b:?}");
        let detail = get(&member, &format!("/rpc/purchasing/request?slug={}&id={id}", team.slug)).await;
        assert_eq!(detail["decisions"].as_array().unwrap().len(), 1, "one decision recorded");
    }
    let orders = get(&team.owner, &format!("/rpc/purchasing/orders?slug={}", team.slug)).await;
    assert_eq!(orders["items"].as_array().unwrap().len(), 5, "one order per approved request");
}

#[tokio::test]
/// Proves: TN5, WEB6
async fn bad_requests_are_refused_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let team = Team::create(&app, "Careful Co", "owner@example.com").await;
    let supplier = team.supplier("Parts").await;
    let cases = [
        (
            supplier.as_str(),
            "ok title",
            "0",
            "10",
            json!({ "Invalid": { "OutOfRange": { "field": "Quantity", "min": 1, "max": 1_000_000 } } }),
        ),
        (supplier.as_str(), "ok title", "1", "ten", json!({ "Invalid": { "NotAnAmount": { "field": "Amount" } } })),
        (supplier.as_str(), "x", "1", "10", json!({ "Invalid": { "TooShort": { "field": "Title", "min": 3 } } })),
        ("not-a-supplier", "ok title", "1", "10", json!({ "Invalid": { "Required": { "field": "Supplier" } } })),
    ];
    for (supplier, title, quantity, price, expected) in cases {
        let (status, body) = submit(&team.owner, &team.slug, supplier, title, quantity, price).await;
        assert_eq!((status, body), (422, expected));
    }
    let requests = get(&team.owner, &format!("/rpc/purchasing/requests?slug={}", team.slug)).await;
    assert_eq!(requests["items"], json!([]));
}
