//! A waiting request's requester changes their mind: edits it (title, supplier, lines) or withdraws it.
//! Both only while it is pending and only by its requester, each a conditional update (a decision that
//! came first wins) with its audit entry in the same transaction.

use super::super::Caller;
use super::super::audit::{self, Actor};
use super::requests::{Parsed, insert_lines, parse, request, visible_request};
use super::{RequestDetail, RequestInput, RequestStatus};
use crate::entities::tenant::{purchase_request, purchase_request_line};
use crate::error::{DomainError, DomainResult};
use chrono::Utc;
use model::{Conflict, Forbidden, Permission};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait as _, ConnectionTrait, EntityTrait as _, QueryFilter as _};
use serde_json::json;

/// The caller's own request, still pending (else why not).
async fn own_pending(caller: &Caller, id: uuid::Uuid) -> DomainResult<purchase_request::Model> {
    let (row, _) = visible_request(caller, id).await?;
    if row.requester_id != caller.user.as_uuid() {
        return Err(DomainError::Forbidden(Forbidden::MissingPermission));
    }
    if row.status != RequestStatus::Pending {
        return Err(DomainError::Conflict(Conflict::AlreadyDecided));
    }
    Ok(row)
}

/// Moves the caller's pending request to `status` if it is still pending (a decision may have won).
async fn leave_pending<C: ConnectionTrait>(
    conn: &C,
    caller: &Caller,
    id: uuid::Uuid,
    set: impl FnOnce(sea_orm::UpdateMany<purchase_request::Entity>) -> sea_orm::UpdateMany<purchase_request::Entity>,
) -> DomainResult<()> {
    let updated = set(purchase_request::Entity::update_many())
        .filter(purchase_request::Column::Id.eq(id))
        .filter(purchase_request::Column::RequesterId.eq(caller.user.as_uuid()))
        .filter(purchase_request::Column::Status.eq(RequestStatus::Pending))
        .exec(conn)
        .await?;
    if updated.rows_affected == 1 { Ok(()) } else { Err(DomainError::Conflict(Conflict::AlreadyDecided)) }
}

/// The requester withdraws their pending request: nobody can decide it any more (audited).
pub async fn withdraw(caller: &Caller, id: uuid::Uuid) -> DomainResult<RequestDetail> {
    let row = own_pending(caller, id).await?;
    let txn = crate::db::begin_write(&caller.db).await?;
    leave_pending(&txn, caller, id, |u| {
        u.col_expr(purchase_request::Column::Status, Expr::value(RequestStatus::Withdrawn))
            .col_expr(purchase_request::Column::DecidedAt, Expr::value(Some(Utc::now())))
    })
    .await?;
    audit::record(
        &txn,
        &Actor::from(caller),
        "request.withdrawn",
        "purchase_request",
        &id.to_string(),
        json!({ "number": row.number }),
    )
    .await?;
    txn.commit().await?;
    request(caller, id).await
}

/// The requester changes their pending request (title, supplier, lines); it keeps waiting for a
/// decision whatever its new total, and the audit entry keeps what it was before.
pub async fn edit(caller: &Caller, id: uuid::Uuid, input: &RequestInput) -> DomainResult<RequestDetail> {
    caller.require(Permission::RequestsCreate)?;
    let before = own_pending(caller, id).await?;
    let Parsed { title, supplier, lines, total } = parse(caller, input).await?;
    let txn = crate::db::begin_write(&caller.db).await?;
    leave_pending(&txn, caller, id, |u| {
        u.col_expr(purchase_request::Column::Title, Expr::value(title.clone()))
            .col_expr(purchase_request::Column::SupplierId, Expr::value(supplier.id))
            .col_expr(purchase_request::Column::TotalCents, Expr::value(total.0))
    })
    .await?;
    purchase_request_line::Entity::delete_many()
        .filter(purchase_request_line::Column::RequestId.eq(id))
        .exec(&txn)
        .await?;
    insert_lines(&txn, id, &lines).await?;
    audit::record(
        &txn,
        &Actor::from(caller),
        "request.edited",
        "purchase_request",
        &id.to_string(),
        json!({
            "number": before.number,
            "before": { "title": before.title, "supplier": before.supplier_id, "total_cents": before.total_cents },
            "after": { "title": title, "supplier": supplier.id, "total_cents": total.0, "lines": lines.len() },
        }),
    )
    .await?;
    txn.commit().await?;
    request(caller, id).await
}
