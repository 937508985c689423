//! A backup opened beside live (OPS2): what an administrator browses to find what was there at the
//! backup's moment (a deleted customer, an order as it stood) without touching live data.
//!
//! The copy is the backup restored into a database of its own, read-only (a SQLite file opened
//! `mode=ro`, or a PostgreSQL database whose transactions are read-only by default), brought to the
//! current schema so that the same entities read it. Its lists show what identifies a record (numbers,
//! names, statuses, amounts); sealed fields stay sealed, as contact details do in live lists. Each list
//! shows the first [`SHOWN`] rows in number order, with the total.

use crate::entities::tenant::{customer, purchase_request, sales_order, supplier};
use crate::error::DomainResult;
use chrono::{DateTime, Utc};
use sea_orm::PaginatorTrait as _;
use sea_orm::{ColumnTrait as _, DatabaseConnection, EntityTrait, QueryFilter as _, QueryOrder as _, QuerySelect as _};
use std::collections::HashMap;

/// Rows shown per list.
pub const SHOWN: u64 = 100;

/// The first rows of a list and how many there are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing<T> {
    pub rows: Vec<T>,
    pub total: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyOrder {
    pub number: i64,
    pub customer: String,
    pub status: sales_order::OrderStatus,
    pub total_cents: i64,
    pub currency: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyCustomer {
    pub number: i64,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyRequest {
    pub number: i64,
    pub title: String,
    pub requester: String,
    pub supplier: String,
    pub status: purchase_request::RequestStatus,
    pub total_cents: i64,
    pub currency: String,
    pub created_at: DateTime<Utc>,
}

/// What the copy holds, as its page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyContents {
    pub orders: Listing<CopyOrder>,
    pub customers: Listing<CopyCustomer>,
    pub suppliers: Listing<String>,
    pub requests: Listing<CopyRequest>,
}

/// Reads the lists of the copy at `url` (read-only).
#[tracing::instrument(skip_all)]
pub async fn read(url: &str) -> DomainResult<CopyContents> {
    let db = sea_orm::Database::connect(url).await?;
    let contents = read_from(&db).await;
    db.close().await?;
    contents
}

async fn read_from(db: &DatabaseConnection) -> DomainResult<CopyContents> {
    let customers = customer::Entity::find().order_by_asc(customer::Column::Number).limit(SHOWN).all(db).await?;
    let customer_total = customer::Entity::find().count(db).await?;
    let orders = sales_order::Entity::find().order_by_asc(sales_order::Column::Number).limit(SHOWN).all(db).await?;
    let order_total = sales_order::Entity::find().count(db).await?;
    // An order's customer may be past the first rows shown: look every shown order's customer up.
    let names: HashMap<uuid::Uuid, String> = customer::Entity::find()
        .filter(customer::Column::Id.is_in(orders.iter().map(|o| o.customer_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    let suppliers = supplier::Entity::find().order_by_asc(supplier::Column::Name).all(db).await?;
    let supplier_names: HashMap<uuid::Uuid, String> = suppliers.iter().map(|s| (s.id, s.name.clone())).collect();
    let requests =
        purchase_request::Entity::find().order_by_asc(purchase_request::Column::Number).limit(SHOWN).all(db).await?;
    let request_total = purchase_request::Entity::find().count(db).await?;
    Ok(CopyContents {
        orders: Listing {
            rows: orders
                .into_iter()
                .map(|o| CopyOrder {
                    number: o.number,
                    customer: names.get(&o.customer_id).cloned().unwrap_or_default(),
                    status: o.status,
                    total_cents: o.total_cents,
                    currency: o.currency,
                    created_at: o.created_at,
                })
                .collect(),
            total: order_total,
        },
        customers: Listing {
            rows: customers
                .into_iter()
                .map(|c| CopyCustomer { number: c.number, name: c.name, created_at: c.created_at })
                .collect(),
            total: customer_total,
        },
        requests: Listing {
            rows: requests
                .into_iter()
                .map(|r| CopyRequest {
                    number: r.number,
                    title: r.title,
                    requester: r.requester_email,
                    supplier: supplier_names.get(&r.supplier_id).cloned().unwrap_or_default(),
                    status: r.status,
                    total_cents: r.total_cents,
                    currency: r.currency,
                    created_at: r.created_at,
                })
                .collect(),
            total: request_total,
        },
        suppliers: Listing {
            total: suppliers.len() as u64,
            rows: suppliers.into_iter().take(SHOWN as usize).map(|s| s.name).collect(),
        },
    })
}
