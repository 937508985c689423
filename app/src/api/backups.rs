//! The workspace's backups page (OPS2, UX2): the list and the running operation, "back up now",
//! restoring a backup onto live, and opening one beside live as a read-only copy to browse. Each needs `backups.manage` (checked in `domain`) and goes through the
//! admin-console area, which applies the workspace's IP allowlist.

use crate::dto::{BackupCopyPageDto, BackupsDto};
use crate::error::AppError;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use {
    crate::auth,
    crate::dto::{BackupCopyDto, BackupDto, BackupOperationDto, ReadyExportDto},
    domain::workspace::access::Area,
};

/// The backups and the operation running or last finished (the page polls this while one runs).
#[server(prefix = "/rpc", endpoint = "admin/backups", input = server_fn::codec::GetUrl)]
pub async fn backups_page(slug: String) -> Result<BackupsDto, AppError> {
    let result: Result<_, AppError> = async {
        let caller = auth::caller(&slug, Area::AdminConsole).await?;
        let operations = crate::context::app_context()?.platform.backup_operations().clone();
        let operation = operations.current(&caller)?.map(BackupOperationDto::from);
        let backups = operations.list(&caller).await?.into_iter().map(BackupDto::from).collect();
        let copy = operations.open_copy_of(&caller).await?.map(|(copy, _)| BackupCopyDto::from(copy));
        let export_ready = operations.ready_export(&caller)?.map(ReadyExportDto::from);
        Ok(BackupsDto { backups, operation, copy, export_ready })
    }
    .await;
    super::finish(result)
}

#[server(prefix = "/rpc", endpoint = "admin/backups/run")]
pub async fn back_up_now(_csrf_token: String, slug: String) -> Result<(), AppError> {
    let result: Result<_, AppError> = async {
        let caller = auth::caller(&slug, Area::AdminConsole).await?;
        let operations = crate::context::app_context()?.platform.backup_operations().clone();
        operations.back_up_now(&caller).await?;
        Ok(())
    }
    .await;
    super::finish(result)
}

/// Restores backup `id` onto live; `confirm` is the workspace's address.
#[server(prefix = "/rpc", endpoint = "admin/backups/restore")]
pub async fn restore_backup(_csrf_token: String, slug: String, id: String, confirm: String) -> Result<(), AppError> {
    let result: Result<_, AppError> = async {
        let caller = auth::caller(&slug, Area::AdminConsole).await?;
        let id = uuid::Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)?;
        let operations = crate::context::app_context()?.platform.backup_operations().clone();
        operations.restore_onto_live(&caller, id, &confirm).await?;
        Ok(())
    }
    .await;
    super::finish(result)
}

/// Opens backup `id` beside live as a read-only copy (replacing the copy open before, if any).
#[server(prefix = "/rpc", endpoint = "admin/backups/copy/open")]
pub async fn open_backup_copy(_csrf_token: String, slug: String, id: String) -> Result<(), AppError> {
    let result: Result<_, AppError> = async {
        let caller = auth::caller(&slug, Area::AdminConsole).await?;
        let id = uuid::Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)?;
        let operations = crate::context::app_context()?.platform.backup_operations().clone();
        operations.open_copy(&caller, id).await?;
        Ok(())
    }
    .await;
    super::finish(result)
}

/// The copy open beside live and what it holds (`None` when none is open).
#[server(prefix = "/rpc", endpoint = "admin/backups/copy", input = server_fn::codec::GetUrl)]
pub async fn backup_copy_page(slug: String) -> Result<Option<BackupCopyPageDto>, AppError> {
    let result: Result<_, AppError> = async {
        let caller = auth::caller(&slug, Area::AdminConsole).await?;
        let operations = crate::context::app_context()?.platform.backup_operations().clone();
        let browsed = operations.browse_copy(&caller).await?;
        Ok(browsed.map(|(copy, contents)| BackupCopyPageDto::new(copy, contents)))
    }
    .await;
    super::finish(result)
}

/// Closes the copy open beside live (it is removed).
#[server(prefix = "/rpc", endpoint = "admin/backups/copy/close")]
pub async fn close_backup_copy(_csrf_token: String, slug: String) -> Result<(), AppError> {
    let result: Result<_, AppError> = async {
        let caller = auth::caller(&slug, Area::AdminConsole).await?;
        let operations = crate::context::app_context()?.platform.backup_operations().clone();
        operations.close_copy(&caller).await?;
        Ok(())
    }
    .await;
    super::finish(result)
}
