//! Who may enter a workspace after a backup is restored onto live (OPS2).
//!
//! A backup holds the workspace's members and roles as they were; the control plane's `memberships`
//! hold who is a member *now*. Putting the backup back must not let anyone in again: somebody removed
//! since the backup (an employee who left, an attacker thrown out) is in the backup's `members`. So
//! after the rows are back, the members of the restored workspace who are not members now are removed
//! from it, and whoever joined since the backup (not in it) loses the membership too and is invited
//! again. Everybody else keeps their membership, and its `administrative` flag (which sign-in reads)
//! follows the restored roles. Permissions are read from the workspace on every request, so every open
//! session of the workspace acts with the restored roles from its next request on.
//!
//! It follows the cross-database rule ([`super::control_changes`]): one workspace transaction removes
//! the members, records `backup.members_aligned` and owes a `SyncMembers` change for everybody
//! concerned, which is settled at once (or by the reconciler after a crash). Before it runs, `enter`
//! already refuses both kinds, since it needs the membership *and* the member row: a crash in between
//! fails closed. A restore that would leave the workspace without an owner is refused here
//! ([`model::Conflict::RestoreLeavesNoOwner`], nothing written), and the caller puts the state before back.

use super::audit::{self, Actor};
use super::control_changes::{self, ControlChange, Sides};
use crate::entities::control::membership;
use crate::entities::tenant::{member, member_role};
use crate::error::{DomainError, DomainResult};
use crate::ids::TenantId;
use crate::mail::Mailer;
use model::Conflict;
use sea_orm::{ColumnTrait as _, DatabaseConnection, EntityTrait as _, QueryFilter as _};
use serde_json::json;
use std::collections::BTreeSet;
use uuid::Uuid;

/// What [`align`] changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AlignedMembers {
    /// Members of the backup who are not members now: removed from the restored workspace.
    pub removed: Vec<Uuid>,
    /// Members now who are not in the backup: their membership ended.
    pub ended: Vec<Uuid>,
}

/// Brings the members of the just restored workspace `tenant` (database `tenant_db`) and the control
/// plane's memberships in line, as the module says.
pub(crate) async fn align(
    control: &DatabaseConnection,
    mailer: &Mailer,
    tenant: TenantId,
    tenant_db: &DatabaseConnection,
    actor: &Actor,
) -> DomainResult<AlignedMembers> {
    let now: BTreeSet<Uuid> = membership::Entity::find()
        .filter(membership::Column::TenantId.eq(tenant.as_uuid()))
        .all(control)
        .await?
        .into_iter()
        .map(|m| m.user_id)
        .collect();
    let txn = crate::db::begin_write(tenant_db).await?;
    let restored: Vec<member::Model> = member::Entity::find().all(&txn).await?;
    let removed: Vec<&member::Model> = restored.iter().filter(|m| !now.contains(&m.user_id)).collect();
    let in_backup: BTreeSet<Uuid> = restored.iter().map(|m| m.user_id).collect();
    let ended: Vec<Uuid> = now.difference(&in_backup).copied().collect();
    let removed_ids: Vec<Uuid> = removed.iter().map(|m| m.user_id).collect();
    if !removed_ids.is_empty() {
        member_role::Entity::delete_many()
            .filter(member_role::Column::UserId.is_in(removed_ids.clone()))
            .exec(&txn)
            .await?;
        member::Entity::delete_many().filter(member::Column::UserId.is_in(removed_ids.clone())).exec(&txn).await?;
        if super::members::owner_count(&txn).await? == 0 {
            // Dropping the transaction rolls it back: nothing is written.
            return Err(DomainError::Conflict(Conflict::RestoreLeavesNoOwner));
        }
    }
    let changes = json!({
        "removed": removed.iter().map(|m| m.email.as_str()).collect::<Vec<_>>(),
        "memberships_ended": ended.iter().map(Uuid::to_string).collect::<Vec<_>>(),
    });
    audit::record(&txn, actor, "backup.members_aligned", "workspace", &tenant.to_string(), changes).await?;
    let users: Vec<Uuid> = now.union(&in_backup).copied().collect();
    let owed = control_changes::owe(&txn, ControlChange::SyncMembers { users }).await?;
    txn.commit().await?;
    control_changes::settle(Sides { tenant, tenant_db, control, mailer }, owed).await;
    Ok(AlignedMembers { removed: removed_ids, ended })
}
