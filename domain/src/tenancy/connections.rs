//! A bounded cache of open tenant connection pools.
//!
//! Opening a pool costs a round trip or a file open, so pools are kept for recently used tenants;
//! at most `capacity` are held, the least recently used being dropped (which closes its connections).
//! Concurrent first requests for one tenant share a single connect.

use crate::db::{self, PoolLimits};
use crate::error::DomainResult;
use crate::ids::TenantId;
use quick_cache::sync::Cache;
use sea_orm::DatabaseConnection;

pub struct TenantConnections {
    pools: Cache<TenantId, DatabaseConnection>,
}

impl TenantConnections {
    pub fn new(capacity: usize) -> Self {
        Self { pools: Cache::new(capacity.max(1)) }
    }

    /// The pool for `tenant`, opened from `url` if it is not cached.
    pub async fn get_or_connect(
        &self,
        tenant: TenantId,
        url: impl FnOnce() -> DomainResult<String>,
    ) -> DomainResult<DatabaseConnection> {
        self.pools
            .get_or_insert_async(&tenant, async move {
                let url = url()?;
                Ok(db::connect(&url, PoolLimits::TENANT).await?)
            })
            .await
    }

    /// Forgets a tenant's pool, e.g. before its database is dropped or replaced by a restore.
    pub fn evict(&self, tenant: TenantId) {
        self.pools.remove(&tenant);
    }

    pub fn open_pools(&self) -> usize {
        self.pools.len()
    }
}
