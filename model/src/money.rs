//! Amounts of money as typed ("12", "12.5", "1,234.50") and as stored (integer cents, never floats).

use crate::{Field, ValidationError};
use serde::{Deserialize, Serialize};

/// A non-negative amount in cents, at most 1,000,000,000.00.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Cents(pub i64);

impl Cents {
    pub const MAX: i64 = 100_000_000_000;

    /// Parses "1234", "1234.5", "1,234.56" (dot decimal separator; commas group thousands).
    pub fn parse(input: &str, field: Field) -> Result<Self, ValidationError> {
        let cleaned: String = input.trim().chars().filter(|c| *c != ',' && *c != ' ').collect();
        if cleaned.is_empty() {
            return Err(ValidationError::Required { field });
        }
        let (whole, fraction) = cleaned.split_once('.').unwrap_or((&cleaned, ""));
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !digits(whole) || !digits(fraction) || fraction.len() > 2 || whole.len() > 12 {
            return Err(ValidationError::NotAnAmount { field });
        }
        let whole: i64 = whole.parse().map_err(|_| ValidationError::NotAnAmount { field })?;
        let fraction: i64 = format!("{fraction:0<2}").parse().map_err(|_| ValidationError::NotAnAmount { field })?;
        let cents = whole * 100 + fraction;
        if cents > Self::MAX {
            return Err(ValidationError::NotAnAmount { field });
        }
        Ok(Self(cents))
    }

    /// "1,234.50"
    pub fn format(self) -> String {
        let (whole, cents) = (self.0 / 100, self.0 % 100);
        let digits = whole.to_string();
        let mut grouped = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(c);
        }
        format!("{grouped}.{cents:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_parse_to_cents_and_format_back() {
        let f = Field::Amount;
        assert_eq!(Cents::parse("12", f).unwrap(), Cents(1200));
        assert_eq!(Cents::parse("12.5", f).unwrap(), Cents(1250));
        assert_eq!(Cents::parse(" 1,234.56 ", f).unwrap(), Cents(123_456));
        for bad in ["", "-1", "1.234", "abc", "1e5", ".5", "1.2.3", "99999999999999"] {
            assert!(Cents::parse(bad, f).is_err(), "{bad:?} was accepted");
        }
        assert_eq!(Cents(123_456_789).format(), "1,234,567.89");
        assert_eq!(Cents(5).format(), "0.05");
    }
}
