//! Migrations of a workspace's own database.

use sea_orm_migration::prelude::*;

mod m0001_workspace_profile;
mod m0002_workspace_core;
mod m0003_control_changes;
mod m0004_purchasing_indexes_fallback;
mod m0005_customers_orders;
mod m0006_audit_chain;
mod m0007_billing;
mod m0008_attachments_links;
mod m0009_backups_permission;

pub struct TenantMigrator;

impl MigratorTrait for TenantMigrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_workspace_profile::Migration),
            Box::new(m0002_workspace_core::Migration),
            Box::new(m0003_control_changes::Migration),
            Box::new(m0004_purchasing_indexes_fallback::Migration),
            Box::new(m0005_customers_orders::Migration),
            Box::new(m0006_audit_chain::Migration),
            Box::new(m0007_billing::Migration),
            Box::new(m0008_attachments_links::Migration),
            Box::new(m0009_backups_permission::Migration),
        ]
    }

    fn migration_table_name() -> DynIden {
        "tenant_migrations".into_iden()
    }
}
