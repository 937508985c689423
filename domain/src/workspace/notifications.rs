//! In-app notices (TN5: "approvers get an email and an in-app notice").

use super::Caller;
use crate::entities::tenant::notification;
use crate::error::DomainResult;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, ConnectionTrait, EntityTrait as _};
use sea_orm::{QueryFilter as _, QueryOrder as _, QuerySelect as _};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub id: uuid::Uuid,
    pub kind: String,
    pub text: String,
    pub link: String,
    pub created_at: DateTime<Utc>,
}

pub(crate) async fn notify<C: ConnectionTrait>(
    conn: &C,
    user: uuid::Uuid,
    kind: &str,
    text: &str,
    link: &str,
) -> DomainResult<()> {
    notification::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        user_id: Set(user),
        kind: Set(kind.to_owned()),
        text: Set(text.chars().take(500).collect()),
        link: Set(link.to_owned()),
        created_at: Set(Utc::now()),
        read_at: Set(None),
    }
    .insert(conn)
    .await?;
    Ok(())
}

/// The caller's unread notices, newest first.
pub async fn unread(caller: &Caller) -> DomainResult<Vec<Notice>> {
    Ok(notification::Entity::find()
        .filter(notification::Column::UserId.eq(caller.user.as_uuid()))
        .filter(notification::Column::ReadAt.is_null())
        .order_by_desc(notification::Column::Id)
        .limit(50)
        .all(&caller.db)
        .await?
        .into_iter()
        .map(|row| Notice { id: row.id, kind: row.kind, text: row.text, link: row.link, created_at: row.created_at })
        .collect())
}

/// Marks all of the caller's notices read.
pub async fn mark_all_read(caller: &Caller) -> DomainResult<()> {
    notification::Entity::update_many()
        .col_expr(notification::Column::ReadAt, Expr::value(Some(Utc::now())))
        .filter(notification::Column::UserId.eq(caller.user.as_uuid()))
        .filter(notification::Column::ReadAt.is_null())
        .exec(&caller.db)
        .await?;
    Ok(())
}
