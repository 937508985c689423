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

#[tokio::test]
/// Proves: OPS1
async fn the_daily_restore_test_restores_every_newest_backup_and_fails_visibly_on_a_bad_copy() {
    use domain::backup::RESTORE_TEST_JOB;
    let app = TestApp::spawn().await;
    let team = Team::create(&app, "Tested", "tested@example.com").await;
    let workspace = tenant(&app, &team.slug).await;
    let backups = app.platform.backups();
    let older = backups.back_up_workspace(workspace, domain::backup::quiet()).await.unwrap();
    backups.back_up_control_plane(domain::backup::quiet()).await.unwrap();
    let scheduler = app.platform.scheduler();
    let status = || async {
        let jobs = scheduler.status().await.unwrap();
        jobs.into_iter().find(|j| j.name == RESTORE_TEST_JOB).expect("the job is registered")
    };

    scheduler.run_soon(RESTORE_TEST_JOB).await.unwrap();
    assert_eq!(scheduler.run_due().await.unwrap().succeeded, vec![RESTORE_TEST_JOB]);
    assert_eq!(status().await.last_error, None);
    let report = backups.test_restores().await.unwrap();
    assert_eq!((report.passed, report.failed.len()), (2, 0), "the workspace's and the control plane's: {report:?}");

    // One changed byte in the newest workspace backup's copy: the next run fails and names it.
    team.supplier("Acme Supplies").await;
    let newest = backups.back_up_workspace(workspace, domain::backup::quiet()).await.unwrap();
    assert_ne!(newest.id, older.id);
    let file = app.data_dir.path().join("backups").join(&newest.file_name);
    let mut bytes = std::fs::read(&file).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    std::fs::write(&file, bytes).unwrap();
    scheduler.run_soon(RESTORE_TEST_JOB).await.unwrap();
    assert_eq!(scheduler.run_due().await.unwrap().failed, vec![RESTORE_TEST_JOB]);
    let error = status().await.last_error.expect("the failed run is recorded");
    assert!(error.contains(&newest.id.to_string()), "the job's status names the backup: {error}");
}
