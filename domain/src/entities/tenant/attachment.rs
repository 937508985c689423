//! `attachments`: files on sales orders and purchase requests (DATA4). Only metadata lives here; the
//! bytes are AES-256-GCM ciphertext in the file store under `storage_name`, under data key
//! `key_version`. `filename` is the sanitised original name: shown, never used as a path.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "attachments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// `sales_order` or `purchase_request`.
    pub owner_type: String,
    pub owner_id: Uuid,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i64,
    #[sea_orm(unique)]
    pub storage_name: String,
    pub key_version: i32,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
