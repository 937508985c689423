//! What a new workspace starts with: the built-in roles, its creator as owner, and the first audit
//! entry; and what it owes the control plane (the owner's membership, default policies, becoming
//! active), by the cross-database rule (`control_changes`).

use super::audit::{self, Actor};
use super::control_changes::{self, ControlChange, Owed};
use crate::entities::tenant::{member, member_role, role};
use crate::error::DomainResult;
use crate::identity::SignedIn;
use crate::tenancy::Workspace;
use chrono::Utc;
use model::BuiltinRole;
use sea_orm::{ActiveModelTrait as _, ActiveValue::Set, DatabaseTransaction};
use serde_json::json;

/// Fills a freshly migrated workspace database; returns what it owes the control plane.
pub(crate) async fn seed(tenant: &DatabaseTransaction, workspace: &Workspace, owner: &SignedIn) -> DomainResult<Owed> {
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
    let actor = Actor {
        kind: audit::ActorKind::User,
        user: Some(owner.user.as_uuid()),
        email: owner.email.to_string(),
        ip: None,
        request_id: None,
    };
    audit::record(
        tenant,
        &actor,
        "workspace.created",
        "workspace",
        &workspace.id.to_string(),
        json!({ "name": workspace.name.as_str(), "slug": workspace.slug.as_str() }),
    )
    .await?;
    control_changes::owe(tenant, ControlChange::WorkspaceCreated { owner: owner.user.as_uuid() }).await
}
