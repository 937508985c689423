//! Inside a workspace (TN1–TN6): the verified [`Caller`], members, invitations and roles, policies,
//! the audit log, in-app notifications, purchasing with approvals, sales (customers and orders with
//! encrypted, masked contact data) and deleting a workspace (crypto-shredding).
//!
//! Every operation here takes a `&Caller`, which only [`access::WorkspaceAccess::enter`] makes: it proves
//! the signed-in user is a member *now*, carries their permissions, and holds the connection to that
//! workspace's own database. An operation asks the caller for the permission it needs before it does
//! anything, and reaches data only through the caller's connection, so an id from another workspace is
//! simply not found.

pub mod access;
pub mod attachments;
pub mod audit;
pub mod audit_chain;
pub mod backup_copy;
pub mod backups;
mod caller;
pub mod control_changes;
pub mod deletion;
pub mod invitations;
pub mod members;
pub mod notifications;
pub mod policies;
pub mod portable;
pub mod purchasing;
mod reconcile;
pub mod restored_members;
pub mod roles;
pub mod sales;
pub(crate) mod seed;
mod time_zone;

pub use caller::{Caller, RoleRef};
