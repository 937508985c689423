//! Data sent to the browser. Built from domain types on the server; entities never cross this line.

mod audit_chain;
mod backups;
mod billing;
mod identity;
mod mail;
mod purchasing;
mod sales;
mod sharing;
mod workspace;

pub use audit_chain::*;
pub use backups::*;
pub use billing::*;
pub use identity::*;
pub use mail::*;
pub use purchasing::*;
pub use sales::*;
pub use sharing::*;
pub use workspace::*;

#[cfg(feature = "ssr")]
pub(crate) fn timestamp(at: chrono::DateTime<chrono::Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
