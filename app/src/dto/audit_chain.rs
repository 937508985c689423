//! Whether a workspace's audit log hash chain holds (AUD1), for the audit page.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditChainDto {
    pub holds: bool,
    pub verified: u64,
    /// The first entry where the chain breaks, and why.
    pub broken_at: Option<i64>,
    pub reason: Option<String>,
    /// The chain starts after a purge up to this entry.
    pub checkpoint: Option<i64>,
}

#[cfg(feature = "ssr")]
impl From<domain::workspace::audit_chain::ChainReport> for AuditChainDto {
    fn from(r: domain::workspace::audit_chain::ChainReport) -> Self {
        Self {
            holds: r.holds(),
            verified: r.verified,
            broken_at: r.broken.as_ref().map(|b| b.seq),
            reason: r.broken.map(|b| b.reason),
            checkpoint: r.checkpoint,
        }
    }
}
