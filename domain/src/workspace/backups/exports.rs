//! Portable exports made in the background (OPS2): the zip of a large workspace takes longer than a
//! request may wait, so it is made as an operation of the workspace (the page shows it running and
//! can be left), and the finished zip waits for [`EXPORT_KEPT`] for the administrator who asked for it,
//! and only for them. It is handed out once (an open file whose name is already gone); a new export
//! of theirs replaces one not yet downloaded.

use super::{BackupOperations, OperationKind, lock};
use crate::error::{DomainError, DomainResult};
use crate::identity::PasswordConfirmed;
use crate::ids::{TenantId, UserId};
use crate::workspace::Caller;
use crate::workspace::portable::{self, PortableExport};
use chrono::{DateTime, Utc};
use model::Permission;
use secrecy::SecretString;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// How long a finished export waits for its download.
pub const EXPORT_KEPT: chrono::TimeDelta = chrono::TimeDelta::hours(1);

/// A finished export waiting for its download, as the page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadyExport {
    pub file_name: String,
    pub bytes: u64,
    /// When it is thrown away if not downloaded.
    pub expires_at: DateTime<Utc>,
}

/// The finished exports on this server, by workspace and the administrator who asked.
pub(super) type Exports = Arc<Mutex<HashMap<(TenantId, UserId), (ReadyExport, PortableExport)>>>;

impl BackupOperations {
    /// Starts a portable export of the caller's workspace; `confirmed` is their password, typed again
    /// in this request. The export itself checks the permission again and audits it.
    pub async fn start_export(
        &self,
        caller: &Caller,
        confirmed: PasswordConfirmed,
        passphrase: Option<SecretString>,
    ) -> DomainResult<()> {
        caller.require(Permission::BackupsManage)?;
        let tenant = caller.workspace.id;
        if !self.begin(tenant, OperationKind::Export, None) {
            return Err(DomainError::Conflict(model::Conflict::BackupOperationRunning));
        }
        let (operations, progress, caller) = (self.clone(), self.reporter(tenant), caller.clone());
        let work_dir = self.backups.settings().work_dir.clone();
        tokio::spawn(async move {
            progress("export", 0, 0);
            let result = portable::export(&caller, &confirmed, passphrase, &work_dir).await.map(|export| {
                let ready = ReadyExport {
                    file_name: export.file_name.clone(),
                    bytes: export.bytes,
                    expires_at: Utc::now() + EXPORT_KEPT,
                };
                lock(&operations.exports).insert((tenant, caller.user), (ready, export));
                let later = operations.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(EXPORT_KEPT.to_std().unwrap_or_default()).await;
                    later.remove_expired_exports(Utc::now());
                });
                None
            });
            operations.end(tenant, result);
        });
        Ok(())
    }

    /// The caller's own finished export in this workspace, if one waits.
    pub fn ready_export(&self, caller: &Caller) -> DomainResult<Option<ReadyExport>> {
        caller.require(Permission::BackupsManage)?;
        self.remove_expired_exports(Utc::now());
        Ok(lock(&self.exports).get(&(caller.workspace.id, caller.user)).map(|(ready, _)| ready.clone()))
    }

    /// Hands out the caller's own finished export, once (not found when none waits).
    pub fn take_export(&self, caller: &Caller) -> DomainResult<PortableExport> {
        caller.require(Permission::BackupsManage)?;
        self.remove_expired_exports(Utc::now());
        let taken = lock(&self.exports).remove(&(caller.workspace.id, caller.user));
        taken.map(|(_, export)| export).ok_or(DomainError::NotFound)
    }

    /// Throws away the exports (of every workspace) not downloaded by `now`; returns how many. Their
    /// files have no name left: closing them frees the space.
    pub fn remove_expired_exports(&self, now: DateTime<Utc>) -> usize {
        let mut exports = lock(&self.exports);
        let before = exports.len();
        exports.retain(|_, (ready, _)| ready.expires_at > now);
        before - exports.len()
    }
}
