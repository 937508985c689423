//! Whether the workspace's audit chain holds (`audit.view`), verified on the server each time.

use crate::dto::AuditChainDto;
use crate::error::AppError;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use {crate::auth, domain::workspace::access::Area};

#[server(prefix = "/rpc", endpoint = "admin/audit/chain", input = server_fn::codec::GetUrl)]
pub async fn audit_chain(slug: String) -> Result<AuditChainDto, AppError> {
    let result: Result<_, AppError> = async {
        let caller = auth::caller(&slug, Area::AdminConsole).await?;
        Ok(AuditChainDto::from(domain::workspace::audit_chain::status(&caller).await?))
    }
    .await;
    super::finish(result)
}
