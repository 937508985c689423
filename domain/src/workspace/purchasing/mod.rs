//! Purchasing with approvals (TN5, DATA1): suppliers, purchase requests with line items and totals,
//! approval decisions, and purchase orders.
//!
//! A request at or below the workspace's threshold is approved at once and becomes an order. Above it,
//! the request waits for an approver (email and in-app notice to everyone who may approve). An approver
//! approves or denies with a comment; nobody decides on their own request; every decision is kept and
//! shown in the request's history. Approval creates exactly one order, however many approvers click at
//! once: the decision is a conditional update that only one can win, and orders are unique per request.
//! While it waits, its requester may edit or withdraw it; when its requester is the only one who could
//! approve it, the owner's fallback approver may decide it.
//!
//! People are named by their account's *current* address, read from the control plane by user id in
//! one batched query ([`people`]); the addresses copied into the workspace's rows are only a record.
//! Lists come a page at a time ([`PageRequest`], keyset order) with a fixed number of queries per page.

mod approvals;
mod changes;
mod orders;
mod people;
pub(crate) mod requests;
mod suppliers;

pub use crate::entities::tenant::approval_decision::Decision;
pub use crate::entities::tenant::purchase_request::RequestStatus;
pub use approvals::{decide, fallback_approver, set_fallback_approver};
pub use changes::{edit, withdraw};
pub(crate) use orders::supplier_names;
pub use orders::{OrderInfo, orders};
pub(crate) use requests::parse_lines;
pub use requests::{
    DecisionInfo, LineInfo, LineInput, MAX_LINES, RequestDetail, RequestInput, RequestSummary, request, requests,
    submit,
};
pub use suppliers::{SupplierInfo, add_supplier, suppliers};

use crate::entities::tenant::counter;
use crate::error::DomainResult;
use model::{Field, ValidationError};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, ExprTrait as _, OnConflict};
use sea_orm::{ConnectionTrait, EntityTrait as _};

impl RequestStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Denied => "denied",
            Self::Withdrawn => "withdrawn",
        }
    }
}

/// Which page of a list: the opaque cursor of the previous page's `next`, and how many rows at most.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageRequest {
    pub after: Option<String>,
    pub limit: Option<u64>,
}

impl PageRequest {
    pub const DEFAULT_SIZE: u64 = 50;
    pub const MAX_SIZE: u64 = 100;

    /// The page size: the default when not given, never more than [`Self::MAX_SIZE`], at least 1.
    pub fn size(&self) -> u64 {
        self.limit.unwrap_or(Self::DEFAULT_SIZE).clamp(1, Self::MAX_SIZE)
    }

    /// The cursor as a request or order number (a cursor that is not one is the first page's).
    pub(crate) fn number_cursor(&self) -> Option<i64> {
        self.after.as_deref().and_then(|a| a.trim().parse().ok())
    }
}

/// One page of a list, and the cursor of the next page if there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<String>,
}

impl<T> Page<T> {
    /// Cuts `rows` (fetched with one row more than `size`) to a page; `cursor` names the last row kept.
    pub(crate) fn of<R>(mut rows: Vec<R>, size: u64, cursor: impl Fn(&R) -> String) -> (Vec<R>, Option<String>) {
        let more = rows.len() as u64 > size;
        rows.truncate(size as usize);
        let next = if more { rows.last().map(cursor) } else { None };
        (rows, next)
    }
}

fn bounded_text(input: &str, field: Field, min: usize, max: usize) -> Result<String, ValidationError> {
    let text = input.trim();
    match text.chars().count() {
        0 => Err(ValidationError::Required { field }),
        n if n < min => Err(ValidationError::TooShort { field, min }),
        n if n > max => Err(ValidationError::TooLong { field, max }),
        _ if text.chars().any(char::is_control) => Err(ValidationError::ForbiddenCharacters { field }),
        _ => Ok(text.to_owned()),
    }
}

/// The next number of a sequence (requests, orders), atomically.
pub(crate) async fn next_number<C: ConnectionTrait>(conn: &C, name: &str) -> DomainResult<i64> {
    let row = counter::Entity::insert(counter::ActiveModel { name: Set(name.to_owned()), value: Set(1) })
        .on_conflict(
            OnConflict::column(counter::Column::Name)
                .value(counter::Column::Value, Expr::col((counter::Entity, counter::Column::Value)).add(1))
                .to_owned(),
        )
        .exec_with_returning(conn)
        .await?;
    Ok(row.value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_sizes_have_a_default_and_a_maximum() {
        assert_eq!(PageRequest::default().size(), PageRequest::DEFAULT_SIZE);
        assert_eq!(PageRequest { limit: Some(100), ..Default::default() }.size(), 100);
        assert_eq!(PageRequest { limit: Some(101), ..Default::default() }.size(), 100);
        assert_eq!(PageRequest { limit: Some(0), ..Default::default() }.size(), 1);
    }

    #[test]
    fn a_page_keeps_size_rows_and_names_the_last_when_there_are_more() {
        let (rows, next) = Page::<()>::of(vec![5, 4, 3], 2, |n| n.to_string());
        assert_eq!((rows, next), (vec![5, 4], Some("4".to_owned())));
        let (rows, next) = Page::<()>::of(vec![5, 4], 2, |n| n.to_string());
        assert_eq!((rows, next), (vec![5, 4], None));
    }
}
