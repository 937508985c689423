//! A workspace's backups page (OPS2, UX2): its backups and the operation running or last finished.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupsDto {
    pub backups: Vec<BackupDto>,
    pub operation: Option<BackupOperationDto>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupDto {
    pub id: String,
    pub taken_at: String,
    /// `verified`, `running` or `failed`.
    pub state: String,
    pub bytes: Option<u64>,
    pub targets: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupOperationDto {
    /// `back_up` or `restore`.
    pub kind: String,
    pub started_at: String,
    /// `starting`, `snapshot`, `encrypt`, `copy`, `safety_backup`, `restore` or `done`.
    pub stage: String,
    /// The target being copied to, in the `copy` stage.
    pub target: Option<String>,
    pub done: u64,
    pub total: u64,
    /// `None` while it runs, else `succeeded` or `failed`.
    pub outcome: Option<String>,
}

impl BackupOperationDto {
    pub fn running(&self) -> bool {
        self.outcome.is_none()
    }
}

#[cfg(feature = "ssr")]
mod from_domain {
    use super::*;
    use crate::dto::timestamp;
    use domain::workspace::backups::{BackupStatus, Operation, OperationKind, Outcome, Stage, WorkspaceBackup};

    impl From<WorkspaceBackup> for BackupDto {
        fn from(b: WorkspaceBackup) -> Self {
            let state = match b.state {
                BackupStatus::Verified => "verified",
                BackupStatus::Running => "running",
                BackupStatus::Failed => "failed",
            };
            Self {
                id: b.id.to_string(),
                taken_at: timestamp(b.taken_at),
                state: state.to_owned(),
                bytes: b.bytes,
                targets: b.targets,
            }
        }
    }

    impl From<Operation> for BackupOperationDto {
        fn from(op: Operation) -> Self {
            let (stage, target) = match op.stage {
                Stage::Starting => ("starting", None),
                Stage::Snapshot => ("snapshot", None),
                Stage::Encrypt => ("encrypt", None),
                Stage::Copy(target) => ("copy", Some(target)),
                Stage::SafetyBackup => ("safety_backup", None),
                Stage::Restore => ("restore", None),
                Stage::Done => ("done", None),
            };
            Self {
                kind: match op.kind {
                    OperationKind::BackUp => "back_up",
                    OperationKind::Restore => "restore",
                }
                .to_owned(),
                started_at: timestamp(op.started_at),
                stage: stage.to_owned(),
                target,
                done: op.done,
                total: op.total,
                outcome: op.outcome.map(|o| {
                    match o {
                        Outcome::Succeeded => "succeeded",
                        Outcome::Failed => "failed",
                    }
                    .to_owned()
                }),
            }
        }
    }
}
