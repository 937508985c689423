//! Identity: users, their single-use tokens and one-time codes, known devices and networks, failed-login
//! counters, signed-in sessions (and the tower-sessions store), TOTP recovery codes, proof-of-work
//! replay protection, the mail outbox, and the security event log.

use crate::builders::{cascade, index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Email,
    EmailVerifiedAt,
    PasswordHash,
    PasswordChangedAt,
    LockedAt,
    TotpSecret,
    TotpPendingSecret,
    TotpEnabledAt,
    TotpLastStep,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum UserTokens {
    Table,
    Id,
    UserId,
    Purpose,
    TokenHash,
    Email,
    ExpiresAt,
    UsedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum EmailCodes {
    Table,
    Id,
    UserId,
    CodeMac,
    ExpiresAt,
    Attempts,
    ConsumedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum KnownDevices {
    Table,
    Id,
    UserId,
    TokenHash,
    UserAgent,
    CreatedAt,
    LastSeenAt,
}

#[derive(DeriveIden)]
enum KnownNetworks {
    Table,
    UserId,
    Network,
    FirstSeenAt,
    LastSeenAt,
}

#[derive(DeriveIden)]
enum AccountThrottle {
    Table,
    AccountKey,
    Failures,
    LockCount,
    LockedUntil,
    LastFailureAt,
}

#[derive(DeriveIden)]
enum IpThrottle {
    Table,
    Ip,
    Failures,
    WindowStartedAt,
    BlockedUntil,
}

#[derive(DeriveIden)]
enum AuthSessions {
    Table,
    Id,
    UserId,
    CreatedAt,
    LastSeenAt,
    ExpiresAt,
    Ip,
    UserAgent,
    RevokedAt,
    RevokedReason,
}

#[derive(DeriveIden)]
enum TowerSessions {
    Table,
    Id,
    Data,
    ExpiryDate,
}

#[derive(DeriveIden)]
enum RecoveryCodes {
    Table,
    Id,
    UserId,
    CodeHash,
    UsedAt,
}

#[derive(DeriveIden)]
enum PowSpent {
    Table,
    Nonce,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum MailOutbox {
    Table,
    Id,
    Kind,
    ToAddress,
    Subject,
    TextBody,
    HtmlBody,
    Status,
    Attempts,
    NextAttemptAt,
    LastError,
    CreatedAt,
    SentAt,
}

#[derive(DeriveIden)]
enum SecurityEvents {
    Table,
    Id,
    At,
    UserId,
    Kind,
    Ip,
    UserAgent,
    Detail,
}

fn user_fk(table: impl IntoIden + 'static, column: impl IntoIden + 'static) -> ForeignKeyCreateStatement {
    cascade((table, column), (Users::Table, Users::Id))
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Users::Table)
                    .col(pk_uuid(Users::Id))
                    .col(string_len_uniq(Users::Email, 320))
                    .col(timestamp_with_time_zone_null(Users::EmailVerifiedAt))
                    .col(string_len(Users::PasswordHash, 256))
                    .col(timestamp_with_time_zone(Users::PasswordChangedAt))
                    .col(timestamp_with_time_zone_null(Users::LockedAt))
                    .col(text_null(Users::TotpSecret))
                    .col(text_null(Users::TotpPendingSecret))
                    .col(timestamp_with_time_zone_null(Users::TotpEnabledAt))
                    .col(big_integer_null(Users::TotpLastStep))
                    .col(timestamp_with_time_zone(Users::CreatedAt))
                    .col(timestamp_with_time_zone(Users::UpdatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(UserTokens::Table)
                    .col(pk_uuid(UserTokens::Id))
                    .col(uuid(UserTokens::UserId))
                    .col(string_len(UserTokens::Purpose, 32))
                    .col(string_len_uniq(UserTokens::TokenHash, 64))
                    .col(string_len_null(UserTokens::Email, 320))
                    .col(timestamp_with_time_zone(UserTokens::ExpiresAt))
                    .col(timestamp_with_time_zone_null(UserTokens::UsedAt))
                    .col(timestamp_with_time_zone(UserTokens::CreatedAt))
                    .foreign_key(&mut user_fk(UserTokens::Table, UserTokens::UserId))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(EmailCodes::Table)
                    .col(pk_uuid(EmailCodes::Id))
                    .col(uuid(EmailCodes::UserId))
                    .col(string_len(EmailCodes::CodeMac, 64))
                    .col(timestamp_with_time_zone(EmailCodes::ExpiresAt))
                    .col(integer(EmailCodes::Attempts))
                    .col(timestamp_with_time_zone_null(EmailCodes::ConsumedAt))
                    .col(timestamp_with_time_zone(EmailCodes::CreatedAt))
                    .foreign_key(&mut user_fk(EmailCodes::Table, EmailCodes::UserId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("email_codes_by_user", EmailCodes::Table, [EmailCodes::UserId, EmailCodes::CreatedAt]))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(KnownDevices::Table)
                    .col(pk_uuid(KnownDevices::Id))
                    .col(uuid(KnownDevices::UserId))
                    .col(string_len(KnownDevices::TokenHash, 64))
                    .col(string_len(KnownDevices::UserAgent, 512))
                    .col(timestamp_with_time_zone(KnownDevices::CreatedAt))
                    .col(timestamp_with_time_zone(KnownDevices::LastSeenAt))
                    .foreign_key(&mut user_fk(KnownDevices::Table, KnownDevices::UserId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index(
                    "known_devices_by_user_token",
                    KnownDevices::Table,
                    [KnownDevices::UserId, KnownDevices::TokenHash],
                )
                .unique()
                .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(KnownNetworks::Table)
                    .col(uuid(KnownNetworks::UserId))
                    .col(string_len(KnownNetworks::Network, 64))
                    .col(timestamp_with_time_zone(KnownNetworks::FirstSeenAt))
                    .col(timestamp_with_time_zone(KnownNetworks::LastSeenAt))
                    .primary_key(Index::create().col(KnownNetworks::UserId).col(KnownNetworks::Network))
                    .foreign_key(&mut user_fk(KnownNetworks::Table, KnownNetworks::UserId))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AccountThrottle::Table)
                    .col(string_len(AccountThrottle::AccountKey, 64).primary_key())
                    .col(integer(AccountThrottle::Failures))
                    .col(integer(AccountThrottle::LockCount))
                    .col(timestamp_with_time_zone_null(AccountThrottle::LockedUntil))
                    .col(timestamp_with_time_zone(AccountThrottle::LastFailureAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(IpThrottle::Table)
                    .col(string_len(IpThrottle::Ip, 64).primary_key())
                    .col(integer(IpThrottle::Failures))
                    .col(timestamp_with_time_zone(IpThrottle::WindowStartedAt))
                    .col(timestamp_with_time_zone_null(IpThrottle::BlockedUntil))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AuthSessions::Table)
                    .col(pk_uuid(AuthSessions::Id))
                    .col(uuid(AuthSessions::UserId))
                    .col(timestamp_with_time_zone(AuthSessions::CreatedAt))
                    .col(timestamp_with_time_zone(AuthSessions::LastSeenAt))
                    .col(timestamp_with_time_zone(AuthSessions::ExpiresAt))
                    .col(string_len(AuthSessions::Ip, 64))
                    .col(string_len(AuthSessions::UserAgent, 512))
                    .col(timestamp_with_time_zone_null(AuthSessions::RevokedAt))
                    .col(string_len_null(AuthSessions::RevokedReason, 32))
                    .foreign_key(&mut user_fk(AuthSessions::Table, AuthSessions::UserId))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("auth_sessions_by_user", AuthSessions::Table, [AuthSessions::UserId])).await?;

        manager
            .create_table(
                Table::create()
                    .table(TowerSessions::Table)
                    .col(string_len(TowerSessions::Id, 64).primary_key())
                    .col(text(TowerSessions::Data))
                    .col(timestamp_with_time_zone(TowerSessions::ExpiryDate))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("tower_sessions_by_expiry", TowerSessions::Table, [TowerSessions::ExpiryDate]))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(RecoveryCodes::Table)
                    .col(pk_uuid(RecoveryCodes::Id))
                    .col(uuid(RecoveryCodes::UserId))
                    .col(string_len(RecoveryCodes::CodeHash, 64))
                    .col(timestamp_with_time_zone_null(RecoveryCodes::UsedAt))
                    .foreign_key(&mut user_fk(RecoveryCodes::Table, RecoveryCodes::UserId))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(PowSpent::Table)
                    .col(string_len(PowSpent::Nonce, 64).primary_key())
                    .col(timestamp_with_time_zone(PowSpent::ExpiresAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(MailOutbox::Table)
                    .col(pk_uuid(MailOutbox::Id))
                    .col(string_len(MailOutbox::Kind, 48))
                    .col(string_len(MailOutbox::ToAddress, 320))
                    .col(string_len(MailOutbox::Subject, 256))
                    .col(text(MailOutbox::TextBody))
                    .col(text(MailOutbox::HtmlBody))
                    .col(string_len(MailOutbox::Status, 16))
                    .col(integer(MailOutbox::Attempts))
                    .col(timestamp_with_time_zone(MailOutbox::NextAttemptAt))
                    .col(text_null(MailOutbox::LastError))
                    .col(timestamp_with_time_zone(MailOutbox::CreatedAt))
                    .col(timestamp_with_time_zone_null(MailOutbox::SentAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("mail_outbox_due", MailOutbox::Table, [MailOutbox::Status, MailOutbox::NextAttemptAt]))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(SecurityEvents::Table)
                    .col(pk_uuid(SecurityEvents::Id))
                    .col(timestamp_with_time_zone(SecurityEvents::At))
                    .col(uuid_null(SecurityEvents::UserId))
                    .col(string_len(SecurityEvents::Kind, 48))
                    .col(string_len_null(SecurityEvents::Ip, 64))
                    .col(string_len_null(SecurityEvents::UserAgent, 512))
                    .col(text(SecurityEvents::Detail))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "security_events_by_user",
                SecurityEvents::Table,
                [SecurityEvents::UserId, SecurityEvents::At],
            ))
            .await
    }
}
