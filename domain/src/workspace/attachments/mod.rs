//! Attachments (DATA4): files on sales orders and purchase requests.
//!
//! - Who: whoever may see the order or request may list and download its files (`sales.view`; for a
//!   request, whoever may see that request); adding one takes what changing it takes (`sales.manage`;
//!   `requests.create` and seeing the request). The files belong to their record, so the record's own
//!   permissions decide: no second set of rules to keep in step.
//! - What: the type comes from the bytes ([`content::sniff`]): PDF, PNG, JPEG, WebP, CSV or plain text;
//!   anything else is refused, as is a file over the size limit or one that would take the workspace
//!   over its quota (both configured, validated at start).
//! - How it is kept: sealed (AES-256-GCM) under the workspace's data key, with associated data binding
//!   workspace, table, column and attachment id, in the file store ([`store`]) under a random name; the
//!   row keeps the sanitised name, the type, the size and the key version.
//! - Upload and download are in the audit log (a download is a read of sensitive data).
//!
//! Serving (`Content-Disposition: attachment`, `nosniff`, a sandboxing CSP) is the server's part.

pub mod content;
pub mod store;

use super::Caller;
use super::audit::{self, Actor};
use crate::entities::tenant::{attachment, sales_order};
use crate::error::{DomainError, DomainResult};
use chrono::{DateTime, Utc};
use content::FileKind;
use model::{Conflict, Field, Permission, ValidationError};
use sea_orm::{ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, EntityTrait as _};
use sea_orm::{QueryFilter as _, QueryOrder as _, QuerySelect as _};
use serde_json::json;
pub use store::{AttachmentSettings, AttachmentStore};

const TABLE: &str = "attachments";
const BODY: &str = "body";

/// What a file is attached to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    SalesOrder(uuid::Uuid),
    PurchaseRequest(uuid::Uuid),
}

impl Owner {
    fn kind(self) -> &'static str {
        match self {
            Self::SalesOrder(_) => "sales_order",
            Self::PurchaseRequest(_) => "purchase_request",
        }
    }

    fn id(self) -> uuid::Uuid {
        match self {
            Self::SalesOrder(id) | Self::PurchaseRequest(id) => id,
        }
    }

    fn of_row(row: &attachment::Model) -> Option<Self> {
        match row.owner_type.as_str() {
            "sales_order" => Some(Self::SalesOrder(row.owner_id)),
            "purchase_request" => Some(Self::PurchaseRequest(row.owner_id)),
            _ => None,
        }
    }
}

/// An attachment as shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentInfo {
    pub id: uuid::Uuid,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub created_at: DateTime<Utc>,
}

impl From<attachment::Model> for AttachmentInfo {
    fn from(row: attachment::Model) -> Self {
        Self {
            id: row.id,
            filename: row.filename,
            content_type: row.content_type,
            size_bytes: row.size_bytes,
            created_at: row.created_at,
        }
    }
}

/// A file to hand out.
pub struct Download {
    pub filename: String,
    pub kind: FileKind,
    pub bytes: Vec<u8>,
}

/// Refuses unless the caller may see `owner` (and, with `change`, add files to it). Not found either
/// way when they may not see it.
async fn check(caller: &Caller, owner: Owner, change: bool) -> DomainResult<()> {
    match owner {
        Owner::SalesOrder(id) => {
            caller.require(if change { Permission::SalesManage } else { Permission::SalesView })?;
            sales_order::Entity::find_by_id(id).one(&caller.db).await?.ok_or(DomainError::NotFound)?;
        }
        Owner::PurchaseRequest(id) => {
            crate::workspace::purchasing::requests::visible_request(caller, id).await?;
            if change {
                caller.require(Permission::RequestsCreate)?;
            }
        }
    }
    Ok(())
}

/// Stores `bytes`, sent under the name `sent_name`, as a new attachment of `owner`.
pub async fn upload(caller: &Caller, owner: Owner, sent_name: &str, bytes: Vec<u8>) -> DomainResult<AttachmentInfo> {
    check(caller, owner, true).await?;
    let settings = caller.attachments.settings().clone();
    let size = bytes.len() as u64;
    if size > settings.max_file_bytes {
        return Err(
            ValidationError::FileTooLarge { field: Field::File, max_kib: settings.max_file_bytes / 1024 }.into()
        );
    }
    let kind = content::sniff(&bytes, sent_name).ok_or(ValidationError::FileType { field: Field::File })?;
    let filename = content::display_name(sent_name, kind);
    let keys = caller.field_keys().await?;
    let id = uuid::Uuid::new_v4();
    let storage_name = store::random_name();
    let (version, sealed) = tokio::task::spawn_blocking(move || {
        keys.encrypt_bytes(crate::crypto::FieldRef { table: TABLE, column: BODY, row: &id }, &bytes)
    })
    .await
    .map_err(|e| DomainError::Unreachable { service: "encryption", reason: e.to_string() })?;
    let tenant = caller.workspace.id;
    // The bytes first, then the row: a crash in between leaves an unreadable orphan, never a row
    // without its file.
    caller.attachments.write(tenant, &storage_name, sealed).await?;
    let stored = async {
        let txn = crate::db::begin_write(&caller.db).await?;
        let used: i64 = attachment::Entity::find()
            .select_only()
            .column(attachment::Column::SizeBytes)
            .into_tuple::<i64>()
            .all(&txn)
            .await?
            .into_iter()
            .sum();
        if used.max(0) as u64 + size > settings.workspace_quota_bytes {
            return Err(DomainError::Conflict(Conflict::AttachmentQuotaReached));
        }
        let row = attachment::ActiveModel {
            id: Set(id),
            owner_type: Set(owner.kind().to_owned()),
            owner_id: Set(owner.id()),
            filename: Set(filename.clone()),
            content_type: Set(kind.mime().to_owned()),
            size_bytes: Set(size as i64),
            storage_name: Set(storage_name.clone()),
            key_version: Set(version),
            created_by: Set(Some(caller.user.as_uuid())),
            created_at: Set(Utc::now()),
        }
        .insert(&txn)
        .await?;
        audit::record(
            &txn,
            &Actor::from(caller),
            "attachment.uploaded",
            owner.kind(),
            &owner.id().to_string(),
            json!({ "attachment": id, "filename": filename, "type": kind.mime(), "bytes": size }),
        )
        .await?;
        txn.commit().await?;
        Ok::<_, DomainError>(row)
    }
    .await;
    match stored {
        Ok(row) => Ok(row.into()),
        Err(error) => {
            caller.attachments.remove(tenant, &storage_name).await;
            Err(error)
        }
    }
}

/// The attachments of `owner`, oldest first.
pub async fn list(caller: &Caller, owner: Owner) -> DomainResult<Vec<AttachmentInfo>> {
    check(caller, owner, false).await?;
    Ok(attachment::Entity::find()
        .filter(attachment::Column::OwnerType.eq(owner.kind()))
        .filter(attachment::Column::OwnerId.eq(owner.id()))
        .order_by_asc(attachment::Column::CreatedAt)
        .all(&caller.db)
        .await?
        .into_iter()
        .map(AttachmentInfo::from)
        .collect())
}

/// The clear bytes of the attachment in `row` (no permission check: for callers that made theirs, such as
/// [`download`] and the portable export).
pub(crate) async fn decrypted(caller: &Caller, row: &attachment::Model) -> DomainResult<Vec<u8>> {
    let sealed = caller.attachments.read(caller.workspace.id, &row.storage_name).await?;
    let keys = caller.field_keys().await?;
    let (id, version) = (row.id, row.key_version);
    Ok(tokio::task::spawn_blocking(move || {
        keys.decrypt_bytes(crate::crypto::FieldRef { table: TABLE, column: BODY, row: &id }, version, &sealed)
    })
    .await
    .map_err(|e| DomainError::Unreachable { service: "encryption", reason: e.to_string() })??)
}

/// One attachment's bytes, decrypted, for a caller who may see what it is attached to (audited).
pub async fn download(caller: &Caller, id: uuid::Uuid) -> DomainResult<Download> {
    let row = attachment::Entity::find_by_id(id).one(&caller.db).await?.ok_or(DomainError::NotFound)?;
    let owner = Owner::of_row(&row).ok_or(DomainError::NotFound)?;
    check(caller, owner, false).await?;
    let kind = FileKind::from_mime(&row.content_type)
        .ok_or_else(|| DomainError::Tampered(format!("attachment {id} has the type {:?}", row.content_type)))?;
    let bytes = decrypted(caller, &row).await?;
    let txn = crate::db::begin_write(&caller.db).await?;
    audit::record(
        &txn,
        &Actor::from(caller),
        "attachment.downloaded",
        owner.kind(),
        &owner.id().to_string(),
        json!({ "attachment": id, "filename": row.filename }),
    )
    .await?;
    txn.commit().await?;
    Ok(Download { filename: row.filename, kind, bytes })
}
