//! Consistent online snapshots of one database, and putting one back (OPS1, OPS2).
//!
//! - SQLite: `VACUUM INTO` a new file. It reads inside one read transaction, so in WAL mode writers go
//!   on while it runs and the copy is exactly the database as of its start. The copy is fsynced, opened
//!   read-only for `PRAGMA integrity_check`, and its rows are counted per table (for the restore test).
//! - PostgreSQL: `pg_dump -Fc` (Debian's postgresql-client), which dumps from one repeatable-read
//!   snapshot without blocking writers; `pg_restore --list` checks the archive. A `pg_dump` older than
//!   the server cannot dump it: that is named clearly before anything runs. The password, if the URL has
//!   one, goes to the tools in `PGPASSWORD`, never on their command line.
//!
//! Putting a snapshot back: into a new database (beside live), or into the live one. For SQLite the live
//! database receives the snapshot's rows in one write transaction through `ATTACH` (requests see the
//! old or the new state, never a mix, and open connections stay valid); for PostgreSQL `pg_restore
//! --clean --single-transaction` does the same.

use crate::db::{self, PoolLimits};
use crate::error::{DomainError, DomainResult};
use migrations::{MigratorTrait as _, TenantMigrator};
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sea_orm::sqlx::{self, Connection as _};
use sea_orm::{ConnectionTrait as _, DatabaseConnection};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;
use url::Url;

pub(crate) fn sqlx_error(error: sqlx::Error) -> DomainError {
    DomainError::Database(sea_orm::DbErr::Custom(error.to_string()))
}

fn quote_literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

pub(crate) fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn path_text(path: &Path) -> DomainResult<&str> {
    path.to_str().ok_or_else(|| DomainError::Misconfigured(format!("path {} is not UTF-8", path.display())))
}

/// Takes a snapshot of the SQLite database behind `db` into `into` (which must not exist), fsynced.
#[tracing::instrument(skip(db))]
pub async fn sqlite_snapshot(db: &DatabaseConnection, into: &Path) -> DomainResult<()> {
    db.execute_unprepared(&format!("VACUUM INTO {}", quote_literal(path_text(into)?))).await?;
    let file = into.to_owned();
    tokio::task::spawn_blocking(move || std::fs::File::open(file)?.sync_all())
        .await
        .map_err(|e| DomainError::Io(std::io::Error::other(e)))??;
    Ok(())
}

pub(crate) async fn open_sqlite(path: &Path, read_only: bool) -> DomainResult<SqliteConnection> {
    let options = SqliteConnectOptions::new()
        .filename(path)
        .read_only(read_only)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(30));
    SqliteConnection::connect_with(&options).await.map_err(sqlx_error)
}

pub(crate) async fn sqlite_tables(conn: &mut SqliteConnection, schema: &str) -> DomainResult<Vec<String>> {
    let rows: Vec<(String,)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT name FROM {}.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        quote_ident(schema)
    )))
    .fetch_all(&mut *conn)
    .await
    .map_err(sqlx_error)?;
    Ok(rows.into_iter().map(|(name,)| name).collect())
}

/// `PRAGMA integrity_check` on a SQLite file opened read-only, then the rows of each table.
#[tracing::instrument]
pub async fn sqlite_check(path: &Path) -> DomainResult<BTreeMap<String, u64>> {
    // Read-only: the check must not change the snapshot (a `VACUUM INTO` copy is in rollback-journal
    // mode, which opens read-only without side files).
    let mut conn = open_sqlite(path, true).await?;
    let verdict: Vec<(String,)> =
        sqlx::query_as("PRAGMA integrity_check").fetch_all(&mut conn).await.map_err(sqlx_error)?;
    if verdict.len() != 1 || verdict[0].0 != "ok" {
        let detail: Vec<_> = verdict.into_iter().map(|(line,)| line).take(5).collect();
        return Err(DomainError::Tampered(format!("integrity check of the snapshot: {}", detail.join("; "))));
    }
    let mut counts = BTreeMap::new();
    for table in sqlite_tables(&mut conn, "main").await? {
        let (n,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT count(*) FROM {}", quote_ident(&table))))
            .fetch_one(&mut conn)
            .await
            .map_err(sqlx_error)?;
        counts.insert(table, n as u64);
    }
    conn.close().await.map_err(sqlx_error)?;
    Ok(counts)
}

/// Brings a restored tenant database to the current schema (a backup may predate migrations).
pub async fn migrate_tenant_copy(url: &str) -> DomainResult<()> {
    let db = db::connect(url, PoolLimits { max_connections: 1, ..PoolLimits::TENANT }).await?;
    TenantMigrator::up(&db, None).await?;
    if db.get_database_backend() == sea_orm::DbBackend::Sqlite {
        // Back to a rollback journal: a WAL database cannot be opened read-only without its side files.
        db.execute_unprepared("PRAGMA journal_mode = DELETE").await?;
    }
    db.close().await?;
    Ok(())
}

/// Replaces every row of the live SQLite database at `live_url` by the rows of the snapshot at
/// `restored` (brought to the same schema), and records `audit` (action, object id, changes) in the
/// workspace's audit log as done by `actor`, all in one write transaction.
#[tracing::instrument(skip(live_url, audit, actor))]
pub async fn sqlite_replace_rows(
    live_url: &str,
    restored: &Path,
    audit: (&str, &str, serde_json::Value),
    actor: &crate::workspace::audit::Actor,
) -> DomainResult<()> {
    // One connection: ATTACH belongs to a connection, and the transaction must run on the same one.
    let live = db::connect(live_url, PoolLimits { max_connections: 1, ..PoolLimits::TENANT }).await?;
    live.execute_unprepared(&format!("ATTACH DATABASE {} AS restored", quote_literal(path_text(restored)?))).await?;
    let outcome = async {
        let tables = |schema: &str| {
            let sql = format!(
                "SELECT name FROM {}.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
                quote_ident(schema)
            );
            let live = &live;
            async move {
                let rows =
                    live.query_all_raw(sea_orm::Statement::from_string(live.get_database_backend(), sql)).await?;
                rows.iter().map(|r| r.try_get::<String>("", "name")).collect::<Result<Vec<_>, _>>()
            }
        };
        let (live_tables, restored_tables) = (tables("main").await?, tables("restored").await?);
        if live_tables != restored_tables {
            return Err(DomainError::Misconfigured(format!(
                "the backup's tables differ from the live database's ({restored_tables:?} against {live_tables:?})"
            )));
        }
        let txn = db::begin_write(&live).await?;
        txn.execute_unprepared("PRAGMA defer_foreign_keys = ON").await?;
        for table in &live_tables {
            txn.execute_unprepared(&format!("DELETE FROM main.{}", quote_ident(table))).await?;
        }
        for table in &live_tables {
            let sql = format!("SELECT name FROM pragma_table_info({}, 'main')", quote_literal(table));
            let columns = txn.query_all_raw(sea_orm::Statement::from_string(txn.get_database_backend(), sql)).await?;
            let columns = columns
                .iter()
                .map(|r| r.try_get::<String>("", "name").map(|c| quote_ident(&c)))
                .collect::<Result<Vec<_>, _>>()?
                .join(", ");
            txn.execute_unprepared(&format!(
                "INSERT INTO main.{t} ({columns}) SELECT {columns} FROM restored.{t}",
                t = quote_ident(table)
            ))
            .await?;
        }
        let (action, object, changes) = audit;
        crate::workspace::audit::record(&txn, actor, action, "backup", object, changes).await?;
        txn.commit().await?;
        Ok::<(), DomainError>(())
    }
    .await;
    let _ = live.execute_unprepared("DETACH DATABASE restored").await;
    live.close().await?;
    outcome
}

/// A PostgreSQL URL split for the client tools: the URL without its password, and the password.
fn for_tools(url: &str) -> DomainResult<(String, Option<String>)> {
    let mut url = Url::parse(url).map_err(|e| DomainError::Misconfigured(format!("database URL: {e}")))?;
    let password = url.password().map(|p| percent_encoding::percent_decode_str(p).decode_utf8_lossy().into_owned());
    let _ = url.set_password(None);
    Ok((url.into(), password))
}

async fn tool(program: &str, args: &[&str], password: Option<&str>) -> DomainResult<String> {
    let mut command = tokio::process::Command::new(program);
    command.args(args).kill_on_drop(true).stdin(std::process::Stdio::null());
    if let Some(password) = password {
        command.env("PGPASSWORD", password);
    }
    let output = command.output().await.map_err(|e| {
        DomainError::Misconfigured(format!("{program} could not be run (install Debian's postgresql-client): {e}"))
    })?;
    let stderr = String::from_utf8_lossy(&output.stderr).trim().to_owned();
    if !output.status.success() {
        if stderr.contains("server version mismatch") || stderr.contains("aborting because of server version") {
            return Err(DomainError::Misconfigured(format!(
                "{program} is older than the PostgreSQL server and cannot dump it; install the \
                 postgresql-client of the server's major version ({stderr})"
            )));
        }
        return Err(DomainError::Misconfigured(format!("{program} failed: {stderr}")));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// The major version of a `pg_dump --version` line (`pg_dump (PostgreSQL) 15.20 (Debian …)`).
fn client_major(version: &str) -> Option<u32> {
    version.split_whitespace().find_map(|word| word.split('.').next()?.parse().ok())
}

/// Fails clearly when this machine's `pg_dump` cannot dump the server behind `db`.
pub async fn check_pg_dump_version(db: &DatabaseConnection) -> DomainResult<()> {
    let version = tool("pg_dump", &["--version"], None).await?;
    let client = client_major(&version)
        .ok_or_else(|| DomainError::Misconfigured(format!("cannot read the pg_dump version from `{version}`")))?;
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(db.get_database_backend(), "SHOW server_version_num"))
        .await?
        .ok_or_else(|| DomainError::Misconfigured("the server did not say its version".into()))?;
    let server: String = row.try_get("", "server_version_num")?;
    let server: u32 = server.parse::<u32>().map(|n| n / 10_000).unwrap_or(0);
    if client < server {
        return Err(DomainError::Misconfigured(format!(
            "pg_dump {client} cannot dump PostgreSQL {server}: install postgresql-client-{server}"
        )));
    }
    Ok(())
}

/// `pg_dump -Fc` of the database at `url` into `into` (uncompressed inside: zstd compresses the file).
#[tracing::instrument(skip(db, url))]
pub async fn postgres_snapshot(db: &DatabaseConnection, url: &str, into: &Path) -> DomainResult<()> {
    check_pg_dump_version(db).await?;
    let (url, password) = for_tools(url)?;
    let file = path_text(into)?;
    tool(
        "pg_dump",
        &["--format=custom", "--compress=0", "--no-owner", "--no-privileges", "--file", file, "--dbname", &url],
        password.as_deref(),
    )
    .await?;
    postgres_list(into).await?;
    let file = into.to_owned();
    tokio::task::spawn_blocking(move || std::fs::File::open(file)?.sync_all())
        .await
        .map_err(|e| DomainError::Io(std::io::Error::other(e)))??;
    Ok(())
}

/// `pg_restore --list`: the archive is complete and readable.
pub async fn postgres_list(archive: &Path) -> DomainResult<()> {
    tool("pg_restore", &["--list", path_text(archive)?], None).await.map(|_| ())
}

/// `pg_restore` of the archive at `archive` into the database at `url`: a new, empty one, or (with
/// `replace`) the live one, whose objects are dropped and restored in one transaction.
#[tracing::instrument(skip(url))]
pub async fn postgres_restore(url: &str, archive: &Path, replace: bool) -> DomainResult<()> {
    let (url, password) = for_tools(url)?;
    let mut args = vec!["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"];
    if replace {
        args.extend(["--clean", "--if-exists"]);
    }
    args.extend(["--dbname", &url, path_text(archive)?]);
    tool("pg_restore", &args, password.as_deref()).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_and_urls_are_read_for_the_tools() {
        assert_eq!(client_major("pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)"), Some(15));
        assert_eq!(client_major("pg_dump (PostgreSQL) 17beta1"), None);
        let (url, password) = for_tools("postgres://sr:p%40ss@db:5432/x").unwrap();
        assert_eq!((url.as_str(), password.as_deref()), ("postgres://sr@db:5432/x", Some("p@ss")));
        assert_eq!(quote_literal("a'b"), "'a''b'");
        assert_eq!(quote_ident("a\"b"), "\"a\"\"b\"");
    }
}
