//! Revealing one masked value (DATA3): one field of one customer, by a holder of `contact.reveal`, with
//! a stated reason, at most [`REVEALS_PER_HOUR`] per member and hour, and one audit event each (who,
//! which field of which customer, why). The count is one atomic upsert in the workspace database, in
//! the same transaction as the audit event, so concurrent reveals cannot slip past the limit and a
//! reveal that was answered is always on the record.

use super::super::Caller;
use super::super::audit::{self, Actor};
use super::customers;
use super::mask::ContactField;
use super::optional_text;
use crate::entities::tenant::{customer, reveal_count};
use crate::error::{DomainError, DomainResult};
use chrono::{DateTime, DurationRound as _, Utc};
use model::{Field, Forbidden, Permission, ValidationError};
use sea_orm::sea_query::{Expr, ExprTrait as _, OnConflict};
use sea_orm::{ActiveValue::Set, EntityTrait as _};
use serde_json::json;

/// How many values one member may reveal per hour.
pub const REVEALS_PER_HOUR: i32 = 30;
/// A reason has at least this many characters.
pub const MIN_REASON_CHARS: usize = 5;

fn window(now: DateTime<Utc>) -> DateTime<Utc> {
    now.duration_trunc(chrono::Duration::hours(1)).unwrap_or(now)
}

/// The clear value of `field` of customer `id` (`None` when it is empty).
pub async fn reveal(
    caller: &Caller,
    id: uuid::Uuid,
    field: ContactField,
    reason: &str,
) -> DomainResult<Option<String>> {
    caller.require(Permission::ContactReveal)?;
    let reason =
        optional_text(reason, Field::Reason, 500, false)?.ok_or(ValidationError::Required { field: Field::Reason })?;
    if reason.chars().count() < MIN_REASON_CHARS {
        return Err(ValidationError::TooShort { field: Field::Reason, min: MIN_REASON_CHARS }.into());
    }
    let keys = caller.field_keys().await?;
    let txn = crate::db::begin_write(&caller.db).await?;
    let row = customer::Entity::find_by_id(id).one(&txn).await?.ok_or(DomainError::NotFound)?;
    let counted = reveal_count::Entity::insert(reveal_count::ActiveModel {
        user_id: Set(caller.user.as_uuid()),
        window_start: Set(window(Utc::now())),
        count: Set(1),
    })
    .on_conflict(
        OnConflict::columns([reveal_count::Column::UserId, reveal_count::Column::WindowStart])
            .value(reveal_count::Column::Count, Expr::col((reveal_count::Entity, reveal_count::Column::Count)).add(1))
            .to_owned(),
    )
    .exec_with_returning(&txn)
    .await?;
    if counted.count > REVEALS_PER_HOUR {
        txn.rollback().await?;
        return Err(DomainError::Forbidden(Forbidden::RevealLimitReached));
    }
    let contact = customers::decrypt(&keys, &row)?;
    let value = match field {
        ContactField::Email => contact.email,
        ContactField::Phone => contact.phone,
        ContactField::Address => contact.address,
    };
    audit::record(
        &txn,
        &Actor::from(caller),
        "customer.revealed",
        "customer",
        &id.to_string(),
        json!({ "field": field.as_str(), "reason": reason, "customer_number": row.number }),
    )
    .await?;
    txn.commit().await?;
    Ok(value)
}
