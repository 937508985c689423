//! The first half of a portable export (OPS2): every table of a workspace's live database, read in one
//! consistent snapshot, written into a new SQLite file that has the workspace's own schema, whatever the
//! live database is (SQLite or PostgreSQL). Sealed fields are opened on the way, since whoever opens the
//! export has no keys, and their columns are renamed to say so (`email_enc` becomes `email`).
//!
//! Each table is read as one stream and written in batches, so memory stays flat however large the
//! workspace. A table of the schema that this file does not copy fails the export: a new table cannot
//! be left out of customers' exports by accident.

use crate::backup::snapshot;
use crate::crypto::FieldKeys;
use crate::db::{self, PoolLimits};
use crate::entities::tenant::{
    approval_decision, attachment, audit_chain_head, audit_checkpoint, audit_event, billing_checkout, billing_event,
    counter, customer, member, member_role, notification, order_link, pending_control_change, purchase_order,
    purchase_request, purchase_request_line, purchasing_setting, reveal_count, role, sales_order, sales_order_line,
    subscription, supplier, workspace_profile,
};
use crate::error::{DomainError, DomainResult};
use crate::workspace::sales::{columns::NOTES, customers, order_field};
use futures_util::TryStreamExt as _;
use sea_orm::TransactionTrait as _;
use sea_orm::{ActiveModelTrait, ConnectionTrait as _, DatabaseConnection, DatabaseTransaction};
use sea_orm::{EntityTrait, IntoActiveModel, Iterable as _, PrimaryKeyToColumn as _, QueryOrder as _};
use std::collections::BTreeMap;
use std::path::Path;

/// Rows written per insert.
const BATCH: usize = 200;

/// The columns that are sealed live and clear in the export: (table, live name, name in the export).
pub const OPENED_COLUMNS: [(&str, &str, &str); 5] = [
    ("customers", "email_enc", "email"),
    ("customers", "phone_enc", "phone"),
    ("customers", "address_enc", "address"),
    ("customers", "notes_enc", "notes"),
    ("sales_orders", "notes_enc", "notes"),
];

/// The migrations' own table: part of the schema, not of the workspace's data.
pub fn migrations_table() -> String {
    use migrations::MigratorTrait as _;
    migrations::TenantMigrator::migration_table_name().to_string()
}

/// Rows copied, by table.
pub type Copied = BTreeMap<String, u64>;

/// Copies every table of `live` into a new SQLite file at `into`, opening sealed fields with `keys`.
#[tracing::instrument(skip(live, keys))]
pub async fn live_into_sqlite(live: &DatabaseConnection, keys: &FieldKeys, into: &Path) -> DomainResult<Copied> {
    let url = format!("sqlite://{}?mode=rwc", into.display());
    snapshot::migrate_tenant_copy(&url).await?;
    let export = db::connect(&url, PoolLimits { max_connections: 1, ..PoolLimits::TENANT }).await?;
    // Rows arrive table by table, not parents first.
    export.execute_unprepared("PRAGMA foreign_keys = OFF").await?;
    let from = db::begin_snapshot(live).await?;
    let to = export.begin().await?;
    // The migrations seed some rows (the audit chain's head, for one): the live ones replace them.
    let tables = schema_tables(into).await?;
    for table in &tables {
        to.execute_unprepared(&format!("DELETE FROM {}", snapshot::quote_ident(table))).await?;
    }
    let copied = copy_all(&from, &to, keys).await?;
    every_table_copied(&tables, &copied)?;
    to.commit().await?;
    from.rollback().await?;
    for (table, sealed, clear) in OPENED_COLUMNS {
        export.execute_unprepared(&format!("ALTER TABLE {table} RENAME COLUMN {sealed} TO {clear}")).await?;
    }
    // One file that stands alone: no write-ahead log beside it.
    export.execute_unprepared("PRAGMA journal_mode = DELETE").await?;
    export.close().await?;
    Ok(copied)
}

async fn copy_all(from: &DatabaseTransaction, to: &DatabaseTransaction, keys: &FieldKeys) -> DomainResult<Copied> {
    let mut copied = Copied::new();
    copy::<approval_decision::Entity>(from, to, &mut copied, Ok).await?;
    copy::<attachment::Entity>(from, to, &mut copied, Ok).await?;
    copy::<audit_chain_head::Entity>(from, to, &mut copied, Ok).await?;
    copy::<audit_checkpoint::Entity>(from, to, &mut copied, Ok).await?;
    copy::<audit_event::Entity>(from, to, &mut copied, |mut row| {
        let mut changes: serde_json::Value = serde_json::from_str(&row.changes)
            .map_err(|e| DomainError::Tampered(format!("audit entry {} has changes that are not JSON: {e}", row.id)))?;
        customers::open_changes(keys, &row.id, &mut changes)?;
        row.changes = changes.to_string();
        Ok(row)
    })
    .await?;
    copy::<billing_checkout::Entity>(from, to, &mut copied, Ok).await?;
    copy::<billing_event::Entity>(from, to, &mut copied, Ok).await?;
    copy::<counter::Entity>(from, to, &mut copied, Ok).await?;
    copy::<customer::Entity>(from, to, &mut copied, |row| {
        let contact = customers::decrypt(keys, &row)?;
        Ok(customer::Model {
            email_enc: contact.email,
            phone_enc: contact.phone,
            address_enc: contact.address,
            notes_enc: contact.notes,
            ..row
        })
    })
    .await?;
    copy::<member::Entity>(from, to, &mut copied, Ok).await?;
    copy::<member_role::Entity>(from, to, &mut copied, Ok).await?;
    copy::<notification::Entity>(from, to, &mut copied, Ok).await?;
    copy::<order_link::Entity>(from, to, &mut copied, Ok).await?;
    copy::<pending_control_change::Entity>(from, to, &mut copied, Ok).await?;
    copy::<purchase_order::Entity>(from, to, &mut copied, Ok).await?;
    copy::<purchase_request::Entity>(from, to, &mut copied, Ok).await?;
    copy::<purchase_request_line::Entity>(from, to, &mut copied, Ok).await?;
    copy::<purchasing_setting::Entity>(from, to, &mut copied, Ok).await?;
    copy::<reveal_count::Entity>(from, to, &mut copied, Ok).await?;
    copy::<role::Entity>(from, to, &mut copied, Ok).await?;
    copy::<sales_order::Entity>(from, to, &mut copied, |row| {
        let notes = keys.decrypt_opt(order_field(NOTES, &row.id), row.notes_enc.as_deref())?;
        Ok(sales_order::Model { notes_enc: notes, ..row })
    })
    .await?;
    copy::<sales_order_line::Entity>(from, to, &mut copied, Ok).await?;
    copy::<subscription::Entity>(from, to, &mut copied, Ok).await?;
    copy::<supplier::Entity>(from, to, &mut copied, Ok).await?;
    copy::<workspace_profile::Entity>(from, to, &mut copied, Ok).await?;
    Ok(copied)
}

/// Copies the rows of `E`, in primary-key order, each passed through `open`.
async fn copy<E>(
    from: &DatabaseTransaction,
    to: &DatabaseTransaction,
    copied: &mut Copied,
    open: impl Fn(E::Model) -> DomainResult<E::Model>,
) -> DomainResult<()>
where
    E: EntityTrait,
    E::Model: IntoActiveModel<E::ActiveModel> + Send + Sync,
    E::ActiveModel: ActiveModelTrait<Entity = E> + Send,
{
    let mut query = E::find();
    for key in E::PrimaryKey::iter() {
        query = query.order_by_asc(key.into_column());
    }
    let mut rows = 0;
    let mut batch = Vec::with_capacity(BATCH);
    {
        let mut stream = query.stream(from).await?;
        while let Some(row) = stream.try_next().await? {
            batch.push(open(row)?.into_active_model());
            if batch.len() == BATCH {
                rows += E::insert_many(std::mem::take(&mut batch)).exec_without_returning(to).await?;
            }
        }
    }
    rows += E::insert_many(batch).exec_without_returning(to).await?;
    copied.insert(E::default().table_name().to_owned(), rows);
    Ok(())
}

/// The tables of the export's schema, but the migrations' own.
async fn schema_tables(export: &Path) -> DomainResult<Vec<String>> {
    let mut conn = snapshot::open_sqlite(export, true).await?;
    let tables = snapshot::sqlite_tables(&mut conn, "main").await?;
    sea_orm::sqlx::Connection::close(conn).await.map_err(snapshot::sqlx_error)?;
    let own = migrations_table();
    Ok(tables.into_iter().filter(|t| *t != own).collect())
}

/// Fails unless every table of the export's schema was copied.
fn every_table_copied(tables: &[String], copied: &Copied) -> DomainResult<()> {
    match tables.iter().find(|t| !copied.contains_key(t.as_str())) {
        Some(missing) => {
            Err(DomainError::Misconfigured(format!("the portable export does not copy the table {missing}")))
        }
        None => Ok(()),
    }
}
