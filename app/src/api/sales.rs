//! Sales server functions: customers, sales orders, the combined order list, revealing one masked value,
//! and the data key. Each enters the workspace as the verified caller; the domain decides, masks and
//! audits. No answer here carries clear contact data except [`reveal_contact`]'s one value.
// Server functions take their form fields as arguments; the `#[server]` macro also generates the
// browser-side stub, where an attribute on the function does not reach, hence the module-wide allow.
#![allow(clippy::too_many_arguments)]

use crate::dto::{
    CustomerDto, CustomerPageDto, KeyStatusDto, LineForm, ListPageDto, OrderRowDto, RevealedDto, SalesOrderDto,
    SalesOrderPageDto,
};
use crate::error::AppError;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use {
    crate::auth,
    domain::workspace::access::Area,
    domain::workspace::purchasing::PageRequest,
    domain::workspace::sales::{self, customers, list, orders},
    model::Permission,
};

#[cfg(feature = "ssr")]
fn object_id(id: &str) -> Result<uuid::Uuid, AppError> {
    uuid::Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)
}

#[cfg(feature = "ssr")]
fn customer_input(
    name: String,
    email: String,
    phone: String,
    address: String,
    notes: String,
) -> customers::CustomerInput {
    customers::CustomerInput { name, email, phone, address, notes }
}

/// The order list's filter from query parameters (blank or unreadable ones are ignored; dates are
/// `YYYY-MM-DD`, inclusive; amounts like `1234.50`).
#[cfg(feature = "ssr")]
pub fn order_filter(
    q: &str,
    kind: &str,
    status: &str,
    from: &str,
    until: &str,
    min: &str,
    max: &str,
    sort: &str,
) -> list::OrderFilter {
    let day = |s: &str| {
        chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|d| d.and_utc())
    };
    let amount = |s: &str| model::Cents::parse(s, model::Field::Amount).ok();
    list::OrderFilter {
        q: Some(q.trim().to_owned()).filter(|q| !q.is_empty()),
        kind: list::OrderKind::parse(kind),
        status: sales::OrderStatus::parse(status),
        from: day(from),
        until: day(until).map(|d| d + chrono::Duration::days(1)),
        min: amount(min),
        max: amount(max),
        sort: list::Sort::parse(sort),
    }
}

#[server(prefix = "/rpc", endpoint = "sales/customers", input = server_fn::codec::GetUrl)]
pub async fn customers(
    slug: String,
    q: Option<String>,
    after: Option<String>,
    limit: Option<u64>,
) -> Result<ListPageDto<CustomerDto>, AppError> {
    let result: Result<_, AppError> = async {
        let caller = auth::caller(&slug, Area::Workspace).await?;
        let list = customers::list(&caller, &customers::CustomerFilter { q }, &PageRequest { after, limit }).await?;
        Ok(ListPageDto {
            home: super::workspaces::home(&caller).await?,
            items: list.items.into_iter().map(CustomerDto::from).collect(),
            next: list.next,
        })
    }
    .await;
    super::finish(result)
}

#[server(prefix = "/rpc", endpoint = "sales/customers/add")]
pub async fn add_customer(
    _csrf_token: String,
    slug: String,
    name: String,
    email: String,
    phone: String,
    address: String,
    notes: String,
) -> Result<CustomerDto, AppError> {
    let result: Result<_, AppError> = async {
        let caller = auth::caller(&slug, Area::Workspace).await?;
        let added = customers::add(&caller, &customer_input(name, email, phone, address, notes)).await?;
        leptos_axum::redirect(&format!("/w/{}/customers/{}", caller.workspace().slug, added.id));
        Ok(CustomerDto::from(added))
    }
    .await;
    super::finish(result)
}

#[server(prefix = "/rpc", endpoint = "sales/customers/update")]
pub async fn update_customer(
    _csrf_token: String,
    slug: String,
    id: String,
    name: String,
    email: String,
    phone: String,
    address: String,
    notes: String,
) -> Result<CustomerDto, AppError> {
    let result: Result<_, AppError> = async {
        let caller = auth::caller(&slug, Area::Workspace).await?;
        let id = object_id(&id)?;
        let changed = customers::update(&caller, id, &customer_input(name, email, phone, address, notes)).await?;
        leptos_axum::redirect(&format!("/w/{}/customers/{id}", caller.workspace().slug));
        Ok(CustomerDto::from(changed))
    }
    .await;
    super::finish(result)
}

#[server(prefix = "/rpc", endpoint = "sales/customer", input = server_fn::codec::GetUrl)]
pub async fn customer(slug: String, id: String) -> Result<CustomerPageDto, AppError> {
    let result: Result<_, AppError> = async {
        let caller = auth::caller(&slug, Area::Workspace).await?;
        let customer = customers::get(&caller, object_id(&id)?).await?;
        Ok(CustomerPageDto {
            home: super::workspaces::home(&caller).await?,
            customer: customer.into(),
            can_reveal: caller.can(Permission::ContactReveal),
            can_manage: caller.can(Permission::CustomersManage),
        })
    }
    .await;
    super::finish(result)
}

/// Reveals one field (`email`, `phone` or `address`) of one customer, with a reason (audited).
#[server(prefix = "/rpc", endpoint = "sales/customer/reveal")]
pub async fn reveal_contact(
    _csrf_token: String,
    slug: String,
    id: String,
    field: String,
    reason: String,
) -> Result<RevealedDto, AppError> {
    let result: Result<_, AppError> = async {
        let caller = auth::caller(&slug, Area::Workspace).await?;
        let which = sales::mask::ContactField::parse(&field).ok_or(AppError::NotFound)?;
        let value = sales::reveal::reveal(&caller, object_id(&id)?, which, &reason).await?;
        Ok(RevealedDto { field: which.as_str().to_owned(), value })
    }
    .await;
    super::finish(result)
}

#[server(prefix = "/rpc", endpoint = "sales/orders", input = server_fn::codec::GetUrl)]
pub async fn sales_orders(
    slug: String,
    q: Option<String>,
    kind: Option<String>,
    status: Option<String>,
    from: Option<String>,
    until: Option<String>,
    min: Option<String>,
    max: Option<String>,
    sort: Option<String>,
    after: Option<String>,
    limit: Option<u64>,
) -> Result<ListPageDto<OrderRowDto>, AppError> {
    let result: Result<_, AppError> = async {
        let caller = auth::caller(&slug, Area::Workspace).await?;
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        let filter = order_filter(
            &text(&q),
            &text(&kind),
            &text(&status),
            &text(&from),
            &text(&until),
            &text(&min),
            &text(&max),
            &text(&sort),
        );
        let list = list::list(&caller, &filter, &PageRequest { after, limit }).await?;
        Ok(ListPageDto {
            home: super::workspaces::home(&caller).await?,
            items: list.items.into_iter().map(OrderRowDto::from).collect(),
            next: list.next,
        })
    }
    .await;
    super::finish(result)
}

#[server(prefix = "/rpc", endpoint = "sales/orders/create")]
pub async fn create_sales_order(
    _csrf_token: String,
    slug: String,
    customer: String,
    notes: String,
    lines: Option<Vec<LineForm>>,
) -> Result<SalesOrderDto, AppError> {
    let result: Result<_, AppError> = async {
        let caller = auth::caller(&slug, Area::Workspace).await?;
        let input = orders::OrderInput {
            customer,
            notes,
            lines: lines
                .unwrap_or_default()
                .into_iter()
                .map(|l| domain::workspace::purchasing::LineInput {
                    description: l.description,
                    quantity: l.quantity,
                    unit_price: l.unit_price,
                })
                .collect(),
        };
        let order = orders::create(&caller, &input).await?;
        leptos_axum::redirect(&format!("/w/{}/sales/{}", caller.workspace().slug, order.id));
        Ok(SalesOrderDto::from(order))
    }
    .await;
    super::finish(result)
}

#[server(prefix = "/rpc", endpoint = "sales/order", input = server_fn::codec::GetUrl)]
pub async fn sales_order(slug: String, id: String) -> Result<SalesOrderPageDto, AppError> {
    let result: Result<_, AppError> = async {
        let caller = auth::caller(&slug, Area::Workspace).await?;
        let id = object_id(&id)?;
        let order = orders::detail(&caller, id).await?;
        let owner = domain::workspace::attachments::Owner::SalesOrder(id);
        let attachments = domain::workspace::attachments::list(&caller, owner).await?;
        let links =
            if caller.can(Permission::SalesManage) { sales::links::list(&caller, id).await? } else { Vec::new() };
        Ok(SalesOrderPageDto {
            home: super::workspaces::home(&caller).await?,
            order: order.into(),
            can_manage: caller.can(Permission::SalesManage),
            attachments: attachments.into_iter().map(Into::into).collect(),
            links: links.into_iter().map(Into::into).collect(),
        })
    }
    .await;
    super::finish(result)
}

#[server(prefix = "/rpc", endpoint = "sales/order/status")]
pub async fn set_order_status(
    _csrf_token: String,
    slug: String,
    id: String,
    status: String,
) -> Result<SalesOrderDto, AppError> {
    let result: Result<_, AppError> = async {
        let caller = auth::caller(&slug, Area::Workspace).await?;
        let to = sales::OrderStatus::parse(&status).ok_or(AppError::Conflict(model::Conflict::OrderStatusChange))?;
        let id = object_id(&id)?;
        let order = orders::set_status(&caller, id, to).await?;
        leptos_axum::redirect(&format!("/w/{}/sales/{id}", caller.workspace().slug));
        Ok(SalesOrderDto::from(order))
    }
    .await;
    super::finish(result)
}

#[server(prefix = "/rpc", endpoint = "admin/keys", input = server_fn::codec::GetUrl)]
pub async fn key_status(slug: String) -> Result<KeyStatusDto, AppError> {
    let result: Result<_, AppError> = async {
        let caller = auth::caller(&slug, Area::AdminConsole).await?;
        Ok(KeyStatusDto::from(sales::rotation::progress(&caller).await?))
    }
    .await;
    super::finish(result)
}

#[server(prefix = "/rpc", endpoint = "admin/keys/rotate")]
pub async fn rotate_key(_csrf_token: String, slug: String) -> Result<KeyStatusDto, AppError> {
    let result: Result<_, AppError> = async {
        let caller = auth::caller(&slug, Area::AdminConsole).await?;
        sales::rotation::rotate(&caller).await?;
        Ok(KeyStatusDto::from(sales::rotation::progress(&caller).await?))
    }
    .await;
    super::finish(result)
}

/// Deletes the workspace (owners; `confirm` is its address): its keys are destroyed first.
#[server(prefix = "/rpc", endpoint = "admin/workspace/delete")]
pub async fn delete_workspace(_csrf_token: String, slug: String, confirm: String) -> Result<(), AppError> {
    let result: Result<_, AppError> = async {
        let caller = auth::caller(&slug, Area::AdminConsole).await?;
        crate::context::app_context()?.platform.delete_workspace(&caller, &confirm).await?;
        leptos_axum::redirect("/workspaces");
        Ok(())
    }
    .await;
    super::finish(result)
}
