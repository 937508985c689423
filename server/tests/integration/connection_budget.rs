//! WEB3 connection limits with a database per workspace (TN1): however many workspaces are opened, their
//! pools never hold more connections than the configured total. Counted twice: by the budget itself, and
//! by what the database sees, independently of it (this process's open database files on SQLite, the
//! sessions in `pg_stat_activity` on PostgreSQL).
//!
//! A pool's connections close a moment after its last user lets go (SQLite closes them on worker
//! threads, PostgreSQL ends the server process after the socket closes), so the database's own count is
//! read once it has settled; the budget's count is exact at every step.

use crate::harness::TestApp;
use domain::ids::TenantId;
use domain::tenancy::{ConnectionBudget, TenantConnections, TenantPlacement};
use sea_orm::{ConnectionTrait as _, DatabaseConnection, DatabaseTransaction, TransactionTrait as _};
use std::time::Duration;

const TOTAL: u32 = 8;
const PER_POOL: u32 = 4;

fn budget(wait: Duration) -> ConnectionBudget {
    ConnectionBudget { total: TOTAL, per_pool: PER_POOL, capacity: 256, wait }
}

/// `count` new, empty workspace databases.
async fn databases(placement: &TenantPlacement, count: usize) -> Vec<(TenantId, String)> {
    let mut made = Vec::with_capacity(count);
    for _ in 0..count {
        let tenant = TenantId::new_random();
        let name = placement.database_name(tenant);
        placement.create_database(&name).await.unwrap();
        made.push((tenant, name));
    }
    made
}

/// Connections to the test's workspace databases as the database sees them.
async fn seen_by_the_database(app: &TestApp, placement: &TenantPlacement, names: &[(TenantId, String)]) -> usize {
    if app.on_postgres() {
        let control = app.control_db().await;
        let prefix = names[0].1.trim_end_matches(|c: char| c.is_ascii_hexdigit());
        let row = control
            .query_one_raw(sea_orm::Statement::from_sql_and_values(
                control.get_database_backend(),
                "SELECT COUNT(*) AS n FROM pg_stat_activity WHERE starts_with(datname, $1)",
                [prefix.into()],
            ))
            .await
            .unwrap()
            .unwrap();
        usize::try_from(row.try_get::<i64>("", "n").unwrap()).unwrap()
    } else {
        // Every SQLite connection holds its database file open once (its -wal and -shm files apart).
        let url = placement.url_for(&names[0].1).unwrap();
        let file = std::path::PathBuf::from(url.trim_start_matches("sqlite://").split('?').next().unwrap());
        let dir = file.parent().unwrap().canonicalize().unwrap();
        std::fs::read_dir("/proc/self/fd")
            .unwrap()
            .filter_map(|fd| std::fs::read_link(fd.ok()?.path()).ok())
            .filter(|target| target.parent() == Some(dir.as_path()) && target.extension().is_some_and(|e| e == "db"))
            .count()
    }
}

/// The database's count once connections being closed are gone (at most 5 s).
async fn settled(app: &TestApp, placement: &TenantPlacement, names: &[(TenantId, String)]) -> usize {
    let mut seen = seen_by_the_database(app, placement, names).await;
    for _ in 0..100 {
        if seen <= TOTAL as usize {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        seen = seen_by_the_database(app, placement, names).await;
    }
    seen
}

/// `n` transactions held open at once, so the pool must open `n` connections.
async fn busy(db: &DatabaseConnection, n: u32) -> Vec<DatabaseTransaction> {
    let mut held = Vec::new();
    for _ in 0..n {
        let txn = db.begin().await.unwrap();
        txn.execute_unprepared("SELECT 1").await.unwrap();
        held.push(txn);
    }
    held
}

/// Proves: WEB3, TN1
#[tokio::test]
async fn a_thousand_workspaces_opened_in_turn_never_hold_more_than_the_connection_total() {
    let app = TestApp::spawn().await;
    let placement = app.platform.tenancy().placement();
    // Creating a PostgreSQL database takes a tenth of a second: fewer of them, still many times the budget.
    let names = databases(placement, if app.on_postgres() { 30 } else { 1000 }).await;
    let connections = TenantConnections::new(budget(Duration::from_secs(10)));
    let mut most_seen = 0;
    for (tenant, name) in &names {
        let db = connections.get_or_connect(*tenant, || placement.url_for(name)).await.unwrap();
        let held = busy(&db, PER_POOL).await;
        assert!(connections.reserved_connections() <= TOTAL, "{} reserved", connections.reserved_connections());
        let seen = settled(&app, placement, &names).await;
        assert!(seen <= TOTAL as usize, "the database sees {seen} connections, more than the total of {TOTAL}");
        most_seen = most_seen.max(seen);
        drop(held);
    }
    assert!(most_seen >= PER_POOL as usize, "the test opened connections ({most_seen} at most)");
    assert!(connections.open_pools() <= (TOTAL / PER_POOL) as usize, "idle pools gave way");
}

/// Proves: WEB3
#[tokio::test]
async fn a_new_workspace_waits_while_every_pool_is_busy_and_gets_room_when_one_is_idle() {
    let app = TestApp::spawn().await;
    let placement = app.platform.tenancy().placement();
    let names = databases(placement, 3).await;
    let connections = TenantConnections::new(budget(Duration::from_millis(300)));
    let open = |i: usize| {
        let (tenant, name) = &names[i];
        connections.get_or_connect(*tenant, move || placement.url_for(name))
    };
    let first = open(0).await.unwrap();
    let first_busy = busy(&first, 1).await;
    let second = open(1).await.unwrap();
    let _second_busy = busy(&second, 1).await;
    assert_eq!(connections.reserved_connections(), TOTAL);

    // Both pools are in use: the third waits for room, then is refused rather than exceed the total.
    let refused = open(2).await.unwrap_err();
    assert!(matches!(refused, domain::DomainError::TenantUnavailable { .. }), "{refused:?}");
    assert_eq!(connections.reserved_connections(), TOTAL);

    // Once the first is idle it gives way, and the third opens.
    drop(first_busy);
    drop(first);
    let third = open(2).await.unwrap();
    busy(&third, 1).await;
    assert_eq!(connections.reserved_connections(), TOTAL);
    assert!(settled(&app, placement, &names).await <= TOTAL as usize);
}
