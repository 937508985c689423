//! Backups (OPS1–OPS3): consistent online snapshots of every workspace database and of the control
//! plane, compressed and encrypted, copied to every configured target and read back, catalogued,
//! pruned by 7 daily / 4 weekly / 3 monthly, and restored beside live or onto live.
//!
//! - [`retention`]: the pure function that decides which backups to keep.
//! - [`format`]: the file format (zstd, then AES-256-GCM STREAM chunks, a manifest).
//! - [`snapshot`]: `VACUUM INTO` / `pg_dump -Fc`, and putting a snapshot back.
//! - [`target`]: where copies go (a directory), written as partial files and renamed once verified.
//! - [`catalogue`]: the control-plane tables listing every backup and copy.
//! - [`restore`]: decrypting a backup, restoring it beside or onto live, and the restore test.
//! - [`disaster`]: rebuilding a whole installation from one target's files (`strongroom restore --all`).
//! - `upkeep`: the scheduled run, retention after each new backup, clean-up after dead runs.
//!
//! A workspace backup's random key is wrapped by the workspace's data key (so crypto-shredding the
//! workspace makes its backups unreadable as well); a control-plane backup's key by a key derived from
//! the master key. No backup touches live data; only an explicit restore onto live does, and that
//! first makes a backup of the current state.

pub mod beside;
pub mod catalogue;
pub mod disaster;
pub mod format;
pub mod restore;
pub mod retention;
pub mod snapshot;
pub mod target;
mod upkeep;

use crate::crypto::{KeyPurpose, Keys, Vault, master_key_id};
use crate::db::Backend;
use crate::entities::control::tenant::{self, TenantStatus};
use crate::error::{DomainError, DomainResult};
use crate::ids::TenantId;
use crate::tenancy::{Tenancy, TenantPlacement};
use catalogue::BackupRecord;
use chrono::Utc;
use format::{Header, Scope, Source, WrappedKey};
use sea_orm::{ColumnTrait as _, ConnectionTrait as _, DatabaseConnection, EntityTrait as _, QueryFilter as _};
use secrecy::{ExposeSecret as _, SecretBox};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
pub use target::{S3Bucket, Target, TargetKind};
pub use upkeep::{RestoreTestReport, register_job, register_restore_test_job};

/// The name of the backup job in the scheduler.
pub const BACKUP_JOB: &str = "backups";
/// The scheduled restore test's job name, and how often it runs.
pub const RESTORE_TEST_JOB: &str = "backup-restore-test";
pub const RESTORE_TEST_EVERY: Duration = Duration::from_secs(24 * 3600);
/// The default interval between backups (the recovery point), and the shortest allowed.
pub const DEFAULT_EVERY: Duration = Duration::from_secs(3600);
pub const MIN_EVERY: Duration = Duration::from_secs(300);
/// Partial files and `running` rows older than this were left by a backup that died.
pub const STALE_AFTER: Duration = Duration::from_secs(6 * 3600);
/// How often a target that fails is tried again within one backup.
const ATTEMPTS: u32 = 3;

/// What the configuration says about backups.
#[derive(Debug, Clone)]
pub struct BackupSettings {
    pub every: Duration,
    /// Where snapshots are taken and sealed before they are copied (plaintext stays only here, briefly).
    pub work_dir: PathBuf,
    pub targets: Vec<Target>,
    pub policy: retention::RetentionPolicy,
}

/// Called with (stage, done, total) as a long operation goes on (`total` 0 when not known).
pub type Progress = Arc<dyn Fn(&str, u64, u64) + Send + Sync>;

/// No progress reports.
pub fn quiet() -> Progress {
    Arc::new(|_, _, _| {})
}

/// What one scheduled run did.
#[derive(Debug, Default)]
pub struct RunReport {
    pub backed_up: Vec<BackupRecord>,
    /// Workspaces that had not changed since their last good backup.
    pub unchanged: usize,
    /// What failed (a workspace's address or "control plane", and why).
    pub failed: Vec<(String, String)>,
}

/// The backup service.
pub struct Backups {
    control: DatabaseConnection,
    control_url: String,
    tenancy: Arc<Tenancy>,
    vault: Arc<Vault>,
    /// For the control-plane changes a restore onto live owes (the members, see
    /// [`crate::workspace::restored_members`]).
    mailer: Arc<crate::mail::Mailer>,
    settings: BackupSettings,
}

fn io_join(error: tokio::task::JoinError) -> DomainError {
    DomainError::Io(std::io::Error::other(error))
}

/// Removes a work file when dropped (whatever happens to the backup).
struct WorkFile(PathBuf);

impl Drop for WorkFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

impl Backups {
    pub fn new(
        control: DatabaseConnection,
        control_url: String,
        tenancy: Arc<Tenancy>,
        vault: Arc<Vault>,
        mailer: Arc<crate::mail::Mailer>,
        settings: BackupSettings,
    ) -> Self {
        Self { control, control_url, tenancy, vault, mailer, settings }
    }

    pub fn settings(&self) -> &BackupSettings {
        &self.settings
    }

    pub(crate) fn tenancy(&self) -> &Tenancy {
        &self.tenancy
    }

    /// The configured target called `name`.
    pub fn target(&self, name: &str) -> DomainResult<&Target> {
        self.settings
            .targets
            .iter()
            .find(|t| t.name == name)
            .ok_or_else(|| DomainError::Misconfigured(format!("no backup target is called `{name}`")))
    }

    pub(crate) fn work_path(&self, name: &str) -> PathBuf {
        self.settings.work_dir.join(name)
    }

    async fn tenant_row(&self, tenant: TenantId) -> DomainResult<tenant::Model> {
        tenant::Entity::find_by_id(tenant.as_uuid())
            .filter(tenant::Column::Status.eq(TenantStatus::Active))
            .one(&self.control)
            .await?
            .ok_or(DomainError::NotFound)
    }

    /// The connection URL of a workspace's live database.
    pub(crate) fn tenant_url(&self, row: &tenant::Model) -> DomainResult<String> {
        self.tenancy.placement().url_for(&row.db_name)
    }

    /// What changes with every write to a workspace: the head of its audit chain (every change is
    /// audited in its own transaction).
    async fn fingerprint(db: &DatabaseConnection) -> DomainResult<Option<String>> {
        let row = db
            .query_one_raw(sea_orm::Statement::from_string(
                db.get_database_backend(),
                "SELECT seq, hash FROM audit_chain_head",
            ))
            .await?;
        Ok(match row {
            Some(row) => Some(format!("{}:{}", row.try_get::<i64>("", "seq")?, row.try_get::<String>("", "hash")?)),
            None => None,
        })
    }

    /// Backs up one workspace now (whether or not it changed), copies it to every target, and prunes.
    #[tracing::instrument(skip(self, progress))]
    pub async fn back_up_workspace(&self, tenant: TenantId, progress: Progress) -> DomainResult<BackupRecord> {
        let row = self.tenant_row(tenant).await?;
        let db = self.tenancy.open(&row).await?;
        let fingerprint = Self::fingerprint(&db).await?;
        let record = self.back_up(Scope::Workspace(tenant.as_uuid()), Some((&row, &db)), fingerprint, progress).await?;
        self.prune_scope(Scope::Workspace(tenant.as_uuid()), record.id).await?;
        Ok(record)
    }

    /// Backs up the control-plane database now, copies it to every target, and prunes.
    #[tracing::instrument(skip(self, progress))]
    pub async fn back_up_control_plane(&self, progress: Progress) -> DomainResult<BackupRecord> {
        let record = self.back_up(Scope::ControlPlane, None, None, progress).await?;
        self.prune_scope(Scope::ControlPlane, record.id).await?;
        Ok(record)
    }

    fn file_name(scope: Scope, id: uuid::Uuid, at: chrono::DateTime<Utc>) -> String {
        format!("{}{}-{}{}", file_prefix(scope), at.format("%Y%m%dt%H%M%Sz"), id.simple(), target::EXTENSION)
    }

    /// Wraps a new backup key for `scope`; returns the header's key field and its version label.
    async fn wrap_key(&self, scope: Scope, id: uuid::Uuid, key: &[u8; 32]) -> DomainResult<(WrappedKey, String)> {
        let wrapped = match scope {
            Scope::Workspace(tenant) => {
                let keys = self.vault.field_keys(TenantId::from(tenant)).await?;
                let (version, sealed) = keys.wrap_backup_key(&id.to_string(), key);
                WrappedKey::WorkspaceDataKey { version, sealed }
            }
            Scope::ControlPlane => {
                let keys = self.vault.keys();
                let sealed = keys.seal(KeyPurpose::BackupKeyWrap, &control_context(id), key);
                WrappedKey::MasterKey { master_key_id: master_key_id(keys), sealed }
            }
        };
        let version = key_version(&wrapped);
        Ok((wrapped, version))
    }

    /// Unwraps the key of the backup whose header is `header`.
    pub(crate) async fn unwrap_key(&self, header: &Header) -> DomainResult<SecretBox<[u8; 32]>> {
        unwrap_key(&self.vault, header).await
    }

    /// Snapshot, seal, copy to every target, record. `tenant` is the workspace's row and pool (None:
    /// the control plane).
    async fn back_up(
        &self,
        scope: Scope,
        tenant: Option<(&tenant::Model, &DatabaseConnection)>,
        fingerprint: Option<String>,
        progress: Progress,
    ) -> DomainResult<BackupRecord> {
        if self.settings.targets.is_empty() {
            return Err(DomainError::Misconfigured("no backup target is configured".into()));
        }
        tokio::fs::create_dir_all(&self.settings.work_dir).await?;
        let id = uuid::Uuid::new_v4();
        let taken_at = Utc::now();
        let (db, url) = match tenant {
            Some((row, db)) => (db.clone(), self.tenant_url(row)?),
            None => (self.control.clone(), self.control_url.clone()),
        };
        let backend = Backend::of_url(&url).map_err(DomainError::Misconfigured)?;
        let source = match backend {
            Backend::Sqlite => Source::Sqlite,
            Backend::Postgres => Source::Postgres,
        };
        let file_name = Self::file_name(scope, id, taken_at);
        catalogue::start(&self.control, id, scope, backend.as_str(), taken_at, &file_name).await?;
        let outcome = self.make(scope, id, taken_at, source, &db, &url, &file_name, fingerprint, progress).await;
        if let Err(error) = &outcome {
            let _ = catalogue::fail(&self.control, id, &error.to_string()).await;
        }
        outcome?;
        catalogue::get(&self.control, id).await
    }

    #[allow(clippy::too_many_arguments)]
    async fn make(
        &self,
        scope: Scope,
        id: uuid::Uuid,
        taken_at: chrono::DateTime<Utc>,
        source: Source,
        db: &DatabaseConnection,
        url: &str,
        file_name: &str,
        fingerprint: Option<String>,
        progress: Progress,
    ) -> DomainResult<()> {
        let snapshot = WorkFile(self.work_path(&format!(".partial-{}.snapshot", id.simple())));
        let sealed = WorkFile(self.work_path(&format!(".partial-{file_name}")));
        progress("snapshot", 0, 0);
        let row_counts = match source {
            Source::Sqlite => {
                snapshot::sqlite_snapshot(db, &snapshot.0).await?;
                snapshot::sqlite_check(&snapshot.0).await?
            }
            Source::Postgres => {
                snapshot::postgres_snapshot(db, url, &snapshot.0).await?;
                Default::default()
            }
        };
        let key = SecretBox::new(Box::new(rand::random::<[u8; 32]>()));
        let (wrapped, key_version) = self.wrap_key(scope, id, key.expose_secret()).await?;
        let header = Header {
            backup_id: id,
            scope,
            source,
            taken_at,
            key: wrapped,
            nonce: format::random_nonce(),
            compression: "zstd".into(),
            chunk_bytes: format::CHUNK_BYTES as u32,
        };
        let (from, to) = (snapshot.0.clone(), sealed.0.clone());
        let total = tokio::fs::metadata(&from).await?.len();
        let sealing = progress.clone();
        let (file_sha256, file_bytes, manifest) = tokio::task::spawn_blocking(move || {
            let input = std::io::BufReader::new(std::fs::File::open(&from)?);
            let output = format::Hashing::new(std::io::BufWriter::new(std::fs::File::create(&to)?));
            let report = |done| sealing("encrypt", done, total);
            let (output, manifest) = format::seal(input, output, &header, key.expose_secret(), row_counts, &report)?;
            let (writer, sha256, bytes) = output.finish();
            writer.into_inner().map_err(|e| e.into_error())?.sync_all()?;
            Ok::<_, std::io::Error>((sha256, bytes, manifest))
        })
        .await
        .map_err(io_join)??;
        drop(snapshot);
        let mut copied = 0;
        let mut failures = Vec::new();
        for target in &self.settings.targets {
            progress(&format!("copy to {}", target.name), 0, file_bytes);
            let stage = format!("copy to {}", target.name);
            let copying = progress.clone();
            let report: Progress = Arc::new(move |_, done, total| copying(&stage, done, total));
            match self.copy_with_retries(target, file_name, &sealed.0, &file_sha256, &report).await {
                Ok(bytes) => {
                    catalogue::add_copy(&self.control, id, &target.name, bytes).await?;
                    copied += 1;
                }
                Err(error) => {
                    tracing::error!(%error, target = %target.name, "a backup target failed");
                    failures.push(format!("{}: {error}", target.name));
                }
            }
        }
        if copied == 0 {
            return Err(DomainError::Unreachable { service: "every backup target", reason: failures.join("; ") });
        }
        let done = catalogue::Finished {
            file_bytes,
            file_sha256: &file_sha256,
            snapshot_bytes: manifest.snapshot_bytes,
            snapshot_sha256: &manifest.snapshot_sha256,
            key_version: &key_version,
            fingerprint: fingerprint.as_deref(),
            error: (!failures.is_empty()).then(|| failures.join("; ")),
        };
        catalogue::finish(&self.control, id, done).await?;
        progress("done", file_bytes, file_bytes);
        Ok(())
    }

    async fn copy_with_retries(
        &self,
        target: &Target,
        name: &str,
        file: &Path,
        sha256: &str,
        progress: &Progress,
    ) -> DomainResult<u64> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            match target.put(name, file, sha256, progress).await {
                Ok(bytes) => return Ok(bytes),
                Err(error) if attempt < ATTEMPTS => {
                    tracing::warn!(%error, target = %target.name, attempt, "backup copy failed; trying again");
                    tokio::time::sleep(Duration::from_millis(500 * u64::from(attempt))).await;
                }
                Err(error) => return Err(error),
            }
        }
    }

    /// Every backup of `scope` (all with `None`), newest first.
    pub async fn list(&self, scope: Option<Scope>) -> DomainResult<Vec<BackupRecord>> {
        catalogue::list(&self.control, scope).await
    }

    pub async fn get(&self, id: uuid::Uuid) -> DomainResult<BackupRecord> {
        catalogue::get(&self.control, id).await
    }

    pub(crate) fn placement(&self) -> &TenantPlacement {
        self.tenancy.placement()
    }
}

/// How the names of `scope`'s backup files begin (then the moment taken, so names sort by time).
pub(crate) fn file_prefix(scope: Scope) -> String {
    match scope {
        Scope::Workspace(tenant) => format!("ws-{}-", tenant.simple()),
        Scope::ControlPlane => "control-".to_owned(),
    }
}

fn control_context(id: uuid::Uuid) -> String {
    format!("backups:control:{id}")
}

/// Unwraps the key of the backup whose header is `header`: a workspace's by its data key in `vault`, the
/// control plane's by the master key's.
pub(crate) async fn unwrap_key(vault: &Vault, header: &Header) -> DomainResult<SecretBox<[u8; 32]>> {
    match (&header.scope, &header.key) {
        (Scope::Workspace(tenant), WrappedKey::WorkspaceDataKey { version, sealed }) => {
            let keys = vault.field_keys(TenantId::from(*tenant)).await?;
            keys.unwrap_backup_key(*version, &header.backup_id.to_string(), sealed)
        }
        (Scope::ControlPlane, _) => unwrap_control_key(vault.keys(), header),
        _ => Err(DomainError::Tampered(format!("backup {}: its key does not fit its scope", header.backup_id))),
    }
}

/// Unwraps the key of a control-plane backup, which the master key's derived keys wrapped.
pub(crate) fn unwrap_control_key(keys: &Keys, header: &Header) -> DomainResult<SecretBox<[u8; 32]>> {
    let context = header.backup_id.to_string();
    let (Scope::ControlPlane, WrappedKey::MasterKey { master_key_id: wrapped_by, sealed }) =
        (&header.scope, &header.key)
    else {
        return Err(DomainError::Tampered(format!("backup {context}: its key does not fit its scope")));
    };
    if *wrapped_by != master_key_id(keys) {
        return Err(DomainError::Misconfigured(format!(
            "this control-plane backup's key is wrapped under master key {wrapped_by}, not this server's"
        )));
    }
    let bytes = keys
        .open(KeyPurpose::BackupKeyWrap, &control_context(header.backup_id), sealed)
        .map_err(|_| DomainError::Tampered(format!("the key of backup {context} does not open")))?;
    let key: [u8; 32] = bytes
        .try_into()
        .map_err(|_| DomainError::Tampered(format!("the key of backup {context} has the wrong length")))?;
    Ok(SecretBox::new(Box::new(key)))
}

/// How the catalogue names the key that wrapped a backup's key.
pub(crate) fn key_version(key: &WrappedKey) -> String {
    match key {
        WrappedKey::WorkspaceDataKey { version, .. } => format!("data:{version}"),
        WrappedKey::MasterKey { master_key_id, .. } => format!("master:{master_key_id}"),
    }
}
