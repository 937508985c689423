//! Creating and finding workspaces.

use super::{TenantConnections, TenantPlacement};
use crate::entities::control::tenant::{self, TenantStatus};
use crate::entities::tenant::workspace_profile;
use crate::error::{DomainError, DomainResult};
use crate::identity::SignedIn;
use crate::ids::TenantId;
use chrono::{DateTime, Utc};
use migrations::{MigratorTrait as _, TenantMigrator};
use model::{WorkspaceName, WorkspaceSlug};
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, DatabaseConnection, EntityTrait as _, QueryFilter as _, SqlErr,
};
use sea_orm::{ColumnTrait as _, QueryOrder as _};

/// How many numbered variants of an address (`acme-2` … `acme-20`) are tried before giving up.
const SLUG_ATTEMPTS: u32 = 20;

/// A workspace as the rest of the system sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workspace {
    pub id: TenantId,
    pub slug: WorkspaceSlug,
    pub name: WorkspaceName,
    pub created_at: DateTime<Utc>,
}

/// What a workspace's own database says about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkspaceProfile {
    pub tenant_id: TenantId,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

/// The tenancy service: registry in the control plane, one database per workspace.
pub struct Tenancy {
    control: DatabaseConnection,
    placement: TenantPlacement,
    connections: TenantConnections,
}

impl Tenancy {
    pub fn new(control: DatabaseConnection, placement: TenantPlacement, connections: TenantConnections) -> Self {
        Self { control, placement, connections }
    }

    pub fn placement(&self) -> &TenantPlacement {
        &self.placement
    }

    pub fn open_pools(&self) -> usize {
        self.connections.open_pools()
    }

    /// Creates a workspace owned by `owner`: registers it, creates its database, runs the tenant
    /// migrations, records the workspace inside its own database, and seeds roles, the owner's
    /// membership and default policies. If any step fails, nothing of it is left behind.
    #[tracing::instrument(skip(self, owner), fields(tenant))]
    pub async fn create_workspace(&self, name: WorkspaceName, owner: &SignedIn) -> DomainResult<Workspace> {
        let id = TenantId::new_random();
        tracing::Span::current().record("tenant", tracing::field::display(id));
        let db_name = self.placement.database_name(id);
        let registered = self.register(id, &name, &db_name, owner).await?;
        match self.provision(&registered, owner).await {
            Ok(()) => Ok(registered),
            Err(error) => {
                tracing::error!(%error, "provisioning failed; removing the half-made workspace");
                self.connections.evict(id);
                if let Err(cleanup) = self.placement.drop_database(&db_name).await {
                    tracing::error!(error = %cleanup, db_name, "could not drop the tenant database");
                }
                if let Err(cleanup) = tenant::Entity::delete_by_id(id.as_uuid()).exec(&self.control).await {
                    tracing::error!(error = %cleanup, "could not delete the registry row");
                }
                Err(error)
            }
        }
    }

    /// Inserts the registry row under the first free address derived from the name.
    async fn register(
        &self,
        id: TenantId,
        name: &WorkspaceName,
        db_name: &str,
        owner: &SignedIn,
    ) -> DomainResult<Workspace> {
        let base = WorkspaceSlug::derive_from(name);
        let now = Utc::now();
        for attempt in 1..=SLUG_ATTEMPTS {
            let slug = if attempt == 1 { base.clone() } else { base.with_suffix(attempt) };
            let row = tenant::ActiveModel {
                id: Set(id.as_uuid()),
                slug: Set(slug.to_string()),
                name: Set(name.to_string()),
                status: Set(TenantStatus::Provisioning),
                db_backend: Set(self.placement.backend().as_str().to_owned()),
                db_name: Set(db_name.to_owned()),
                created_at: Set(now),
                updated_at: Set(now),
                created_by: Set(Some(owner.user.as_uuid())),
            };
            match row.insert(&self.control).await {
                Ok(_) => return Ok(Workspace { id, slug, name: name.clone(), created_at: now }),
                Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(DomainError::Conflict(model::Conflict::WorkspaceAddressesExhausted))
    }

    async fn provision(&self, workspace: &Workspace, owner: &SignedIn) -> DomainResult<()> {
        let db_name = self.placement.database_name(workspace.id);
        self.placement.create_database(&db_name).await?;
        let db = self.tenant_db_by_name(workspace.id, &db_name).await?;
        TenantMigrator::up(&db, None).await?;
        let txn = crate::db::begin_write(&db).await?;
        workspace_profile::ActiveModel {
            tenant_id: Set(workspace.id.as_uuid()),
            name: Set(workspace.name.to_string()),
            created_at: Set(workspace.created_at),
        }
        .insert(&txn)
        .await?;
        let control = crate::db::begin_write(&self.control).await?;
        crate::workspace::seed::seed(&txn, &control, workspace, owner).await?;
        txn.commit().await?;
        control.commit().await?;
        tenant::ActiveModel {
            id: Set(workspace.id.as_uuid()),
            status: Set(TenantStatus::Active),
            updated_at: Set(Utc::now()),
            ..Default::default()
        }
        .update(&self.control)
        .await?;
        Ok(())
    }

    /// An active workspace by its address.
    pub async fn find_by_slug(&self, slug: &WorkspaceSlug) -> DomainResult<Workspace> {
        let row = tenant::Entity::find()
            .filter(tenant::Column::Slug.eq(slug.as_str()))
            .filter(tenant::Column::Status.eq(TenantStatus::Active))
            .one(&self.control)
            .await?
            .ok_or(DomainError::NotFound)?;
        workspace_from_row(row)
    }

    /// All active workspaces, oldest first.
    pub async fn list(&self) -> DomainResult<Vec<Workspace>> {
        tenant::Entity::find()
            .filter(tenant::Column::Status.eq(TenantStatus::Active))
            .order_by_asc(tenant::Column::CreatedAt)
            .all(&self.control)
            .await?
            .into_iter()
            .map(workspace_from_row)
            .collect()
    }

    /// An active workspace by its id.
    pub async fn by_id(&self, tenant: TenantId) -> DomainResult<Workspace> {
        let row = tenant::Entity::find_by_id(tenant.as_uuid())
            .filter(tenant::Column::Status.eq(TenantStatus::Active))
            .one(&self.control)
            .await?
            .ok_or(DomainError::NotFound)?;
        workspace_from_row(row)
    }

    /// The connection pool of one active workspace's own database.
    pub async fn tenant_db(&self, tenant: TenantId) -> DomainResult<DatabaseConnection> {
        let row = tenant::Entity::find_by_id(tenant.as_uuid())
            .filter(tenant::Column::Status.eq(TenantStatus::Active))
            .one(&self.control)
            .await?
            .ok_or(DomainError::NotFound)?;
        if row.db_backend != self.placement.backend().as_str() {
            return Err(DomainError::TenantUnavailable {
                tenant,
                reason: format!(
                    "its database is on {}, but this server places tenants on {}",
                    row.db_backend,
                    self.placement.backend().as_str()
                ),
            });
        }
        self.tenant_db_by_name(tenant, &row.db_name).await
    }

    async fn tenant_db_by_name(&self, tenant: TenantId, db_name: &str) -> DomainResult<DatabaseConnection> {
        self.connections.get_or_connect(tenant, || self.placement.url_for(db_name)).await
    }

    /// Reads the workspace's record of itself from its own database.
    pub async fn profile(&self, tenant: TenantId) -> DomainResult<WorkspaceProfile> {
        let db = self.tenant_db(tenant).await?;
        let row = workspace_profile::Entity::find().one(&db).await?.ok_or_else(|| DomainError::TenantUnavailable {
            tenant,
            reason: "its database has no workspace profile".to_owned(),
        })?;
        Ok(WorkspaceProfile { tenant_id: row.tenant_id.into(), name: row.name, created_at: row.created_at })
    }

    /// Runs pending tenant migrations on every active workspace (after an upgrade). Returns how many.
    pub async fn migrate_all(&self) -> DomainResult<usize> {
        let workspaces = self.list().await?;
        for workspace in &workspaces {
            let db = self.tenant_db(workspace.id).await?;
            TenantMigrator::up(&db, None).await?;
        }
        Ok(workspaces.len())
    }
}

pub(crate) fn workspace_from_row(row: tenant::Model) -> DomainResult<Workspace> {
    let tenant = TenantId::from(row.id);
    let corrupt =
        |e: model::ValidationError| DomainError::TenantUnavailable { tenant, reason: format!("registry row: {e}") };
    Ok(Workspace {
        id: tenant,
        slug: WorkspaceSlug::parse(&row.slug).map_err(corrupt)?,
        name: WorkspaceName::parse(&row.name).map_err(corrupt)?,
        created_at: row.created_at,
    })
}
