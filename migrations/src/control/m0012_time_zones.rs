//! Time zones (UX3): a user's saved zone (`users.time_zone`, `NULL` = follow the workspace's) and each
//! workspace's zone (`workspace_policies.time_zone`, `UTC` until an administrator chooses one). Both
//! hold IANA names (`Europe/Berlin`), checked against the database before they are stored.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    TimeZone,
}

#[derive(DeriveIden)]
enum WorkspacePolicies {
    Table,
    TimeZone,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table(Users::Table).add_column(string_len_null(Users::TimeZone, 64)).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(WorkspacePolicies::Table)
                    .add_column(string_len(WorkspacePolicies::TimeZone, 64).default("UTC"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter().table(WorkspacePolicies::Table).drop_column(WorkspacePolicies::TimeZone).to_owned(),
            )
            .await?;
        manager.alter_table(Table::alter().table(Users::Table).drop_column(Users::TimeZone).to_owned()).await
    }
}
