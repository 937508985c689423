//! Sales (DATA1–DATA3): a workspace's customers and their sales orders, with the end customers'
//! contact data encrypted, masked and revealed only with a reason.
//!
//! - [`customers`]: customers with contact data (name in clear; email, phone, postal address and notes
//!   encrypted under the workspace's data key, the email also as a keyed blind index for exact search).
//! - [`orders`]: sales orders with line items, totals and the status life cycle
//!   draft → confirmed → shipped → completed, or cancelled.
//! - [`list`]: one list of sales orders and purchase orders (each with its type), searched, filtered,
//!   sorted and paged by keyset; [`export`] writes the same list as CSV (audited, formulas defused).
//! - [`mask`] and [`reveal`]: every answer carries masked contact data; revealing one field of one
//!   customer takes `contact.reveal`, a reason, stays under a per-member rate and writes an audit event.
//! - [`links`]: signed, expiring, revocable links to one order's confirmation page (DATA5).
//! - [`rotation`]: data key rotation and the background re-encryption of older rows, with progress.

pub mod customers;
pub mod export;
pub mod links;
pub mod list;
pub mod mask;
pub mod orders;
pub mod reveal;
pub mod rotation;

pub use crate::entities::tenant::sales_order::OrderStatus;
pub use rotation::register_jobs;

use crate::crypto::FieldRef;
use model::{Field, ValidationError};

impl OrderStatus {
    pub const ALL: [OrderStatus; 5] = [Self::Draft, Self::Confirmed, Self::Shipped, Self::Completed, Self::Cancelled];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Confirmed => "confirmed",
            Self::Shipped => "shipped",
            Self::Completed => "completed",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == value.trim())
    }

    /// The statuses an order may move to from this one.
    pub fn next(self) -> &'static [OrderStatus] {
        match self {
            Self::Draft => &[Self::Confirmed, Self::Cancelled],
            Self::Confirmed => &[Self::Shipped, Self::Cancelled],
            Self::Shipped => &[Self::Completed],
            Self::Completed | Self::Cancelled => &[],
        }
    }
}

/// The encrypted columns, as named in their associated data.
pub(crate) mod columns {
    pub const CUSTOMERS: &str = "customers";
    pub const SALES_ORDERS: &str = "sales_orders";
    pub const AUDIT_EVENTS: &str = "audit_events";
    pub const EMAIL: &str = "email";
    pub const PHONE: &str = "phone";
    pub const ADDRESS: &str = "address";
    pub const NOTES: &str = "notes";
}

pub(crate) fn customer_field<'a>(column: &'static str, row: &'a uuid::Uuid) -> FieldRef<'a> {
    FieldRef { table: columns::CUSTOMERS, column, row }
}

pub(crate) fn order_field<'a>(column: &'static str, row: &'a uuid::Uuid) -> FieldRef<'a> {
    FieldRef { table: columns::SALES_ORDERS, column, row }
}

/// Optional free text: `None` when blank, else trimmed and at most `max` characters; line breaks and
/// tabs are allowed only when `multiline`.
pub(crate) fn optional_text(
    input: &str,
    field: Field,
    max: usize,
    multiline: bool,
) -> Result<Option<String>, ValidationError> {
    let text = input.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if text.chars().count() > max {
        return Err(ValidationError::TooLong { field, max });
    }
    let allowed = |c: char| !c.is_control() || (multiline && matches!(c, '\n' | '\r' | '\t'));
    if !text.chars().all(allowed) {
        return Err(ValidationError::ForbiddenCharacters { field });
    }
    Ok(Some(text.replace("\r\n", "\n")))
}

/// A phone number as typed: digits, spaces and `+ - ( ) /`, with 5 to 20 digits.
pub(crate) fn phone(input: &str) -> Result<Option<String>, ValidationError> {
    let field = Field::Phone;
    let Some(text) = optional_text(input, field, 32, false)? else { return Ok(None) };
    if !text.chars().all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '-' | '(' | ')' | '/')) {
        return Err(ValidationError::ForbiddenCharacters { field });
    }
    let digits = text.chars().filter(char::is_ascii_digit).count();
    if !(5..=20).contains(&digits) {
        return Err(ValidationError::OutOfRange { field, min: 5, max: 20 });
    }
    Ok(Some(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_life_cycle_only_moves_forward() {
        use OrderStatus as S;
        assert_eq!(S::Draft.next(), &[S::Confirmed, S::Cancelled]);
        assert!(S::Completed.next().is_empty() && S::Cancelled.next().is_empty());
        assert!(!S::Shipped.next().contains(&S::Cancelled));
        for status in S::ALL {
            assert_eq!(S::parse(status.as_str()), Some(status));
        }
        assert_eq!(S::parse("deleted"), None);
    }

    #[test]
    fn phone_numbers_and_texts_are_checked() {
        assert_eq!(phone(" +49 170 1234512 ").unwrap().as_deref(), Some("+49 170 1234512"));
        assert_eq!(phone("").unwrap(), None);
        assert!(phone("call me").is_err());
        assert!(phone("123").is_err());
        assert!(optional_text("a\u{0}b", Field::Notes, 10, true).is_err());
        assert_eq!(optional_text("a\r\nb", Field::Notes, 10, true).unwrap().as_deref(), Some("a\nb"));
        assert!(optional_text("a\nb", Field::CustomerName, 10, false).is_err());
    }
}
