//! `approval_decisions`: Each approve or deny decision on a request, with its comment. `approver_id` is
//! nil for the automatic approval at or below the threshold.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "approval_decisions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub request_id: Uuid,
    pub approver_id: Uuid,
    pub approver_email: String,
    pub decision: Decision,
    pub comment: String,
    pub at: DateTimeUtc,
}

/// An approver's verdict (a value the code does not know fails to load).
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(8))")]
pub enum Decision {
    #[sea_orm(string_value = "approve")]
    Approve,
    #[sea_orm(string_value = "deny")]
    Deny,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
