//! The cross-database rule under kill -9 (`domain::workspace::control_changes`): each operation that
//! writes a workspace database and the control plane is run in a child server process that aborts
//! (`TEST_SUPPORT_CRASH_AT`, a `test-support` fault point) between the two writes, or after the second
//! one but before it is marked done. Then the reconciler runs (as at start) and both databases must agree,
//! with the action audited and done.

use super::fixture::{Team, get, submit};
use crate::harness::{Browser, TestApp, link_token};
use domain::ids::TenantId;
use model::WorkspaceSlug;
use sea_orm::{ConnectionTrait as _, DatabaseConnection, Statement};
use std::os::unix::process::ExitStatusExt as _;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A child `strongroom serve` on the same databases as `app`, set to abort at `crash`.
struct ChildServer {
    process: Child,
    base: String,
}

impl Drop for ChildServer {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

async fn crashing_server(app: &TestApp, crash: &str) -> ChildServer {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let key = std::fs::read_to_string(app.data_dir.path().join("master.key.test")).unwrap();
    let process = Command::new(env!("CARGO_BIN_EXE_strongroom"))
        .arg("serve")
        .env_remove("STRONGROOM_CONFIG")
        .env("STRONGROOM_DATA_DIR", app.data_dir.path())
        .env("STRONGROOM_DATABASE_URL", &app.control_url)
        .env("STRONGROOM_MASTER_KEY", key.trim())
        .env("STRONGROOM_ADDR", format!("127.0.0.1:{port}"))
        .env("STRONGROOM_SITE_ROOT", app.data_dir.path().join("site"))
        .env("STRONGROOM_AUTH_REQUESTS_PER_MINUTE", "1000000")
        .env("TEST_SUPPORT_CRASH_AT", crash)
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(app.data_dir.path().join("child.log")).unwrap())
        .spawn()
        .expect("start the server binary");
    // Waited for in `Drop`.
    let child = ChildServer { process, base: format!("http://127.0.0.1:{port}") };
    let probe = reqwest::Client::new();
    for _ in 0..200 {
        if probe.get(format!("{}/healthz", child.base)).send().await.is_ok_and(|r| r.status().is_success()) {
            return child;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let log = std::fs::read_to_string(app.data_dir.path().join("child.log")).unwrap_or_default();
    panic!("the child server did not start:\n{log}");
}

/// Runs a server function as `browser` against a child server that aborts at `crash`; asserts that it
/// did abort there (SIGABRT), the way kill -9 would stop it.
async fn crash_during(app: &TestApp, browser: &Browser, crash: &str, endpoint: &str, form: &[(&str, &str)]) {
    let mut child = crashing_server(app, crash).await;
    let there = Browser { base: child.base.clone(), ..browser.clone() };
    let token = there.csrf_token().await;
    let mut fields = vec![("_csrf_token", token.as_str())];
    fields.extend_from_slice(form);
    let answer = there
        .client
        .post(format!("{}/rpc/{endpoint}", there.base))
        .header("accept", "application/json")
        .header("origin", &there.base)
        .form(&fields)
        .send()
        .await;
    assert!(answer.is_err(), "the server answered instead of crashing at {crash}: {answer:?}");
    let mut status = None;
    for _ in 0..200 {
        status = child.process.try_wait().unwrap();
        if status.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let status = status.expect("the child server stopped");
    assert_eq!(status.signal(), Some(6), "the child stopped at the fault point {crash} ({status:?})");
}

pub(crate) async fn tenant(app: &TestApp, slug: &str) -> (TenantId, DatabaseConnection) {
    let id = app.platform.tenancy().find_by_slug(&WorkspaceSlug::parse(slug).unwrap()).await.unwrap().id;
    (id, app.platform.tenancy().tenant_db(id).await.unwrap())
}

async fn strings(db: &DatabaseConnection, sql: &str) -> Vec<String> {
    let rows = db.query_all_raw(Statement::from_string(db.get_database_backend(), sql)).await.unwrap();
    rows.iter().map(|row| row.try_get_by_index::<String>(0).unwrap()).collect()
}

async fn count(db: &DatabaseConnection, sql: &str) -> i64 {
    let row = db.query_one_raw(Statement::from_string(db.get_database_backend(), sql)).await.unwrap().unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

async fn owed(db: &DatabaseConnection) -> i64 {
    count(db, "SELECT count(*) FROM pending_control_changes WHERE applied_at IS NULL").await
}

/// (user id, administrative) of every membership of `tenant`.
pub(crate) async fn memberships(app: &TestApp, tenant: TenantId) -> Vec<(uuid::Uuid, bool)> {
    let control = app.control_db().await;
    let rows = control
        .query_all_raw(Statement::from_string(
            control.get_database_backend(),
            "SELECT tenant_id, user_id, administrative FROM memberships",
        ))
        .await
        .unwrap();
    rows.iter()
        .filter(|row| row.try_get::<uuid::Uuid>("", "tenant_id").unwrap() == tenant.as_uuid())
        .map(|row| (row.try_get("", "user_id").unwrap(), row.try_get("", "administrative").unwrap()))
        .collect()
}

async fn member_ids(db: &DatabaseConnection) -> Vec<uuid::Uuid> {
    let rows = db.query_all_raw(Statement::from_string(db.get_database_backend(), "SELECT user_id FROM members")).await;
    rows.unwrap().iter().map(|row| row.try_get("", "user_id").unwrap()).collect()
}

/// The workspace's members and the control plane's memberships are the same people, and nothing is owed.
pub(crate) async fn assert_consistent(app: &TestApp, tenant: TenantId, db: &DatabaseConnection) {
    let mut members = member_ids(db).await;
    let mut registered: Vec<uuid::Uuid> = memberships(app, tenant).await.into_iter().map(|(u, _)| u).collect();
    members.sort();
    registered.sort();
    assert_eq!(members, registered, "workspace members and control-plane memberships differ");
    assert_eq!(owed(db).await, 0, "changes are still owed");
}

pub(crate) async fn user_id(team: &Team, email: &str) -> String {
    let members = get(&team.owner, &format!("/rpc/admin/members?slug={}", team.slug)).await;
    members["members"].as_array().unwrap().iter().find(|m| m["email"] == email).unwrap()["user"]
        .as_str()
        .unwrap()
        .to_owned()
}

pub(crate) async fn actions(db: &DatabaseConnection) -> Vec<String> {
    strings(db, "SELECT action FROM audit_events").await
}

/// Proves: TN2, AUD1
#[tokio::test]
async fn a_removal_interrupted_by_a_crash_is_finished_by_the_reconciler() {
    let app = TestApp::spawn().await;
    let team = Team::create(&app, "Crash Removal", "owner@example.com").await;
    let member = team.member(&app, "leaving@example.com", "member").await;
    let user = user_id(&team, "leaving@example.com").await;
    let (tenant, db) = tenant(&app, &team.slug).await;

    crash_during(&app, &team.owner, "member_removed", "admin/members/remove", &[("slug", &team.slug), ("user", &user)])
        .await;
    // Done and audited in the workspace; the control plane lags, but the member is refused already.
    assert!(actions(&db).await.contains(&"member.removed".to_owned()));
    assert_eq!(owed(&db).await, 1);
    assert_eq!(memberships(&app, tenant).await.len(), 2, "the control plane has not caught up yet");
    assert_eq!(
        member.fetch(&format!("/rpc/workspaces/home?slug={}", team.slug)).await.status(),
        404,
        "refused at once"
    );

    let report = app.platform.reconcile().await;
    assert_eq!(report.applied, 1, "{report:?}");
    assert_consistent(&app, tenant, &db).await;
}

/// Proves: TN3, AUD1
#[tokio::test]
async fn a_role_change_interrupted_by_a_crash_still_updates_the_administrative_flag() {
    let app = TestApp::spawn().await;
    let team = Team::create(&app, "Crash Roles", "owner@example.com").await;
    team.member(&app, "boss@example.com", "admin").await;
    let user = user_id(&team, "boss@example.com").await;
    let (tenant, db) = tenant(&app, &team.slug).await;
    let flag = |memberships: Vec<(uuid::Uuid, bool)>| {
        memberships.into_iter().find(|(u, _)| u.to_string() == user).map(|(_, admin)| admin)
    };
    assert_eq!(flag(memberships(&app, tenant).await), Some(true));

    let form = [("slug", team.slug.as_str()), ("user", &user), ("role", "admin"), ("grant", "false")];
    // Make them a viewer first (a member needs a role), then take admin away in the crashing server.
    let granted = team
        .owner
        .call("admin/members/role", &[("slug", &team.slug), ("user", &user), ("role", "viewer"), ("grant", "true")])
        .await;
    assert_eq!(granted.status(), 200);
    crash_during(&app, &team.owner, "sync_members", "admin/members/role", &form).await;
    assert!(actions(&db).await.iter().filter(|a| *a == "member.roles_changed").count() >= 2);
    assert_eq!(flag(memberships(&app, tenant).await), Some(true), "stale until reconciled");

    app.platform.reconcile().await;
    assert_eq!(flag(memberships(&app, tenant).await), Some(false), "sign-in no longer treats them as an admin");
    assert_consistent(&app, tenant, &db).await;
}

/// Proves: TN2, AUD1
#[tokio::test]
async fn an_invitation_interrupted_by_a_crash_is_sent_exactly_once() {
    for crash in ["invitation_created", "invitation_created@applied"] {
        let app = TestApp::spawn().await;
        let team = Team::create(&app, "Crash Invite", "owner@example.com").await;
        let (tenant, db) = tenant(&app, &team.slug).await;
        let form = [("slug", team.slug.as_str()), ("email", "new@example.com"), ("role", "member")];
        crash_during(&app, &team.owner, crash, "admin/invite", &form).await;
        assert!(actions(&db).await.contains(&"invitation.created".to_owned()));
        assert_eq!(owed(&db).await, 1, "{crash}");

        // At start, a server reconciles: a sibling server starting on the same databases.
        let _restarted = app.spawn_sibling(|_| {}).await;
        assert_eq!(owed(&db).await, 0, "{crash}");
        app.platform.reconcile().await;
        let control = app.control_db().await;
        assert_eq!(count(&control, "SELECT count(*) FROM invitations").await, 1, "{crash}");
        let mails = app.mails("new@example.com").await;
        assert_eq!(mails.iter().filter(|m| m.kind == "invitation").count(), 1, "exactly one mail after {crash}");
        assert_consistent(&app, tenant, &db).await;

        // And the invitation works.
        let token = link_token(&app.mail("new@example.com", "invitation").await.text, "/invitations/accept");
        let joined = app.user("new@example.com").await;
        assert_eq!(joined.call("invitations/accept", &[("token", &token)]).await.status(), 200);
        assert_consistent(&app, tenant, &db).await;
    }
}

/// Proves: TN2, AUD1
#[tokio::test]
async fn revoking_and_accepting_interrupted_by_a_crash_are_finished_by_the_reconciler() {
    let app = TestApp::spawn().await;
    let team = Team::create(&app, "Crash Accept", "owner@example.com").await;
    let (tenant, db) = tenant(&app, &team.slug).await;
    for email in ["first@example.com", "second@example.com"] {
        let form = [("slug", team.slug.as_str()), ("email", email), ("role", "member")];
        assert_eq!(team.owner.call("admin/invite", &form).await.status(), 200);
    }
    let open = get(&team.owner, &format!("/rpc/admin/members?slug={}", team.slug)).await;
    let second =
        open["invitations"].as_array().unwrap().iter().find(|i| i["email"] == "second@example.com").unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
    crash_during(
        &app,
        &team.owner,
        "invitation_revoked",
        "admin/invitations/revoke",
        &[("slug", &team.slug), ("id", &second)],
    )
    .await;
    assert!(actions(&db).await.contains(&"invitation.revoked".to_owned()));
    app.platform.reconcile().await;
    let control = app.control_db().await;
    assert_eq!(count(&control, "SELECT count(*) FROM invitations WHERE revoked_at IS NOT NULL").await, 1);

    let token = link_token(&app.mail("first@example.com", "invitation").await.text, "/invitations/accept");
    let first = app.user("first@example.com").await;
    crash_during(&app, &first, "member_joined", "invitations/accept", &[("token", &token)]).await;
    assert!(actions(&db).await.contains(&"member.joined".to_owned()));
    assert_eq!(member_ids(&db).await.len(), 2, "joined in the workspace");
    app.platform.reconcile().await;
    assert_consistent(&app, tenant, &db).await;
    assert_eq!(count(&control, "SELECT count(*) FROM invitations WHERE accepted_at IS NOT NULL").await, 1);
    assert_eq!(first.fetch(&format!("/rpc/workspaces/home?slug={}", team.slug)).await.status(), 200);
}

/// Proves: TN1, TN6, AUD1
#[tokio::test]
async fn a_policy_change_interrupted_by_a_crash_takes_effect_after_reconciling() {
    let app = TestApp::spawn().await;
    let team = Team::create(&app, "Crash Policy", "owner@example.com").await;
    let (tenant, db) = tenant(&app, &team.slug).await;
    let form = [
        ("slug", team.slug.as_str()),
        ("min_password_chars", "20"),
        ("two_factor", "none"),
        ("session_idle_minutes", ""),
        ("session_absolute_hours", ""),
        ("login_failures", ""),
        ("admin_ip_allowlist", ""),
        ("approval_threshold", "1000"),
    ];
    crash_during(&app, &team.owner, "policy_set", "admin/policies/update", &form).await;
    assert!(actions(&db).await.contains(&"policy.updated".to_owned()));
    let control = app.control_db().await;
    let minimum = "SELECT min_password_chars FROM workspace_policies";
    let read = |control: &DatabaseConnection| {
        let control = control.clone();
        async move {
            let row = control.query_one_raw(Statement::from_string(control.get_database_backend(), minimum)).await;
            row.unwrap().unwrap().try_get_by_index::<i32>(0).unwrap()
        }
    };
    assert_eq!(read(&control).await, 12, "not applied yet");
    app.platform.reconcile().await;
    assert_eq!(read(&control).await, 20);
    assert_consistent(&app, tenant, &db).await;
}

/// Proves: TN1, AUD1
#[tokio::test]
async fn a_workspace_creation_interrupted_by_a_crash_is_finished_by_the_reconciler() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner@example.com").await;
    crash_during(&app, &owner, "workspace_created", "workspaces/create", &[("name", "Crash Created")]).await;
    assert!(get(&owner, "/rpc/session/me").await["workspaces"].as_array().unwrap().is_empty(), "not usable yet");
    let report = app.platform.reconcile().await;
    assert_eq!(report.applied, 1, "{report:?}");
    let workspaces = get(&owner, "/rpc/session/me").await["workspaces"].clone();
    assert_eq!(workspaces.as_array().unwrap().len(), 1, "{workspaces}");
    let (tenant, db) = tenant(&app, "crash-created").await;
    assert!(actions(&db).await.contains(&"workspace.created".to_owned()));
    assert_eq!(memberships(&app, tenant).await.len(), 1);
    assert_consistent(&app, tenant, &db).await;
    let control = app.control_db().await;
    assert_eq!(count(&control, "SELECT count(*) FROM workspace_policies").await, 1);
}

/// Proves: TN5, AUD1
#[tokio::test]
async fn the_approvers_mail_lost_in_a_crash_is_sent_by_the_reconciler() {
    let app = TestApp::spawn().await;
    let team = Team::create(&app, "Crash Mail", "owner@example.com").await;
    let requester = team.member(&app, "buyer@example.com", "member").await;
    let supplier = team.supplier("Paper Ltd").await;
    let (tenant, db) = tenant(&app, &team.slug).await;
    let form = [
        ("slug", team.slug.as_str()),
        ("supplier", &supplier),
        ("title", "Lots of paper"),
        ("lines[0][description]", "Item"),
        ("lines[0][quantity]", "1"),
        ("lines[0][unit_price]", "5000"),
    ];
    crash_during(&app, &requester, "mails", "purchasing/requests/submit", &form).await;
    assert!(actions(&db).await.contains(&"request.submitted".to_owned()));
    assert!(app.mails("owner@example.com").await.iter().all(|m| m.kind != "approval_needed"));
    app.platform.reconcile().await;
    assert_eq!(app.mails("owner@example.com").await.iter().filter(|m| m.kind == "approval_needed").count(), 1);
    assert_consistent(&app, tenant, &db).await;
    // The ordinary path still works too.
    assert_eq!(submit(&requester, &team.slug, &supplier, "More paper", "1", "5000").await.0, 200);
}
