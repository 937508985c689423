//! DTOs of attachments (DATA4) and signed links (DATA5): what the order page lists, and what the end
//! customer's confirmation page shows (only that order, contact data masked).

use super::LineDto;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentDto {
    pub id: String,
    /// Sanitised; never a path.
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub created_at: String,
}

/// A signed link as the workspace sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderLinkDto {
    pub id: String,
    /// `/confirmation/<token>`.
    pub path: String,
    /// `active`, `revoked` or `expired`.
    pub state: String,
    pub created_at: String,
    pub expires_at: String,
    pub last_opened_at: Option<String>,
}

/// The confirmation page of an order, for its end customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicOrderDto {
    pub workspace: String,
    pub number: i64,
    pub status: String,
    pub customer: String,
    /// Masked, or empty.
    pub email: String,
    pub phone: String,
    pub lines: Vec<LineDto>,
    pub total: String,
    pub currency: String,
    pub created_at: String,
    pub expires_at: String,
}

#[cfg(feature = "ssr")]
mod from_domain {
    use super::*;
    use crate::dto::timestamp;
    use domain::workspace::attachments::AttachmentInfo;
    use domain::workspace::sales::links::{LinkInfo, PublicOrder};

    impl From<AttachmentInfo> for AttachmentDto {
        fn from(a: AttachmentInfo) -> Self {
            Self {
                id: a.id.to_string(),
                filename: a.filename,
                content_type: a.content_type,
                size_bytes: a.size_bytes,
                created_at: timestamp(a.created_at),
            }
        }
    }

    impl From<LinkInfo> for OrderLinkDto {
        fn from(l: LinkInfo) -> Self {
            let state = if l.revoked_at.is_some() {
                "revoked"
            } else if l.is_active(chrono::Utc::now()) {
                "active"
            } else {
                "expired"
            };
            Self {
                id: l.id.to_string(),
                path: l.path,
                state: state.to_owned(),
                created_at: timestamp(l.created_at),
                expires_at: timestamp(l.expires_at),
                last_opened_at: l.last_opened_at.map(timestamp),
            }
        }
    }

    impl From<PublicOrder> for PublicOrderDto {
        fn from(o: PublicOrder) -> Self {
            Self {
                workspace: o.workspace_name,
                number: o.number,
                status: o.status.as_str().to_owned(),
                customer: o.customer_name,
                email: o.email.unwrap_or_default(),
                phone: o.phone.unwrap_or_default(),
                lines: o.lines.into_iter().map(LineDto::from).collect(),
                total: o.total.format(),
                currency: o.currency,
                created_at: timestamp(o.created_at),
                expires_at: timestamp(o.expires_at),
            }
        }
    }
}
