//! The parts of workspace policies that sign-in honours (TN1 policies, enforced at the next request):
//! a user in several workspaces gets the strictest of them. Everything else in a policy is checked when
//! the user enters the workspace (see `workspace::access`).

use super::Identity;
use crate::entities::control::{membership, workspace_policy};
use crate::error::DomainResult;
use crate::ids::UserId;
use sea_orm::{ColumnTrait as _, EntityTrait as _, QueryFilter as _, QuerySelect as _};
use secrecy::{ExposeSecret as _, SecretString};

impl Identity {
    async fn policies_of(&self, user: UserId) -> DomainResult<Vec<workspace_policy::Model>> {
        let tenants: Vec<uuid::Uuid> = membership::Entity::find()
            .select_only()
            .column(membership::Column::TenantId)
            .filter(membership::Column::UserId.eq(user.as_uuid()))
            .into_tuple()
            .all(&self.db)
            .await?;
        if tenants.is_empty() {
            return Ok(Vec::new());
        }
        Ok(workspace_policy::Entity::find()
            .filter(workspace_policy::Column::TenantId.is_in(tenants))
            .all(&self.db)
            .await?)
    }

    /// The minimum length a new password of `user` must have: the platform's, or more if one of their
    /// workspaces demands it.
    pub(super) async fn min_password_chars_for(&self, user: UserId) -> DomainResult<usize> {
        let strictest =
            self.policies_of(user).await?.iter().map(|p| usize::try_from(p.min_password_chars).unwrap_or(0)).max();
        Ok(strictest.unwrap_or(0).max(self.settings.min_password_chars))
    }

    /// Failures that start a cooldown for `user`: the platform's, or fewer if a workspace says so.
    pub(super) async fn login_failure_threshold_for(&self, user: UserId) -> DomainResult<u32> {
        let strictest = self
            .policies_of(user)
            .await?
            .iter()
            .filter_map(|p| p.login_failures)
            .filter_map(|n| u32::try_from(n).ok())
            .min();
        Ok(strictest
            .map_or(self.settings.account_lockout.failures, |n| n.clamp(1, self.settings.account_lockout.failures)))
    }

    /// Whether `user` administers a workspace or holds a platform role: their sign-ins always need a
    /// second factor (ID6: "… or for an admin").
    pub(super) async fn is_privileged(&self, user: UserId, platform_role: super::PlatformRole) -> DomainResult<bool> {
        if platform_role != super::PlatformRole::None {
            return Ok(true);
        }
        Ok(membership::Entity::find()
            .filter(membership::Column::UserId.eq(user.as_uuid()))
            .filter(membership::Column::Administrative.eq(true))
            .one(&self.db)
            .await?
            .is_some())
    }

    /// Whether the password just checked is shorter than a workspace of `user` now demands (it must be
    /// changed before that workspace can be used).
    pub(super) async fn password_shorter_than_policy(
        &self,
        user: UserId,
        password: &SecretString,
    ) -> DomainResult<bool> {
        Ok(password.expose_secret().chars().count() < self.min_password_chars_for(user).await?)
    }
}
