//! Members (TN2, TN3): listing them, changing their roles, removing them, leaving. A removal deletes the
//! workspace's member row, which `enter` checks, so the removed person's very next request is refused,
//! whatever sessions they have open; the control-plane membership follows by the cross-database rule
//! (`control_changes`), and so does the end of their address's open invitations. A workspace always
//! keeps at least one owner (checked with the owner role's row locked, so two owners demoting each other
//! at once cannot both pass), and only owners touch owners.

use super::Caller;
use super::audit::{self, Actor};
use super::control_changes::{self, ControlChange, Sides};
use crate::entities::tenant::{member, member_role, role};
use crate::error::{DomainError, DomainResult};
use crate::ids::UserId;
use chrono::{DateTime, Utc};
use model::{BuiltinRole, Conflict, Forbidden, Permission};
use sea_orm::{ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, ConnectionTrait, EntityTrait as _};
use sea_orm::{PaginatorTrait as _, QueryFilter as _, QueryOrder as _, QuerySelect as _};
use serde_json::json;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberInfo {
    pub user: UserId,
    pub email: String,
    pub joined_at: DateTime<Utc>,
    pub roles: Vec<super::RoleRef>,
}

/// Every member with their roles (three queries, whatever the number of members).
pub async fn list(caller: &Caller) -> DomainResult<Vec<MemberInfo>> {
    caller.require(Permission::MembersView)?;
    let roles: std::collections::HashMap<uuid::Uuid, role::Model> = role::Entity::find()
        .order_by_asc(role::Column::Name)
        .all(&caller.db)
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    let mut held: std::collections::HashMap<uuid::Uuid, Vec<super::RoleRef>> = std::collections::HashMap::new();
    for link in member_role::Entity::find().all(&caller.db).await? {
        if let Some(role) = roles.get(&link.role_id) {
            held.entry(link.user_id).or_default().push(super::RoleRef {
                id: role.id,
                key: role.key.clone(),
                name: role.name.clone(),
            });
        }
    }
    let mut members = Vec::new();
    for row in member::Entity::find().order_by_asc(member::Column::Email).all(&caller.db).await? {
        let mut roles = held.remove(&row.user_id).unwrap_or_default();
        roles.sort_by(|a, b| a.name.cmp(&b.name));
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

/// How many owners the workspace has. Locks the owner role's row first (`SELECT … FOR UPDATE` on
/// PostgreSQL; SQLite's write transactions are serial anyway), so every transaction that may take away
/// an owner waits for the one before it: two owners demoting each other cannot both see two owners.
pub(crate) async fn owner_count<C: ConnectionTrait>(conn: &C) -> DomainResult<u64> {
    let owner = role::Entity::find()
        .filter(role::Column::Key.eq(BuiltinRole::Owner.key()))
        .lock_exclusive()
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
    let owners_before = owner_count(&txn).await?;
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
    if was_owner && !grants_owner && owners_before <= 1 {
        return Err(DomainError::Conflict(Conflict::LastOwner));
    }
    let before: Vec<String> = before.into_iter().map(|r| r.key).collect();
    audit::record(
        &txn,
        &Actor::from(caller),
        "member.roles_changed",
        "member",
        &user.to_string(),
        json!({ "before": before, "after": keys }),
    )
    .await?;
    let owed = control_changes::owe(&txn, ControlChange::SyncMembers { users: vec![user.as_uuid()] }).await?;
    txn.commit().await?;
    control_changes::settle(Sides::of(caller), owed).await;
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
    end_membership(caller, user, "member.removed").await
}

/// The caller leaves the workspace (an owner only if another owner stays).
pub async fn leave(caller: &Caller) -> DomainResult<()> {
    end_membership(caller, caller.user, "member.left").await
}

async fn end_membership(caller: &Caller, user: UserId, action: &str) -> DomainResult<()> {
    let txn = crate::db::begin_write(&caller.db).await?;
    let owners = owner_count(&txn).await?;
    let row = member::Entity::find_by_id(user.as_uuid()).one(&txn).await?.ok_or(DomainError::NotFound)?;
    if is_owner(&txn, user.as_uuid()).await? {
        if !caller.is_owner() {
            return Err(DomainError::Forbidden(Forbidden::OwnerOnly));
        }
        if owners <= 1 {
            return Err(DomainError::Conflict(Conflict::LastOwner));
        }
    }
    member_role::Entity::delete_many().filter(member_role::Column::UserId.eq(user.as_uuid())).exec(&txn).await?;
    member::Entity::delete_by_id(user.as_uuid()).exec(&txn).await?;
    audit::record(&txn, &Actor::from(caller), action, "member", &user.to_string(), json!({ "email": row.email }))
        .await?;
    let owed =
        control_changes::owe(&txn, ControlChange::MemberRemoved { user: user.as_uuid(), email: row.email }).await?;
    txn.commit().await?;
    control_changes::settle(Sides::of(caller), owed).await;
    Ok(())
}
