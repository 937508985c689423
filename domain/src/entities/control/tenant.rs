//! The tenant registry (`tenants`): one row per workspace, saying where its database lives.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tenants")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub slug: String,
    pub name: String,
    pub status: TenantStatus,
    pub db_backend: String,
    #[sea_orm(unique)]
    pub db_name: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub created_by: Option<Uuid>,
}

/// A workspace is `provisioning` from its registry row until its database is migrated, then `active`,
/// and `deleted` once its owner deleted it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum TenantStatus {
    #[sea_orm(string_value = "provisioning")]
    Provisioning,
    #[sea_orm(string_value = "active")]
    Active,
    /// Deleted by its owner: its keys are destroyed (crypto-shredded) and its database dropped; the row
    /// stays so that its address and id are never reused.
    #[sea_orm(string_value = "deleted")]
    Deleted,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
