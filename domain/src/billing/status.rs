//! What a subscription's state lets a workspace do. Nothing is ever deleted for non-payment: the worst
//! a workspace meets is read-only.
//!
//! | state | access |
//! | --- | --- |
//! | trialing (trial not over), active | everything its plan allows |
//! | past due, within the grace period | everything, with a banner |
//! | past due, grace period over | read-only (billing stays open so it can pay) |
//! | cancelled, expired | the free plan |

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubscriptionStatus {
    Trialing,
    Active,
    PastDue,
    Cancelled,
    Expired,
}

impl SubscriptionStatus {
    pub fn key(self) -> &'static str {
        match self {
            Self::Trialing => "trialing",
            Self::Active => "active",
            Self::PastDue => "past_due",
            Self::Cancelled => "cancelled",
            Self::Expired => "expired",
        }
    }

    /// Parses a stored key; anything unknown is `None` (the caller fails closed).
    pub fn parse(key: &str) -> Option<Self> {
        [Self::Trialing, Self::Active, Self::PastDue, Self::Cancelled, Self::Expired]
            .into_iter()
            .find(|s| s.key() == key)
    }

    /// Stripe's subscription statuses, mapped (fail closed: anything unknown or unpaid is past due).
    pub fn from_stripe(status: &str) -> Self {
        match status {
            "trialing" => Self::Trialing,
            "active" => Self::Active,
            "canceled" => Self::Cancelled,
            "incomplete_expired" => Self::Expired,
            // past_due, unpaid, incomplete, paused, and whatever Stripe adds later.
            _ => Self::PastDue,
        }
    }
}

/// What the workspace may do now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Access {
    /// Everything its plan allows.
    Full,
    /// Everything, but payment failed: the banner says until when.
    Grace { until: DateTime<Utc> },
    /// Payment failed longer ago than the grace period: reading only (and billing).
    ReadOnly,
    /// The subscription ended (or never began): the free plan's limits.
    Free,
}

impl Access {
    pub fn writable(self) -> bool {
        !matches!(self, Self::ReadOnly)
    }

    /// Whether an action needing `permission` may go ahead under this access. Read-only stops the
    /// workspace's business writes (inviting, suppliers, requests, approvals, customers, sales orders);
    /// reading, exporting, billing (so it can pay) and security administration (removing members,
    /// roles, policies, keys) always stay possible. The match names every permission, so a new one
    /// cannot be added without deciding which side it is on.
    pub fn permits(self, permission: model::Permission) -> bool {
        self.writable() || !is_business_write(permission)
    }
}

fn is_business_write(permission: model::Permission) -> bool {
    use model::Permission as P;
    match permission {
        P::MembersInvite
        | P::SuppliersManage
        | P::RequestsCreate
        | P::RequestsApprove
        | P::CustomersManage
        | P::SalesManage => true,
        P::WorkspaceView
        | P::MembersView
        | P::MembersRemove
        | P::MembersAssignRoles
        | P::RolesManage
        | P::PoliciesManage
        | P::AuditView
        | P::AuditExport
        | P::SuppliersView
        | P::RequestsViewAll
        | P::OrdersView
        | P::BillingManage
        | P::CustomersView
        | P::SalesView
        | P::SalesExport
        | P::ContactReveal
        | P::KeysManage
        | P::BackupsManage => false,
    }
}

/// Decides access from the stored state at `now`.
pub fn access(
    status: SubscriptionStatus,
    trial_ends_at: Option<DateTime<Utc>>,
    past_due_since: Option<DateTime<Utc>>,
    grace: Duration,
    now: DateTime<Utc>,
) -> Access {
    match status {
        SubscriptionStatus::Active => Access::Full,
        SubscriptionStatus::Trialing => match trial_ends_at {
            Some(end) if end > now => Access::Full,
            _ => Access::Free,
        },
        SubscriptionStatus::PastDue => {
            // Without a start we do not know how long it has been overdue: no grace (fail closed).
            let until = past_due_since.map(|since| since + grace);
            match until {
                Some(until) if now < until => Access::Grace { until },
                _ => Access::ReadOnly,
            }
        }
        SubscriptionStatus::Cancelled | SubscriptionStatus::Expired => Access::Free,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Past due keeps working for exactly the grace period, then becomes read-only; a trial that ended
    /// falls back to the free plan; unknown states fail closed.
    #[test]
    /// Proves: PAY1
    fn states_decide_access_with_a_grace_period() {
        let now = Utc::now();
        let grace = Duration::days(7);
        let s = SubscriptionStatus::PastDue;
        assert_eq!(
            access(s, None, Some(now - grace + Duration::seconds(1)), grace, now),
            Access::Grace { until: now + Duration::seconds(1) }
        );
        assert_eq!(access(s, None, Some(now - grace), grace, now), Access::ReadOnly);
        assert_eq!(access(s, None, None, grace, now), Access::ReadOnly);
        assert!(!Access::ReadOnly.writable() && Access::Grace { until: now }.writable());
        assert_eq!(access(SubscriptionStatus::Active, None, None, grace, now), Access::Full);
        let t = SubscriptionStatus::Trialing;
        assert_eq!(access(t, Some(now + Duration::seconds(1)), None, grace, now), Access::Full);
        assert_eq!(access(t, Some(now), None, grace, now), Access::Free);
        assert_eq!(access(t, None, None, grace, now), Access::Free);
        assert_eq!(access(SubscriptionStatus::Cancelled, None, None, grace, now), Access::Free);
        assert_eq!(SubscriptionStatus::from_stripe("unpaid"), SubscriptionStatus::PastDue);
        assert_eq!(SubscriptionStatus::from_stripe("something_new"), SubscriptionStatus::PastDue);
        assert_eq!(SubscriptionStatus::parse("gold"), None);
    }
}
