//! After an upgrade, every workspace database is migrated when a server starts (not only by
//! `strongroom migrate`); a workspace whose database fails is reported and skipped, the rest still run;
//! a workspace whose creation never committed is removed.

use super::fixture::Team;
use crate::harness::TestApp;
use domain::ids::TenantId;
use model::WorkspaceSlug;
use sea_orm::{ConnectionTrait as _, DatabaseConnection, Statement};

async fn tenant(app: &TestApp, slug: &str) -> (TenantId, DatabaseConnection) {
    let id = app.platform.tenancy().find_by_slug(&WorkspaceSlug::parse(slug).unwrap()).await.unwrap().id;
    (id, app.platform.tenancy().tenant_db(id).await.unwrap())
}

/// Takes the newest tenant migration back out, as if the database predated it.
async fn downgrade(db: &DatabaseConnection) {
    db.execute_unprepared("DROP INDEX roles_name_unique").await.unwrap();
    db.execute_unprepared("DROP TABLE pending_control_changes").await.unwrap();
    db.execute_unprepared("DELETE FROM tenant_migrations WHERE version = 'm0003_control_changes'").await.unwrap();
}

async fn has_pending_table(db: &DatabaseConnection) -> bool {
    let probe = "SELECT count(*) FROM pending_control_changes";
    db.query_one_raw(Statement::from_string(db.get_database_backend(), probe)).await.is_ok()
}

/// Proves: TN1
#[tokio::test]
async fn a_starting_server_migrates_every_workspace_and_skips_a_broken_one() {
    let app = TestApp::spawn().await;
    let broken = Team::create(&app, "Broken Co", "broken@example.com").await;
    let old = Team::create(&app, "Old Schema", "old@example.com").await;
    let (_, old_db) = tenant(&app, &old.slug).await;
    downgrade(&old_db).await;
    assert!(!has_pending_table(&old_db).await);
    if !app.on_postgres() {
        // The first workspace's database is no database any more: its migration fails.
        let (id, _) = tenant(&app, &broken.slug).await;
        let file = app.data_dir.path().join("tenants").join(format!("{}.db", id.as_uuid().simple()));
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
        }
        std::fs::create_dir(&file).unwrap();
    }

    let _restarted = app.spawn_sibling(|_| {}).await;
    assert!(has_pending_table(&old_db).await, "migrated at start, past the broken one");
    // And it works.
    let home = format!("/rpc/workspaces/home?slug={}", old.slug);
    assert_eq!(old.owner.fetch(&home).await.status(), 200);
}

/// Proves: TN1
#[tokio::test]
async fn a_workspace_whose_creation_never_committed_is_removed_by_the_reconciler() {
    let app = TestApp::spawn().await;
    let team = Team::create(&app, "Half Made", "owner@example.com").await;
    let control = app.control_db().await;
    // As if the server died before the seeding transaction committed: still provisioning, nothing owed.
    let (_, db) = tenant(&app, &team.slug).await;
    db.execute_unprepared("DELETE FROM pending_control_changes").await.unwrap();
    control.execute_unprepared("UPDATE tenants SET status = 'provisioning'").await.unwrap();

    let report = app.platform.reconcile().await;
    assert_eq!(report.abandoned, 0, "a creation in progress is left alone for a while: {report:?}");
    let hour_ago = (chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339();
    let backend = control.get_database_backend();
    let sql = match backend {
        sea_orm::DbBackend::Postgres => "UPDATE tenants SET updated_at = $1::timestamptz",
        _ => "UPDATE tenants SET updated_at = ?",
    };
    control.execute_raw(Statement::from_sql_and_values(backend, sql, [hour_ago.into()])).await.unwrap();
    drop(db);
    let report = app.platform.reconcile().await;
    assert_eq!(report.abandoned, 1, "{report:?}");
    let count = "SELECT count(*) FROM tenants";
    let row = control.query_one_raw(Statement::from_string(backend, count)).await.unwrap().unwrap();
    assert_eq!(row.try_get_by_index::<i64>(0).unwrap(), 0);
}
