//! `jobs`: one row per scheduled background job: when it is next due, who holds its lease (and until
//! when), and how its last run went. See `crate::jobs`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "jobs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub name: String,
    pub due_at: DateTimeUtc,
    pub lease_until: Option<DateTimeUtc>,
    pub leased_by: Option<String>,
    pub last_started_at: Option<DateTimeUtc>,
    pub last_finished_at: Option<DateTimeUtc>,
    pub last_error: Option<String>,
    pub runs: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
