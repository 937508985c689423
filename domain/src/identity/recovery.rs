//! Taking an account back (ID1 reset, ID9 undo; security review H2, M9): what a password reset through
//! the mailbox and an email-change undo clear, so that an attacker who held the password and a session
//! for a while keeps nothing.
//!
//! Both end every session and pending sign-in, forget every known browser and network (the next sign-in
//! from anywhere needs a code again), revoke every outstanding link (reset links included), and remove a
//! TOTP authenticator enrolled recently: within [`RECENT_ENROLMENT`] before a reset was asked for, or
//! since an undone email change was asked for. An older authenticator stays: a mailbox alone must not
//! switch off a second factor the owner has had for long.

use super::Identity;
use super::tokens;
use crate::entities::control::{known_device, known_network, recovery_code, user};
use crate::error::DomainResult;
use crate::ids::UserId;
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait as _, ConnectionTrait, EntityTrait as _, QueryFilter as _};

/// How far back a password reset removes a newly enrolled authenticator [7 days: the enrolment notice
/// went to the mailbox, and the owner resetting within a week most likely did not add it].
pub const RECENT_ENROLMENT: Duration = Duration::days(7);

impl Identity {
    /// Clears what an intruder could have left behind (see the module documentation). Undo links issued
    /// before `keep_undo_before` stay valid. Returns whether an authenticator was removed.
    pub(super) async fn take_back<C: ConnectionTrait>(
        &self,
        conn: &C,
        user: UserId,
        totp_enrolled_after: DateTime<Utc>,
        keep_undo_before: Option<DateTime<Utc>>,
        reason: &str,
        now: DateTime<Utc>,
    ) -> DomainResult<bool> {
        self.sessions.end_all(conn, user, None, reason, now).await?;
        self.drop_pending_sign_ins(conn, user).await?;
        tokens::revoke_all(conn, user, keep_undo_before, now).await?;
        known_device::Entity::delete_many().filter(known_device::Column::UserId.eq(user.as_uuid())).exec(conn).await?;
        known_network::Entity::delete_many()
            .filter(known_network::Column::UserId.eq(user.as_uuid()))
            .exec(conn)
            .await?;
        let removed = user::Entity::update_many()
            .col_expr(user::Column::TotpSecret, Expr::value(Option::<String>::None))
            .col_expr(user::Column::TotpPendingSecret, Expr::value(Option::<String>::None))
            .col_expr(user::Column::TotpEnabledAt, Expr::value(Option::<DateTime<Utc>>::None))
            .col_expr(user::Column::TotpLastStep, Expr::value(Option::<i64>::None))
            .filter(user::Column::Id.eq(user.as_uuid()))
            .filter(user::Column::TotpEnabledAt.gt(totp_enrolled_after))
            .exec(conn)
            .await?
            .rows_affected
            == 1;
        if removed {
            recovery_code::Entity::delete_many()
                .filter(recovery_code::Column::UserId.eq(user.as_uuid()))
                .exec(conn)
                .await?;
        }
        // An enrolment started but never confirmed goes in any case.
        user::Entity::update_many()
            .col_expr(user::Column::TotpPendingSecret, Expr::value(Option::<String>::None))
            .filter(user::Column::Id.eq(user.as_uuid()))
            .exec(conn)
            .await?;
        Ok(removed)
    }
}
