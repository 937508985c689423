//! Mail at rest, mail priority, the job scheduler and retention (issue 8), over HTTP and against the
//! databases behind the application.

mod at_rest;
mod dkim;
mod jobs;
mod priority;
mod retention;
mod unsubscribe;

use crate::harness::TestApp;
use chrono::{DateTime, Utc};
use domain::jobs::JobStatus;
use sea_orm::{ConnectionTrait as _, DatabaseBackend, DatabaseConnection, Statement, Value};

/// Runs `sql` written with PostgreSQL placeholders (`$1`, `$2`, …) on either database kind.
pub async fn exec(db: &DatabaseConnection, sql: &str, values: Vec<Value>) -> u64 {
    let backend = db.get_database_backend();
    let sql = match backend {
        DatabaseBackend::Postgres => sql.to_owned(),
        _ => sql.replace('$', "?"),
    };
    db.execute_raw(Statement::from_sql_and_values(backend, sql.as_str(), values))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .rows_affected()
}

/// How many rows `table` has.
pub async fn count(db: &DatabaseConnection, table: &str) -> i64 {
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), format!("SELECT COUNT(*) AS n FROM {table}")))
        .await
        .unwrap()
        .unwrap();
    row.try_get("", "n").unwrap()
}

/// Runs scheduler passes on `app` until a run of `job` that started at or after `since` has finished
/// (on this server, or on any other that was quicker, such as the app's own background loop).
pub async fn finished_run(app: &TestApp, job: &str, since: DateTime<Utc>) -> JobStatus {
    let scheduler = app.platform.scheduler();
    for _ in 0..200 {
        scheduler.run_due().await.expect("a scheduler pass");
        let status = scheduler.status().await.unwrap().into_iter().find(|row| row.name == job).expect("a job row");
        if status.last_started_at.is_some_and(|t| t >= since) && status.lease_until.is_none() {
            return status;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("no run of {job} finished");
}
