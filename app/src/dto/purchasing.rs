//! Purchasing DTOs: suppliers, purchase requests with their lines and history, purchase orders, and
//! the pages that list them (each with the caller's standing in the workspace, so that a page enters
//! the workspace once).

use super::WorkspaceHomeDto;
use serde::{Deserialize, Serialize};

/// A page of a list, with the caller's standing (for the navigation) and the next page's cursor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListPageDto<T> {
    pub home: WorkspaceHomeDto,
    pub items: Vec<T>,
    /// Pass as `after` for the next page; none on the last.
    pub next: Option<String>,
}

/// The requests page: a page of requests, and for owners the fallback approver's address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestsPageDto {
    #[serde(flatten)]
    pub page: ListPageDto<RequestSummaryDto>,
    pub fallback_approver: Option<String>,
}

/// A request's page: its detail and the caller's standing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestPageDto {
    pub home: WorkspaceHomeDto,
    #[serde(flatten)]
    pub detail: RequestDetailDto,
    /// Its files (DATA4), and whether the caller may add one.
    pub attachments: Vec<super::AttachmentDto>,
    pub can_attach: bool,
}

/// Where a request stands (a closed set: the browser never guesses from a string).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RequestStatusDto {
    Pending,
    Approved,
    Denied,
    Withdrawn,
}

impl RequestStatusDto {
    pub fn label(self) -> &'static str {
        match self {
            Self::Pending => "Waiting for approval",
            Self::Approved => "Approved",
            Self::Denied => "Denied",
            Self::Withdrawn => "Withdrawn",
        }
    }

    pub fn class(self) -> &'static str {
        match self {
            Self::Pending => "status status-pending",
            Self::Approved => "status status-approved",
            Self::Denied => "status status-denied",
            Self::Withdrawn => "status status-withdrawn",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupplierDto {
    pub id: String,
    pub name: String,
    pub email: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestSummaryDto {
    pub id: String,
    pub number: i64,
    pub title: String,
    pub requester: String,
    pub supplier_id: String,
    pub supplier: String,
    pub total: String,
    pub currency: String,
    pub status: RequestStatusDto,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineDto {
    pub description: String,
    pub quantity: i32,
    pub unit_price: String,
    pub total: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionDto {
    pub approver: String,
    pub approved: bool,
    pub comment: String,
    pub at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestDetailDto {
    pub summary: RequestSummaryDto,
    pub lines: Vec<LineDto>,
    pub decisions: Vec<DecisionDto>,
    pub order_number: Option<i64>,
    pub can_decide: bool,
    pub own: bool,
    /// The caller may edit or withdraw it (their own, still pending).
    pub can_change: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderDto {
    pub id: String,
    pub number: i64,
    pub request_id: String,
    pub request_number: i64,
    pub supplier: String,
    pub total: String,
    pub currency: String,
    pub created_at: String,
}

/// One line of the request form, as posted (`lines[0][description]` …).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineForm {
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub quantity: String,
    #[serde(default)]
    pub unit_price: String,
}

#[cfg(feature = "ssr")]
mod from_domain {
    use super::*;
    use crate::dto::timestamp;
    use domain::workspace::purchasing::{
        LineInfo, OrderInfo, RequestDetail, RequestStatus, RequestSummary, SupplierInfo,
    };

    /// A line of a purchase request, a sales order or an order's public confirmation.
    impl From<LineInfo> for LineDto {
        fn from(l: LineInfo) -> Self {
            Self {
                description: l.description,
                quantity: l.quantity,
                unit_price: l.unit_price.format(),
                total: l.total.format(),
            }
        }
    }

    impl From<RequestStatus> for RequestStatusDto {
        fn from(s: RequestStatus) -> Self {
            match s {
                RequestStatus::Pending => Self::Pending,
                RequestStatus::Approved => Self::Approved,
                RequestStatus::Denied => Self::Denied,
                RequestStatus::Withdrawn => Self::Withdrawn,
            }
        }
    }

    impl From<SupplierInfo> for SupplierDto {
        fn from(s: SupplierInfo) -> Self {
            Self { id: s.id.to_string(), name: s.name, email: s.email.unwrap_or_default() }
        }
    }

    impl From<RequestSummary> for RequestSummaryDto {
        fn from(r: RequestSummary) -> Self {
            Self {
                id: r.id.to_string(),
                number: r.number,
                title: r.title,
                requester: r.requester,
                supplier_id: r.supplier_id.to_string(),
                supplier: r.supplier,
                total: r.total.format(),
                currency: r.currency,
                status: r.status.into(),
                created_at: timestamp(r.created_at),
            }
        }
    }

    impl From<RequestDetail> for RequestDetailDto {
        fn from(d: RequestDetail) -> Self {
            let can_change = d.own && d.summary.status == RequestStatus::Pending;
            Self {
                can_change,
                summary: d.summary.into(),
                lines: d.lines.into_iter().map(LineDto::from).collect(),
                decisions: d
                    .decisions
                    .into_iter()
                    .map(|x| DecisionDto {
                        approver: x.approver,
                        approved: x.approved,
                        comment: x.comment,
                        at: timestamp(x.at),
                    })
                    .collect(),
                order_number: d.order_number,
                can_decide: d.can_decide,
                own: d.own,
            }
        }
    }

    impl From<OrderInfo> for OrderDto {
        fn from(o: OrderInfo) -> Self {
            Self {
                id: o.id.to_string(),
                number: o.number,
                request_id: o.request_id.to_string(),
                request_number: o.request_number,
                supplier: o.supplier,
                total: o.total.format(),
                currency: o.currency,
                created_at: timestamp(o.created_at),
            }
        }
    }
}
