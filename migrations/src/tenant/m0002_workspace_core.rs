//! A workspace's members and roles, its audit log, in-app notifications, and purchasing:
//! suppliers, purchase requests with line items, approval decisions and purchase orders.

use crate::builders::{cascade, index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Members {
    Table,
    UserId,
    Email,
    JoinedAt,
}

#[derive(DeriveIden)]
enum Roles {
    Table,
    Id,
    Key,
    Name,
    Builtin,
    Permissions,
    CreatedAt,
}

#[derive(DeriveIden)]
enum MemberRoles {
    Table,
    UserId,
    RoleId,
}

#[derive(DeriveIden)]
enum AuditEvents {
    Table,
    Id,
    At,
    ActorUserId,
    ActorEmail,
    Action,
    ObjectType,
    ObjectId,
    Changes,
    Ip,
    RequestId,
}

#[derive(DeriveIden)]
enum Notifications {
    Table,
    Id,
    UserId,
    Kind,
    Text,
    Link,
    CreatedAt,
    ReadAt,
}

#[derive(DeriveIden)]
enum Counters {
    Table,
    Name,
    Value,
}

#[derive(DeriveIden)]
enum Suppliers {
    Table,
    Id,
    Name,
    Email,
    CreatedAt,
}

#[derive(DeriveIden)]
enum PurchaseRequests {
    Table,
    Id,
    Number,
    RequesterId,
    RequesterEmail,
    SupplierId,
    Title,
    TotalCents,
    Currency,
    Status,
    CreatedAt,
    DecidedAt,
}

#[derive(DeriveIden)]
enum PurchaseRequestLines {
    Table,
    Id,
    RequestId,
    Position,
    Description,
    Quantity,
    UnitPriceCents,
    LineTotalCents,
}

#[derive(DeriveIden)]
enum ApprovalDecisions {
    Table,
    Id,
    RequestId,
    ApproverId,
    ApproverEmail,
    Decision,
    Comment,
    At,
}

#[derive(DeriveIden)]
enum PurchaseOrders {
    Table,
    Id,
    Number,
    RequestId,
    SupplierId,
    TotalCents,
    Currency,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Members::Table)
                    .col(pk_uuid(Members::UserId))
                    .col(string_len(Members::Email, 320))
                    .col(timestamp_with_time_zone(Members::JoinedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Roles::Table)
                    .col(pk_uuid(Roles::Id))
                    .col(string_len_uniq(Roles::Key, 64))
                    .col(string_len(Roles::Name, 64))
                    .col(boolean(Roles::Builtin))
                    .col(text(Roles::Permissions))
                    .col(timestamp_with_time_zone(Roles::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(MemberRoles::Table)
                    .col(uuid(MemberRoles::UserId))
                    .col(uuid(MemberRoles::RoleId))
                    .primary_key(Index::create().col(MemberRoles::UserId).col(MemberRoles::RoleId))
                    .foreign_key(&mut cascade(
                        (MemberRoles::Table, MemberRoles::UserId),
                        (Members::Table, Members::UserId),
                    ))
                    .foreign_key(&mut cascade((MemberRoles::Table, MemberRoles::RoleId), (Roles::Table, Roles::Id)))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AuditEvents::Table)
                    .col(pk_uuid(AuditEvents::Id))
                    .col(timestamp_with_time_zone(AuditEvents::At))
                    .col(uuid_null(AuditEvents::ActorUserId))
                    .col(string_len(AuditEvents::ActorEmail, 320))
                    .col(string_len(AuditEvents::Action, 64))
                    .col(string_len(AuditEvents::ObjectType, 32))
                    .col(string_len(AuditEvents::ObjectId, 64))
                    .col(text(AuditEvents::Changes))
                    .col(string_len_null(AuditEvents::Ip, 64))
                    .col(string_len_null(AuditEvents::RequestId, 64))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("audit_by_time", AuditEvents::Table, [AuditEvents::At])).await?;
        manager
            .create_table(
                Table::create()
                    .table(Notifications::Table)
                    .col(pk_uuid(Notifications::Id))
                    .col(uuid(Notifications::UserId))
                    .col(string_len(Notifications::Kind, 32))
                    .col(string_len(Notifications::Text, 512))
                    .col(string_len(Notifications::Link, 256))
                    .col(timestamp_with_time_zone(Notifications::CreatedAt))
                    .col(timestamp_with_time_zone_null(Notifications::ReadAt))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("notifications_by_user", Notifications::Table, [Notifications::UserId])).await?;
        manager
            .create_table(
                Table::create()
                    .table(Counters::Table)
                    .col(string_len(Counters::Name, 32).primary_key())
                    .col(big_integer(Counters::Value))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Suppliers::Table)
                    .col(pk_uuid(Suppliers::Id))
                    .col(string_len(Suppliers::Name, 128))
                    .col(string_len_null(Suppliers::Email, 320))
                    .col(timestamp_with_time_zone(Suppliers::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PurchaseRequests::Table)
                    .col(pk_uuid(PurchaseRequests::Id))
                    .col(big_integer_uniq(PurchaseRequests::Number))
                    .col(uuid(PurchaseRequests::RequesterId))
                    .col(string_len(PurchaseRequests::RequesterEmail, 320))
                    .col(uuid(PurchaseRequests::SupplierId))
                    .col(string_len(PurchaseRequests::Title, 200))
                    .col(big_integer(PurchaseRequests::TotalCents))
                    .col(string_len(PurchaseRequests::Currency, 3))
                    .col(string_len(PurchaseRequests::Status, 16))
                    .col(timestamp_with_time_zone(PurchaseRequests::CreatedAt))
                    .col(timestamp_with_time_zone_null(PurchaseRequests::DecidedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(PurchaseRequests::Table, PurchaseRequests::SupplierId)
                            .to(Suppliers::Table, Suppliers::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PurchaseRequestLines::Table)
                    .col(pk_uuid(PurchaseRequestLines::Id))
                    .col(uuid(PurchaseRequestLines::RequestId))
                    .col(integer(PurchaseRequestLines::Position))
                    .col(string_len(PurchaseRequestLines::Description, 200))
                    .col(integer(PurchaseRequestLines::Quantity))
                    .col(big_integer(PurchaseRequestLines::UnitPriceCents))
                    .col(big_integer(PurchaseRequestLines::LineTotalCents))
                    .foreign_key(&mut cascade(
                        (PurchaseRequestLines::Table, PurchaseRequestLines::RequestId),
                        (PurchaseRequests::Table, PurchaseRequests::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ApprovalDecisions::Table)
                    .col(pk_uuid(ApprovalDecisions::Id))
                    .col(uuid(ApprovalDecisions::RequestId))
                    .col(uuid(ApprovalDecisions::ApproverId))
                    .col(string_len(ApprovalDecisions::ApproverEmail, 320))
                    .col(string_len(ApprovalDecisions::Decision, 8))
                    .col(text(ApprovalDecisions::Comment))
                    .col(timestamp_with_time_zone(ApprovalDecisions::At))
                    .foreign_key(&mut cascade(
                        (ApprovalDecisions::Table, ApprovalDecisions::RequestId),
                        (PurchaseRequests::Table, PurchaseRequests::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PurchaseOrders::Table)
                    .col(pk_uuid(PurchaseOrders::Id))
                    .col(big_integer_uniq(PurchaseOrders::Number))
                    .col(uuid_uniq(PurchaseOrders::RequestId))
                    .col(uuid(PurchaseOrders::SupplierId))
                    .col(big_integer(PurchaseOrders::TotalCents))
                    .col(string_len(PurchaseOrders::Currency, 3))
                    .col(timestamp_with_time_zone(PurchaseOrders::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(PurchaseOrders::Table, PurchaseOrders::RequestId)
                            .to(PurchaseRequests::Table, PurchaseRequests::Id),
                    )
                    .to_owned(),
            )
            .await
    }
}
