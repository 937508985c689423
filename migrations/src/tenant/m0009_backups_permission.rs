//! Gives the built-in owner and administrator roles the new `backups.manage` permission (OPS2): the
//! workspace's backups page, "back up now" and restoring a backup onto live. New workspaces get it
//! from the built-in roles' definitions.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::builders::grant_to_owners_and_admins(manager, "backups.manage").await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("UPDATE roles SET permissions = REPLACE(permissions, ',backups.manage', '')")
            .await?;
        Ok(())
    }
}
