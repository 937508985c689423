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
/// [`super::access::WorkspaceAccess::enter`].
#[derive(Clone)]
pub struct Caller {
    pub user: UserId,
    pub email: EmailAddress,
    pub workspace: Workspace,
    pub roles: Vec<RoleRef>,
    pub permissions: BTreeSet<Permission>,
    pub meta: RequestMeta,
    pub request_id: Option<String>,
    pub(crate) db: DatabaseConnection,
    pub(crate) control: DatabaseConnection,
    pub(crate) mailer: std::sync::Arc<crate::mail::Mailer>,
}

impl Caller {
    pub fn can(&self, permission: Permission) -> bool {
        self.permissions.contains(&permission)
    }

    /// Refuses unless the caller holds `permission`.
    pub fn require(&self, permission: Permission) -> DomainResult<()> {
        if self.can(permission) { Ok(()) } else { Err(DomainError::Forbidden(Forbidden::MissingPermission)) }
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
