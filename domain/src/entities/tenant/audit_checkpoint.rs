//! `audit_checkpoints`: what a retention purge removed from the start of the audit chain: up to which
//! entry, that entry's hash, and a signature under a key derived from the master key, so the remaining
//! chain still verifies and nobody with only database access can fake a purge to hide deletions.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_checkpoints")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub upto_seq: i64,
    pub upto_hash: String,
    pub purged: i64,
    pub created_at: DateTimeUtc,
    pub signature: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
