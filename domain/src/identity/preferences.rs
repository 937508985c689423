//! A user's saved preferences: the language of the interface and of their mail, and their time zone (UX3).

use super::Identity;
use crate::entities::control::user;
use crate::error::{DomainError, DomainResult};
use crate::ids::UserId;
use crate::mail::Language;
use model::EmailAddress;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait as _, ConnectionTrait, EntityTrait as _, QueryFilter as _, QuerySelect as _};

impl Identity {
    /// Saves `user`'s language (`None`: follow the browser). Only our languages are stored.
    #[tracing::instrument(skip(self))]
    pub async fn set_language(&self, user: UserId, language: Option<&str>) -> DomainResult<()> {
        let stored = match language {
            Some(tag) => Some(Language::parse(tag).ok_or(DomainError::NotFound)?.as_str()),
            None => None,
        };
        user::Entity::update_many()
            .col_expr(user::Column::Locale, Expr::value(stored))
            .filter(user::Column::Id.eq(user.as_uuid()))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// `user`'s saved language, if they chose one.
    pub async fn language_of(&self, user: UserId) -> DomainResult<Option<String>> {
        let row: Option<Option<String>> = user::Entity::find_by_id(user.as_uuid())
            .select_only()
            .column(user::Column::Locale)
            .into_tuple()
            .one(&self.db)
            .await?;
        Ok(row.flatten().and_then(|tag| Language::parse(&tag)).map(|l| l.as_str().to_owned()))
    }
}

impl Identity {
    /// Saves `user`'s time zone (`None`: follow the workspace's).
    #[tracing::instrument(skip(self))]
    pub async fn set_time_zone(&self, user: UserId, zone: Option<crate::zones::Zone>) -> DomainResult<()> {
        user::Entity::update_many()
            .col_expr(user::Column::TimeZone, Expr::value(zone.map(|zone| zone.name())))
            .filter(user::Column::Id.eq(user.as_uuid()))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// `user`'s saved time zone, if they chose one (a name the database no longer knows counts as none).
    pub async fn time_zone_of(&self, user: UserId) -> DomainResult<Option<crate::zones::Zone>> {
        let row: Option<Option<String>> = user::Entity::find_by_id(user.as_uuid())
            .select_only()
            .column(user::Column::TimeZone)
            .into_tuple()
            .one(&self.db)
            .await?;
        Ok(row.flatten().as_deref().and_then(crate::zones::Zone::parse))
    }
}

/// The language to write to the owner of `row` in: their saved language, else `fallback`.
pub(crate) fn account_language(row: &user::Model, fallback: Language) -> Language {
    row.locale.as_deref().and_then(Language::parse).unwrap_or(fallback)
}

/// The language to write to `address` in: its account's saved language, else `fallback` (the language
/// of the request that caused the mail).
pub(crate) async fn mail_language<C: ConnectionTrait>(
    conn: &C,
    address: &EmailAddress,
    fallback: Language,
) -> DomainResult<Language> {
    let row: Option<Option<String>> = user::Entity::find()
        .select_only()
        .column(user::Column::Locale)
        .filter(user::Column::Email.eq(address.to_string()))
        .into_tuple()
        .one(conn)
        .await?;
    Ok(row.flatten().as_deref().and_then(Language::parse).unwrap_or(fallback))
}
