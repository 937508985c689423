//! Members (TN2, TN3): listing them, changing their roles, removing them. A removal deletes the
//! control-plane membership first, so the removed person's very next request is refused, whatever
//! sessions they have open. A workspace always keeps at least one owner, and only owners touch owners.

use super::Caller;
use super::audit::{self, Actor};
use crate::entities::control::membership;
use crate::entities::tenant::{member, member_role, role};
use crate::error::{DomainError, DomainResult};
use crate::ids::UserId;
use chrono::{DateTime, Utc};
use model::{BuiltinRole, Conflict, Forbidden, Permission};
use sea_orm::{ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, ConnectionTrait, EntityTrait as _};
use sea_orm::{PaginatorTrait as _, QueryFilter as _, QueryOrder as _};
use serde_json::json;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberInfo {
    pub user: UserId,
    pub email: String,
    pub joined_at: DateTime<Utc>,
    pub roles: Vec<super::RoleRef>,
}

pub async fn list(caller: &Caller) -> DomainResult<Vec<MemberInfo>> {
    caller.require(Permission::MembersView)?;
    let mut members = Vec::new();
    for row in member::Entity::find().order_by_asc(member::Column::Email).all(&caller.db).await? {
        let (roles, _) = super::access::roles_of(&caller.db, row.user_id).await?;
        members.push(MemberInfo { user: row.user_id.into(), email: row.email, joined_at: row.joined_at, roles });
    }
    Ok(members)
}

/// The ids of `keys` among the workspace's roles; unknown keys are refused.
pub(crate) async fn role_ids<C: ConnectionTrait>(conn: &C, keys: &[String]) -> DomainResult<Vec<role::Model>> {
    let rows = role::Entity::find().filter(role::Column::Key.is_in(keys.iter().cloned())).all(conn).await?;
    if rows.len() != keys.len() || keys.is_empty() {
        return Err(DomainError::NotFound);
    }
    Ok(rows)
}

async fn owner_count<C: ConnectionTrait>(conn: &C) -> DomainResult<u64> {
    let owner = role::Entity::find()
        .filter(role::Column::Key.eq(BuiltinRole::Owner.key()))
        .one(conn)
        .await?
        .ok_or(DomainError::NotFound)?;
    Ok(member_role::Entity::find().filter(member_role::Column::RoleId.eq(owner.id)).count(conn).await?)
}

async fn is_owner<C: ConnectionTrait>(conn: &C, user: uuid::Uuid) -> DomainResult<bool> {
    let (roles, _) = super::access::roles_of(conn, user).await?;
    Ok(roles.iter().any(|r| r.key == BuiltinRole::Owner.key()))
}

/// Replaces a member's roles with `keys`.
pub async fn set_roles(caller: &Caller, user: UserId, keys: &[String]) -> DomainResult<()> {
    caller.require(Permission::MembersAssignRoles)?;
    let txn = crate::db::begin_write(&caller.db).await?;
    member::Entity::find_by_id(user.as_uuid()).one(&txn).await?.ok_or(DomainError::NotFound)?;
    if keys.is_empty() {
        return Err(DomainError::Conflict(Conflict::MemberNeedsARole));
    }
    let roles = role_ids(&txn, keys).await?;
    let grants_owner = roles.iter().any(|r| r.key == BuiltinRole::Owner.key());
    let was_owner = is_owner(&txn, user.as_uuid()).await?;
    if (grants_owner || was_owner) && !caller.is_owner() {
        return Err(DomainError::Forbidden(Forbidden::OwnerOnly));
    }
    let granted: std::collections::BTreeSet<Permission> =
        roles.iter().flat_map(|r| super::roles::parse_permissions(&r.permissions)).collect();
    if !granted.iter().all(|p| caller.can(*p)) {
        return Err(DomainError::Forbidden(Forbidden::CannotGrantUnheldPermission));
    }
    let (before, _) = super::access::roles_of(&txn, user.as_uuid()).await?;
    member_role::Entity::delete_many().filter(member_role::Column::UserId.eq(user.as_uuid())).exec(&txn).await?;
    for role in &roles {
        member_role::ActiveModel { user_id: Set(user.as_uuid()), role_id: Set(role.id) }.insert(&txn).await?;
    }
    if was_owner && !grants_owner && owner_count(&txn).await? == 0 {
        return Err(DomainError::Conflict(Conflict::LastOwner));
    }
    let before: Vec<String> = before.into_iter().map(|r| r.key).collect();
    super::access::sync_administrative(&txn, &caller.control, caller.workspace.id, user.as_uuid()).await?;
    audit::record(
        &txn,
        &Actor::from(caller),
        "member.roles_changed",
        "member",
        &user.to_string(),
        json!({ "before": before, "after": keys }),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Gives a member one more role (`grant`) or takes one away, keeping their others.
pub async fn change_role(caller: &Caller, user: UserId, role_key: &str, grant: bool) -> DomainResult<()> {
    caller.require(Permission::MembersAssignRoles)?;
    member::Entity::find_by_id(user.as_uuid()).one(&caller.db).await?.ok_or(DomainError::NotFound)?;
    let (held, _) = super::access::roles_of(&caller.db, user.as_uuid()).await?;
    let mut keys: Vec<String> = held.into_iter().map(|r| r.key).filter(|k| k != role_key).collect();
    if grant {
        keys.push(role_key.to_owned());
    }
    set_roles(caller, user, &keys).await
}

/// Removes a member. Their access ends at their next request.
pub async fn remove(caller: &Caller, user: UserId) -> DomainResult<()> {
    caller.require(Permission::MembersRemove)?;
    let txn = crate::db::begin_write(&caller.db).await?;
    let row = member::Entity::find_by_id(user.as_uuid()).one(&txn).await?.ok_or(DomainError::NotFound)?;
    if is_owner(&txn, user.as_uuid()).await? {
        if !caller.is_owner() {
            return Err(DomainError::Forbidden(Forbidden::OwnerOnly));
        }
        if owner_count(&txn).await? <= 1 {
            return Err(DomainError::Conflict(Conflict::LastOwner));
        }
    }
    member::Entity::delete_by_id(user.as_uuid()).exec(&txn).await?;
    audit::record(
        &txn,
        &Actor::from(caller),
        "member.removed",
        "member",
        &user.to_string(),
        json!({ "email": row.email }),
    )
    .await?;
    // The control-plane membership goes first: from this moment the member is refused everywhere.
    membership::Entity::delete_by_id((caller.workspace.id.as_uuid(), user.as_uuid())).exec(&caller.control).await?;
    txn.commit().await?;
    Ok(())
}
