//! Signed-in sessions (ID8). The browser holds a tower-sessions cookie; the session's data names one row
//! here, which is checked on every request: not ended, not idle for longer than the idle timeout
//! [30 min], not older than the absolute lifetime [12 h]. Users list their sessions (device, address,
//! last seen) and end any or all of them; ending one takes effect on its next request.

use super::RequestMeta;
use crate::entities::control::auth_session;
use crate::error::DomainResult;
use crate::ids::{AuthSessionId, UserId};
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, ExprTrait as _};
use sea_orm::{ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, ConnectionTrait, DatabaseConnection};
use sea_orm::{EntityTrait as _, QueryFilter as _, QueryOrder as _};

#[derive(Debug, Clone, Copy)]
pub struct SessionPolicy {
    pub idle_timeout: Duration,
    pub absolute_lifetime: Duration,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        Self { idle_timeout: Duration::minutes(30), absolute_lifetime: Duration::hours(12) }
    }
}

/// Why a session no longer counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionEnd {
    Unknown,
    Ended,
    Idle,
    Expired,
}

/// A session that still counts, as [`Sessions::check`] found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LiveSession {
    pub user: UserId,
    pub started_at: DateTime<Utc>,
    /// Activity before this request (for workspaces with a stricter idle timeout).
    pub previously_seen_at: DateTime<Utc>,
    /// A workspace policy demanded a longer password than the one signed in with.
    pub password_change_required: bool,
}

/// A session as its owner sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInfo {
    pub id: AuthSessionId,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub ip: String,
    pub user_agent: String,
}

#[derive(Clone)]
pub struct Sessions {
    db: DatabaseConnection,
    pub policy: SessionPolicy,
}

impl Sessions {
    pub fn new(db: DatabaseConnection, policy: SessionPolicy) -> Self {
        Self { db, policy }
    }

    pub async fn start<C: ConnectionTrait>(
        &self,
        conn: &C,
        user: UserId,
        meta: &RequestMeta,
        now: DateTime<Utc>,
        password_change_required: bool,
    ) -> DomainResult<AuthSessionId> {
        let id = AuthSessionId::new_random();
        auth_session::ActiveModel {
            id: Set(id.as_uuid()),
            user_id: Set(user.as_uuid()),
            created_at: Set(now),
            last_seen_at: Set(now),
            expires_at: Set(now + self.policy.absolute_lifetime),
            ip: Set(meta.ip.to_string()),
            user_agent: Set(meta.user_agent.clone()),
            revoked_at: Set(None),
            revoked_reason: Set(None),
            password_change_required: Set(password_change_required),
            reauth_failures: Set(0),
        }
        .insert(conn)
        .await?;
        Ok(id)
    }

    /// The session if it still counts; records activity.
    pub async fn check(&self, id: AuthSessionId, now: DateTime<Utc>) -> DomainResult<Result<LiveSession, SessionEnd>> {
        let Some(row) = auth_session::Entity::find_by_id(id.as_uuid()).one(&self.db).await? else {
            return Ok(Err(SessionEnd::Unknown));
        };
        if row.revoked_at.is_some() {
            return Ok(Err(SessionEnd::Ended));
        }
        if now >= row.expires_at {
            self.end_where(auth_session::Column::Id.eq(id.as_uuid()), "expired", now).await?;
            return Ok(Err(SessionEnd::Expired));
        }
        if now - row.last_seen_at >= self.policy.idle_timeout {
            self.end_where(auth_session::Column::Id.eq(id.as_uuid()), "idle", now).await?;
            return Ok(Err(SessionEnd::Idle));
        }
        // Record activity, but not on every request: a tenth of the idle timeout is precise enough.
        let granularity = (self.policy.idle_timeout / 10).min(Duration::minutes(1));
        if now - row.last_seen_at >= granularity {
            auth_session::Entity::update_many()
                .col_expr(auth_session::Column::LastSeenAt, Expr::value(now))
                .filter(auth_session::Column::Id.eq(id.as_uuid()))
                .exec(&self.db)
                .await?;
        }
        Ok(Ok(LiveSession {
            user: UserId::from(row.user_id),
            started_at: row.created_at,
            previously_seen_at: row.last_seen_at,
            password_change_required: row.password_change_required,
        }))
    }

    pub async fn clear_password_change_required<C: ConnectionTrait>(
        &self,
        conn: &C,
        id: AuthSessionId,
    ) -> DomainResult<()> {
        auth_session::Entity::update_many()
            .col_expr(auth_session::Column::PasswordChangeRequired, Expr::value(false))
            .filter(auth_session::Column::Id.eq(id.as_uuid()))
            .exec(conn)
            .await?;
        Ok(())
    }

    /// Counts a wrong password typed to re-authenticate in session `id`; returns the count so far (one
    /// atomic statement, so parallel attempts are all counted).
    pub async fn count_reauth_failure(&self, id: AuthSessionId) -> DomainResult<u32> {
        auth_session::Entity::update_many()
            .col_expr(auth_session::Column::ReauthFailures, Expr::col(auth_session::Column::ReauthFailures).add(1))
            .filter(auth_session::Column::Id.eq(id.as_uuid()))
            .exec(&self.db)
            .await?;
        let row = auth_session::Entity::find_by_id(id.as_uuid()).one(&self.db).await?;
        Ok(row.map_or(u32::MAX, |row| u32::try_from(row.reauth_failures).unwrap_or(u32::MAX)))
    }

    /// The user's sessions that still count, most recently active first.
    pub async fn list(&self, user: UserId, now: DateTime<Utc>) -> DomainResult<Vec<SessionInfo>> {
        Ok(auth_session::Entity::find()
            .filter(auth_session::Column::UserId.eq(user.as_uuid()))
            .filter(auth_session::Column::RevokedAt.is_null())
            .filter(auth_session::Column::ExpiresAt.gt(now))
            .filter(auth_session::Column::LastSeenAt.gt(now - self.policy.idle_timeout))
            .order_by_desc(auth_session::Column::LastSeenAt)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|row| SessionInfo {
                id: row.id.into(),
                created_at: row.created_at,
                last_seen_at: row.last_seen_at,
                ip: row.ip,
                user_agent: row.user_agent,
            })
            .collect())
    }

    /// Ends one of `user`'s sessions. Returns whether it was theirs and still open.
    pub async fn end(&self, user: UserId, id: AuthSessionId, reason: &str, now: DateTime<Utc>) -> DomainResult<bool> {
        let condition = auth_session::Column::Id.eq(id.as_uuid()).and(auth_session::Column::UserId.eq(user.as_uuid()));
        Ok(self.end_where(condition, reason, now).await? == 1)
    }

    /// Ends all of `user`'s sessions, except `keep`. Returns how many.
    pub async fn end_all<C: ConnectionTrait>(
        &self,
        conn: &C,
        user: UserId,
        keep: Option<AuthSessionId>,
        reason: &str,
        now: DateTime<Utc>,
    ) -> DomainResult<u64> {
        let mut update = auth_session::Entity::update_many()
            .col_expr(auth_session::Column::RevokedAt, Expr::value(Some(now)))
            .col_expr(auth_session::Column::RevokedReason, Expr::value(Some(reason.to_owned())))
            .filter(auth_session::Column::UserId.eq(user.as_uuid()))
            .filter(auth_session::Column::RevokedAt.is_null());
        if let Some(keep) = keep {
            update = update.filter(auth_session::Column::Id.ne(keep.as_uuid()));
        }
        Ok(update.exec(conn).await?.rows_affected)
    }

    async fn end_where(
        &self,
        condition: sea_orm::sea_query::SimpleExpr,
        reason: &str,
        now: DateTime<Utc>,
    ) -> DomainResult<u64> {
        Ok(auth_session::Entity::update_many()
            .col_expr(auth_session::Column::RevokedAt, Expr::value(Some(now)))
            .col_expr(auth_session::Column::RevokedReason, Expr::value(Some(reason.to_owned())))
            .filter(condition)
            .filter(auth_session::Column::RevokedAt.is_null())
            .exec(&self.db)
            .await?
            .rows_affected)
    }
}
