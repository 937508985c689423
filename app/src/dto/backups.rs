//! A workspace's backups page (OPS2, UX2): its backups, the operation running or last finished, and the
//! copy of a backup open beside live with what it holds.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupsDto {
    pub backups: Vec<BackupDto>,
    pub operation: Option<BackupOperationDto>,
    /// The backup open beside live, if any.
    pub copy: Option<BackupCopyDto>,
    /// The caller's own portable export, made and waiting for its download.
    pub export_ready: Option<ReadyExportDto>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadyExportDto {
    pub file_name: String,
    pub bytes: u64,
    pub expires_at: String,
}

/// A backup open beside live as a read-only copy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupCopyDto {
    pub backup: String,
    /// The moment the copy shows.
    pub taken_at: String,
    /// When it is removed.
    pub expires_at: String,
}

/// The copy's page: what it is and what it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupCopyPageDto {
    pub copy: BackupCopyDto,
    pub orders: CopyListDto<CopyOrderDto>,
    pub customers: CopyListDto<CopyCustomerDto>,
    pub suppliers: CopyListDto<String>,
    pub requests: CopyListDto<CopyRequestDto>,
}

/// The first rows of one of the copy's lists, and how many it has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CopyListDto<T> {
    pub rows: Vec<T>,
    pub total: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CopyOrderDto {
    pub number: i64,
    pub customer: String,
    pub status: String,
    pub total: String,
    pub currency: String,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CopyCustomerDto {
    pub number: i64,
    pub name: String,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CopyRequestDto {
    pub number: i64,
    pub title: String,
    pub requester: String,
    pub supplier: String,
    pub status: super::RequestStatusDto,
    pub total: String,
    pub currency: String,
    pub created_at: String,
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
    /// `back_up`, `restore`, `open_copy` or `export`.
    pub kind: String,
    pub started_at: String,
    /// `starting`, `snapshot`, `encrypt`, `copy`, `safety_backup`, `restore`, `export` or `done`.
    pub stage: String,
    /// The target being copied to, in the `copy` stage.
    pub target: Option<String>,
    pub done: u64,
    pub total: u64,
    /// `None` while it runs, else `succeeded`, `refused` (nothing changed, for `refusal`) or `failed`.
    pub outcome: Option<String>,
    pub refusal: Option<model::Conflict>,
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
    use domain::workspace::backup_copy::{CopyContents, CopyCustomer, CopyOrder, CopyRequest, Listing};
    use domain::workspace::backups::{
        BackupStatus, OpenCopy, Operation, OperationKind, Outcome, ReadyExport, Stage, WorkspaceBackup,
    };

    impl From<ReadyExport> for ReadyExportDto {
        fn from(r: ReadyExport) -> Self {
            Self { file_name: r.file_name, bytes: r.bytes, expires_at: timestamp(r.expires_at) }
        }
    }
    use model::Cents;

    impl From<OpenCopy> for BackupCopyDto {
        fn from(c: OpenCopy) -> Self {
            Self { backup: c.backup.to_string(), taken_at: timestamp(c.taken_at), expires_at: timestamp(c.expires_at) }
        }
    }

    impl BackupCopyPageDto {
        pub fn new(copy: OpenCopy, contents: CopyContents) -> Self {
            Self {
                copy: copy.into(),
                orders: list(contents.orders),
                customers: list(contents.customers),
                suppliers: list(contents.suppliers),
                requests: list(contents.requests),
            }
        }
    }

    fn list<T, D: From<T>>(listing: Listing<T>) -> CopyListDto<D> {
        CopyListDto { rows: listing.rows.into_iter().map(D::from).collect(), total: listing.total }
    }

    impl From<CopyOrder> for CopyOrderDto {
        fn from(o: CopyOrder) -> Self {
            Self {
                number: o.number,
                customer: o.customer,
                status: o.status.as_str().to_owned(),
                total: Cents(o.total_cents).format(),
                currency: o.currency,
                created_at: timestamp(o.created_at),
            }
        }
    }

    impl From<CopyCustomer> for CopyCustomerDto {
        fn from(c: CopyCustomer) -> Self {
            Self { number: c.number, name: c.name, created_at: timestamp(c.created_at) }
        }
    }

    impl From<CopyRequest> for CopyRequestDto {
        fn from(r: CopyRequest) -> Self {
            Self {
                number: r.number,
                title: r.title,
                requester: r.requester,
                supplier: r.supplier,
                status: r.status.into(),
                total: Cents(r.total_cents).format(),
                currency: r.currency,
                created_at: timestamp(r.created_at),
            }
        }
    }

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
                Stage::Export => ("export", None),
                Stage::Done => ("done", None),
            };
            Self {
                kind: match op.kind {
                    OperationKind::BackUp => "back_up",
                    OperationKind::Restore => "restore",
                    OperationKind::OpenCopy => "open_copy",
                    OperationKind::Export => "export",
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
                        Outcome::Refused(_) => "refused",
                        Outcome::Failed => "failed",
                    }
                    .to_owned()
                }),
                refusal: match op.outcome {
                    Some(Outcome::Refused(refusal)) => Some(refusal),
                    _ => None,
                },
            }
        }
    }
}
