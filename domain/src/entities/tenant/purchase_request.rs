//! `purchase_requests`: Purchase requests; `status` is pending, approved, denied.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "purchase_requests")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub number: i64,
    pub requester_id: Uuid,
    pub requester_email: String,
    pub supplier_id: Uuid,
    pub title: String,
    pub total_cents: i64,
    pub currency: String,
    pub status: String,
    pub created_at: DateTimeUtc,
    pub decided_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
