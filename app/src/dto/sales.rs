//! Sales DTOs: customers (contact data always masked, unless one value was revealed on purpose), sales
//! orders with lines, the combined order list, and the data key's rotation status.

use super::{LineDto, WorkspaceHomeDto};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerDto {
    pub id: String,
    pub number: i64,
    pub name: String,
    /// Masked (`j•••@example.com`), or empty.
    pub email: String,
    pub phone: String,
    pub address: String,
    pub notes: String,
    pub created_at: String,
}

/// A customer's page: the customer, and whether the caller may reveal and change contact data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerPageDto {
    pub home: WorkspaceHomeDto,
    pub customer: CustomerDto,
    pub can_reveal: bool,
    pub can_manage: bool,
}

/// One revealed value (its reveal is on the audit record).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevealedDto {
    pub field: String,
    pub value: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SalesOrderDto {
    pub id: String,
    pub number: i64,
    /// `draft`, `confirmed`, `shipped`, `completed`, `cancelled`.
    pub status: String,
    /// The statuses it may move to now.
    pub next: Vec<String>,
    pub customer: CustomerDto,
    pub lines: Vec<LineDto>,
    pub total: String,
    pub currency: String,
    pub notes: String,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SalesOrderPageDto {
    pub home: WorkspaceHomeDto,
    pub order: SalesOrderDto,
    pub can_manage: bool,
    /// Its files (DATA4).
    pub attachments: Vec<super::AttachmentDto>,
    /// Its signed links for the end customer (DATA5); only for `sales.manage`, else empty.
    pub links: Vec<super::OrderLinkDto>,
}

/// A row of the combined order list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderRowDto {
    /// `sales` or `purchase`.
    pub kind: String,
    pub id: String,
    pub number: i64,
    pub counterparty: String,
    /// Empty for purchase orders.
    pub status: String,
    pub total: String,
    pub currency: String,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyStatusDto {
    pub current_version: i32,
    pub rows: u64,
    pub rows_on_current: u64,
}

#[cfg(feature = "ssr")]
mod from_domain {
    use super::*;
    use crate::dto::timestamp;
    use domain::workspace::sales::customers::CustomerInfo;
    use domain::workspace::sales::list::OrderRow;
    use domain::workspace::sales::orders::OrderDetail;
    use domain::workspace::sales::rotation::RotationProgress;

    impl From<CustomerInfo> for CustomerDto {
        fn from(c: CustomerInfo) -> Self {
            Self {
                id: c.id.to_string(),
                number: c.number,
                name: c.name,
                email: c.email.unwrap_or_default(),
                phone: c.phone.unwrap_or_default(),
                address: c.address.unwrap_or_default(),
                notes: c.notes.unwrap_or_default(),
                created_at: timestamp(c.created_at),
            }
        }
    }

    impl From<OrderDetail> for SalesOrderDto {
        fn from(o: OrderDetail) -> Self {
            Self {
                id: o.id.to_string(),
                number: o.number,
                status: o.status.as_str().to_owned(),
                next: o.status.next().iter().map(|s| s.as_str().to_owned()).collect(),
                customer: o.customer.into(),
                lines: o.lines.into_iter().map(LineDto::from).collect(),
                total: o.total.format(),
                currency: o.currency,
                notes: o.notes.unwrap_or_default(),
                created_at: timestamp(o.created_at),
            }
        }
    }

    impl From<OrderRow> for OrderRowDto {
        fn from(r: OrderRow) -> Self {
            Self {
                kind: r.kind.as_str().to_owned(),
                id: r.id.to_string(),
                number: r.number,
                counterparty: r.counterparty,
                status: r.status.map(|s| s.as_str().to_owned()).unwrap_or_default(),
                total: r.total.format(),
                currency: r.currency,
                created_at: timestamp(r.created_at),
            }
        }
    }

    impl From<RotationProgress> for KeyStatusDto {
        fn from(p: RotationProgress) -> Self {
            Self { current_version: p.current_version, rows: p.rows, rows_on_current: p.rows_on_current }
        }
    }
}
