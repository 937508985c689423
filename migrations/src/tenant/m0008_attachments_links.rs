//! Attachments and signed links (DATA4, DATA5) in a workspace's own database.
//!
//! - `attachments`: metadata of files on sales orders and purchase requests. The bytes are not here:
//!   they sit encrypted in the file store under `storage_name` (random, never derived from the upload's
//!   name); `filename` is the sanitised original name, shown, never used as a path; `size_bytes` adds up
//!   to the workspace's quota.
//! - `order_links`: one row per signed link to a sales order's confirmation page, so that a link can be
//!   revoked and expires even though its signature would still verify.

use crate::builders::{cascade, index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Attachments {
    Table,
    Id,
    OwnerType,
    OwnerId,
    Filename,
    ContentType,
    SizeBytes,
    StorageName,
    KeyVersion,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum OrderLinks {
    Table,
    Id,
    OrderId,
    CreatedBy,
    CreatedAt,
    ExpiresAt,
    RevokedAt,
    RevokedBy,
    LastOpenedAt,
}

#[derive(DeriveIden)]
enum SalesOrders {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Attachments::Table)
                    .col(pk_uuid(Attachments::Id))
                    .col(string_len(Attachments::OwnerType, 32))
                    .col(uuid(Attachments::OwnerId))
                    .col(string_len(Attachments::Filename, 255))
                    .col(string_len(Attachments::ContentType, 64))
                    .col(big_integer(Attachments::SizeBytes))
                    .col(string_len_uniq(Attachments::StorageName, 64))
                    .col(integer(Attachments::KeyVersion))
                    .col(uuid_null(Attachments::CreatedBy))
                    .col(timestamp_with_time_zone(Attachments::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "attachments_by_owner",
                Attachments::Table,
                [Attachments::OwnerType, Attachments::OwnerId],
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(OrderLinks::Table)
                    .col(pk_uuid(OrderLinks::Id))
                    .col(uuid(OrderLinks::OrderId))
                    .col(uuid_null(OrderLinks::CreatedBy))
                    .col(timestamp_with_time_zone(OrderLinks::CreatedAt))
                    .col(timestamp_with_time_zone(OrderLinks::ExpiresAt))
                    .col(timestamp_with_time_zone_null(OrderLinks::RevokedAt))
                    .col(uuid_null(OrderLinks::RevokedBy))
                    .col(timestamp_with_time_zone_null(OrderLinks::LastOpenedAt))
                    .foreign_key(&mut cascade(
                        (OrderLinks::Table, OrderLinks::OrderId),
                        (SalesOrders::Table, SalesOrders::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("order_links_by_order", OrderLinks::Table, [OrderLinks::OrderId])).await
    }
}
