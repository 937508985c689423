//! The [`Platform`]: the one handle to Strongroom's databases and keys, built at start-up and shared
//! (behind an `Arc`) by every request.

use crate::crypto::MasterKey;
use crate::db::{self, PoolLimits};
use crate::error::DomainResult;
use crate::tenancy::{PlacementSettings, Tenancy, TenantConnections, TenantPlacement};
use migrations::{ControlMigrator, MigratorTrait as _};
use sea_orm::DatabaseConnection;
use std::sync::Arc;

/// What the server's configuration tells the domain layer.
#[derive(Debug, Clone)]
pub struct PlatformSettings {
    pub control_database_url: String,
    pub tenant_placement: PlacementSettings,
    /// How many tenant connection pools stay open at once.
    pub tenant_pool_capacity: usize,
}

pub struct Platform {
    control: DatabaseConnection,
    tenancy: Tenancy,
    master_key: Arc<MasterKey>,
}

impl Platform {
    /// Connects to the control plane and brings its schema up to date, then prepares tenant placement.
    #[tracing::instrument(skip_all)]
    pub async fn start(settings: &PlatformSettings, master_key: MasterKey) -> DomainResult<Self> {
        let control = db::connect(&settings.control_database_url, PoolLimits::CONTROL_PLANE).await?;
        ControlMigrator::up(&control, None).await?;
        let placement = TenantPlacement::open(&settings.tenant_placement).await?;
        let tenancy = Tenancy::new(control.clone(), placement, TenantConnections::new(settings.tenant_pool_capacity));
        Ok(Self { control, tenancy, master_key: Arc::new(master_key) })
    }

    pub fn master_key(&self) -> &MasterKey {
        &self.master_key
    }

    pub fn tenancy(&self) -> &Tenancy {
        &self.tenancy
    }

    /// Readiness of everything a request may need: the control plane and tenant storage.
    pub async fn readiness(&self) -> Readiness {
        let control = self.control.ping().await.map_err(|e| format!("control-plane database: {e}"));
        let tenant_storage = self.tenancy.placement().check().await;
        Readiness { control, tenant_storage }
    }
}

/// Each component's state; `Err` holds a description for operators (logs), not for the public.
#[derive(Debug)]
pub struct Readiness {
    pub control: Result<(), String>,
    pub tenant_storage: Result<(), String>,
}

impl Readiness {
    pub fn is_ready(&self) -> bool {
        self.control.is_ok() && self.tenant_storage.is_ok()
    }
}
