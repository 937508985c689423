//! Workspaces: creating one (its creator becomes owner), the caller's list for the switcher, a
//! workspace's home, notices.

use crate::dto::{WorkspaceDto, WorkspaceHomeDto};
use crate::error::AppError;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use {
    crate::auth, crate::dto::NoticeDto, crate::dto::timestamp, domain::workspace::access::Area,
    domain::workspace::notifications,
};

/// Creates a workspace named `name`, owned by the caller, and sends the browser to it.
#[server(prefix = "/rpc", endpoint = "workspaces/create")]
pub async fn create_workspace(_csrf_token: String, name: String) -> Result<WorkspaceDto, AppError> {
    let result: Result<WorkspaceDto, AppError> = async {
        let signed_in = auth::require().await?;
        let name = model::WorkspaceName::parse(&name).map_err(AppError::Invalid)?;
        let context = crate::context::app_context()?;
        let workspace = context.platform.create_workspace(name, &signed_in).await?;
        tracing::info!(tenant = %workspace.id, slug = %workspace.slug, "workspace created");
        auth::renew_id().await?;
        let dto = WorkspaceDto::from(&workspace);
        leptos_axum::redirect(&dto.path());
        Ok(dto)
    }
    .await;
    super::finish(result)
}

/// The caller leaves the workspace at `slug` (an owner only while another owner stays).
#[server(prefix = "/rpc", endpoint = "workspaces/leave")]
pub async fn leave_workspace(_csrf_token: String, slug: String) -> Result<(), AppError> {
    let result: Result<(), AppError> = async {
        let caller = auth::caller(&slug, Area::Workspace).await?;
        domain::workspace::members::leave(&caller).await?;
        leptos_axum::redirect("/workspaces");
        Ok(())
    }
    .await;
    super::finish(result)
}

/// The caller's workspaces (for the switcher and the workspaces page).
#[server(prefix = "/rpc", endpoint = "workspaces/mine", input = server_fn::codec::GetUrl)]
pub async fn my_workspaces() -> Result<Vec<WorkspaceDto>, AppError> {
    let result: Result<_, AppError> = async {
        let signed_in = auth::require().await?;
        let platform = crate::context::app_context()?.platform;
        Ok(platform.workspaces().workspaces_of(&signed_in).await?.iter().map(WorkspaceDto::from).collect())
    }
    .await;
    super::finish(result)
}

/// A workspace's home as the caller sees it (their roles, permissions and unread notices).
#[server(prefix = "/rpc", endpoint = "workspaces/home", input = server_fn::codec::GetUrl)]
pub async fn workspace_home(slug: String) -> Result<WorkspaceHomeDto, AppError> {
    let result: Result<_, AppError> = async {
        let caller = auth::caller(&slug, Area::Workspace).await?;
        home(&caller).await
    }
    .await;
    super::finish(result)
}

#[cfg(feature = "ssr")]
pub(super) async fn home(caller: &domain::workspace::Caller) -> Result<WorkspaceHomeDto, AppError> {
    let notices = notifications::unread(caller)
        .await?
        .into_iter()
        .map(|n| NoticeDto { text: n.text, link: n.link, at: timestamp(n.created_at) })
        .collect();
    let (threshold, currency) = domain::workspace::policies::purchasing(caller).await?;
    Ok(WorkspaceHomeDto::of(caller, notices, threshold, currency))
}

#[server(prefix = "/rpc", endpoint = "workspaces/notices-read")]
pub async fn mark_notices_read(_csrf_token: String, slug: String) -> Result<(), AppError> {
    let result: Result<(), AppError> = async {
        let caller = auth::caller(&slug, Area::Workspace).await?;
        notifications::mark_all_read(&caller).await?;
        leptos_axum::redirect(&format!("/w/{slug}"));
        Ok(())
    }
    .await;
    super::finish(result)
}
