//! Creating a workspace and reading one back.

use crate::dto::WorkspaceDto;
use crate::error::AppError;
use leptos::prelude::*;

/// Creates a workspace named `name` and sends the browser to its page.
#[server(prefix = "/rpc", endpoint = "workspaces/create")]
pub async fn create_workspace(_csrf_token: String, name: String) -> Result<WorkspaceDto, AppError> {
    let result: Result<WorkspaceDto, AppError> = async {
        let name = model::WorkspaceName::parse(&name).map_err(AppError::Invalid)?;
        let context = crate::context::app_context()?;
        let workspace = context.platform.tenancy().create_workspace(name).await?;
        tracing::info!(tenant = %workspace.id, slug = %workspace.slug, "workspace created");
        Ok(WorkspaceDto::from(&workspace))
    }
    .await;
    if let Ok(workspace) = &result {
        leptos_axum::redirect(&workspace.path());
    }
    super::finish(result)
}

/// The workspace at `/w/<slug>`, as its own database describes it.
#[server(prefix = "/rpc", endpoint = "workspaces/get", input = server_fn::codec::GetUrl)]
pub async fn get_workspace(slug: String) -> Result<WorkspaceDto, AppError> {
    let result: Result<WorkspaceDto, AppError> = async {
        let slug = model::WorkspaceSlug::parse(&slug).map_err(|_| AppError::NotFound)?;
        let context = crate::context::app_context()?;
        let tenancy = context.platform.tenancy();
        let workspace = tenancy.find_by_slug(&slug).await?;
        // Read through the workspace's own database: the page proves that database is reachable.
        let profile = tenancy.profile(workspace.id).await?;
        Ok(WorkspaceDto { name: profile.name, ..WorkspaceDto::from(&workspace) })
    }
    .await;
    super::finish(result)
}
