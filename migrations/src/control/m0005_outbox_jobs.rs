//! Mail at rest and background work: the outbox gets a delivery priority (security mail before bulk
//! mail), the `jobs` table holds one lease row per scheduled job (so several servers sharing this
//! database run each job once per period), and the retention purges get the indexes they delete by.
//!
//! Outbox bodies are sealed by the application from this version on; bodies of mails that were already
//! delivered are blanked here, because they hold live links and codes in plain text.

use crate::builders::index;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum MailOutbox {
    Table,
    Priority,
    Status,
    NextAttemptAt,
    SentAt,
    CreatedAt,
    TextBody,
    HtmlBody,
}

#[derive(DeriveIden)]
enum Jobs {
    Table,
    Name,
    DueAt,
    LeaseUntil,
    LeasedBy,
    LastStartedAt,
    LastFinishedAt,
    LastError,
    Runs,
}

#[derive(DeriveIden)]
enum SecurityEvents {
    Table,
    At,
}

#[derive(DeriveIden)]
enum UserTokens {
    Table,
    ExpiresAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(MailOutbox::Table)
                    .add_column(small_integer(MailOutbox::Priority).default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "mail_outbox_by_priority",
                MailOutbox::Table,
                [MailOutbox::Status, MailOutbox::Priority, MailOutbox::NextAttemptAt],
            ))
            .await?;
        manager.create_index(index("mail_outbox_by_creation", MailOutbox::Table, [MailOutbox::CreatedAt])).await?;
        manager.create_index(index("mail_outbox_by_sending", MailOutbox::Table, [MailOutbox::SentAt])).await?;
        manager
            .exec_stmt(
                Query::update()
                    .table(MailOutbox::Table)
                    .value(MailOutbox::TextBody, "")
                    .value(MailOutbox::HtmlBody, "")
                    .and_where(Expr::col(MailOutbox::Status).is_in(["sent", "dev-outbox", "failed"]))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Jobs::Table)
                    .col(string_len(Jobs::Name, 64).primary_key())
                    .col(timestamp_with_time_zone(Jobs::DueAt))
                    .col(timestamp_with_time_zone_null(Jobs::LeaseUntil))
                    .col(string_len_null(Jobs::LeasedBy, 64))
                    .col(timestamp_with_time_zone_null(Jobs::LastStartedAt))
                    .col(timestamp_with_time_zone_null(Jobs::LastFinishedAt))
                    .col(text_null(Jobs::LastError))
                    .col(big_integer(Jobs::Runs).default(0))
                    .to_owned(),
            )
            .await?;

        manager.create_index(index("security_events_by_time", SecurityEvents::Table, [SecurityEvents::At])).await?;
        manager.create_index(index("user_tokens_by_expiry", UserTokens::Table, [UserTokens::ExpiresAt])).await
    }
}
