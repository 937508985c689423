//! Roles (TN3): the built-in ones every workspace has, and custom roles that administrators compose
//! from the permission list. Nobody can give a role a permission they do not hold themselves.

use super::Caller;
use super::audit::{self, Actor};
use super::control_changes::{self, ControlChange, Sides};
use crate::entities::tenant::{member_role, role};
use crate::error::{DomainError, DomainResult};
use chrono::Utc;
use model::{BuiltinRole, Conflict, Field, Forbidden, Permission, ValidationError};
use sea_orm::{ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, EntityTrait as _, IntoActiveModel as _};
use sea_orm::{PaginatorTrait as _, QueryFilter as _, QueryOrder as _};
use serde_json::json;
use std::collections::BTreeSet;

/// A role as the roles page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleInfo {
    pub id: uuid::Uuid,
    pub key: String,
    pub name: String,
    pub builtin: bool,
    pub permissions: BTreeSet<Permission>,
    pub holders: u64,
}

pub(crate) fn parse_permissions(stored: &str) -> BTreeSet<Permission> {
    stored.split(',').filter_map(|key| Permission::from_key(key.trim())).collect()
}

pub(crate) fn store_permissions(permissions: &BTreeSet<Permission>) -> String {
    permissions.iter().map(|p| p.key()).collect::<Vec<_>>().join(",")
}

fn role_name(input: &str) -> Result<String, ValidationError> {
    let name = input.trim();
    let field = Field::RoleName;
    match name.chars().count() {
        0 => Err(ValidationError::Required { field }),
        n if n < 2 => Err(ValidationError::TooShort { field, min: 2 }),
        n if n > 48 => Err(ValidationError::TooLong { field, max: 48 }),
        _ if name.chars().any(char::is_control) => Err(ValidationError::ForbiddenCharacters { field }),
        _ => Ok(name.to_owned()),
    }
}

pub async fn list(caller: &Caller) -> DomainResult<Vec<RoleInfo>> {
    if !(caller.can(Permission::MembersView) || caller.can(Permission::RolesManage)) {
        return Err(DomainError::Forbidden(Forbidden::MissingPermission));
    }
    let mut holders: std::collections::HashMap<uuid::Uuid, u64> = std::collections::HashMap::new();
    for link in member_role::Entity::find().all(&caller.db).await? {
        *holders.entry(link.role_id).or_default() += 1;
    }
    let mut roles = Vec::new();
    for row in role::Entity::find()
        .order_by_desc(role::Column::Builtin)
        .order_by_asc(role::Column::CreatedAt)
        .all(&caller.db)
        .await?
    {
        roles.push(RoleInfo {
            id: row.id,
            key: row.key,
            name: row.name,
            builtin: row.builtin,
            permissions: parse_permissions(&row.permissions),
            holders: holders.get(&row.id).copied().unwrap_or(0),
        });
    }
    Ok(roles)
}

/// Refuses a name another role has, compared case-insensitively (the unique index on `lower(name)`
/// holds the same rule against races).
async fn ensure_name_free<C: sea_orm::ConnectionTrait>(
    conn: &C,
    name: &str,
    except: Option<uuid::Uuid>,
) -> DomainResult<()> {
    // Case-insensitively, by the neutral and the Turkish rules alike (`model::text`).
    let same = |other: &str| model::text::same_ignoring_case(other, name);
    let taken = BuiltinRole::ALL.iter().any(|r| same(r.name()))
        || role::Entity::find().all(conn).await?.iter().any(|r| Some(r.id) != except && same(&r.name));
    if taken { Err(DomainError::Conflict(Conflict::RoleNameTaken)) } else { Ok(()) }
}

fn name_taken(error: sea_orm::DbErr) -> DomainError {
    if matches!(error.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_))) {
        DomainError::Conflict(Conflict::RoleNameTaken)
    } else {
        error.into()
    }
}

fn check_grantable(caller: &Caller, permissions: &BTreeSet<Permission>) -> DomainResult<()> {
    if permissions.iter().all(|p| caller.can(*p)) {
        Ok(())
    } else {
        Err(DomainError::Forbidden(Forbidden::CannotGrantUnheldPermission))
    }
}

/// Creates a custom role.
pub async fn create(caller: &Caller, name: &str, permissions: BTreeSet<Permission>) -> DomainResult<RoleInfo> {
    caller.require(Permission::RolesManage)?;
    let name = role_name(name)?;
    check_grantable(caller, &permissions)?;
    let txn = crate::db::begin_write(&caller.db).await?;
    ensure_name_free(&txn, &name, None).await?;
    let id = uuid::Uuid::new_v4();
    let key = format!("custom-{}", id.simple());
    role::ActiveModel {
        id: Set(id),
        key: Set(key.clone()),
        name: Set(name.clone()),
        builtin: Set(false),
        permissions: Set(store_permissions(&permissions)),
        created_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await
    .map_err(name_taken)?;
    let keys: Vec<&str> = permissions.iter().map(|p| p.key()).collect();
    audit::record(
        &txn,
        &Actor::from(caller),
        "role.created",
        "role",
        &key,
        json!({ "name": name, "permissions": keys }),
    )
    .await?;
    txn.commit().await?;
    Ok(RoleInfo { id, key, name, builtin: false, permissions, holders: 0 })
}

/// Changes a custom role's name and permissions (built-in roles are fixed).
pub async fn update(
    caller: &Caller,
    id: uuid::Uuid,
    name: &str,
    permissions: BTreeSet<Permission>,
) -> DomainResult<()> {
    caller.require(Permission::RolesManage)?;
    let name = role_name(name)?;
    check_grantable(caller, &permissions)?;
    let txn = crate::db::begin_write(&caller.db).await?;
    let row = role::Entity::find_by_id(id).one(&txn).await?.ok_or(DomainError::NotFound)?;
    if row.builtin {
        return Err(DomainError::Forbidden(Forbidden::BuiltinRole));
    }
    ensure_name_free(&txn, &name, Some(id)).await?;
    let before = json!({ "name": row.name, "permissions": row.permissions });
    let key = row.key.clone();
    let mut row = row.into_active_model();
    row.name = Set(name.clone());
    row.permissions = Set(store_permissions(&permissions));
    row.update(&txn).await.map_err(name_taken)?;
    let holders = holders_of(&txn, id).await?;
    audit::record(
        &txn,
        &Actor::from(caller),
        "role.updated",
        "role",
        &key,
        json!({ "before": before, "after": { "name": name, "permissions": store_permissions(&permissions) } }),
    )
    .await?;
    let owed = control_changes::owe(&txn, ControlChange::SyncMembers { users: holders }).await?;
    txn.commit().await?;
    control_changes::settle(Sides::of(caller), owed).await;
    Ok(())
}

/// Deletes a custom role; its holders lose what it gave them.
pub async fn delete(caller: &Caller, id: uuid::Uuid) -> DomainResult<()> {
    caller.require(Permission::RolesManage)?;
    let txn = crate::db::begin_write(&caller.db).await?;
    let row = role::Entity::find_by_id(id).one(&txn).await?.ok_or(DomainError::NotFound)?;
    if row.builtin {
        return Err(DomainError::Forbidden(Forbidden::BuiltinRole));
    }
    let holders = holders_of(&txn, id).await?;
    for holder in &holders {
        let others = member_role::Entity::find()
            .filter(member_role::Column::UserId.eq(*holder))
            .filter(member_role::Column::RoleId.ne(id))
            .count(&txn)
            .await?;
        if others == 0 {
            // Deleting it would leave this member without any role.
            return Err(DomainError::Conflict(Conflict::MemberNeedsARole));
        }
    }
    member_role::Entity::delete_many().filter(member_role::Column::RoleId.eq(id)).exec(&txn).await?;
    role::Entity::delete_by_id(id).exec(&txn).await?;
    audit::record(&txn, &Actor::from(caller), "role.deleted", "role", &row.key, json!({ "name": row.name })).await?;
    let owed = control_changes::owe(&txn, ControlChange::SyncMembers { users: holders }).await?;
    txn.commit().await?;
    control_changes::settle(Sides::of(caller), owed).await;
    Ok(())
}

async fn holders_of<C: sea_orm::ConnectionTrait>(conn: &C, role: uuid::Uuid) -> DomainResult<Vec<uuid::Uuid>> {
    Ok(member_role::Entity::find()
        .filter(member_role::Column::RoleId.eq(role))
        .all(conn)
        .await?
        .into_iter()
        .map(|m| m.user_id)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    /// Proves: TN3
    fn permissions_round_trip_through_storage() {
        let set: BTreeSet<Permission> = [Permission::AuditView, Permission::RequestsApprove].into_iter().collect();
        assert_eq!(parse_permissions(&store_permissions(&set)), set);
        assert!(parse_permissions("unknown.permission,audit.view").contains(&Permission::AuditView));
        assert_eq!(parse_permissions("unknown.permission").len(), 0, "unknown keys grant nothing");
    }

    #[test]
    /// Proves: WEB6
    fn role_names_are_bounded() {
        assert!(role_name(" Buyer ").is_ok());
        assert!(role_name("B").is_err());
        assert!(role_name(&"x".repeat(49)).is_err());
    }
}
