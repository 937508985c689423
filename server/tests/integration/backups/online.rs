//! OPS1–OPS3: a backup is a consistent snapshot taken while the app keeps writing; it restores beside
//! live (read-only) and onto live (after a backup of the current state).

use super::{Writer, add_row, live_markers, markers};
use crate::harness::TestApp;
use crate::workspaces::fixture::Team;
use crate::workspaces::sales_fixture::{tenant, tenant_db};
use domain::backup::quiet;
use std::time::Duration;

#[tokio::test]
/// Proves: OPS1, OPS3
async fn a_backup_taken_while_writes_go_on_has_every_row_committed_before_it_began() {
    let app = TestApp::spawn().await;
    let team = Team::create(&app, "Busy Co", "owner@example.com").await;
    let tenant = tenant(&app, &team.slug).await;
    let writer = Writer::start(tenant_db(&app, &team.slug).await, "w");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let record = app.platform.backups().back_up_workspace(tenant, quiet()).await.unwrap();
    let finished = chrono::Utc::now();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let committed = writer.stop().await;
    assert!(record.is_good(), "{record:?}");
    assert_eq!(record.targets, vec!["local".to_owned()]);
    assert!(record.key_version.starts_with("data:"), "wrapped by the workspace's data key: {}", record.key_version);
    let during = committed.iter().filter(|(_, at)| *at > record.taken_at && *at < finished).count();
    assert!(during > 0, "writes went on while the backup ran (it never blocks writers)");

    let copy = app.platform.backups().restore_beside(record.id, quiet()).await.unwrap();
    assert_eq!(copy.taken_at, record.taken_at);
    let restored = markers(&copy.url).await;
    let before: Vec<_> = committed.iter().filter(|(_, at)| *at < record.taken_at).collect();
    assert!(before.len() > 10, "rows were committed before the snapshot: {}", before.len());
    for (marker, _) in &before {
        assert!(restored.contains(marker), "{marker} was committed before the backup began but is not in it");
    }
    assert!(restored.len() < committed.len(), "rows committed after the backup are not in it");

    // The copy beside live is read-only, and live data was not touched.
    let db = sea_orm::Database::connect(&copy.url).await.unwrap();
    let write = sea_orm::ConnectionTrait::execute_unprepared(&db, "DELETE FROM notifications").await;
    assert!(write.is_err(), "the restored copy accepts no writes");
    assert_eq!(live_markers(&app, &team.slug).await.len(), committed.len());
}

#[tokio::test]
/// Proves: OPS2
async fn restoring_onto_live_first_backs_up_the_current_state_then_puts_the_backup_back() {
    let app = TestApp::spawn().await;
    let team = Team::create(&app, "Undo Co", "owner@example.com").await;
    let tenant = tenant(&app, &team.slug).await;
    let db = tenant_db(&app, &team.slug).await;
    add_row(&db, "kept").await;
    let backups = app.platform.backups();
    let good = backups.back_up_workspace(tenant, quiet()).await.unwrap();
    add_row(&db, "after the backup").await;
    // A mistake: every notification deleted.
    sea_orm::ConnectionTrait::execute_unprepared(&db, "DELETE FROM notifications").await.unwrap();

    let done = backups.restore_onto_live(good.id, &domain::workspace::audit::Actor::system(), quiet()).await.unwrap();
    let live = live_markers(&app, &team.slug).await;
    assert_eq!(live, vec!["kept".to_owned()], "the live workspace is as it was at the backup");
    // The state before the restore was backed up first, and it can be restored beside live.
    assert!(done.safety_backup.is_good());
    assert!(done.safety_backup.taken_at > good.taken_at);
    let before = backups.restore_beside(done.safety_backup.id, quiet()).await.unwrap();
    assert!(markers(&before.url).await.is_empty(), "the safety backup holds the state before the restore");
    // The app keeps working on the restored workspace, and the restore is in its audit log.
    add_row(&tenant_db(&app, &team.slug).await, "new").await;
    let audit =
        crate::workspaces::sales_fixture::texts(&tenant_db(&app, &team.slug).await, "SELECT action FROM audit_events")
            .await;
    assert!(audit.iter().flatten().any(|a| a == "backup.restored"), "{audit:?}");
    let (_, report) = app.platform.verify_audit(None).await.unwrap().into_iter().next().unwrap();
    assert!(report.broken.is_none(), "the audit chain holds after the restore: {:?}", report.broken);
}
