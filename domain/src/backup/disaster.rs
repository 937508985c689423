//! Disaster recovery (OPS2): `strongroom restore --all --from TARGET` rebuilds a whole installation from
//! one target's files and the master key alone, into an empty control database and data directory.
//!
//! 1. The newest control-plane backup on the target that opens under the master key, decrypts and passes
//!    its check becomes the control database. That database must be empty: nothing is written over.
//! 2. From that control plane come the workspaces and their data keys. Each live workspace gets the newest
//!    of its own backups on the target that opens and passes its check, in a new database named by the
//!    configured placement (so a new PostgreSQL server, or another database prefix, works too).
//! 3. The catalogue is brought in line with the target. The restored control plane lists neither its own
//!    backup (still `running` in its snapshot) nor backups made after it, and the clean-up deletes files
//!    that the catalogue does not list as good. So every complete file on the target whose key opens here
//!    is recorded, with its copies on the other targets that read back with the same SHA-256.
//!
//! Afterwards `strongroom serve` starts on it as usual; its migrations bring older backups up to date.
//! A workspace created after the newest control-plane backup cannot be recovered: its keys are not in it
//! (each scheduled run backs up the control plane last, after the workspaces).

use super::catalogue::{self, Found};
use super::format::{Header, Scope, Source};
use super::restore::{Decrypted, check_decrypted, decrypt_file, read_file_header};
use super::{BackupSettings, Progress, Target, file_prefix, key_version, snapshot, unwrap_control_key, unwrap_key};
use crate::crypto::{Keys, MasterKey, Vault};
use crate::db::{self, Backend, PoolLimits};
use crate::entities::control::tenant::{self, TenantStatus};
use crate::error::{DomainError, DomainResult};
use crate::ids::TenantId;
use crate::platform::PlatformSettings;
use crate::tenancy::TenantPlacement;
use chrono::{DateTime, Utc};
use migrations::{ControlMigrator, MigratorTrait as _};
use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait as _, ColumnTrait as _, ConnectionTrait as _, DatabaseConnection};
use sea_orm::{EntityTrait as _, IntoActiveModel as _, QueryFilter as _};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What a disaster recovery restored.
#[derive(Debug)]
pub struct Recovery {
    /// The control-plane backup it started from, and when that was taken.
    pub control: (uuid::Uuid, DateTime<Utc>),
    /// Each live workspace restored: its address, the backup, and when that was taken.
    pub workspaces: Vec<(String, uuid::Uuid, DateTime<Utc>)>,
    /// Live workspaces that no backup on the target restored (address, why).
    pub missing: Vec<(String, String)>,
    /// Backups recorded in the catalogue from the target's files.
    pub catalogued: usize,
}

/// A backup file that opened: its header, its decrypted and checked snapshot.
struct Opened {
    header: Header,
    decrypted: Decrypted,
}

/// What unwraps a file's key: the master key's derived keys (control plane) or the workspaces' data keys.
enum KeySource<'a> {
    Master(&'a Keys),
    Workspace(&'a Vault),
}

/// Restores the installation from target `from` (see the module's description).
#[tracing::instrument(skip(settings, master_key, progress))]
pub async fn restore_all(
    settings: &PlatformSettings,
    master_key: &MasterKey,
    from: &str,
    progress: Progress,
) -> DomainResult<Recovery> {
    let backup = &settings.backup;
    let target = backup
        .targets
        .iter()
        .find(|t| t.name == from)
        .ok_or_else(|| DomainError::Misconfigured(format!("no backup target is called `{from}`")))?;
    let url = &settings.control_database_url;
    let backend = Backend::of_url(url).map_err(DomainError::Misconfigured)?;
    ensure_empty(url, backend).await?;
    tokio::fs::create_dir_all(&backup.work_dir).await?;
    let mut names = target.list().await?;
    // A file's name starts with its scope and the moment it was taken: newest first within each scope.
    names.sort_unstable_by(|a, b| b.cmp(a));
    let keys = Arc::new(Keys::derive(master_key));
    let work_dir = &backup.work_dir;

    progress("control plane", 0, 0);
    let control = newest_that_opens(
        target,
        &names,
        &file_prefix(Scope::ControlPlane),
        Scope::ControlPlane,
        &KeySource::Master(&keys),
        work_dir,
        &progress,
    )
    .await
    .map_err(|why| DomainError::Misconfigured(format!("no control-plane backup on `{from}` restores: {why}")))?;
    put_control_plane(url, backend, &control.decrypted).await?;
    let mut snapshots = HashMap::from([(control.header.backup_id, snapshot_of(&control))]);
    let mut recovery = Recovery {
        control: (control.header.backup_id, control.header.taken_at),
        workspaces: Vec::new(),
        missing: Vec::new(),
        catalogued: 0,
    };
    drop(control);
    let db = db::connect(url, PoolLimits::CONTROL_PLANE).await?;
    ControlMigrator::up(&db, None).await?;
    let vault = Vault::new(db.clone(), keys.clone());
    let placement = TenantPlacement::open(&settings.tenant_placement).await?;

    let live = tenant::Entity::find().filter(tenant::Column::Status.eq(TenantStatus::Active)).all(&db).await?;
    for row in live {
        progress(&format!("workspace {}", row.slug), 0, 0);
        let scope = Scope::Workspace(row.id);
        let prefix = file_prefix(scope);
        let opened =
            match newest_that_opens(target, &names, &prefix, scope, &KeySource::Workspace(&vault), work_dir, &progress)
                .await
            {
                Ok(opened) => opened,
                Err(why) => {
                    tracing::error!(workspace = %row.slug, why, "no backup of this workspace restores");
                    recovery.missing.push((row.slug.clone(), why));
                    continue;
                }
            };
        let slug = row.slug.clone();
        match put_workspace(&db, &placement, row, &opened.decrypted).await {
            Ok(()) => {
                snapshots.insert(opened.header.backup_id, snapshot_of(&opened));
                recovery.workspaces.push((slug, opened.header.backup_id, opened.header.taken_at));
            }
            Err(error) => {
                tracing::error!(workspace = %slug, %error, "the workspace's database could not be put in place");
                recovery.missing.push((slug, error.to_string()));
            }
        }
    }
    progress("catalogue", 0, 0);
    recovery.catalogued = catalogue_target(&db, &vault, backup, target, &names, &snapshots).await?;
    db.close().await?;
    tracing::info!(
        workspaces = recovery.workspaces.len(),
        missing = recovery.missing.len(),
        catalogued = recovery.catalogued,
        "installation restored"
    );
    Ok(recovery)
}

fn snapshot_of(opened: &Opened) -> (u64, String) {
    let manifest = &opened.decrypted.manifest;
    (manifest.snapshot_bytes, manifest.snapshot_sha256.clone())
}

/// The file of a SQLite URL (`sqlite://path?options`).
fn sqlite_path(url: &str) -> DomainResult<PathBuf> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).unwrap_or(url);
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path.contains(":memory:") {
        return Err(DomainError::Misconfigured(
            "restore --all needs a database file, not an in-memory database".into(),
        ));
    }
    Ok(PathBuf::from(path))
}

/// The control database must be new: a missing SQLite file, or a database without tables. A SQLite file
/// without tables is removed (with its side files), so the restored one takes its place whole.
async fn ensure_empty(url: &str, backend: Backend) -> DomainResult<()> {
    if backend == Backend::Sqlite && !tokio::fs::try_exists(sqlite_path(url)?).await? {
        return Ok(());
    }
    let db = db::connect(url, PoolLimits { max_connections: 1, ..PoolLimits::TENANT }).await?;
    let sql = match backend {
        Backend::Sqlite => "SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'",
        Backend::Postgres => {
            "SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = current_schema()"
        }
    };
    let row = db.query_one_raw(sea_orm::Statement::from_string(db.get_database_backend(), sql)).await?;
    let tables: i64 = row.map(|row| row.try_get("", "n")).transpose()?.unwrap_or(0);
    db.close().await?;
    if tables > 0 {
        return Err(DomainError::Misconfigured(
            "restore --all rebuilds an installation into an empty control database, and this one has tables: \
             point database_url (and the data directory) at new ones"
                .into(),
        ));
    }
    if backend == Backend::Sqlite {
        let path = sqlite_path(url)?;
        for side in ["", "-wal", "-shm"] {
            match tokio::fs::remove_file(format!("{}{side}", path.display())).await {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
                _ => {}
            }
        }
    }
    Ok(())
}

/// Tries the files whose names start with `prefix`, newest first; the first that opens, decrypts and
/// passes its check wins. Otherwise says why each was refused.
async fn newest_that_opens(
    target: &Target,
    names: &[String],
    prefix: &str,
    expect: Scope,
    keys: &KeySource<'_>,
    work_dir: &Path,
    progress: &Progress,
) -> Result<Opened, String> {
    let mut refused = Vec::new();
    for name in names.iter().filter(|n| n.starts_with(prefix)) {
        match open_file(target, name, expect, keys, work_dir, progress).await {
            Ok(opened) => return Ok(opened),
            Err(error) => {
                tracing::warn!(%error, name, "a backup file does not restore; trying an older one");
                refused.push(format!("{name}: {error}"));
            }
        }
    }
    Err(if refused.is_empty() { "there is no backup of it on the target".into() } else { refused.join("; ") })
}

async fn open_file(
    target: &Target,
    name: &str,
    expect: Scope,
    keys: &KeySource<'_>,
    work_dir: &Path,
    progress: &Progress,
) -> DomainResult<Opened> {
    let fetched = target.fetch(name, work_dir).await?;
    let (header, aad) = read_file_header(fetched.path()).await?;
    if header.scope != expect {
        return Err(DomainError::Tampered(format!("{name} holds a backup of something else")));
    }
    let key = match keys {
        KeySource::Master(keys) => unwrap_control_key(keys, &header)?,
        KeySource::Workspace(vault) => unwrap_key(vault, &header).await?,
    };
    let decrypted = decrypt_file(fetched.path(), (header.clone(), aad), key, work_dir, 0, progress).await?;
    check_decrypted(&decrypted).await?;
    Ok(Opened { header, decrypted })
}

/// Copies `from` to `to` and makes it durable.
async fn copy_synced(from: &Path, to: &Path) -> DomainResult<()> {
    tokio::fs::copy(from, to).await?;
    let to = to.to_owned();
    tokio::task::spawn_blocking(move || std::fs::File::open(to)?.sync_all())
        .await
        .map_err(|e| DomainError::Io(std::io::Error::other(e)))??;
    Ok(())
}

async fn put_control_plane(url: &str, backend: Backend, decrypted: &Decrypted) -> DomainResult<()> {
    match (backend, decrypted.source) {
        (Backend::Sqlite, Source::Sqlite) => {
            let path = sqlite_path(url)?;
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                tokio::fs::create_dir_all(dir).await?;
            }
            copy_synced(&decrypted.file.0, &path).await
        }
        (Backend::Postgres, Source::Postgres) => snapshot::postgres_restore(url, &decrypted.file.0, false).await,
        _ => Err(DomainError::Misconfigured(
            "the control-plane backup is of another kind of database than database_url".into(),
        )),
    }
}

/// Puts a workspace's snapshot into a new database that the placement names (never over an existing
/// one), and points the workspace's registry row at it.
async fn put_workspace(
    db: &DatabaseConnection,
    placement: &TenantPlacement,
    row: tenant::Model,
    decrypted: &Decrypted,
) -> DomainResult<()> {
    let db_name = placement.database_name(TenantId::from(row.id));
    match (placement, decrypted.source) {
        (TenantPlacement::Sqlite { dir }, Source::Sqlite) => {
            placement.create_database(&db_name).await?;
            copy_synced(&decrypted.file.0, &dir.join(&db_name)).await?;
        }
        (TenantPlacement::Postgres { .. }, Source::Postgres) => {
            placement.create_database(&db_name).await?;
            snapshot::postgres_restore(&placement.url_for(&db_name)?, &decrypted.file.0, false).await?;
        }
        _ => {
            return Err(DomainError::Misconfigured(
                "the workspace's backup is of another kind of database than the configured placement".into(),
            ));
        }
    }
    let backend = placement.backend().as_str();
    if row.db_name != db_name || row.db_backend != backend {
        let mut moved = row.into_active_model();
        moved.db_name = Set(db_name);
        moved.db_backend = Set(backend.to_owned());
        moved.updated_at = Set(Utc::now());
        moved.update(db).await?;
    }
    Ok(())
}

/// Forgets the copies that are gone (from `target`, or with a target not configured here), and records in the catalogue every complete file on
/// `target` that it does not list as good there and whose key opens here (checked by hashing and unwrapping; the scheduled restore test decrypts the newest), with
/// the copies on the other targets that read back with the same SHA-256. Returns how many it recorded.
async fn catalogue_target(
    db: &DatabaseConnection,
    vault: &Vault,
    backup: &BackupSettings,
    target: &Target,
    names: &[String],
    snapshots: &HashMap<uuid::Uuid, (u64, String)>,
) -> DomainResult<usize> {
    let listed = catalogue::list(db, None).await?;
    // Copies the catalogue lists on this target that are gone from it (pruned after the control plane's
    // backup was taken), and on targets this installation does not have (lost with the old one), are not
    // copies any more.
    for record in &listed {
        for on in &record.targets {
            let configured = backup.targets.iter().any(|t| t.name == *on);
            if !configured || (*on == target.name && !names.contains(&record.file_name)) {
                catalogue::delete_copy(db, record.id, on).await?;
            }
        }
    }
    let listed = catalogue::list(db, None).await?;
    let mut recorded = 0;
    for name in names {
        if listed.iter().any(|b| b.file_name == *name && b.is_good() && b.targets.contains(&target.name)) {
            continue;
        }
        let fetched = target.fetch(name, &backup.work_dir).await?;
        let (sha256, bytes) = super::target::hash_file(fetched.path()).await?;
        let header = match read_file_header(fetched.path()).await {
            Ok((header, _)) => header,
            Err(error) => {
                tracing::warn!(%error, name, "not a readable backup file; left out of the catalogue");
                continue;
            }
        };
        if let Err(error) = unwrap_key(vault, &header).await {
            tracing::warn!(%error, name, "this backup's key does not open here; left out of the catalogue");
            continue;
        }
        let source = match header.source {
            Source::Sqlite => Backend::Sqlite.as_str(),
            Source::Postgres => Backend::Postgres.as_str(),
        };
        catalogue::import(
            db,
            Found {
                id: header.backup_id,
                scope: header.scope,
                source,
                taken_at: header.taken_at,
                file_name: name,
                target: &target.name,
                file_bytes: bytes,
                file_sha256: &sha256,
                key_version: key_version(&header.key),
                snapshot: snapshots.get(&header.backup_id).cloned(),
                note: format!("catalogued from {} by a disaster recovery", target.name),
            },
        )
        .await?;
        for other in backup.targets.iter().filter(|t| t.name != target.name) {
            if matches!(other.hash(name).await, Ok((theirs, _)) if theirs == sha256) {
                catalogue::add_copy(db, header.backup_id, &other.name, bytes).await?;
            }
        }
        recorded += 1;
    }
    Ok(recorded)
}

#[cfg(test)]
mod tests {
    use super::sqlite_path;
    use std::path::PathBuf;

    #[test]
    fn the_control_database_file_is_read_from_its_url() {
        assert_eq!(
            sqlite_path("sqlite:///var/lib/sr/control.db?mode=rwc").unwrap(),
            PathBuf::from("/var/lib/sr/control.db")
        );
        assert_eq!(sqlite_path("sqlite://data/control.db").unwrap(), PathBuf::from("data/control.db"));
        assert!(sqlite_path("sqlite::memory:").is_err());
    }
}
