//! The domain layer's one error type.
//!
//! Variants above the line are answers a user can act on and their `Display` text may be shown;
//! the rest are internal failures whose detail must only reach the logs (see [`DomainError::is_internal`]).

use model::ValidationError;

#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    #[error(transparent)]
    Auth(model::AuthFailure),
    #[error(transparent)]
    Forbidden(model::Forbidden),
    #[error(transparent)]
    Conflict(model::Conflict),
    #[error("Not found.")]
    NotFound,
    // ---- internal failures: never shown to users ----
    #[error("database error: {0}")]
    Database(#[from] sea_orm::DbErr),
    #[error("storage error: {0}")]
    Io(#[from] std::io::Error),
    #[error("misconfiguration: {0}")]
    Misconfigured(String),
    #[error("{service} is unreachable: {reason}")]
    Unreachable { service: &'static str, reason: String },
    #[error("tenant {tenant} is not usable: {reason}")]
    TenantUnavailable { tenant: crate::ids::TenantId, reason: String },
    /// Stored ciphertext did not open where it is (moved or altered): tampering, logged as such.
    #[error("tampering detected: {0}")]
    Tampered(String),
    /// The workspace's keys were destroyed (the workspace was deleted and crypto-shredded).
    #[error("the keys of workspace {0} are destroyed")]
    KeysDestroyed(crate::ids::TenantId),
}

impl DomainError {
    /// True when the detail belongs in the logs and the user should only see a generic message.
    pub fn is_internal(&self) -> bool {
        matches!(
            self,
            Self::Database(_)
                | Self::Io(_)
                | Self::Misconfigured(_)
                | Self::Unreachable { .. }
                | Self::TenantUnavailable { .. }
                | Self::Tampered(_)
                | Self::KeysDestroyed(_)
        )
    }
}

pub type DomainResult<T> = Result<T, DomainError>;
