//! The catalogue of backups in the control plane (`backups`, `backup_copies`): what exists, where, and
//! whether it verified. Only `verified` backups with a verified copy count as good; a backup killed
//! while running stays `running` until [`mark_interrupted`] calls it `failed`.

use super::format::Scope;
use crate::entities::control::{backup, backup_copy};
use crate::error::DomainResult;
use crate::ids::TenantId;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait as _, QueryOrder as _};
use sea_orm::{ActiveValue::Set, ColumnTrait as _, DatabaseConnection, EntityTrait as _, QueryFilter as _};

pub const RUNNING: &str = "running";
pub const VERIFIED: &str = "verified";
pub const FAILED: &str = "failed";
const DELETED: &str = "deleted";

/// A backup's state in the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackupState {
    /// Being made (or killed while being made: never good).
    Running,
    /// Every step succeeded and at least one copy read back with the right SHA-256.
    Verified,
    Failed,
}

/// One backup as operators (and later the admin page) see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupRecord {
    pub id: uuid::Uuid,
    pub scope: Scope,
    pub source: String,
    /// When its snapshot began.
    pub taken_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub state: BackupState,
    pub file_name: String,
    pub file_bytes: Option<u64>,
    pub file_sha256: Option<String>,
    pub snapshot_bytes: Option<u64>,
    /// The version of the key that wrapped its key (`data:<n>` or `master:<id>`).
    pub key_version: String,
    /// Targets holding a verified copy.
    pub targets: Vec<String>,
    pub error: Option<String>,
}

impl BackupRecord {
    /// Verified, with at least one verified copy.
    pub fn is_good(&self) -> bool {
        self.state == BackupState::Verified && !self.targets.is_empty()
    }
}

fn scope_of(row: &backup::Model) -> Scope {
    match row.tenant_id {
        Some(tenant) if row.scope == "workspace" => Scope::Workspace(tenant),
        _ => Scope::ControlPlane,
    }
}

fn record(row: backup::Model, copies: &[backup_copy::Model]) -> BackupRecord {
    let targets =
        copies.iter().filter(|c| c.backup_id == row.id && c.state == VERIFIED).map(|c| c.target.clone()).collect();
    BackupRecord {
        id: row.id,
        scope: scope_of(&row),
        source: row.source,
        taken_at: row.taken_at,
        finished_at: row.finished_at,
        state: match row.state.as_str() {
            VERIFIED => BackupState::Verified,
            RUNNING => BackupState::Running,
            _ => BackupState::Failed,
        },
        file_name: row.file_name,
        file_bytes: row.file_bytes.map(|b| b as u64),
        file_sha256: row.file_sha256,
        snapshot_bytes: row.snapshot_bytes.map(|b| b as u64),
        key_version: row.key_version,
        targets,
        error: row.error,
    }
}

/// Starts a backup's row (`running`).
pub async fn start(
    db: &DatabaseConnection,
    id: uuid::Uuid,
    scope: Scope,
    source: &str,
    taken_at: DateTime<Utc>,
    file_name: &str,
) -> DomainResult<()> {
    let (scope, tenant) = match scope {
        Scope::Workspace(tenant) => ("workspace", Some(tenant)),
        Scope::ControlPlane => ("control", None),
    };
    backup::ActiveModel {
        id: Set(id),
        scope: Set(scope.to_owned()),
        tenant_id: Set(tenant),
        source: Set(source.to_owned()),
        taken_at: Set(taken_at),
        finished_at: Set(None),
        state: Set(RUNNING.to_owned()),
        file_name: Set(file_name.to_owned()),
        file_bytes: Set(None),
        file_sha256: Set(None),
        snapshot_bytes: Set(None),
        snapshot_sha256: Set(None),
        key_version: Set(String::new()),
        fingerprint: Set(None),
        error: Set(None),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// What a finished backup records.
pub struct Finished<'a> {
    pub file_bytes: u64,
    pub file_sha256: &'a str,
    pub snapshot_bytes: u64,
    pub snapshot_sha256: &'a str,
    pub key_version: &'a str,
    pub fingerprint: Option<&'a str>,
    /// Targets that failed (the others hold verified copies).
    pub error: Option<String>,
}

pub async fn add_copy(db: &DatabaseConnection, id: uuid::Uuid, target: &str, bytes: u64) -> DomainResult<()> {
    backup_copy::ActiveModel {
        backup_id: Set(id),
        target: Set(target.to_owned()),
        state: Set(VERIFIED.to_owned()),
        bytes: Set(bytes as i64),
        verified_at: Set(Some(Utc::now())),
    }
    .insert(db)
    .await?;
    Ok(())
}

pub async fn finish(db: &DatabaseConnection, id: uuid::Uuid, done: Finished<'_>) -> DomainResult<()> {
    backup::Entity::update_many()
        .col_expr(backup::Column::State, Expr::value(VERIFIED))
        .col_expr(backup::Column::FinishedAt, Expr::value(Some(Utc::now())))
        .col_expr(backup::Column::FileBytes, Expr::value(Some(done.file_bytes as i64)))
        .col_expr(backup::Column::FileSha256, Expr::value(Some(done.file_sha256.to_owned())))
        .col_expr(backup::Column::SnapshotBytes, Expr::value(Some(done.snapshot_bytes as i64)))
        .col_expr(backup::Column::SnapshotSha256, Expr::value(Some(done.snapshot_sha256.to_owned())))
        .col_expr(backup::Column::KeyVersion, Expr::value(done.key_version.to_owned()))
        .col_expr(backup::Column::Fingerprint, Expr::value(done.fingerprint.map(str::to_owned)))
        .col_expr(backup::Column::Error, Expr::value(done.error))
        .filter(backup::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn fail(db: &DatabaseConnection, id: uuid::Uuid, error: &str) -> DomainResult<()> {
    backup::Entity::update_many()
        .col_expr(backup::Column::State, Expr::value(FAILED))
        .col_expr(backup::Column::FinishedAt, Expr::value(Some(Utc::now())))
        .col_expr(backup::Column::Error, Expr::value(Some(error.to_owned())))
        .filter(backup::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Backups still `running` that began before `before` were interrupted (their process died).
pub async fn mark_interrupted(db: &DatabaseConnection, before: DateTime<Utc>) -> DomainResult<u64> {
    Ok(backup::Entity::update_many()
        .col_expr(backup::Column::State, Expr::value(FAILED))
        .col_expr(backup::Column::Error, Expr::value(Some("interrupted".to_owned())))
        .filter(backup::Column::State.eq(RUNNING))
        .filter(backup::Column::TakenAt.lt(before))
        .exec(db)
        .await?
        .rows_affected)
}

/// Backups of `tenant` (or of the control plane with `None`), newest first; every scope with `all`.
pub async fn list(db: &DatabaseConnection, scope: Option<Scope>) -> DomainResult<Vec<BackupRecord>> {
    let mut query = backup::Entity::find().order_by_desc(backup::Column::TakenAt);
    match scope {
        Some(Scope::Workspace(tenant)) => query = query.filter(backup::Column::TenantId.eq(tenant)),
        Some(Scope::ControlPlane) => query = query.filter(backup::Column::Scope.eq("control")),
        None => {}
    }
    let rows = query.all(db).await?;
    let ids: Vec<uuid::Uuid> = rows.iter().map(|r| r.id).collect();
    let copies = if ids.is_empty() {
        Vec::new()
    } else {
        backup_copy::Entity::find().filter(backup_copy::Column::BackupId.is_in(ids)).all(db).await?
    };
    Ok(rows.into_iter().map(|row| record(row, &copies)).collect())
}

pub async fn get(db: &DatabaseConnection, id: uuid::Uuid) -> DomainResult<BackupRecord> {
    let row = backup::Entity::find_by_id(id).one(db).await?.ok_or(crate::error::DomainError::NotFound)?;
    let copies = backup_copy::Entity::find().filter(backup_copy::Column::BackupId.eq(id)).all(db).await?;
    Ok(record(row, &copies))
}

/// The fingerprint of the newest good backup of `tenant`, to tell whether it changed since.
pub async fn last_fingerprint(db: &DatabaseConnection, tenant: TenantId) -> DomainResult<Option<String>> {
    Ok(backup::Entity::find()
        .filter(backup::Column::TenantId.eq(tenant.as_uuid()))
        .filter(backup::Column::State.eq(VERIFIED))
        .order_by_desc(backup::Column::TakenAt)
        .one(db)
        .await?
        .and_then(|row| row.fingerprint))
}

/// Marks the copy of `id` on `target` deleted (pruned); drops the backup's row once no copy is left.
pub async fn delete_copy(db: &DatabaseConnection, id: uuid::Uuid, target: &str) -> DomainResult<()> {
    backup_copy::Entity::update_many()
        .col_expr(backup_copy::Column::State, Expr::value(DELETED))
        .filter(backup_copy::Column::BackupId.eq(id))
        .filter(backup_copy::Column::Target.eq(target))
        .exec(db)
        .await?;
    let left = backup_copy::Entity::find()
        .filter(backup_copy::Column::BackupId.eq(id))
        .filter(backup_copy::Column::State.eq(VERIFIED))
        .all(db)
        .await?;
    if left.is_empty() {
        backup::Entity::delete_by_id(id).exec(db).await?;
    }
    Ok(())
}

/// A complete backup file found on a target that the catalogue does not list as good there (disaster
/// recovery: a restored control plane lists neither its own backup, still `running` in its snapshot,
/// nor backups made after it).
pub struct Found<'a> {
    pub id: uuid::Uuid,
    pub scope: Scope,
    pub source: &'a str,
    pub taken_at: DateTime<Utc>,
    pub file_name: &'a str,
    pub target: &'a str,
    pub file_bytes: u64,
    pub file_sha256: &'a str,
    pub key_version: String,
    /// The snapshot's size and SHA-256, known when the file was decrypted.
    pub snapshot: Option<(u64, String)>,
    /// Said in the listing (where it came from).
    pub note: String,
}

/// Records `found` as a verified backup with its copy on `found.target`, replacing what the catalogue
/// said of that id before.
pub async fn import(db: &DatabaseConnection, found: Found<'_>) -> DomainResult<()> {
    use sea_orm::TransactionTrait as _;
    let txn = db.begin().await?;
    backup_copy::Entity::delete_many().filter(backup_copy::Column::BackupId.eq(found.id)).exec(&txn).await?;
    backup::Entity::delete_by_id(found.id).exec(&txn).await?;
    let (scope, tenant) = match found.scope {
        Scope::Workspace(tenant) => ("workspace", Some(tenant)),
        Scope::ControlPlane => ("control", None),
    };
    let (snapshot_bytes, snapshot_sha256) = found.snapshot.map_or((None, None), |(b, s)| (Some(b as i64), Some(s)));
    backup::ActiveModel {
        id: Set(found.id),
        scope: Set(scope.to_owned()),
        tenant_id: Set(tenant),
        source: Set(found.source.to_owned()),
        taken_at: Set(found.taken_at),
        finished_at: Set(Some(Utc::now())),
        state: Set(VERIFIED.to_owned()),
        file_name: Set(found.file_name.to_owned()),
        file_bytes: Set(Some(found.file_bytes as i64)),
        file_sha256: Set(Some(found.file_sha256.to_owned())),
        snapshot_bytes: Set(snapshot_bytes),
        snapshot_sha256: Set(snapshot_sha256),
        key_version: Set(found.key_version),
        fingerprint: Set(None),
        error: Set(Some(found.note)),
    }
    .insert(&txn)
    .await?;
    backup_copy::ActiveModel {
        backup_id: Set(found.id),
        target: Set(found.target.to_owned()),
        state: Set(VERIFIED.to_owned()),
        bytes: Set(found.file_bytes as i64),
        verified_at: Set(Some(Utc::now())),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(())
}
