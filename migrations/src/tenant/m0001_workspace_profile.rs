//! The workspace's own record of itself, kept inside its database so that a backup or a restored
//! copy says which workspace it belongs to without the control plane.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum WorkspaceProfile {
    Table,
    TenantId,
    Name,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(WorkspaceProfile::Table)
                    .col(pk_uuid(WorkspaceProfile::TenantId))
                    .col(string_len(WorkspaceProfile::Name, 256))
                    .col(timestamp_with_time_zone(WorkspaceProfile::CreatedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(WorkspaceProfile::Table).to_owned()).await
    }
}
