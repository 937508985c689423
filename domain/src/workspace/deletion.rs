//! Deleting a workspace, by crypto-shredding (DATA2): an owner confirms with the workspace's address;
//! then, in one control-plane transaction, the workspace is marked deleted, its memberships end and its
//! keys are destroyed (with a security event naming who did it). Only then is its database dropped. From
//! the moment the keys are gone, no copy of the workspace's data (a leftover file, a backup, a replica)
//! can be decrypted by anyone, with or without the master key: the data keys were random, and wrapped
//! copies of them existed only in the rows just deleted.

use super::Caller;
use crate::entities::control::{membership, tenant};
use crate::error::{DomainError, DomainResult};
use crate::identity::events::{self, EventKind};
use crate::tenancy::Tenancy;
use chrono::Utc;
use model::{Field, Forbidden, ValidationError};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait as _, EntityTrait as _, QueryFilter as _, TransactionTrait as _};
use serde_json::json;

/// Deletes the caller's workspace; `confirm` must be its address.
pub async fn delete(caller: &Caller, tenancy: &Tenancy, confirm: &str) -> DomainResult<()> {
    if !caller.is_owner() {
        return Err(DomainError::Forbidden(Forbidden::OwnerOnly));
    }
    if confirm.trim() != caller.workspace.slug.as_str() {
        return Err(ValidationError::Required { field: Field::WorkspaceSlug }.into());
    }
    let tenant = caller.workspace.id;
    let txn = caller.control.begin().await?;
    let marked = tenant::Entity::update_many()
        .col_expr(tenant::Column::Status, Expr::value(tenant::TenantStatus::Deleted))
        .col_expr(tenant::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(tenant::Column::Id.eq(tenant.as_uuid()))
        .filter(tenant::Column::Status.eq(tenant::TenantStatus::Active))
        .exec(&txn)
        .await?;
    if marked.rows_affected != 1 {
        return Err(DomainError::NotFound);
    }
    membership::Entity::delete_many().filter(membership::Column::TenantId.eq(tenant.as_uuid())).exec(&txn).await?;
    let destroyed = caller.vault.shred(&txn, tenant).await?;
    let detail = json!({ "workspace": tenant, "slug": caller.workspace.slug.as_str(), "keys_destroyed": destroyed });
    events::record(&txn, EventKind::WorkspaceDeleted, Some(caller.user), Some(&caller.meta), detail).await?;
    txn.commit().await?;
    caller.vault.forget(tenant);
    // The data is unreadable from here on; dropping the database frees the space. If this fails, the
    // file is only ciphertext without keys, and operators are told.
    if let Err(error) = tenancy.drop_deleted(tenant).await {
        tracing::error!(%error, %tenant, "workspace deleted and shredded, but its database could not be dropped");
    }
    // Its attachments (DATA4) are ciphertext under the destroyed keys too; removing them frees the space.
    caller.attachments.remove_workspace(tenant).await;
    Ok(())
}
