//! Purchasing server functions: suppliers, purchase requests, decisions, orders. Every one enters the
//! workspace as the verified caller first; the domain decides what the caller may see and do.

use crate::dto::{LineForm, OrderDto, RequestDetailDto, RequestSummaryDto, SupplierDto};
use crate::error::AppError;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use {crate::auth, domain::workspace::access::Area, domain::workspace::purchasing};

#[cfg(feature = "ssr")]
fn object_id(id: &str) -> Result<uuid::Uuid, AppError> {
    uuid::Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)
}

#[cfg(feature = "ssr")]
fn mailer() -> Result<std::sync::Arc<domain::mail::Mailer>, AppError> {
    Ok(crate::context::app_context()?.platform.mailer().clone())
}

#[server(prefix = "/rpc", endpoint = "purchasing/suppliers", input = server_fn::codec::GetUrl)]
pub async fn suppliers(slug: String) -> Result<Vec<SupplierDto>, AppError> {
    let result: Result<_, AppError> = async {
        let caller = auth::caller(&slug, Area::Workspace).await?;
        Ok(purchasing::suppliers(&caller).await?.into_iter().map(SupplierDto::from).collect())
    }
    .await;
    super::finish(result)
}

#[server(prefix = "/rpc", endpoint = "purchasing/suppliers/add")]
pub async fn add_supplier(_csrf_token: String, slug: String, name: String, email: String) -> Result<(), AppError> {
    let result: Result<(), AppError> = async {
        let caller = auth::caller(&slug, Area::Workspace).await?;
        purchasing::add_supplier(&caller, &name, &email).await?;
        leptos_axum::redirect(&format!("/w/{slug}/suppliers"));
        Ok(())
    }
    .await;
    super::finish(result)
}

#[server(prefix = "/rpc", endpoint = "purchasing/requests", input = server_fn::codec::GetUrl)]
pub async fn requests(slug: String) -> Result<Vec<RequestSummaryDto>, AppError> {
    let result: Result<_, AppError> = async {
        let caller = auth::caller(&slug, Area::Workspace).await?;
        Ok(purchasing::requests(&caller).await?.into_iter().map(RequestSummaryDto::from).collect())
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
        let input = purchasing::RequestInput {
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
        };
        let summary = purchasing::submit(&caller, &*mailer()?, &input).await?;
        leptos_axum::redirect(&format!("/w/{slug}/requests/{}", summary.id));
        Ok(RequestSummaryDto::from(summary))
    }
    .await;
    super::finish(result)
}

#[server(prefix = "/rpc", endpoint = "purchasing/request", input = server_fn::codec::GetUrl)]
pub async fn request_detail(slug: String, id: String) -> Result<RequestDetailDto, AppError> {
    let result: Result<_, AppError> = async {
        let caller = auth::caller(&slug, Area::Workspace).await?;
        Ok(RequestDetailDto::from(purchasing::request(&caller, object_id(&id)?).await?))
    }
    .await;
    super::finish(result)
}

/// Approves (`decision` = "approve") or denies ("deny") a request, with a comment.
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
        let approve = match decision.as_str() {
            "approve" => true,
            "deny" => false,
            _ => return Err(AppError::BadRequest),
        };
        let detail = purchasing::decide(&caller, &*mailer()?, object_id(&id)?, approve, &comment).await?;
        leptos_axum::redirect(&format!("/w/{slug}/requests/{id}"));
        Ok(RequestDetailDto::from(detail))
    }
    .await;
    super::finish(result)
}

#[server(prefix = "/rpc", endpoint = "purchasing/orders", input = server_fn::codec::GetUrl)]
pub async fn orders(slug: String) -> Result<Vec<OrderDto>, AppError> {
    let result: Result<_, AppError> = async {
        let caller = auth::caller(&slug, Area::Workspace).await?;
        Ok(purchasing::orders(&caller).await?.into_iter().map(OrderDto::from).collect())
    }
    .await;
    super::finish(result)
}
