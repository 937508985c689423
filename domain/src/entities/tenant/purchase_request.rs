//! `purchase_requests`: Purchase requests; `status` is pending, approved, denied or withdrawn (a typed
//! enum: a value the code does not know fails to load instead of passing for "pending").

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "purchase_requests")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub number: i64,
    pub requester_id: Uuid,
    /// The address at submit time, kept for the record; mail and display use the account's current one.
    pub requester_email: String,
    pub supplier_id: Uuid,
    pub title: String,
    pub total_cents: i64,
    pub currency: String,
    pub status: RequestStatus,
    pub created_at: DateTimeUtc,
    pub decided_at: Option<DateTimeUtc>,
}

/// Where a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum RequestStatus {
    #[sea_orm(string_value = "pending")]
    Pending,
    #[sea_orm(string_value = "approved")]
    Approved,
    #[sea_orm(string_value = "denied")]
    Denied,
    #[sea_orm(string_value = "withdrawn")]
    Withdrawn,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
