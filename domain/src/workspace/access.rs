//! Entering a workspace: from a signed-in user and a workspace address to a verified [`Caller`], with
//! the workspace's policies enforced on every request (TN6, and the policies of TN1):
//!
//! 1. the workspace exists and the user is a member *now* (the control plane's `memberships`; a removed
//!    member is refused at their very next request; a non-member learns nothing, not even that the
//!    workspace exists);
//! 2. the roles they hold give them at least `workspace.view`;
//! 3. a password shorter than a workspace's minimum must be changed first (only workspaces that raised the
//!    minimum above the platform's refuse entry for it, so one workspace's policy does not lock its
//!    members out of their other workspaces);
//! 4. "2FA required" (for everyone, or for administrators) sends them to set it up;
//! 5. a stricter idle or absolute session limit of this workspace ends the session;
//! 6. the administration pages are refused from addresses outside the workspace's allowlist (owners
//!    always pass it, so an administrator cannot lock them out).

use super::caller::{Caller, RoleRef};
use super::policies::{Policy, TwoFactorPolicy};
use crate::entities::control::{membership, tenant};
use crate::entities::tenant::{member, member_role, role};
use crate::error::{DomainError, DomainResult};
use crate::identity::{Identity, RequestMeta, SignedIn};
use crate::tenancy::{Tenancy, Workspace};
use chrono::Utc;
use model::{AuthFailure, Permission, WorkspaceSlug};
use sea_orm::{ColumnTrait as _, DatabaseConnection, EntityTrait as _, QueryFilter as _, QueryOrder as _};
use std::collections::BTreeSet;

/// Which part of the workspace a request is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    /// Everything members use.
    Workspace,
    /// Members, roles, policies, audit: subject to the admin allowlist.
    AdminConsole,
}

pub struct WorkspaceAccess<'a> {
    pub(crate) control: &'a DatabaseConnection,
    pub(crate) tenancy: &'a Tenancy,
    pub(crate) identity: &'a Identity,
    pub(crate) mailer: &'a std::sync::Arc<crate::mail::Mailer>,
    pub(crate) billing: &'a crate::billing::Billing,
    pub(crate) vault: &'a std::sync::Arc<crate::crypto::Vault>,
    pub(crate) attachments: &'a std::sync::Arc<super::attachments::AttachmentStore>,
    pub(crate) links: super::sales::links::LinkSettings,
}

/// Permissions that make a role administrative (for "2FA for admins" and the admin allowlist).
pub const ADMINISTRATIVE: [Permission; 4] =
    [Permission::MembersRemove, Permission::MembersAssignRoles, Permission::RolesManage, Permission::PoliciesManage];

impl WorkspaceAccess<'_> {
    /// The verified caller for `signed_in` in the workspace at `slug`, or why not.
    pub async fn enter(
        &self,
        signed_in: &SignedIn,
        slug: &str,
        meta: RequestMeta,
        request_id: Option<String>,
        area: Area,
    ) -> DomainResult<Caller> {
        let slug = WorkspaceSlug::parse(slug).map_err(|_| DomainError::NotFound)?;
        let workspace = self.tenancy.find_by_slug(&slug).await?;
        let is_member = membership::Entity::find_by_id((workspace.id.as_uuid(), signed_in.user.as_uuid()))
            .one(self.control)
            .await?
            .is_some();
        if !is_member {
            return Err(DomainError::NotFound);
        }
        let db = self.tenancy.active_db(workspace.id).await?;
        if member::Entity::find_by_id(signed_in.user.as_uuid()).one(&db).await?.is_none() {
            return Err(DomainError::NotFound);
        }
        let (roles, permissions) = roles_of(&db, signed_in.user.as_uuid()).await?;
        if !permissions.contains(&Permission::WorkspaceView) {
            return Err(DomainError::Forbidden(model::Forbidden::MissingPermission));
        }
        let policy = Policy::load(self.control, workspace.id).await?;
        let owner = roles.iter().any(|r| r.key == model::BuiltinRole::Owner.key());
        if let Err(refused) = self.enforce(signed_in, &policy, &permissions, owner, &meta, area).await {
            if matches!(refused, DomainError::Auth(AuthFailure::AddressNotAllowed)) {
                // Someone with administrative rights knocked from outside the allowlist: on the record.
                let actor = super::audit::Actor {
                    kind: super::audit::ActorKind::User,
                    user: Some(signed_in.user.as_uuid()),
                    email: signed_in.email.to_string(),
                    ip: Some(meta.ip.to_string()),
                    request_id: request_id.clone(),
                };
                let changes = serde_json::json!({ "ip": meta.ip.to_string() });
                let recorded =
                    super::audit::record(&db, &actor, "admin_console.refused", "workspace", "admin_console", changes);
                if let Err(error) = recorded.await {
                    tracing::warn!(%error, "could not record an allowlist refusal");
                }
            }
            return Err(refused);
        }
        let (billing, max_members) = self.billing.standing(&db).await?;
        Ok(Caller {
            user: signed_in.user,
            email: signed_in.email.clone(),
            workspace,
            roles,
            permissions,
            meta,
            request_id,
            db,
            control: self.control.clone(),
            mailer: self.mailer.clone(),
            billing,
            max_members,
            vault: self.vault.clone(),
            attachments: self.attachments.clone(),
            links: self.links,
        })
    }

    async fn enforce(
        &self,
        signed_in: &SignedIn,
        policy: &Policy,
        permissions: &BTreeSet<Permission>,
        owner: bool,
        meta: &RequestMeta,
        area: Area,
    ) -> DomainResult<()> {
        if signed_in.password_change_required && policy.min_password_chars > model::PasswordRules::MIN_CHARS {
            return Err(DomainError::Auth(AuthFailure::PasswordChangeRequired));
        }
        let administrative = ADMINISTRATIVE.iter().any(|p| permissions.contains(p));
        let needs_totp = match policy.two_factor {
            TwoFactorPolicy::All => true,
            TwoFactorPolicy::Admins => administrative,
            TwoFactorPolicy::None => false,
        };
        if needs_totp && !signed_in.totp_enabled {
            return Err(DomainError::Auth(AuthFailure::TwoFactorRequired));
        }
        let now = Utc::now();
        let idle_over = policy.session_idle.is_some_and(|idle| now - signed_in.previously_seen_at > idle);
        let age_over = policy.session_absolute.is_some_and(|limit| now - signed_in.session_started_at > limit);
        if idle_over || age_over {
            self.identity
                .end_session_by_policy(signed_in, if idle_over { "workspace_idle" } else { "workspace_expired" })
                .await?;
            return Err(DomainError::Auth(AuthFailure::WorkspaceSessionExpired));
        }
        if area == Area::AdminConsole && !owner && !policy.admin_allows(meta.ip) {
            return Err(DomainError::Auth(AuthFailure::AddressNotAllowed));
        }
        Ok(())
    }

    /// The workspaces `signed_in` belongs to, by name (for the switcher).
    pub async fn workspaces_of(&self, signed_in: &SignedIn) -> DomainResult<Vec<Workspace>> {
        let ids: Vec<uuid::Uuid> = membership::Entity::find()
            .filter(membership::Column::UserId.eq(signed_in.user.as_uuid()))
            .all(self.control)
            .await?
            .into_iter()
            .map(|m| m.tenant_id)
            .collect();
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let rows = tenant::Entity::find()
            .filter(tenant::Column::Id.is_in(ids))
            .filter(tenant::Column::Status.eq(tenant::TenantStatus::Active))
            .order_by_asc(tenant::Column::Name)
            .all(self.control)
            .await?;
        rows.into_iter().map(crate::tenancy::workspace_from_row).collect()
    }
}

/// Whether `user`'s roles in this workspace make them an administrator (the control plane's
/// `memberships.administrative`, which sign-in reads).
pub(crate) async fn is_administrative<C: sea_orm::ConnectionTrait>(
    tenant_db: &C,
    user: uuid::Uuid,
) -> DomainResult<bool> {
    let (_, permissions) = roles_of(tenant_db, user).await?;
    Ok(ADMINISTRATIVE.iter().any(|p| permissions.contains(p)))
}

/// The roles a member holds and the permissions they add up to.
pub(crate) async fn roles_of<C: sea_orm::ConnectionTrait>(
    db: &C,
    user: uuid::Uuid,
) -> DomainResult<(Vec<RoleRef>, BTreeSet<Permission>)> {
    let role_ids: Vec<uuid::Uuid> = member_role::Entity::find()
        .filter(member_role::Column::UserId.eq(user))
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.role_id)
        .collect();
    let rows =
        role::Entity::find().filter(role::Column::Id.is_in(role_ids)).order_by_asc(role::Column::Name).all(db).await?;
    let mut permissions = BTreeSet::new();
    let mut roles = Vec::new();
    for row in rows {
        permissions.extend(super::roles::parse_permissions(&row.permissions));
        roles.push(RoleRef { id: row.id, key: row.key, name: row.name });
    }
    Ok((roles, permissions))
}
