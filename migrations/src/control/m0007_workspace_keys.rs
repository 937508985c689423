//! Each workspace's own data keys (DATA2), kept in the control plane and never in the workspace's own
//! database: a copy or backup of a workspace database is then unreadable without this table, and
//! deleting a workspace's rows here (crypto-shredding) makes every copy of its data unreadable for good.
//!
//! A row is one version of one key: `purpose` is `data` (AES-256-GCM field encryption, rotated) or
//! `index` (the keyed blind index for exact-match search); `wrapped` is the key sealed under a key
//! derived from the master key, and `master_key_id` names which master key wrapped it (so rotating the
//! master key re-wraps rows without touching any workspace data). A new data key version is `pending`
//! until the workspace has recorded its rotation (the cross-database rule), then `active`.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum WorkspaceKeys {
    Table,
    TenantId,
    Purpose,
    Version,
    Wrapped,
    MasterKeyId,
    State,
    CreatedAt,
    ActivatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(WorkspaceKeys::Table)
                    .col(uuid(WorkspaceKeys::TenantId))
                    .col(string_len(WorkspaceKeys::Purpose, 16))
                    .col(integer(WorkspaceKeys::Version))
                    .col(text(WorkspaceKeys::Wrapped))
                    .col(string_len(WorkspaceKeys::MasterKeyId, 32))
                    .col(string_len(WorkspaceKeys::State, 16))
                    .col(timestamp_with_time_zone(WorkspaceKeys::CreatedAt))
                    .col(timestamp_with_time_zone_null(WorkspaceKeys::ActivatedAt))
                    .primary_key(
                        Index::create()
                            .col(WorkspaceKeys::TenantId)
                            .col(WorkspaceKeys::Purpose)
                            .col(WorkspaceKeys::Version),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(WorkspaceKeys::Table).to_owned()).await
    }
}
