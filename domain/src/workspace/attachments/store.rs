//! The file store of attachment bodies (DATA4): `<data_dir>/attachments/<workspace id>/<random name>`,
//! on every backend (the tenant database keeps only metadata). Names are 32 random hex characters,
//! never derived from anything a user sent; files are created new (never overwritten), mode 0600,
//! and hold only ciphertext. The directory is outside anything the web server serves (checked when the
//! configuration is validated).

use crate::error::{DomainError, DomainResult};
use crate::ids::TenantId;
use rand::RngCore as _;
use std::path::{Path, PathBuf};

/// Limits and place of attachments, validated at start (`server::config`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentSettings {
    pub dir: PathBuf,
    /// Largest file accepted, in bytes.
    pub max_file_bytes: u64,
    /// Most bytes of attachments one workspace may keep.
    pub workspace_quota_bytes: u64,
}

impl AttachmentSettings {
    pub const DEFAULT_MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;
    pub const DEFAULT_QUOTA_BYTES: u64 = 1024 * 1024 * 1024;
}

pub struct AttachmentStore {
    settings: AttachmentSettings,
}

/// A fresh random storage name.
pub(super) fn random_name() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

fn is_storage_name(name: &str) -> bool {
    name.len() == 32 && name.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

fn io_error(what: &str, path: &Path, error: std::io::Error) -> DomainError {
    DomainError::Unreachable { service: "attachment store", reason: format!("{what} {}: {error}", path.display()) }
}

impl AttachmentStore {
    pub fn new(settings: AttachmentSettings) -> Self {
        Self { settings }
    }

    pub fn settings(&self) -> &AttachmentSettings {
        &self.settings
    }

    fn path(&self, tenant: TenantId, name: &str) -> DomainResult<PathBuf> {
        if !is_storage_name(name) {
            return Err(DomainError::Tampered(format!("attachment storage name {name:?} is not one we made")));
        }
        Ok(self.settings.dir.join(tenant.as_uuid().simple().to_string()).join(name))
    }

    /// Writes a new file (fails if the name exists).
    #[tracing::instrument(skip(self, bytes), fields(bytes = bytes.len()))]
    pub(super) async fn write(&self, tenant: TenantId, name: &str, bytes: Vec<u8>) -> DomainResult<()> {
        let path = self.path(tenant, name)?;
        tokio::task::spawn_blocking(move || {
            use std::io::Write as _;
            let dir = path.parent().expect("a file in a directory");
            std::fs::create_dir_all(dir).map_err(|e| io_error("creating", dir, e))?;
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options.open(&path).map_err(|e| io_error("creating", &path, e))?;
            file.write_all(&bytes).and_then(|()| file.sync_all()).map_err(|e| io_error("writing", &path, e))
        })
        .await
        .map_err(|e| DomainError::Unreachable { service: "attachment store", reason: e.to_string() })?
    }

    #[tracing::instrument(skip(self))]
    pub(super) async fn read(&self, tenant: TenantId, name: &str) -> DomainResult<Vec<u8>> {
        let path = self.path(tenant, name)?;
        tokio::fs::read(&path).await.map_err(|e| io_error("reading", &path, e))
    }

    /// Removes every file of a deleted workspace (already unreadable: its keys are destroyed).
    pub(crate) async fn remove_workspace(&self, tenant: TenantId) {
        let dir = self.settings.dir.join(tenant.as_uuid().simple().to_string());
        if let Err(error) = tokio::fs::remove_dir_all(&dir).await
            && error.kind() != std::io::ErrorKind::NotFound
        {
            tracing::error!(%error, dir = %dir.display(), "a deleted workspace's attachments could not be removed");
        }
    }

    /// Removes a file (after its row could not be written); a missing file is fine.
    pub(super) async fn remove(&self, tenant: TenantId, name: &str) {
        if let Ok(path) = self.path(tenant, name)
            && let Err(error) = tokio::fs::remove_file(&path).await
            && error.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!(%error, path = %path.display(), "an orphaned attachment file could not be removed");
        }
    }
}
