//! Opening database connections with the settings Strongroom relies on, for both supported backends.
//!
//! SQLite is the embedded default (one file per database, WAL journal so readers never wait for the
//! writer, foreign keys on, a busy timeout instead of instant "database is locked" errors). PostgreSQL is
//! the production backend; each pool identifies itself as `strongroom` in `pg_stat_activity`.

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, Database, DatabaseConnection, DatabaseTransaction, DbErr, SqliteTransactionMode,
    TransactionOptions, TransactionTrait as _,
};
use std::sync::Arc;
use std::time::Duration;

/// The database engines Strongroom runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// Recognises the backend from a connection URL, or says why it cannot.
    pub fn of_url(url: &str) -> Result<Self, String> {
        match url.split_once(':').map(|(scheme, _)| scheme) {
            Some("sqlite") => Ok(Self::Sqlite),
            Some("postgres" | "postgresql") => Ok(Self::Postgres),
            Some(other) => Err(format!("unsupported database scheme `{other}:` (use sqlite: or postgres:)")),
            None => Err("a database URL must start with sqlite: or postgres:".to_owned()),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        }
    }
}

/// How many connections one pool may hold, and how soon idle ones are closed.
#[derive(Debug, Clone, Copy)]
pub struct PoolLimits {
    pub max_connections: u32,
    pub idle_timeout: Duration,
}

impl PoolLimits {
    /// The control plane serves every request: a larger pool that stays warm.
    pub const CONTROL_PLANE: Self = Self { max_connections: 10, idle_timeout: Duration::from_secs(600) };
    /// One pool per open workspace: small and quick to let go, so many tenants fit the server's limit.
    pub const TENANT: Self = Self { max_connections: 4, idle_timeout: Duration::from_secs(60) };
}

/// Opens a pool to `url`, creating a missing SQLite file.
pub async fn connect(url: &str, limits: PoolLimits) -> Result<DatabaseConnection, DbErr> {
    connect_holding(url, limits, ()).await
}

/// Opens a pool like [`connect`] that owns `held` for as long as the pool exists: until its last handle,
/// and the last connection taken from it, are gone (sqlx drops its connections, then its options, whose
/// callback owns `held`). The tenant connection budget holds its reservations this way.
#[tracing::instrument(skip_all, fields(backend))]
pub async fn connect_holding<H: Send + Sync + 'static>(
    url: &str,
    limits: PoolLimits,
    held: H,
) -> Result<DatabaseConnection, DbErr> {
    let backend = Backend::of_url(url).map_err(DbErr::Custom)?;
    tracing::Span::current().record("backend", backend.as_str());
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(limits.max_connections)
        .min_connections(0)
        .idle_timeout(limits.idle_timeout)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false);
    let held = Arc::new(held);
    match backend {
        Backend::Sqlite => {
            options.map_sqlx_sqlite_pool_opts(move |o| {
                let held = held.clone();
                o.after_connect(move |_, _| {
                    let _owned_by_the_pool = &held;
                    Box::pin(std::future::ready(Ok(())))
                })
            });
            options.map_sqlx_sqlite_opts(|o| {
                o.create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(5))
            });
        }
        Backend::Postgres => {
            options.map_sqlx_postgres_pool_opts(move |o| {
                let held = held.clone();
                o.after_connect(move |_, _| {
                    let _owned_by_the_pool = &held;
                    Box::pin(std::future::ready(Ok(())))
                })
            });
            options.set_application_name("strongroom").statement_timeout(Duration::from_secs(30));
        }
    }
    let mut db = Database::connect(options).await?;
    db.set_metric_callback(|_| query_count::tick());
    Ok(db)
}

/// How many SQL statements the current thread has run, for tests that bound the queries of a request
/// (DATA1: a page costs the same whatever its number or the list's length). A test on a current-thread
/// runtime runs the server's tasks on its own thread, so the count is its own; costs one thread-local
/// increment per statement.
pub mod query_count {
    use std::cell::Cell;

    thread_local! {
        static STATEMENTS: Cell<u64> = const { Cell::new(0) };
    }

    pub(super) fn tick() {
        STATEMENTS.with(|n| n.set(n.get() + 1));
    }

    /// Statements run on this thread so far.
    pub fn on_this_thread() -> u64 {
        STATEMENTS.with(Cell::get)
    }
}

/// Begins a transaction that will write. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`):
/// a deferred transaction that reads first and then writes fails ("database is locked", SQLITE_BUSY_SNAPSHOT)
/// whenever another connection wrote in between, and no busy timeout can save it. On PostgreSQL this
/// is an ordinary `BEGIN`.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}

/// Begins a read-only transaction that sees one consistent moment however long it reads (an export of a
/// whole database): `REPEATABLE READ, READ ONLY` on PostgreSQL; on SQLite a deferred transaction, which in
/// WAL mode keeps the snapshot of its first read while writers go on.
pub async fn begin_snapshot(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    let options = match db.get_database_backend() {
        sea_orm::DbBackend::Postgres => TransactionOptions {
            isolation_level: Some(sea_orm::IsolationLevel::RepeatableRead),
            access_mode: Some(sea_orm::AccessMode::ReadOnly),
            ..Default::default()
        },
        _ => TransactionOptions::default(),
    };
    db.begin_with_options(options).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backends_are_recognised_by_scheme() {
        assert_eq!(Backend::of_url("sqlite://data/x.db?mode=rwc"), Ok(Backend::Sqlite));
        assert_eq!(Backend::of_url("postgres://u@h/db"), Ok(Backend::Postgres));
        assert_eq!(Backend::of_url("postgresql://u@h/db"), Ok(Backend::Postgres));
        assert!(Backend::of_url("mysql://h/db").unwrap_err().contains("mysql"));
        assert!(Backend::of_url("nothing").is_err());
    }
}
