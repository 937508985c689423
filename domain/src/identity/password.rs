//! Password hashing (ID2) and the password policy (ID3).
//!
//! argon2id with the configured parameters [m=19456 KiB, t=2, p=1]. Hashing is CPU- and memory-heavy,
//! so it runs on the blocking thread pool, never on the async executor, and a semaphore bounds how many
//! run at once (one per core): a burst of sign-ins queues instead of exhausting memory. Unknown
//! accounts are "verified" against a dummy hash made with the same parameters, so they cost the same
//! time. A hash made with older parameters is reported, so the caller can store a fresh one.

use crate::error::{DomainError, DomainResult};
use argon2::{Algorithm, Argon2, Params, PasswordHash, PasswordHasher as _, PasswordVerifier as _, Version};
use model::{Field, PasswordRules, ValidationError};
use rand::RngCore as _;
use secrecy::{ExposeSecret as _, SecretString};
use std::sync::Arc;
use tokio::sync::{OnceCell, Semaphore};

/// argon2id cost parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashParams {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl Default for HashParams {
    fn default() -> Self {
        Self { memory_kib: 19_456, iterations: 2, parallelism: 1 }
    }
}

impl HashParams {
    fn argon2(self) -> DomainResult<Argon2<'static>> {
        let params = Params::new(self.memory_kib, self.iterations, self.parallelism, None)
            .map_err(|e| DomainError::Misconfigured(format!("argon2 parameters: {e}")))?;
        Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
    }
}

/// The outcome of checking a password against a stored hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verified {
    pub matches: bool,
    /// The stored hash uses other parameters than the current ones: store a new hash.
    pub needs_rehash: bool,
}

#[derive(Clone)]
pub struct PasswordHasher {
    params: HashParams,
    permits: Arc<Semaphore>,
    dummy: Arc<OnceCell<String>>,
}

impl PasswordHasher {
    pub fn new(params: HashParams) -> DomainResult<Self> {
        params.argon2()?;
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Ok(Self { params, permits: Arc::new(Semaphore::new(cores)), dummy: Arc::new(OnceCell::new()) })
    }

    pub fn params(&self) -> HashParams {
        self.params
    }

    /// Hashes a password (PHC string format, random 16-byte salt).
    pub async fn hash(&self, password: &SecretString) -> DomainResult<String> {
        let params = self.params;
        let password = password.clone();
        self.blocking(move || {
            let mut salt = [0u8; 16];
            rand::rng().fill_bytes(&mut salt);
            let hash = params
                .argon2()?
                .hash_password_with_salt(password.expose_secret().as_bytes(), &salt)
                .map_err(|e| DomainError::Misconfigured(format!("argon2: {e}")))?;
            Ok(hash.to_string())
        })
        .await
    }

    /// Checks `password` against `stored` (or, for an unknown account, against a dummy hash, so that
    /// the answer takes as long and is always "no").
    pub async fn verify(&self, password: &SecretString, stored: Option<&str>) -> DomainResult<Verified> {
        let (stored, real) = match stored {
            Some(hash) => (hash.to_owned(), true),
            None => (self.dummy_hash().await?, false),
        };
        let current = self.params;
        let password = password.clone();
        self.blocking(move || {
            let parsed =
                PasswordHash::new(&stored).map_err(|e| DomainError::Misconfigured(format!("stored hash: {e}")))?;
            let matches = current.argon2()?.verify_password(password.expose_secret().as_bytes(), &parsed).is_ok();
            let needs_rehash = Params::try_from(&parsed).map_or(true, |p| {
                (p.m_cost(), p.t_cost(), p.p_cost()) != (current.memory_kib, current.iterations, current.parallelism)
            }) || parsed.algorithm.as_str() != "argon2id";
            Ok(Verified { matches: matches && real, needs_rehash: real && needs_rehash })
        })
        .await
    }

    async fn dummy_hash(&self) -> DomainResult<String> {
        self.dummy
            .get_or_try_init(|| async {
                let random = SecretString::from(crate::crypto::random_token());
                self.hash(&random).await
            })
            .await
            .cloned()
    }

    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> DomainResult<T> + Send + 'static,
    ) -> DomainResult<T> {
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| DomainError::Misconfigured("hasher closed".into()))?;
        // The permit lives as long as the hash does, not as long as the request: a request dropped
        // mid-hash (timeout, client gone) cannot free a place while its hash still runs (review L7).
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            work()
        })
        .await
        .map_err(|e| DomainError::Misconfigured(format!("hashing task: {e}")))?
    }
}

/// A new password's rules: the length rules shared with the browser, plus the list of common and
/// leaked passwords shipped with the software (about 100,000 entries from the `passwords` crate),
/// compared case-insensitively. No character-class rules.
pub fn check_new_password(password: &str, min_chars: usize, field: Field) -> Result<(), ValidationError> {
    PasswordRules::check_length(password, min_chars, field)?;
    let lowered = password.to_lowercase();
    if passwords::analyzer::is_common_password(password) || passwords::analyzer::is_common_password(&lowered) {
        return Err(ValidationError::CommonPassword { field });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Small parameters keep these tests fast; the behaviour does not depend on the cost.
    fn cheap() -> HashParams {
        HashParams { memory_kib: 1024, iterations: 1, parallelism: 1 }
    }

    #[tokio::test]
    /// Proves: ID2
    async fn hashes_verify_and_report_outdated_parameters() {
        let hasher = PasswordHasher::new(cheap()).unwrap();
        let password = SecretString::from("correct horse battery staple");
        let hash = hasher.hash(&password).await.unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=1024,t=1,p=1$"), "{hash}");
        assert_eq!(
            hasher.verify(&password, Some(&hash)).await.unwrap(),
            Verified { matches: true, needs_rehash: false }
        );
        let wrong = SecretString::from("correct horse battery stapler");
        assert!(!hasher.verify(&wrong, Some(&hash)).await.unwrap().matches);

        let stronger = PasswordHasher::new(HashParams { memory_kib: 2048, ..cheap() }).unwrap();
        assert_eq!(
            stronger.verify(&password, Some(&hash)).await.unwrap(),
            Verified { matches: true, needs_rehash: true }
        );
    }

    #[tokio::test]
    /// Proves: ID2
    async fn unknown_accounts_never_match() {
        let hasher = PasswordHasher::new(cheap()).unwrap();
        let verdict = hasher.verify(&SecretString::from("anything at all"), None).await.unwrap();
        assert_eq!(verdict, Verified { matches: false, needs_rehash: false });
    }

    #[test]
    /// Proves: ID3
    fn common_passwords_are_refused_whatever_their_case() {
        assert!(matches!(
            check_new_password("password1234", 0, Field::Password),
            Err(ValidationError::CommonPassword { .. })
        ));
        assert!(matches!(
            check_new_password("PASSWORD1234", 0, Field::Password),
            Err(ValidationError::CommonPassword { .. })
        ));
        assert!(check_new_password("plum orchard at dusk", 0, Field::Password).is_ok());
        assert!(matches!(check_new_password("short", 0, Field::Password), Err(ValidationError::TooShort { .. })));
    }
}
