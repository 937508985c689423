//! [`AppError`]: the error type of every server function, shared by browser and server.
//!
//! It carries only what a user may see, and only as closed enums: the browser renders the words. That
//! matters because, when a form is posted without WebAssembly, Leptos sends the error back inside the
//! page's URL; a crafted link can therefore only make a page show one of our own messages.
//!
//! On the server, domain errors are mapped here: internal failures are logged in full with the request
//! id, and the user sees a generic message with that id as a reference, so a 500 never leaks a table
//! name, a path or a driver message.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use model::{Conflict, Field, ValidationError};
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// An input broke a rule.
    #[error(transparent)]
    Invalid(ValidationError),
    /// The request was well-formed but conflicts with what exists.
    #[error(transparent)]
    Conflict(Conflict),
    #[error(transparent)]
    Forbidden(model::Forbidden),
    #[error("We could not find what you asked for.")]
    NotFound,
    /// Our fault. The reference lets support find the logged detail.
    #[error("Something went wrong on our side. Please try again; if it keeps happening, quote reference {reference}.")]
    Internal { reference: Reference },
    #[error(transparent)]
    Auth(model::AuthFailure),
    /// The CSRF check failed: a stale page, an expired session, or a forged request.
    #[error("This page has expired. Please reload it and try again.")]
    CsrfRejected,
    /// The request did not reach the server function intact, or its answer could not be read.
    #[error("The request could not be completed. Please reload the page and try again.")]
    BadRequest,
}

impl AppError {
    /// The form field this error belongs to, if any.
    pub fn field(&self) -> Option<Field> {
        match self {
            Self::Invalid(rule) => Some(rule.field()),
            Self::Conflict(Conflict::WorkspaceAddressesExhausted) => Some(Field::WorkspaceName),
            Self::Auth(model::AuthFailure::WrongPassword) => Some(Field::Password),
            Self::Auth(
                model::AuthFailure::CodeIncorrect { .. }
                | model::AuthFailure::CodeNotAccepted
                | model::AuthFailure::CodeExpired
                | model::AuthFailure::TotpCodeIncorrect,
            ) => Some(Field::Code),
            _ => None,
        }
    }

    /// The HTTP status this error is answered with.
    pub fn status(&self) -> u16 {
        match self {
            Self::Invalid(_) => 422,
            Self::Conflict(_) => 409,
            Self::Forbidden(_) => 403,
            Self::NotFound => 404,
            Self::Internal { .. } => 500,
            Self::BadRequest => 400,
            Self::CsrfRejected => 403,
            Self::Auth(failure) => auth_status(failure),
        }
    }
}

fn auth_status(failure: &model::AuthFailure) -> u16 {
    use model::AuthFailure as F;
    match failure {
        F::NetworkBlocked { .. } | F::TooManyCodes | F::RateLimited => 429,
        F::SignInRequired => 401,
        F::InvalidCredentials | F::WrongPassword | F::CodeIncorrect { .. } | F::TotpCodeIncorrect => 401,
        F::CodeNotAccepted => 401,
        F::AccountProtected | F::AccountLocked | F::EmailNotVerified => 403,
        F::ProofOfWorkRequired { .. } | F::ProofOfWorkInvalid => 428,
        F::CodeExpired | F::SignInTimedOut | F::LinkInvalid => 410,
        F::TotpAlreadyEnabled | F::TotpNotEnrolling | F::TotpNotEnabled => 409,
        F::TwoFactorRequired | F::PasswordChangeRequired | F::AddressNotAllowed => 403,
        F::WorkspaceSessionExpired => 401,
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(_: ServerFnErrorErr) -> Self {
        Self::BadRequest
    }
}

/// A request id quoted to the user. Only hex digits and hyphens (a UUID) are accepted, so it cannot
/// carry words of an attacker's choosing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Reference(String);

impl Reference {
    pub fn parse(value: &str) -> Option<Self> {
        let valid = !value.is_empty() && value.len() <= 36 && value.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-');
        valid.then(|| Self(value.to_owned()))
    }

    pub fn unknown() -> Self {
        Self("-".to_owned())
    }
}

impl TryFrom<String> for Reference {
    type Error = &'static str;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value).ok_or("a reference is a request id")
    }
}

impl From<Reference> for String {
    fn from(value: Reference) -> Self {
        value.0
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(feature = "ssr")]
mod server_side {
    use super::{AppError, Reference};
    use domain::DomainError;

    impl AppError {
        /// Maps a domain error for the user, logging internal detail under the request's id.
        pub fn from_domain(error: DomainError) -> Self {
            match error {
                DomainError::Invalid(rule) => Self::Invalid(rule),
                DomainError::Conflict(conflict) => Self::Conflict(conflict),
                DomainError::Forbidden(reason) => Self::Forbidden(reason),
                DomainError::NotFound => Self::NotFound,
                DomainError::Auth(failure) => Self::Auth(failure),
                internal => Self::internal(&internal),
            }
        }

        /// Logs `error` in full and returns the generic error that names the request id.
        pub fn internal(error: &(dyn std::error::Error + 'static)) -> Self {
            let reference = crate::context::request_id();
            tracing::error!(error = %error, error_debug = ?error, %reference, "internal error");
            Self::Internal { reference: Reference::parse(&reference).unwrap_or_else(Reference::unknown) }
        }
    }

    impl From<DomainError> for AppError {
        fn from(error: DomainError) -> Self {
            Self::from_domain(error)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    /// Proves: WEB6
    fn errors_from_urls_cannot_carry_free_text() {
        let crafted = r#"{"Internal":{"reference":"Your account is locked, call +1 555 0100"}}"#;
        assert!(serde_json::from_str::<AppError>(crafted).is_err());
        let genuine = r#"{"Internal":{"reference":"7cc757fb-f68c-40de-b22f-ca03704af43f"}}"#;
        assert!(serde_json::from_str::<AppError>(genuine).is_ok());
    }

    #[test]
    fn statuses_follow_the_kind_of_error() {
        assert_eq!(AppError::Invalid(ValidationError::Required { field: Field::WorkspaceName }).status(), 422);
        assert_eq!(AppError::NotFound.status(), 404);
        assert_eq!(AppError::Internal { reference: Reference::unknown() }.status(), 500);
    }
}
