//! `users`: A person who can sign in. Email is unique and stored lower-case; the TOTP secrets are sealed with a key derived from the master key.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub email: String,
    pub email_verified_at: Option<DateTimeUtc>,
    pub password_hash: String,
    pub password_changed_at: DateTimeUtc,
    pub locked_at: Option<DateTimeUtc>,
    pub totp_secret: Option<String>,
    pub totp_pending_secret: Option<String>,
    pub totp_enabled_at: Option<DateTimeUtc>,
    pub totp_last_step: Option<i64>,
    pub platform_role: String,
    /// The saved interface and mail language (`en`, `de`, `fr`, `tr`); `None`: the browser's.
    pub locale: Option<String>,
    /// The saved time zone (an IANA name); `None`: the workspace's.
    pub time_zone: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
