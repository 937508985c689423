//! Database schema migrations, in two separate migrators because Strongroom keeps two kinds of database:
//!
//! - [`ControlMigrator`] for the control plane: the tenant registry and, later, identities, sessions,
//!   memberships and platform audit. One per deployment.
//! - [`TenantMigrator`] for each workspace's own database: its business data. One per tenant, run when
//!   the workspace is created and again by `strongroom migrate` for every tenant after an upgrade.
//!
//! Each keeps its bookkeeping in its own table, so pointing one at the other's database by mistake
//! cannot make it believe its migrations already ran.

mod builders;
mod control;
mod tenant;

pub use control::ControlMigrator;
pub use sea_orm_migration::MigratorTrait;
pub use tenant::TenantMigrator;
