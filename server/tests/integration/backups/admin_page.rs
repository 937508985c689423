//! OPS2, UX2: a workspace's administrators see its backups, back it up now and follow the progress, and
//! restore a backup onto live, over the same server functions the backups page calls; everyone else is
//! refused, and a burst of "back up now" starts one backup.

use super::{add_row, live_markers};
use crate::harness::{Browser, TestApp};
use crate::workspaces::fixture::{Team, get, get_status};
use crate::workspaces::sales_fixture::{tenant_db, texts};
use serde_json::Value;
use std::time::{Duration, Instant};

fn page_path(slug: &str) -> String {
    format!("/rpc/admin/backups?slug={slug}")
}

/// Asks for the page until its operation has ended (as the page does, every so often); returns the
/// page and every stage seen on the way.
pub async fn until_finished(admin: &Browser, slug: &str) -> (Value, Vec<String>) {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut stages = Vec::new();
    loop {
        let page = get(admin, &page_path(slug)).await;
        let op = &page["operation"];
        if let Some(stage) = op["stage"].as_str()
            && stages.last().map(String::as_str) != Some(stage)
        {
            stages.push(stage.to_owned());
        }
        if !op["outcome"].is_null() {
            return (page, stages);
        }
        assert!(Instant::now() < deadline, "the operation never finished: {page}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn actions(app: &TestApp, slug: &str) -> Vec<String> {
    let db = tenant_db(app, slug).await;
    texts(&db, "SELECT action FROM audit_events").await.into_iter().flatten().collect()
}

#[tokio::test]
/// Proves: OPS2, UX2
async fn an_administrator_backs_up_now_follows_the_progress_and_restores_onto_live() {
    let app = TestApp::spawn().await;
    let team = Team::create(&app, "Careful Co", "owner@example.com").await;
    let admin = team.member(&app, "admin@example.com", "admin").await;
    let db = tenant_db(&app, &team.slug).await;
    add_row(&db, "kept").await;

    let empty = get(&admin, &page_path(&team.slug)).await;
    assert_eq!(empty, serde_json::json!({ "backups": [], "operation": null, "copy": null, "export_ready": null }));

    let started = admin.call("admin/backups/run", &[("slug", &team.slug)]).await;
    assert_eq!(started.status(), 200);
    let (page, stages) = until_finished(&admin, &team.slug).await;
    let op = &page["operation"];
    assert_eq!(
        (op["kind"].as_str(), op["outcome"].as_str(), op["stage"].as_str()),
        (Some("back_up"), Some("succeeded"), Some("done"))
    );
    assert!(op["total"].as_u64().unwrap() > 0 && op["done"] == op["total"], "the numbers come from the job: {op}");
    assert!(stages.first().is_some_and(|s| s != "done"), "the operation was seen running before it ended: {stages:?}");
    let backups = page["backups"].as_array().unwrap();
    assert_eq!(backups.len(), 1, "{page}");
    let backup = &backups[0];
    assert_eq!((backup["state"].as_str(), &backup["targets"]), (Some("verified"), &serde_json::json!(["local"])));
    assert!(backup["bytes"].as_u64().unwrap() > 0);
    assert!(page.to_string().find("error").is_none(), "operators' error details never reach the page: {page}");

    // A mistake after the backup, then the restore: refused without the workspace's address.
    add_row(&db, "after the backup").await;
    let id = backup["id"].as_str().unwrap().to_owned();
    let unconfirmed =
        admin.call("admin/backups/restore", &[("slug", &team.slug), ("id", &id), ("confirm", "yes")]).await;
    assert_eq!(unconfirmed.status(), 422);
    let restored =
        admin.call("admin/backups/restore", &[("slug", &team.slug), ("id", &id), ("confirm", &team.slug)]).await;
    assert_eq!(restored.status(), 200);
    let (page, _) = until_finished(&admin, &team.slug).await;
    assert_eq!(page["operation"]["kind"], "restore");
    assert_eq!(page["operation"]["outcome"], "succeeded", "{page}");
    assert_eq!(live_markers(&app, &team.slug).await, vec!["kept".to_owned()], "live is as it was at the backup");
    // The state before the restore was backed up first, and is in the list to undo it. (Retention keeps
    // the newest backup of each day, so on the same day it takes the restored one's place.)
    let newest = &page["backups"][0];
    assert_ne!(newest["id"].as_str(), Some(id.as_str()), "{page}");
    assert_eq!(newest["state"], "verified");
    assert!(newest["taken_at"].as_str() >= backup["taken_at"].as_str());

    // The audit log is the backup's (with the request for that backup), continued by the restore, done
    // by the administrator.
    let audited = actions(&app, &team.slug).await;
    let count = |action: &str| audited.iter().filter(|a| *a == action).count();
    assert_eq!((count("backup.requested"), count("backup.restored")), (1, 1), "{audited:?}");
    let by = texts(&db, "SELECT actor_email FROM audit_events WHERE action = 'backup.restored'").await;
    assert_eq!(by, vec![Some("admin@example.com".to_owned())]);
}

#[tokio::test]
/// Proves: OPS2
async fn only_holders_of_backups_manage_see_start_or_restore_backups_and_a_burst_starts_one() {
    let app = TestApp::spawn().await;
    let team = Team::create(&app, "Guarded Co", "owner@example.com").await;
    let member = team.member(&app, "member@example.com", "member").await;
    let approver = team.member(&app, "approver@example.com", "approver").await;
    let other = Team::create(&app, "Elsewhere Co", "other@example.com").await;
    for browser in [&member, &approver] {
        assert_eq!(get_status(browser, &page_path(&team.slug)).await, 403);
        assert_eq!(browser.call("admin/backups/run", &[("slug", &team.slug)]).await.status(), 403);
    }
    // The owner of another workspace is not a member here at all.
    assert_eq!(get_status(&other.owner, &page_path(&team.slug)).await, 404);
    assert_eq!(other.owner.call("admin/backups/run", &[("slug", &team.slug)]).await.status(), 404);
    assert!(actions(&app, &team.slug).await.iter().all(|a| !a.starts_with("backup.")), "nothing was started");

    // Ten clicks at once: one backup.
    let owner = &team.owner;
    let clicks = (0..10).map(|_| async { owner.call("admin/backups/run", &[("slug", &team.slug)]).await.status() });
    for status in futures_util::future::join_all(clicks).await {
        assert_eq!(status, 200);
    }
    let (page, _) = until_finished(&team.owner, &team.slug).await;
    // (Retention would fold same-day backups into one in the list: the audit log counts the starts.)
    let started = actions(&app, &team.slug).await.into_iter().filter(|a| a == "backup.requested").count();
    assert_eq!(started, 1, "ten clicks at once started one backup");
    assert_eq!(page["backups"].as_array().unwrap().len(), 1, "{page}");
    let id = page["backups"][0]["id"].as_str().unwrap().to_owned();

    // Members cannot restore it; another workspace's owner cannot restore it into theirs.
    let restore = |slug: &str| vec![("slug", slug.to_owned()), ("id", id.clone()), ("confirm", slug.to_owned())];
    let form = restore(&team.slug);
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(member.call("admin/backups/restore", &form).await.status(), 403);
    let foreign = restore(&other.slug);
    let foreign: Vec<(&str, &str)> = foreign.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(other.owner.call("admin/backups/restore", &foreign).await.status(), 404, "not their backup");
    assert!(get(&other.owner, &page_path(&other.slug)).await["operation"].is_null(), "nothing started there");
}
