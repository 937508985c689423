//! Emailed one-time sign-in codes (ID6): 6 digits, stored only as a keyed MAC, valid 10 minutes, 5 tries,
//! at most 5 mails an hour per user and origin. A new code replaces the previous one of the same origin.
//!
//! Two origins are kept apart (security review M6): codes a sign-in asks for after its password was
//! right ([`CodeOrigin::SignIn`]), and codes anybody may request for an address with "email me a code"
//! ([`CodeOrigin::Requested`]). Requests by a stranger therefore neither use up the hourly codes a
//! sign-in needs nor replace the code it waits for; the sign-in origin gets a larger allowance, since
//! each of its codes costs a correct password.

use crate::crypto::{KeyPurpose, Keys, mac_matches, random_digits};
use crate::entities::control::email_code;
use crate::error::{DomainError, DomainResult};
use crate::ids::UserId;
use crate::mail::{Mailer, templates};
use chrono::{DateTime, Duration, Utc};
use model::{AuthFailure, EmailAddress, OneTimeCode};
use sea_orm::sea_query::{Expr, ExprTrait as _};
use sea_orm::{ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, DatabaseConnection, EntityTrait as _};
use sea_orm::{ConnectionTrait as _, PaginatorTrait as _, QueryFilter as _, QueryOrder as _};
use std::sync::Arc;

#[derive(Debug, Clone, Copy)]
pub struct EmailCodePolicy {
    pub ttl: Duration,
    pub max_tries: u32,
    /// Requested codes an hour, per user [5].
    pub max_per_hour: u32,
    /// Codes an hour for sign-ins that passed the password, per user [20].
    pub max_sign_in_per_hour: u32,
}

impl Default for EmailCodePolicy {
    fn default() -> Self {
        Self { ttl: Duration::minutes(10), max_tries: 5, max_per_hour: 5, max_sign_in_per_hour: 20 }
    }
}

/// Why a code was sent (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeOrigin {
    SignIn,
    Requested,
}

impl CodeOrigin {
    fn as_str(self) -> &'static str {
        match self {
            Self::SignIn => "sign_in",
            Self::Requested => "requested",
        }
    }
}

#[derive(Clone)]
pub struct EmailCodes {
    db: DatabaseConnection,
    keys: Arc<Keys>,
    mailer: Arc<Mailer>,
    pub policy: EmailCodePolicy,
}

impl EmailCodes {
    pub fn new(db: DatabaseConnection, keys: Arc<Keys>, mailer: Arc<Mailer>, policy: EmailCodePolicy) -> Self {
        Self { db, keys, mailer, policy }
    }

    fn mac(&self, id: uuid::Uuid, code: &str) -> String {
        self.keys.mac(KeyPurpose::EmailCodeMac, &[id.as_bytes(), code.as_bytes()])
    }

    /// Mails a new code to `to`, replacing any earlier one of the same origin.
    #[tracing::instrument(skip(self, to))]
    pub async fn send(
        &self,
        user: UserId,
        to: &EmailAddress,
        origin: CodeOrigin,
        now: DateTime<Utc>,
        fallback: crate::mail::Language,
    ) -> DomainResult<()> {
        // The hourly cap is counted inside the write transaction, one sender per user at a time (SQLite:
        // the immediate transaction; PostgreSQL: a transaction-scoped advisory lock on the user), so
        // requests handled at the same moment cannot all see room for one more code.
        let txn = crate::db::begin_write(&self.db).await?;
        if txn.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
            txn.query_one_raw(sea_orm::Statement::from_sql_and_values(
                sea_orm::DatabaseBackend::Postgres,
                "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
                [format!("email_codes:{user}").into()],
            ))
            .await?;
        }
        let sent_last_hour = email_code::Entity::find()
            .filter(email_code::Column::UserId.eq(user.as_uuid()))
            .filter(email_code::Column::Origin.eq(origin.as_str()))
            .filter(email_code::Column::CreatedAt.gt(now - Duration::hours(1)))
            .count(&txn)
            .await?;
        let cap = match origin {
            CodeOrigin::SignIn => self.policy.max_sign_in_per_hour,
            CodeOrigin::Requested => self.policy.max_per_hour,
        };
        if sent_last_hour >= u64::from(cap) {
            return Err(DomainError::Auth(AuthFailure::TooManyCodes));
        }
        let code = random_digits(OneTimeCode::DIGITS);
        let id = uuid::Uuid::new_v4();
        email_code::Entity::update_many()
            .col_expr(email_code::Column::ConsumedAt, Expr::value(Some(now)))
            .filter(email_code::Column::UserId.eq(user.as_uuid()))
            .filter(email_code::Column::Origin.eq(origin.as_str()))
            .filter(email_code::Column::ConsumedAt.is_null())
            .exec(&txn)
            .await?;
        email_code::ActiveModel {
            id: Set(id),
            user_id: Set(user.as_uuid()),
            code_mac: Set(self.mac(id, &code)),
            expires_at: Set(now + self.policy.ttl),
            attempts: Set(0),
            consumed_at: Set(None),
            created_at: Set(now),
            origin: Set(origin.as_str().to_owned()),
        }
        .insert(&txn)
        .await?;
        let language = super::mail_language(&txn, to, fallback).await?;
        self.mailer.enqueue(&txn, templates::sign_in_code(language, to, &code)).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Checks a typed code against the user's current one of `origin`; a match uses it up. When there
    /// is no live code, the same statements run against a nil id, so the answer takes the same time.
    pub async fn verify(
        &self,
        user: UserId,
        code: &OneTimeCode,
        origin: CodeOrigin,
        now: DateTime<Utc>,
    ) -> DomainResult<()> {
        let expired = || DomainError::Auth(AuthFailure::CodeExpired);
        let found = email_code::Entity::find()
            .filter(email_code::Column::UserId.eq(user.as_uuid()))
            .filter(email_code::Column::Origin.eq(origin.as_str()))
            .filter(email_code::Column::ConsumedAt.is_null())
            .filter(email_code::Column::ExpiresAt.gt(now))
            .order_by_desc(email_code::Column::CreatedAt)
            .one(&self.db)
            .await?;
        let (id, code_mac, attempts) =
            found.as_ref().map_or((uuid::Uuid::nil(), String::new(), 0), |c| (c.id, c.code_mac.clone(), c.attempts));
        // Take a try atomically, so parallel guesses cannot exceed the limit.
        let tried = email_code::Entity::update_many()
            .col_expr(email_code::Column::Attempts, Expr::col(email_code::Column::Attempts).add(1))
            .filter(email_code::Column::Id.eq(id))
            .filter(email_code::Column::ConsumedAt.is_null())
            .filter(email_code::Column::Attempts.lt(self.policy.max_tries as i32))
            .exec(&self.db)
            .await?;
        let typed_mac = self.mac(id, code.as_str());
        if tried.rows_affected != 1 {
            return Err(expired());
        }
        if !mac_matches(&code_mac, &typed_mac) {
            let tries_left = self.policy.max_tries.saturating_sub(u32::try_from(attempts).unwrap_or(0) + 1);
            return Err(if tries_left == 0 {
                expired()
            } else {
                DomainError::Auth(AuthFailure::CodeIncorrect { tries_left })
            });
        }
        let used = email_code::Entity::update_many()
            .col_expr(email_code::Column::ConsumedAt, Expr::value(Some(now)))
            .filter(email_code::Column::Id.eq(id))
            .filter(email_code::Column::ConsumedAt.is_null())
            .exec(&self.db)
            .await?;
        if used.rows_affected == 1 { Ok(()) } else { Err(expired()) }
    }
}
