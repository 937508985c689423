//! Reading backups back (OPS1, OPS2): the restore test, restoring beside live (a read-only copy) and
//! restoring onto live (after a backup of the current state).
//!
//! Every path starts the same way: a copy whose SHA-256 is the catalogue's is fetched from a target, its
//! header must name the backup and scope the catalogue expects, its key is unwrapped (a shredded
//! workspace has no key left: its backups do not open), and it is decrypted into the work directory,
//! where the result must authenticate chunk by chunk, match its manifest and pass the database's own
//! check before anything else uses it.

use super::format::{self, Header, Manifest, Scope, Source};
use super::{BackupRecord, Backups, Progress, WorkFile, io_join, snapshot};
use crate::error::{DomainError, DomainResult};
use crate::ids::TenantId;
use crate::tenancy::TenantPlacement;
use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait as _;
use secrecy::{ExposeSecret as _, SecretBox};
use std::path::{Path, PathBuf};

/// A restored copy beside live: where it is (read-only) and what moment it shows.
#[derive(Debug, Clone)]
pub struct RestoredCopy {
    pub backup: uuid::Uuid,
    pub taken_at: DateTime<Utc>,
    /// A read-only connection URL (`sqlite://…?mode=ro`, or a PostgreSQL database whose transactions
    /// are read-only by default).
    pub url: String,
    /// Where it is kept, for [`Backups::discard_copy`].
    pub place: CopyPlace,
}

/// Where a copy restored beside live is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CopyPlace {
    File(PathBuf),
    /// A database on the PostgreSQL server, by name.
    Database(String),
}

/// Where [`Backups::restore_beside_at`] puts a copy: `file` on SQLite, the (new) `database` on
/// PostgreSQL, which gets `note` as its comment.
pub(crate) struct CopyAt {
    pub file: PathBuf,
    pub database: String,
    pub note: Option<String>,
}

/// What a restore onto live did.
#[derive(Debug, Clone)]
pub struct LiveRestore {
    /// The backup of the state just before (so the restore itself can be undone).
    pub safety_backup: BackupRecord,
    pub restored: uuid::Uuid,
    /// Who lost their membership by it (see [`crate::workspace::restored_members`]).
    pub members: crate::workspace::restored_members::AlignedMembers,
}

/// The outcome of checking one copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyCheck {
    pub target: String,
    /// `Ok` when it read back with the catalogue's SHA-256 (and, for a deep check, decrypted, passed the
    /// database's integrity check and had the manifest's row counts).
    pub result: Result<(), String>,
}

/// A decrypted snapshot in the work directory (deleted when dropped).
pub(super) struct Decrypted {
    pub(super) file: WorkFile,
    pub(super) source: Source,
    pub(super) manifest: Manifest,
}

/// The header of the backup file at `path`, and the additional data its chunks are bound to.
pub(super) async fn read_file_header(path: &Path) -> DomainResult<(Header, [u8; 32])> {
    let path = path.to_owned();
    Ok(tokio::task::spawn_blocking(move || {
        let mut file = std::io::BufReader::new(std::fs::File::open(path)?);
        format::read_header(&mut file).map_err(std::io::Error::from)
    })
    .await
    .map_err(io_join)??)
}

/// Decrypts the backup file at `path` (whose header is `header`) with its unwrapped `key` into a new
/// file in `work_dir`. Every chunk must authenticate, in order, and the whole must match its manifest.
/// `total` is the snapshot's size if known (for progress only).
pub(super) async fn decrypt_file(
    path: &Path,
    (header, aad): (Header, [u8; 32]),
    key: SecretBox<[u8; 32]>,
    work_dir: &Path,
    total: u64,
    progress: &Progress,
) -> DomainResult<Decrypted> {
    let out = WorkFile(work_dir.join(format!(".partial-{}.restore", uuid::Uuid::new_v4().simple())));
    let (from, to, report) = (path.to_owned(), out.0.clone(), progress.clone());
    let (backup, source) = (header.backup_id, header.source);
    let manifest = tokio::task::spawn_blocking(move || {
        let mut input = std::io::BufReader::new(std::fs::File::open(from)?);
        format::read_header(&mut input)?;
        let output = std::io::BufWriter::new(std::fs::File::create(&to)?);
        let progress = |done| report("decrypt", done, total);
        let (output, manifest) = format::open(input, output, &header, aad, key.expose_secret(), &progress)?;
        output.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        Ok::<_, std::io::Error>(manifest)
    })
    .await
    .map_err(io_join)?
    .map_err(|e| match format::format_error(&e) {
        Some(refused) => DomainError::Tampered(format!("backup {backup}: {refused}")),
        None => DomainError::Io(e),
    })?;
    Ok(Decrypted { file: out, source, manifest })
}

/// The database's own check of a decrypted snapshot, and (SQLite) its row counts against the manifest.
pub(super) async fn check_decrypted(decrypted: &Decrypted) -> DomainResult<()> {
    match decrypted.source {
        Source::Sqlite => {
            let counts = snapshot::sqlite_check(&decrypted.file.0).await?;
            if counts != decrypted.manifest.row_counts {
                return Err(DomainError::Tampered("the restored rows differ from the backup's manifest".into()));
            }
            Ok(())
        }
        Source::Postgres => snapshot::postgres_list(&decrypted.file.0).await,
    }
}

impl Backups {
    /// Fetches, checks, unwraps and decrypts the copy of `record` on `target`.
    async fn decrypt(&self, record: &BackupRecord, target: &str, progress: &Progress) -> DomainResult<Decrypted> {
        let target = self.target(target)?;
        // The bytes checked are the bytes read below: fetched first (downloaded, for a bucket), then hashed.
        let fetched = target.fetch(&record.file_name, &self.settings.work_dir).await?;
        let (sha256, _) = super::target::hash_file(fetched.path()).await?;
        if Some(&sha256) != record.file_sha256.as_ref() {
            return Err(DomainError::Tampered(format!(
                "the copy of backup {} on {} is not the file that was written",
                record.id, target.name
            )));
        }
        let (header, aad) = read_file_header(fetched.path()).await?;
        if header.backup_id != record.id || header.scope != record.scope {
            return Err(DomainError::Tampered(format!("the file of backup {} names another backup", record.id)));
        }
        let key = self.unwrap_key(&header).await?;
        let total = record.snapshot_bytes.unwrap_or(0);
        decrypt_file(fetched.path(), (header, aad), key, &self.settings.work_dir, total, progress).await
    }

    /// Decrypts from the first target whose copy verifies.
    async fn decrypt_any(&self, record: &BackupRecord, progress: &Progress) -> DomainResult<Decrypted> {
        if !record.is_good() {
            return Err(DomainError::Misconfigured(format!("backup {} is not a verified backup", record.id)));
        }
        let mut last = None;
        for target in &record.targets {
            match self.decrypt(record, target, progress).await {
                Ok(decrypted) => return Ok(decrypted),
                Err(error @ DomainError::KeysDestroyed(_)) => return Err(error),
                Err(error) => {
                    tracing::warn!(%error, target, backup = %record.id, "a backup copy could not be read");
                    last = Some(error);
                }
            }
        }
        Err(last.unwrap_or(DomainError::NotFound))
    }

    /// Checks every copy of backup `id`: read back and hashed, and with `deep` the restore test
    /// (decrypted into scratch, integrity-checked, row counts compared).
    pub async fn verify(&self, id: uuid::Uuid, deep: bool, progress: Progress) -> DomainResult<Vec<CopyCheck>> {
        let record = self.get(id).await?;
        let mut checks = Vec::new();
        for target in &record.targets {
            let result = async {
                if deep {
                    let decrypted = self.decrypt(&record, target, &progress).await?;
                    check_decrypted(&decrypted).await
                } else {
                    let (sha256, _) = self.target(target)?.hash(&record.file_name).await?;
                    if Some(&sha256) == record.file_sha256.as_ref() {
                        Ok(())
                    } else {
                        Err(DomainError::Tampered("the copy reads back with another SHA-256".into()))
                    }
                }
            }
            .await
            .map_err(|e| e.to_string());
            checks.push(CopyCheck { target: target.clone(), result });
        }
        Ok(checks)
    }

    pub(crate) fn restored_dir(&self) -> PathBuf {
        match self.placement() {
            TenantPlacement::Sqlite { dir } => dir.join("restored"),
            TenantPlacement::Postgres { .. } => self.settings.work_dir.join("restored"),
        }
    }

    /// Restores backup `id` beside live: a new, read-only database with the backup's content (for a
    /// workspace, brought to the current schema so it can be browsed), live data untouched.
    pub async fn restore_beside(&self, id: uuid::Uuid, progress: Progress) -> DomainResult<RestoredCopy> {
        // A name of its own each time: the same backup may be restored beside live twice.
        let file = self.restored_dir().join(format!("{}-{}.db", id.simple(), uuid::Uuid::new_v4().simple()));
        let database = self.placement().database_name(TenantId::new_random());
        self.restore_beside_at(id, progress, CopyAt { file, database, note: None }).await
    }

    /// [`Self::restore_beside`] into the file (SQLite) or database (PostgreSQL) `at` names; a
    /// PostgreSQL database gets `at.note` as its comment.
    #[tracing::instrument(skip(self, progress, at))]
    pub(crate) async fn restore_beside_at(
        &self,
        id: uuid::Uuid,
        progress: Progress,
        at: CopyAt,
    ) -> DomainResult<RestoredCopy> {
        let record = self.get(id).await?;
        let decrypted = self.decrypt_any(&record, &progress).await?;
        check_decrypted(&decrypted).await?;
        progress("restore", 0, 0);
        let workspace = matches!(record.scope, Scope::Workspace(_));
        let (url, place) = match (decrypted.source, self.placement()) {
            (Source::Sqlite, _) => {
                let path = at.file;
                if let Some(dir) = path.parent() {
                    tokio::fs::create_dir_all(dir).await?;
                }
                tokio::fs::copy(&decrypted.file.0, &path).await?;
                if workspace {
                    snapshot::migrate_tenant_copy(&format!("sqlite://{}?mode=rwc", path.display())).await?;
                }
                let mut permissions = tokio::fs::metadata(&path).await?.permissions();
                permissions.set_readonly(true);
                tokio::fs::set_permissions(&path, permissions).await?;
                (read_only_sqlite_url(&path), CopyPlace::File(path))
            }
            (Source::Postgres, placement @ TenantPlacement::Postgres { .. }) => {
                let db_name = at.database;
                placement.create_database(&db_name).await?;
                let url = placement.url_for(&db_name)?;
                snapshot::postgres_restore(&url, &decrypted.file.0, false).await?;
                if workspace {
                    snapshot::migrate_tenant_copy(&url).await?;
                }
                let db = crate::db::connect(
                    &url,
                    crate::db::PoolLimits { max_connections: 1, ..crate::db::PoolLimits::TENANT },
                )
                .await?;
                db.execute_unprepared(&format!("ALTER DATABASE \"{db_name}\" SET default_transaction_read_only = on"))
                    .await?;
                db.close().await?;
                if let Some(note) = &at.note {
                    placement.describe_database(&db_name, note).await?;
                }
                (url, CopyPlace::Database(db_name))
            }
            (Source::Postgres, TenantPlacement::Sqlite { .. }) => {
                return Err(DomainError::Misconfigured(
                    "a PostgreSQL backup can only be restored where a PostgreSQL server is configured".into(),
                ));
            }
        };
        tracing::info!(backup = %id, "backup restored beside live");
        Ok(RestoredCopy { backup: id, taken_at: record.taken_at, url, place })
    }

    /// Removes a copy that [`Self::restore_beside`] made (gone already is fine).
    #[tracing::instrument(skip(self))]
    pub async fn discard_copy(&self, copy: &RestoredCopy) -> DomainResult<()> {
        match &copy.place {
            CopyPlace::File(path) => match tokio::fs::remove_file(path).await {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
                _ => Ok(()),
            },
            CopyPlace::Database(name) => self.placement().drop_database(name).await,
        }
    }

    /// Restores workspace backup `id` onto the live workspace: first a backup of the current state
    /// (which must verify), then every row is replaced by the backup's, in one transaction, and the
    /// restore is recorded in the workspace's audit log as done by `actor` (an operator's restore: the
    /// system; an administrator's: them). Then who may enter follows the rule of
    /// [`crate::workspace::restored_members`]: nobody removed since the backup comes back. A restore
    /// that would leave the workspace without an owner is undone (the state before is put back) and
    /// refused with [`model::Conflict::RestoreLeavesNoOwner`].
    #[tracing::instrument(skip(self, actor, progress))]
    pub async fn restore_onto_live(
        &self,
        id: uuid::Uuid,
        actor: &crate::workspace::audit::Actor,
        progress: Progress,
    ) -> DomainResult<LiveRestore> {
        let record = self.get(id).await?;
        let Scope::Workspace(tenant) = record.scope else {
            return Err(DomainError::Misconfigured(
                "the control plane is restored beside live (then configured as the database), not onto it".into(),
            ));
        };
        let tenant = TenantId::from(tenant);
        // Decrypt and check first: a backup that does not open must not cost the live state anything.
        let decrypted = self.decrypt_any(&record, &progress).await?;
        check_decrypted(&decrypted).await?;
        progress("backup of the current state", 0, 0);
        let safety_backup = self.back_up_workspace(tenant, progress.clone()).await?;
        let changes = serde_json::json!({
            "backup": id.to_string(),
            "taken_at": record.taken_at.to_rfc3339(),
            "safety_backup": safety_backup.id.to_string(),
        });
        progress("restore", 0, 0);
        let db = self.put_back(tenant, &decrypted, actor, ("backup.restored", id, changes)).await?;
        drop(decrypted);
        let members = crate::workspace::restored_members::align(&self.control, &self.mailer, tenant, &db, actor).await;
        if let Err(DomainError::Conflict(model::Conflict::RestoreLeavesNoOwner)) = members {
            tracing::warn!(backup = %id, workspace = %tenant, "the restore would leave no owner: undone");
            let before = self.decrypt_any(&safety_backup, &progress).await?;
            let changes = serde_json::json!({ "backup": id.to_string(), "reason": "no owner would be left" });
            self.put_back(tenant, &before, actor, ("backup.restore_undone", safety_backup.id, changes)).await?;
            return Err(DomainError::Conflict(model::Conflict::RestoreLeavesNoOwner));
        }
        let members = members?;
        tracing::info!(backup = %id, workspace = %tenant, removed = members.removed.len(),
            ended = members.ended.len(), "backup restored onto live");
        Ok(LiveRestore { safety_backup, restored: id, members })
    }

    /// Replaces every row of the live workspace `tenant` by those of `decrypted` and records `audited`
    /// (action, backup id, changes) in its audit log; returns the connection to the restored database.
    async fn put_back(
        &self,
        tenant: TenantId,
        decrypted: &Decrypted,
        actor: &crate::workspace::audit::Actor,
        (action, id, changes): (&str, uuid::Uuid, serde_json::Value),
    ) -> DomainResult<sea_orm::DatabaseConnection> {
        let row = self.tenant_row(tenant).await?;
        let live_url = self.tenant_url(&row)?;
        match decrypted.source {
            Source::Sqlite => {
                let copy = &decrypted.file.0;
                snapshot::migrate_tenant_copy(&format!("sqlite://{}?mode=rwc", copy.display())).await?;
                snapshot::sqlite_replace_rows(&live_url, copy, (action, &id.to_string(), changes), actor).await?;
                self.tenancy().evict(tenant);
                self.tenancy().open(&row).await
            }
            Source::Postgres => {
                self.tenancy().evict(tenant);
                snapshot::postgres_restore(&live_url, &decrypted.file.0, true).await?;
                snapshot::migrate_tenant_copy(&live_url).await?;
                self.tenancy().evict(tenant);
                let db = self.tenancy().open(&row).await?;
                crate::workspace::audit::record(&db, actor, action, "backup", &id.to_string(), changes).await?;
                Ok(db)
            }
        }
    }
}

/// The read-only connection URL of a SQLite copy restored beside live.
pub(super) fn read_only_sqlite_url(path: &Path) -> String {
    format!("sqlite://{}?mode=ro", path.display())
}
