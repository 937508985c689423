//! Re-authentication before a sensitive change (password, email address, TOTP, recovery codes): the
//! current password again (security review H3).
//!
//! It passes the same [`super::gate`] as sign-in: an address block or an account cooldown refuses it
//! without checking the password, and every wrong password counts towards both. On top of that:
//!
//! - a few wrong passwords in one session ([`REAUTH_FAILURES_PER_SESSION`]) end that session, so a
//!   stolen session is worth a handful of guesses, not thousands;
//! - each user has a small budget of re-authentications (right or wrong) per server, so no signed-in
//!   user can keep the shared password hasher busy and stall everyone else's sign-in.

use super::events::{self, EventKind};
use super::{Account, Identity, RequestMeta, SignedIn};
use crate::error::{DomainError, DomainResult};
use chrono::Utc;
use governor::{Quota, RateLimiter};
use model::AuthFailure;
use secrecy::SecretString;
use serde_json::json;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Wrong re-authentication passwords after which the session ends.
pub const REAUTH_FAILURES_PER_SESSION: u32 = 3;
/// Re-authentications a user may make at once [5], refilled one per [`REAUTH_REFILL`].
const REAUTH_BURST: u32 = 5;
const REAUTH_REFILL: Duration = Duration::from_secs(60);

/// The per-user budget of re-authentications (governor's keyed limiter; idle users are forgotten).
pub(super) struct ReauthBudget {
    limiter: governor::DefaultKeyedRateLimiter<uuid::Uuid>,
    calls: AtomicU64,
}

impl Default for ReauthBudget {
    fn default() -> Self {
        let burst = NonZeroU32::new(REAUTH_BURST).unwrap_or(NonZeroU32::MIN);
        let quota = Quota::with_period(REAUTH_REFILL).unwrap_or_else(|| Quota::per_minute(NonZeroU32::MIN));
        Self { limiter: RateLimiter::keyed(quota.allow_burst(burst)), calls: AtomicU64::new(0) }
    }
}

impl ReauthBudget {
    fn take(&self, user: uuid::Uuid) -> bool {
        if self.calls.fetch_add(1, Ordering::Relaxed) % 1024 == 1023 {
            self.limiter.retain_recent();
        }
        self.limiter.check_key(&user).is_ok()
    }
}

/// Proof that a signed-in user has just confirmed their password (made only by
/// [`Identity::confirm_password`]; its field is private, so no other code can make one), for actions
/// outside identity that need it, such as downloading a workspace's data.
#[derive(Debug)]
pub struct PasswordConfirmed {
    user: crate::ids::UserId,
}

impl PasswordConfirmed {
    /// Whose password was confirmed.
    pub fn user(&self) -> crate::ids::UserId {
        self.user
    }
}

impl Identity {
    /// Checks the current password of a signed-in user before a sensitive action outside identity, with
    /// every rule of [`Self::reauthenticate`] (the gate, the per-session failures, the per-user budget).
    pub async fn confirm_password(
        &self,
        signed_in: &SignedIn,
        password: &SecretString,
        meta: &RequestMeta,
    ) -> DomainResult<PasswordConfirmed> {
        let account = self.reauthenticate(signed_in, password, meta).await?;
        Ok(PasswordConfirmed { user: account.id })
    }

    /// Checks the current password of a signed-in user before a sensitive change (see the module
    /// documentation).
    pub(super) async fn reauthenticate(
        &self,
        signed_in: &SignedIn,
        password: &SecretString,
        meta: &RequestMeta,
    ) -> DomainResult<Account> {
        if !self.reauth_budget.take(signed_in.user.as_uuid()) {
            return Err(DomainError::Auth(AuthFailure::RateLimited));
        }
        let account = self
            .account_by_id(&self.db, signed_in.user)
            .await?
            .ok_or(DomainError::Auth(AuthFailure::SignInRequired))?;
        let now = Utc::now();
        let threshold = self.login_failure_threshold_for(account.id).await?;
        let reserved = self.reserve_check(Some(&account.email), threshold, Some(account.id), meta, now).await?;
        let verdict = match self.hasher.verify(password, Some(&account.row.password_hash)).await {
            Ok(verdict) => verdict,
            Err(error) => {
                self.check_passed(reserved, meta).await?;
                return Err(error);
            }
        };
        if verdict.matches {
            self.check_passed(reserved, meta).await?;
            return Ok(account);
        }
        self.check_failed(reserved, Some(account.id), meta, "reauthentication").await?;
        if self.sessions.count_reauth_failure(signed_in.session).await? >= REAUTH_FAILURES_PER_SESSION {
            self.sessions.end(signed_in.user, signed_in.session, "reauthentication_failed", now).await?;
            events::record(
                &self.db,
                EventKind::SessionEnded,
                Some(account.id),
                Some(meta),
                json!({ "reason": "reauthentication_failed" }),
            )
            .await?;
            return Err(DomainError::Auth(AuthFailure::SignInRequired));
        }
        Err(DomainError::Auth(AuthFailure::WrongPassword))
    }
}
