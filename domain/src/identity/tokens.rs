//! Single-use tokens sent in links: random 256 bits, stored as SHA-256, expiring, consumed atomically
//! (two clicks on one link cannot both succeed).

use crate::crypto::{hash_token, random_token};
use crate::entities::control::user_token;
use crate::error::{DomainError, DomainResult};
use crate::ids::UserId;
use chrono::{DateTime, Duration, Utc};
use model::AuthFailure;
use sea_orm::QueryFilter as _;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, ConnectionTrait, EntityTrait as _};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenPurpose {
    VerifyEmail,
    ResetPassword,
    ConfirmEmailChange,
    UndoEmailChange,
}

impl TokenPurpose {
    pub const ALL: [TokenPurpose; 4] =
        [Self::VerifyEmail, Self::ResetPassword, Self::ConfirmEmailChange, Self::UndoEmailChange];

    fn as_str(self) -> &'static str {
        match self {
            Self::VerifyEmail => "verify_email",
            Self::ResetPassword => "reset_password",
            Self::ConfirmEmailChange => "confirm_email_change",
            Self::UndoEmailChange => "undo_email_change",
        }
    }

    /// How long a link stays valid [verify 24 h, reset 30 min, confirm change 24 h, undo change 7 days].
    pub fn lifetime(self) -> Duration {
        match self {
            Self::VerifyEmail | Self::ConfirmEmailChange => Duration::hours(24),
            Self::ResetPassword => Duration::minutes(30),
            Self::UndoEmailChange => Duration::days(7),
        }
    }
}

/// A consumed token: whose it was and the address it concerned.
#[derive(Debug, Clone)]
pub struct Consumed {
    pub user: UserId,
    pub email: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// Creates a token; returns the secret to put in the link (it is not stored).
pub async fn issue<C: ConnectionTrait>(
    conn: &C,
    user: UserId,
    purpose: TokenPurpose,
    email: Option<&str>,
    now: DateTime<Utc>,
) -> DomainResult<String> {
    let token = random_token();
    user_token::ActiveModel {
        id: Set(uuid::Uuid::new_v4()),
        user_id: Set(user.as_uuid()),
        purpose: Set(purpose.as_str().to_owned()),
        token_hash: Set(hash_token(&token)),
        email: Set(email.map(str::to_owned)),
        expires_at: Set(now + purpose.lifetime()),
        used_at: Set(None),
        created_at: Set(now),
    }
    .insert(conn)
    .await?;
    Ok(token)
}

/// Uses up a token of `purpose`, or fails with [`AuthFailure::LinkInvalid`].
pub async fn consume<C: ConnectionTrait>(
    conn: &C,
    purpose: TokenPurpose,
    token: &str,
    now: DateTime<Utc>,
) -> DomainResult<Consumed> {
    let invalid = || DomainError::Auth(AuthFailure::LinkInvalid);
    if token.is_empty() || token.len() > 64 {
        return Err(invalid());
    }
    let hash = hash_token(token);
    let used = user_token::Entity::update_many()
        .col_expr(user_token::Column::UsedAt, Expr::value(Some(now)))
        .filter(user_token::Column::TokenHash.eq(&hash))
        .filter(user_token::Column::Purpose.eq(purpose.as_str()))
        .filter(user_token::Column::UsedAt.is_null())
        .filter(user_token::Column::ExpiresAt.gt(now))
        .exec(conn)
        .await?;
    if used.rows_affected != 1 {
        return Err(invalid());
    }
    let row = user_token::Entity::find()
        .filter(user_token::Column::TokenHash.eq(hash))
        .one(conn)
        .await?
        .ok_or_else(invalid)?;
    Ok(Consumed { user: row.user_id.into(), email: row.email, created_at: row.created_at })
}

/// Whose a still-usable token is, without using it up.
pub async fn peek<C: ConnectionTrait>(
    conn: &C,
    purpose: TokenPurpose,
    token: &str,
    now: DateTime<Utc>,
) -> DomainResult<Option<UserId>> {
    if token.is_empty() || token.len() > 64 {
        return Ok(None);
    }
    Ok(user_token::Entity::find()
        .filter(user_token::Column::TokenHash.eq(hash_token(token)))
        .filter(user_token::Column::Purpose.eq(purpose.as_str()))
        .filter(user_token::Column::UsedAt.is_null())
        .filter(user_token::Column::ExpiresAt.gt(now))
        .one(conn)
        .await?
        .map(|row| row.user_id.into()))
}

/// Makes every open token of `user` with one of `purposes` unusable.
pub async fn revoke<C: ConnectionTrait>(
    conn: &C,
    user: UserId,
    purposes: &[TokenPurpose],
    now: DateTime<Utc>,
) -> DomainResult<()> {
    user_token::Entity::update_many()
        .col_expr(user_token::Column::UsedAt, Expr::value(Some(now)))
        .filter(user_token::Column::UserId.eq(user.as_uuid()))
        .filter(user_token::Column::Purpose.is_in(purposes.iter().map(|p| p.as_str())))
        .filter(user_token::Column::UsedAt.is_null())
        .exec(conn)
        .await?;
    Ok(())
}

/// Makes every open token of `user` unusable (reset links included), except undo links of email changes
/// issued before `keep_undo_before`: after a chained change, the oldest undo still restores the address
/// the owner had (security review H2).
pub async fn revoke_all<C: ConnectionTrait>(
    conn: &C,
    user: UserId,
    keep_undo_before: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    use sea_orm::Condition;
    let mut update = user_token::Entity::update_many()
        .col_expr(user_token::Column::UsedAt, Expr::value(Some(now)))
        .filter(user_token::Column::UserId.eq(user.as_uuid()))
        .filter(user_token::Column::UsedAt.is_null());
    if let Some(before) = keep_undo_before {
        update = update.filter(
            Condition::any()
                .add(user_token::Column::Purpose.ne(TokenPurpose::UndoEmailChange.as_str()))
                .add(user_token::Column::CreatedAt.gte(before)),
        );
    }
    update.exec(conn).await?;
    Ok(())
}

/// Whether `email` is the address an open undo link would restore: it stays reserved for its owner
/// until the link is used or expires, so nobody can sign up with it or move an account to it.
pub async fn reserved_for_undo<C: ConnectionTrait>(conn: &C, email: &str, now: DateTime<Utc>) -> DomainResult<bool> {
    Ok(user_token::Entity::find()
        .filter(user_token::Column::Purpose.eq(TokenPurpose::UndoEmailChange.as_str()))
        .filter(user_token::Column::Email.eq(email))
        .filter(user_token::Column::UsedAt.is_null())
        .filter(user_token::Column::ExpiresAt.gt(now))
        .one(conn)
        .await?
        .is_some())
}
