//! TN5 after ID9: an email change reaches every workspace. Approval and decision mail go to the
//! account's address *now*, and requests name their requester by it, however old the request.

use super::fixture::{Team, decide, get, submit};
use crate::harness::{Browser, PASSWORD, TestApp, link_token};

/// Moves `browser`'s account to `new` through the identity flow: request, then the link mailed there.
async fn change_email(app: &TestApp, browser: &Browser, new: &str) {
    let asked = browser.call("account/email", &[("new_email", new), ("password", PASSWORD)]).await;
    assert_eq!(asked.status(), 200);
    let token = link_token(&app.mail(new, "confirm_new_address").await.text, "/email/confirm");
    assert_eq!(browser.call("account/email/confirm", &[("token", &token)]).await.status(), 200);
    assert_eq!(browser.whoami().await.as_deref(), Some(new));
}

/// Proves: TN5, ID9
#[tokio::test]
async fn approval_and_decision_mail_follow_an_email_change() {
    let app = TestApp::spawn().await;
    let team = Team::create(&app, "Moving Co", "owner@example.com").await;
    let supplier = team.supplier("Vans").await;
    let member = team.member(&app, "member@example.com", "member").await;
    // Submitted before the move: the request must name the requester by the new address later.
    let (_, old_request) = submit(&member, &team.slug, &supplier, "Before the move", "1", "3000").await;

    change_email(&app, &member, "member@new.example").await;
    change_email(&app, &team.owner, "owner@new.example").await;

    let (_, request) = submit(&member, &team.slug, &supplier, "Moving boxes", "1", "3000").await;
    let id = request["id"].as_str().unwrap();
    assert_eq!(request["requester"], "member@new.example");
    assert!(app.mail("owner@new.example", "approval_needed").await.text.contains("Moving boxes"));
    assert!(
        app.mails("owner@example.com").await.iter().all(|m| !m.text.contains("Moving boxes")),
        "nothing to the owner's old address"
    );
    let (status, detail) = decide(&team.owner, &team.slug, id, "approve", "ok").await;
    assert_eq!(status, 200, "{detail}");
    assert_eq!(detail["decisions"][0]["approver"], "owner@new.example");
    assert!(app.mail("member@new.example", "request_decided").await.text.contains("Moving boxes"));
    assert!(app.mails("member@example.com").await.iter().all(|m| m.kind != "request_decided"));

    let (status, _) = decide(&team.owner, &team.slug, old_request["id"].as_str().unwrap(), "deny", "no").await;
    assert_eq!(status, 200);
    assert!(app.mail("member@new.example", "request_decided").await.text.contains("Before the move"));
    let list = get(&team.owner, &format!("/rpc/purchasing/requests?slug={}", team.slug)).await;
    let requesters: Vec<&str> =
        list["items"].as_array().unwrap().iter().map(|r| r["requester"].as_str().unwrap()).collect();
    assert_eq!(requesters, ["member@new.example", "member@new.example"], "{list}");
}
