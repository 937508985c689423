//! `workspace_keys`: one version of one workspace key (data or blind index), wrapped under a key derived
//! from the master key. Kept here, outside the workspace's database, so deleting these rows shreds every
//! copy of that workspace's encrypted data. See `crate::crypto::vault`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "workspace_keys")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub purpose: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub version: i32,
    pub wrapped: String,
    pub master_key_id: String,
    pub state: String,
    pub created_at: DateTimeUtc,
    pub activated_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
