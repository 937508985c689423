//! Workspaces, roles and approvals (TN1–TN6, AUD1 for workspace events), over HTTP.

mod approvals;
mod audit;
mod crash_consistency;
mod fixture;
mod isolation;
mod membership;
mod permissions;
mod platform;
mod policies;
mod rules;
mod upgrades;
