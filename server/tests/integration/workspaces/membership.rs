//! TN1, TN2: several workspaces per user, invitations (bound to the address, revocable, expiring), and
//! removal that ends access at once.

use super::fixture::{Team, get, get_status};
use crate::harness::{TestApp, link_token};
use sea_orm::ConnectionTrait as _;
use serde_json::json;

#[tokio::test]
/// Proves: TN2
async fn removing_a_member_ends_their_access_at_their_next_request() {
    let app = TestApp::spawn().await;
    let team = Team::create(&app, "Removal Co", "owner@example.com").await;
    let member = team.member(&app, "leaving@example.com", "member").await;
    let home = format!("/rpc/workspaces/home?slug={}", team.slug);
    assert_eq!(get_status(&member, &home).await, 200);
    let members = get(&team.owner, &format!("/rpc/admin/members?slug={}", team.slug)).await;
    let user =
        members["members"].as_array().unwrap().iter().find(|m| m["email"] == "leaving@example.com").unwrap()["user"]
            .as_str()
            .unwrap()
            .to_owned();
    assert_eq!(team.owner.call("admin/members/remove", &[("slug", &team.slug), ("user", &user)]).await.status(), 200);
    // Same session, very next request: refused, and the workspace is gone from their switcher.
    assert_eq!(get_status(&member, &home).await, 404);
    assert_eq!(member.get_page(&format!("/w/{}", team.slug)).await.status(), 404);
    assert_eq!(get(&member, "/rpc/session/me").await["workspaces"], json!([]));
    assert_eq!(member.whoami().await.as_deref(), Some("leaving@example.com"), "still signed in, just not a member");
}

#[tokio::test]
/// Proves: TN1
async fn users_belong_to_several_workspaces() {
    let app = TestApp::spawn().await;
    let first = Team::create(&app, "First Co", "first-owner@example.com").await;
    let second = Team::create(&app, "Second Co", "second-owner@example.com").await;
    let both = first.member(&app, "both@example.com", "member").await;
    let invited = second
        .owner
        .call("admin/invite", &[("slug", &second.slug), ("email", "both@example.com"), ("role", "viewer")])
        .await;
    assert_eq!(invited.status(), 200);
    let token = link_token(&app.mail("both@example.com", "invitation").await.text, "/invitations/accept");
    assert_eq!(both.call("invitations/accept", &[("token", &token)]).await.status(), 200);
    let me = get(&both, "/rpc/session/me").await;
    assert_eq!(me["workspaces"], json!([["First Co", "/w/first-co"], ["Second Co", "/w/second-co"]]));
    let roles = |slug: &str| {
        let both = both.clone();
        let slug = slug.to_owned();
        async move { get(&both, &format!("/rpc/workspaces/home?slug={slug}")).await["roles"].clone() }
    };
    assert_eq!(roles(&first.slug).await, json!(["Member"]));
    assert_eq!(roles(&second.slug).await, json!(["Viewer"]), "roles are per workspace");
}

#[tokio::test]
/// Proves: TN2
async fn invitations_are_bound_to_their_address_revocable_and_expiring() {
    let app = TestApp::spawn().await;
    let team = Team::create(&app, "Invite Co", "owner@example.com").await;
    let invite = |email: &str| {
        let owner = team.owner.clone();
        let (slug, email) = (team.slug.clone(), email.to_owned());
        async move { owner.call("admin/invite", &[("slug", &slug), ("email", &email), ("role", "member")]).await.status() }
    };

    // A forwarded link does not work for someone else.
    assert_eq!(invite("intended@example.com").await, 200);
    let token = link_token(&app.mail("intended@example.com", "invitation").await.text, "/invitations/accept");
    let other = app.user("other@example.com").await;
    let refused = other.answer("invitations/accept", &[("token", &token)]).await;
    assert_eq!((refused.status, refused.body), (409, json!({ "Conflict": "InvitationForSomeoneElse" })));
    assert_eq!(get(&other, "/rpc/session/me").await["workspaces"], json!([]));

    // Revoked: the link is dead.
    let open = get(&team.owner, &format!("/rpc/admin/members?slug={}", team.slug)).await;
    let id = open["invitations"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(team.owner.call("admin/invitations/revoke", &[("slug", &team.slug), ("id", &id)]).await.status(), 200);
    let intended = app.user("intended@example.com").await;
    assert_eq!(intended.answer("invitations/accept", &[("token", &token)]).await.status, 410);

    // Expired: likewise.
    assert_eq!(invite("late@example.com").await, 200);
    let late_token = link_token(&app.mail("late@example.com", "invitation").await.text, "/invitations/accept");
    app.control_db().await.execute_unprepared("UPDATE invitations SET expires_at = created_at").await.unwrap();
    let late = app.user("late@example.com").await;
    assert_eq!(late.answer("invitations/accept", &[("token", &late_token)]).await.status, 410);

    // A link works once.
    assert_eq!(invite("once@example.com").await, 200);
    let once_token = link_token(&app.mail("once@example.com", "invitation").await.text, "/invitations/accept");
    let once = app.user("once@example.com").await;
    assert_eq!(once.answer("invitations/accept", &[("token", &once_token)]).await.status, 200);
    assert_eq!(once.answer("invitations/accept", &[("token", &once_token)]).await.status, 410);
    assert_eq!(invite("once@example.com").await, 409, "already a member");
}

#[tokio::test]
/// Proves: TN3
async fn owners_are_kept() {
    let app = TestApp::spawn().await;
    let team = Team::create(&app, "Owners Co", "owner@example.com").await;
    let admin = team.member(&app, "admin@example.com", "admin").await;
    let members = get(&team.owner, &format!("/rpc/admin/members?slug={}", team.slug)).await;
    let owner_id =
        members["members"].as_array().unwrap().iter().find(|m| m["email"] == "owner@example.com").unwrap()["user"]
            .as_str()
            .unwrap()
            .to_owned();
    let by_admin = admin.answer("admin/members/remove", &[("slug", &team.slug), ("user", &owner_id)]).await;
    assert_eq!((by_admin.status, by_admin.body), (403, json!({ "Forbidden": "OwnerOnly" })));
    let invite_owner = admin
        .answer("admin/invite", &[("slug", &team.slug), ("email", "new-owner@example.com"), ("role", "owner")])
        .await;
    assert_eq!(invite_owner.status, 403, "admins cannot make owners");
    let last = team.owner.answer("admin/members/remove", &[("slug", &team.slug), ("user", &owner_id)]).await;
    assert_eq!((last.status, last.body), (409, json!({ "Conflict": "LastOwner" })));
    let no_role = team
        .owner
        .answer(
            "admin/members/role",
            &[("slug", &team.slug), ("user", &owner_id), ("role", "owner"), ("grant", "false")],
        )
        .await;
    assert_eq!((no_role.status, no_role.body), (409, json!({ "Conflict": "MemberNeedsARole" })));
    let both = team
        .owner
        .call("admin/members/role", &[("slug", &team.slug), ("user", &owner_id), ("role", "admin"), ("grant", "true")])
        .await;
    assert_eq!(both.status(), 200);
    let demote = team
        .owner
        .answer(
            "admin/members/role",
            &[("slug", &team.slug), ("user", &owner_id), ("role", "owner"), ("grant", "false")],
        )
        .await;
    assert_eq!((demote.status, demote.body), (409, json!({ "Conflict": "LastOwner" })));
}
