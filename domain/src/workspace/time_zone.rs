//! The time zone a person sees a workspace's pages in when they chose none themselves (UX3): the
//! workspace's, but only for a member signed in with a live session. Anyone else gets `None` (UTC), so
//! the zone a page is drawn in never tells a stranger that a workspace exists or where it is.

use super::access::WorkspaceAccess;
use super::policies::Policy;
use crate::entities::control::{auth_session, membership};
use crate::error::{DomainError, DomainResult};
use crate::ids::AuthSessionId;
use crate::zones::Zone;
use model::WorkspaceSlug;
use sea_orm::EntityTrait as _;

impl WorkspaceAccess<'_> {
    /// The zone of the workspace at `slug` for the holder of `session`, if they are a member of it.
    #[tracing::instrument(skip(self))]
    pub async fn member_time_zone(&self, session: AuthSessionId, slug: &str) -> DomainResult<Option<Zone>> {
        let Some(auth) = auth_session::Entity::find_by_id(session.as_uuid()).one(self.control).await? else {
            return Ok(None);
        };
        if auth.revoked_at.is_some() || auth.expires_at <= chrono::Utc::now() {
            return Ok(None);
        }
        let Ok(slug) = WorkspaceSlug::parse(slug) else { return Ok(None) };
        let workspace = match self.tenancy.find_by_slug(&slug).await {
            Ok(workspace) => workspace,
            Err(DomainError::NotFound) => return Ok(None),
            Err(other) => return Err(other),
        };
        let member = membership::Entity::find_by_id((workspace.id.as_uuid(), auth.user_id)).one(self.control).await?;
        if member.is_none() {
            return Ok(None);
        }
        Ok(Some(Policy::load(self.control, workspace.id).await?.time_zone))
    }
}
