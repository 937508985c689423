//! Sales (DATA1–DATA3): the workspace's customers and their sales orders with line items, and the
//! per-member counters that limit how often sensitive values may be revealed.
//!
//! Contact data beyond the name (email, phone, postal address) and free-text notes are stored only as
//! AES-256-GCM ciphertext (`*_enc`, under the workspace's data key version `key_version`); the email's
//! keyed blind index (`email_index`) allows exact-match search without decrypting any row. Names stay
//! in clear (lower-cased in `name_search`) because lists are searched by them.

use crate::builders::{cascade, index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Customers {
    Table,
    Id,
    Number,
    Name,
    NameSearch,
    EmailEnc,
    EmailIndex,
    PhoneEnc,
    AddressEnc,
    NotesEnc,
    KeyVersion,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum SalesOrders {
    Table,
    Id,
    Number,
    CustomerId,
    Status,
    Currency,
    TotalCents,
    NotesEnc,
    KeyVersion,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum SalesOrderLines {
    Table,
    Id,
    OrderId,
    Position,
    Description,
    Quantity,
    UnitPriceCents,
    LineTotalCents,
}

#[derive(DeriveIden)]
enum RevealCounts {
    Table,
    UserId,
    WindowStart,
    Count,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Customers::Table)
                    .col(pk_uuid(Customers::Id))
                    .col(big_integer_uniq(Customers::Number))
                    .col(string_len(Customers::Name, 200))
                    .col(string_len(Customers::NameSearch, 200))
                    .col(text_null(Customers::EmailEnc))
                    .col(string_len_null(Customers::EmailIndex, 64))
                    .col(text_null(Customers::PhoneEnc))
                    .col(text_null(Customers::AddressEnc))
                    .col(text_null(Customers::NotesEnc))
                    .col(integer(Customers::KeyVersion))
                    .col(timestamp_with_time_zone(Customers::CreatedAt))
                    .col(timestamp_with_time_zone(Customers::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("customers_by_email_index", Customers::Table, [Customers::EmailIndex])).await?;
        manager
            .create_index(index("customers_by_name", Customers::Table, [Customers::NameSearch, Customers::Number]))
            .await?;
        manager.create_index(index("customers_by_key_version", Customers::Table, [Customers::KeyVersion])).await?;
        manager
            .create_table(
                Table::create()
                    .table(SalesOrders::Table)
                    .col(pk_uuid(SalesOrders::Id))
                    .col(big_integer_uniq(SalesOrders::Number))
                    .col(uuid(SalesOrders::CustomerId))
                    .col(string_len(SalesOrders::Status, 16))
                    .col(string_len(SalesOrders::Currency, 3))
                    .col(big_integer(SalesOrders::TotalCents))
                    .col(text_null(SalesOrders::NotesEnc))
                    .col(integer(SalesOrders::KeyVersion))
                    .col(timestamp_with_time_zone(SalesOrders::CreatedAt))
                    .col(timestamp_with_time_zone(SalesOrders::UpdatedAt))
                    .foreign_key(&mut cascade(
                        (SalesOrders::Table, SalesOrders::CustomerId),
                        (Customers::Table, Customers::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("sales_orders_by_customer", SalesOrders::Table, [SalesOrders::CustomerId])).await?;
        manager
            .create_index(index(
                "sales_orders_by_status",
                SalesOrders::Table,
                [SalesOrders::Status, SalesOrders::Number],
            ))
            .await?;
        manager
            .create_index(index(
                "sales_orders_by_total",
                SalesOrders::Table,
                [SalesOrders::TotalCents, SalesOrders::Number],
            ))
            .await?;
        manager.create_index(index("sales_orders_by_created", SalesOrders::Table, [SalesOrders::CreatedAt])).await?;
        manager
            .create_index(index("sales_orders_by_key_version", SalesOrders::Table, [SalesOrders::KeyVersion]))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SalesOrderLines::Table)
                    .col(pk_uuid(SalesOrderLines::Id))
                    .col(uuid(SalesOrderLines::OrderId))
                    .col(integer(SalesOrderLines::Position))
                    .col(string_len(SalesOrderLines::Description, 200))
                    .col(integer(SalesOrderLines::Quantity))
                    .col(big_integer(SalesOrderLines::UnitPriceCents))
                    .col(big_integer(SalesOrderLines::LineTotalCents))
                    .foreign_key(&mut cascade(
                        (SalesOrderLines::Table, SalesOrderLines::OrderId),
                        (SalesOrders::Table, SalesOrders::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("sales_order_lines_by_order", SalesOrderLines::Table, [SalesOrderLines::OrderId]))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RevealCounts::Table)
                    .col(uuid(RevealCounts::UserId))
                    .col(timestamp_with_time_zone(RevealCounts::WindowStart))
                    .col(integer(RevealCounts::Count))
                    .primary_key(Index::create().col(RevealCounts::UserId).col(RevealCounts::WindowStart))
                    .to_owned(),
            )
            .await
    }
}
