//! Accounts: sign-up with email verification, password reset, password change (ID1–ID3, ID9 notices).
//!
//! Sign-up and reset requests answer at once and identically whether or not the address has an account:
//! the work that differs (hashing, creating the account, choosing which mail to send) happens in a
//! background task, so neither the answer nor its timing tells anything.
//!
//! Account pre-hijacking (someone signs up with another person's address first) is defused three ways:
//! an unverified account takes the password of its latest sign-up, a sign-in from a new browser needs a
//! code mailed to the address, and a reset through the mailbox ends every session.

use super::events::{self, EventKind};
use super::password::check_new_password;
use super::sessions::SessionInfo;
use super::tokens::{self, TokenPurpose};
use super::{Identity, RequestMeta, SignedIn};
use crate::entities::control::{recovery_code, user};
use crate::error::{DomainError, DomainResult};
use crate::mail::templates;
use chrono::{Duration, Utc};
use model::{AuthFailure, EmailAddress, Field};
use sea_orm::{ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, EntityTrait as _, IntoActiveModel as _};
use sea_orm::{PaginatorTrait as _, QueryFilter as _, SqlErr};
use secrecy::{ExposeSecret as _, SecretString};
use serde_json::json;

/// Mails of one kind to one address per hour, at most (stops a form from being used to mail-bomb).
const MAILS_PER_HOUR: u64 = 5;

/// What the security settings page shows.
#[derive(Debug, Clone)]
pub struct SecurityOverview {
    pub email: EmailAddress,
    pub totp_enabled: bool,
    pub recovery_codes_left: u64,
    pub sessions: Vec<SessionInfo>,
    pub recent_events: Vec<events::SecurityEvent>,
}

impl Identity {
    /// Starts a sign-up. Refuses a password that breaks the policy; otherwise answers `Ok` whatever
    /// happens next (see the module documentation).
    pub async fn sign_up(&self, email: EmailAddress, password: SecretString, meta: RequestMeta) -> DomainResult<()> {
        check_new_password(password.expose_secret(), self.settings.min_password_chars, Field::Password)?;
        self.in_background("sign-up", move |this| async move { this.finish_sign_up(&email, &password, &meta).await })
    }

    pub(super) async fn under_mail_cap(&self, to: &EmailAddress, kind: &str) -> DomainResult<bool> {
        Ok(self.mailer.count_to_since(to, kind, Utc::now() - Duration::hours(1)).await? < MAILS_PER_HOUR)
    }

    async fn finish_sign_up(
        &self,
        email: &EmailAddress,
        password: &SecretString,
        meta: &RequestMeta,
    ) -> DomainResult<()> {
        // Hash first, whatever the outcome, so every path costs the same.
        let hash = self.hasher.hash(password).await?;
        let now = Utc::now();
        let txn = crate::db::begin_write(&self.db).await?;
        let existing = self.account_by_email(&txn, email).await?;
        // An address that an open undo link would restore belongs to its former owner (H2).
        let reserved = existing.is_none() && tokens::reserved_for_undo(&txn, email.as_str(), now).await?;
        match existing {
            _ if reserved => {
                if self.under_mail_cap(email, "sign_up_existing").await? {
                    let language = super::mail_language(&txn, email, meta.language).await?;
                    let mail = templates::sign_up_attempt_for_existing_account(
                        language,
                        email,
                        &self.mailer.link("/signin"),
                        &self.mailer.link("/reset"),
                    );
                    self.mailer.enqueue(&txn, mail).await?;
                }
            }
            Some(account) if account.row.email_verified_at.is_some() => {
                if self.under_mail_cap(email, "sign_up_existing").await? {
                    let language = super::mail_language(&txn, email, meta.language).await?;
                    let mail = templates::sign_up_attempt_for_existing_account(
                        language,
                        email,
                        &self.mailer.link("/signin"),
                        &self.mailer.link("/reset"),
                    );
                    self.mailer.enqueue(&txn, mail).await?;
                }
                events::record(&txn, EventKind::SignUpForExistingAddress, Some(account.id), Some(meta), json!({}))
                    .await?;
            }
            Some(account) => {
                // Not verified yet: the latest sign-up's password wins, older links stop working.
                let mut row = account.row.into_active_model();
                row.password_hash = Set(hash);
                row.password_changed_at = Set(now);
                row.updated_at = Set(now);
                row.update(&txn).await?;
                tokens::revoke(&txn, account.id, &[TokenPurpose::VerifyEmail], now).await?;
                self.send_verification(&txn, account.id, email, now, meta.language).await?;
                events::record(&txn, EventKind::SignedUp, Some(account.id), Some(meta), json!({ "repeat": true }))
                    .await?;
            }
            None => {
                let id = crate::ids::UserId::new_random();
                let inserted = user::ActiveModel {
                    id: Set(id.as_uuid()),
                    email: Set(email.to_string()),
                    email_verified_at: Set(None),
                    password_hash: Set(hash),
                    password_changed_at: Set(now),
                    locked_at: Set(None),
                    totp_secret: Set(None),
                    totp_pending_secret: Set(None),
                    totp_enabled_at: Set(None),
                    totp_last_step: Set(None),
                    platform_role: Set(super::PlatformRole::None.as_str().to_owned()),
                    locale: Set(None),
                    time_zone: Set(None),
                    created_at: Set(now),
                    updated_at: Set(now),
                }
                .insert(&txn)
                .await;
                match inserted {
                    Ok(_) => {}
                    // Two sign-ups for one new address at once: the other one made the account.
                    Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => return Ok(()),
                    Err(e) => return Err(e.into()),
                }
                self.send_verification(&txn, id, email, now, meta.language).await?;
                events::record(&txn, EventKind::SignedUp, Some(id), Some(meta), json!({})).await?;
            }
        }
        txn.commit().await?;
        Ok(())
    }

    /// Mails a verification link (within the per-hour cap for the address).
    pub(super) async fn send_verification<C: sea_orm::ConnectionTrait>(
        &self,
        conn: &C,
        user: crate::ids::UserId,
        email: &EmailAddress,
        now: chrono::DateTime<Utc>,
        fallback: crate::mail::Language,
    ) -> DomainResult<()> {
        if !self.under_mail_cap(email, "verify_address").await? {
            return Ok(());
        }
        let token = tokens::issue(conn, user, TokenPurpose::VerifyEmail, None, now).await?;
        let link = self.mailer.link(&format!("/verify?token={token}"));
        let language = super::mail_language(conn, email, fallback).await?;
        self.mailer.enqueue(conn, templates::verify_address(language, email, &link)).await
    }

    /// Confirms an address from the link in the verification mail.
    pub async fn verify_email(&self, token: &str, meta: &RequestMeta) -> DomainResult<EmailAddress> {
        let now = Utc::now();
        let txn = crate::db::begin_write(&self.db).await?;
        let consumed = tokens::consume(&txn, TokenPurpose::VerifyEmail, token, now).await?;
        let account =
            self.account_by_id(&txn, consumed.user).await?.ok_or(DomainError::Auth(AuthFailure::LinkInvalid))?;
        if account.row.email_verified_at.is_none() {
            let mut row = account.row.clone().into_active_model();
            row.email_verified_at = Set(Some(now));
            row.updated_at = Set(now);
            row.update(&txn).await?;
        }
        events::record(&txn, EventKind::EmailVerified, Some(account.id), Some(meta), json!({})).await?;
        txn.commit().await?;
        Ok(account.email)
    }

    /// Starts a password reset. Always answers `Ok` (see the module documentation).
    pub async fn request_password_reset(&self, email: EmailAddress, meta: RequestMeta) -> DomainResult<()> {
        self.in_background("password reset request", move |this| async move {
            this.finish_reset_request(&email, &meta).await
        })
    }

    async fn finish_reset_request(&self, email: &EmailAddress, meta: &RequestMeta) -> DomainResult<()> {
        let Some(account) = self.account_by_email(&self.db, email).await? else { return Ok(()) };
        if !self.under_mail_cap(email, "password_reset").await? {
            return Ok(());
        }
        let now = Utc::now();
        let txn = crate::db::begin_write(&self.db).await?;
        // The link is bound to the address it is mailed to: it stops working if the account moves.
        let token = tokens::issue(&txn, account.id, TokenPurpose::ResetPassword, Some(email.as_str()), now).await?;
        let link = self.mailer.link(&format!("/reset/confirm?token={token}"));
        let language = super::account_language(&account.row, meta.language);
        self.mailer.enqueue(&txn, templates::password_reset(language, email, &link)).await?;
        events::record(&txn, EventKind::PasswordResetRequested, Some(account.id), Some(meta), json!({})).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Sets a new password from a reset link: unlocks the account, confirms the address (the mailbox
    /// was just proven), ends every session, and sends a notice.
    pub async fn reset_password(
        &self,
        token: &str,
        new_password: SecretString,
        meta: &RequestMeta,
    ) -> DomainResult<()> {
        let now = Utc::now();
        let Some(owner) = tokens::peek(&self.db, TokenPurpose::ResetPassword, token, now).await? else {
            return Err(DomainError::Auth(AuthFailure::LinkInvalid));
        };
        // Check the new password before the link is used up, so a refused password does not waste it.
        let min = self.min_password_chars_for(owner).await?;
        check_new_password(new_password.expose_secret(), min, Field::NewPassword)?;
        let hash = self.hasher.hash(&new_password).await?;
        let txn = crate::db::begin_write(&self.db).await?;
        let consumed = tokens::consume(&txn, TokenPurpose::ResetPassword, token, now).await?;
        let account =
            self.account_by_id(&txn, consumed.user).await?.ok_or(DomainError::Auth(AuthFailure::LinkInvalid))?;
        if consumed.email.as_deref().is_some_and(|mailed_to| mailed_to != account.email.as_str()) {
            // Mailed to an address the account no longer has (H2): dropping `txn` keeps the link unused.
            return Err(DomainError::Auth(AuthFailure::LinkInvalid));
        }
        let mut row = account.row.clone().into_active_model();
        row.password_hash = Set(hash);
        row.password_changed_at = Set(now);
        row.locked_at = Set(None);
        row.email_verified_at = Set(Some(account.row.email_verified_at.unwrap_or(now)));
        row.updated_at = Set(now);
        row.update(&txn).await?;
        let enrolled_after = consumed.created_at - super::recovery::RECENT_ENROLMENT;
        // Undo links of email changes stay: whoever reset the password may be the one who moved the account.
        let totp_removed = self.take_back(&txn, account.id, enrolled_after, Some(now), "password_reset", now).await?;
        events::record(
            &txn,
            EventKind::PasswordReset,
            Some(account.id),
            Some(meta),
            json!({ "totp_removed": totp_removed }),
        )
        .await?;
        let notice = templates::Notice::PasswordReset { authenticator_removed: totp_removed };
        self.notify(&txn, &account.email, notice, meta.language).await?;
        txn.commit().await?;
        self.throttle.clear_account(&account.email).await?;
        Ok(())
    }

    /// Changes the password of a signed-in user (the current one is required); ends their other
    /// sessions and sends a notice.
    pub async fn change_password(
        &self,
        signed_in: &SignedIn,
        current: SecretString,
        new_password: SecretString,
        meta: &RequestMeta,
    ) -> DomainResult<()> {
        let account = self.reauthenticate(signed_in, &current, meta).await?;
        let min = self.min_password_chars_for(account.id).await?;
        check_new_password(new_password.expose_secret(), min, Field::NewPassword)?;
        let hash = self.hasher.hash(&new_password).await?;
        let now = Utc::now();
        let txn = crate::db::begin_write(&self.db).await?;
        self.sessions.clear_password_change_required(&txn, signed_in.session).await?;
        let mut row = account.row.into_active_model();
        row.password_hash = Set(hash);
        row.password_changed_at = Set(now);
        row.updated_at = Set(now);
        row.update(&txn).await?;
        let ended = self.sessions.end_all(&txn, account.id, Some(signed_in.session), "password_changed", now).await?;
        events::record(
            &txn,
            EventKind::PasswordChanged,
            Some(account.id),
            Some(meta),
            json!({ "other_sessions_ended": ended }),
        )
        .await?;
        self.notify(&txn, &account.email, templates::Notice::PasswordChanged, meta.language).await?;
        txn.commit().await?;
        Ok(())
    }

    pub async fn security_overview(&self, signed_in: &SignedIn) -> DomainResult<SecurityOverview> {
        let account = self
            .account_by_id(&self.db, signed_in.user)
            .await?
            .ok_or(DomainError::Auth(AuthFailure::SignInRequired))?;
        let recovery_codes_left = recovery_code::Entity::find()
            .filter(recovery_code::Column::UserId.eq(account.id.as_uuid()))
            .filter(recovery_code::Column::UsedAt.is_null())
            .count(&self.db)
            .await?;
        Ok(SecurityOverview {
            email: account.email,
            totp_enabled: account.row.totp_enabled_at.is_some(),
            recovery_codes_left,
            sessions: self.sessions.list(signed_in.user, Utc::now()).await?,
            recent_events: events::for_user(&self.db, signed_in.user, 15).await?,
        })
    }
}
