//! Invitations by email (TN2): an administrator invites an address with roles; the link in the mail
//! (valid 7 days, single use, revocable) lets the person with that address join, after signing up or
//! in. The invitation is bound to the address: nobody else can use a forwarded link. Accepting one, or
//! the member's removal, ends the address's other open invitations to the workspace. A workspace sends
//! at most [`PER_WORKSPACE_PER_DAY`] invitations a day, and an address gets at most
//! [`PER_ADDRESS_PER_DAY`] a day from all workspaces together (so the platform is no mail relay).
//! Each change follows the cross-database rule (`control_changes`).

use super::Caller;
use super::audit::{self, Actor};
use super::control_changes::{self, ControlChange, NewInvitation, Sides};
use crate::crypto::{hash_token, random_token};
use crate::entities::control::invitation;
use crate::entities::tenant::{member, member_role};
use crate::error::{DomainError, DomainResult};
use crate::identity::SignedIn;
use crate::mail::{Mailer, templates};
use crate::tenancy::{Tenancy, Workspace};
use chrono::{DateTime, Duration, Utc};
use model::{BuiltinRole, Conflict, EmailAddress, Forbidden, Permission};
use sea_orm::{ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, DatabaseConnection, EntityTrait as _};
use sea_orm::{PaginatorTrait as _, QueryFilter as _, QueryOrder as _, SqlErr};
use serde_json::json;

pub const LIFETIME: Duration = Duration::days(7);
/// Invitations one workspace may send in 24 hours.
pub const PER_WORKSPACE_PER_DAY: u64 = 50;
/// Invitations one address may receive in 24 hours, from all workspaces together.
pub const PER_ADDRESS_PER_DAY: u64 = 5;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationInfo {
    pub id: uuid::Uuid,
    pub email: String,
    pub roles: Vec<String>,
    pub expires_at: DateTime<Utc>,
}

/// Invites `email` with the roles `role_keys`; mails the link.
pub async fn invite(
    caller: &Caller,
    mailer: &Mailer,
    email: &EmailAddress,
    role_keys: &[String],
) -> DomainResult<InvitationInfo> {
    caller.require(Permission::MembersInvite)?;
    let roles = super::members::role_ids(&caller.db, role_keys).await?;
    if roles.iter().any(|r| r.key == BuiltinRole::Owner.key()) && !caller.is_owner() {
        return Err(DomainError::Forbidden(Forbidden::OwnerOnly));
    }
    let granted: std::collections::BTreeSet<Permission> =
        roles.iter().flat_map(|r| super::roles::parse_permissions(&r.permissions)).collect();
    if !granted.iter().all(|p| caller.can(*p)) {
        return Err(DomainError::Forbidden(Forbidden::CannotGrantUnheldPermission));
    }
    if member::Entity::find().filter(member::Column::Email.eq(email.as_str())).one(&caller.db).await?.is_some() {
        return Err(DomainError::Conflict(Conflict::AlreadyMember));
    }
    let now = Utc::now();
    if let Some(max) = caller.max_members {
        // Open invitations count: each may become a member.
        let members = member::Entity::find().count(&caller.db).await?;
        let open = invitation::Entity::find()
            .filter(invitation::Column::TenantId.eq(caller.workspace.id.as_uuid()))
            .filter(invitation::Column::AcceptedAt.is_null())
            .filter(invitation::Column::RevokedAt.is_null())
            .filter(invitation::Column::ExpiresAt.gt(now))
            .count(&caller.control)
            .await?;
        if members + open >= u64::from(max) {
            return Err(DomainError::Conflict(Conflict::PlanMemberLimit));
        }
    }
    let day_ago = now - Duration::days(1);
    let sent_by_workspace = invitation::Entity::find()
        .filter(invitation::Column::TenantId.eq(caller.workspace.id.as_uuid()))
        .filter(invitation::Column::CreatedAt.gt(day_ago))
        .count(&caller.control)
        .await?;
    let sent_to_address = invitation::Entity::find()
        .filter(invitation::Column::Email.eq(email.as_str()))
        .filter(invitation::Column::CreatedAt.gt(day_ago))
        .count(&caller.control)
        .await?;
    if sent_by_workspace >= PER_WORKSPACE_PER_DAY || sent_to_address >= PER_ADDRESS_PER_DAY {
        return Err(DomainError::Conflict(Conflict::InvitationLimitReached));
    }
    let token = random_token();
    let id = uuid::Uuid::new_v4();
    let expires_at = now + LIFETIME;
    let link = mailer.link(&format!("/invitations/accept?token={token}"));
    let language = crate::identity::mail_language(&caller.control, email, caller.meta().language).await?;
    let mail = templates::invitation(language, email, &caller.email, caller.workspace.name.as_str(), &link);
    let new = NewInvitation {
        id,
        email: email.to_string(),
        roles: role_keys.join(","),
        token_hash: hash_token(&token),
        invited_by: caller.user.as_uuid(),
        expires_at,
        created_at: now,
    };
    let tenant = crate::db::begin_write(&caller.db).await?;
    audit::record(
        &tenant,
        &Actor::from(caller),
        "invitation.created",
        "invitation",
        &id.to_string(),
        json!({ "email": email.as_str(), "roles": role_keys }),
    )
    .await?;
    let owed =
        control_changes::owe(&tenant, ControlChange::InvitationCreated { invitation: new, mail: mail.into() }).await?;
    tenant.commit().await?;
    control_changes::settle(Sides::of(caller), owed).await;
    Ok(InvitationInfo { id, email: email.to_string(), roles: role_keys.to_vec(), expires_at })
}

/// Open invitations (not accepted, not revoked, not expired).
pub async fn list_open(caller: &Caller) -> DomainResult<Vec<InvitationInfo>> {
    caller.require(Permission::MembersInvite)?;
    Ok(invitation::Entity::find()
        .filter(invitation::Column::TenantId.eq(caller.workspace.id.as_uuid()))
        .filter(invitation::Column::AcceptedAt.is_null())
        .filter(invitation::Column::RevokedAt.is_null())
        .filter(invitation::Column::ExpiresAt.gt(Utc::now()))
        .order_by_asc(invitation::Column::CreatedAt)
        .all(&caller.control)
        .await?
        .into_iter()
        .map(|row| InvitationInfo {
            id: row.id,
            email: row.email,
            roles: row.roles.split(',').map(str::to_owned).collect(),
            expires_at: row.expires_at,
        })
        .collect())
}

/// Revokes an open invitation of this workspace; its link stops working.
pub async fn revoke(caller: &Caller, id: uuid::Uuid) -> DomainResult<()> {
    caller.require(Permission::MembersInvite)?;
    invitation::Entity::find_by_id(id)
        .filter(invitation::Column::TenantId.eq(caller.workspace.id.as_uuid()))
        .filter(invitation::Column::AcceptedAt.is_null())
        .filter(invitation::Column::RevokedAt.is_null())
        .one(&caller.control)
        .await?
        .ok_or(DomainError::NotFound)?;
    let tenant = crate::db::begin_write(&caller.db).await?;
    audit::record(&tenant, &Actor::from(caller), "invitation.revoked", "invitation", &id.to_string(), json!({}))
        .await?;
    let owed = control_changes::owe(&tenant, ControlChange::InvitationRevoked { id }).await?;
    tenant.commit().await?;
    control_changes::settle(Sides::of(caller), owed).await;
    Ok(())
}

/// What an invitation link leads to, before it is accepted.
#[derive(Debug, Clone)]
pub struct Invitation {
    pub workspace: Workspace,
    pub email: String,
}

async fn open_invitation(control: &DatabaseConnection, token: &str) -> DomainResult<invitation::Model> {
    if token.is_empty() || token.len() > 64 {
        return Err(DomainError::Auth(model::AuthFailure::LinkInvalid));
    }
    invitation::Entity::find()
        .filter(invitation::Column::TokenHash.eq(hash_token(token)))
        .filter(invitation::Column::AcceptedAt.is_null())
        .filter(invitation::Column::RevokedAt.is_null())
        .filter(invitation::Column::ExpiresAt.gt(Utc::now()))
        .one(control)
        .await?
        .ok_or(DomainError::Auth(model::AuthFailure::LinkInvalid))
}

/// Which workspace a link invites to, and which address (for the acceptance page).
pub async fn describe(control: &DatabaseConnection, tenancy: &Tenancy, token: &str) -> DomainResult<Invitation> {
    let row = open_invitation(control, token).await?;
    let workspace = tenancy.by_id(row.tenant_id.into()).await?;
    Ok(Invitation { workspace, email: row.email })
}

/// Accepts an invitation for the signed-in user, whose address must be the invited one.
pub async fn accept(
    control: &DatabaseConnection,
    tenancy: &Tenancy,
    mailer: &Mailer,
    signed_in: &SignedIn,
    token: &str,
    ip: Option<String>,
) -> DomainResult<Workspace> {
    let row = open_invitation(control, token).await?;
    if row.email != signed_in.email.as_str() {
        return Err(DomainError::Conflict(Conflict::InvitationForSomeoneElse));
    }
    let workspace = tenancy.by_id(row.tenant_id.into()).await?;
    let db = tenancy.active_db(workspace.id).await?;
    let now = Utc::now();
    let keys: Vec<String> = row.roles.split(',').map(str::to_owned).collect();
    let user = signed_in.user.as_uuid();
    let tenant = crate::db::begin_write(&db).await?;
    if member::Entity::find_by_id(user).one(&tenant).await?.is_some() {
        return Err(DomainError::Conflict(Conflict::AlreadyMember));
    }
    let roles = super::members::role_ids(&tenant, &keys).await?;
    member::ActiveModel { user_id: Set(user), email: Set(signed_in.email.to_string()), joined_at: Set(now) }
        .insert(&tenant)
        .await
        .map_err(|e| match e.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => DomainError::Conflict(Conflict::AlreadyMember),
            _ => e.into(),
        })?;
    for role in &roles {
        member_role::ActiveModel { user_id: Set(user), role_id: Set(role.id) }.insert(&tenant).await?;
    }
    let actor = audit::Actor {
        kind: audit::ActorKind::User,
        user: Some(user),
        email: signed_in.email.to_string(),
        ip,
        request_id: None,
    };
    audit::record(
        &tenant,
        &actor,
        "member.joined",
        "member",
        &signed_in.user.to_string(),
        json!({ "invitation": row.id, "roles": keys }),
    )
    .await?;
    let change = ControlChange::MemberJoined { user, email: signed_in.email.to_string(), invitation: row.id };
    let owed = control_changes::owe(&tenant, change).await?;
    tenant.commit().await?;
    control_changes::settle(Sides { tenant: workspace.id, tenant_db: &db, control, mailer }, owed).await;
    Ok(workspace)
}
