//! AUD1: the audit log is a hash chain per workspace. Editing, deleting or reordering entries directly
//! in the database is found by `strongroom audit verify`, which names the first broken entry, and shown
//! on the audit page; a retention purge leaves a signed checkpoint so that the rest still verifies.

use super::fixture::{Team, get};
use super::sales_fixture::{add_customer, execute, tenant_db, texts};
use crate::harness::TestApp;
use serde_json::Value;

/// Runs `strongroom audit verify [--workspace slug]` against the test's databases: (success, stdout).
fn verify_cli(app: &TestApp, slug: Option<&str>) -> (bool, String) {
    let key = std::fs::read_to_string(app.data_dir.path().join("master.key.test")).unwrap();
    let mut args = vec!["audit", "verify"];
    if let Some(slug) = slug {
        args.extend(["--workspace", slug]);
    }
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_strongroom"))
        .args(args)
        .env("STRONGROOM_DATA_DIR", app.data_dir.path())
        .env("STRONGROOM_DATABASE_URL", &app.control_url)
        .env("STRONGROOM_MASTER_KEY", key.trim())
        .env_remove("STRONGROOM_CONFIG")
        .output()
        .unwrap();
    (output.status.success(), String::from_utf8_lossy(&output.stdout).into_owned())
}

/// A workspace with a dozen audit entries.
async fn busy_team(app: &TestApp, name: &str) -> Team {
    let team = Team::create(app, name, &format!("owner@{}.example", name.to_lowercase())).await;
    for i in 0..10 {
        let (status, _) = add_customer(&team.owner, &team.slug, &format!("Customer {i}"), "", "").await;
        assert_eq!(status, 200);
    }
    team
}

async fn chain(team: &Team) -> Value {
    get(&team.owner, &format!("/rpc/admin/audit/chain?slug={}", team.slug)).await
}

#[tokio::test]
/// Proves: AUD1
async fn audit_verify_names_the_first_entry_that_was_edited_deleted_or_reordered() {
    let app = TestApp::spawn().await;
    let edited = busy_team(&app, "Edited").await;
    let deleted = busy_team(&app, "Deleted").await;
    let reordered = busy_team(&app, "Reordered").await;
    let truncated = busy_team(&app, "Truncated").await;
    let untouched = busy_team(&app, "Untouched").await;
    let (ok, out) = verify_cli(&app, None);
    assert!(ok, "{out}");
    assert_eq!(out.matches("the audit chain holds (11 entries verified)").count(), 5, "{out}");
    let holds = chain(&untouched).await;
    assert_eq!((holds["holds"].as_bool(), holds["verified"].as_u64()), (Some(true), Some(11)));

    // Someone with database access rewrites entry 4 of one workspace…
    let db = tenant_db(&app, &edited.slug).await;
    execute(&db, "UPDATE audit_events SET changes = $1 WHERE seq = 4", vec!["{\"name\":\"nothing\"}".into()]).await;
    // …deletes entry 3 of another…
    let db = tenant_db(&app, &deleted.slug).await;
    execute(&db, "DELETE FROM audit_events WHERE seq = 3", vec![]).await;
    // …swaps entries 5 and 6 of a third…
    let db = tenant_db(&app, &reordered.slug).await;
    execute(&db, "UPDATE audit_events SET seq = -5 WHERE seq = 5", vec![]).await;
    execute(&db, "UPDATE audit_events SET seq = 5 WHERE seq = 6", vec![]).await;
    execute(&db, "UPDATE audit_events SET seq = 6 WHERE seq = -5", vec![]).await;
    // …and removes the two newest entries of a fourth.
    let db = tenant_db(&app, &truncated.slug).await;
    execute(&db, "DELETE FROM audit_events WHERE seq >= 10", vec![]).await;

    let (ok, out) = verify_cli(&app, None);
    assert!(!ok, "a broken chain fails the command: {out}");
    let line = |slug: &str| out.lines().find(|l| l.starts_with(&format!("{slug}:"))).unwrap_or_default().to_owned();
    assert!(
        line(&edited.slug).contains("BROKEN at entry 4") && line(&edited.slug).contains("content was changed"),
        "{out}"
    );
    assert!(line(&deleted.slug).contains("BROKEN at entry 3") && line(&deleted.slug).contains("missing"), "{out}");
    assert!(
        line(&reordered.slug).contains("BROKEN at entry 5") && line(&reordered.slug).contains("reordered"),
        "{out}"
    );
    assert!(line(&truncated.slug).contains("BROKEN at entry 10") && line(&truncated.slug).contains("newest"), "{out}");
    assert!(line(&untouched.slug).contains("holds"), "{out}");
    let (ok, one) = verify_cli(&app, Some(&untouched.slug));
    assert!(ok && one.lines().filter(|l| l.contains(": the audit chain")).count() == 1, "{one}");
    let (ok, one) = verify_cli(&app, Some(&edited.slug));
    assert!(!ok && one.contains("BROKEN at entry 4"), "{one}");

    // The audit page says so too.
    let broken = chain(&edited).await;
    assert_eq!((broken["holds"].as_bool(), broken["broken_at"].as_i64()), (Some(false), Some(4)));
    let page = edited.owner.get_page(&format!("/w/{}/admin/audit", edited.slug)).await.text().await.unwrap();
    assert!(page.contains("The audit chain is broken at entry 4"), "the audit page shows it");
    let page = untouched.owner.get_page(&format!("/w/{}/admin/audit", untouched.slug)).await.text().await.unwrap();
    assert!(page.contains("The audit chain holds"));
}

#[tokio::test]
/// Proves: AUD1
async fn entries_record_the_actor_kind_and_appends_at_once_stay_one_chain() {
    let app = TestApp::spawn().await;
    let team = Team::create(&app, "Concurrent", "owner@example.com").await;
    let names: Vec<String> = (0..20).map(|i| format!("Customer {i}")).collect();
    let answers =
        futures_util::future::join_all(names.iter().map(|name| add_customer(&team.owner, &team.slug, name, "", "")))
            .await;
    assert!(answers.iter().all(|(s, _)| *s == 200));
    let report = chain(&team).await;
    assert_eq!((report["holds"].as_bool(), report["verified"].as_u64()), (Some(true), Some(21)), "{report}");
    let db = tenant_db(&app, &team.slug).await;
    let kinds = texts(&db, "SELECT DISTINCT actor_kind FROM audit_events").await;
    assert_eq!(kinds, [Some("user".to_owned())]);
}

#[tokio::test]
/// Proves: AUD1
async fn a_purge_leaves_a_signed_checkpoint_and_the_rest_still_verifies() {
    let app = TestApp::spawn().await;
    let team = busy_team(&app, "Purged").await;
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let cut = chrono::Utc::now();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    for i in 0..3 {
        add_customer(&team.owner, &team.slug, &format!("Later {i}"), "", "").await;
    }
    assert_eq!(app.platform.purge_audit(cut).await.unwrap(), 11, "the 11 entries before the cut go");
    let report = chain(&team).await;
    assert_eq!(report["holds"], true, "{report}");
    assert_eq!(
        (report["checkpoint"].as_i64(), report["verified"].as_u64()),
        (Some(11), Some(4)),
        "3 later + the purge"
    );
    let db = tenant_db(&app, &team.slug).await;
    let purge = texts(&db, "SELECT actor_kind FROM audit_events WHERE action = 'audit.purged'").await;
    assert_eq!(purge, [Some("system".to_owned())], "the purge is itself on the record, by the system");
    let (ok, out) = verify_cli(&app, Some(&team.slug));
    assert!(ok && out.contains("after a purge up to entry 11"), "{out}");

    // A checkpoint cannot be faked to hide deleting the entries after it.
    execute(&db, "DELETE FROM audit_events WHERE seq = 12", vec![]).await;
    execute(&db, "UPDATE audit_checkpoints SET upto_seq = 12", vec![]).await;
    let forged = chain(&team).await;
    assert_eq!((forged["holds"].as_bool(), forged["broken_at"].as_i64()), (Some(false), Some(13)), "{forged}");
    assert!(forged["reason"].as_str().unwrap().contains("not genuine"));
    // And a broken chain is not purged (which would hide the break behind a new checkpoint).
    let before = texts(&db, "SELECT action FROM audit_events").await.len();
    app.platform.purge_audit(chrono::Utc::now()).await.unwrap();
    assert_eq!(texts(&db, "SELECT action FROM audit_events").await.len(), before);
}
