//! OPS2: an administrator opens a backup beside live as a read-only copy and browses it, over the same
//! server functions the backups page and the copy's page call: the copy shows the workspace as it was
//! at the backup, live stays as it is, the copy is removed when closed, replaced or past its time, and
//! nobody without `backups.manage` in the workspace opens, sees or closes one.

use crate::harness::{Browser, TestApp};
use crate::workspaces::fixture::{Team, get, get_status, submit};
use crate::workspaces::sales_fixture::{SECRETS, add_customer, add_order, secret_customer, tenant_db, texts};
use domain::tenancy::TenantPlacement;
use domain::workspace::backups::COPY_KEPT;
use serde_json::Value;

fn copy_page(slug: &str) -> String {
    format!("/rpc/admin/backups/copy?slug={slug}")
}

/// How many copies beside live exist on disk or on the database server (files under the SQLite
/// placement's `restored/` directory; on PostgreSQL, the databases of the placement, workspaces and
/// copies).
async fn copies_kept(app: &TestApp) -> usize {
    match app.platform.tenancy().placement() {
        TenantPlacement::Sqlite { dir } => files_under(&dir.join("restored")),
        placement => {
            placement.list_databases().await.unwrap().len() + placement.list_copy_databases().await.unwrap().len()
        }
    }
}

fn files_under(dir: &std::path::Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
    entries.flatten().map(|e| if e.path().is_dir() { files_under(&e.path()) } else { 1 }).sum()
}

/// Opens backup `id` beside live from the page; returns the backups page once it is open.
async fn open_copy(admin: &Browser, slug: &str, id: &str) -> Value {
    super::open_copy_through_the_page(admin, slug, id).await.0
}

fn names(list: &Value, field: &str) -> Vec<String> {
    list["rows"].as_array().unwrap().iter().map(|row| row[field].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
/// Proves: OPS2
async fn an_administrator_browses_a_backup_beside_live_and_live_stays_as_it_is() {
    let app = TestApp::spawn().await;
    let team = Team::create(&app, "Memory Co", "owner@example.com").await;
    let admin = team.member(&app, "admin@example.com", "admin").await;
    let customer = secret_customer(&team).await;
    assert_eq!(add_order(&team.owner, &team.slug, &customer, "2", "10").await.0, 200);
    let supplier = team.supplier("Acme Chairs").await;
    assert_eq!(submit(&team.owner, &team.slug, &supplier, "Chairs for the office", "4", "25").await.0, 200);
    let id = super::back_up_through_the_page(&admin, &team.slug).await;
    let kept_before = copies_kept(&app).await;

    // After the backup: a new customer with an order of its own.
    let (status, late) = add_customer(&team.owner, &team.slug, "Late Lotte", "late@example.com", "").await;
    assert_eq!(status, 200, "{late}");
    assert_eq!(add_order(&team.owner, &team.slug, late["id"].as_str().unwrap(), "1", "5").await.0, 200);

    assert_eq!(get(&admin, &copy_page(&team.slug)).await, Value::Null, "no copy is open yet");
    let page = open_copy(&admin, &team.slug, &id).await;
    assert_eq!(page["copy"]["backup"].as_str(), Some(id.as_str()), "{page}");
    assert_eq!(page["copy"]["taken_at"], page["backups"][0]["taken_at"]);
    assert_eq!(copies_kept(&app).await, kept_before + 1, "the copy is a database of its own");

    // The copy shows the workspace at the backup's moment.
    let copy = get(&admin, &copy_page(&team.slug)).await;
    assert_eq!(names(&copy["customers"], "name"), vec!["Ottilie Quandt"], "{copy}");
    assert_eq!(copy["orders"]["total"], 1, "the order made after the backup is not in it: {copy}");
    assert_eq!(names(&copy["orders"], "customer"), vec!["Ottilie Quandt"]);
    assert_eq!(copy["orders"]["rows"][0]["total"], "20.00");
    assert_eq!(copy["suppliers"]["rows"], serde_json::json!(["Acme Chairs"]));
    assert_eq!(names(&copy["requests"], "title"), vec!["Chairs for the office"]);
    assert_eq!(names(&copy["requests"], "supplier"), vec!["Acme Chairs"]);
    let text = copy.to_string();
    for secret in [SECRETS.email, SECRETS.phone, SECRETS.address, SECRETS.notes] {
        assert!(!text.contains(secret), "sealed fields stay sealed in the copy's lists: {secret}");
    }
    // Live is as it is now, both customers and both orders.
    let db = tenant_db(&app, &team.slug).await;
    assert_eq!(texts(&db, "SELECT name FROM customers").await.len(), 2);
    assert_eq!(texts(&db, "SELECT CAST(number AS TEXT) FROM sales_orders").await.len(), 2);

    // Closing removes it.
    assert_eq!(admin.call("admin/backups/copy/close", &[("slug", &team.slug)]).await.status(), 200);
    assert_eq!(get(&admin, &copy_page(&team.slug)).await, Value::Null);
    assert!(get(&admin, &format!("/rpc/admin/backups?slug={}", team.slug)).await["copy"].is_null());
    assert_eq!(copies_kept(&app).await, kept_before, "the closed copy is removed");
    let audited =
        texts(&db, "SELECT actor_email || ' ' || action FROM audit_events WHERE action LIKE 'backup.copy%'").await;
    let audited: Vec<String> = audited.into_iter().flatten().collect();
    assert_eq!(audited, vec!["admin@example.com backup.copy_opened", "admin@example.com backup.copy_closed"]);
}

#[tokio::test]
/// Proves: OPS2
async fn only_holders_of_backups_manage_open_see_or_close_a_copy_and_only_of_their_own_backups() {
    let app = TestApp::spawn().await;
    let team = Team::create(&app, "Private Co", "owner@example.com").await;
    let member = team.member(&app, "member@example.com", "member").await;
    let approver = team.member(&app, "approver@example.com", "approver").await;
    let other = Team::create(&app, "Nosy Co", "other@example.com").await;
    let id = super::back_up_through_the_page(&team.owner, &team.slug).await;

    for browser in [&member, &approver] {
        assert_eq!(browser.call("admin/backups/copy/open", &[("slug", &team.slug), ("id", &id)]).await.status(), 403);
    }
    // Another workspace's owner: not a member here, and the backup is not theirs to open in their own.
    assert_eq!(other.owner.call("admin/backups/copy/open", &[("slug", &team.slug), ("id", &id)]).await.status(), 404);
    assert_eq!(other.owner.call("admin/backups/copy/open", &[("slug", &other.slug), ("id", &id)]).await.status(), 404);
    assert!(get(&team.owner, &copy_page(&team.slug)).await.is_null(), "nothing was opened");

    open_copy(&team.owner, &team.slug, &id).await;
    for browser in [&member, &approver] {
        assert_eq!(get_status(browser, &copy_page(&team.slug)).await, 403);
        assert_eq!(browser.call("admin/backups/copy/close", &[("slug", &team.slug)]).await.status(), 403);
    }
    assert_eq!(get_status(&other.owner, &copy_page(&team.slug)).await, 404);
    assert_eq!(get(&other.owner, &copy_page(&other.slug)).await, Value::Null, "their workspace has no copy open");
    assert!(!get(&team.owner, &copy_page(&team.slug)).await.is_null(), "the copy is still open for its workspace");
}

#[tokio::test]
/// Proves: OPS2
async fn a_copy_is_replaced_by_the_next_one_opened_and_removed_when_its_time_is_up() {
    let app = TestApp::spawn().await;
    let team = Team::create(&app, "Tidy Co", "owner@example.com").await;
    let id = super::back_up_through_the_page(&team.owner, &team.slug).await;
    let kept_before = copies_kept(&app).await;
    open_copy(&team.owner, &team.slug, &id).await;
    open_copy(&team.owner, &team.slug, &id).await;
    assert_eq!(copies_kept(&app).await, kept_before + 1, "the second copy replaced the first");

    // At its time it is still kept; a second past, it is removed.
    let operations = app.platform.backup_operations();
    let opened = chrono::Utc::now();
    assert_eq!(operations.remove_expired_copies(opened + COPY_KEPT - chrono::TimeDelta::minutes(1)).await, 0);
    assert!(!get(&team.owner, &copy_page(&team.slug)).await.is_null());
    assert_eq!(operations.remove_expired_copies(opened + COPY_KEPT + chrono::TimeDelta::seconds(1)).await, 1);
    assert!(get(&team.owner, &copy_page(&team.slug)).await.is_null());
    assert_eq!(copies_kept(&app).await, kept_before, "the expired copy is removed");
}

#[tokio::test]
/// Proves: OPS2
async fn a_copy_outlives_a_server_restart_and_the_backup_job_removes_it_when_its_time_is_up() {
    let app = TestApp::spawn().await;
    let team = Team::create(&app, "Restart Co", "owner@example.com").await;
    let id = super::back_up_through_the_page(&team.owner, &team.slug).await;
    let kept_before = copies_kept(&app).await;
    open_copy(&team.owner, &team.slug, &id).await;

    // Another server on the same data (the same one after a restart, or its sibling) finds the copy.
    let restarted = app.spawn_sibling(|_| {}).await;
    let owner_there = Browser { base: restarted.base.clone(), ..team.owner.clone() };
    let found = get(&owner_there, &copy_page(&team.slug)).await;
    assert_eq!(found["copy"]["backup"], id.as_str(), "{found}");
    assert_eq!(copies_kept(&app).await, kept_before + 1, "starting a server removes no copy in its time");

    // Once its time is up, the backup job removes it, whoever looks at the page.
    let backups = restarted.platform.backups();
    backups.backdate_page_copies(COPY_KEPT - chrono::TimeDelta::minutes(1)).await.unwrap();
    backups.run_scheduled().await.unwrap();
    assert_eq!(copies_kept(&app).await, kept_before + 1, "a minute before its time it is still kept");
    backups.backdate_page_copies(chrono::TimeDelta::minutes(2)).await.unwrap();
    backups.run_scheduled().await.unwrap();
    assert_eq!(copies_kept(&app).await, kept_before, "past its time the job removed it");
    assert!(get(&team.owner, &copy_page(&team.slug)).await.is_null());
}

#[tokio::test]
/// Proves: OPS2, DATA2
async fn deleting_the_workspace_removes_its_copy_beside_live() {
    let app = TestApp::spawn().await;
    let team = Team::create(&app, "Gone Co", "owner@example.com").await;
    secret_customer(&team).await;
    let id = super::back_up_through_the_page(&team.owner, &team.slug).await;
    let kept_before = copies_kept(&app).await;
    open_copy(&team.owner, &team.slug, &id).await;
    assert_eq!(copies_kept(&app).await, kept_before + 1);

    let deleted = team.owner.call("admin/workspace/delete", &[("slug", &team.slug), ("confirm", &team.slug)]).await;
    assert_eq!(deleted.status(), 200);
    // (On PostgreSQL the count includes the workspace's own database, dropped with it.)
    let dropped_live = usize::from(app.on_postgres());
    assert_eq!(
        copies_kept(&app).await,
        kept_before - dropped_live,
        "the deleted workspace's copy beside live is gone with it"
    );
}
