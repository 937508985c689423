//! `audit_events`: Every change in the workspace: who, when, what object, which changes, from where;
//! hash-chained by `seq`, `prev_hash` and `hash` (see `crate::workspace::audit_chain`).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub at: DateTimeUtc,
    pub actor_user_id: Option<Uuid>,
    pub actor_email: String,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub changes: String,
    pub ip: Option<String>,
    pub request_id: Option<String>,
    /// Its place in the hash chain (`None` for entries written before the chain existed).
    pub seq: Option<i64>,
    /// `user`, `staff`, `api_token` or `system`.
    pub actor_kind: String,
    pub prev_hash: Option<String>,
    pub hash: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
