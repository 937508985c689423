//! Server functions of signed links (DATA5): making and revoking a link to a sales order (as the
//! verified caller, `sales.manage`), and the end customer's confirmation page, which needs no account
//! and no session: the link's signature, expiry and row decide, and every refusal is the same "not
//! found". Attachments travel as multipart forms to plain routes instead (`server::routes::attachments`).

use crate::dto::{OrderLinkDto, PublicOrderDto};
use crate::error::AppError;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use {crate::auth, domain::workspace::access::Area, domain::workspace::sales::links};

#[cfg(feature = "ssr")]
fn object_id(id: &str) -> Result<uuid::Uuid, AppError> {
    uuid::Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)
}

#[server(prefix = "/rpc", endpoint = "sales/order/links/create")]
pub async fn create_order_link(_csrf_token: String, slug: String, id: String) -> Result<OrderLinkDto, AppError> {
    let result: Result<_, AppError> = async {
        let caller = auth::caller(&slug, Area::Workspace).await?;
        let id = object_id(&id)?;
        let link = links::create(&caller, id).await?;
        leptos_axum::redirect(&format!("/w/{}/sales/{id}", caller.workspace().slug));
        Ok(OrderLinkDto::from(link))
    }
    .await;
    super::finish(result)
}

#[server(prefix = "/rpc", endpoint = "sales/order/links/revoke")]
pub async fn revoke_order_link(_csrf_token: String, slug: String, id: String, link: String) -> Result<(), AppError> {
    let result: Result<_, AppError> = async {
        let caller = auth::caller(&slug, Area::Workspace).await?;
        links::revoke(&caller, object_id(&link)?).await?;
        leptos_axum::redirect(&format!("/w/{}/sales/{}", caller.workspace().slug, object_id(&id)?));
        Ok(())
    }
    .await;
    super::finish(result)
}

/// The order behind a signed link, for anyone holding it (no account). Unknown, forged, expired and
/// revoked links all get the same 404.
#[server(prefix = "/rpc", endpoint = "public/order-confirmation", input = server_fn::codec::GetUrl)]
pub async fn order_confirmation(token: String) -> Result<PublicOrderDto, AppError> {
    let result: Result<_, AppError> = async {
        let platform = crate::context::app_context()?.platform;
        let meta = auth::request_meta()?;
        let request_id = Some(crate::context::request_id()).filter(|id| id != "-");
        let order = platform.open_order_link(&token, &meta, request_id).await.map_err(|_| AppError::NotFound)?;
        Ok(PublicOrderDto::from(order))
    }
    .await;
    super::finish(result)
}
