//! Workspace rules at their limits: the workspace quota and readable-or-random addresses, invitation
//! caps, leaving, invitations ended by joining, last owners under concurrency, roles that keep every
//! member with a role and unique names, and refusals of what nobody may grant or change.

use super::fixture::{Team, get};
use crate::harness::{Browser, TestApp, link_token};
use serde_json::{Value, json};

async fn create(owner: &Browser, name: &str) -> (u16, Value) {
    let response = owner.call("workspaces/create", &[("name", name)]).await;
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

async fn user_id(team: &Team, email: &str) -> String {
    let members = get(&team.owner, &format!("/rpc/admin/members?slug={}", team.slug)).await;
    members["members"].as_array().unwrap().iter().find(|m| m["email"] == email).unwrap()["user"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn role(team: &Team, name: &str) -> Value {
    let roles = get(&team.owner, &format!("/rpc/admin/roles?slug={}", team.slug)).await;
    roles.as_array().unwrap().iter().find(|r| r["name"] == name).cloned().unwrap_or(Value::Null)
}

async fn create_role(browser: &Browser, slug: &str, name: &str, permissions: &[&str]) -> (u16, Value) {
    let mut form = vec![("slug", slug), ("name", name)];
    form.extend(permissions.iter().map(|p| ("permissions[]", *p)));
    let answer = browser.answer("admin/roles/create", &form).await;
    (answer.status, answer.body)
}

/// Proves: TN1
#[tokio::test]
async fn a_user_creates_at_most_ten_workspaces() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner@example.com").await;
    for i in 1..=domain::tenancy::WORKSPACES_PER_USER {
        assert_eq!(create(&owner, &format!("Shop {i}")).await.0, 200, "workspace {i}");
    }
    let refused = create(&owner, "Shop eleven").await;
    assert_eq!(refused, (409, json!({ "Conflict": "WorkspaceLimitReached" })));
    // Somebody else is not affected.
    let other = app.user("other@example.com").await;
    assert_eq!(create(&other, "Shop eleven").await.0, 200);
}

/// Proves: TN1
#[tokio::test]
async fn names_without_latin_letters_get_random_addresses_that_never_run_out() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner@example.com").await;
    let mut slugs = Vec::new();
    for name in ["東京", "東京", "Ελληνικά", "Москва"] {
        let (status, body) = create(&owner, name).await;
        assert_eq!(status, 200, "{name}: {body}");
        slugs.push(body["slug"].as_str().unwrap().to_owned());
    }
    for slug in &slugs {
        let suffix = slug.strip_prefix("ws-").unwrap_or_else(|| panic!("{slug}"));
        assert!(suffix.len() == 6 && suffix.bytes().all(|b| b.is_ascii_hexdigit()), "{slug}");
    }
    slugs.sort();
    slugs.dedup();
    assert_eq!(slugs.len(), 4, "each got an address of its own");
}

/// Proves: TN2
#[tokio::test]
async fn invitations_are_capped_per_address_and_per_workspace() {
    let app = TestApp::spawn().await;
    let team = Team::create(&app, "Mail Relay", "owner@example.com").await;
    let invite = |email: String| {
        let (owner, slug) = (team.owner.clone(), team.slug.clone());
        async move { owner.answer("admin/invite", &[("slug", &slug), ("email", &email), ("role", "viewer")]).await }
    };
    for _ in 0..domain::workspace::invitations::PER_ADDRESS_PER_DAY {
        assert_eq!(invite("target@example.com".into()).await.status, 200);
    }
    let refused = invite("target@example.com".into()).await;
    assert_eq!((refused.status, refused.body), (409, json!({ "Conflict": "InvitationLimitReached" })));

    let sent = domain::workspace::invitations::PER_ADDRESS_PER_DAY;
    for i in sent..domain::workspace::invitations::PER_WORKSPACE_PER_DAY {
        assert_eq!(invite(format!("person{i}@example.com")).await.status, 200, "invitation {i}");
    }
    let refused = invite("one-more@example.com".into()).await;
    assert_eq!((refused.status, refused.body), (409, json!({ "Conflict": "InvitationLimitReached" })));
}

/// Proves: TN2
#[tokio::test]
async fn members_can_leave_and_joining_ends_the_other_invitations_of_their_address() {
    let app = TestApp::spawn().await;
    let team = Team::create(&app, "Leavers", "owner@example.com").await;
    for _ in 0..2 {
        let form = [("slug", team.slug.as_str()), ("email", "bob@example.com"), ("role", "admin")];
        assert_eq!(team.owner.call("admin/invite", &form).await.status(), 200);
    }
    let mails = app.mails("bob@example.com").await;
    let tokens: Vec<String> = mails.iter().map(|m| link_token(&m.text, "/invitations/accept")).collect();
    assert_eq!(tokens.len(), 2);
    let bob = app.user("bob@example.com").await;
    assert_eq!(bob.call("invitations/accept", &[("token", &tokens[0])]).await.status(), 200);
    let open = get(&team.owner, &format!("/rpc/admin/members?slug={}", team.slug)).await;
    assert_eq!(open["invitations"], json!([]), "the second invitation ended when the first was accepted");

    // Bob leaves; the spare link does not bring him back.
    assert_eq!(bob.call("workspaces/leave", &[("slug", &team.slug)]).await.status(), 200);
    let home = format!("/rpc/workspaces/home?slug={}", team.slug);
    assert_eq!(bob.fetch(&home).await.status(), 404);
    assert_eq!(bob.answer("invitations/accept", &[("token", &tokens[1])]).await.status, 410);
    assert_eq!(get(&bob, "/rpc/session/me").await["workspaces"], json!([]));
    // The last owner cannot leave.
    let refused = team.owner.answer("workspaces/leave", &[("slug", &team.slug)]).await;
    assert_eq!((refused.status, refused.body), (409, json!({ "Conflict": "LastOwner" })));
}

/// Proves: TN3
#[tokio::test]
async fn two_owners_demoting_each_other_at_once_leave_an_owner() {
    let app = TestApp::spawn().await;
    let team = Team::create(&app, "Owner Race", "first@example.com").await;
    let second = team.member(&app, "second@example.com", "owner").await;
    let first_id = user_id(&team, "first@example.com").await;
    let second_id = user_id(&team, "second@example.com").await;
    for _ in 0..3 {
        let demote = |browser: Browser, user: String, slug: String| async move {
            browser
                .call("admin/members/role", &[("slug", &slug), ("user", &user), ("role", "admin"), ("grant", "true")])
                .await;
            browser
                .answer(
                    "admin/members/role",
                    &[("slug", &slug), ("user", &user), ("role", "owner"), ("grant", "false")],
                )
                .await
                .status
        };
        let (a, b) = tokio::join!(
            demote(team.owner.clone(), second_id.clone(), team.slug.clone()),
            demote(second.clone(), first_id.clone(), team.slug.clone())
        );
        let members = get(&team.owner, &format!("/rpc/admin/members?slug={}", team.slug)).await;
        let members = if members["members"].is_array() {
            members
        } else {
            get(&second, &format!("/rpc/admin/members?slug={}", team.slug)).await
        };
        let owners = members["members"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["roles"].as_array().unwrap().iter().any(|r| r[0] == "owner"))
            .count();
        assert!(owners >= 1, "no owner left ({a}, {b}): {members}");
        if owners == 1 {
            return;
        }
    }
}

/// Proves: TN3
#[tokio::test]
async fn roles_keep_every_member_with_a_role_and_have_unique_names() {
    let app = TestApp::spawn().await;
    let team = Team::create(&app, "Role Rules", "owner@example.com").await;
    team.member(&app, "buyer@example.com", "member").await;
    let buyer = user_id(&team, "buyer@example.com").await;
    assert_eq!(create_role(&team.owner, &team.slug, "Buyer", &["workspace.view"]).await.0, 200);

    // Names are unique whatever their case, on create and on rename.
    let taken = create_role(&team.owner, &team.slug, "BUYER", &["workspace.view"]).await;
    assert_eq!(taken, (409, json!({ "Conflict": "RoleNameTaken" })));
    assert_eq!(create_role(&team.owner, &team.slug, "Seller", &["workspace.view"]).await.0, 200);
    let seller = role(&team, "Seller").await["id"].as_str().unwrap().to_owned();
    let renamed = team
        .owner
        .answer(
            "admin/roles/update",
            &[("slug", &team.slug), ("id", &seller), ("name", "buyer"), ("permissions[]", "workspace.view")],
        )
        .await;
    assert_eq!((renamed.status, renamed.body), (409, json!({ "Conflict": "RoleNameTaken" })));

    // The buyer holds only the custom role: deleting it would leave them without one.
    let custom = role(&team, "Buyer").await["key"].as_str().unwrap().to_owned();
    let grant = |role: String, grant: &'static str| {
        let (owner, slug, user) = (team.owner.clone(), team.slug.clone(), buyer.clone());
        async move {
            owner
                .answer("admin/members/role", &[("slug", &slug), ("user", &user), ("role", &role), ("grant", grant)])
                .await
                .status
        }
    };
    assert_eq!(grant(custom.clone(), "true").await, 200);
    assert_eq!(grant("member".into(), "false").await, 200);
    let id = role(&team, "Buyer").await["id"].as_str().unwrap().to_owned();
    let refused = team.owner.answer("admin/roles/delete", &[("slug", &team.slug), ("id", &id)]).await;
    assert_eq!((refused.status, refused.body), (409, json!({ "Conflict": "MemberNeedsARole" })));
    assert_eq!(grant("viewer".into(), "true").await, 200);
    assert_eq!(team.owner.call("admin/roles/delete", &[("slug", &team.slug), ("id", &id)]).await.status(), 200);
}

/// Proves: TN3
#[tokio::test]
async fn concurrent_renames_to_one_name_leave_one_role_with_it() {
    let app = TestApp::spawn().await;
    let team = Team::create(&app, "Rename Race", "owner@example.com").await;
    for name in ["Alpha", "Beta"] {
        assert_eq!(create_role(&team.owner, &team.slug, name, &["workspace.view"]).await.0, 200);
    }
    let rename = |name: &'static str| {
        let (owner, slug, team) = (team.owner.clone(), team.slug.clone(), &team);
        async move {
            let id = role(team, name).await["id"].as_str().unwrap().to_owned();
            owner
                .answer(
                    "admin/roles/update",
                    &[("slug", &slug), ("id", &id), ("name", "Gamma"), ("permissions[]", "workspace.view")],
                )
                .await
                .status
        }
    };
    let (a, b) = tokio::join!(rename("Alpha"), rename("Beta"));
    let mut statuses = [a, b];
    statuses.sort();
    assert_eq!(statuses, [200, 409]);
    let roles = get(&team.owner, &format!("/rpc/admin/roles?slug={}", team.slug)).await;
    assert_eq!(roles.as_array().unwrap().iter().filter(|r| r["name"] == "Gamma").count(), 1);
}

/// Proves: TN3
#[tokio::test]
async fn nobody_grants_what_they_lack_changes_built_in_roles_or_invites_a_member() {
    let app = TestApp::spawn().await;
    let team = Team::create(&app, "Refusals", "owner@example.com").await;
    let perms = ["workspace.view", "members.view", "roles.manage"];
    assert_eq!(create_role(&team.owner, &team.slug, "Role Keeper", &perms).await.0, 200);
    let keeper_key = role(&team, "Role Keeper").await["key"].as_str().unwrap().to_owned();
    let keeper = team.join_as(&app, &team.owner, "keeper@example.com", &keeper_key).await;

    let refused = create_role(&keeper, &team.slug, "Exporter", &["workspace.view", "audit.export"]).await;
    assert_eq!(refused, (403, json!({ "Forbidden": "CannotGrantUnheldPermission" })));
    assert_eq!(create_role(&keeper, &team.slug, "Looker", &["workspace.view"]).await.0, 200);

    let builtin = role(&team, "Member").await["id"].as_str().unwrap().to_owned();
    let changed = team
        .owner
        .answer(
            "admin/roles/update",
            &[("slug", &team.slug), ("id", &builtin), ("name", "Members"), ("permissions[]", "workspace.view")],
        )
        .await;
    assert_eq!((changed.status, changed.body), (403, json!({ "Forbidden": "BuiltinRole" })));
    let deleted = team.owner.answer("admin/roles/delete", &[("slug", &team.slug), ("id", &builtin)]).await;
    assert_eq!((deleted.status, deleted.body), (403, json!({ "Forbidden": "BuiltinRole" })));

    let again = team
        .owner
        .answer("admin/invite", &[("slug", &team.slug), ("email", "keeper@example.com"), ("role", "viewer")])
        .await;
    assert_eq!((again.status, again.body), (409, json!({ "Conflict": "AlreadyMember" })));
}
