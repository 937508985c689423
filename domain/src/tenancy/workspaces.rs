//! Creating and finding workspaces, and migrating their databases.
//!
//! A user creates at most [`WORKSPACES_PER_USER`] workspaces (each is a database). A name gives a
//! readable address when it can; when that is taken, or the name has no Latin letters, a random suffix
//! is added (`acme-7f3c2a`, `ws-7f3c2a`): addresses never run out, and a suffix tells nobody how many
//! workspaces share a name. Raw connections to a workspace's database stay inside `domain` (integration
//! tests reach them with the `test-support` feature).

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
use sea_orm::{ColumnTrait as _, PaginatorTrait as _, QueryOrder as _};

/// How many addresses are tried (the readable one, then random suffixes) before giving up.
const SLUG_ATTEMPTS: u32 = 8;

/// How many workspaces one user may create (those still being created count too).
pub const WORKSPACES_PER_USER: u64 = 10;

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

    /// The tenant pools' connection budget and what of it is reserved now.
    pub fn connections(&self) -> &TenantConnections {
        &self.connections
    }

    /// Creates a workspace owned by `owner`: registers it, creates its database, runs the tenant
    /// migrations, records the workspace inside its own database, and seeds roles, the owner's
    /// membership and default policies. If any step fails, nothing of it is left behind.
    #[tracing::instrument(skip(self, owner, mailer), fields(tenant))]
    pub async fn create_workspace(
        &self,
        name: WorkspaceName,
        owner: &SignedIn,
        mailer: &crate::mail::Mailer,
    ) -> DomainResult<Workspace> {
        let created = tenant::Entity::find()
            .filter(tenant::Column::CreatedBy.eq(owner.user.as_uuid()))
            .count(&self.control)
            .await?;
        if created >= WORKSPACES_PER_USER {
            return Err(DomainError::Conflict(model::Conflict::WorkspaceLimitReached));
        }
        let id = TenantId::new_random();
        tracing::Span::current().record("tenant", tracing::field::display(id));
        let db_name = self.placement.database_name(id);
        let registered = self.register(id, &name, &db_name, owner).await?;
        match self.provision(&registered, owner, mailer).await {
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
            let slug = if attempt == 1 && !base.is_fallback() {
                base.clone()
            } else {
                base.with_suffix(&hex::encode(rand::random::<[u8; 3]>()))
            };
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

    /// Creates, migrates and seeds the workspace's database; the seeding transaction owes the control
    /// plane the owner's membership, the default policy and the switch to active (the cross-database
    /// rule: a crash before it commits leaves a half-made workspace that `reconcile` removes, a crash
    /// after it one that `reconcile` finishes).
    async fn provision(
        &self,
        workspace: &Workspace,
        owner: &SignedIn,
        mailer: &crate::mail::Mailer,
    ) -> DomainResult<()> {
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
        let owed = crate::workspace::seed::seed(&txn, workspace, owner).await?;
        txn.commit().await?;
        let sides = crate::workspace::control_changes::Sides {
            tenant: workspace.id,
            tenant_db: &db,
            control: &self.control,
            mailer,
        };
        crate::workspace::control_changes::settle(sides, owed).await;
        Ok(())
    }

    /// Forgets a workspace's pool (after a restore replaced its database's content: backups, OPS2).
    pub(crate) fn evict(&self, tenant: TenantId) {
        self.connections.evict(tenant);
    }

    /// Removes a workspace whose creation never committed: its database and its registry row.
    pub(crate) async fn abandon(&self, row: &tenant::Model) -> DomainResult<()> {
        let tenant = TenantId::from(row.id);
        self.connections.evict(tenant);
        self.placement.drop_database(&row.db_name).await?;
        tenant::Entity::delete_by_id(row.id)
            .filter(tenant::Column::Status.eq(TenantStatus::Provisioning))
            .exec(&self.control)
            .await?;
        Ok(())
    }

    /// Drops the database of a deleted workspace (its keys are already destroyed) and forgets its pool.
    pub(crate) async fn drop_deleted(&self, tenant: TenantId) -> DomainResult<()> {
        let row = tenant::Entity::find_by_id(tenant.as_uuid())
            .filter(tenant::Column::Status.eq(TenantStatus::Deleted))
            .one(&self.control)
            .await?
            .ok_or(DomainError::NotFound)?;
        self.connections.evict(tenant);
        self.placement.drop_database(&row.db_name).await
    }

    /// Every active workspace with its database (for jobs that visit all of them).
    pub(crate) async fn live_databases(
        &self,
        control: &DatabaseConnection,
    ) -> DomainResult<Vec<(Workspace, DatabaseConnection)>> {
        let rows = tenant::Entity::find()
            .filter(tenant::Column::Status.eq(TenantStatus::Active))
            .order_by_asc(tenant::Column::CreatedAt)
            .all(control)
            .await?;
        let mut live = Vec::new();
        for row in rows {
            let db = self.open(&row).await?;
            live.push((workspace_from_row(row)?, db));
        }
        Ok(live)
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

    /// All active workspaces, oldest first (for tests: `test-support`).
    #[cfg(feature = "test-support")]
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

    /// Every workspace's id and address, whatever its state (for operators' listings of backups).
    pub async fn all_slugs(&self) -> DomainResult<Vec<(TenantId, String)>> {
        Ok(tenant::Entity::find()
            .all(&self.control)
            .await?
            .into_iter()
            .map(|r| (TenantId::from(r.id), r.slug))
            .collect())
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

    /// The connection pool of one active workspace's own database: only for the domain's operations,
    /// which reach it through a verified `Caller` (and for tests: `test-support`).
    #[cfg(feature = "test-support")]
    pub async fn tenant_db(&self, tenant: TenantId) -> DomainResult<DatabaseConnection> {
        self.active_db(tenant).await
    }

    pub(crate) async fn active_db(&self, tenant: TenantId) -> DomainResult<DatabaseConnection> {
        let row = tenant::Entity::find_by_id(tenant.as_uuid())
            .filter(tenant::Column::Status.eq(TenantStatus::Active))
            .one(&self.control)
            .await?
            .ok_or(DomainError::NotFound)?;
        self.open(&row).await
    }

    /// The connection pool of the workspace in the registry row `row`, whatever its status.
    pub(crate) async fn open(&self, row: &tenant::Model) -> DomainResult<DatabaseConnection> {
        let tenant = TenantId::from(row.id);
        if row.status == TenantStatus::Deleted {
            // Its database is gone; connecting would make an empty SQLite file in its place.
            return Err(DomainError::NotFound);
        }
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

    /// Reads the workspace's record of itself from its own database (for tests: `test-support`).
    #[cfg(feature = "test-support")]
    pub async fn profile(&self, tenant: TenantId) -> DomainResult<WorkspaceProfile> {
        let db = self.active_db(tenant).await?;
        let row = workspace_profile::Entity::find().one(&db).await?.ok_or_else(|| DomainError::TenantUnavailable {
            tenant,
            reason: "its database has no workspace profile".to_owned(),
        })?;
        Ok(WorkspaceProfile { tenant_id: row.tenant_id.into(), name: row.name, created_at: row.created_at })
    }

    /// Runs pending tenant migrations on every workspace (after an upgrade; also at every start). A
    /// workspace that fails is reported and skipped; the others are still migrated.
    pub async fn migrate_all(&self) -> DomainResult<MigrationReport> {
        let rows = tenant::Entity::find()
            .filter(tenant::Column::Status.ne(TenantStatus::Deleted))
            .order_by_asc(tenant::Column::CreatedAt)
            .all(&self.control)
            .await?;
        let mut report = MigrationReport::default();
        for row in rows {
            let outcome = match self.open(&row).await {
                Ok(db) => TenantMigrator::up(&db, None).await.map_err(DomainError::from),
                Err(e) => Err(e),
            };
            match outcome {
                Ok(()) => report.migrated += 1,
                Err(error) => {
                    tracing::error!(%error, tenant = %row.id, "could not migrate a workspace database");
                    report.failed.push((TenantId::from(row.id), error.to_string()));
                }
            }
        }
        Ok(report)
    }
}

/// What [`Tenancy::migrate_all`] did.
#[derive(Debug, Default)]
pub struct MigrationReport {
    pub migrated: usize,
    /// Workspaces whose migration failed, and why (for operators).
    pub failed: Vec<(TenantId, String)>,
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
