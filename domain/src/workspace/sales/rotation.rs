//! Data key rotation (DATA2): a holder of `keys.manage` makes a new data key version; new writes use it
//! at once (on every server within [`crate::crypto::CACHE_FOR`]); the scheduler's [`REENCRYPT_JOB`]
//! re-encrypts older rows in batches, each row by a conditional update (a row changed meanwhile is left
//! to the newer write), until every row is on the newest version. Every row stays readable throughout:
//! old versions are kept. [`progress`] says how far it is.
//!
//! The new key is made in the control plane as *pending*; the workspace records the rotation in its
//! audit log and owes the activation (the cross-database rule), so a rotation is either audited and
//! active, or left as an unused pending key.

use super::super::Caller;
use super::super::audit::{self, Actor};
use super::super::control_changes::{self, ControlChange, Sides};
use super::columns::NOTES;
use super::{customers, order_field};
use crate::crypto::{FieldKeys, Vault};
use crate::entities::control::tenant;
use crate::entities::tenant::{customer, sales_order};
use crate::error::DomainResult;
use crate::ids::TenantId;
use crate::jobs::Scheduler;
use crate::tenancy::Tenancy;
use model::Permission;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait as _, DatabaseConnection};
use sea_orm::{EntityTrait as _, PaginatorTrait as _, QueryFilter as _, QuerySelect as _};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

/// The re-encryption job's name in the scheduler, and how often it runs.
pub const REENCRYPT_JOB: &str = "reencrypt-fields";
const REENCRYPT_EVERY: Duration = Duration::from_secs(60);
/// Rows re-encrypted per batch (one transaction each).
pub const BATCH: u64 = 200;
/// How long one run keeps at it before leaving the rest to the next run.
const RUN_BUDGET: Duration = Duration::from_secs(40);

/// Makes and activates a new data key version; returns it.
pub async fn rotate(caller: &Caller) -> DomainResult<i32> {
    caller.require(Permission::KeysManage)?;
    let tenant = caller.workspace.id;
    let version = caller.vault.prepare_rotation(tenant).await?;
    let txn = crate::db::begin_write(&caller.db).await?;
    audit::record(
        &txn,
        &Actor::from(caller),
        "data_key.rotated",
        "workspace",
        &tenant.to_string(),
        json!({ "version": version }),
    )
    .await?;
    let owed = control_changes::owe(&txn, ControlChange::DataKeyActivated { version }).await?;
    txn.commit().await?;
    control_changes::settle(Sides::of(caller), owed).await;
    caller.vault.forget(tenant);
    Ok(version)
}

/// How far re-encryption is: rows in total, and rows on the newest version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RotationProgress {
    pub current_version: i32,
    pub rows: u64,
    pub rows_on_current: u64,
}

impl RotationProgress {
    pub fn done(&self) -> bool {
        self.rows == self.rows_on_current
    }
}

pub async fn progress(caller: &Caller) -> DomainResult<RotationProgress> {
    caller.require(Permission::KeysManage)?;
    let current = caller.field_keys().await?.current_version();
    let db = &caller.db;
    let rows = customer::Entity::find().count(db).await? + sales_order::Entity::find().count(db).await?;
    let on_current = customer::Entity::find().filter(customer::Column::KeyVersion.eq(current)).count(db).await?
        + sales_order::Entity::find().filter(sales_order::Column::KeyVersion.eq(current)).count(db).await?;
    Ok(RotationProgress { current_version: current, rows, rows_on_current: on_current })
}

/// Re-encrypts up to [`BATCH`] older customers and orders of one workspace; returns how many it moved.
pub(crate) async fn reencrypt_batch(db: &DatabaseConnection, keys: &FieldKeys) -> DomainResult<u64> {
    let current = keys.current_version();
    let txn = crate::db::begin_write(db).await?;
    let mut moved = 0;
    let old = customer::Entity::find().filter(customer::Column::KeyVersion.lt(current)).limit(BATCH).all(&txn).await?;
    for row in old {
        let contact = customers::decrypt(keys, &row)?;
        let done = customer::Entity::update_many()
            .set(customer::ActiveModel {
                updated_at: Set(row.updated_at),
                ..customers::sealed(keys, &row.id, &contact)
            })
            .filter(customer::Column::Id.eq(row.id))
            .filter(customer::Column::KeyVersion.eq(row.key_version))
            .exec(&txn)
            .await?;
        moved += done.rows_affected;
    }
    let old =
        sales_order::Entity::find().filter(sales_order::Column::KeyVersion.lt(current)).limit(BATCH).all(&txn).await?;
    for row in old {
        let at = order_field(NOTES, &row.id);
        let notes = keys.decrypt_opt(at, row.notes_enc.as_deref())?;
        let done = sales_order::Entity::update_many()
            .col_expr(sales_order::Column::NotesEnc, Expr::value(keys.encrypt_opt(at, notes.as_deref())))
            .col_expr(sales_order::Column::KeyVersion, Expr::value(current))
            .filter(sales_order::Column::Id.eq(row.id))
            .filter(sales_order::Column::KeyVersion.eq(row.key_version))
            .exec(&txn)
            .await?;
        moved += done.rows_affected;
    }
    txn.commit().await?;
    Ok(moved)
}

/// What one run of the re-encryption did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ReencryptReport {
    pub rows: u64,
    pub workspaces: usize,
}

/// Re-encrypts older rows of every live workspace, batch by batch, within the run's time budget.
pub async fn reencrypt_all(
    control: &DatabaseConnection,
    tenancy: &Tenancy,
    vault: &Vault,
) -> DomainResult<ReencryptReport> {
    let started = std::time::Instant::now();
    let mut report = ReencryptReport::default();
    let live =
        tenant::Entity::find().filter(tenant::Column::Status.eq(tenant::TenantStatus::Active)).all(control).await?;
    for row in live {
        let id = TenantId::from(row.id);
        // The newest version, even if this server cached an older key set.
        vault.forget(id);
        let (db, keys) = (tenancy.open(&row).await?, vault.field_keys(id).await?);
        let mut moved_here = 0;
        loop {
            let moved = reencrypt_batch(&db, &keys).await?;
            moved_here += moved;
            if moved == 0 || started.elapsed() > RUN_BUDGET {
                break;
            }
        }
        if moved_here > 0 {
            report.workspaces += 1;
            report.rows += moved_here;
            tracing::info!(tenant = %id, rows = moved_here, version = keys.current_version(), "re-encrypted rows");
        }
        if started.elapsed() > RUN_BUDGET {
            break;
        }
    }
    Ok(report)
}

/// Registers the re-encryption job.
pub fn register_jobs(scheduler: &Scheduler, control: &DatabaseConnection, tenancy: &Arc<Tenancy>, vault: &Arc<Vault>) {
    let (control, tenancy, vault) = (control.clone(), tenancy.clone(), vault.clone());
    scheduler.register(REENCRYPT_JOB, REENCRYPT_EVERY, move || {
        let (control, tenancy, vault) = (control.clone(), tenancy.clone(), vault.clone());
        async move {
            reencrypt_all(&control, &tenancy, &vault).await?;
            Ok(())
        }
    });
}
