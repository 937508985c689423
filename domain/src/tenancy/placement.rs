//! Where tenant databases live: one SQLite file each in a directory, or one PostgreSQL database each
//! on a server. Database names are generated from the tenant id, never from user input, and are
//! quoted anyway when they reach SQL.

use crate::db::{self, Backend, PoolLimits};
use crate::error::{DomainError, DomainResult};
use crate::ids::TenantId;
use sea_orm::{ConnectionTrait, DatabaseConnection};
use std::path::PathBuf;
use url::Url;

/// How the operator configured tenant placement.
#[derive(Debug, Clone)]
pub enum PlacementSettings {
    /// One SQLite file per tenant in this directory.
    SqliteDirectory(PathBuf),
    /// One database per tenant on this PostgreSQL server. The URL's database is the one used for
    /// `CREATE DATABASE`, and its name prefixes the tenant databases' names (`<name>_t_<tenant id>`).
    PostgresServer { url: String },
}

pub enum TenantPlacement {
    Sqlite { dir: PathBuf },
    Postgres { admin: DatabaseConnection, server: Url, prefix: String },
}

/// PostgreSQL truncates identifiers at 63 bytes; `_t_` and a 32-digit tenant id take 35 of them.
const MAX_PREFIX_LEN: usize = 63 - 35;

impl TenantPlacement {
    pub async fn open(settings: &PlacementSettings) -> DomainResult<Self> {
        match settings {
            PlacementSettings::SqliteDirectory(dir) => {
                tokio::fs::create_dir_all(dir).await?;
                Ok(Self::Sqlite { dir: dir.clone() })
            }
            PlacementSettings::PostgresServer { url } => {
                let server = Url::parse(url)
                    .map_err(|e| DomainError::Misconfigured(format!("tenant database server URL: {e}")))?;
                let prefix = postgres_prefix(&server)?;
                let admin = db::connect(url, PoolLimits { max_connections: 2, ..PoolLimits::TENANT }).await?;
                Ok(Self::Postgres { admin, server, prefix })
            }
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Self::Sqlite { .. } => Backend::Sqlite,
            Self::Postgres { .. } => Backend::Postgres,
        }
    }

    /// The database (file) name for a new tenant.
    pub fn database_name(&self, tenant: TenantId) -> String {
        let id = tenant.as_uuid().simple();
        match self {
            Self::Sqlite { .. } => format!("{id}.db"),
            Self::Postgres { prefix, .. } => format!("{prefix}_t_{id}"),
        }
    }

    /// The connection URL of an existing tenant database.
    pub fn url_for(&self, db_name: &str) -> DomainResult<String> {
        check_generated_name(db_name)?;
        match self {
            Self::Sqlite { dir } => Ok(format!("sqlite://{}?mode=rwc", dir.join(db_name).display())),
            Self::Postgres { server, .. } => {
                let mut url = server.clone();
                url.set_path(db_name);
                Ok(url.into())
            }
        }
    }

    /// Creates an empty database for a new tenant; fails if one of that name exists.
    #[tracing::instrument(skip(self))]
    pub async fn create_database(&self, db_name: &str) -> DomainResult<()> {
        check_generated_name(db_name)?;
        match self {
            Self::Sqlite { dir } => {
                // The file itself is created on first connect; claim the name now so two tenants never share it.
                tokio::fs::OpenOptions::new().write(true).create_new(true).open(dir.join(db_name)).await?;
                Ok(())
            }
            Self::Postgres { admin, .. } => {
                admin.execute_unprepared(&format!("CREATE DATABASE \"{db_name}\"")).await?;
                Ok(())
            }
        }
    }

    /// Deletes a tenant database and everything in it. Open connections are ended.
    #[tracing::instrument(skip(self))]
    pub async fn drop_database(&self, db_name: &str) -> DomainResult<()> {
        check_generated_name(db_name)?;
        match self {
            Self::Sqlite { dir } => {
                for suffix in ["", "-wal", "-shm"] {
                    match tokio::fs::remove_file(dir.join(format!("{db_name}{suffix}"))).await {
                        Ok(()) => {}
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                        Err(e) => return Err(e.into()),
                    }
                }
                Ok(())
            }
            Self::Postgres { admin, .. } => {
                admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{db_name}\" WITH (FORCE)")).await?;
                Ok(())
            }
        }
    }

    /// Names of all tenant databases this placement holds (for operators and test clean-up).
    pub async fn list_databases(&self) -> DomainResult<Vec<String>> {
        match self {
            Self::Sqlite { dir } => {
                let mut names = Vec::new();
                let mut entries = tokio::fs::read_dir(dir).await?;
                while let Some(entry) = entries.next_entry().await? {
                    if let Some(name) = entry.file_name().to_str().filter(|n| n.ends_with(".db")) {
                        names.push(name.to_owned());
                    }
                }
                Ok(names)
            }
            Self::Postgres { admin, prefix, .. } => {
                let rows = admin
                    .query_all_raw(sea_orm::Statement::from_sql_and_values(
                        admin.get_database_backend(),
                        "SELECT datname FROM pg_database WHERE starts_with(datname, $1)",
                        [format!("{prefix}_t_").into()],
                    ))
                    .await?;
                rows.iter().map(|row| row.try_get::<String>("", "datname").map_err(Into::into)).collect()
            }
        }
    }

    /// PostgreSQL: a new name for a database holding a copy of a backup opened beside live
    /// (`<prefix>_c_<random>`, never a tenant's `_t_`, so nothing that lists tenant databases sees it).
    pub fn copy_database_name(&self) -> Option<String> {
        match self {
            Self::Sqlite { .. } => None,
            Self::Postgres { prefix, .. } => Some(format!("{prefix}_c_{}", uuid::Uuid::new_v4().simple())),
        }
    }

    /// PostgreSQL: the databases named by [`Self::copy_database_name`], each with its comment.
    pub async fn list_copy_databases(&self) -> DomainResult<Vec<(String, Option<String>)>> {
        let Self::Postgres { admin, prefix, .. } = self else { return Ok(Vec::new()) };
        let rows = admin
            .query_all_raw(sea_orm::Statement::from_sql_and_values(
                admin.get_database_backend(),
                "SELECT datname, shobj_description(oid, 'pg_database') AS note FROM pg_database \
                 WHERE starts_with(datname, $1)",
                [format!("{prefix}_c_").into()],
            ))
            .await?;
        rows.iter()
            .map(|row| Ok((row.try_get::<String>("", "datname")?, row.try_get::<Option<String>>("", "note")?)))
            .collect()
    }

    /// PostgreSQL: sets the comment of a database this placement made (how copies describe themselves).
    pub async fn describe_database(&self, db_name: &str, note: &str) -> DomainResult<()> {
        check_generated_name(db_name)?;
        let Self::Postgres { admin, .. } = self else { return Ok(()) };
        let quoted = note.replace('\'', "''");
        admin.execute_unprepared(&format!("COMMENT ON DATABASE \"{db_name}\" IS '{quoted}'")).await?;
        Ok(())
    }

    /// Readiness: can new tenant databases be created here?
    pub async fn check(&self) -> Result<(), String> {
        match self {
            Self::Sqlite { dir } => {
                let metadata = tokio::fs::metadata(dir).await.map_err(|e| format!("tenant directory: {e}"))?;
                if metadata.permissions().readonly() {
                    return Err("tenant directory is read-only".to_owned());
                }
                Ok(())
            }
            Self::Postgres { admin, .. } => admin.ping().await.map_err(|e| format!("tenant database server: {e}")),
        }
    }
}

fn postgres_prefix(server: &Url) -> DomainResult<String> {
    let name = server.path().trim_start_matches('/');
    let valid = !name.is_empty()
        && name.len() <= MAX_PREFIX_LEN
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if valid {
        Ok(name.to_owned())
    } else {
        Err(DomainError::Misconfigured(format!(
            "the tenant database server URL must name a database of at most {MAX_PREFIX_LEN} characters \
             from a-z, 0-9 and _ (it prefixes the tenant databases' names); got `{name}`"
        )))
    }
}

/// Defence in depth: names reaching SQL or the file system were generated by [`TenantPlacement::database_name`].
fn check_generated_name(db_name: &str) -> DomainResult<()> {
    let ok = !db_name.is_empty()
        && db_name.len() <= 63
        && db_name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'.')
        && !db_name.starts_with('.')
        && !db_name.contains("..");
    if ok { Ok(()) } else { Err(DomainError::Misconfigured(format!("unexpected tenant database name `{db_name}`"))) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_prefixes_must_be_short_plain_names() {
        let ok = Url::parse("postgres://u@h:5432/strongroom").unwrap();
        assert_eq!(postgres_prefix(&ok).unwrap(), "strongroom");
        for bad in [
            "postgres://u@h/",
            "postgres://u@h/Strong",
            "postgres://u@h/a-b",
            "postgres://u@h/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        ] {
            assert!(postgres_prefix(&Url::parse(bad).unwrap()).is_err(), "{bad} was accepted");
        }
    }

    #[test]
    /// Proves: TN1, WEB6
    fn only_generated_names_are_accepted() {
        assert!(check_generated_name("0123abcd.db").is_ok());
        assert!(check_generated_name("strongroom_t_0123abcd").is_ok());
        for bad in ["", "../x.db", "a\"; DROP", "A", ".hidden"] {
            assert!(check_generated_name(bad).is_err(), "{bad} was accepted");
        }
    }

    #[tokio::test]
    async fn sqlite_placement_names_urls_and_creates_files_once() {
        let dir = tempfile::tempdir().unwrap();
        let placement = TenantPlacement::open(&PlacementSettings::SqliteDirectory(dir.path().join("t"))).await.unwrap();
        let tenant = TenantId::new_random();
        let name = placement.database_name(tenant);
        assert_eq!(name, format!("{}.db", tenant.as_uuid().simple()));
        placement.create_database(&name).await.unwrap();
        assert!(placement.create_database(&name).await.is_err(), "a tenant database name must never be reused");
        assert_eq!(placement.list_databases().await.unwrap(), vec![name.clone()]);
        assert!(placement.url_for(&name).unwrap().starts_with("sqlite://"));
        placement.drop_database(&name).await.unwrap();
        assert!(placement.list_databases().await.unwrap().is_empty());
    }
}
