//! The second step of a sign-in (ID6, ID7; security review H1): the emailed code, or a TOTP code or a
//! recovery code.
//!
//! A pending sign-in is a row in `pending_sign_ins` as well as a value in the browser's session. Wrong
//! codes are limited three ways, each with one atomic statement, so parallel guesses cannot race past:
//!
//! - per pending sign-in: [`PENDING_TRIES`] tries, then the pending sign-in is dropped and the password
//!   must be given again;
//! - per account: every wrong code passes the same [`super::gate`] as a password, so a few of them start
//!   the account's cooldown, during which neither passwords nor codes are checked, however many pending
//!   sign-ins an attacker who knows the password has opened;
//! - per address: the same block as for passwords.
//!
//! When a pending sign-in is dropped or the cooldown starts, the owner is mailed: whoever typed the codes
//! knew the password. A sign-in that came through an emailed code (the mailbox is proven) is exempt from
//! the account's cooldown but not from its own tries, so an attacker cannot lock the owner out.

use super::codes::CodeOrigin;
use super::events::{self, EventKind};
use super::sign_in::{PendingSignIn, SecondFactor, SignInStep, SignedInNow};
use super::{Account, Identity, RequestMeta};
use crate::entities::control::pending_sign_in;
use crate::error::{DomainError, DomainResult};
use crate::ids::UserId;
use crate::mail::templates;
use chrono::{DateTime, Duration, Utc};
use model::{AuthFailure, OneTimeCode};
use sea_orm::sea_query::{Expr, ExprTrait as _};
use sea_orm::{ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, EntityTrait as _, QueryFilter as _};
use serde_json::json;

/// How long a started sign-in waits for its second factor.
pub(super) const PENDING_LIFETIME: Duration = Duration::minutes(10);
/// Wrong codes a pending sign-in allows before it is dropped.
pub const PENDING_TRIES: i32 = 5;

fn timed_out() -> DomainError {
    DomainError::Auth(AuthFailure::SignInTimedOut)
}

impl Identity {
    /// Opens a pending sign-in for `account`, waiting for `factor`.
    pub(super) async fn await_second_factor(
        &self,
        account: &Account,
        factor: SecondFactor,
        reasons: Vec<String>,
        password_too_short: bool,
        via_email_code: bool,
        now: DateTime<Utc>,
    ) -> DomainResult<SignInStep> {
        let id = uuid::Uuid::new_v4();
        pending_sign_in::ActiveModel {
            id: Set(id),
            user_id: Set(account.id.as_uuid()),
            failures: Set(0),
            created_at: Set(now),
        }
        .insert(&self.db)
        .await?;
        Ok(SignInStep::SecondFactor(PendingSignIn {
            id,
            user: account.id,
            factor,
            started_at: now,
            reasons,
            password_too_short,
            via_email_code,
        }))
    }

    /// Takes one try of a pending sign-in, atomically; `false` when it is gone or used up.
    async fn take_pending_try(&self, pending: &PendingSignIn) -> DomainResult<bool> {
        let taken = pending_sign_in::Entity::update_many()
            .col_expr(pending_sign_in::Column::Failures, Expr::col(pending_sign_in::Column::Failures).add(1))
            .filter(pending_sign_in::Column::Id.eq(pending.id))
            .filter(pending_sign_in::Column::UserId.eq(pending.user.as_uuid()))
            .filter(pending_sign_in::Column::Failures.lt(PENDING_TRIES))
            .exec(&self.db)
            .await?;
        Ok(taken.rows_affected == 1)
    }

    async fn tries_used(&self, pending: &PendingSignIn) -> DomainResult<i32> {
        Ok(pending_sign_in::Entity::find_by_id(pending.id).one(&self.db).await?.map_or(PENDING_TRIES, |r| r.failures))
    }

    async fn drop_pending(&self, pending: &PendingSignIn) -> DomainResult<()> {
        pending_sign_in::Entity::delete_by_id(pending.id).exec(&self.db).await?;
        Ok(())
    }

    /// Drops every pending sign-in of `user` (after a password reset or an email-change undo).
    pub(super) async fn drop_pending_sign_ins<C: sea_orm::ConnectionTrait>(
        &self,
        conn: &C,
        user: UserId,
    ) -> DomainResult<()> {
        pending_sign_in::Entity::delete_many()
            .filter(pending_sign_in::Column::UserId.eq(user.as_uuid()))
            .exec(conn)
            .await?;
        Ok(())
    }

    /// Step two: the emailed code, or a TOTP code or recovery code.
    #[tracing::instrument(skip_all)]
    pub async fn complete_second_factor(
        &self,
        pending: &PendingSignIn,
        input: &str,
        meta: &RequestMeta,
    ) -> DomainResult<SignedInNow> {
        let now = Utc::now();
        if now - pending.started_at > PENDING_LIFETIME {
            self.drop_pending(pending).await?;
            return Err(timed_out());
        }
        self.refuse_blocked_address(meta, now).await?;
        let account = self.account_by_id(&self.db, pending.user).await?.ok_or_else(timed_out)?;
        if account.row.password_changed_at > pending.started_at || account.row.locked_at.is_some() {
            // The password was reset (or the account locked) since: this sign-in no longer counts.
            self.drop_pending(pending).await?;
            return Err(timed_out());
        }
        if !self.take_pending_try(pending).await? {
            return Err(timed_out());
        }
        let reserved = if pending.via_email_code {
            None
        } else {
            let threshold = self.login_failure_threshold_for(account.id).await?;
            Some(self.reserve_check(Some(&account.email), threshold, Some(account.id), meta, now).await?)
        };
        let (result, method) = match pending.factor {
            SecondFactor::EmailCode => match OneTimeCode::parse(input) {
                Ok(code) => (self.codes.verify(account.id, &code, CodeOrigin::SignIn, now).await, "email_code"),
                Err(rule) => (Err(rule.into()), "email_code"),
            },
            SecondFactor::Totp => match OneTimeCode::parse(input) {
                Ok(code) => (self.verify_totp(&account, &code, now).await, "totp"),
                Err(_) => (self.use_recovery_code(&account, input, meta, now).await, "recovery_code"),
            },
        };
        let Err(error) = result else {
            if let Some(reserved) = reserved {
                self.check_passed(reserved, meta).await?;
            }
            self.drop_pending(pending).await?;
            return self.complete(account, meta, now, method, pending.password_too_short).await;
        };
        let cooldown_started = match reserved {
            Some(reserved) => self.check_failed(reserved, Some(account.id), meta, "wrong_second_factor").await?,
            None => {
                self.throttle.record_ip_failure(meta.ip, now).await?;
                false
            }
        };
        events::record(&self.db, EventKind::CodeFailed, Some(account.id), Some(meta), json!({ "method": method }))
            .await?;
        let used_up = self.tries_used(pending).await? >= PENDING_TRIES;
        if used_up || cooldown_started {
            self.drop_pending(pending).await?;
            self.warn_of_wrong_codes(&account).await?;
            return Err(DomainError::Auth(if cooldown_started {
                AuthFailure::AccountProtected
            } else {
                AuthFailure::SignInTimedOut
            }));
        }
        Err(error)
    }

    /// Tells the owner that someone who knew the password typed wrong second-factor codes.
    async fn warn_of_wrong_codes(&self, account: &Account) -> DomainResult<()> {
        self.notify(&self.db, &account.email, templates::Notice::WrongSecondFactor, crate::mail::Language::default())
            .await
    }

    /// Sends a new code for a pending sign-in that waits for one.
    pub async fn resend_sign_in_code(&self, pending: &PendingSignIn, meta: &RequestMeta) -> DomainResult<()> {
        let now = Utc::now();
        if pending.factor != SecondFactor::EmailCode || now - pending.started_at > PENDING_LIFETIME {
            return Err(timed_out());
        }
        if pending_sign_in::Entity::find_by_id(pending.id).one(&self.db).await?.is_none() {
            return Err(timed_out());
        }
        let account = self.account_by_id(&self.db, pending.user).await?.ok_or_else(timed_out)?;
        self.codes.send(account.id, &account.email, CodeOrigin::SignIn, now, meta.language).await?;
        events::record(&self.db, EventKind::CodeSent, Some(account.id), Some(meta), json!({ "reasons": ["resend"] }))
            .await
    }
}
