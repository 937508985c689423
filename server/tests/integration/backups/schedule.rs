//! OPS1, OPS3: the scheduled job backs up every workspace that changed (and the control plane) at the
//! configured interval, which is the recovery point, and prunes after each new verified backup. A
//! workspace has changed when the head of its audit chain moved (every change is audited).

use crate::harness::TestApp;
use crate::workspaces::fixture::Team;
use crate::workspaces::sales_fixture::tenant;
use domain::backup::BACKUP_JOB;
use domain::backup::format::Scope;

async fn run_job(app: &TestApp) {
    app.platform.scheduler().run_soon(BACKUP_JOB).await.unwrap();
    let report = app.platform.scheduler().run_due().await.unwrap();
    assert_eq!(report.succeeded, vec![BACKUP_JOB], "{report:?}");
}

#[tokio::test]
/// Proves: OPS1, OPS3
async fn the_job_backs_up_changed_workspaces_every_interval_and_skips_unchanged_ones() {
    let app = TestApp::spawn_with(|raw| raw.backup.interval_secs = 300).await;
    let busy = Team::create(&app, "Busy", "busy@example.com").await;
    let quiet = Team::create(&app, "Quiet", "quiet@example.com").await;
    let (busy_id, quiet_id) = (tenant(&app, &busy.slug).await, tenant(&app, &quiet.slug).await);
    let backups = app.platform.backups();
    let good = |scope: Scope| async move {
        backups.list(Some(scope)).await.unwrap().into_iter().filter(|b| b.is_good()).map(|b| b.id).collect::<Vec<_>>()
    };
    let (busy_scope, quiet_scope) = (Scope::Workspace(busy_id.as_uuid()), Scope::Workspace(quiet_id.as_uuid()));

    run_job(&app).await;
    let (busy_first, quiet_first) = (good(busy_scope).await, good(quiet_scope).await);
    assert_eq!((busy_first.len(), quiet_first.len()), (1, 1), "every workspace is backed up");
    assert_eq!(good(Scope::ControlPlane).await.len(), 1, "the control plane is backed up too");

    // A change made in the app (audited, like every change).
    busy.supplier("Acme Supplies").await;
    run_job(&app).await;
    let busy_second = good(busy_scope).await;
    assert_ne!(busy_second, busy_first, "a changed workspace gets a new backup");
    assert_eq!(good(quiet_scope).await, quiet_first, "an unchanged one does not");
    // Retention after the new verified backup: both were taken today, so the day's newest is kept.
    assert_eq!(busy_second.len(), 1, "one a day (7 daily, 4 weekly, 3 monthly)");

    // The next run is due one interval (5 minutes here) after this one began: the recovery point.
    let status = app.platform.scheduler().status().await.unwrap();
    let job = status.iter().find(|j| j.name == BACKUP_JOB).unwrap();
    assert_eq!(job.due_at - job.last_started_at.unwrap(), chrono::Duration::seconds(300));
    assert_eq!(job.last_error, None);
    let files = std::fs::read_dir(app.data_dir.path().join("backups")).unwrap().count();
    assert_eq!(files, 3, "pruned copies are deleted from the target too (busy, quiet, control plane)");
}
