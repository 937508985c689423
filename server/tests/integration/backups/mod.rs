//! Backups (OPS1–OPS3): online snapshots while the app writes, restore beside and onto live, what a
//! killed backup leaves, tampered files, shredded workspaces, the schedule and the CLI. Each test runs on
//! SQLite, or on PostgreSQL with `STRONGROOM_TEST_POSTGRES`.

pub mod admin_page;
mod cli;
mod copy_beside;
mod disaster;
mod failures;
mod members_after_restore;
mod online;
mod portable;
mod s3;
mod schedule;

use crate::harness::TestApp;
use crate::workspaces::sales_fixture::execute;
use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Adds one row to the workspace's `notifications` (a plain table), with `text` as its marker.
pub async fn add_row(db: &DatabaseConnection, text: &str) {
    execute(
        db,
        "INSERT INTO notifications (id, user_id, kind, text, link, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        vec![
            uuid::Uuid::new_v4().into(),
            uuid::Uuid::new_v4().into(),
            "test".into(),
            text.into(),
            "/".into(),
            Utc::now().into(),
        ],
    )
    .await;
}

/// The markers of every row in `notifications` of the database at `url` (opened as it is, without
/// Strongroom's connection settings, so a read-only SQLite file opens too).
pub async fn markers(url: &str) -> Vec<String> {
    let db = sea_orm::Database::connect(url).await.expect("restored copy opens");
    let rows = crate::workspaces::sales_fixture::texts(&db, "SELECT text FROM notifications").await;
    db.close().await.unwrap();
    rows.into_iter().flatten().collect()
}

/// A task that adds rows as fast as it can until stopped; it returns each marker with the moment its
/// insert had committed.
pub struct Writer {
    stop: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<Vec<(String, DateTime<Utc>)>>,
}

impl Writer {
    pub fn start(db: DatabaseConnection, prefix: &'static str) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let task = tokio::spawn(async move {
            let mut committed = Vec::new();
            let mut n = 0;
            while !flag.load(Ordering::Relaxed) {
                let marker = format!("{prefix}-{n}");
                add_row(&db, &marker).await;
                committed.push((marker, Utc::now()));
                n += 1;
                tokio::task::yield_now().await;
            }
            committed
        });
        Self { stop, task }
    }

    pub async fn stop(self) -> Vec<(String, DateTime<Utc>)> {
        self.stop.store(true, Ordering::Relaxed);
        self.task.await.expect("the writer never failed (it was never blocked out)")
    }
}

/// The workspace's rows as markers, read through the app's own pool.
pub async fn live_markers(app: &TestApp, slug: &str) -> Vec<String> {
    let db = crate::workspaces::sales_fixture::tenant_db(app, slug).await;
    crate::workspaces::sales_fixture::texts(&db, "SELECT text FROM notifications").await.into_iter().flatten().collect()
}

/// Opens backup `id` beside live as the backups page does, waited for until it is open; returns the
/// backups page and the stages seen on the way.
pub async fn open_copy_through_the_page(
    admin: &crate::harness::Browser,
    slug: &str,
    id: &str,
) -> (serde_json::Value, Vec<String>) {
    let started = admin.call("admin/backups/copy/open", &[("slug", slug), ("id", id)]).await;
    assert_eq!(started.status(), 200, "open a copy beside live");
    let (page, stages) = admin_page::until_finished(admin, slug).await;
    let op = &page["operation"];
    assert_eq!((op["kind"].as_str(), op["outcome"].as_str()), (Some("open_copy"), Some("succeeded")), "{page}");
    (page, stages)
}

/// "Back up now" as the backups page does it, waited for until it has finished; returns the new
/// backup's id.
pub async fn back_up_through_the_page(admin: &crate::harness::Browser, slug: &str) -> String {
    let started = admin.call("admin/backups/run", &[("slug", slug)]).await;
    assert_eq!(started.status(), 200, "back up now");
    let (page, _) = admin_page::until_finished(admin, slug).await;
    assert_eq!(page["operation"]["outcome"], "succeeded", "{page}");
    page["backups"][0]["id"].as_str().unwrap().to_owned()
}
