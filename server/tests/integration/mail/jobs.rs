//! The durable job scheduler: servers sharing one database run a due job once per period, a dead
//! server's lease runs out and another server takes the job over, and failures are recorded.

use super::{exec, finished_run};
use crate::harness::TestApp;
use chrono::Utc;
use domain::jobs::Scheduler;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

const HOUR: Duration = Duration::from_secs(3600);

/// Registers `name` on `scheduler`: each run counts itself, then takes a moment (so that runs on
/// several servers would overlap if the lease let them).
fn counting_job(scheduler: &Scheduler, name: &'static str, runs: &Arc<AtomicUsize>) {
    let runs = runs.clone();
    scheduler.register(name, HOUR, move || {
        let runs = runs.clone();
        async move {
            runs.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(300)).await;
            Ok(())
        }
    });
}

/// Every server tries, many times at once.
async fn everyone_runs_due(servers: &[&TestApp]) {
    let passes = servers.iter().flat_map(|app| (0..6).map(move |_| app.platform.scheduler().run_due()));
    for report in futures_util::future::join_all(passes).await {
        report.expect("a scheduler pass");
    }
}

#[tokio::test]
async fn servers_sharing_the_database_run_a_due_job_once_per_period() {
    let app = TestApp::spawn().await;
    let sibling = app.spawn_sibling(|_| {}).await;
    let runs = Arc::new(AtomicUsize::new(0));
    counting_job(app.platform.scheduler(), "test.count", &runs);
    counting_job(sibling.platform.scheduler(), "test.count", &runs);

    // Registered, not yet due (a new job first runs one interval later).
    everyone_runs_due(&[&app, &sibling]).await;
    assert_eq!(runs.load(Ordering::SeqCst), 0, "not due yet");

    let asked = Utc::now();
    app.platform.scheduler().run_soon("test.count").await.unwrap();
    everyone_runs_due(&[&app, &sibling]).await;
    everyone_runs_due(&[&app, &sibling]).await;
    assert_eq!(runs.load(Ordering::SeqCst), 1, "once in this period, on one server");
    let after_first = finished_run(&app, "test.count", asked).await;
    assert_eq!((after_first.runs, after_first.lease_until, after_first.last_error.as_deref()), (1, None, None));
    assert!(after_first.due_at > Utc::now() + chrono::Duration::minutes(59), "next due an interval later");

    // The next period comes (the clock moved): once more, and only once.
    let asked = Utc::now();
    exec(
        &app.control_db().await,
        "UPDATE jobs SET due_at = $1 WHERE name = 'test.count'",
        vec![(Utc::now() - chrono::Duration::seconds(1)).into()],
    )
    .await;
    everyone_runs_due(&[&sibling, &app]).await;
    everyone_runs_due(&[&sibling, &app]).await;
    assert_eq!(runs.load(Ordering::SeqCst), 2, "once in the second period");
    let after_second = finished_run(&app, "test.count", asked).await;
    assert_eq!(after_second.runs, 2);
    assert!(after_second.last_finished_at >= after_second.last_started_at);
}

#[tokio::test]
async fn a_dead_servers_lease_runs_out_and_another_server_takes_the_job_over() {
    let app = TestApp::spawn().await;
    let runs = Arc::new(AtomicUsize::new(0));
    counting_job(app.platform.scheduler(), "test.takeover", &runs);
    app.platform.scheduler().run_soon("test.takeover").await.unwrap();
    let db = app.control_db().await;

    // Another server holds a live lease: the job is not run here.
    exec(
        &db,
        "UPDATE jobs SET lease_until = $1, leased_by = 'server-that-is-running-it' WHERE name = 'test.takeover'",
        vec![(Utc::now() + chrono::Duration::minutes(4)).into()],
    )
    .await;
    assert!(app.platform.scheduler().run_due().await.unwrap().succeeded.is_empty());
    assert_eq!(runs.load(Ordering::SeqCst), 0, "a live lease is respected");

    // That server died mid-run: its lease ran out a moment ago, and the job is taken over.
    exec(
        &db,
        "UPDATE jobs SET lease_until = $1 WHERE name = 'test.takeover'",
        vec![(Utc::now() - chrono::Duration::seconds(1)).into()],
    )
    .await;
    let status = finished_run(&app, "test.takeover", Utc::now() - chrono::Duration::seconds(1)).await;
    assert_eq!(runs.load(Ordering::SeqCst), 1, "run again elsewhere");
    assert_eq!((status.lease_until, status.last_error, status.runs), (None, None, 1), "released after the run");
}

#[tokio::test]
async fn a_failing_or_panicking_job_is_recorded_and_releases_its_lease() {
    let app = TestApp::spawn().await;
    let scheduler = app.platform.scheduler();
    scheduler.register("test.fails", HOUR, || async { Err("the backup target is full".into()) });
    scheduler.register("test.panics", HOUR, || async { panic!("a bug in a job") });
    let asked = Utc::now();
    scheduler.run_soon("test.fails").await.unwrap();
    scheduler.run_soon("test.panics").await.unwrap();
    let fails = finished_run(&app, "test.fails", asked).await;
    assert_eq!(fails.last_error.as_deref(), Some("the backup target is full"));
    assert_eq!(fails.lease_until, None);
    let panics = finished_run(&app, "test.panics", asked).await;
    assert_eq!(panics.last_error.as_deref(), Some("the job panicked"));
    assert_eq!(panics.lease_until, None);
    assert!(panics.due_at > Utc::now() + chrono::Duration::minutes(59), "tried again next period");
}
