//! Signing in (ID4–ID6, ID8).
//!
//! 1. An address blocked for failures gets nothing but "try later" (no password check).
//! 2. An account in cooldown gets "use an emailed code" without its password being checked, for every
//!    address typed, registered or not: no oracle for the guesser, no lockout for the owner, who signs in
//!    with [`Identity::request_sign_in_code`] and [`Identity::sign_in_with_code`].
//! 3. After a few failures (per account or address), a proof of work is required.
//! 4. The password is checked (unknown accounts against a dummy hash, same time); a failure counts for
//!    the account and the address.
//! 5. A risky sign-in (new browser, new network, recent failures) must pass an emailed code; a user with
//!    TOTP always passes TOTP (or a recovery code) instead.
//! 6. Success: a session row, the browser and network remembered, a notice for a new browser, counters
//!    cleared. The web layer then rotates the session id.

use super::events::{self, EventKind};
use super::risk::{self, Risk};
use super::{Account, Identity, RequestMeta};
use crate::error::{DomainError, DomainResult};
use crate::ids::{AuthSessionId, UserId};
use chrono::{DateTime, Duration, Utc};
use model::{AuthFailure, EmailAddress, OneTimeCode};
use sea_orm::{ActiveModelTrait as _, ActiveValue::Set, IntoActiveModel as _};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// How long a started sign-in waits for its second factor.
const PENDING_LIFETIME: Duration = Duration::minutes(10);

/// A signed-in user, as every authenticated request sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedIn {
    pub user: UserId,
    pub session: AuthSessionId,
    pub email: EmailAddress,
    pub totp_enabled: bool,
    pub platform_role: super::PlatformRole,
    pub session_started_at: DateTime<Utc>,
    pub previously_seen_at: DateTime<Utc>,
    /// A workspace policy demands a longer password than the one this session signed in with.
    pub password_change_required: bool,
}

/// The second factor a pending sign-in waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SecondFactor {
    EmailCode,
    Totp,
}

/// A sign-in that passed the password and waits for its second factor. Kept in the server-side session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingSignIn {
    pub user: UserId,
    pub factor: SecondFactor,
    pub started_at: DateTime<Utc>,
    pub reasons: Vec<String>,
    /// The password is shorter than a workspace of the user demands: the session will require a change.
    #[serde(default)]
    pub password_too_short: bool,
}

/// A completed sign-in.
#[derive(Debug, Clone)]
pub struct SignedInNow {
    pub signed_in: SignedIn,
    /// A device cookie to set, if the browser had none.
    pub new_device_token: Option<String>,
}

pub enum SignInStep {
    SignedIn(SignedInNow),
    SecondFactor(PendingSignIn),
}

/// Users with an authenticator app always give its code next, whatever the risk.
fn totp_step(user: UserId, now: DateTime<Utc>, password_too_short: bool) -> SignInStep {
    SignInStep::SecondFactor(PendingSignIn {
        user,
        factor: SecondFactor::Totp,
        started_at: now,
        reasons: vec!["totp_enrolled".to_owned()],
        password_too_short,
    })
}

fn refused(failure: AuthFailure) -> DomainError {
    DomainError::Auth(failure)
}

impl Identity {
    async fn refuse_blocked_address(&self, meta: &RequestMeta, now: DateTime<Utc>) -> DomainResult<()> {
        if let Some(until) = self.throttle.ip_state(meta.ip, now).await?.blocked_until {
            let minutes = ((until - now).num_seconds() as f64 / 60.0).ceil().max(1.0) as u32;
            return Err(refused(AuthFailure::NetworkBlocked { retry_after_minutes: minutes }));
        }
        Ok(())
    }

    /// Counts a failure for the address (and the account, if given) and logs it.
    async fn count_failure(
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

    /// Step one: address and password (and a solved proof of work, when one is required).
    #[tracing::instrument(skip_all)]
    pub async fn begin_sign_in(
        &self,
        email: &EmailAddress,
        password: &SecretString,
        proof_of_work: Option<(String, u64)>,
        meta: &RequestMeta,
    ) -> DomainResult<SignInStep> {
        let now = Utc::now();
        self.refuse_blocked_address(meta, now).await?;
        let account_state = self.throttle.account_state(email, now).await?;
        if account_state.cooling_down_until.is_some() {
            self.throttle.record_ip_failure(meta.ip, now).await?;
            events::record(&self.db, EventKind::SignInFailed, None, Some(meta), json!({ "reason": "cooldown" }))
                .await?;
            return Err(refused(AuthFailure::AccountProtected));
        }
        let ip_state = self.throttle.ip_state(meta.ip, now).await?;
        let threshold = self.settings.proof_of_work_after;
        if account_state.recent_failures >= threshold || ip_state.recent_failures >= threshold {
            match proof_of_work {
                Some((challenge, solution)) => self.pow.verify(&challenge, solution, now).await?,
                None => {
                    events::record(&self.db, EventKind::ProofOfWorkRequired, None, Some(meta), json!({})).await?;
                    return Err(self.pow.challenge(now));
                }
            }
        }
        let account = self.account_by_email(&self.db, email).await?;
        let verdict = self.hasher.verify(password, account.as_ref().map(|a| a.row.password_hash.as_str())).await?;
        let user = account.as_ref().map(|a| a.id);
        let Some(account) = account.filter(|_| verdict.matches) else {
            self.count_failure(Some(email), user, meta, "wrong_credentials").await?;
            return Err(refused(AuthFailure::InvalidCredentials));
        };
        if verdict.needs_rehash {
            let hash = self.hasher.hash(password).await?;
            let mut row = account.row.clone().into_active_model();
            row.password_hash = Set(hash);
            row.update(&self.db).await?;
        }
        let short = self.password_shorter_than_policy(account.id, password).await?;
        self.after_password(account, account_state.recent_failures > 0, short, meta, now).await
    }

    /// Locked or unverified accounts stop here; otherwise decide on the second factor.
    async fn after_password(
        &self,
        account: Account,
        recent_failures: bool,
        password_too_short: bool,
        meta: &RequestMeta,
        now: DateTime<Utc>,
    ) -> DomainResult<SignInStep> {
        if account.row.locked_at.is_some() {
            events::record(
                &self.db,
                EventKind::SignInFailed,
                Some(account.id),
                Some(meta),
                json!({ "reason": "locked" }),
            )
            .await?;
            return Err(refused(AuthFailure::AccountLocked));
        }
        if account.row.email_verified_at.is_none() {
            self.resend_verification(&account, now).await?;
            return Err(refused(AuthFailure::EmailNotVerified));
        }
        if account.row.totp_enabled_at.is_some() {
            return Ok(totp_step(account.id, now, password_too_short));
        }
        let privileged = self.is_privileged(account.id, super::PlatformRole::parse(&account.row.platform_role)).await?;
        let risk: Risk = risk::assess(&self.db, account.id, meta, recent_failures, privileged).await?;
        if risk.requires_second_factor() {
            self.codes.send(account.id, &account.email, now).await?;
            events::record(
                &self.db,
                EventKind::CodeSent,
                Some(account.id),
                Some(meta),
                json!({ "reasons": risk.reasons() }),
            )
            .await?;
            return Ok(SignInStep::SecondFactor(PendingSignIn {
                user: account.id,
                factor: SecondFactor::EmailCode,
                started_at: now,
                reasons: risk.reasons().into_iter().map(str::to_owned).collect(),
                password_too_short,
            }));
        }
        Ok(SignInStep::SignedIn(self.complete(account, meta, now, "password", password_too_short).await?))
    }

    async fn resend_verification(&self, account: &Account, now: DateTime<Utc>) -> DomainResult<()> {
        let txn = crate::db::begin_write(&self.db).await?;
        self.send_verification(&txn, account.id, &account.email, now).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Mails a sign-in code to `email` if it has an account that can sign in. Always answers `Ok`, so
    /// it tells nothing about which addresses have accounts.
    pub async fn request_sign_in_code(&self, email: &EmailAddress, meta: &RequestMeta) -> DomainResult<()> {
        let now = Utc::now();
        self.refuse_blocked_address(meta, now).await?;
        let Some(account) = self.account_by_email(&self.db, email).await? else { return Ok(()) };
        if account.row.locked_at.is_some() {
            return Ok(());
        }
        match self.codes.send(account.id, &account.email, now).await {
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
        let code_result = match &account {
            Some(account) => self.codes.verify(account.id, code, now).await,
            None => Err(refused(AuthFailure::CodeExpired)),
        };
        if let Err(error) = code_result {
            self.count_failure(None, account.as_ref().map(|a| a.id), meta, "wrong_code").await?;
            return Err(error);
        }
        let account = account.expect("a code was verified, so the account exists");
        if !self.hasher.verify(password, Some(&account.row.password_hash)).await?.matches {
            self.count_failure(Some(email), Some(account.id), meta, "wrong_password_with_code").await?;
            return Err(refused(AuthFailure::InvalidCredentials));
        }
        let password_too_short = self.password_shorter_than_policy(account.id, password).await?;
        if account.row.locked_at.is_some() {
            return Err(refused(AuthFailure::AccountLocked));
        }
        let mut account = account;
        if account.row.email_verified_at.is_none() {
            // The code went to the mailbox: that verifies the address.
            let mut row = account.row.clone().into_active_model();
            row.email_verified_at = Set(Some(now));
            account.row = row.update(&self.db).await?;
        }
        if account.row.totp_enabled_at.is_some() {
            return Ok(totp_step(account.id, now, password_too_short));
        }
        Ok(SignInStep::SignedIn(self.complete(account, meta, now, "email_code", password_too_short).await?))
    }

    /// Step two: the emailed code, or a TOTP code or recovery code.
    pub async fn complete_second_factor(
        &self,
        pending: &PendingSignIn,
        input: &str,
        meta: &RequestMeta,
    ) -> DomainResult<SignedInNow> {
        let now = Utc::now();
        if now - pending.started_at > PENDING_LIFETIME {
            return Err(refused(AuthFailure::SignInTimedOut));
        }
        self.refuse_blocked_address(meta, now).await?;
        let account = self.account_by_id(&self.db, pending.user).await?.ok_or(refused(AuthFailure::SignInTimedOut))?;
        let (result, method) = match pending.factor {
            SecondFactor::EmailCode => match OneTimeCode::parse(input) {
                Ok(code) => (self.codes.verify(account.id, &code, now).await, "email_code"),
                Err(rule) => return Err(rule.into()),
            },
            SecondFactor::Totp => match OneTimeCode::parse(input) {
                Ok(code) => (self.verify_totp(&account, &code, now).await, "totp"),
                Err(_) => (self.use_recovery_code(&account, input, meta, now).await, "recovery_code"),
            },
        };
        if let Err(error) = result {
            self.count_failure(None, Some(account.id), meta, "wrong_second_factor").await?;
            events::record(&self.db, EventKind::CodeFailed, Some(account.id), Some(meta), json!({ "method": method }))
                .await?;
            return Err(error);
        }
        self.complete(account, meta, now, method, pending.password_too_short).await
    }

    /// Sends a new code for a pending sign-in that waits for one.
    pub async fn resend_sign_in_code(&self, pending: &PendingSignIn, meta: &RequestMeta) -> DomainResult<()> {
        let now = Utc::now();
        if pending.factor != SecondFactor::EmailCode || now - pending.started_at > PENDING_LIFETIME {
            return Err(refused(AuthFailure::SignInTimedOut));
        }
        let account = self.account_by_id(&self.db, pending.user).await?.ok_or(refused(AuthFailure::SignInTimedOut))?;
        self.codes.send(account.id, &account.email, now).await?;
        events::record(&self.db, EventKind::CodeSent, Some(account.id), Some(meta), json!({ "reasons": ["resend"] }))
            .await
    }

    async fn complete(
        &self,
        account: Account,
        meta: &RequestMeta,
        now: DateTime<Utc>,
        method: &str,
        password_too_short: bool,
    ) -> DomainResult<SignedInNow> {
        let txn = crate::db::begin_write(&self.db).await?;
        let session = self.sessions.start(&txn, account.id, meta, now, password_too_short).await?;
        let remembered = risk::remember(&txn, account.id, meta, now).await?;
        events::record(
            &txn,
            EventKind::SignInSucceeded,
            Some(account.id),
            Some(meta),
            json!({ "method": method, "new_device": remembered.new_device }),
        )
        .await?;
        if remembered.new_device {
            let when = now.format("%Y-%m-%d %H:%M UTC").to_string();
            let line = format!(
                "Your Strongroom account was signed in to from a new browser ({}) at {when}, from the address {}.",
                meta.user_agent, meta.ip
            );
            self.notify(&txn, "new_device_sign_in", &account.email, "New sign-in to your Strongroom account", &[&line])
                .await?;
        }
        txn.commit().await?;
        self.throttle.clear_account(&account.email).await?;
        Ok(SignedInNow {
            signed_in: SignedIn {
                user: account.id,
                session,
                totp_enabled: account.row.totp_enabled_at.is_some(),
                platform_role: super::PlatformRole::parse(&account.row.platform_role),
                email: account.email,
                session_started_at: now,
                previously_seen_at: now,
                password_change_required: password_too_short,
            },
            new_device_token: remembered.new_token,
        })
    }

    /// The signed-in user of a session, if the session still counts.
    pub async fn authenticate(&self, session: AuthSessionId) -> DomainResult<Option<SignedIn>> {
        let now = Utc::now();
        let Ok(live) = self.sessions.check(session, now).await? else { return Ok(None) };
        let Some(account) = self.account_by_id(&self.db, live.user).await? else { return Ok(None) };
        if account.row.locked_at.is_some() {
            self.sessions.end(live.user, session, "locked", now).await?;
            return Ok(None);
        }
        Ok(Some(SignedIn {
            user: live.user,
            session,
            totp_enabled: account.row.totp_enabled_at.is_some(),
            platform_role: super::PlatformRole::parse(&account.row.platform_role),
            email: account.email,
            session_started_at: live.started_at,
            previously_seen_at: live.previously_seen_at,
            password_change_required: live.password_change_required,
        }))
    }

    /// Ends a session that a workspace's stricter limits no longer allow.
    pub async fn end_session_by_policy(&self, signed_in: &SignedIn, reason: &str) -> DomainResult<()> {
        self.sessions.end(signed_in.user, signed_in.session, reason, Utc::now()).await?;
        events::record(&self.db, EventKind::SessionEnded, Some(signed_in.user), None, json!({ "reason": reason })).await
    }

    pub async fn sign_out(&self, signed_in: &SignedIn, meta: &RequestMeta) -> DomainResult<()> {
        self.sessions.end(signed_in.user, signed_in.session, "signed_out", Utc::now()).await?;
        events::record(&self.db, EventKind::SignedOut, Some(signed_in.user), Some(meta), json!({})).await
    }

    pub async fn sessions_of(&self, signed_in: &SignedIn) -> DomainResult<Vec<super::sessions::SessionInfo>> {
        self.sessions.list(signed_in.user, Utc::now()).await
    }

    /// Ends one of the user's own sessions. Another user's session id is simply not found.
    pub async fn end_session(
        &self,
        signed_in: &SignedIn,
        session: AuthSessionId,
        meta: &RequestMeta,
    ) -> DomainResult<()> {
        if !self.sessions.end(signed_in.user, session, "ended_by_user", Utc::now()).await? {
            return Err(DomainError::NotFound);
        }
        events::record(
            &self.db,
            EventKind::SessionEnded,
            Some(signed_in.user),
            Some(meta),
            json!({ "session": session }),
        )
        .await
    }

    /// Ends every session of the user but this one. Returns how many.
    pub async fn end_other_sessions(&self, signed_in: &SignedIn, meta: &RequestMeta) -> DomainResult<u64> {
        let ended = self
            .sessions
            .end_all(&self.db, signed_in.user, Some(signed_in.session), "ended_by_user", Utc::now())
            .await?;
        events::record(&self.db, EventKind::SessionEnded, Some(signed_in.user), Some(meta), json!({ "others": ended }))
            .await?;
        Ok(ended)
    }
}
