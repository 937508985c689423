//! The backup catalogue (OPS1): one `backups` row per backup (of a workspace or of the control plane)
//! with when its snapshot began, its sizes, SHA-256, key version and state, and one `backup_copies` row
//! per target that holds a verified copy. A backup is `running` until every copy is written and read
//! back; a killed one stays `running` (never listed as good) until the clean-up marks it `failed`.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Backups {
    Table,
    Id,
    Scope,
    TenantId,
    Source,
    TakenAt,
    FinishedAt,
    State,
    FileName,
    FileBytes,
    FileSha256,
    SnapshotBytes,
    SnapshotSha256,
    KeyVersion,
    Fingerprint,
    Error,
}

#[derive(DeriveIden)]
enum BackupCopies {
    Table,
    BackupId,
    Target,
    State,
    Bytes,
    VerifiedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Backups::Table)
                    .col(uuid(Backups::Id).primary_key())
                    .col(string_len(Backups::Scope, 16))
                    .col(uuid_null(Backups::TenantId))
                    .col(string_len(Backups::Source, 16))
                    .col(timestamp_with_time_zone(Backups::TakenAt))
                    .col(timestamp_with_time_zone_null(Backups::FinishedAt))
                    .col(string_len(Backups::State, 16))
                    .col(string_len(Backups::FileName, 128))
                    .col(big_integer_null(Backups::FileBytes))
                    .col(string_len_null(Backups::FileSha256, 64))
                    .col(big_integer_null(Backups::SnapshotBytes))
                    .col(string_len_null(Backups::SnapshotSha256, 64))
                    .col(string_len(Backups::KeyVersion, 64))
                    .col(string_len_null(Backups::Fingerprint, 128))
                    .col(text_null(Backups::Error))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("backups_by_tenant")
                    .table(Backups::Table)
                    .col(Backups::TenantId)
                    .col(Backups::TakenAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(BackupCopies::Table)
                    .col(uuid(BackupCopies::BackupId))
                    .col(string_len(BackupCopies::Target, 64))
                    .col(string_len(BackupCopies::State, 16))
                    .col(big_integer(BackupCopies::Bytes))
                    .col(timestamp_with_time_zone_null(BackupCopies::VerifiedAt))
                    .primary_key(Index::create().col(BackupCopies::BackupId).col(BackupCopies::Target))
                    .foreign_key(
                        ForeignKey::create()
                            .from(BackupCopies::Table, BackupCopies::BackupId)
                            .to(Backups::Table, Backups::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(BackupCopies::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Backups::Table).to_owned()).await
    }
}
