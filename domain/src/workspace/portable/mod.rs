//! Portable exports (OPS2): a workspace's administrators download a copy of their live data that they
//! can open without Strongroom: a zip with the workspace as one SQLite file, one CSV file per table, the
//! attachments as files, and `manifest.json` (what is in it, each file's size and SHA-256, the schema's
//! migrations, which columns were opened). Optionally every entry is encrypted with a passphrase they
//! choose (AES-256).
//!
//! Whoever holds the file holds the workspace's data in clear, so it takes `backups.manage`, the
//! caller's password confirmed in the same request ([`PasswordConfirmed`], made only by identity), and
//! each export is in the workspace's audit log. The clear files exist only in the backup work directory
//! while the zip is made; the zip itself is handed out as an open file whose name is already gone, so
//! nothing is left on disk once it has been sent.
//!
//! The export runs as a background operation of the workspace (`backups::exports`), so no request waits
//! for it; the finished zip waits for its download by whoever asked.

pub mod archive;
pub mod copy;

use super::Caller;
use super::attachments;
use super::audit::{self, Actor};
use crate::entities::tenant::attachment;
use crate::error::{DomainError, DomainResult};
use crate::identity::PasswordConfirmed;
use archive::{Entry, ListedFile};
use chrono::{DateTime, Utc};
use model::{Field, Forbidden, Permission, ValidationError};
use sea_orm::{EntityTrait as _, QueryOrder as _};
use secrecy::SecretString;
use serde::Serialize;
use serde_json::json;
use std::path::{Path, PathBuf};

/// The shortest and longest passphrase accepted.
pub const PASSPHRASE_MIN: usize = 12;
pub const PASSPHRASE_MAX: usize = 128;
/// The manifest's `format`.
pub const FORMAT: &str = "strongroom-portable-export";

/// The passphrase typed in the form: none when blank, else 12 to 128 characters.
pub fn parse_passphrase(typed: &str) -> Result<Option<SecretString>, ValidationError> {
    let length = typed.chars().count();
    match length {
        0 => Ok(None),
        n if n < PASSPHRASE_MIN => Err(ValidationError::TooShort { field: Field::Passphrase, min: PASSPHRASE_MIN }),
        n if n > PASSPHRASE_MAX => Err(ValidationError::TooLong { field: Field::Passphrase, max: PASSPHRASE_MAX }),
        _ => Ok(Some(SecretString::from(typed.to_owned()))),
    }
}

/// A finished export, ready to send: an open file whose directory entry is already removed.
pub struct PortableExport {
    pub file: std::fs::File,
    pub bytes: u64,
    /// `<workspace address>-<UTC time>.zip`.
    pub file_name: String,
}

/// A directory of the export's clear files, removed with everything in it when dropped.
struct WorkDir(PathBuf);

impl Drop for WorkDir {
    fn drop(&mut self) {
        if let Err(error) = std::fs::remove_dir_all(&self.0)
            && error.kind() != std::io::ErrorKind::NotFound
        {
            tracing::error!(%error, dir = %self.0.display(), "a portable export's work directory could not be removed");
        }
    }
}

fn join_error(error: tokio::task::JoinError) -> DomainError {
    DomainError::Io(std::io::Error::other(error))
}

#[derive(Serialize)]
struct Manifest<'a> {
    format: &'static str,
    version: u32,
    workspace: serde_json::Value,
    exported_at: DateTime<Utc>,
    exported_by: &'a str,
    source_database: &'static str,
    schema_migrations: Vec<String>,
    /// Sealed in Strongroom, in clear here: `table.column`.
    opened_columns: Vec<String>,
    tables: Vec<serde_json::Value>,
    files: Vec<ListedFile>,
    passphrase_protected: bool,
}

/// Exports the caller's workspace (see the module documentation). `work_dir` is the backup work
/// directory; `confirmed` must be the caller's own, from the request that started the export.
#[tracing::instrument(skip_all, fields(workspace = %caller.workspace.id))]
pub async fn export(
    caller: &Caller,
    confirmed: &PasswordConfirmed,
    passphrase: Option<SecretString>,
    work_dir: &Path,
) -> DomainResult<PortableExport> {
    caller.require(Permission::BackupsManage)?;
    if confirmed.user() != caller.user {
        return Err(DomainError::Forbidden(Forbidden::MissingPermission));
    }
    let exported_at = Utc::now();
    let dir = WorkDir(work_dir.join(format!(".portable-{}", uuid::Uuid::new_v4().simple())));
    std::fs::DirBuilder::new().recursive(true).create(dir.0.join("tables"))?;
    std::fs::create_dir_all(dir.0.join("attachments"))?;
    let keys = caller.field_keys().await?;

    let sqlite = dir.0.join("workspace.sqlite");
    let copied = copy::live_into_sqlite(&caller.db, &keys, &sqlite).await?;
    let counts = crate::backup::snapshot::sqlite_check(&sqlite).await?;
    let tables: Vec<String> = copied.keys().cloned().collect();
    if tables.iter().any(|t| counts.get(t) != copied.get(t)) {
        return Err(DomainError::Tampered("the exported tables do not have the rows that were copied".into()));
    }
    let csvs = archive::write_csvs(&sqlite, &tables, &dir.0.join("tables")).await?;
    let schema_migrations = schema_of(&sqlite).await?;

    let mut entries = vec![Entry { name: "workspace.sqlite".into(), path: sqlite }];
    entries.extend(tables.iter().zip(csvs).map(|(t, path)| Entry { name: format!("tables/{t}.csv"), path }));
    entries.extend(write_attachments(caller, &dir.0.join("attachments")).await?);

    let file_name = format!("{}-{}.zip", caller.workspace.slug.as_str(), exported_at.format("%Y%m%d-%H%M%S"));
    let zip_path = dir.0.join(&file_name);
    let manifest = Manifest {
        format: FORMAT,
        version: 1,
        workspace: json!({
            "id": caller.workspace.id.to_string(),
            "address": caller.workspace.slug.as_str(),
            "name": caller.workspace.name.as_str(),
        }),
        exported_at,
        exported_by: caller.email.as_str(),
        source_database: match caller.db.get_database_backend() {
            sea_orm::DbBackend::Postgres => "postgresql",
            _ => "sqlite",
        },
        schema_migrations,
        opened_columns: copy::OPENED_COLUMNS.iter().map(|(t, _, clear)| format!("{t}.{clear}")).collect(),
        tables: tables
            .iter()
            .map(|t| json!({ "name": t, "rows": copied[t], "csv": format!("tables/{t}.csv") }))
            .collect(),
        files: Vec::new(),
        passphrase_protected: passphrase.is_some(),
    };
    let manifest_json = serde_json::to_value(&manifest).map_err(|e| DomainError::Io(std::io::Error::other(e)))?;
    let (out, phrase) = (zip_path.clone(), passphrase);
    let bytes = tokio::task::spawn_blocking(move || {
        archive::write_zip(&out, &entries, phrase.as_ref(), |files| {
            let mut manifest = manifest_json;
            manifest["files"] = serde_json::to_value(files)?;
            serde_json::to_vec_pretty(&manifest)
        })
    })
    .await
    .map_err(join_error)??;
    let file = std::fs::File::open(&zip_path)?;

    let changes = json!({ "bytes": bytes, "tables": tables.len(), "passphrase": manifest.passphrase_protected });
    let id = caller.workspace.id.to_string();
    audit::record(&caller.db, &Actor::from(caller), "workspace.exported", "workspace", &id, changes).await?;
    drop(dir);
    Ok(PortableExport { file, bytes, file_name })
}

/// The migrations the export's schema went through, oldest first.
async fn schema_of(sqlite: &Path) -> DomainResult<Vec<String>> {
    use crate::backup::snapshot::{open_sqlite, sqlx_error};
    let mut conn = open_sqlite(sqlite, true).await?;
    let sql = format!("SELECT version FROM {} ORDER BY version", copy::migrations_table());
    let rows: Vec<(String,)> =
        sea_orm::sqlx::query_as(sea_orm::sqlx::AssertSqlSafe(sql)).fetch_all(&mut conn).await.map_err(sqlx_error)?;
    sea_orm::sqlx::Connection::close(conn).await.map_err(sqlx_error)?;
    Ok(rows.into_iter().map(|(version,)| version).collect())
}

/// Writes every attachment, decrypted, into `dir`; returns their entries (`attachments/<id>/<name>`).
async fn write_attachments(caller: &Caller, dir: &Path) -> DomainResult<Vec<Entry>> {
    let rows = attachment::Entity::find().order_by_asc(attachment::Column::CreatedAt).all(&caller.db).await?;
    let mut entries = Vec::with_capacity(rows.len());
    for row in rows {
        let bytes = attachments::decrypted(caller, &row).await?;
        let path = dir.join(row.id.simple().to_string());
        tokio::fs::write(&path, bytes).await?;
        let name: String = row.filename.chars().map(|c| if matches!(c, '/' | '\\') { '_' } else { c }).collect();
        entries.push(Entry { name: format!("attachments/{}/{name}", row.id), path });
    }
    Ok(entries)
}
