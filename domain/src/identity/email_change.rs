//! Changing the email address (ID9): confirmed through a link to the new address; then a notice goes to
//! the new address and one to the old address with a link that undoes the change, ends every session
//! and locks the account until a password reset through the old address.
//!
//! Whether the new address already has an account is never told to the requester: that address gets a
//! notice instead of a confirmation link, and the answer is the same.
//!
//! The undo cannot be defeated (security review H2): it clears what an intruder left behind (see
//! [`super::recovery`]: sessions, known browsers, links including reset links, a new authenticator);
//! after a chained change the oldest undo link still works and restores the owner's address; that
//! address stays reserved (no sign-up, no other account moves to it) while its undo link is open; and
//! reset links are bound to the address they were mailed to.

use super::events::{self, EventKind};
use super::tokens::{self, TokenPurpose};
use super::{Identity, RequestMeta, SignedIn};
use crate::error::{DomainError, DomainResult};
use crate::mail::templates;
use chrono::Utc;
use model::{AuthFailure, EmailAddress, Field, ValidationError};
use sea_orm::{ActiveModelTrait as _, ActiveValue::Set, IntoActiveModel as _, SqlErr};
use secrecy::SecretString;
use serde_json::json;

impl Identity {
    /// Asks to move the account to `new_email`. Needs the password.
    pub async fn request_email_change(
        &self,
        signed_in: &SignedIn,
        new_email: &EmailAddress,
        password: &SecretString,
        meta: &RequestMeta,
    ) -> DomainResult<()> {
        let account = self.reauthenticate(signed_in, password, meta).await?;
        if &account.email == new_email {
            return Err(ValidationError::Reserved { field: Field::Email }.into());
        }
        let now = Utc::now();
        let txn = crate::db::begin_write(&self.db).await?;
        let existing = self.account_by_email(&txn, new_email).await?;
        let reserved = tokens::reserved_for_undo(&txn, new_email.as_str(), now).await?;
        if existing.is_some() || reserved {
            if self.under_mail_cap(new_email, "sign_up_existing").await? {
                let language = super::mail_language(&txn, new_email, meta.language).await?;
                let mail = templates::sign_up_attempt_for_existing_account(
                    language,
                    new_email,
                    &self.mailer.link("/signin"),
                    &self.mailer.link("/reset"),
                );
                self.mailer.enqueue(&txn, mail).await?;
            }
            events::record(
                &txn,
                EventKind::EmailChangeRequested,
                Some(account.id),
                Some(meta),
                json!({ "target_has_account": true }),
            )
            .await?;
            if let Some(other) = existing {
                events::record(
                    &txn,
                    EventKind::SignUpForExistingAddress,
                    Some(other.id),
                    Some(meta),
                    json!({ "via": "email_change" }),
                )
                .await?;
            }
        } else {
            tokens::revoke(&txn, account.id, &[TokenPurpose::ConfirmEmailChange], now).await?;
            let token =
                tokens::issue(&txn, account.id, TokenPurpose::ConfirmEmailChange, Some(new_email.as_str()), now)
                    .await?;
            let link = self.mailer.link(&format!("/email/confirm?token={token}"));
            let language = super::account_language(&account.row, meta.language);
            self.mailer.enqueue(&txn, templates::confirm_new_address(language, new_email, &link)).await?;
            events::record(&txn, EventKind::EmailChangeRequested, Some(account.id), Some(meta), json!({})).await?;
        }
        txn.commit().await?;
        Ok(())
    }

    /// Completes a change from the link mailed to the new address.
    pub async fn confirm_email_change(&self, token: &str, meta: &RequestMeta) -> DomainResult<EmailAddress> {
        let now = Utc::now();
        let invalid = || DomainError::Auth(AuthFailure::LinkInvalid);
        let txn = crate::db::begin_write(&self.db).await?;
        let consumed = tokens::consume(&txn, TokenPurpose::ConfirmEmailChange, token, now).await?;
        let new_email = consumed.email.as_deref().and_then(|e| EmailAddress::parse(e).ok()).ok_or_else(invalid)?;
        let account = self.account_by_id(&txn, consumed.user).await?.ok_or_else(invalid)?;
        if tokens::reserved_for_undo(&txn, new_email.as_str(), now).await? {
            return Err(invalid());
        }
        let old_email = account.email.clone();
        let language = super::account_language(&account.row, meta.language);
        let mut row = account.row.into_active_model();
        row.email = Set(new_email.to_string());
        row.email_verified_at = Set(Some(now));
        row.updated_at = Set(now);
        match row.update(&txn).await {
            Ok(_) => {}
            // The address got an account of its own since the link was sent.
            Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => return Err(invalid()),
            Err(e) => return Err(e.into()),
        }
        let undo =
            tokens::issue(&txn, account.id, TokenPurpose::UndoEmailChange, Some(old_email.as_str()), now).await?;
        let undo_link = self.mailer.link(&format!("/email/undo?token={undo}"));
        self.mailer.enqueue(&txn, templates::address_changed_old(language, &old_email, &new_email, &undo_link)).await?;
        self.mailer
            .enqueue(&txn, templates::address_changed_new(language, &new_email, &self.mailer.link("/account/security")))
            .await?;
        events::record(&txn, EventKind::EmailChanged, Some(account.id), Some(meta), json!({})).await?;
        txn.commit().await?;
        Ok(new_email)
    }

    /// Undoes a change from the link mailed to the old address: restores it, ends every session, and
    /// locks the account until its password is reset (a reset link goes to the restored address).
    pub async fn undo_email_change(&self, token: &str, meta: &RequestMeta) -> DomainResult<EmailAddress> {
        let now = Utc::now();
        let invalid = || DomainError::Auth(AuthFailure::LinkInvalid);
        let txn = crate::db::begin_write(&self.db).await?;
        let consumed = tokens::consume(&txn, TokenPurpose::UndoEmailChange, token, now).await?;
        let old_email = consumed.email.as_deref().and_then(|e| EmailAddress::parse(e).ok()).ok_or_else(invalid)?;
        let account = self.account_by_id(&txn, consumed.user).await?.ok_or_else(invalid)?;
        let language = super::account_language(&account.row, meta.language);
        let mut row = account.row.into_active_model();
        row.email = Set(old_email.to_string());
        row.locked_at = Set(Some(now));
        row.updated_at = Set(now);
        match row.update(&txn).await {
            Ok(_) => {}
            Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => return Err(invalid()),
            Err(e) => return Err(e.into()),
        }
        // Undo links of earlier changes stay: the oldest one restores the owner's own address.
        let enrolled_after = consumed.created_at - TokenPurpose::ConfirmEmailChange.lifetime();
        let keep_undo_before = Some(consumed.created_at);
        self.take_back(&txn, account.id, enrolled_after, keep_undo_before, "email_change_undone", now).await?;
        let reset = tokens::issue(&txn, account.id, TokenPurpose::ResetPassword, Some(old_email.as_str()), now).await?;
        self.mailer
            .enqueue(
                &txn,
                templates::password_reset(
                    language,
                    &old_email,
                    &self.mailer.link(&format!("/reset/confirm?token={reset}")),
                ),
            )
            .await?;
        events::record(&txn, EventKind::EmailChangeUndone, Some(account.id), Some(meta), json!({ "locked": true }))
            .await?;
        txn.commit().await?;
        Ok(old_email)
    }
}
