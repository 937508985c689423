//! Data sent to the browser. Built from domain types on the server; entities never cross this line.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkspaceDto {
    pub slug: String,
    pub name: String,
    /// RFC 3339, UTC.
    pub created_at: String,
}

impl WorkspaceDto {
    /// The workspace's page.
    pub fn path(&self) -> String {
        format!("/w/{}", self.slug)
    }
}

#[cfg(feature = "ssr")]
impl From<&domain::tenancy::Workspace> for WorkspaceDto {
    fn from(workspace: &domain::tenancy::Workspace) -> Self {
        Self {
            slug: workspace.slug.to_string(),
            name: workspace.name.to_string(),
            created_at: workspace.created_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        }
    }
}
