//! Invitations by email (TN2): an administrator invites an address with roles; the link in the mail
//! (valid 7 days, single use, revocable) lets the person with that address join, after signing up or
//! in. The invitation is bound to the address: nobody else can use a forwarded link.

use super::Caller;
use super::audit::{self, Actor};
use crate::crypto::{hash_token, random_token};
use crate::entities::control::{invitation, membership};
use crate::entities::tenant::{member, member_role};
use crate::error::{DomainError, DomainResult};
use crate::identity::SignedIn;
use crate::mail::{Mailer, templates};
use crate::tenancy::{Tenancy, Workspace};
use chrono::{DateTime, Duration, Utc};
use model::{BuiltinRole, Conflict, EmailAddress, Forbidden, Permission};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, DatabaseConnection, EntityTrait as _};
use sea_orm::{QueryFilter as _, QueryOrder as _};
use serde_json::json;

pub const LIFETIME: Duration = Duration::days(7);

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
    let token = random_token();
    let id = uuid::Uuid::new_v4();
    let expires_at = now + LIFETIME;
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
    let control = crate::db::begin_write(&caller.control).await?;
    invitation::ActiveModel {
        id: Set(id),
        tenant_id: Set(caller.workspace.id.as_uuid()),
        email: Set(email.to_string()),
        roles: Set(role_keys.join(",")),
        token_hash: Set(hash_token(&token)),
        invited_by: Set(caller.user.as_uuid()),
        expires_at: Set(expires_at),
        revoked_at: Set(None),
        accepted_at: Set(None),
        accepted_by: Set(None),
        created_at: Set(now),
    }
    .insert(&control)
    .await?;
    let link = mailer.link(&format!("/invitations/accept?token={token}"));
    mailer
        .enqueue(&control, templates::invitation(email, &caller.email, caller.workspace.name.as_str(), &link))
        .await?;
    tenant.commit().await?;
    control.commit().await?;
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
    let revoked = invitation::Entity::update_many()
        .col_expr(invitation::Column::RevokedAt, Expr::value(Some(Utc::now())))
        .filter(invitation::Column::Id.eq(id))
        .filter(invitation::Column::TenantId.eq(caller.workspace.id.as_uuid()))
        .filter(invitation::Column::AcceptedAt.is_null())
        .filter(invitation::Column::RevokedAt.is_null())
        .exec(&caller.control)
        .await?;
    if revoked.rows_affected != 1 {
        return Err(DomainError::NotFound);
    }
    audit::record(&caller.db, &Actor::from(caller), "invitation.revoked", "invitation", &id.to_string(), json!({}))
        .await
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
    signed_in: &SignedIn,
    token: &str,
    ip: Option<String>,
) -> DomainResult<Workspace> {
    let row = open_invitation(control, token).await?;
    if row.email != signed_in.email.as_str() {
        return Err(DomainError::Conflict(Conflict::InvitationForSomeoneElse));
    }
    let workspace = tenancy.by_id(row.tenant_id.into()).await?;
    let db = tenancy.tenant_db(workspace.id).await?;
    let now = Utc::now();
    let keys: Vec<String> = row.roles.split(',').map(str::to_owned).collect();
    // Always the workspace's database first, then the control plane (the order every cross-database
    // change here follows, so two of them never wait for each other).
    let tenant = crate::db::begin_write(&db).await?;
    let control_txn = crate::db::begin_write(control).await?;
    let taken = invitation::Entity::update_many()
        .col_expr(invitation::Column::AcceptedAt, Expr::value(Some(now)))
        .col_expr(invitation::Column::AcceptedBy, Expr::value(Some(signed_in.user.as_uuid())))
        .filter(invitation::Column::Id.eq(row.id))
        .filter(invitation::Column::AcceptedAt.is_null())
        .exec(&control_txn)
        .await?;
    if taken.rows_affected != 1 {
        return Err(DomainError::Auth(model::AuthFailure::LinkInvalid));
    }
    if membership::Entity::find_by_id((workspace.id.as_uuid(), signed_in.user.as_uuid()))
        .one(&control_txn)
        .await?
        .is_some()
    {
        return Err(DomainError::Conflict(Conflict::AlreadyMember));
    }
    membership::ActiveModel {
        tenant_id: Set(workspace.id.as_uuid()),
        user_id: Set(signed_in.user.as_uuid()),
        administrative: Set(false),
        created_at: Set(now),
    }
    .insert(&control_txn)
    .await?;
    let roles = super::members::role_ids(&tenant, &keys).await?;
    member::ActiveModel {
        user_id: Set(signed_in.user.as_uuid()),
        email: Set(signed_in.email.to_string()),
        joined_at: Set(now),
    }
    .insert(&tenant)
    .await?;
    for role in &roles {
        member_role::ActiveModel { user_id: Set(signed_in.user.as_uuid()), role_id: Set(role.id) }
            .insert(&tenant)
            .await?;
    }
    super::access::sync_administrative(&tenant, &control_txn, workspace.id, signed_in.user.as_uuid()).await?;
    let actor =
        audit::Actor { user: Some(signed_in.user.as_uuid()), email: signed_in.email.to_string(), ip, request_id: None };
    audit::record(
        &tenant,
        &actor,
        "member.joined",
        "member",
        &signed_in.user.to_string(),
        json!({ "invitation": row.id, "roles": keys }),
    )
    .await?;
    tenant.commit().await?;
    control_txn.commit().await?;
    Ok(workspace)
}
