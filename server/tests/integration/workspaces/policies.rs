//! Workspace policies, enforced at the next request: a raised minimum password length, the admin
//! console's IP allowlist, 2FA required, stricter session limits and a lower failed-sign-in threshold.

use super::fixture::{Team, get, get_status};
use crate::harness::{Browser, PASSWORD, TestApp};
use sea_orm::ConnectionTrait as _;
use serde_json::{Value, json};

pub(crate) async fn set_policy(admin: &Browser, slug: &str, changes: &[(&str, &str)]) -> (u16, Value) {
    let mut fields = vec![
        ("slug", slug),
        ("min_password_chars", ""),
        ("two_factor", "none"),
        ("session_idle_minutes", ""),
        ("session_absolute_hours", ""),
        ("login_failures", ""),
        ("admin_ip_allowlist", ""),
        ("approval_threshold", "1000"),
        ("time_zone", ""),
    ];
    for (key, value) in changes {
        fields.iter_mut().find(|(k, _)| k == key).expect("a policy field").1 = value;
    }
    let response = admin.call("admin/policies/update", &fields).await;
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
/// Proves: ID3
async fn a_raised_minimum_length_makes_members_change_a_shorter_password_at_next_sign_in() {
    let app = TestApp::spawn().await;
    let team = Team::create(&app, "Long Passwords", "owner@example.com").await;
    let member = team.member(&app, "member@example.com", "member").await;
    assert_eq!(PASSWORD.chars().count(), 20);
    assert_eq!(set_policy(&team.owner, &team.slug, &[("min_password_chars", "24")]).await.0, 200);
    let (status, body) = set_policy(&team.owner, &team.slug, &[("min_password_chars", "16")]).await;
    assert_eq!((status, body), (422, json!({ "Invalid": { "CannotLower": { "field": "Policy" } } })), "it only rises");

    // The member signs in again (same browser: known device, no code) and is sent to change it.
    assert_eq!(member.sign_in("member@example.com", PASSWORD).await.status, 200);
    let home = format!("/rpc/workspaces/home?slug={}", team.slug);
    let refused = get(&member, &home).await;
    assert_eq!(refused, json!({ "Auth": "PasswordChangeRequired" }));
    let page = member.get_page(&format!("/w/{}", team.slug)).await;
    assert_eq!(page.status(), 302);
    assert_eq!(page.headers()["location"], "/account/security?notice=password_change_required");

    let too_short =
        member.answer("account/password", &[("password", PASSWORD), ("new_password", "twenty-three characters")]).await;
    assert_eq!(
        (too_short.status, too_short.body),
        (422, json!({ "Invalid": { "TooShort": { "field": "NewPassword", "min": 24 } } }))
    );
    let changed = member
        .call("account/password", &[("password", PASSWORD), ("new_password", "a passphrase of twenty-eight")])
        .await;
    assert_eq!(changed.status(), 200);
    assert_eq!(get_status(&member, &home).await, 200, "allowed again after the change");
}

/// Proves: TN6
#[tokio::test]
/// Proves: TN6
async fn the_admin_allowlist_refuses_administrators_from_other_addresses() {
    let app = TestApp::spawn_with(|raw| raw.trusted_proxies = vec!["127.0.0.1".into()]).await;
    let team = Team::create(&app, "Allowlist Co", "owner@example.com").await;
    let member = team.member(&app, "member@example.com", "member").await;
    let admin = team.member(&app, "admin@example.com", "admin").await;
    let office = team.owner.behind_proxy_as("192.0.2.10");
    let cafe = team.owner.behind_proxy_as("198.51.100.7");
    let (admin_office, admin_cafe) = (admin.behind_proxy_as("192.0.2.11"), admin.behind_proxy_as("198.51.100.8"));

    // Saving a list that leaves out one's own address would lock oneself out: refused.
    assert_eq!(set_policy(&cafe, &team.slug, &[("admin_ip_allowlist", "192.0.2.0/24")]).await.0, 422);
    assert_eq!(set_policy(&office, &team.slug, &[("admin_ip_allowlist", "192.0.2.0/24")]).await.0, 200);

    let policies = format!("/rpc/admin/policies?slug={}", team.slug);
    assert_eq!(get(&admin_cafe, &policies).await, json!({ "Auth": "AddressNotAllowed" }));
    assert_eq!(
        admin_cafe
            .call("admin/invite", &[("slug", &team.slug), ("email", "x@example.com"), ("role", "member")])
            .await
            .status(),
        403
    );
    assert_eq!(get_status(&admin_office, &policies).await, 200);
    // Owners always pass: an administrator's list cannot lock them out of their own console.
    assert_eq!(get_status(&cafe, &policies).await, 200);
    // Member pages are not the admin console.
    assert_eq!(get_status(&admin_cafe, &format!("/rpc/workspaces/home?slug={}", team.slug)).await, 200);
    assert_eq!(
        get_status(&member.behind_proxy_as("203.0.113.1"), &format!("/rpc/purchasing/suppliers?slug={}", team.slug))
            .await,
        200
    );
}

/// Proves: TN6, TN5
#[tokio::test]
async fn only_owners_change_the_allowlist_and_the_approval_threshold() {
    let app = TestApp::spawn_with(|raw| raw.trusted_proxies = vec!["127.0.0.1".into()]).await;
    let team = Team::create(&app, "Owner Rules", "owner@example.com").await;
    let admin = team.member(&app, "admin@example.com", "admin").await.behind_proxy_as("192.0.2.11");
    let refused = set_policy(&admin, &team.slug, &[("admin_ip_allowlist", "192.0.2.0/24")]).await;
    assert_eq!(refused, (403, json!({ "Forbidden": "OwnerOnly" })), "an admin cannot sideline the owners");
    let refused = set_policy(&admin, &team.slug, &[("approval_threshold", "999999")]).await;
    assert_eq!(refused, (403, json!({ "Forbidden": "OwnerOnly" })), "an admin cannot lift the threshold");
    // Other policies stay theirs to change.
    assert_eq!(set_policy(&admin, &team.slug, &[("session_idle_minutes", "60")]).await.0, 200);
    let policy = get(&team.owner, &format!("/rpc/admin/policies?slug={}", team.slug)).await;
    assert_eq!(
        (policy["admin_ip_allowlist"].clone(), policy["approval_threshold"].clone()),
        (json!(""), json!("1,000.00"))
    );
    // The owner may.
    let owner = team.owner.behind_proxy_as("192.0.2.10");
    assert_eq!(set_policy(&owner, &team.slug, &[("approval_threshold", "5000")]).await.0, 200);
}

/// Proves: TN1, AUD1
#[tokio::test]
async fn one_workspace_s_password_minimum_does_not_lock_members_out_of_their_others() {
    let app = TestApp::spawn_with(|raw| raw.trusted_proxies = vec!["127.0.0.1".into()]).await;
    let strict = Team::create(&app, "Strict Co", "strict@example.com").await;
    let relaxed = Team::create(&app, "Relaxed Co", "relaxed@example.com").await;
    let first = strict.member(&app, "both@example.com", "member").await;
    let form = [("slug", relaxed.slug.as_str()), ("email", "both@example.com"), ("role", "member")];
    assert_eq!(relaxed.owner.call("admin/invite", &form).await.status(), 200);
    let mails = app.mails("both@example.com").await;
    let invitation = mails.iter().find(|m| m.kind == "invitation" && m.text.contains("Relaxed")).unwrap();
    let token = crate::harness::link_token(&invitation.text, "/invitations/accept");
    assert_eq!(first.call("invitations/accept", &[("token", &token)]).await.status(), 200);
    assert_eq!(set_policy(&strict.owner, &strict.slug, &[("min_password_chars", "24")]).await.0, 200);
    let both = app.signed_in_browser("both@example.com").await;
    let home = |slug: &str| format!("/rpc/workspaces/home?slug={slug}");
    assert_eq!(get(&both, &home(&strict.slug)).await, json!({ "Auth": "PasswordChangeRequired" }));
    assert_eq!(get_status(&both, &home(&relaxed.slug)).await, 200, "the other workspace is not theirs to block");

    // A refusal by the allowlist is on the record; so is an export of the log.
    let admin = relaxed.member(&app, "admin@example.com", "admin").await;
    let office = relaxed.owner.behind_proxy_as("192.0.2.10");
    assert_eq!(set_policy(&office, &relaxed.slug, &[("admin_ip_allowlist", "192.0.2.0/24")]).await.0, 200);
    let policies = format!("/rpc/admin/policies?slug={}", relaxed.slug);
    assert_eq!(get(&admin.behind_proxy_as("198.51.100.8"), &policies).await, json!({ "Auth": "AddressNotAllowed" }));
    assert_eq!(office.get_page(&format!("/w/{}/admin/audit.csv", relaxed.slug)).await.status(), 200);
    let log = get(&office, &format!("/rpc/admin/audit?slug={}&actor=&action=&from=&until=", relaxed.slug)).await;
    let actions: Vec<&str> = log.as_array().unwrap().iter().filter_map(|e| e["action"].as_str()).collect();
    assert!(actions.contains(&"admin_console.refused") && actions.contains(&"audit.exported"), "{actions:?}");
}

#[tokio::test]
/// Proves: ID7
async fn required_two_factor_sends_members_to_enrolment() {
    let app = TestApp::spawn().await;
    let team = Team::create(&app, "2FA Co", "owner@example.com").await;
    let member = team.member(&app, "member@example.com", "member").await;
    let admin = team.member(&app, "admin@example.com", "admin").await;
    let home = format!("/rpc/workspaces/home?slug={}", team.slug);

    assert_eq!(set_policy(&team.owner, &team.slug, &[("two_factor", "admins")]).await.0, 200);
    assert_eq!(get_status(&member, &home).await, 200, "members are not administrators");
    assert_eq!(get(&admin, &home).await, json!({ "Auth": "TwoFactorRequired" }));

    assert_eq!(set_policy(&enrol_totp(&team.owner).await, &team.slug, &[("two_factor", "all")]).await.0, 200);
    assert_eq!(get(&member, &home).await, json!({ "Auth": "TwoFactorRequired" }));
    let page = member.get_page(&format!("/w/{}/requests", team.slug)).await;
    assert_eq!(page.status(), 302);
    assert_eq!(page.headers()["location"], "/account/security?notice=totp_required");

    // Once the member has an authenticator app, they are back in.
    enrol_totp(&member).await;
    assert_eq!(get_status(&member, &home).await, 200);
}

/// Enrols TOTP for the browser's user.
async fn enrol_totp(browser: &Browser) -> Browser {
    assert_eq!(browser.call("account/totp/begin", &[("password", PASSWORD)]).await.status(), 200);
    let secret = get(browser, "/rpc/account/totp/pending").await["secret"].as_str().unwrap().to_owned();
    let secret = totp_rs::Secret::try_from_base32(&secret).unwrap();
    let totp = totp_rs::Builder::new().with_secret(secret.as_ref().to_vec()).with_account_name("x").build().unwrap();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let code = totp.generate(now).to_string();
    assert_eq!(browser.call("account/totp/confirm", &[("code", &code)]).await.status(), 200);
    browser.clone()
}

#[tokio::test]
/// Proves: ID8
async fn a_stricter_idle_limit_ends_sessions_in_that_workspace() {
    let app = TestApp::spawn().await;
    let team = Team::create(&app, "Idle Co", "owner@example.com").await;
    let member = team.member(&app, "member@example.com", "member").await;
    assert_eq!(set_policy(&team.owner, &team.slug, &[("session_idle_minutes", "5")]).await.0, 200);
    let home = format!("/rpc/workspaces/home?slug={}", team.slug);
    assert_eq!(get_status(&member, &home).await, 200);
    // Ten minutes without a request: past this workspace's 5, within the platform's 30.
    let db = app.control_db().await;
    let backend = db.get_database_backend();
    let ten_minutes_ago = (chrono::Utc::now() - chrono::Duration::minutes(10)).to_rfc3339();
    db.execute_raw(sea_orm::Statement::from_sql_and_values(
        backend,
        match backend {
            sea_orm::DbBackend::Postgres => {
                "UPDATE auth_sessions SET last_seen_at = $1::timestamptz WHERE revoked_at IS NULL"
            }
            _ => "UPDATE auth_sessions SET last_seen_at = ? WHERE revoked_at IS NULL",
        },
        [ten_minutes_ago.into()],
    ))
    .await
    .unwrap();
    assert_eq!(get(&member, &home).await, json!({ "Auth": "WorkspaceSessionExpired" }));
    assert_eq!(member.whoami().await, None, "the session is over");
}

#[tokio::test]
/// Proves: ID4
async fn a_lower_failure_threshold_protects_the_workspace_s_members_sooner() {
    // Every guess comes from its own address, so only the per-account counter is at work.
    let app = TestApp::spawn_with(|raw| raw.trusted_proxies = vec!["127.0.0.1".into()]).await;
    let team = Team::create(&app, "Careful Co", "owner@example.com").await;
    team.member(&app, "member@example.com", "member").await;
    let outsider = app.verified_account("outsider@example.com").await;
    assert_eq!(set_policy(&team.owner, &team.slug, &[("login_failures", "2")]).await.0, 200);

    let attacker = app.browser();
    let wrong = (401, json!({ "Auth": "InvalidCredentials" }));
    let protected = (403, json!({ "Auth": "AccountProtected" }));
    assert_eq!(guess(&attacker, 1, "member@example.com", "wrong guess one").await, wrong);
    assert_eq!(guess(&attacker, 2, "member@example.com", "wrong guess two").await, wrong);
    assert_eq!(
        guess(&attacker, 3, "member@example.com", PASSWORD).await,
        protected,
        "two failures are this workspace's limit"
    );

    // Someone outside the workspace keeps the platform's limit (five): the same two failures leave
    // the right password working (with an emailed code, because of the recent failures).
    assert_eq!(guess(&attacker, 10, &outsider, "wrong guess one").await, wrong);
    assert_eq!(guess(&attacker, 11, &outsider, "wrong guess two").await, wrong);
    let (status, body) = guess(&attacker, 12, &outsider, PASSWORD).await;
    assert_eq!(status, 200, "two failures are under the platform's limit: {body}");
}

/// A sign-in attempt by `browser` that appears to come from 198.51.100.`n`.
async fn guess(browser: &Browser, n: u8, email: &str, password: &str) -> (u16, Value) {
    let answer = browser
        .behind_proxy_as(&format!("198.51.100.{n}"))
        .answer("auth/sign-in", &[("email", email), ("password", password)])
        .await;
    (answer.status, answer.body)
}
