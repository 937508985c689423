//! TOTP authenticator apps (ID7) with totp-rs: enrolment by QR code and confirmation (both need the
//! password, security review M9), single-use recovery codes, disabling with the password. Secrets are
//! sealed at rest (AES-256-GCM bound to the user and column); recovery codes are stored as a keyed MAC
//! (L3); a code's time step is accepted once (RFC 6238 §5.2). Turning TOTP on ends the other sessions.

use super::events::{self, EventKind};
use super::{Account, Identity, RequestMeta, SignedIn};
use crate::crypto::KeyPurpose;
use crate::entities::control::{recovery_code, user};
use crate::error::{DomainError, DomainResult};
use crate::mail::templates;
use chrono::{DateTime, Utc};
use model::{AuthFailure, OneTimeCode};
use rand::Rng as _;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, Condition, EntityTrait as _};
use sea_orm::{IntoActiveModel as _, QueryFilter as _};
use secrecy::SecretString;
use serde_json::json;
use totp_rs::{Algorithm, Secret, Totp};

pub const RECOVERY_CODES: usize = 10;
const RECOVERY_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// What the enrolment page shows: the secret for manual entry and the `otpauth://` URL for the QR code.
#[derive(Debug, Clone)]
pub struct TotpEnrolment {
    pub secret_base32: String,
    pub otpauth_url: String,
}

fn context(user: crate::ids::UserId, column: &str) -> String {
    format!("users:{user}:{column}")
}

fn totp(secret: Vec<u8>, account_name: &str) -> DomainResult<Totp> {
    totp_rs::Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_skew(1)
        .with_step_duration(30)
        .with_secret(secret)
        .with_issuer(Some("Strongroom"))
        .with_account_name(account_name)
        .build()
        .map_err(|e| DomainError::Misconfigured(format!("TOTP: {e}")))
}

/// Recovery codes as shown (`abcde-fghjk`) and how they are compared (without the hyphen, lower case).
fn new_recovery_code() -> String {
    let mut rng = rand::rng();
    let mut code: String =
        (0..10).map(|_| char::from(RECOVERY_ALPHABET[rng.random_range(0..RECOVERY_ALPHABET.len())])).collect();
    code.insert(5, '-');
    code
}

fn normalise_recovery_code(input: &str) -> String {
    input.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_lowercase()).collect()
}

impl Identity {
    fn open_secret(&self, account: &Account, column: &str, sealed: &str) -> DomainResult<Vec<u8>> {
        let base32 = self
            .keys
            .open(KeyPurpose::TotpSecret, &context(account.id, column), sealed)
            .map_err(|e| DomainError::Misconfigured(format!("TOTP secret of {}: {e}", account.id)))?;
        Secret::try_from_base32(String::from_utf8_lossy(&base32))
            .map(|s| s.as_ref().to_vec())
            .map_err(|e| DomainError::Misconfigured(format!("TOTP secret of {}: {e:?}", account.id)))
    }

    /// The MAC a recovery code is stored as, bound to its owner.
    fn recovery_code_mac(&self, user: crate::ids::UserId, normalised: &str) -> String {
        self.keys.mac(KeyPurpose::RecoveryCodeMac, &[user.as_uuid().as_bytes(), normalised.as_bytes()])
    }

    /// Starts enrolment: a new secret, kept aside until a code from the app confirms it. Needs the
    /// password, so a stolen session alone cannot put the thief's authenticator on the account.
    pub async fn begin_totp_enrolment(
        &self,
        signed_in: &SignedIn,
        password: &SecretString,
        meta: &RequestMeta,
    ) -> DomainResult<TotpEnrolment> {
        let account = self.reauthenticate(signed_in, password, meta).await?;
        if account.row.totp_enabled_at.is_some() {
            return Err(DomainError::Auth(AuthFailure::TotpAlreadyEnabled));
        }
        let secret = Secret::generate();
        let base32 = secret.to_base32();
        let sealed =
            self.keys.seal(KeyPurpose::TotpSecret, &context(account.id, "totp_pending_secret"), base32.as_bytes());
        let otpauth_url = totp(secret.as_ref().to_vec(), account.email.as_str())?
            .to_url()
            .map_err(|e| DomainError::Misconfigured(format!("TOTP URL: {e}")))?;
        let mut row = account.row.into_active_model();
        row.totp_pending_secret = Set(Some(sealed));
        row.updated_at = Set(Utc::now());
        row.update(&self.db).await?;
        Ok(TotpEnrolment { secret_base32: base32, otpauth_url })
    }

    /// The enrolment started and not yet confirmed, if any (the page shows it again after a reload).
    pub async fn pending_totp_enrolment(&self, signed_in: &SignedIn) -> DomainResult<Option<TotpEnrolment>> {
        let account = self
            .account_by_id(&self.db, signed_in.user)
            .await?
            .ok_or(DomainError::Auth(AuthFailure::SignInRequired))?;
        let (Some(sealed), None) = (account.row.totp_pending_secret.as_deref(), account.row.totp_enabled_at) else {
            return Ok(None);
        };
        let secret = self.open_secret(&account, "totp_pending_secret", sealed)?;
        let otpauth_url = totp(secret.clone(), account.email.as_str())?
            .to_url()
            .map_err(|e| DomainError::Misconfigured(format!("TOTP URL: {e}")))?;
        Ok(Some(TotpEnrolment { secret_base32: Secret::from(secret).to_base32(), otpauth_url }))
    }

    /// Confirms enrolment with a code from the app; returns the recovery codes (shown once).
    pub async fn confirm_totp_enrolment(
        &self,
        signed_in: &SignedIn,
        code: &OneTimeCode,
        meta: &RequestMeta,
    ) -> DomainResult<Vec<String>> {
        let now = Utc::now();
        let account = self
            .account_by_id(&self.db, signed_in.user)
            .await?
            .ok_or(DomainError::Auth(AuthFailure::SignInRequired))?;
        if account.row.totp_enabled_at.is_some() {
            return Err(DomainError::Auth(AuthFailure::TotpAlreadyEnabled));
        }
        let Some(pending) = account.row.totp_pending_secret.clone() else {
            return Err(DomainError::Auth(AuthFailure::TotpNotEnrolling));
        };
        let secret = self.open_secret(&account, "totp_pending_secret", &pending)?;
        let step = totp(secret.clone(), account.email.as_str())?
            .check(code.as_str(), now.timestamp().max(0) as u64)
            .ok_or(DomainError::Auth(AuthFailure::TotpCodeIncorrect))?;
        let sealed = self.keys.seal(
            KeyPurpose::TotpSecret,
            &context(account.id, "totp_secret"),
            Secret::from(secret).to_base32().as_bytes(),
        );
        let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| new_recovery_code()).collect();
        let txn = crate::db::begin_write(&self.db).await?;
        let mut row = account.row.clone().into_active_model();
        row.totp_secret = Set(Some(sealed));
        row.totp_pending_secret = Set(None);
        row.totp_enabled_at = Set(Some(now));
        row.totp_last_step = Set(Some(step as i64));
        row.updated_at = Set(now);
        row.update(&txn).await?;
        self.replace_recovery_codes(&txn, account.id, &codes).await?;
        let ended = self.sessions.end_all(&txn, account.id, Some(signed_in.session), "totp_enabled", now).await?;
        events::record(
            &txn,
            EventKind::TotpEnabled,
            Some(account.id),
            Some(meta),
            json!({ "other_sessions_ended": ended }),
        )
        .await?;
        self.notify(&txn, &account.email, templates::Notice::TotpEnabled, meta.language).await?;
        txn.commit().await?;
        Ok(codes)
    }

    async fn replace_recovery_codes<C: sea_orm::ConnectionTrait>(
        &self,
        conn: &C,
        user: crate::ids::UserId,
        codes: &[String],
    ) -> DomainResult<()> {
        recovery_code::Entity::delete_many()
            .filter(recovery_code::Column::UserId.eq(user.as_uuid()))
            .exec(conn)
            .await?;
        for code in codes {
            recovery_code::ActiveModel {
                id: Set(uuid::Uuid::new_v4()),
                user_id: Set(user.as_uuid()),
                code_hash: Set(self.recovery_code_mac(user, &normalise_recovery_code(code))),
                used_at: Set(None),
            }
            .insert(conn)
            .await?;
        }
        Ok(())
    }

    /// New recovery codes (the old ones stop working). Needs the password.
    pub async fn regenerate_recovery_codes(
        &self,
        signed_in: &SignedIn,
        password: &SecretString,
        meta: &RequestMeta,
    ) -> DomainResult<Vec<String>> {
        let account = self.reauthenticate(signed_in, password, meta).await?;
        if account.row.totp_enabled_at.is_none() {
            return Err(DomainError::Auth(AuthFailure::TotpNotEnabled));
        }
        let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| new_recovery_code()).collect();
        let txn = crate::db::begin_write(&self.db).await?;
        self.replace_recovery_codes(&txn, account.id, &codes).await?;
        events::record(&txn, EventKind::RecoveryCodesRegenerated, Some(account.id), Some(meta), json!({})).await?;
        txn.commit().await?;
        Ok(codes)
    }

    /// Turns TOTP off. Needs the password.
    pub async fn disable_totp(
        &self,
        signed_in: &SignedIn,
        password: &SecretString,
        meta: &RequestMeta,
    ) -> DomainResult<()> {
        let account = self.reauthenticate(signed_in, password, meta).await?;
        if account.row.totp_enabled_at.is_none() {
            return Err(DomainError::Auth(AuthFailure::TotpNotEnabled));
        }
        let now = Utc::now();
        let txn = crate::db::begin_write(&self.db).await?;
        let mut row = account.row.clone().into_active_model();
        row.totp_secret = Set(None);
        row.totp_pending_secret = Set(None);
        row.totp_enabled_at = Set(None);
        row.totp_last_step = Set(None);
        row.updated_at = Set(now);
        row.update(&txn).await?;
        recovery_code::Entity::delete_many()
            .filter(recovery_code::Column::UserId.eq(account.id.as_uuid()))
            .exec(&txn)
            .await?;
        events::record(&txn, EventKind::TotpDisabled, Some(account.id), Some(meta), json!({})).await?;
        self.notify(&txn, &account.email, templates::Notice::TotpDisabled, meta.language).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Checks a TOTP code at sign-in; each time step is accepted once.
    pub(super) async fn verify_totp(
        &self,
        account: &Account,
        code: &OneTimeCode,
        now: DateTime<Utc>,
    ) -> DomainResult<()> {
        let incorrect = || DomainError::Auth(AuthFailure::TotpCodeIncorrect);
        let sealed = account.row.totp_secret.as_deref().ok_or_else(incorrect)?;
        let secret = self.open_secret(account, "totp_secret", sealed)?;
        let step = totp(secret, account.email.as_str())?
            .check(code.as_str(), now.timestamp().max(0) as u64)
            .ok_or_else(incorrect)? as i64;
        let accepted = user::Entity::update_many()
            .col_expr(user::Column::TotpLastStep, Expr::value(Some(step)))
            .filter(user::Column::Id.eq(account.id.as_uuid()))
            .filter(Condition::any().add(user::Column::TotpLastStep.is_null()).add(user::Column::TotpLastStep.lt(step)))
            .exec(&self.db)
            .await?;
        if accepted.rows_affected == 1 { Ok(()) } else { Err(incorrect()) }
    }

    /// Uses up a recovery code at sign-in (instead of a TOTP code) and tells the user by mail.
    pub(super) async fn use_recovery_code(
        &self,
        account: &Account,
        input: &str,
        meta: &RequestMeta,
        now: DateTime<Utc>,
    ) -> DomainResult<()> {
        let normalised = normalise_recovery_code(input);
        if normalised.len() != 10 {
            return Err(DomainError::Auth(AuthFailure::TotpCodeIncorrect));
        }
        let txn = crate::db::begin_write(&self.db).await?;
        let used = recovery_code::Entity::update_many()
            .col_expr(recovery_code::Column::UsedAt, Expr::value(Some(now)))
            .filter(recovery_code::Column::UserId.eq(account.id.as_uuid()))
            .filter(recovery_code::Column::CodeHash.eq(self.recovery_code_mac(account.id, &normalised)))
            .filter(recovery_code::Column::UsedAt.is_null())
            .exec(&txn)
            .await?;
        if used.rows_affected != 1 {
            return Err(DomainError::Auth(AuthFailure::TotpCodeIncorrect));
        }
        events::record(&txn, EventKind::RecoveryCodeUsed, Some(account.id), Some(meta), json!({})).await?;
        self.notify(&txn, &account.email, templates::Notice::RecoveryCodeUsed, meta.language).await?;
        txn.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    /// Proves: ID7
    fn recovery_codes_are_readable_and_compared_loosely() {
        let code = new_recovery_code();
        assert_eq!(code.len(), 11);
        assert_eq!(&code[5..6], "-");
        assert_eq!(normalise_recovery_code(&code.to_uppercase()), normalise_recovery_code(&code));
        assert_eq!(normalise_recovery_code(" abcde - fghjk "), "abcdefghjk");
    }

    #[test]
    /// Proves: ID7
    fn codes_from_the_same_secret_check_at_their_step() {
        let secret = Secret::generate().as_ref().to_vec();
        let app = totp(secret.clone(), "a@example.com").unwrap();
        let now = 1_800_000_000u64;
        let code = app.generate(now).to_string();
        assert_eq!(totp(secret, "a@example.com").unwrap().check(&code, now), Some(now / 30));
    }
}
