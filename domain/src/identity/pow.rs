//! Proof-of-work challenges (ID6): issued signed, so the server keeps no state for them; each accepted
//! once (spent challenges are remembered until they expire).

use crate::crypto::{KeyPurpose, Keys, mac_matches};
use crate::entities::control::pow_spent;
use crate::error::{DomainError, DomainResult};
use chrono::{DateTime, Duration, Utc};
use model::AuthFailure;
use sea_orm::{ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, DatabaseConnection, EntityTrait as _};
use sea_orm::{QueryFilter as _, SqlErr};
use std::sync::Arc;

const TTL: Duration = Duration::minutes(5);

#[derive(Clone)]
pub struct ProofOfWork {
    db: DatabaseConnection,
    keys: Arc<Keys>,
    difficulty: u8,
}

impl ProofOfWork {
    pub fn new(db: DatabaseConnection, keys: Arc<Keys>, difficulty: u8) -> Self {
        Self { db, keys, difficulty }
    }

    /// A new challenge for the browser to solve, refused with [`AuthFailure::ProofOfWorkRequired`].
    pub fn challenge(&self, now: DateTime<Utc>) -> DomainError {
        let nonce = crate::crypto::random_token();
        let expires = (now + TTL).timestamp();
        let body = format!("{nonce}.{expires}.{}", self.difficulty);
        let mac = self.keys.mac(KeyPurpose::ProofOfWork, &[body.as_bytes()]);
        DomainError::Auth(AuthFailure::ProofOfWorkRequired {
            challenge: format!("{body}.{mac}"),
            difficulty: self.difficulty,
        })
    }

    /// Accepts a solved challenge once.
    pub async fn verify(&self, challenge: &str, solution: u64, now: DateTime<Utc>) -> DomainResult<()> {
        let invalid = || DomainError::Auth(AuthFailure::ProofOfWorkInvalid);
        let (body, mac) = challenge.rsplit_once('.').ok_or_else(invalid)?;
        if !mac_matches(&self.keys.mac(KeyPurpose::ProofOfWork, &[body.as_bytes()]), mac) {
            return Err(invalid());
        }
        let mut parts = body.split('.');
        let (Some(nonce), Some(expires), Some(difficulty), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(invalid());
        };
        let expires = expires.parse::<i64>().ok().and_then(|s| DateTime::from_timestamp(s, 0)).ok_or_else(invalid)?;
        let difficulty: u8 = difficulty.parse().map_err(|_| invalid())?;
        if expires <= now
            || difficulty < self.difficulty
            || !model::proof_of_work::is_solution(challenge, difficulty, solution)
        {
            return Err(invalid());
        }
        pow_spent::Entity::delete_many().filter(pow_spent::Column::ExpiresAt.lt(now)).exec(&self.db).await?;
        match (pow_spent::ActiveModel { nonce: Set(nonce.to_owned()), expires_at: Set(expires) }).insert(&self.db).await
        {
            Ok(_) => Ok(()),
            Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => Err(invalid()),
            Err(e) => Err(e.into()),
        }
    }
}
