//! `workspace_policies`: each workspace's security and purchasing policies (one row per workspace).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "workspace_policies")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    pub min_password_chars: i32,
    pub two_factor: String,
    pub session_idle_secs: Option<i32>,
    pub session_absolute_secs: Option<i32>,
    pub login_failures: Option<i32>,
    pub admin_ip_allowlist: String,
    pub approval_threshold_cents: i64,
    pub currency: String,
    /// The workspace's time zone (an IANA name), for members who chose none.
    pub time_zone: String,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
