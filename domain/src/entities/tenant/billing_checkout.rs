//! `billing_checkouts`: each checkout a workspace started: what was asked (plan, period, amount,
//! currency) so the provider's answer can be checked against it, and how it ended.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "billing_checkouts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub provider: String,
    pub plan_key: String,
    pub interval: String,
    pub amount_cents: i64,
    pub currency: String,
    pub provider_ref: Option<String>,
    pub status: String,
    pub created_at: DateTimeUtc,
    pub settled_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
