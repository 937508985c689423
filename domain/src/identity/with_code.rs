//! "Email me a code" and signing in with it (ID4, ID6): the way in during an account's cooldown, so an
//! attacker's failures cannot lock the owner out.
//!
//! Neither reveals whether an address has an account (security review M3, L12):
//! - a code request answers at once, before any work that differs; the lookup and the mail happen in
//!   the background (bounded, like sign-up);
//! - a sign-in with a code gives one answer, [`AuthFailure::CodeNotAccepted`], for "no such account",
//!   "no live code" and "wrong code", after the same queries in every case.
//!
//! Requested codes are counted and replaced apart from the codes a sign-in asks for after its password
//! (security review M6): requesting codes for someone cannot use up, or replace, the code their own
//! sign-in is waiting for.

use super::codes::CodeOrigin;
use super::events::{self, EventKind};
use super::sign_in::{SecondFactor, SignInStep};
use super::{Identity, RequestMeta};
use crate::error::{DomainError, DomainResult};
use crate::ids::UserId;
use chrono::Utc;
use model::{AuthFailure, EmailAddress, OneTimeCode};
use sea_orm::{ActiveModelTrait as _, ActiveValue::Set, IntoActiveModel as _};
use secrecy::SecretString;
use serde_json::json;

impl Identity {
    /// Mails a sign-in code to `email` if it has an account that can sign in. Answers `Ok` at once for
    /// every address (see the module documentation).
    pub async fn request_sign_in_code(&self, email: &EmailAddress, meta: &RequestMeta) -> DomainResult<()> {
        self.refuse_blocked_address(meta, Utc::now()).await?;
        let (email, meta) = (email.clone(), meta.clone());
        self.in_background(
            "sign-in code request",
            move |this| async move { this.finish_code_request(&email, &meta).await },
        )
    }

    async fn finish_code_request(&self, email: &EmailAddress, meta: &RequestMeta) -> DomainResult<()> {
        let now = Utc::now();
        let Some(account) = self.account_by_email(&self.db, email).await? else { return Ok(()) };
        if account.row.locked_at.is_some() {
            return Ok(());
        }
        match self.codes.send(account.id, &account.email, CodeOrigin::Requested, now, meta.language).await {
            Ok(()) => {
                events::record(
                    &self.db,
                    EventKind::CodeSent,
                    Some(account.id),
                    Some(meta),
                    json!({ "reasons": ["requested"] }),
                )
                .await
            }
            Err(DomainError::Auth(AuthFailure::TooManyCodes)) => {
                events::record(
                    &self.db,
                    EventKind::CodeRefused,
                    Some(account.id),
                    Some(meta),
                    json!({ "reason": "too_many" }),
                )
                .await
            }
            Err(other) => Err(other),
        }
    }

    /// Signs in with address, password and an emailed code. This works during an account's cooldown:
    /// the code proves the mailbox, so an attacker's failures cannot lock the owner out.
    #[tracing::instrument(skip_all)]
    pub async fn sign_in_with_code(
        &self,
        email: &EmailAddress,
        password: &SecretString,
        code: &OneTimeCode,
        meta: &RequestMeta,
    ) -> DomainResult<SignInStep> {
        let now = Utc::now();
        self.refuse_blocked_address(meta, now).await?;
        let account = self.account_by_email(&self.db, email).await?;
        // An unknown address runs the very same queries against the nil user, who has no codes.
        let owner = account.as_ref().map_or(UserId::from(uuid::Uuid::nil()), |a| a.id);
        if self.codes.verify(owner, code, CodeOrigin::Requested, now).await.is_err() || account.is_none() {
            self.count_failure(None, account.as_ref().map(|a| a.id), meta, "wrong_code").await?;
            return Err(DomainError::Auth(AuthFailure::CodeNotAccepted));
        }
        let Some(account) = account else { return Err(DomainError::Auth(AuthFailure::CodeNotAccepted)) };
        // The code was valid and is now used up: each password check here costs the guesser a fresh code
        // from the owner's mailbox.
        if !self.hasher.verify(password, Some(&account.row.password_hash)).await?.matches {
            self.count_failure(Some(email), Some(account.id), meta, "wrong_password_with_code").await?;
            return Err(DomainError::Auth(AuthFailure::InvalidCredentials));
        }
        let password_too_short = self.password_shorter_than_policy(account.id, password).await?;
        if account.row.locked_at.is_some() {
            return Err(DomainError::Auth(AuthFailure::AccountLocked));
        }
        let mut account = account;
        if account.row.email_verified_at.is_none() {
            // The code went to the mailbox: that verifies the address.
            let mut row = account.row.clone().into_active_model();
            row.email_verified_at = Set(Some(now));
            account.row = row.update(&self.db).await?;
        }
        if account.row.totp_enabled_at.is_some() {
            let reasons = vec!["totp_enrolled".to_owned()];
            return self
                .await_second_factor(&account, SecondFactor::Totp, reasons, password_too_short, true, now)
                .await;
        }
        Ok(SignInStep::SignedIn(self.complete(account, meta, now, "email_code", password_too_short).await?))
    }

    /// Counts a failure that was not reserved at the gate (a wrong emailed code: the code's own tries
    /// are its limit) for the address, and for the account if given.
    pub(super) async fn count_failure(
        &self,
        account: Option<&EmailAddress>,
        user: Option<UserId>,
        meta: &RequestMeta,
        reason: &str,
    ) -> DomainResult<()> {
        let now = Utc::now();
        if let Some(account) = account {
            let threshold = match user {
                Some(user) => self.login_failure_threshold_for(user).await?,
                None => self.settings.account_lockout.failures,
            };
            let state = self.throttle.record_account_failure(account, now, threshold).await?;
            if state.cooling_down_until.is_some_and(|until| until > now && state.recent_failures >= threshold) {
                events::record(
                    &self.db,
                    EventKind::AccountCooldownStarted,
                    user,
                    Some(meta),
                    json!({ "until": state.cooling_down_until }),
                )
                .await?;
            }
        }
        let ip = self.throttle.record_ip_failure(meta.ip, now).await?;
        if ip.recent_failures == self.settings.ip_block.failures {
            events::record(&self.db, EventKind::AddressBlocked, None, Some(meta), json!({ "until": ip.blocked_until }))
                .await?;
        }
        events::record(&self.db, EventKind::SignInFailed, user, Some(meta), json!({ "reason": reason })).await
    }
}
