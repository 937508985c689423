//! `customers`: a workspace's own customers. Contact data other than the name is ciphertext under the
//! workspace's data key version `key_version`; `email_index` is the email's keyed blind index.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "customers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub number: i64,
    pub name: String,
    pub name_search: String,
    pub email_enc: Option<String>,
    pub email_index: Option<String>,
    pub phone_enc: Option<String>,
    pub address_enc: Option<String>,
    pub notes_enc: Option<String>,
    pub key_version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
