//! Who people are *now*: a member's current address from the control plane's `users`, by user id, in
//! one query for a whole list (TN5 mail and display after an email change). The addresses copied into
//! workspace rows at the time (`purchase_requests.requester_email`, `approval_decisions.approver_email`)
//! are a record of the past and only a fallback for an account that no longer exists.

use super::super::Caller;
use crate::entities::control::{membership, user};
use crate::error::DomainResult;
use model::EmailAddress;
use sea_orm::{ColumnTrait as _, EntityTrait as _, QueryFilter as _};
use std::collections::HashMap;

/// The current addresses of `ids` (unknown ids are left out).
pub(super) async fn addresses(
    caller: &Caller,
    ids: impl IntoIterator<Item = uuid::Uuid>,
) -> DomainResult<HashMap<uuid::Uuid, EmailAddress>> {
    let mut ids: Vec<uuid::Uuid> = ids.into_iter().filter(|id| !id.is_nil()).collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(user::Entity::find()
        .filter(user::Column::Id.is_in(ids))
        .all(&caller.control)
        .await?
        .into_iter()
        .filter_map(|row| EmailAddress::parse(&row.email).ok().map(|email| (row.id, email)))
        .collect())
}

/// Of `ids`, those who are members of the caller's workspace now (the control plane's `memberships`,
/// which a removal deletes first), with their current addresses.
pub(super) async fn current_members(
    caller: &Caller,
    ids: impl IntoIterator<Item = uuid::Uuid>,
) -> DomainResult<Vec<(uuid::Uuid, EmailAddress)>> {
    let ids: Vec<uuid::Uuid> = ids.into_iter().collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let members: Vec<uuid::Uuid> = membership::Entity::find()
        .filter(membership::Column::TenantId.eq(caller.workspace.id.as_uuid()))
        .filter(membership::Column::UserId.is_in(ids))
        .all(&caller.control)
        .await?
        .into_iter()
        .map(|m| m.user_id)
        .collect();
    let mut addresses = addresses(caller, members.iter().copied()).await?;
    let mut out: Vec<_> = members.into_iter().filter_map(|id| addresses.remove(&id).map(|e| (id, e))).collect();
    out.sort_by(|a, b| a.1.as_str().cmp(b.1.as_str()));
    Ok(out)
}

/// `id`'s current address as text, else the recorded one.
pub(super) fn name(current: &HashMap<uuid::Uuid, EmailAddress>, id: uuid::Uuid, recorded: String) -> String {
    current.get(&id).map_or(recorded, ToString::to_string)
}

/// The member of the caller's workspace whose account has `email` now.
pub(super) async fn member_by_address(caller: &Caller, email: &EmailAddress) -> DomainResult<Option<uuid::Uuid>> {
    let Some(user) = user::Entity::find().filter(user::Column::Email.eq(email.as_str())).one(&caller.control).await?
    else {
        return Ok(None);
    };
    Ok(current_members(caller, [user.id]).await?.into_iter().next().map(|(id, _)| id))
}
