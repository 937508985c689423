//! Purchasing, second step: the indexes its lists and look-ups need (foreign-key columns, the keyset
//! order of requests and orders), and the owner's choice of a fallback approver, who may decide a
//! request nobody else could (its requester being the only holder of `requests.approve`).

use crate::builders::index;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum PurchaseRequests {
    Table,
    RequesterId,
    Status,
}

#[derive(DeriveIden)]
enum PurchaseRequestLines {
    Table,
    RequestId,
}

#[derive(DeriveIden)]
enum ApprovalDecisions {
    Table,
    RequestId,
    ApproverId,
}

#[derive(DeriveIden)]
enum Suppliers {
    Table,
    Name,
    Id,
}

#[derive(DeriveIden)]
enum PurchasingSettings {
    Table,
    Id,
    FallbackApproverId,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(index("requests_by_requester", PurchaseRequests::Table, [PurchaseRequests::RequesterId]))
            .await?;
        manager.create_index(index("requests_by_status", PurchaseRequests::Table, [PurchaseRequests::Status])).await?;
        manager
            .create_index(index(
                "request_lines_by_request",
                PurchaseRequestLines::Table,
                [PurchaseRequestLines::RequestId],
            ))
            .await?;
        manager
            .create_index(index("decisions_by_request", ApprovalDecisions::Table, [ApprovalDecisions::RequestId]))
            .await?;
        manager
            .create_index(index("decisions_by_approver", ApprovalDecisions::Table, [ApprovalDecisions::ApproverId]))
            .await?;
        manager.create_index(index("suppliers_by_name", Suppliers::Table, [Suppliers::Name, Suppliers::Id])).await?;
        manager
            .create_table(
                Table::create()
                    .table(PurchasingSettings::Table)
                    .col(integer(PurchasingSettings::Id).primary_key())
                    .col(uuid_null(PurchasingSettings::FallbackApproverId))
                    .col(timestamp_with_time_zone(PurchasingSettings::UpdatedAt))
                    .to_owned(),
            )
            .await
    }
}
