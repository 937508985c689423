//! Sales orders: created as drafts for an existing customer by `sales.manage`, with line items and a
//! total in integer cents; moved through the life cycle by a conditional update (two people clicking at
//! once cannot both move it); read by `sales.view` with the customer's contact data masked.

use super::super::Caller;
use super::super::audit::{self, Actor};
use super::OrderStatus;
use super::columns::NOTES;
use super::customers::{self, CustomerInfo};
use super::{optional_text, order_field};
use crate::entities::tenant::{customer, sales_order, sales_order_line};
use crate::error::{DomainError, DomainResult};
use crate::workspace::purchasing::{LineInfo, LineInput, next_number, parse_lines};
use chrono::{DateTime, Utc};
use model::{Cents, Conflict, Field, Permission, ValidationError};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, EntityTrait as _};
use sea_orm::{QueryFilter as _, QueryOrder as _};
use serde_json::json;

/// An order as typed.
#[derive(Debug, Clone, Default)]
pub struct OrderInput {
    pub customer: String,
    pub notes: String,
    pub lines: Vec<LineInput>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderDetail {
    pub id: uuid::Uuid,
    pub number: i64,
    pub status: OrderStatus,
    pub customer: CustomerInfo,
    pub lines: Vec<LineInfo>,
    pub total: Cents,
    pub currency: String,
    pub notes: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub async fn create(caller: &Caller, input: &OrderInput) -> DomainResult<OrderDetail> {
    caller.require(Permission::SalesManage)?;
    let customer_id = uuid::Uuid::parse_str(input.customer.trim())
        .map_err(|_| ValidationError::Required { field: Field::Customer })?;
    let (lines, total) = parse_lines(&input.lines)?;
    let notes = optional_text(&input.notes, Field::Notes, 2000, true)?;
    let (_, currency) = super::super::policies::purchasing(caller).await?;
    let keys = caller.field_keys().await?;
    let id = uuid::Uuid::new_v4();
    let now = Utc::now();
    let txn = crate::db::begin_write(&caller.db).await?;
    customer::Entity::find_by_id(customer_id)
        .one(&txn)
        .await?
        .ok_or(ValidationError::Required { field: Field::Customer })?;
    let number = next_number(&txn, "sales_order").await?;
    sales_order::ActiveModel {
        id: Set(id),
        number: Set(number),
        customer_id: Set(customer_id),
        status: Set(OrderStatus::Draft),
        currency: Set(currency.clone()),
        total_cents: Set(total.0),
        notes_enc: Set(keys.encrypt_opt(order_field(NOTES, &id), notes.as_deref())),
        key_version: Set(keys.current_version()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    let rows = lines.iter().enumerate().map(|(position, line)| sales_order_line::ActiveModel {
        id: Set(uuid::Uuid::new_v4()),
        order_id: Set(id),
        position: Set(position as i32),
        description: Set(line.description.clone()),
        quantity: Set(line.quantity),
        unit_price_cents: Set(line.unit_price.0),
        line_total_cents: Set(line.total.0),
    });
    sales_order_line::Entity::insert_many(rows).exec(&txn).await?;
    audit::record(
        &txn,
        &Actor::from(caller),
        "sales_order.created",
        "sales_order",
        &id.to_string(),
        json!({ "number": number, "customer": customer_id, "total_cents": total.0, "lines": lines.len(),
                "status": { "after": OrderStatus::Draft.as_str() } }),
    )
    .await?;
    txn.commit().await?;
    detail(caller, id).await
}

/// Moves an order to `to`, if its life cycle allows it from where it is now.
pub async fn set_status(caller: &Caller, id: uuid::Uuid, to: OrderStatus) -> DomainResult<OrderDetail> {
    caller.require(Permission::SalesManage)?;
    let txn = crate::db::begin_write(&caller.db).await?;
    let row = sales_order::Entity::find_by_id(id).one(&txn).await?.ok_or(DomainError::NotFound)?;
    if !row.status.next().contains(&to) {
        return Err(DomainError::Conflict(Conflict::OrderStatusChange));
    }
    let moved = sales_order::Entity::update_many()
        .col_expr(sales_order::Column::Status, Expr::value(to))
        .col_expr(sales_order::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(sales_order::Column::Id.eq(id))
        .filter(sales_order::Column::Status.eq(row.status))
        .exec(&txn)
        .await?;
    if moved.rows_affected != 1 {
        return Err(DomainError::Conflict(Conflict::OrderStatusChange));
    }
    audit::record(
        &txn,
        &Actor::from(caller),
        "sales_order.status_changed",
        "sales_order",
        &id.to_string(),
        json!({ "number": row.number, "status": { "before": row.status.as_str(), "after": to.as_str() } }),
    )
    .await?;
    txn.commit().await?;
    detail(caller, id).await
}

/// One order with its lines and its customer (contact data masked).
pub async fn detail(caller: &Caller, id: uuid::Uuid) -> DomainResult<OrderDetail> {
    caller.require(Permission::SalesView)?;
    let row = sales_order::Entity::find_by_id(id).one(&caller.db).await?.ok_or(DomainError::NotFound)?;
    let customer = customer::Entity::find_by_id(row.customer_id).one(&caller.db).await?.ok_or(DomainError::NotFound)?;
    let keys = caller.field_keys().await?;
    let lines = sales_order_line::Entity::find()
        .filter(sales_order_line::Column::OrderId.eq(id))
        .order_by_asc(sales_order_line::Column::Position)
        .all(&caller.db)
        .await?
        .into_iter()
        .map(|l| LineInfo {
            description: l.description,
            quantity: l.quantity,
            unit_price: Cents(l.unit_price_cents),
            total: Cents(l.line_total_cents),
        })
        .collect();
    Ok(OrderDetail {
        id,
        number: row.number,
        status: row.status,
        customer: customers::masked(&keys, customer)?,
        lines,
        total: Cents(row.total_cents),
        currency: row.currency,
        notes: keys.decrypt_opt(order_field(NOTES, &id), row.notes_enc.as_deref())?,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}
