//! Workspaces, roles and approvals (TN1–TN6, AUD1 for workspace events), over HTTP.

mod approval_paths;
mod approvals;
mod attachments;
mod audit;
mod audit_chain;
pub(crate) mod crash_consistency;
mod email_change;
mod encryption;
pub(crate) mod fixture;
mod isolation;
mod lists;
mod membership;
mod permissions;
mod platform;
pub(crate) mod policies;
mod rules;
mod sales;
pub(crate) mod sales_fixture;
pub mod sharing_fixture;
mod signed_links;
mod time_zones;
mod upgrades;
