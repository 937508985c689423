//! What a new workspace starts with: the built-in roles, its creator as owner, default policies, and
//! the first audit entry.

use super::audit::{self, Actor};
use super::policies::Policy;
use crate::entities::control::membership;
use crate::entities::tenant::{member, member_role, role};
use crate::error::DomainResult;
use crate::identity::SignedIn;
use crate::tenancy::Workspace;
use chrono::Utc;
use model::BuiltinRole;
use sea_orm::{ActiveModelTrait as _, ActiveValue::Set, ConnectionTrait};
use serde_json::json;

/// Fills a freshly migrated workspace database and registers the owner in the control plane.
pub(crate) async fn seed<T: ConnectionTrait, C: ConnectionTrait>(
    tenant: &T,
    control: &C,
    workspace: &Workspace,
    owner: &SignedIn,
) -> DomainResult<()> {
    let now = Utc::now();
    let mut owner_role = None;
    for builtin in BuiltinRole::ALL {
        let id = uuid::Uuid::new_v4();
        role::ActiveModel {
            id: Set(id),
            key: Set(builtin.key().to_owned()),
            name: Set(builtin.name().to_owned()),
            builtin: Set(true),
            permissions: Set(super::roles::store_permissions(&builtin.permissions().into_iter().collect())),
            created_at: Set(now),
        }
        .insert(tenant)
        .await?;
        if builtin == BuiltinRole::Owner {
            owner_role = Some(id);
        }
    }
    member::ActiveModel {
        user_id: Set(owner.user.as_uuid()),
        email: Set(owner.email.to_string()),
        joined_at: Set(now),
    }
    .insert(tenant)
    .await?;
    if let Some(role_id) = owner_role {
        member_role::ActiveModel { user_id: Set(owner.user.as_uuid()), role_id: Set(role_id) }.insert(tenant).await?;
    }
    let actor = Actor { user: Some(owner.user.as_uuid()), email: owner.email.to_string(), ip: None, request_id: None };
    audit::record(
        tenant,
        &actor,
        "workspace.created",
        "workspace",
        &workspace.id.to_string(),
        json!({ "name": workspace.name.as_str(), "slug": workspace.slug.as_str() }),
    )
    .await?;
    membership::ActiveModel {
        tenant_id: Set(workspace.id.as_uuid()),
        user_id: Set(owner.user.as_uuid()),
        administrative: Set(true),
        created_at: Set(now),
    }
    .insert(control)
    .await?;
    Policy::default().row(workspace.id).insert(control).await?;
    Ok(())
}
