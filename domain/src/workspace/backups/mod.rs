//! A workspace's backups, for its administrators (OPS2, UX2): the list of its backups with their
//! copies, "back up now", restoring a backup onto live, and opening one beside live as a read-only
//! copy to browse ([`super::backup_copy`]). All of it takes `backups.manage`.
//!
//! A backup or a restore takes from seconds to minutes, longer than a request should wait, so it runs
//! as a task of its own; [`BackupOperations`] holds what it reports (stage, bytes done of total) so that
//! the page can poll it, be left and be opened again. One operation runs per workspace at a time: asking
//! again while one runs is answered with the one running (a double click starts nothing twice). The
//! request is audited in the workspace before the task starts; the backup itself is the catalogue's.
//! A restore replaces the audit log too (with the backup's, whose chain it continues), then records
//! `backup.restored` by the administrator; its request stays on record only when the restore failed.
//!
//! A portable export ([`super::portable`]) runs the same way, and waits for its download by the
//! administrator who asked for it ([`exports`]).
//!
//! A copy opened beside live is kept for [`COPY_KEPT`], one per workspace (opening another replaces
//! it), and removed when closed or past its time; a deleted workspace's copy goes with it. Copies
//! describe themselves where they are kept ([`crate::backup::beside`]), so a restarted server, or
//! another one on the same PostgreSQL, finds them, and the backup job sweeps those past their time.
//!
//! The operations and the finished exports are kept in this server's memory: with several servers,
//! the page polls the one the load balancer sends it to, so a balancer without sticky sessions may
//! show "nothing running" while another server works, and a restart forgets them (an export's file,
//! already unlinked, goes with the process). The backups list, from the shared catalogue, is right on
//! every server.

use super::Caller;
use super::audit::{self, Actor};
use crate::backup::catalogue::{BackupRecord, BackupState};
use crate::backup::format::Scope;
use crate::backup::{Backups, Progress};
use crate::error::{DomainError, DomainResult};
use crate::ids::TenantId;
use chrono::{DateTime, Utc};
use model::Permission;
use serde_json::json;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

mod copies;
mod exports;

pub use copies::{COPY_KEPT, OpenCopy};
pub use exports::{EXPORT_KEPT, ReadyExport};

/// One of the workspace's backups as its administrators see it (never the error detail, which is for
/// operators).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkspaceBackup {
    pub id: uuid::Uuid,
    pub taken_at: DateTime<Utc>,
    pub state: BackupStatus,
    /// The size of the encrypted file.
    pub bytes: Option<u64>,
    /// Where a verified copy is kept.
    pub targets: Vec<String>,
}

/// Whether a backup can be restored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackupStatus {
    /// Verified, with at least one copy read back right: it can be restored.
    Verified,
    Running,
    /// Failed, or verified once but no copy is left.
    Failed,
}

impl From<&BackupRecord> for BackupStatus {
    fn from(record: &BackupRecord) -> Self {
        match record.state {
            _ if record.is_good() => Self::Verified,
            BackupState::Running => Self::Running,
            BackupState::Verified | BackupState::Failed => Self::Failed,
        }
    }
}

/// What a long operation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OperationKind {
    BackUp,
    Restore,
    /// Restoring a backup beside live, as a read-only copy to browse.
    OpenCopy,
    /// Making a portable export, to download once made.
    Export,
}

/// Where an operation is, from the backup service's progress reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stage {
    Starting,
    Snapshot,
    Encrypt,
    /// Copying to a target, by its name.
    Copy(String),
    /// A restore's backup of the current state, made first.
    SafetyBackup,
    Restore,
    /// Making a portable export's zip.
    Export,
    Done,
}

impl Stage {
    /// The stage of a progress report (the names the backup service uses).
    fn parse(stage: &str) -> Self {
        match stage {
            "snapshot" => Self::Snapshot,
            "encrypt" => Self::Encrypt,
            "backup of the current state" => Self::SafetyBackup,
            "restore" => Self::Restore,
            "export" => Self::Export,
            "done" => Self::Done,
            other => match other.strip_prefix("copy to ") {
                Some(target) => Self::Copy(target.to_owned()),
                None => Self::Starting,
            },
        }
    }
}

/// How an operation ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Succeeded,
    /// Refused for a reason the administrator can act on, with nothing changed (a restore that would
    /// leave the workspace without an owner).
    Refused(model::Conflict),
    Failed,
}

/// An operation running or finished, as the page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    pub kind: OperationKind,
    pub started_at: DateTime<Utc>,
    pub stage: Stage,
    pub done: u64,
    /// 0 while not known.
    pub total: u64,
    /// `None` while it runs.
    pub outcome: Option<Outcome>,
    /// The backup made (a backup) or restored (a restore).
    pub backup: Option<uuid::Uuid>,
}

/// The operations of every workspace on this server: the one running, or the last one finished.
#[derive(Clone)]
pub struct BackupOperations {
    backups: Arc<Backups>,
    by_workspace: Arc<Mutex<HashMap<TenantId, Operation>>>,
    exports: exports::Exports,
}

impl BackupOperations {
    pub fn new(backups: Arc<Backups>) -> Self {
        Self { backups, by_workspace: Arc::default(), exports: Arc::default() }
    }

    fn table(&self) -> std::sync::MutexGuard<'_, HashMap<TenantId, Operation>> {
        lock(&self.by_workspace)
    }

    /// Records a new operation unless one runs already; returns whether this one is new.
    fn begin(&self, tenant: TenantId, kind: OperationKind, backup: Option<uuid::Uuid>) -> bool {
        let mut table = self.table();
        if table.get(&tenant).is_some_and(|op| op.outcome.is_none()) {
            return false;
        }
        let started_at = Utc::now();
        table.insert(
            tenant,
            Operation { kind, started_at, stage: Stage::Starting, done: 0, total: 0, outcome: None, backup },
        );
        true
    }

    fn reporter(&self, tenant: TenantId) -> Progress {
        let operations = self.clone();
        Arc::new(move |stage, done, total| {
            if let Some(op) = operations.table().get_mut(&tenant) {
                op.stage = Stage::parse(stage);
                op.done = done;
                op.total = total;
            }
        })
    }

    fn end(&self, tenant: TenantId, result: DomainResult<Option<uuid::Uuid>>) {
        if let Some(op) = self.table().get_mut(&tenant) {
            match result {
                Ok(backup) => {
                    op.outcome = Some(Outcome::Succeeded);
                    op.stage = Stage::Done;
                    op.backup = backup.or(op.backup);
                }
                Err(DomainError::Conflict(refusal)) => {
                    tracing::warn!(?refusal, %tenant, kind = ?op.kind, "a backup operation was refused");
                    op.outcome = Some(Outcome::Refused(refusal));
                }
                Err(error) => {
                    tracing::error!(%error, %tenant, kind = ?op.kind, "a backup operation asked for by an administrator failed");
                    op.outcome = Some(Outcome::Failed);
                }
            }
        }
    }

    /// The workspace's operation running now, or the last one finished on this server.
    pub fn current(&self, caller: &Caller) -> DomainResult<Option<Operation>> {
        caller.require(Permission::BackupsManage)?;
        Ok(self.table().get(&caller.workspace.id).cloned())
    }

    /// The workspace's backups, newest first.
    pub async fn list(&self, caller: &Caller) -> DomainResult<Vec<WorkspaceBackup>> {
        caller.require(Permission::BackupsManage)?;
        let records = self.backups.list(Some(Scope::Workspace(caller.workspace.id.as_uuid()))).await?;
        Ok(records
            .iter()
            .map(|record| WorkspaceBackup {
                id: record.id,
                taken_at: record.taken_at,
                state: BackupStatus::from(record),
                bytes: record.file_bytes,
                targets: record.targets.clone(),
            })
            .collect())
    }

    /// Starts a backup of the workspace now (or leaves the operation already running alone).
    pub async fn back_up_now(&self, caller: &Caller) -> DomainResult<()> {
        caller.require(Permission::BackupsManage)?;
        let tenant = caller.workspace.id;
        if !self.begin(tenant, OperationKind::BackUp, None) {
            return Ok(());
        }
        let audited = ("backup.requested", "workspace", tenant.to_string(), json!({}));
        self.audit_and_spawn(caller, audited, move |backups, progress| async move {
            backups.back_up_workspace(tenant, progress).await.map(|record| Some(record.id))
        })
        .await
    }

    /// Starts restoring the workspace's verified backup `id` onto live: the backup service first backs up
    /// the current state (so the restore can be undone), then puts every row of the backup back.
    /// `confirm` must be the workspace's address, as for deleting it.
    pub async fn restore_onto_live(&self, caller: &Caller, id: uuid::Uuid, confirm: &str) -> DomainResult<()> {
        caller.require(Permission::BackupsManage)?;
        if confirm.trim() != caller.workspace.slug.as_str() {
            return Err(model::ValidationError::Required { field: model::Field::WorkspaceSlug }.into());
        }
        let tenant = caller.workspace.id;
        let record = self.workspace_backup(tenant, id).await?;
        if !self.begin(tenant, OperationKind::Restore, Some(id)) {
            return Err(DomainError::Conflict(model::Conflict::BackupOperationRunning));
        }
        let changes = json!({ "backup": id.to_string(), "taken_at": record.taken_at.to_rfc3339() });
        let actor = Actor::from(caller);
        self.audit_and_spawn(caller, ("backup.restore_requested", "backup", id.to_string(), changes), {
            move |backups, progress| async move { backups.restore_onto_live(id, &actor, progress).await.map(|_| Some(id)) }
        })
        .await
    }

    /// The workspace's backup `id`, if it can be restored; another workspace's is simply not found.
    async fn workspace_backup(&self, tenant: TenantId, id: uuid::Uuid) -> DomainResult<BackupRecord> {
        let record = self.backups.get(id).await.map_err(|_| DomainError::NotFound)?;
        if record.scope != Scope::Workspace(tenant.as_uuid()) || !record.is_good() {
            return Err(DomainError::NotFound);
        }
        Ok(record)
    }

    /// For an operation that [`Self::begin`] accepted: audits the request as the caller's (action, object
    /// kind, object id, changes), ending the operation if that fails, then runs `task` as a task of its
    /// own, whose result ends the operation.
    async fn audit_and_spawn<F, Fut>(
        &self,
        caller: &Caller,
        (action, object, object_id, changes): (&str, &str, String, serde_json::Value),
        task: F,
    ) -> DomainResult<()>
    where
        F: FnOnce(Arc<Backups>, Progress) -> Fut + Send + 'static,
        Fut: Future<Output = DomainResult<Option<uuid::Uuid>>> + Send + 'static,
    {
        let tenant = caller.workspace.id;
        if let Err(error) = audit::record(&caller.db, &Actor::from(caller), action, object, &object_id, changes).await {
            self.end(tenant, Err(DomainError::Misconfigured("the request could not be audited".into())));
            return Err(error);
        }
        let (operations, progress, backups) = (self.clone(), self.reporter(tenant), self.backups.clone());
        tokio::spawn(async move {
            let result = task(backups, progress).await;
            operations.end(tenant, result);
        });
        Ok(())
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl std::fmt::Debug for BackupOperations {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BackupOperations").field("workspaces", &self.table().len()).finish_non_exhaustive()
    }
}
