//! TN3: the permission matrix — every built-in role against every action, and a custom role. The
//! expected answers are written out here, independently of the role definitions in the code.
//!
//! Actions on objects use ids that do not exist: a role that may act gets "not found" (404) after the
//! permission check, a role that may not gets "forbidden" (403) before it. So the matrix tests the
//! permission decision without actions changing the workspace under the test's feet.

use super::fixture::{Team, get_status, submit};
use crate::harness::{Browser, TestApp};
use serde_json::Value;

const ROLES: [&str; 5] = ["owner", "admin", "approver", "member", "viewer"];

/// Each action, and which of owner, admin, approver, member, viewer may take it.
const MATRIX: &[(&str, [bool; 5])] = &[
    ("open the workspace", [true, true, true, true, true]),
    ("list members", [true, true, true, false, true]),
    ("invite", [true, true, false, false, false]),
    ("remove a member", [true, true, false, false, false]),
    ("change a member's roles", [true, true, false, false, false]),
    ("manage roles", [true, true, false, false, false]),
    ("manage policies", [true, true, false, false, false]),
    ("read the audit log", [true, true, false, false, false]),
    ("export the audit log", [true, true, false, false, false]),
    ("see suppliers", [true, true, true, true, true]),
    ("add a supplier", [true, true, false, false, false]),
    ("submit a request", [true, true, true, true, false]),
    ("decide on a request", [true, true, true, false, false]),
    ("see purchase orders", [true, true, true, false, true]),
];

/// Takes `action` as `browser`; returns whether it was allowed (and panics on an unexpected answer).
async fn attempt(browser: &Browser, slug: &str, supplier: &str, action: &str, tag: &str) -> bool {
    let unknown = uuid::Uuid::new_v4().to_string();
    let status = match action {
        "open the workspace" => get_status(browser, &format!("/rpc/workspaces/home?slug={slug}")).await,
        "list members" => get_status(browser, &format!("/rpc/admin/members?slug={slug}")).await,
        "invite" => {
            let email = format!("invitee-{tag}@example.com");
            browser
                .call("admin/invite", &[("slug", slug), ("email", &email), ("role", "viewer")])
                .await
                .status()
                .as_u16()
        }
        "remove a member" => {
            browser.call("admin/members/remove", &[("slug", slug), ("user", &unknown)]).await.status().as_u16()
        }
        "change a member's roles" => {
            let fields = [("slug", slug), ("user", unknown.as_str()), ("role", "viewer"), ("grant", "true")];
            browser.call("admin/members/role", &fields).await.status().as_u16()
        }
        "manage roles" => {
            let name = format!("Role {tag}");
            browser.call("admin/roles/create", &[("slug", slug), ("name", &name)]).await.status().as_u16()
        }
        "manage policies" => get_status(browser, &format!("/rpc/admin/policies?slug={slug}")).await,
        "read the audit log" => {
            get_status(browser, &format!("/rpc/admin/audit?slug={slug}&actor=&action=&from=&until=")).await
        }
        "export the audit log" => get_status(browser, &format!("/w/{slug}/admin/audit.csv")).await,
        "see suppliers" => get_status(browser, &format!("/rpc/purchasing/suppliers?slug={slug}")).await,
        "add a supplier" => {
            let name = format!("Supplier {tag}");
            browser
                .call("purchasing/suppliers/add", &[("slug", slug), ("name", &name), ("email", "")])
                .await
                .status()
                .as_u16()
        }
        "submit a request" => submit(browser, slug, supplier, &format!("Request {tag}"), "1", "10").await.0,
        "decide on a request" => super::fixture::decide(browser, slug, &unknown, "approve", "").await.0,
        "see purchase orders" => get_status(browser, &format!("/rpc/purchasing/orders?slug={slug}")).await,
        other => panic!("unknown action {other}"),
    };
    match status {
        200 | 404 => true,
        403 => false,
        other => panic!("{action}: unexpected status {other}"),
    }
}

#[tokio::test]
/// Proves: TN3
async fn every_built_in_role_against_every_action() {
    let app = TestApp::spawn().await;
    let team = Team::create(&app, "Matrix Co", "owner@example.com").await;
    let supplier = team.supplier("Matrix Supplies").await;
    let mut browsers = vec![team.owner.clone()];
    for role in &ROLES[1..] {
        browsers.push(team.member(&app, &format!("{role}@example.com"), role).await);
    }
    let mut wrong = Vec::new();
    for (action, allowed) in MATRIX {
        for (i, role) in ROLES.iter().enumerate() {
            let got = attempt(&browsers[i], &team.slug, &supplier, action, role).await;
            if got != allowed[i] {
                wrong.push(format!("{role} / {action}: {} but expected {}", verdict(got), verdict(allowed[i])));
            }
        }
    }
    assert!(wrong.is_empty(), "permission matrix mismatches:\n{}", wrong.join("\n"));
}

fn verdict(allowed: bool) -> &'static str {
    if allowed { "allowed" } else { "refused" }
}

/// Data permissions: members see their own requests only; viewers and approvers see everyone's.
#[tokio::test]
/// Proves: TN3
async fn members_see_only_their_own_requests() {
    let app = TestApp::spawn().await;
    let team = Team::create(&app, "Data Co", "owner@example.com").await;
    let supplier = team.supplier("Data Supplies").await;
    let alice = team.member(&app, "alice@example.com", "member").await;
    let bob = team.member(&app, "bob@example.com", "member").await;
    let viewer = team.member(&app, "viewer@example.com", "viewer").await;
    let (_, request) = submit(&alice, &team.slug, &supplier, "Alice's chair", "1", "100").await;
    submit(&bob, &team.slug, &supplier, "Bob's desk", "1", "100").await;
    let titles = |list: Value| -> Vec<String> {
        list["items"].as_array().unwrap().iter().map(|r| r["title"].as_str().unwrap().to_owned()).collect()
    };
    let list = |b: &Browser| {
        let b = b.clone();
        let slug = team.slug.clone();
        async move { super::fixture::get(&b, &format!("/rpc/purchasing/requests?slug={slug}")).await }
    };
    assert_eq!(titles(list(&alice).await), ["Alice's chair"]);
    assert_eq!(titles(list(&bob).await), ["Bob's desk"]);
    assert_eq!(titles(list(&viewer).await).len(), 2);
    let alices = format!("/rpc/purchasing/request?slug={}&id={}", team.slug, request["id"].as_str().unwrap());
    assert_eq!(get_status(&bob, &alices).await, 404, "not even its existence");
    assert_eq!(get_status(&viewer, &alices).await, 200);
}

#[tokio::test]
/// Proves: TN3
async fn a_custom_role_allows_exactly_its_permissions() {
    let app = TestApp::spawn().await;
    let team = Team::create(&app, "Custom Co", "owner@example.com").await;
    let supplier = team.supplier("Custom Supplies").await;
    let created = team
        .owner
        .call(
            "admin/roles/create",
            &[
                ("slug", &team.slug),
                ("name", "Buyer"),
                ("permissions[]", "workspace.view"),
                ("permissions[]", "suppliers.view"),
                ("permissions[]", "suppliers.manage"),
                ("permissions[]", "requests.create"),
            ],
        )
        .await;
    assert_eq!(created.status(), 200);
    let roles = super::fixture::get(&team.owner, &format!("/rpc/admin/roles?slug={}", team.slug)).await;
    let buyer = roles.as_array().unwrap().iter().find(|r| r["name"] == "Buyer").expect("the custom role").clone();
    let key = buyer["key"].as_str().unwrap().to_owned();
    let mut permissions: Vec<&str> =
        buyer["permissions"].as_array().unwrap().iter().map(|p| p.as_str().unwrap()).collect();
    permissions.sort();
    assert_eq!(permissions, ["requests.create", "suppliers.manage", "suppliers.view", "workspace.view"]);

    let buyer = team.member(&app, "buyer@example.com", &key).await;
    let expected = [
        ("open the workspace", true),
        ("see suppliers", true),
        ("add a supplier", true),
        ("submit a request", true),
        ("list members", false),
        ("decide on a request", false),
        ("see purchase orders", false),
        ("read the audit log", false),
        ("invite", false),
        ("manage roles", false),
    ];
    for (action, allowed) in expected {
        assert_eq!(attempt(&buyer, &team.slug, &supplier, action, "buyer").await, allowed, "buyer / {action}");
    }
    // Several roles add up: with "viewer" too, the buyer sees orders and members.
    let members = super::fixture::get(&team.owner, &format!("/rpc/admin/members?slug={}", team.slug)).await;
    let user =
        members["members"].as_array().unwrap().iter().find(|m| m["email"] == "buyer@example.com").unwrap()["user"]
            .as_str()
            .unwrap()
            .to_owned();
    let granted = team
        .owner
        .call("admin/members/role", &[("slug", &team.slug), ("user", &user), ("role", "viewer"), ("grant", "true")])
        .await;
    assert_eq!(granted.status(), 200);
    assert!(attempt(&buyer, &team.slug, &supplier, "see purchase orders", "buyer2").await);
    assert!(attempt(&buyer, &team.slug, &supplier, "list members", "buyer2").await);
    // Nobody gives a role permissions they do not hold: an approver cannot, anyway, manage roles; and
    // unknown permission keys are refused.
    let bogus = team
        .owner
        .call("admin/roles/create", &[("slug", &team.slug), ("name", "Bogus"), ("permissions[]", "root.everything")])
        .await;
    assert_eq!(bogus.status(), 400);
}
