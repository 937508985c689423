//! The billing page's data (PAY1). Of a card, only the brand and last four digits ever come here, as
//! the provider reported them.

use super::WorkspaceHomeDto;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanDto {
    pub key: String,
    pub name: String,
    pub monthly: String,
    pub yearly: String,
    pub currency: String,
    pub free: bool,
    pub max_members: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptDto {
    pub number: String,
    pub amount: String,
    pub currency: String,
    pub status: String,
    pub at: String,
    pub url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillingDto {
    pub home: WorkspaceHomeDto,
    /// `sandbox`, `stripe`, `iyzico`; `None`: billing is off.
    pub provider: Option<String>,
    pub plan_key: String,
    pub plan_name: String,
    /// `month` or `year`.
    pub interval: Option<String>,
    /// `trialing`, `active`, `past_due`, `cancelled`, `expired`; `None`: never subscribed.
    pub status: Option<String>,
    /// `full`, `grace`, `read_only`, `free`.
    pub access: String,
    pub grace_until: Option<String>,
    pub next_charge: Option<String>,
    pub cancel_at_period_end: bool,
    pub trial_ends_at: Option<String>,
    pub trial_available: bool,
    pub card_brand: Option<String>,
    pub card_last4: Option<String>,
    pub receipts: Vec<ReceiptDto>,
    pub plans: Vec<PlanDto>,
    /// How the checkout the provider sent us back from stands: `open`, `paid`, `declined`, `refused`.
    pub checkout: Option<String>,
}
