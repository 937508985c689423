//! Workspaces (tenants), each with a database of its own (TN1).
//!
//! The control plane keeps a registry row per workspace (id, address, where its database is). The
//! workspace's business data lives only in that database: a SQLite file under the data directory by
//! default, or a PostgreSQL database on the configured server. Because a tenant connection is opened
//! from the registry row of one tenant id, no query can reach two workspaces' data at once.
//!
//! - [`placement`]: where tenant databases are created and how to reach them.
//! - [`connections`]: a bounded cache of open tenant connection pools.
//! - [`workspaces`]: creating and finding workspaces.

mod connections;
mod placement;
mod workspaces;

pub use connections::{ConnectionBudget, TenantConnections};
pub use placement::{PlacementSettings, TenantPlacement};
pub(crate) use workspaces::workspace_from_row;
pub use workspaces::{MigrationReport, Tenancy, WORKSPACES_PER_USER, Workspace, WorkspaceProfile};
