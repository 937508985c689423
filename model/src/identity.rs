//! Identity inputs: email addresses, passwords (length rules only; the server also refuses common
//! passwords) and one-time codes.

use crate::{Field, ValidationError};
use serde::{Deserialize, Serialize};
use std::fmt;

/// An email address, trimmed and lower-cased, so one mailbox is one account.
///
/// Deliberately simple: one `@`, a non-empty local part, a domain with a dot and no spaces, at most
/// 254 characters. Whether the mailbox exists is proven by the verification mail, not by syntax.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EmailAddress(String);

impl EmailAddress {
    pub const MAX_CHARS: usize = 254;

    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        Self::parse_for(input, Field::Email)
    }

    pub fn parse_for(input: &str, field: Field) -> Result<Self, ValidationError> {
        let address = input.trim().to_lowercase();
        if address.is_empty() {
            return Err(ValidationError::Required { field });
        }
        if address.chars().count() > Self::MAX_CHARS {
            return Err(ValidationError::TooLong { field, max: Self::MAX_CHARS });
        }
        let Some((local, domain)) = address.split_once('@') else {
            return Err(ValidationError::NotAnEmailAddress { field });
        };
        let plausible = !local.is_empty()
            && !domain.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && !address
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"' | ',' | ';'));
        if !plausible {
            return Err(ValidationError::NotAnEmailAddress { field });
        }
        Ok(Self(address))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for EmailAddress {
    type Error = ValidationError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<EmailAddress> for String {
    fn from(value: EmailAddress) -> Self {
        value.0
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The length rules for a new password (ID3): at least [`PasswordRules::MIN_CHARS`] characters (a
/// workspace policy may demand more), at most [`PasswordRules::MAX_CHARS`], no character-class rules.
pub struct PasswordRules;

impl PasswordRules {
    pub const MIN_CHARS: usize = 12;
    pub const MAX_CHARS: usize = 128;

    /// Checks the length of a new password against `min_chars` (never below [`Self::MIN_CHARS`]).
    pub fn check_length(password: &str, min_chars: usize, field: Field) -> Result<(), ValidationError> {
        let chars = password.chars().count();
        let min = min_chars.max(Self::MIN_CHARS);
        if chars == 0 {
            return Err(ValidationError::Required { field });
        }
        if chars < min {
            return Err(ValidationError::TooShort { field, min });
        }
        if chars > Self::MAX_CHARS {
            return Err(ValidationError::TooLong { field, max: Self::MAX_CHARS });
        }
        Ok(())
    }
}

/// A six-digit one-time code, as typed (spaces and hyphens between digits are ignored).
#[derive(Clone, PartialEq, Eq)]
pub struct OneTimeCode(String);

impl OneTimeCode {
    pub const DIGITS: usize = 6;

    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let field = Field::Code;
        let digits: String = input.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        if digits.is_empty() {
            return Err(ValidationError::Required { field });
        }
        if digits.len() != Self::DIGITS || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ValidationError::NotACode { field, digits: Self::DIGITS });
        }
        Ok(Self(digits))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for OneTimeCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OneTimeCode(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    /// Proves: WEB6
    fn email_addresses_are_normalised_and_checked() {
        assert_eq!(EmailAddress::parse("  Alice@Example.COM ").unwrap().as_str(), "alice@example.com");
        for bad in ["", "alice", "alice@", "@example.com", "a@b", "a@@b.com", "a b@c.com", "a@b..com", "<a@b.com>"] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad:?} was accepted");
        }
        let long = format!("{}@example.com", "a".repeat(250));
        assert!(matches!(EmailAddress::parse(&long), Err(ValidationError::TooLong { max: 254, .. })));
    }

    #[test]
    /// Proves: ID3
    fn password_length_rules_count_characters_and_respect_raised_minimums() {
        let field = Field::Password;
        assert!(PasswordRules::check_length("correct horse", 0, field).is_ok());
        assert!(matches!(
            PasswordRules::check_length("short", 0, field),
            Err(ValidationError::TooShort { min: 12, .. })
        ));
        assert!(matches!(
            PasswordRules::check_length("correct horse", 16, field),
            Err(ValidationError::TooShort { min: 16, .. })
        ));
        assert!(PasswordRules::check_length("ççççççççççöö", 0, field).is_ok(), "12 characters, more bytes");
        assert!(matches!(
            PasswordRules::check_length(&"x".repeat(129), 0, field),
            Err(ValidationError::TooLong { .. })
        ));
    }

    #[test]
    /// Proves: ID6
    fn codes_are_six_digits() {
        assert_eq!(OneTimeCode::parse("123 456").unwrap().as_str(), "123456");
        assert_eq!(OneTimeCode::parse("123-456").unwrap().as_str(), "123456");
        for bad in ["12345", "1234567", "12345a", ""] {
            assert!(OneTimeCode::parse(bad).is_err(), "{bad:?} was accepted");
        }
        assert_eq!(format!("{:?}", OneTimeCode::parse("123456").unwrap()), "OneTimeCode(<redacted>)");
    }
}
