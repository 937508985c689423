//! One list of orders: sales orders (`sales.view`) and the purchase orders approvals made
//! (`orders.view`), each row with its type. Searched by order number or customer/supplier name, filtered
//! by type, status, date range and amount, sorted by date or amount, and paged by keyset: the cursor is
//! the last row's sort key, type and number, so a page costs the same wherever it is (at most two
//! queries per type: the rows, and the names of their customers or suppliers).

use super::super::Caller;
use super::OrderStatus;
use super::customers;
use crate::entities::tenant::{customer, purchase_order, sales_order, supplier};
use crate::error::{DomainError, DomainResult};
use crate::workspace::purchasing::{Page, PageRequest};
use chrono::{DateTime, Utc};
use model::{Cents, Forbidden, Permission};
use sea_orm::sea_query::{Condition, Expr, ExprTrait as _, Func, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait as _, QueryFilter, QueryOrder as _, QuerySelect as _};
use std::cmp::Ordering;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum OrderKind {
    Sales,
    Purchase,
}

impl OrderKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sales => "sales",
            Self::Purchase => "purchase",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [Self::Sales, Self::Purchase].into_iter().find(|k| k.as_str() == value.trim())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    #[default]
    Newest,
    Oldest,
    AmountDesc,
    AmountAsc,
}

impl Sort {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Newest => "newest",
            Self::Oldest => "oldest",
            Self::AmountDesc => "amount_desc",
            Self::AmountAsc => "amount_asc",
        }
    }

    /// An unknown sort is the default one.
    pub fn parse(value: &str) -> Self {
        [Self::Newest, Self::Oldest, Self::AmountDesc, Self::AmountAsc]
            .into_iter()
            .find(|s| s.as_str() == value.trim())
            .unwrap_or_default()
    }

    fn descending(self) -> bool {
        matches!(self, Self::Newest | Self::AmountDesc)
    }

    fn by_amount(self) -> bool {
        matches!(self, Self::AmountDesc | Self::AmountAsc)
    }
}

#[derive(Debug, Clone, Default)]
pub struct OrderFilter {
    /// An order number, or part of the customer's or supplier's name.
    pub q: Option<String>,
    pub kind: Option<OrderKind>,
    /// Sales orders only (purchase orders have no such life cycle).
    pub status: Option<OrderStatus>,
    pub from: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub min: Option<Cents>,
    pub max: Option<Cents>,
    pub sort: Sort,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderRow {
    pub kind: OrderKind,
    pub id: uuid::Uuid,
    pub number: i64,
    /// The customer (sales) or supplier (purchase).
    pub counterparty: String,
    /// `None` for purchase orders.
    pub status: Option<OrderStatus>,
    pub total: Cents,
    pub currency: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
enum Key {
    Time(DateTime<Utc>),
    Amount(i64),
}

impl Key {
    fn of(row: &OrderRow, sort: Sort) -> Self {
        if sort.by_amount() { Self::Amount(row.total.0) } else { Self::Time(row.created_at) }
    }

    fn value(&self) -> sea_orm::Value {
        match self {
            Self::Time(t) => (*t).into(),
            Self::Amount(a) => (*a).into(),
        }
    }

    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Self::Time(a), Self::Time(b)) => a.cmp(b),
            (Self::Amount(a), Self::Amount(b)) => a.cmp(b),
            _ => Ordering::Equal,
        }
    }
}

/// Where the previous page ended.
#[derive(Debug, Clone, PartialEq)]
struct Cursor {
    key: Key,
    kind: OrderKind,
    number: i64,
}

impl Cursor {
    fn of(row: &OrderRow, sort: Sort) -> String {
        let key = match Key::of(row, sort) {
            Key::Time(t) => t.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true),
            Key::Amount(a) => a.to_string(),
        };
        format!("{key}~{}~{}", row.kind.as_str(), row.number)
    }

    /// A cursor that does not parse (or belongs to another sort) is the first page's.
    fn parse(text: &str, sort: Sort) -> Option<Self> {
        let mut parts = text.trim().split('~');
        let (key, kind, number) = (parts.next()?, parts.next()?, parts.next()?);
        let key = if sort.by_amount() {
            Key::Amount(key.parse().ok()?)
        } else {
            Key::Time(DateTime::parse_from_rfc3339(key).ok()?.with_timezone(&Utc))
        };
        Some(Self { key, kind: OrderKind::parse(kind)?, number: number.parse().ok()? })
    }

    /// Rows of table `kind` strictly after this cursor in the sort order `(key, kind, number)`.
    fn after(&self, kind: OrderKind, key: impl ColumnTrait, number: impl ColumnTrait, descending: bool) -> Condition {
        let k = self.key.value();
        let key_beyond = if descending { key.lt(k.clone()) } else { key.gt(k.clone()) };
        let key_reached = if descending { key.lte(k.clone()) } else { key.gte(k.clone()) };
        let kind_first = if descending { kind < self.kind } else { kind > self.kind };
        match kind.cmp(&self.kind) {
            Ordering::Equal => {
                Condition::any().add(key_beyond).add(Condition::all().add(key.eq(k.clone())).add(if descending {
                    number.lt(self.number)
                } else {
                    number.gt(self.number)
                }))
            }
            _ if kind_first => Condition::all().add(key_reached),
            _ => Condition::all().add(key_beyond),
        }
    }
}

fn number_query(q: &str) -> Option<i64> {
    q.trim().trim_start_matches('#').parse().ok()
}

/// A page of orders the caller may see, by the filter and sort.
pub async fn list(caller: &Caller, filter: &OrderFilter, page: &PageRequest) -> DomainResult<Page<OrderRow>> {
    let sales = caller.can(Permission::SalesView) && filter.kind != Some(OrderKind::Purchase);
    let purchase =
        caller.can(Permission::OrdersView) && filter.kind != Some(OrderKind::Sales) && filter.status.is_none();
    if !caller.can(Permission::SalesView) && !caller.can(Permission::OrdersView) {
        return Err(DomainError::Forbidden(Forbidden::MissingPermission));
    }
    let size = page.size();
    let cursor = page.after.as_deref().and_then(|c| Cursor::parse(c, filter.sort));
    let mut rows = Vec::new();
    if sales {
        rows.extend(sales_rows(&caller.db, filter, cursor.as_ref(), size + 1).await?);
    }
    if purchase {
        rows.extend(purchase_rows(&caller.db, filter, cursor.as_ref(), size + 1).await?);
    }
    let sort = filter.sort;
    rows.sort_by(|a, b| {
        let order = Key::of(a, sort).cmp(&Key::of(b, sort)).then(a.kind.cmp(&b.kind)).then(a.number.cmp(&b.number));
        if sort.descending() { order.reverse() } else { order }
    });
    let (items, next) = Page::<OrderRow>::of(rows, size, |r| Cursor::of(r, sort));
    Ok(Page { items, next })
}

async fn sales_rows<C: ConnectionTrait>(
    db: &C,
    filter: &OrderFilter,
    cursor: Option<&Cursor>,
    limit: u64,
) -> DomainResult<Vec<OrderRow>> {
    use sales_order::Column as C;
    let mut select = sales_order::Entity::find();
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let named = Query::select()
            .column(customer::Column::Id)
            .from(customer::Entity)
            .and_where(customer::Column::NameSearch.contains(q.to_lowercase()))
            .to_owned();
        let mut any = Condition::any().add(C::CustomerId.in_subquery(named));
        if let Some(number) = number_query(q) {
            any = any.add(C::Number.eq(number));
        }
        select = select.filter(any);
    }
    if let Some(status) = filter.status {
        select = select.filter(C::Status.eq(status));
    }
    select = filter_common(select, filter, C::CreatedAt, C::TotalCents);
    let key = if filter.sort.by_amount() { C::TotalCents } else { C::CreatedAt };
    if let Some(cursor) = cursor {
        select = select.filter(cursor.after(OrderKind::Sales, key, C::Number, filter.sort.descending()));
    }
    let rows = if filter.sort.descending() {
        select.order_by_desc(key).order_by_desc(C::Number)
    } else {
        select.order_by_asc(key).order_by_asc(C::Number)
    }
    .limit(limit)
    .all(db)
    .await?;
    let names = customers::names(db, rows.iter().map(|r| r.customer_id)).await?;
    Ok(rows
        .into_iter()
        .map(|r| OrderRow {
            kind: OrderKind::Sales,
            id: r.id,
            number: r.number,
            counterparty: names.get(&r.customer_id).cloned().unwrap_or_default(),
            status: Some(r.status),
            total: Cents(r.total_cents),
            currency: r.currency,
            created_at: r.created_at,
        })
        .collect())
}

async fn purchase_rows<C: ConnectionTrait>(
    db: &C,
    filter: &OrderFilter,
    cursor: Option<&Cursor>,
    limit: u64,
) -> DomainResult<Vec<OrderRow>> {
    use purchase_order::Column as C;
    let mut select = purchase_order::Entity::find();
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let named = Query::select()
            .column(supplier::Column::Id)
            .from(supplier::Entity)
            .and_where(
                Expr::expr(Func::lower(Expr::col(supplier::Column::Name))).like(format!("%{}%", q.to_lowercase())),
            )
            .to_owned();
        let mut any = Condition::any().add(C::SupplierId.in_subquery(named));
        if let Some(number) = number_query(q) {
            any = any.add(C::Number.eq(number));
        }
        select = select.filter(any);
    }
    select = filter_common(select, filter, C::CreatedAt, C::TotalCents);
    let key = if filter.sort.by_amount() { C::TotalCents } else { C::CreatedAt };
    if let Some(cursor) = cursor {
        select = select.filter(cursor.after(OrderKind::Purchase, key, C::Number, filter.sort.descending()));
    }
    let rows = if filter.sort.descending() {
        select.order_by_desc(key).order_by_desc(C::Number)
    } else {
        select.order_by_asc(key).order_by_asc(C::Number)
    }
    .limit(limit)
    .all(db)
    .await?;
    let names = crate::workspace::purchasing::supplier_names(db, rows.iter().map(|r| r.supplier_id)).await?;
    Ok(rows
        .into_iter()
        .map(|r| OrderRow {
            kind: OrderKind::Purchase,
            id: r.id,
            number: r.number,
            counterparty: names.get(&r.supplier_id).cloned().unwrap_or_default(),
            status: None,
            total: Cents(r.total_cents),
            currency: r.currency,
            created_at: r.created_at,
        })
        .collect())
}

fn filter_common<S: QueryFilter>(
    mut select: S,
    filter: &OrderFilter,
    at: impl ColumnTrait,
    total: impl ColumnTrait,
) -> S {
    if let Some(from) = filter.from {
        select = select.filter(at.gte(from));
    }
    if let Some(until) = filter.until {
        select = select.filter(at.lt(until));
    }
    if let Some(min) = filter.min {
        select = select.filter(total.gte(min.0));
    }
    if let Some(max) = filter.max {
        select = select.filter(total.lte(max.0));
    }
    select
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_belong_to_their_sort() {
        let row = OrderRow {
            kind: OrderKind::Purchase,
            id: uuid::Uuid::nil(),
            number: 7,
            counterparty: String::new(),
            status: None,
            total: Cents(1250),
            currency: "EUR".into(),
            created_at: Utc::now(),
        };
        let text = Cursor::of(&row, Sort::Newest);
        let parsed = Cursor::parse(&text, Sort::Newest).unwrap();
        assert_eq!(parsed, Cursor { key: Key::Time(row.created_at), kind: OrderKind::Purchase, number: 7 });
        let by_amount = Cursor::parse(&Cursor::of(&row, Sort::AmountAsc), Sort::AmountAsc).unwrap();
        assert_eq!(by_amount.key, Key::Amount(1250));
        assert_eq!(Cursor::parse(&text, Sort::AmountAsc), None, "a cursor of another sort starts over");
        assert_eq!(Cursor::parse("garbage", Sort::Newest), None);
    }
}
