//! The verified caller inside a workspace.

use crate::error::{DomainError, DomainResult};
use crate::identity::RequestMeta;
use crate::ids::UserId;
use crate::tenancy::Workspace;
use model::{EmailAddress, Forbidden, Permission};
use sea_orm::DatabaseConnection;
use std::collections::BTreeSet;

/// A role as shown to people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleRef {
    pub id: uuid::Uuid,
    pub key: String,
    pub name: String,
}

/// A signed-in member acting in one workspace, with what they may do. Made only by
/// [`super::access::WorkspaceAccess::enter`]; outside `domain` it can be read, not changed (its fields are
/// private to the crate), so nobody can add a permission to a caller they hold.
#[derive(Clone)]
pub struct Caller {
    pub(crate) user: UserId,
    pub(crate) email: EmailAddress,
    pub(crate) workspace: Workspace,
    pub(crate) roles: Vec<RoleRef>,
    pub(crate) permissions: BTreeSet<Permission>,
    pub(crate) meta: RequestMeta,
    pub(crate) request_id: Option<String>,
    pub(crate) db: DatabaseConnection,
    pub(crate) control: DatabaseConnection,
    pub(crate) mailer: std::sync::Arc<crate::mail::Mailer>,
    /// What the workspace's subscription lets it do now (PAY1): read-only refuses business writes.
    pub(crate) billing: crate::billing::status::Access,
    /// The member limit of the workspace's plan (PAY1); `None`: no limit.
    pub(crate) max_members: Option<u32>,
    pub(crate) vault: std::sync::Arc<crate::crypto::Vault>,
    /// Where attachments go, and their limits (DATA4).
    pub(crate) attachments: std::sync::Arc<super::attachments::AttachmentStore>,
    /// How long new signed links last (DATA5).
    pub(crate) links: super::sales::links::LinkSettings,
}

impl Caller {
    pub fn user(&self) -> UserId {
        self.user
    }

    pub fn email(&self) -> &EmailAddress {
        &self.email
    }

    pub fn workspace(&self) -> &Workspace {
        &self.workspace
    }

    pub fn roles(&self) -> &[RoleRef] {
        &self.roles
    }

    pub fn permissions(&self) -> &BTreeSet<Permission> {
        &self.permissions
    }

    pub fn meta(&self) -> &RequestMeta {
        &self.meta
    }

    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    pub fn can(&self, permission: Permission) -> bool {
        self.permissions.contains(&permission)
    }

    /// Refuses unless the caller holds `permission` and the workspace's subscription allows the action
    /// (a workspace read-only for non-payment refuses business writes).
    pub fn require(&self, permission: Permission) -> DomainResult<()> {
        if !self.can(permission) {
            return Err(DomainError::Forbidden(Forbidden::MissingPermission));
        }
        if !self.billing.permits(permission) {
            return Err(DomainError::Forbidden(Forbidden::PaymentOverdue));
        }
        Ok(())
    }

    /// What the workspace's subscription lets it do now (for the banner).
    pub fn billing_access(&self) -> crate::billing::status::Access {
        self.billing
    }

    /// This workspace's field keys (DATA2).
    pub(crate) async fn field_keys(&self) -> DomainResult<std::sync::Arc<crate::crypto::FieldKeys>> {
        self.vault.field_keys(self.workspace.id).await
    }

    pub fn is_owner(&self) -> bool {
        self.roles.iter().any(|r| r.key == model::BuiltinRole::Owner.key())
    }
}

impl std::fmt::Debug for Caller {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Caller")
            .field("user", &self.user)
            .field("workspace", &self.workspace.slug)
            .field("permissions", &self.permissions)
            .finish_non_exhaustive()
    }
}
