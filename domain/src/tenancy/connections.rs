//! A bounded cache of open tenant connection pools, inside a budget of database connections.
//!
//! Opening a pool costs a round trip or a file open, so pools are kept for recently used tenants; at
//! most `capacity` are held, the least recently used being dropped (which closes its connections).
//! Concurrent first requests for one tenant share a single connect.
//!
//! However many workspaces there are, their pools together never hold more than `total` connections
//! (WEB3 connection limits: PostgreSQL refuses clients past its `max_connections`, 100 by default, and
//! SQLite's connections are open files). Every pool reserves room for its largest size from a budget
//! before it opens, and keeps the reservation for as long as it exists, also after it left the cache
//! while a request still uses it ([`crate::db::connect_holding`]). When the budget is used up, idle
//! cached pools give way; when every pool is busy, a new workspace waits up to `wait` and then fails
//! with "unavailable" rather than push the database past its limit.

use crate::db::{self, PoolLimits};
use crate::error::{DomainError, DomainResult};
use crate::ids::TenantId;
use quick_cache::sync::Cache;
use sea_orm::{DatabaseBackend, DatabaseConnection};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, TryAcquireError};
use tokio::time::Instant;

/// How long a pool that had to make room waits for the room to free before trying again.
const RETRY_EVERY: Duration = Duration::from_millis(10);

/// The limits of the tenant pools together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionBudget {
    /// Connections all tenant pools may hold together.
    pub total: u32,
    /// Connections one tenant pool may hold (at most `total`).
    pub per_pool: u32,
    /// How many pools are kept open for reuse.
    pub capacity: usize,
    /// How long a new pool waits for room before its request fails.
    pub wait: Duration,
}

impl ConnectionBudget {
    /// Room for `capacity` idle pools of the default size.
    pub fn for_capacity(capacity: usize, total: u32) -> Self {
        Self {
            total,
            per_pool: PoolLimits::TENANT.max_connections.min(total.max(1)),
            capacity,
            wait: Duration::from_secs(10),
        }
    }
}

pub struct TenantConnections {
    pools: Cache<TenantId, DatabaseConnection>,
    /// One permit per connection of the budget; a pool holds `per_pool` of them while it exists.
    room: Arc<Semaphore>,
    budget: ConnectionBudget,
}

impl TenantConnections {
    pub fn new(budget: ConnectionBudget) -> Self {
        let budget = ConnectionBudget {
            total: budget.total.max(1),
            per_pool: budget.per_pool.clamp(1, budget.total.max(1)),
            ..budget
        };
        Self {
            pools: Cache::new(budget.capacity.max(1)),
            room: Arc::new(Semaphore::new(budget.total as usize)),
            budget,
        }
    }

    /// The pool for `tenant`, opened from `url` if it is not cached.
    pub async fn get_or_connect(
        &self,
        tenant: TenantId,
        url: impl FnOnce() -> DomainResult<String>,
    ) -> DomainResult<DatabaseConnection> {
        self.pools
            .get_or_insert_async(&tenant, async move {
                let room = self.make_room(tenant).await?;
                let url = url()?;
                let limits = PoolLimits { max_connections: self.budget.per_pool, ..PoolLimits::TENANT };
                Ok(db::connect_holding(&url, limits, room).await?)
            })
            .await
    }

    /// Reserves room for one pool: at once if the budget has it, else by closing idle cached pools, else
    /// by waiting for busy ones to finish, until `wait` has passed.
    async fn make_room(&self, tenant: TenantId) -> DomainResult<OwnedSemaphorePermit> {
        let deadline = Instant::now() + self.budget.wait;
        loop {
            match self.room.clone().try_acquire_many_owned(self.budget.per_pool) {
                Ok(room) => return Ok(room),
                Err(TryAcquireError::NoPermits) => {}
                Err(TryAcquireError::Closed) => unreachable!("the budget's semaphore is never closed"),
            }
            let made_way = self.close_an_idle_pool(tenant);
            let now = Instant::now();
            if !made_way && now >= deadline {
                tracing::warn!(%tenant, total = self.budget.total, "every tenant database connection is in use");
                return Err(DomainError::TenantUnavailable {
                    tenant,
                    reason: format!("all {} tenant database connections are in use", self.budget.total),
                });
            }
            // Room comes back when a pool's last user lets go of it.
            let pause = RETRY_EVERY.min(deadline.saturating_duration_since(now));
            if let Ok(Ok(room)) =
                tokio::time::timeout(pause, self.room.clone().acquire_many_owned(self.budget.per_pool)).await
            {
                return Ok(room);
            }
        }
    }

    /// Drops one cached pool other than `tenant`'s that no request is using; false if there is none.
    fn close_an_idle_pool(&self, tenant: TenantId) -> bool {
        let idle = self.pools.iter().find(|(id, pool)| *id != tenant && is_idle(pool)).map(|(id, _)| id);
        match idle {
            Some(id) => {
                self.pools.remove(&id);
                true
            }
            None => false,
        }
    }

    /// Forgets a tenant's pool, e.g. before its database is dropped or replaced by a restore.
    pub fn evict(&self, tenant: TenantId) {
        self.pools.remove(&tenant);
    }

    pub fn open_pools(&self) -> usize {
        self.pools.len()
    }

    /// Connections reserved by the pools that exist now (cached, or still used after leaving the cache).
    pub fn reserved_connections(&self) -> u32 {
        self.budget.total - u32::try_from(self.room.available_permits()).unwrap_or(self.budget.total)
    }

    pub fn budget(&self) -> ConnectionBudget {
        self.budget
    }
}

/// No connection of the pool is lent out (a request between two statements may still hold the pool:
/// then its room returns when that request ends).
fn is_idle(pool: &DatabaseConnection) -> bool {
    match pool.get_database_backend() {
        DatabaseBackend::Sqlite => {
            let pool = pool.get_sqlite_connection_pool();
            pool.size() as usize == pool.num_idle()
        }
        DatabaseBackend::Postgres => {
            let pool = pool.get_postgres_connection_pool();
            pool.size() as usize == pool.num_idle()
        }
        _ => false,
    }
}
