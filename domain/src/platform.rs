//! The [`Platform`]: the one handle to Strongroom's databases, keys and services, built at start-up and
//! shared (behind an `Arc`) by every request.

use crate::crypto::{Keys, MasterKey, Vault};
use crate::db::{self, PoolLimits};
use crate::error::DomainError;
use crate::error::DomainResult;
use crate::identity::{Identity, IdentitySettings};
use crate::jobs::{self, Scheduler};
use crate::mail::{MailSettings, Mailer};
use crate::retention;
use crate::session_store::{DbSessionStore, RedisSessionStore, SessionBackend, SessionStorage};
use crate::tenancy::{ConnectionBudget, PlacementSettings, Tenancy, TenantConnections, TenantPlacement};
use migrations::{ControlMigrator, MigratorTrait as _};
use sea_orm::DatabaseConnection;
use std::sync::Arc;

/// What the server's configuration tells the domain layer.
#[derive(Debug, Clone)]
pub struct PlatformSettings {
    pub control_database_url: String,
    pub tenant_placement: PlacementSettings,
    /// How many tenant connection pools stay open at once, and how many connections they hold together.
    pub tenant_connections: ConnectionBudget,
    pub mail: MailSettings,
    pub identity: IdentitySettings,
    pub sessions: SessionStorage,
    pub billing: crate::billing::settings::BillingSettings,
    /// Attachments: the file store's place, the size limit and the workspace quota (DATA4).
    pub attachments: crate::workspace::attachments::AttachmentSettings,
    /// Signed links to orders: how long they last (DATA5).
    pub links: crate::workspace::sales::links::LinkSettings,
    /// Backups (OPS1): interval, work directory, targets, retention.
    pub backup: crate::backup::BackupSettings,
}

pub struct Platform {
    control: DatabaseConnection,
    tenancy: Arc<Tenancy>,
    mailer: Arc<Mailer>,
    identity: Identity,
    sessions: SessionBackend,
    scheduler: Arc<Scheduler>,
    billing: Arc<crate::billing::Billing>,
    vault: Arc<Vault>,
    attachments: Arc<crate::workspace::attachments::AttachmentStore>,
    links: crate::workspace::sales::links::LinkSettings,
    backups: Arc<crate::backup::Backups>,
    backup_operations: crate::workspace::backups::BackupOperations,
}

/// The name of the retention purge in the job scheduler.
pub const RETENTION_JOB: &str = "retention";
/// The name of the job that applies control-plane changes workspaces still owe, and how often it runs.
pub const RECONCILE_JOB: &str = "reconcile-workspaces";
/// The name of the workspace audit-log purge (AUD1) in the job scheduler.
pub const AUDIT_PURGE_JOB: &str = "audit-retention";
const RECONCILE_EVERY: std::time::Duration = std::time::Duration::from_secs(300);

impl Platform {
    /// Connects to the control plane and brings its schema up to date, then prepares tenant placement,
    /// mail and identity, migrates every workspace database (a failing one is logged and skipped), and
    /// applies control-plane changes that workspaces still owe (the cross-database rule,
    /// [`crate::workspace::control_changes`]). Starts no background work (see
    /// [`Platform::spawn_background_tasks`]).
    #[tracing::instrument(skip_all)]
    pub async fn start(settings: &PlatformSettings, master_key: MasterKey) -> DomainResult<Self> {
        let control = db::connect(&settings.control_database_url, PoolLimits::CONTROL_PLANE).await?;
        ControlMigrator::up(&control, None).await?;
        let placement = TenantPlacement::open(&settings.tenant_placement).await?;
        let tenancy = Tenancy::new(control.clone(), placement, TenantConnections::new(settings.tenant_connections));
        let keys = Arc::new(Keys::derive(&master_key));
        let vault = Arc::new(Vault::new(control.clone(), keys.clone()));
        let mailer = Arc::new(Mailer::new(control.clone(), settings.mail.clone(), keys.clone())?);
        let identity = Identity::new(control.clone(), keys, mailer.clone(), settings.identity.clone())?;
        let sessions = match &settings.sessions {
            SessionStorage::ControlDatabase => SessionBackend::Database(DbSessionStore::new(control.clone())),
            SessionStorage::Redis { url, key_prefix } => SessionBackend::Redis(
                RedisSessionStore::connect(url, key_prefix)
                    .await
                    .map_err(|e| DomainError::Unreachable { service: "Redis (redis_url)", reason: e.to_string() })?,
            ),
        };
        let tenancy = Arc::new(tenancy);
        let migrated = tenancy.migrate_all().await?;
        for (tenant, error) in &migrated.failed {
            tracing::error!(%tenant, error, "workspace database not migrated; its requests will fail until it is");
        }
        let scheduler = Arc::new(Scheduler::new(control.clone()));
        let db = control.clone();
        scheduler.register(RETENTION_JOB, retention::PURGE_EVERY, move || {
            let db = db.clone();
            async move {
                let report = retention::purge(&db, &retention::RETENTION, chrono::Utc::now()).await?;
                if report.total() > 0 {
                    tracing::info!(deleted = ?report.deleted, "retention purge");
                }
                Ok(())
            }
        });
        // The cross-database rule's safety net: changes a workspace still owes the control plane.
        let (db, owed_tenancy, owed_mailer) = (control.clone(), tenancy.clone(), mailer.clone());
        scheduler.register(RECONCILE_JOB, RECONCILE_EVERY, move || {
            let (db, tenancy, mailer) = (db.clone(), owed_tenancy.clone(), owed_mailer.clone());
            async move {
                let report = crate::workspace::control_changes::reconcile(&db, &tenancy, &mailer).await;
                if report.applied > 0 || report.abandoned > 0 {
                    tracing::info!(applied = report.applied, abandoned = report.abandoned, "reconciled workspaces");
                }
                Ok(())
            }
        });
        let billing = Arc::new(crate::billing::Billing::new(
            settings.billing.clone(),
            control.clone(),
            tenancy.clone(),
            mailer.clone(),
        )?);
        if billing.provider().is_some() {
            // The safety net for webhooks that never arrive: re-fetch every subscription from its provider.
            let job_billing = billing.clone();
            scheduler.register(crate::billing::REFETCH_JOB, settings.billing.refetch_every, move || {
                let billing = job_billing.clone();
                async move {
                    let changed = billing.refetch_all().await?;
                    if changed > 0 {
                        tracing::info!(changed, "billing re-fetch applied provider state");
                    }
                    Ok(())
                }
            });
        }
        crate::workspace::sales::register_jobs(&scheduler, &control, &tenancy, &vault);
        let (db, purge_tenancy, purge_vault) = (control.clone(), tenancy.clone(), vault.clone());
        scheduler.register(AUDIT_PURGE_JOB, retention::AUDIT_PURGE_EVERY, move || {
            let (db, tenancy, vault) = (db.clone(), purge_tenancy.clone(), purge_vault.clone());
            async move {
                let keys = vault.keys();
                let before = chrono::Utc::now() - retention::AUDIT_LOG;
                let purged = crate::workspace::audit_chain::purge_all(&db, &tenancy, keys, before).await?;
                if purged > 0 {
                    tracing::info!(purged, "audit log purge");
                }
                Ok(())
            }
        });
        let attachments = Arc::new(crate::workspace::attachments::AttachmentStore::new(settings.attachments.clone()));
        let links = settings.links;
        let backups = Arc::new(crate::backup::Backups::new(
            control.clone(),
            settings.control_database_url.clone(),
            tenancy.clone(),
            vault.clone(),
            mailer.clone(),
            settings.backup.clone(),
        ));
        crate::backup::register_job(&scheduler, &backups);
        crate::backup::register_restore_test_job(&scheduler, &backups);
        let backup_operations = crate::workspace::backups::BackupOperations::new(backups.clone());
        let platform = Self {
            control,
            tenancy,
            mailer,
            identity,
            sessions,
            scheduler,
            billing,
            vault,
            attachments,
            links,
            backups,
            backup_operations,
        };
        let reconciled = platform.reconcile().await;
        tracing::info!(
            workspaces = migrated.migrated,
            not_migrated = migrated.failed.len(),
            applied = reconciled.applied,
            abandoned = reconciled.abandoned,
            "workspace databases migrated and reconciled"
        );
        Ok(platform)
    }

    /// Applies every control-plane change a workspace still owes (after a crash between the two
    /// databases) and removes workspaces whose creation never committed. Safe at any time; the job
    /// scheduler runs it periodically.
    pub async fn reconcile(&self) -> crate::workspace::control_changes::ReconcileReport {
        crate::workspace::control_changes::reconcile(&self.control, &self.tenancy, &self.mailer).await
    }

    /// Creates a workspace owned by `owner` (TN1; at most [`crate::tenancy::WORKSPACES_PER_USER`] each).
    pub async fn create_workspace(
        &self,
        name: model::WorkspaceName,
        owner: &crate::identity::SignedIn,
    ) -> DomainResult<crate::tenancy::Workspace> {
        self.tenancy.create_workspace(name, owner, &self.mailer).await
    }

    /// Deletes the caller's workspace by crypto-shredding (owners only; `confirm` is its address).
    pub async fn delete_workspace(&self, caller: &crate::workspace::Caller, confirm: &str) -> DomainResult<()> {
        crate::workspace::deletion::delete(caller, &self.tenancy, confirm).await?;
        // Its copy beside live holds its data in a database of its own: it goes too.
        if let Err(error) = self.backup_operations.remove_copy(caller.workspace.id).await {
            tracing::error!(%error, workspace = %caller.workspace.id, "a deleted workspace's copy beside live is left");
        }
        Ok(())
    }

    pub fn tenancy(&self) -> &Tenancy {
        &self.tenancy
    }

    /// Entering workspaces as a verified caller.
    pub fn workspaces(&self) -> crate::workspace::access::WorkspaceAccess<'_> {
        crate::workspace::access::WorkspaceAccess {
            control: &self.control,
            tenancy: &self.tenancy,
            identity: &self.identity,
            mailer: &self.mailer,
            billing: &self.billing,
            vault: &self.vault,
            attachments: &self.attachments,
            links: self.links,
        }
    }

    /// Where attachments go and their limits (DATA4).
    pub fn attachment_settings(&self) -> &crate::workspace::attachments::AttachmentSettings {
        self.attachments.settings()
    }

    /// Opens a signed link to an order for someone without an account (DATA5); any failure is
    /// "not found", whatever it was.
    pub async fn open_order_link(
        &self,
        token: &str,
        meta: &crate::identity::RequestMeta,
        request_id: Option<String>,
    ) -> DomainResult<crate::workspace::sales::links::PublicOrder> {
        crate::workspace::sales::links::open(&self.tenancy, &self.vault, token, meta, request_id).await
    }

    /// Plans, subscriptions and the payment providers (PAY1, PAY2).
    pub fn billing(&self) -> &Arc<crate::billing::Billing> {
        &self.billing
    }

    /// Verifies the audit chain of every live workspace, or of the one at `slug` (AUD1).
    pub async fn verify_audit(
        &self,
        slug: Option<&model::WorkspaceSlug>,
    ) -> DomainResult<Vec<(crate::tenancy::Workspace, crate::workspace::audit_chain::ChainReport)>> {
        let mut reports = Vec::new();
        for (workspace, db) in self.tenancy.live_databases(&self.control).await? {
            if slug.is_some_and(|s| *s != workspace.slug) {
                continue;
            }
            let report = crate::workspace::audit_chain::verify(&db, self.vault.keys(), workspace.id).await?;
            reports.push((workspace, report));
        }
        if let Some(slug) = slug
            && reports.is_empty()
        {
            return Err(DomainError::Misconfigured(format!("there is no workspace at the address `{slug}`")));
        }
        Ok(reports)
    }

    /// Purges audit entries written before `before` in every live workspace now (the daily job does this
    /// with [`retention::AUDIT_LOG`]).
    pub async fn purge_audit(&self, before: chrono::DateTime<chrono::Utc>) -> DomainResult<u64> {
        crate::workspace::audit_chain::purge_all(&self.control, &self.tenancy, self.vault.keys(), before).await
    }

    /// Master key rotation: re-wraps every workspace key from `old` to `new` (DATA2).
    pub async fn rewrap_workspace_keys(&self, old: &Keys, new: &Keys) -> DomainResult<crate::crypto::RewrapReport> {
        crate::crypto::rewrap_all(&self.control, old, new).await
    }

    /// Backups of every workspace and of the control plane (OPS1–OPS3).
    pub fn backups(&self) -> &Arc<crate::backup::Backups> {
        &self.backups
    }

    /// The backups and restores administrators started, and their progress (OPS2, UX2).
    pub fn backup_operations(&self) -> &crate::workspace::backups::BackupOperations {
        &self.backup_operations
    }

    /// Every workspace's keys (DATA2).
    pub fn vault(&self) -> &Arc<Vault> {
        &self.vault
    }

    /// Which workspace an invitation link is for, and which address it was sent to.
    pub async fn invitation(&self, token: &str) -> DomainResult<crate::workspace::invitations::Invitation> {
        crate::workspace::invitations::describe(&self.control, &self.tenancy, token).await
    }

    /// Accepts an invitation for the signed-in user (whose address must be the invited one).
    pub async fn accept_invitation(
        &self,
        signed_in: &crate::identity::SignedIn,
        token: &str,
        ip: Option<String>,
    ) -> DomainResult<crate::tenancy::Workspace> {
        crate::workspace::invitations::accept(&self.control, &self.tenancy, &self.mailer, signed_in, token, ip).await
    }

    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    pub fn mailer(&self) -> &Arc<Mailer> {
        &self.mailer
    }

    /// The tower-sessions store: the control-plane database, or Redis when configured.
    pub fn session_store(&self) -> SessionBackend {
        self.sessions.clone()
    }

    /// The job scheduler: register background work here (before or after
    /// [`Platform::spawn_background_tasks`]); it runs once per period across all servers.
    pub fn scheduler(&self) -> &Arc<Scheduler> {
        &self.scheduler
    }

    /// Mail delivery, and the job scheduler (with the hourly retention purge, which also removes
    /// expired browser sessions from the database store; Redis expires its own).
    pub fn spawn_background_tasks(&self) -> Vec<tokio::task::JoinHandle<()>> {
        vec![self.mailer.clone().spawn_worker(), self.scheduler.clone().spawn(jobs::TICK)]
    }

    /// Readiness of everything a request may need: the control plane and tenant storage.
    pub async fn readiness(&self) -> Readiness {
        let control = self.control.ping().await.map_err(|e| format!("control-plane database: {e}"));
        let tenant_storage = self.tenancy.placement().check().await;
        let session_store = self.sessions.check().await.map_err(|e| format!("session store: {e}"));
        Readiness { control, tenant_storage, session_store }
    }
}

/// Each component's state; `Err` holds a description for operators (logs), not for the public.
#[derive(Debug)]
pub struct Readiness {
    pub control: Result<(), String>,
    pub tenant_storage: Result<(), String>,
    pub session_store: Result<(), String>,
}

impl Readiness {
    pub fn is_ready(&self) -> bool {
        self.control.is_ok() && self.tenant_storage.is_ok() && self.session_store.is_ok()
    }
}
