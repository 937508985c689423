//! Suppliers: listed by name a page at a time (keyset by name then id), added by `suppliers.manage`.

use super::super::Caller;
use super::super::audit::{self, Actor};
use super::{Page, PageRequest, bounded_text};
use crate::entities::tenant::supplier;
use crate::error::DomainResult;
use chrono::Utc;
use model::{EmailAddress, Field, Permission};
use sea_orm::sea_query::Condition;
use sea_orm::{ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, EntityTrait as _};
use sea_orm::{QueryFilter as _, QueryOrder as _, QuerySelect as _};
use serde_json::json;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupplierInfo {
    pub id: uuid::Uuid,
    pub name: String,
    pub email: Option<String>,
}

/// A page of suppliers by name. The cursor is the last supplier's id (2 queries a page at most).
pub async fn suppliers(caller: &Caller, page: &PageRequest) -> DomainResult<Page<SupplierInfo>> {
    caller.require(Permission::SuppliersView)?;
    let size = page.size();
    let mut select = supplier::Entity::find().order_by_asc(supplier::Column::Name).order_by_asc(supplier::Column::Id);
    let after = page.after.as_deref().and_then(|a| uuid::Uuid::parse_str(a.trim()).ok());
    if let Some(last) = after
        && let Some(last) = supplier::Entity::find_by_id(last).one(&caller.db).await?
    {
        select = select.filter(
            Condition::any()
                .add(supplier::Column::Name.gt(last.name.clone()))
                .add(Condition::all().add(supplier::Column::Name.eq(last.name)).add(supplier::Column::Id.gt(last.id))),
        );
    }
    let rows = select.limit(size + 1).all(&caller.db).await?;
    let (rows, next) = Page::<SupplierInfo>::of(rows, size, |s| s.id.to_string());
    Ok(Page {
        items: rows.into_iter().map(|s| SupplierInfo { id: s.id, name: s.name, email: s.email }).collect(),
        next,
    })
}

pub async fn add_supplier(caller: &Caller, name: &str, email: &str) -> DomainResult<SupplierInfo> {
    caller.require(Permission::SuppliersManage)?;
    let name = bounded_text(name, Field::SupplierName, 2, 120)?;
    let email = match email.trim() {
        "" => None,
        other => Some(EmailAddress::parse(other)?.to_string()),
    };
    let id = uuid::Uuid::new_v4();
    let txn = crate::db::begin_write(&caller.db).await?;
    supplier::ActiveModel {
        id: Set(id),
        name: Set(name.clone()),
        email: Set(email.clone()),
        created_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        &Actor::from(caller),
        "supplier.created",
        "supplier",
        &id.to_string(),
        json!({ "name": name, "email": email }),
    )
    .await?;
    txn.commit().await?;
    Ok(SupplierInfo { id, name, email })
}
