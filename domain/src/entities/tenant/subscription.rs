//! `subscription`: the workspace's one subscription row (id `current`); absent until billing first
//! changes anything (the workspace is then on the free plan).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "subscription")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub plan_key: String,
    pub interval: Option<String>,
    pub status: String,
    pub provider: Option<String>,
    pub customer_ref: Option<String>,
    pub subscription_ref: Option<String>,
    pub current_period_end: Option<DateTimeUtc>,
    pub cancel_at_period_end: bool,
    pub trial_ends_at: Option<DateTimeUtc>,
    pub trial_used: bool,
    pub past_due_since: Option<DateTimeUtc>,
    pub card_brand: Option<String>,
    pub card_last4: Option<String>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
