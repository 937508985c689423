//! Purchase orders: made from an approved request (exactly one per request), listed newest first a page
//! at a time (keyset by order number) with the request numbers and supplier names of a whole page in one
//! query each.

use super::super::Caller;
use super::super::audit::{self, Actor};
use super::{Page, PageRequest, next_number};
use crate::entities::tenant::{purchase_order, purchase_request, supplier};
use crate::error::DomainResult;
use chrono::{DateTime, Utc};
use model::{Cents, Permission};
use sea_orm::{ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, ConnectionTrait, EntityTrait as _};
use sea_orm::{QueryFilter as _, QueryOrder as _, QuerySelect as _};
use serde_json::json;
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderInfo {
    pub id: uuid::Uuid,
    pub number: i64,
    pub request_id: uuid::Uuid,
    pub request_number: i64,
    pub supplier: String,
    pub total: Cents,
    pub currency: String,
    pub created_at: DateTime<Utc>,
}

pub(super) async fn create_order<C: ConnectionTrait + sea_orm::TransactionTrait>(
    conn: &C,
    actor: &Actor,
    request: uuid::Uuid,
    request_number: i64,
    supplier: uuid::Uuid,
    total: Cents,
    currency: &str,
) -> DomainResult<i64> {
    let number = next_number(conn, "purchase_order").await?;
    let id = uuid::Uuid::new_v4();
    purchase_order::ActiveModel {
        id: Set(id),
        number: Set(number),
        request_id: Set(request),
        supplier_id: Set(supplier),
        total_cents: Set(total.0),
        currency: Set(currency.to_owned()),
        created_at: Set(Utc::now()),
    }
    .insert(conn)
    .await?;
    audit::record(
        conn,
        actor,
        "order.created",
        "purchase_order",
        &id.to_string(),
        json!({ "number": number, "request_number": request_number, "total_cents": total.0 }),
    )
    .await?;
    Ok(number)
}

/// Supplier names by id, for a page of rows (one query).
pub(crate) async fn supplier_names<C: ConnectionTrait>(
    conn: &C,
    ids: impl IntoIterator<Item = uuid::Uuid>,
) -> DomainResult<HashMap<uuid::Uuid, String>> {
    let mut ids: Vec<uuid::Uuid> = ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(supplier::Entity::find()
        .filter(supplier::Column::Id.is_in(ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect())
}

/// A page of purchase orders, newest first (`orders.view`); 3 queries a page.
pub async fn orders(caller: &Caller, page: &PageRequest) -> DomainResult<Page<OrderInfo>> {
    caller.require(Permission::OrdersView)?;
    let size = page.size();
    let mut select = purchase_order::Entity::find().order_by_desc(purchase_order::Column::Number);
    if let Some(before) = page.number_cursor() {
        select = select.filter(purchase_order::Column::Number.lt(before));
    }
    let rows = select.limit(size + 1).all(&caller.db).await?;
    let (rows, next) = Page::<OrderInfo>::of(rows, size, |o| o.number.to_string());
    if rows.is_empty() {
        return Ok(Page { items: Vec::new(), next });
    }
    let request_numbers: HashMap<uuid::Uuid, i64> = purchase_request::Entity::find()
        .filter(purchase_request::Column::Id.is_in(rows.iter().map(|o| o.request_id)))
        .all(&caller.db)
        .await?
        .into_iter()
        .map(|r| (r.id, r.number))
        .collect();
    let suppliers = supplier_names(&caller.db, rows.iter().map(|o| o.supplier_id)).await?;
    let items = rows
        .into_iter()
        .map(|row| OrderInfo {
            id: row.id,
            number: row.number,
            request_id: row.request_id,
            request_number: request_numbers.get(&row.request_id).copied().unwrap_or_default(),
            supplier: suppliers.get(&row.supplier_id).cloned().unwrap_or_default(),
            total: Cents(row.total_cents),
            currency: row.currency,
            created_at: row.created_at,
        })
        .collect();
    Ok(Page { items, next })
}
