//! The control plane's side of the cross-database rule (see `domain::workspace::control_changes`): which
//! workspace-owed changes have been applied, so applying one again (after a crash between the two
//! databases) does nothing; and an index for counting a user's workspaces (the workspace quota).

use crate::builders::index;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AppliedControlChanges {
    Table,
    Id,
    TenantId,
    Kind,
    AppliedAt,
}

#[derive(DeriveIden)]
enum Tenants {
    Table,
    CreatedBy,
}

#[derive(DeriveIden)]
enum Invitations {
    Table,
    TenantId,
    Email,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AppliedControlChanges::Table)
                    .col(pk_uuid(AppliedControlChanges::Id))
                    .col(uuid(AppliedControlChanges::TenantId))
                    .col(string_len(AppliedControlChanges::Kind, 48))
                    .col(timestamp_with_time_zone(AppliedControlChanges::AppliedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "applied_control_changes_tenant_kind",
                AppliedControlChanges::Table,
                [AppliedControlChanges::TenantId.into_iden(), AppliedControlChanges::Kind.into_iden()],
            ))
            .await?;
        manager.create_index(index("tenants_created_by", Tenants::Table, [Tenants::CreatedBy])).await?;
        manager
            .create_index(index(
                "invitations_tenant_email",
                Invitations::Table,
                [Invitations::TenantId.into_iden(), Invitations::Email.into_iden()],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(AppliedControlChanges::Table).to_owned()).await
    }
}
