//! Signing in (ID4–ID6, ID8): the password step, and what every signed-in request checks.
//!
//! 1. Every password check passes the [`super::gate`]: a blocked address gets nothing; the check reserves
//!    its place in the per-address and per-account counts *before* the hasher runs, so a burst of guesses
//!    gets no more checks than the threshold allows (security review H4). An account in cooldown gets
//!    "use an emailed code" without its password being checked, for every address typed, registered or
//!    not: no oracle for the guesser, no lockout for the owner, who signs in with
//!    [`Identity::request_sign_in_code`] and [`Identity::sign_in_with_code`].
//! 2. After a few failures (per account or address, by reserved position), a proof of work is required.
//! 3. The password is checked (unknown accounts against a dummy hash, same time); a failure keeps its
//!    places counted.
//! 4. A risky sign-in (new browser, new network, recent failures, an administrator) must pass an emailed
//!    code; a user with TOTP always passes TOTP (or a recovery code) instead — see [`super::second_factor`].
//! 5. Success: a session row, the browser and network remembered, a notice for a new browser, counters
//!    cleared. The web layer then rotates the session id.

use super::events::{self, EventKind};
use super::risk::{self, Risk};
use super::{Account, Identity, RequestMeta};
use crate::error::{DomainError, DomainResult};
use crate::ids::{AuthSessionId, UserId};
use crate::mail::templates;
use chrono::{DateTime, Utc};
use model::{AuthFailure, EmailAddress};
use sea_orm::{ActiveModelTrait as _, ActiveValue::Set, IntoActiveModel as _};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use serde_json::json;

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

/// A sign-in that passed the password and waits for its second factor. Kept in the server-side session;
/// its row in `pending_sign_ins` (same id) counts its wrong codes, and deleting that row drops it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingSignIn {
    /// The `pending_sign_ins` row (a session from before it existed has the nil id: timed out).
    #[serde(default)]
    pub id: uuid::Uuid,
    pub user: UserId,
    pub factor: SecondFactor,
    pub started_at: DateTime<Utc>,
    pub reasons: Vec<String>,
    /// The password is shorter than a workspace of the user demands: the session will require a change.
    #[serde(default)]
    pub password_too_short: bool,
    /// The sign-in came through an emailed code (the mailbox is proven): the account's cooldown does not
    /// stop its second factor, so an attacker's guesses cannot lock the owner out; its own tries are still
    /// limited.
    #[serde(default)]
    pub via_email_code: bool,
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

/// The metrics label of a first sign-in step's outcome (a fixed set: never an address or account).
fn sign_in_outcome(step: &DomainResult<SignInStep>) -> &'static str {
    match step {
        Ok(SignInStep::SignedIn(_)) => "signed_in",
        Ok(SignInStep::SecondFactor(_)) => "second_factor",
        Err(DomainError::Auth(AuthFailure::InvalidCredentials)) => "wrong_credentials",
        Err(DomainError::Auth(AuthFailure::NetworkBlocked { .. })) => "network_blocked",
        Err(DomainError::Auth(AuthFailure::AccountProtected)) => "account_protected",
        Err(DomainError::Auth(AuthFailure::AccountLocked)) => "account_locked",
        Err(DomainError::Auth(AuthFailure::ProofOfWorkRequired { .. } | AuthFailure::ProofOfWorkInvalid)) => {
            "proof_of_work"
        }
        Err(DomainError::Auth(AuthFailure::EmailNotVerified)) => "email_not_verified",
        Err(DomainError::Auth(_)) => "refused",
        Err(_) => "error",
    }
}

fn refused(failure: AuthFailure) -> DomainError {
    DomainError::Auth(failure)
}

impl Identity {
    /// Step one: address and password (and a solved proof of work, when one is required).
    #[tracing::instrument(skip_all)]
    pub async fn begin_sign_in(
        &self,
        email: &EmailAddress,
        password: &SecretString,
        proof_of_work: Option<(String, u64)>,
        meta: &RequestMeta,
    ) -> DomainResult<SignInStep> {
        let step = self.check_password_step(email, password, proof_of_work, meta).await;
        metrics::counter!("strongroom_sign_ins_total", "outcome" => sign_in_outcome(&step)).increment(1);
        step
    }

    async fn check_password_step(
        &self,
        email: &EmailAddress,
        password: &SecretString,
        proof_of_work: Option<(String, u64)>,
        meta: &RequestMeta,
    ) -> DomainResult<SignInStep> {
        let now = Utc::now();
        self.refuse_blocked_address(meta, now).await?;
        let account = self.account_by_email(&self.db, email).await?;
        let user = account.as_ref().map(|a| a.id);
        // Known or not, the same queries run (the nil user has no workspaces).
        let threshold = self.login_failure_threshold_for(user.unwrap_or(UserId::from(uuid::Uuid::nil()))).await?;
        let reserved = self.reserve_check(Some(email), threshold, user, meta, now).await?;
        let pow_after = self.settings.proof_of_work_after;
        if reserved.account_position > pow_after || reserved.ip_position > pow_after {
            let verdict = match proof_of_work {
                Some((challenge, solution)) => self.pow.verify(&challenge, solution, now).await,
                None => {
                    events::record(&self.db, EventKind::ProofOfWorkRequired, None, Some(meta), json!({})).await?;
                    Err(self.pow.challenge(now))
                }
            };
            if let Err(error) = verdict {
                // No password was checked: the places go back.
                self.check_passed(reserved, meta).await?;
                return Err(error);
            }
        }
        let recent_failures = reserved.account_position > 1;
        let verdict = self.hasher.verify(password, account.as_ref().map(|a| a.row.password_hash.as_str())).await;
        let verdict = match verdict {
            Ok(verdict) => verdict,
            Err(error) => {
                self.check_passed(reserved, meta).await?;
                return Err(error);
            }
        };
        let Some(account) = account.filter(|_| verdict.matches) else {
            self.check_failed(reserved, user, meta, "wrong_credentials").await?;
            return Err(refused(AuthFailure::InvalidCredentials));
        };
        self.check_passed(reserved, meta).await?;
        if verdict.needs_rehash {
            let hash = self.hasher.hash(password).await?;
            let mut row = account.row.clone().into_active_model();
            row.password_hash = Set(hash);
            row.update(&self.db).await?;
        }
        let short = self.password_shorter_than_policy(account.id, password).await?;
        self.after_password(account, recent_failures, short, meta, now).await
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
            self.resend_verification(&account, now, meta.language).await?;
            return Err(refused(AuthFailure::EmailNotVerified));
        }
        if account.row.totp_enabled_at.is_some() {
            let reasons = vec!["totp_enrolled".to_owned()];
            return self
                .await_second_factor(&account, SecondFactor::Totp, reasons, password_too_short, false, now)
                .await;
        }
        let privileged = self.is_privileged(account.id, super::PlatformRole::parse(&account.row.platform_role)).await?;
        let risk: Risk = risk::assess(&self.db, account.id, meta, recent_failures, privileged).await?;
        if risk.requires_second_factor() {
            self.codes.send(account.id, &account.email, super::codes::CodeOrigin::SignIn, now, meta.language).await?;
            events::record(
                &self.db,
                EventKind::CodeSent,
                Some(account.id),
                Some(meta),
                json!({ "reasons": risk.reasons() }),
            )
            .await?;
            let reasons = risk.reasons().into_iter().map(str::to_owned).collect();
            return self
                .await_second_factor(&account, SecondFactor::EmailCode, reasons, password_too_short, false, now)
                .await;
        }
        Ok(SignInStep::SignedIn(self.complete(account, meta, now, "password", password_too_short).await?))
    }

    async fn resend_verification(
        &self,
        account: &Account,
        now: DateTime<Utc>,
        fallback: crate::mail::Language,
    ) -> DomainResult<()> {
        let txn = crate::db::begin_write(&self.db).await?;
        self.send_verification(&txn, account.id, &account.email, now, fallback).await?;
        txn.commit().await?;
        Ok(())
    }

    pub(super) async fn complete(
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
            let notice = templates::Notice::NewDeviceSignIn {
                browser: meta.user_agent.clone(),
                at: now,
                ip: meta.ip.to_string(),
            };
            self.notify(&txn, &account.email, notice, meta.language).await?;
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
