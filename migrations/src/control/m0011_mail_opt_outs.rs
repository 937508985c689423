//! Unsubscribing from notification mail (UX4): one `mail_opt_outs` row per address and topic that its
//! owner stopped (by the link or the one-click `List-Unsubscribe` of such a mail). Keyed by address, not
//! by account, because invitations go to people who have none yet. Mail about the account itself
//! (codes, resets, notices) has no topic and cannot be stopped.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum MailOptOuts {
    Table,
    Address,
    Topic,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(MailOptOuts::Table)
                    .col(string_len(MailOptOuts::Address, 254))
                    .col(string_len(MailOptOuts::Topic, 32))
                    .col(timestamp_with_time_zone(MailOptOuts::CreatedAt))
                    .primary_key(Index::create().col(MailOptOuts::Address).col(MailOptOuts::Topic))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(MailOptOuts::Table).to_owned()).await
    }
}
