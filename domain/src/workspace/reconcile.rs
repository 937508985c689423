//! The reconciler of the cross-database rule (see [`super::control_changes`]): applies, in every workspace
//! and oldest first, the control-plane changes that a crash left owed, and removes workspaces whose
//! creation never committed. It runs at start (`Platform::start`), on demand (`Platform::reconcile`) and
//! from the job scheduler; it is safe at any time and from several servers at once, because each change
//! is applied at most once.

use super::control_changes::{ControlChange, Sides, apply};
use crate::entities::control::tenant;
use crate::entities::tenant::pending_control_change;
use crate::error::{DomainError, DomainResult};
use crate::ids::TenantId;
use crate::mail::Mailer;
use crate::tenancy::Tenancy;
use chrono::Utc;
use sea_orm::{ColumnTrait as _, DatabaseConnection, EntityTrait as _, QueryFilter as _, QueryOrder as _};
use uuid::Uuid;

/// A half-made workspace (its seeding never committed) older than this is removed by [`reconcile`].
pub const PROVISIONING_GRACE: chrono::Duration = chrono::Duration::minutes(10);

/// What [`reconcile`] did.
#[derive(Debug, Default)]
pub struct ReconcileReport {
    /// Owed changes applied now.
    pub applied: usize,
    /// Half-made workspaces removed (their creation never committed).
    pub abandoned: usize,
    /// Workspaces that could not be reconciled, with why (they are tried again next time).
    pub failed: Vec<(TenantId, String)>,
}

/// Applies every change still owed to the control plane, in every workspace, oldest first, and removes
/// workspaces whose creation never committed. Safe to run at any time and from several servers at once.
pub async fn reconcile(control: &DatabaseConnection, tenancy: &Tenancy, mailer: &Mailer) -> ReconcileReport {
    let mut report = ReconcileReport::default();
    let live = tenant::Entity::find().filter(tenant::Column::Status.ne(tenant::TenantStatus::Deleted));
    let rows = match live.order_by_asc(tenant::Column::CreatedAt).all(control).await {
        Ok(rows) => rows,
        Err(e) => {
            report.failed.push((TenantId::from(Uuid::nil()), format!("registry: {e}")));
            return report;
        }
    };
    for row in rows {
        let id = TenantId::from(row.id);
        let provisioning = row.status == tenant::TenantStatus::Provisioning;
        match reconcile_one(control, tenancy, mailer, &row).await {
            Ok(applied) => report.applied += applied,
            Err(error) if provisioning && Utc::now() - row.updated_at > PROVISIONING_GRACE => {
                tracing::warn!(%error, tenant = %id, "removing a workspace whose creation never finished");
                match tenancy.abandon(&row).await {
                    Ok(()) => report.abandoned += 1,
                    Err(e) => report.failed.push((id, e.to_string())),
                }
            }
            Err(error) if provisioning => tracing::info!(%error, tenant = %id, "workspace still being created"),
            Err(error) => {
                tracing::error!(%error, tenant = %id, "could not reconcile workspace");
                report.failed.push((id, error.to_string()));
            }
        }
    }
    report
}

/// Applies one workspace's owed changes; a workspace still provisioning with nothing owed is an error
/// (its creation has not committed).
async fn reconcile_one(
    control: &DatabaseConnection,
    tenancy: &Tenancy,
    mailer: &Mailer,
    row: &tenant::Model,
) -> DomainResult<usize> {
    let tenant = TenantId::from(row.id);
    let db = tenancy.open(row).await?;
    let pending = pending_control_change::Entity::find()
        .filter(pending_control_change::Column::AppliedAt.is_null())
        .order_by_asc(pending_control_change::Column::Id)
        .all(&db)
        .await?;
    let sides = Sides { tenant, tenant_db: &db, control, mailer };
    let mut applied = 0;
    let mut activated = false;
    for pending in pending {
        let change: ControlChange = serde_json::from_str(&pending.payload).map_err(|e| {
            DomainError::TenantUnavailable { tenant, reason: format!("unreadable owed change {}: {e}", pending.id) }
        })?;
        activated |= matches!(change, ControlChange::WorkspaceCreated { .. });
        apply(sides, pending.id, &change).await?;
        applied += 1;
    }
    if row.status == tenant::TenantStatus::Provisioning && !activated {
        return Err(DomainError::TenantUnavailable { tenant, reason: "its creation has not committed".to_owned() });
    }
    Ok(applied)
}
