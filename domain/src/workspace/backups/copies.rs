//! Copies of backups opened beside live (see the parent module): one per workspace on this server,
//! removed when closed, replaced, past [`COPY_KEPT`] or when the workspace is deleted.

use super::{BackupOperations, OperationKind, lock};
use crate::backup::Backups;
use crate::backup::restore::RestoredCopy;
use crate::error::{DomainError, DomainResult};
use crate::ids::TenantId;
use crate::workspace::Caller;
use crate::workspace::audit::{self, Actor};
use chrono::{DateTime, Utc};
use model::Permission;
use serde_json::json;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// How long a copy opened beside live is kept before it is removed.
pub const COPY_KEPT: chrono::TimeDelta = chrono::TimeDelta::hours(24);

/// A backup opened beside live, as its page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenCopy {
    pub backup: uuid::Uuid,
    /// The moment the copy shows.
    pub taken_at: DateTime<Utc>,
    pub opened_at: DateTime<Utc>,
    /// When it is removed (unless closed before).
    pub expires_at: DateTime<Utc>,
}

/// The copies opened beside live on this server: at most one per workspace.
pub(super) type Copies = Arc<Mutex<HashMap<TenantId, (OpenCopy, RestoredCopy)>>>;

impl BackupOperations {
    /// Starts opening the workspace's verified backup `id` beside live: restored into a read-only
    /// database of its own, kept for [`COPY_KEPT`] (or until closed), live data untouched. A copy
    /// opened before is replaced.
    pub async fn open_copy(&self, caller: &Caller, id: uuid::Uuid) -> DomainResult<()> {
        caller.require(Permission::BackupsManage)?;
        let tenant = caller.workspace.id;
        let record = self.workspace_backup(tenant, id).await?;
        if !self.begin(tenant, OperationKind::OpenCopy, Some(id)) {
            return Err(DomainError::Conflict(model::Conflict::BackupOperationRunning));
        }
        let changes = json!({ "backup": id.to_string(), "taken_at": record.taken_at.to_rfc3339() });
        let operations = self.clone();
        self.audit_and_spawn(caller, ("backup.copy_opened", "backup", id.to_string(), changes), {
            move |backups, progress| async move {
                let copy = backups.restore_beside(id, progress).await?;
                let opened_at = Utc::now();
                let view =
                    OpenCopy { backup: id, taken_at: copy.taken_at, opened_at, expires_at: opened_at + COPY_KEPT };
                let replaced = lock(&operations.copies).insert(tenant, (view, copy));
                if let Some((_, old)) = replaced {
                    discard(&backups, &old).await;
                }
                // Removed when its time is up, whether or not anyone looks at the page again.
                tokio::spawn(async move {
                    tokio::time::sleep(COPY_KEPT.to_std().unwrap_or_default()).await;
                    operations.remove_expired_copies(Utc::now()).await;
                });
                Ok(Some(id))
            }
        })
        .await
    }

    /// The copy of a backup open beside live for the workspace, if any. Copies past their time, of
    /// any workspace, are removed first.
    pub async fn open_copy_of(&self, caller: &Caller) -> DomainResult<Option<(OpenCopy, String)>> {
        caller.require(Permission::BackupsManage)?;
        self.remove_expired_copies(Utc::now()).await;
        Ok(lock(&self.copies).get(&caller.workspace.id).map(|(view, copy)| (view.clone(), copy.url.clone())))
    }

    /// Removes the copies (of every workspace) whose time is up at `now`; returns how many.
    pub async fn remove_expired_copies(&self, now: DateTime<Utc>) -> usize {
        let expired: Vec<RestoredCopy> = {
            let mut copies = lock(&self.copies);
            let gone: Vec<TenantId> =
                copies.iter().filter(|(_, (view, _))| view.expires_at <= now).map(|(tenant, _)| *tenant).collect();
            gone.iter().filter_map(|tenant| copies.remove(tenant)).map(|(_, copy)| copy).collect()
        };
        for copy in &expired {
            discard(&self.backups, copy).await;
        }
        expired.len()
    }

    /// The copy open beside live and its lists, if one is open.
    pub async fn browse_copy(
        &self,
        caller: &Caller,
    ) -> DomainResult<Option<(OpenCopy, crate::workspace::backup_copy::CopyContents)>> {
        let Some((view, url)) = self.open_copy_of(caller).await? else { return Ok(None) };
        Ok(Some((view, crate::workspace::backup_copy::read(&url).await?)))
    }

    /// Closes the copy open beside live: removed now, and the closing audited.
    pub async fn close_copy(&self, caller: &Caller) -> DomainResult<()> {
        caller.require(Permission::BackupsManage)?;
        let Some(backup) = lock(&self.copies).get(&caller.workspace.id).map(|(view, _)| view.backup) else {
            return Ok(());
        };
        let changes = json!({ "backup": backup.to_string() });
        audit::record(&caller.db, &Actor::from(caller), "backup.copy_closed", "backup", &backup.to_string(), changes)
            .await?;
        self.remove_copy(caller.workspace.id).await;
        Ok(())
    }

    /// Removes the workspace's copy beside live, if one is open (when the workspace is deleted).
    pub async fn remove_copy(&self, tenant: TenantId) {
        let removed = lock(&self.copies).remove(&tenant);
        if let Some((_, copy)) = removed {
            discard(&self.backups, &copy).await;
        }
    }
}

/// Removes a copy; a copy that could not be removed is logged for operators (it is read-only and
/// leaves live data alone, so nothing else waits on it).
async fn discard(backups: &Backups, copy: &RestoredCopy) {
    if let Err(error) = backups.discard_copy(copy).await {
        tracing::error!(%error, backup = %copy.backup, "a copy opened beside live could not be removed");
    }
}
