//! Migrations of the control-plane database.

use sea_orm_migration::prelude::*;

mod m0001_tenants;
mod m0002_identity;
mod m0003_workspaces;
mod m0004_sign_in_hardening;
mod m0005_outbox_jobs;
mod m0006_applied_control_changes;
mod m0007_workspace_keys;
mod m0009_languages;
// Backups (issue 13): the catalogue.
mod m0010_backups;
// Unsubscribing from notification mail (issue 11, UX4).
mod m0011_mail_opt_outs;
// Time zones (issue 11, UX3).
mod m0012_time_zones;

pub struct ControlMigrator;

impl MigratorTrait for ControlMigrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_tenants::Migration),
            Box::new(m0002_identity::Migration),
            Box::new(m0003_workspaces::Migration),
            Box::new(m0004_sign_in_hardening::Migration),
            Box::new(m0005_outbox_jobs::Migration),
            Box::new(m0006_applied_control_changes::Migration),
            Box::new(m0007_workspace_keys::Migration),
            Box::new(m0009_languages::Migration),
            Box::new(m0010_backups::Migration),
            Box::new(m0011_mail_opt_outs::Migration),
            Box::new(m0012_time_zones::Migration),
        ]
    }

    fn migration_table_name() -> DynIden {
        "control_migrations".into_iden()
    }
}
