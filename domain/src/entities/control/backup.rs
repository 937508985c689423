//! `backups`: the catalogue of backups (OPS1), one row per backup of a workspace or of the control plane.
//! See `crate::backup`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "backups")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// `workspace` or `control`.
    pub scope: String,
    pub tenant_id: Option<Uuid>,
    /// `sqlite` or `postgres`.
    pub source: String,
    pub taken_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
    /// `running`, `verified` or `failed`.
    pub state: String,
    pub file_name: String,
    pub file_bytes: Option<i64>,
    pub file_sha256: Option<String>,
    pub snapshot_bytes: Option<i64>,
    pub snapshot_sha256: Option<String>,
    pub key_version: String,
    pub fingerprint: Option<String>,
    pub error: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
