//! TN5, issue 9: every request has a way forward and every approver can see what they are asked to
//! decide. An approver by a custom role (without `requests.view_all`) opens and decides the request they
//! were mailed about; a request whose requester is the only approver can be withdrawn, or decided by the
//! owner's fallback approver (never by the requester); a waiting request can be edited by its requester
//! (audited); odd input (an id with a line break, a control character in a comment, a corrupt status)
//! gets the right answer and never a second decision.

use super::fixture::{Team, decide, get, submit};
use crate::harness::{Browser, TestApp};
use serde_json::{Value, json};

async fn tenant_db(app: &TestApp, slug: &str) -> sea_orm::DatabaseConnection {
    let slug = model::WorkspaceSlug::parse(slug).unwrap();
    let workspace = app.platform.tenancy().find_by_slug(&slug).await.unwrap();
    app.platform.tenancy().tenant_db(workspace.id).await.unwrap()
}

fn detail_path(slug: &str, id: &str) -> String {
    format!("/rpc/purchasing/request?slug={slug}&id={id}")
}

async fn audit_actions(owner: &Browser, slug: &str) -> Vec<String> {
    let audit = get(owner, &format!("/rpc/admin/audit?slug={slug}&actor=&action=&from=&until=")).await;
    audit["entries"]
        .as_array()
        .or(audit.as_array())
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect()
}

/// Proves: TN5
#[tokio::test]
async fn an_approver_by_a_custom_role_sees_and_decides_what_they_are_asked_to() {
    let app = TestApp::spawn().await;
    let team = Team::create(&app, "Custom Signers", "owner@example.com").await;
    let supplier = team.supplier("Tools").await;
    let created = team
        .owner
        .call(
            "admin/roles/create",
            &[
                ("slug", &team.slug),
                ("name", "Signer"),
                ("permissions[]", "workspace.view"),
                ("permissions[]", "requests.approve"),
            ],
        )
        .await;
    assert_eq!(created.status(), 200);
    let roles = get(&team.owner, &format!("/rpc/admin/roles?slug={}", team.slug)).await;
    let key =
        roles.as_array().unwrap().iter().find(|r| r["name"] == "Signer").unwrap()["key"].as_str().unwrap().to_owned();
    let signer = team.member(&app, "signer@example.com", &key).await;
    let member = team.member(&app, "member@example.com", "member").await;
    let (_, request) = submit(&member, &team.slug, &supplier, "Drill press", "1", "4000").await;
    let id = request["id"].as_str().unwrap();
    assert!(app.mail("signer@example.com", "approval_needed").await.text.contains("Drill press"));

    let detail = get(&signer, &detail_path(&team.slug, id)).await;
    assert_eq!(detail["summary"]["title"], "Drill press", "the approver opens what they were mailed about: {detail}");
    assert_eq!(detail["can_decide"], true);
    let list = get(&signer, &format!("/rpc/purchasing/requests?slug={}", team.slug)).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "and finds it in the list: {list}");
    let (status, decided) = decide(&signer, &team.slug, id, "approve", "ok").await;
    assert_eq!((status, decided["summary"]["status"].clone()), (200, json!("approved")), "{decided}");
    // What they decided stays visible to them; what they may not decide is not.
    assert_eq!(get(&signer, &detail_path(&team.slug, id)).await["can_decide"], false);
    let (_, small) = submit(&member, &team.slug, &supplier, "Pencils", "1", "5").await;
    let small = small["id"].as_str().unwrap();
    assert_eq!(super::fixture::get_status(&signer, &detail_path(&team.slug, small)).await, 404);
}

/// Proves: TN5
#[tokio::test]
async fn a_request_only_its_requester_could_approve_can_be_withdrawn_or_decided_by_the_fallback_approver() {
    let app = TestApp::spawn().await;
    let team = Team::create(&app, "Solo Shop", "owner@example.com").await;
    let supplier = team.supplier("Servers Inc").await;
    let (_, request) = submit(&team.owner, &team.slug, &supplier, "Rack server", "1", "8000").await;
    let id = request["id"].as_str().unwrap().to_owned();
    assert_eq!(request["status"], "pending");
    assert!(app.mails("owner@example.com").await.iter().all(|m| m.kind != "approval_needed"), "nobody to ask");
    assert_eq!(decide(&team.owner, &team.slug, &id, "approve", "").await.0, 403, "not on their own request");

    // The requester withdraws it: nobody can decide it any more, and the log says so.
    let withdrawn = team.owner.call("purchasing/request/withdraw", &[("slug", &team.slug), ("id", &id)]).await;
    assert_eq!(withdrawn.status(), 200);
    let body: Value = withdrawn.json().await.unwrap();
    assert_eq!(body["summary"]["status"], "withdrawn");
    assert_eq!(body["can_change"], false);
    let again = team.owner.call("purchasing/request/withdraw", &[("slug", &team.slug), ("id", &id)]).await;
    assert_eq!(again.status(), 409, "withdrawn is final");
    assert!(audit_actions(&team.owner, &team.slug).await.contains(&"request.withdrawn".to_owned()));

    // An owner names a fallback approver (a plain member): they are asked, see it, and decide.
    let accountant = team.member(&app, "accountant@example.com", "member").await;
    let stranger =
        team.owner.call("purchasing/fallback-approver", &[("slug", &team.slug), ("email", "nobody@example.com")]).await;
    assert_eq!(stranger.status(), 404, "only a member can be the fallback approver");
    let not_owner = accountant
        .call("purchasing/fallback-approver", &[("slug", &team.slug), ("email", "accountant@example.com")])
        .await;
    assert_eq!(not_owner.status(), 403, "owners name the fallback approver");
    let named = team
        .owner
        .call("purchasing/fallback-approver", &[("slug", &team.slug), ("email", "accountant@example.com")])
        .await;
    assert_eq!(named.status(), 200);
    let (_, second) = submit(&team.owner, &team.slug, &supplier, "Second rack", "1", "8000").await;
    let second = second["id"].as_str().unwrap().to_owned();
    assert!(app.mail("accountant@example.com", "approval_needed").await.text.contains("Second rack"));
    assert_eq!(get(&accountant, &detail_path(&team.slug, &second)).await["can_decide"], true);
    let (status, body) = decide(&accountant, &team.slug, &second, "approve", "Fine").await;
    assert_eq!((status, body["summary"]["status"].clone()), (200, json!("approved")), "{body}");
    assert_eq!(body["order_number"], 1);

    // The fallback approver never decides their own request, nor one a regular approver can decide.
    let (_, own) = submit(&accountant, &team.slug, &supplier, "Accountant's own", "1", "8000").await;
    assert_eq!(decide(&accountant, &team.slug, own["id"].as_str().unwrap(), "approve", "").await.0, 403);
    let _approver = team.member(&app, "approver@example.com", "approver").await;
    let (_, third) = submit(&team.owner, &team.slug, &supplier, "Third rack", "1", "8000").await;
    let third = third["id"].as_str().unwrap();
    assert_ne!(decide(&accountant, &team.slug, third, "approve", "").await.0, 200, "a regular approver exists now");
}

/// Proves: TN5, AUD1
#[tokio::test]
async fn the_requester_edits_a_waiting_request_and_nobody_else_can() {
    let app = TestApp::spawn().await;
    let team = Team::create(&app, "Edit Co", "owner@example.com").await;
    let supplier = team.supplier("Furniture").await;
    let member = team.member(&app, "member@example.com", "member").await;
    let other = team.member(&app, "other@example.com", "member").await;
    let (_, request) = submit(&member, &team.slug, &supplier, "Desks", "2", "3000").await;
    let id = request["id"].as_str().unwrap().to_owned();
    let edit = |b: Browser, title: &'static str| {
        let (slug, id, supplier) = (team.slug.clone(), id.clone(), supplier.clone());
        async move {
            let fields = [
                ("slug", slug.as_str()),
                ("id", id.as_str()),
                ("supplier", supplier.as_str()),
                ("title", title),
                ("lines[0][description]", "Desk"),
                ("lines[0][quantity]", "3"),
                ("lines[0][unit_price]", "3000"),
            ];
            let response = b.call("purchasing/request/edit", &fields).await;
            (response.status().as_u16(), response.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let (status, body) = edit(member.clone(), "Three desks").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (body["summary"]["title"].clone(), body["summary"]["total"].clone()),
        (json!("Three desks"), json!("9,000.00"))
    );
    assert_eq!(body["summary"]["status"], "pending");
    assert_eq!(body["lines"].as_array().unwrap().len(), 1);
    assert_eq!(edit(other.clone(), "Hijacked").await.0, 404, "another member cannot even see it");
    assert_eq!(edit(team.owner.clone(), "Hijacked").await.0, 403, "an owner sees it but does not edit it");
    let withdraw = other.call("purchasing/request/withdraw", &[("slug", &team.slug), ("id", &id)]).await;
    assert_eq!(withdraw.status(), 404);
    assert!(audit_actions(&team.owner, &team.slug).await.contains(&"request.edited".to_owned()));
    assert_eq!(decide(&team.owner, &team.slug, &id, "deny", "No").await.0, 200);
    assert_eq!(edit(member, "Too late").await.0, 409, "a decided request stays as decided");
}

/// Proves: TN5
#[tokio::test]
async fn odd_ids_and_comments_get_the_right_answer() {
    let app = TestApp::spawn().await;
    let team = Team::create(&app, "Odd Co", "owner@example.com").await;
    let supplier = team.supplier("Widgets").await;
    let member = team.member(&app, "member@example.com", "member").await;
    let (_, request) = submit(&member, &team.slug, &supplier, "Widget batch", "1", "2000").await;
    let id = request["id"].as_str().unwrap().to_owned();
    let (status, body) = decide(&team.owner, &team.slug, &id, "approve", "bell\u{7}").await;
    assert_eq!((status, body), (422, json!({ "Invalid": { "ForbiddenCharacters": { "field": "Comment" } } })));
    let (status, body) = decide(&team.owner, &team.slug, &id, "approve", &"x".repeat(1001)).await;
    assert_eq!((status, body), (422, json!({ "Invalid": { "TooLong": { "field": "Comment", "max": 1000 } } })));
    let (status, body) = decide(&team.owner, &team.slug, &id, "maybe", "").await;
    assert_eq!(status, 400, "{body}");
    // An id with a trailing line break parses; the redirect is built from the parsed id.
    let (status, body) = decide(&team.owner, &team.slug, &format!("{id}\n"), "approve", "line one\r\nline two").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["decisions"][0]["comment"], "line one\nline two");
}

/// Proves: TN5
#[tokio::test]
async fn a_status_the_code_does_not_know_is_never_pending() {
    let app = TestApp::spawn().await;
    let team = Team::create(&app, "Corrupt Co", "owner@example.com").await;
    let supplier = team.supplier("Bits").await;
    let member = team.member(&app, "member@example.com", "member").await;
    let (_, request) = submit(&member, &team.slug, &supplier, "Corrupted", "1", "2000").await;
    let id = request["id"].as_str().unwrap().to_owned();
    use sea_orm::ConnectionTrait as _;
    tenant_db(&app, &team.slug)
        .await
        .execute_unprepared("UPDATE purchase_requests SET status = 'pendingx'")
        .await
        .unwrap();
    let shown = team.owner.fetch(&detail_path(&team.slug, &id)).await;
    let status = shown.status().as_u16();
    let body: Value = shown.json().await.unwrap_or(Value::Null);
    assert!(status != 200 || body["summary"]["status"] != "pending", "an unknown status shows as pending: {body}");
    assert_ne!(body["can_decide"], true, "an unknown status is offered for a decision: {body}");
    let (status, _) = decide(&team.owner, &team.slug, &id, "approve", "").await;
    assert_ne!(status, 200, "an unknown status is not decided");
    tenant_db(&app, &team.slug)
        .await
        .execute_unprepared("UPDATE purchase_requests SET status = 'pending'")
        .await
        .unwrap();
    let orders = get(&team.owner, &format!("/rpc/purchasing/orders?slug={}", team.slug)).await;
    assert_eq!(orders["items"], json!([]), "no order came of it");
}
