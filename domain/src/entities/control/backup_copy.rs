//! `backup_copies`: which target holds a verified copy of which backup (OPS1). See `crate::backup`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "backup_copies")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub backup_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub target: String,
    /// `verified` (read back and hashed after writing) or `deleted` (pruned).
    pub state: String,
    pub bytes: i64,
    pub verified_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
