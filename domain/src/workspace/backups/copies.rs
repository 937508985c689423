//! Copies of backups opened beside live (see the parent module): at most one per workspace, removed
//! when closed, replaced, past [`COPY_KEPT`] or when the workspace is deleted. They are kept where
//! [`crate::backup::beside`] keeps them, described by themselves, not in this server's memory.

use super::{BackupOperations, OperationKind};
pub use crate::backup::beside::COPY_KEPT;
use crate::backup::beside::PageCopy;
use crate::error::{DomainError, DomainResult};
use crate::ids::TenantId;
use crate::workspace::Caller;
use crate::workspace::audit::{self, Actor};
use chrono::{DateTime, Utc};
use model::Permission;
use serde_json::json;

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

impl From<&PageCopy> for OpenCopy {
    fn from(copy: &PageCopy) -> Self {
        let label = &copy.label;
        Self {
            backup: label.backup,
            taken_at: label.taken_at,
            opened_at: label.opened_at,
            expires_at: label.expires_at(),
        }
    }
}

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
        self.audit_and_spawn(caller, ("backup.copy_opened", "backup", id.to_string(), changes), {
            move |backups, progress| async move {
                let opened = backups.open_page_copy(tenant, id, progress).await?;
                for replaced in backups.page_copies(Some(tenant)).await? {
                    if replaced.copy.place != opened.copy.place {
                        backups.discard_page_copy(&replaced).await;
                    }
                }
                Ok(Some(id))
            }
        })
        .await
    }

    /// The copy of a backup open beside live for the workspace, if any, with its address. A copy past
    /// its time is not shown; removing it is the backup job's sweep ([`Self::remove_expired_copies`]),
    /// so that showing a page never walks every workspace's copies.
    pub async fn open_copy_of(&self, caller: &Caller) -> DomainResult<Option<(OpenCopy, String)>> {
        caller.require(Permission::BackupsManage)?;
        let now = Utc::now();
        let copies = self.backups.page_copies(Some(caller.workspace.id)).await?;
        let newest = copies.into_iter().find(|copy| copy.label.expires_at() > now);
        Ok(newest.map(|copy| (OpenCopy::from(&copy), copy.copy.url)))
    }

    /// Removes the copies (of every workspace) whose time is up at `now`; returns how many. A failure
    /// to look is logged: the next sweep tries again.
    pub async fn remove_expired_copies(&self, now: DateTime<Utc>) -> usize {
        self.backups.remove_expired_page_copies(now).await.unwrap_or_else(|error| {
            tracing::error!(%error, "the copies opened beside live could not be swept");
            0
        })
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
        let copies = self.backups.page_copies(Some(caller.workspace.id)).await?;
        let Some(backup) = copies.first().map(|copy| copy.label.backup) else { return Ok(()) };
        let changes = json!({ "backup": backup.to_string() });
        audit::record(&caller.db, &Actor::from(caller), "backup.copy_closed", "backup", &backup.to_string(), changes)
            .await?;
        for copy in &copies {
            self.backups.discard_page_copy(copy).await;
        }
        Ok(())
    }

    /// Removes the workspace's copies beside live (when the workspace is deleted).
    pub async fn remove_copy(&self, tenant: TenantId) -> DomainResult<()> {
        for copy in self.backups.page_copies(Some(tenant)).await? {
            self.backups.discard_page_copy(&copy).await;
        }
        Ok(())
    }
}
