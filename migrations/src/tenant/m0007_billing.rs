//! Billing in a workspace's own database (PAY1): its one subscription row, the checkouts it started,
//! and every provider event it has applied (provider + event id unique, so an event counts once). Also
//! gives the built-in owner and admin roles the new `billing.manage` permission.

use crate::builders::index;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
#[allow(clippy::enum_variant_names)] // the column is called subscription_ref
enum Subscription {
    Table,
    Id,
    PlanKey,
    Interval,
    Status,
    Provider,
    CustomerRef,
    SubscriptionRef,
    CurrentPeriodEnd,
    CancelAtPeriodEnd,
    TrialEndsAt,
    TrialUsed,
    PastDueSince,
    CardBrand,
    CardLast4,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum BillingEvents {
    Table,
    Id,
    Provider,
    EventId,
    Kind,
    ReceivedAt,
}

#[derive(DeriveIden)]
enum BillingCheckouts {
    Table,
    Id,
    Provider,
    PlanKey,
    Interval,
    AmountCents,
    Currency,
    ProviderRef,
    Status,
    CreatedAt,
    SettledAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Subscription::Table)
                    .col(string_len(Subscription::Id, 16).primary_key())
                    .col(string_len(Subscription::PlanKey, 32))
                    .col(string_len_null(Subscription::Interval, 8))
                    .col(string_len(Subscription::Status, 16))
                    .col(string_len_null(Subscription::Provider, 16))
                    .col(string_len_null(Subscription::CustomerRef, 255))
                    .col(string_len_null(Subscription::SubscriptionRef, 255))
                    .col(timestamp_with_time_zone_null(Subscription::CurrentPeriodEnd))
                    .col(boolean(Subscription::CancelAtPeriodEnd))
                    .col(timestamp_with_time_zone_null(Subscription::TrialEndsAt))
                    .col(boolean(Subscription::TrialUsed))
                    .col(timestamp_with_time_zone_null(Subscription::PastDueSince))
                    .col(string_len_null(Subscription::CardBrand, 32))
                    .col(string_len_null(Subscription::CardLast4, 4))
                    .col(timestamp_with_time_zone(Subscription::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(BillingEvents::Table)
                    .col(pk_uuid(BillingEvents::Id))
                    .col(string_len(BillingEvents::Provider, 16))
                    .col(string_len(BillingEvents::EventId, 255))
                    .col(string_len(BillingEvents::Kind, 64))
                    .col(timestamp_with_time_zone(BillingEvents::ReceivedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index("billing_events_once", BillingEvents::Table, [BillingEvents::Provider, BillingEvents::EventId])
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(BillingCheckouts::Table)
                    .col(pk_uuid(BillingCheckouts::Id))
                    .col(string_len(BillingCheckouts::Provider, 16))
                    .col(string_len(BillingCheckouts::PlanKey, 32))
                    .col(string_len(BillingCheckouts::Interval, 8))
                    .col(big_integer(BillingCheckouts::AmountCents))
                    .col(string_len(BillingCheckouts::Currency, 3))
                    .col(string_len_null(BillingCheckouts::ProviderRef, 255))
                    .col(string_len(BillingCheckouts::Status, 16))
                    .col(timestamp_with_time_zone(BillingCheckouts::CreatedAt))
                    .col(timestamp_with_time_zone_null(BillingCheckouts::SettledAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("billing_checkouts_ref", BillingCheckouts::Table, [BillingCheckouts::ProviderRef]))
            .await?;
        // Owners and admins hold every permission: the new one too.
        crate::builders::grant_to_owners_and_admins(manager, "billing.manage").await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(BillingCheckouts::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(BillingEvents::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Subscription::Table).to_owned()).await
    }
}
