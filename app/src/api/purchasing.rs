//! Purchasing server functions: suppliers, purchase requests, decisions, orders. Every one enters the
//! workspace as the verified caller first; the domain decides what the caller may see and do. The
//! functions behind a page return the caller's standing with the page's data, so that a page enters
//! the workspace once; lists come a page at a time (`after`: the previous page's `next`).

use crate::dto::{
    LineForm, ListPageDto, OrderDto, RequestDetailDto, RequestPageDto, RequestSummaryDto, RequestsPageDto, SupplierDto,
};
use crate::error::AppError;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use {
    crate::auth,
    domain::workspace::access::Area,
    domain::workspace::purchasing::{self, Decision, PageRequest},
};

#[cfg(feature = "ssr")]
fn object_id(id: &str) -> Result<uuid::Uuid, AppError> {
    uuid::Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)
}

#[cfg(feature = "ssr")]
fn mailer() -> Result<std::sync::Arc<domain::mail::Mailer>, AppError> {
    Ok(crate::context::app_context()?.platform.mailer().clone())
}

#[cfg(feature = "ssr")]
fn page(after: Option<String>, limit: Option<u64>) -> PageRequest {
    PageRequest { after, limit }
}

#[cfg(feature = "ssr")]
fn request_input(supplier: String, title: String, lines: Option<Vec<LineForm>>) -> purchasing::RequestInput {
    purchasing::RequestInput {
        supplier,
        title,
        lines: lines
            .unwrap_or_default()
            .into_iter()
            .map(|l| purchasing::LineInput {
                description: l.description,
                quantity: l.quantity,
                unit_price: l.unit_price,
            })
            .collect(),
    }
}

/// A request's page, built from the parsed id (never from the raw input).
#[cfg(feature = "ssr")]
fn redirect_to_request(slug: &str, id: uuid::Uuid) {
    leptos_axum::redirect(&format!("/w/{slug}/requests/{id}"));
}

#[server(prefix = "/rpc", endpoint = "purchasing/suppliers", input = server_fn::codec::GetUrl)]
pub async fn suppliers(
    slug: String,
    after: Option<String>,
    limit: Option<u64>,
) -> Result<ListPageDto<SupplierDto>, AppError> {
    let result: Result<_, AppError> = async {
        let caller = auth::caller(&slug, Area::Workspace).await?;
        let list = purchasing::suppliers(&caller, &page(after, limit)).await?;
        Ok(ListPageDto {
            home: super::workspaces::home(&caller).await?,
            items: list.items.into_iter().map(SupplierDto::from).collect(),
            next: list.next,
        })
    }
    .await;
    super::finish(result)
}

#[server(prefix = "/rpc", endpoint = "purchasing/suppliers/add")]
pub async fn add_supplier(_csrf_token: String, slug: String, name: String, email: String) -> Result<(), AppError> {
    let result: Result<(), AppError> = async {
        let caller = auth::caller(&slug, Area::Workspace).await?;
        purchasing::add_supplier(&caller, &name, &email).await?;
        leptos_axum::redirect(&format!("/w/{}/suppliers", caller.workspace().slug));
        Ok(())
    }
    .await;
    super::finish(result)
}

#[server(prefix = "/rpc", endpoint = "purchasing/requests", input = server_fn::codec::GetUrl)]
pub async fn requests(slug: String, after: Option<String>, limit: Option<u64>) -> Result<RequestsPageDto, AppError> {
    let result: Result<_, AppError> = async {
        let caller = auth::caller(&slug, Area::Workspace).await?;
        let list = purchasing::requests(&caller, &page(after, limit)).await?;
        let fallback_approver = if caller.is_owner() {
            purchasing::fallback_approver(&caller).await?.map(|(_, email)| email.to_string())
        } else {
            None
        };
        Ok(RequestsPageDto {
            page: ListPageDto {
                home: super::workspaces::home(&caller).await?,
                items: list.items.into_iter().map(RequestSummaryDto::from).collect(),
                next: list.next,
            },
            fallback_approver,
        })
    }
    .await;
    super::finish(result)
}

#[server(prefix = "/rpc", endpoint = "purchasing/requests/submit")]
pub async fn submit_request(
    _csrf_token: String,
    slug: String,
    supplier: String,
    title: String,
    lines: Option<Vec<LineForm>>,
) -> Result<RequestSummaryDto, AppError> {
    let result: Result<_, AppError> = async {
        let caller = auth::caller(&slug, Area::Workspace).await?;
        let summary = purchasing::submit(&caller, &*mailer()?, &request_input(supplier, title, lines)).await?;
        redirect_to_request(caller.workspace().slug.as_str(), summary.id);
        Ok(RequestSummaryDto::from(summary))
    }
    .await;
    super::finish(result)
}

#[server(prefix = "/rpc", endpoint = "purchasing/request", input = server_fn::codec::GetUrl)]
pub async fn request_detail(slug: String, id: String) -> Result<RequestPageDto, AppError> {
    let result: Result<_, AppError> = async {
        let caller = auth::caller(&slug, Area::Workspace).await?;
        let id = object_id(&id)?;
        let detail = RequestDetailDto::from(purchasing::request(&caller, id).await?);
        let owner = domain::workspace::attachments::Owner::PurchaseRequest(id);
        let attachments = domain::workspace::attachments::list(&caller, owner).await?;
        Ok(RequestPageDto {
            home: super::workspaces::home(&caller).await?,
            detail,
            attachments: attachments.into_iter().map(Into::into).collect(),
            can_attach: caller.can(model::Permission::RequestsCreate),
        })
    }
    .await;
    super::finish(result)
}

/// Approves (`decision` = "approve") or denies ("deny") a request, with a comment; any other decision
/// is refused.
#[server(prefix = "/rpc", endpoint = "purchasing/request/decide")]
pub async fn decide_request(
    _csrf_token: String,
    slug: String,
    id: String,
    decision: String,
    comment: String,
) -> Result<RequestDetailDto, AppError> {
    let result: Result<_, AppError> = async {
        let caller = auth::caller(&slug, Area::Workspace).await?;
        let decision = match decision.as_str() {
            "approve" => Decision::Approve,
            "deny" => Decision::Deny,
            _ => return Err(AppError::BadRequest),
        };
        let id = object_id(&id)?;
        let detail = purchasing::decide(&caller, &*mailer()?, id, decision, &comment).await?;
        redirect_to_request(caller.workspace().slug.as_str(), id);
        Ok(RequestDetailDto::from(detail))
    }
    .await;
    super::finish(result)
}

/// The requester withdraws their pending request.
#[server(prefix = "/rpc", endpoint = "purchasing/request/withdraw")]
pub async fn withdraw_request(_csrf_token: String, slug: String, id: String) -> Result<RequestDetailDto, AppError> {
    let result: Result<_, AppError> = async {
        let caller = auth::caller(&slug, Area::Workspace).await?;
        let id = object_id(&id)?;
        let detail = purchasing::withdraw(&caller, id).await?;
        redirect_to_request(caller.workspace().slug.as_str(), id);
        Ok(RequestDetailDto::from(detail))
    }
    .await;
    super::finish(result)
}

/// The requester changes their pending request (the same fields as a new one).
#[server(prefix = "/rpc", endpoint = "purchasing/request/edit")]
pub async fn edit_request(
    _csrf_token: String,
    slug: String,
    id: String,
    supplier: String,
    title: String,
    lines: Option<Vec<LineForm>>,
) -> Result<RequestDetailDto, AppError> {
    let result: Result<_, AppError> = async {
        let caller = auth::caller(&slug, Area::Workspace).await?;
        let id = object_id(&id)?;
        let detail = purchasing::edit(&caller, id, &request_input(supplier, title, lines)).await?;
        redirect_to_request(caller.workspace().slug.as_str(), id);
        Ok(RequestDetailDto::from(detail))
    }
    .await;
    super::finish(result)
}

/// An owner names the fallback approver by address (empty: none).
#[server(prefix = "/rpc", endpoint = "purchasing/fallback-approver")]
pub async fn set_fallback_approver(_csrf_token: String, slug: String, email: String) -> Result<(), AppError> {
    let result: Result<(), AppError> = async {
        let caller = auth::caller(&slug, Area::Workspace).await?;
        purchasing::set_fallback_approver(&caller, &email).await?;
        leptos_axum::redirect(&format!("/w/{}/requests", caller.workspace().slug));
        Ok(())
    }
    .await;
    super::finish(result)
}

#[server(prefix = "/rpc", endpoint = "purchasing/orders", input = server_fn::codec::GetUrl)]
pub async fn orders(
    slug: String,
    after: Option<String>,
    limit: Option<u64>,
) -> Result<ListPageDto<OrderDto>, AppError> {
    let result: Result<_, AppError> = async {
        let caller = auth::caller(&slug, Area::Workspace).await?;
        let list = purchasing::orders(&caller, &page(after, limit)).await?;
        Ok(ListPageDto {
            home: super::workspaces::home(&caller).await?,
            items: list.items.into_iter().map(OrderDto::from).collect(),
            next: list.next,
        })
    }
    .await;
    super::finish(result)
}
