//! Workspace keys and field encryption (DATA2): envelope encryption with a data key per workspace.
//!
//! Each workspace has random AES-256 *data keys* (versioned; the newest active one encrypts new writes)
//! and a random *index key* (keyed blind index for exact-match search). They are stored in the control
//! plane's `workspace_keys`, never in the workspace's own database, each sealed (AES-256-GCM) under the
//! master key's [`KeyPurpose::WorkspaceKeyWrap`] key, with the id of the master key that wrapped it:
//!
//! - a copy of a workspace database holds only ciphertext, and so does its backup;
//! - rotating the master key re-wraps these rows and touches no workspace data ([`rewrap_all`]);
//! - deleting a workspace's rows here ([`Vault::shred`]) makes every copy of its data unreadable, with or
//!   without the master key (the data keys were random, not derived from it).
//!
//! A field's ciphertext is `v<version>.<base64(nonce ‖ ciphertext ‖ tag)>`, its associated data the
//! workspace, table, column and row, so a ciphertext copied to another row, column, table or workspace
//! does not decrypt: that is reported as tampering ([`FieldError::Tampered`]), never shown as empty.

use super::seal;
use super::{KeyPurpose, Keys};
use crate::entities::control::{tenant, workspace_key};
use crate::error::{DomainError, DomainResult};
use crate::ids::TenantId;
use chrono::Utc;
use quick_cache::sync::Cache;
use rand::RngCore as _;
use sea_orm::QueryFilter as _;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ActiveValue::Set, ColumnTrait as _, ConnectionTrait, DatabaseConnection, EntityTrait as _};
use secrecy::{ExposeSecret as _, SecretBox};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

const DATA: &str = "data";
const INDEX: &str = "index";
const ACTIVE: &str = "active";
const PENDING: &str = "pending";

/// How long a server keeps a workspace's unwrapped keys before reading them again: bounds how long a
/// rotation takes to reach every server, and how long another server could still decrypt after a shred.
pub const CACHE_FOR: Duration = Duration::from_secs(30);

/// Where a field's value lives: its associated data.
#[derive(Debug, Clone, Copy)]
pub struct FieldRef<'a> {
    pub table: &'static str,
    pub column: &'static str,
    pub row: &'a uuid::Uuid,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FieldError {
    /// The ciphertext does not belong here (moved from another row, column or workspace) or was altered.
    #[error("tampering: the ciphertext of {table}.{column} in row {row} does not belong there or was altered")]
    Tampered { table: &'static str, column: &'static str, row: uuid::Uuid },
    /// It names a key version this workspace does not have (destroyed, or never made).
    #[error("no data key version {version} for {table}.{column} in row {row}")]
    UnknownKey { table: &'static str, column: &'static str, row: uuid::Uuid, version: i32 },
}

impl From<FieldError> for DomainError {
    fn from(error: FieldError) -> Self {
        tracing::error!(%error, "a sensitive field could not be decrypted");
        DomainError::Tampered(error.to_string())
    }
}

/// One workspace's unwrapped keys.
pub struct FieldKeys {
    pub(super) tenant: TenantId,
    pub(super) current: i32,
    pub(super) data: BTreeMap<i32, SecretBox<[u8; 32]>>,
    pub(super) index: SecretBox<[u8; 32]>,
}

impl FieldKeys {
    /// The data key version new writes use.
    pub fn current_version(&self) -> i32 {
        self.current
    }

    pub(super) fn aad(&self, at: FieldRef<'_>) -> Vec<u8> {
        let tenant = self.tenant.to_string();
        let row = at.row.to_string();
        let parts: [&[u8]; 5] =
            [b"strongroom/field/v1", tenant.as_bytes(), at.table.as_bytes(), at.column.as_bytes(), row.as_bytes()];
        let mut aad = Vec::new();
        for part in parts {
            aad.extend_from_slice(&(part.len() as u32).to_be_bytes());
            aad.extend_from_slice(part);
        }
        aad
    }

    /// Encrypts `plaintext` for the field `at` under the current data key.
    pub fn encrypt(&self, at: FieldRef<'_>, plaintext: &str) -> String {
        let key = self.data.get(&self.current).expect("the current version is loaded");
        format!("v{}.{}", self.current, seal::seal(key.expose_secret(), &self.aad(at), plaintext.as_bytes()))
    }

    pub fn encrypt_opt(&self, at: FieldRef<'_>, plaintext: Option<&str>) -> Option<String> {
        plaintext.map(|p| self.encrypt(at, p))
    }

    /// Decrypts the field `at`; anything that does not open here is tampering.
    pub fn decrypt(&self, at: FieldRef<'_>, sealed: &str) -> Result<String, FieldError> {
        let tampered = || FieldError::Tampered { table: at.table, column: at.column, row: *at.row };
        let (version, body) = sealed.strip_prefix('v').and_then(|s| s.split_once('.')).ok_or_else(tampered)?;
        let version: i32 = version.parse().map_err(|_| tampered())?;
        let key = self.data.get(&version).ok_or(FieldError::UnknownKey {
            table: at.table,
            column: at.column,
            row: *at.row,
            version,
        })?;
        let plain = seal::open(key.expose_secret(), &self.aad(at), body).map_err(|_| tampered())?;
        String::from_utf8(plain).map_err(|_| tampered())
    }

    pub fn decrypt_opt(&self, at: FieldRef<'_>, sealed: Option<&str>) -> Result<Option<String>, FieldError> {
        sealed.map(|s| self.decrypt(at, s)).transpose()
    }

    // ---- backups (OPS1): a backup's own random key, wrapped by this workspace's data key ----

    fn backup_aad(&self, context: &str) -> Vec<u8> {
        let tenant = self.tenant.to_string();
        let mut aad = Vec::new();
        for part in [b"strongroom/backup-key/v1".as_slice(), tenant.as_bytes(), context.as_bytes()] {
            aad.extend_from_slice(&(part.len() as u32).to_be_bytes());
            aad.extend_from_slice(part);
        }
        aad
    }

    /// Wraps a backup's key under the current data key, bound to `context` (the backup's id); returns
    /// the data key version used. Shredding the workspace destroys that key, and so every backup's key.
    pub fn wrap_backup_key(&self, context: &str, key: &[u8; 32]) -> (i32, String) {
        let data = self.data.get(&self.current).expect("the current version is loaded");
        (self.current, seal::seal(data.expose_secret(), &self.backup_aad(context), key))
    }

    /// Unwraps a backup's key wrapped by [`FieldKeys::wrap_backup_key`].
    pub fn unwrap_backup_key(&self, version: i32, context: &str, sealed: &str) -> DomainResult<SecretBox<[u8; 32]>> {
        let data = self.data.get(&version).ok_or(DomainError::KeysDestroyed(self.tenant))?;
        let bytes = seal::open(data.expose_secret(), &self.backup_aad(context), sealed)
            .map_err(|_| DomainError::Tampered(format!("the key of backup {context} does not open")))?;
        let key: [u8; 32] = bytes
            .try_into()
            .map_err(|_| DomainError::Tampered(format!("the key of backup {context} has the wrong length")))?;
        Ok(SecretBox::new(Box::new(key)))
    }

    /// The keyed blind index of `normalized` (already trimmed and lower-cased) in `column`: equal inputs
    /// give equal indexes, and without the workspace's index key nobody can compute or test one.
    pub fn blind_index(&self, column: &str, normalized: &str) -> String {
        super::mac_hex(
            self.index.expose_secret(),
            &[b"strongroom/blind-index/v1", column.as_bytes(), normalized.as_bytes()],
        )
    }
}

/// The keys of every workspace, unwrapped on demand and cached briefly.
pub struct Vault {
    control: DatabaseConnection,
    keys: Arc<Keys>,
    cache: Cache<TenantId, (Instant, Arc<FieldKeys>)>,
}

fn random_key() -> [u8; 32] {
    let mut key = [0u8; 32];
    rand::rng().fill_bytes(&mut key);
    key
}

fn wrap_context(tenant: uuid::Uuid, purpose: &str, version: i32) -> String {
    format!("workspace_keys:{tenant}:{purpose}:{version}")
}

/// The id of a master key (from its derived keys): which master key wrapped a row.
pub fn master_key_id(keys: &Keys) -> String {
    keys.mac(KeyPurpose::WorkspaceKeyWrap, &[b"strongroom/master-key-id/v1"])[..32].to_owned()
}

fn wrap(keys: &Keys, tenant: uuid::Uuid, purpose: &str, version: i32, key: &[u8; 32]) -> String {
    keys.seal(KeyPurpose::WorkspaceKeyWrap, &wrap_context(tenant, purpose, version), key)
}

fn unwrap(keys: &Keys, row: &workspace_key::Model) -> DomainResult<SecretBox<[u8; 32]>> {
    let ours = master_key_id(keys);
    if row.master_key_id != ours {
        return Err(DomainError::Misconfigured(format!(
            "workspace {} keys are wrapped under master key {}, but this server has master key {ours} \
             (finish or undo the master key rotation)",
            row.tenant_id, row.master_key_id
        )));
    }
    let bytes = keys
        .open(KeyPurpose::WorkspaceKeyWrap, &wrap_context(row.tenant_id, &row.purpose, row.version), &row.wrapped)
        .map_err(|_| {
            DomainError::Tampered(format!(
                "the wrapped {} key {} of workspace {}",
                row.purpose, row.version, row.tenant_id
            ))
        })?;
    let key: [u8; 32] = bytes.try_into().map_err(|_| {
        DomainError::Tampered(format!(
            "the {} key {} of workspace {} has the wrong length",
            row.purpose, row.version, row.tenant_id
        ))
    })?;
    Ok(SecretBox::new(Box::new(key)))
}

fn new_row(keys: &Keys, tenant: uuid::Uuid, purpose: &str, version: i32, state: &str) -> workspace_key::ActiveModel {
    let now = Utc::now();
    workspace_key::ActiveModel {
        tenant_id: Set(tenant),
        purpose: Set(purpose.to_owned()),
        version: Set(version),
        wrapped: Set(wrap(keys, tenant, purpose, version, &random_key())),
        master_key_id: Set(master_key_id(keys)),
        state: Set(state.to_owned()),
        created_at: Set(now),
        activated_at: Set((state == ACTIVE).then_some(now)),
    }
}

impl Vault {
    pub fn new(control: DatabaseConnection, keys: Arc<Keys>) -> Self {
        Self { control, keys, cache: Cache::new(1024) }
    }

    /// The keys of `tenant` (made on first use for a live workspace; a deleted one has none).
    pub async fn field_keys(&self, tenant: TenantId) -> DomainResult<Arc<FieldKeys>> {
        if let Some((at, keys)) = self.cache.get(&tenant)
            && at.elapsed() < CACHE_FOR
        {
            return Ok(keys);
        }
        let keys = Arc::new(self.load(tenant).await?);
        self.cache.insert(tenant, (Instant::now(), keys.clone()));
        Ok(keys)
    }

    /// The master key's derived keys (for signatures that belong with the workspace keys).
    pub fn keys(&self) -> &Keys {
        &self.keys
    }

    /// Forgets this server's copy of a workspace's keys (after a rotation or a shred).
    pub fn forget(&self, tenant: TenantId) {
        self.cache.remove(&tenant);
    }

    async fn rows(&self, tenant: TenantId) -> DomainResult<Vec<workspace_key::Model>> {
        Ok(workspace_key::Entity::find()
            .filter(workspace_key::Column::TenantId.eq(tenant.as_uuid()))
            .filter(workspace_key::Column::State.eq(ACTIVE))
            .all(&self.control)
            .await?)
    }

    async fn load(&self, tenant: TenantId) -> DomainResult<FieldKeys> {
        let mut rows = self.rows(tenant).await?;
        if !rows.iter().any(|r| r.purpose == DATA) || !rows.iter().any(|r| r.purpose == INDEX) {
            self.create_first(tenant).await?;
            rows = self.rows(tenant).await?;
        }
        let mut data = BTreeMap::new();
        let mut index = None;
        for row in &rows {
            let key = unwrap(&self.keys, row)?;
            match row.purpose.as_str() {
                DATA => {
                    data.insert(row.version, key);
                }
                INDEX => index = Some(key),
                _ => {}
            }
        }
        let destroyed = || DomainError::KeysDestroyed(tenant);
        let current = *data.keys().next_back().ok_or_else(destroyed)?;
        Ok(FieldKeys { tenant, current, data, index: index.ok_or_else(destroyed)? })
    }

    /// Version 1 of the data and index keys, only while the workspace is live in the registry (never
    /// again after it was deleted and shredded).
    async fn create_first(&self, tenant: TenantId) -> DomainResult<()> {
        // A write transaction from the start: on SQLite, two first uses at once that both read first
        // and then write would deadlock, and one would be refused with "database is locked".
        let txn = crate::db::begin_write(&self.control).await?;
        let live = tenant::Entity::find_by_id(tenant.as_uuid())
            .one(&txn)
            .await?
            .is_some_and(|row| row.status != tenant::TenantStatus::Deleted);
        if !live {
            return Err(DomainError::KeysDestroyed(tenant));
        }
        for purpose in [DATA, INDEX] {
            workspace_key::Entity::insert(new_row(&self.keys, tenant.as_uuid(), purpose, 1, ACTIVE))
                .on_conflict(
                    OnConflict::columns([
                        workspace_key::Column::TenantId,
                        workspace_key::Column::Purpose,
                        workspace_key::Column::Version,
                    ])
                    .do_nothing()
                    .to_owned(),
                )
                .exec_without_returning(&txn)
                .await?;
        }
        txn.commit().await?;
        Ok(())
    }

    /// Makes a new data key version, not yet used ("pending"): the workspace records the rotation and
    /// owes its activation (the cross-database rule). A pending key left by a crash is harmless.
    pub(crate) async fn prepare_rotation(&self, tenant: TenantId) -> DomainResult<i32> {
        let current = self.field_keys(tenant).await?.current_version();
        let highest = workspace_key::Entity::find()
            .filter(workspace_key::Column::TenantId.eq(tenant.as_uuid()))
            .filter(workspace_key::Column::Purpose.eq(DATA))
            .all(&self.control)
            .await?
            .into_iter()
            .map(|r| r.version)
            .max()
            .unwrap_or(current);
        let version = highest.max(current) + 1;
        workspace_key::Entity::insert(new_row(&self.keys, tenant.as_uuid(), DATA, version, PENDING))
            .exec_without_returning(&self.control)
            .await?;
        Ok(version)
    }

    /// How many key rows (all purposes and versions) `tenant` has in the control plane.
    pub async fn key_rows(&self, tenant: TenantId) -> DomainResult<usize> {
        Ok(workspace_key::Entity::find()
            .filter(workspace_key::Column::TenantId.eq(tenant.as_uuid()))
            .all(&self.control)
            .await?
            .len())
    }

    /// Crypto-shredding: destroys every key of `tenant`, in `txn` (which marks the workspace deleted in
    /// the same control-plane transaction), and forgets this server's copy.
    pub(crate) async fn shred<C: ConnectionTrait>(&self, txn: &C, tenant: TenantId) -> DomainResult<u64> {
        let deleted = workspace_key::Entity::delete_many()
            .filter(workspace_key::Column::TenantId.eq(tenant.as_uuid()))
            .exec(txn)
            .await?
            .rows_affected;
        self.forget(tenant);
        Ok(deleted)
    }
}

/// Makes a prepared data key version active (applied from a workspace's owed change; idempotent).
pub(crate) async fn activate<C: ConnectionTrait>(txn: &C, tenant: uuid::Uuid, version: i32) -> DomainResult<()> {
    workspace_key::Entity::update_many()
        .col_expr(workspace_key::Column::State, Expr::value(ACTIVE))
        .col_expr(workspace_key::Column::ActivatedAt, Expr::value(Some(Utc::now())))
        .filter(workspace_key::Column::TenantId.eq(tenant))
        .filter(workspace_key::Column::Purpose.eq(DATA))
        .filter(workspace_key::Column::Version.eq(version))
        .filter(workspace_key::Column::State.eq(PENDING))
        .exec(txn)
        .await?;
    Ok(())
}

/// What a master key rotation did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RewrapReport {
    /// Rows now wrapped under the new master key.
    pub rewrapped: usize,
    /// Rows that already were (a rotation run again).
    pub already: usize,
}

/// Master key rotation: re-wraps every workspace key wrapped under `old` so it is wrapped under `new`,
/// in one control-plane transaction (all or nothing). Workspace databases are not touched: their
/// ciphertext is under the data keys, which do not change.
pub async fn rewrap_all(control: &DatabaseConnection, old: &Keys, new: &Keys) -> DomainResult<RewrapReport> {
    let (old_id, new_id) = (master_key_id(old), master_key_id(new));
    let txn = crate::db::begin_write(control).await?;
    let mut report = RewrapReport::default();
    for row in workspace_key::Entity::find().all(&txn).await? {
        if row.master_key_id == new_id {
            report.already += 1;
            continue;
        }
        if row.master_key_id != old_id {
            return Err(DomainError::Misconfigured(format!(
                "workspace {} has a key wrapped under master key {}, which is neither the old ({old_id}) nor the new one ({new_id})",
                row.tenant_id, row.master_key_id
            )));
        }
        let key = unwrap(old, &row)?;
        workspace_key::Entity::update_many()
            .col_expr(
                workspace_key::Column::Wrapped,
                Expr::value(wrap(new, row.tenant_id, &row.purpose, row.version, key.expose_secret())),
            )
            .col_expr(workspace_key::Column::MasterKeyId, Expr::value(new_id.clone()))
            .filter(workspace_key::Column::TenantId.eq(row.tenant_id))
            .filter(workspace_key::Column::Purpose.eq(row.purpose.clone()))
            .filter(workspace_key::Column::Version.eq(row.version))
            .exec(&txn)
            .await?;
        report.rewrapped += 1;
    }
    txn.commit().await?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_keys(versions: &[i32]) -> FieldKeys {
        let mut data = BTreeMap::new();
        for v in versions {
            data.insert(*v, SecretBox::new(Box::new(random_key())));
        }
        FieldKeys {
            tenant: TenantId::new_random(),
            current: *versions.iter().max().unwrap(),
            data,
            index: SecretBox::new(Box::new(random_key())),
        }
    }

    #[test]
    /// Proves: DATA2
    fn a_ciphertext_opens_only_in_its_own_row_and_column() {
        let keys = field_keys(&[1]);
        let (row, other) = (uuid::Uuid::new_v4(), uuid::Uuid::new_v4());
        let at = FieldRef { table: "customers", column: "phone", row: &row };
        let sealed = keys.encrypt(at, "+49 170 1234512");
        assert!(sealed.starts_with("v1."));
        assert_eq!(keys.decrypt(at, &sealed).unwrap(), "+49 170 1234512");
        let moved_row = FieldRef { row: &other, ..at };
        assert_eq!(
            keys.decrypt(moved_row, &sealed),
            Err(FieldError::Tampered { table: "customers", column: "phone", row: other })
        );
        let moved_column = FieldRef { column: "email", ..at };
        assert!(matches!(keys.decrypt(moved_column, &sealed), Err(FieldError::Tampered { .. })));
        let moved_table = FieldRef { table: "sales_orders", ..at };
        assert!(matches!(keys.decrypt(moved_table, &sealed), Err(FieldError::Tampered { .. })));
        // One base64 character near the end changed (to one it is not: the ciphertext is random); ten from
        // the end, all six of its bits are data, whatever the padding.
        let mut altered = sealed.clone();
        let at_char = sealed.len() - 10;
        let replacement = if &sealed[at_char..=at_char] == "A" { "B" } else { "A" };
        altered.replace_range(at_char..=at_char, replacement);
        assert_ne!(altered, sealed);
        assert!(matches!(keys.decrypt(at, &altered), Err(FieldError::Tampered { .. })), "altered");
        assert!(matches!(keys.decrypt(at, "plain text"), Err(FieldError::Tampered { .. })));
        let other_workspace = field_keys(&[1]);
        assert!(matches!(other_workspace.decrypt(at, &sealed), Err(FieldError::Tampered { .. })));
    }

    #[test]
    /// Proves: DATA2
    fn new_writes_use_the_newest_version_and_old_versions_still_open() {
        let old = field_keys(&[1]);
        let row = uuid::Uuid::new_v4();
        let at = FieldRef { table: "customers", column: "email", row: &row };
        let sealed_v1 = old.encrypt(at, "a@example.com");
        let mut rotated = field_keys(&[1, 2]);
        rotated.tenant = old.tenant;
        rotated.data.insert(1, SecretBox::new(Box::new(*old.data[&1].expose_secret())));
        assert!(rotated.encrypt(at, "x").starts_with("v2."));
        assert_eq!(rotated.decrypt(at, &sealed_v1).unwrap(), "a@example.com");
        rotated.data.remove(&1);
        assert!(matches!(rotated.decrypt(at, &sealed_v1), Err(FieldError::UnknownKey { version: 1, .. })));
    }

    #[test]
    fn blind_indexes_are_keyed_and_per_column() {
        let (a, b) = (field_keys(&[1]), field_keys(&[1]));
        assert_eq!(a.blind_index("email", "x@example.com"), a.blind_index("email", "x@example.com"));
        assert_ne!(a.blind_index("email", "x@example.com"), b.blind_index("email", "x@example.com"));
        assert_ne!(a.blind_index("email", "x@example.com"), a.blind_index("phone", "x@example.com"));
    }
}
