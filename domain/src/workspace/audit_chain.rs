//! The audit log as a hash chain per workspace (AUD1): changing, deleting or reordering any entry is
//! detected, and verification names the first entry where the chain breaks.
//!
//! Appending ([`append`]) locks the chain head (one row), so entries get consecutive sequence numbers
//! even with many servers; each entry stores the previous entry's hash and its own:
//! `SHA-256(prev_hash ‖ canonical JSON of its content)`. The head keeps the newest number and hash, so
//! deleting the newest entries is noticed as well. A retention purge ([`purge`]) removes the oldest
//! entries only after the whole chain verified, and leaves a checkpoint (the last removed entry's number
//! and hash) signed with a key derived from the master key: the remaining chain starts from it, and
//! nobody with only database access can forge one to hide a deletion.
//!
//! What the chain cannot show: someone with write access to the database who rewrites an entry *and*
//! every later entry *and* the head. The head is not signed at every write (that would need the master
//! key on every audited write path); checkpoints are.

use super::Caller;
use super::audit::{self, Actor};
use crate::crypto::{KeyPurpose, Keys, mac_matches};
use crate::entities::tenant::{audit_chain_head, audit_checkpoint, audit_event};
use crate::error::{DomainError, DomainResult};
use crate::ids::TenantId;
use chrono::{DateTime, Utc};
use model::Permission;
use sea_orm::sea_query::{Expr, ExprTrait as _};
use sea_orm::{ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, ConnectionTrait, EntityTrait as _};
use sea_orm::{IntoActiveModel as _, PaginatorTrait as _, QueryFilter as _, QueryOrder as _, QuerySelect as _};
use sea_orm::{TransactionSession as _, TransactionTrait};
use serde_json::json;
use sha2::{Digest as _, Sha256};

/// What the first entry of a chain follows.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
const HEAD: i32 = 1;
/// Entries read per query while verifying.
const CHUNK: u64 = 1_000;

/// The hash of an entry: over the previous hash and every field but the hash itself.
fn entry_hash(prev: &str, row: &audit_event::Model) -> String {
    let content = json!([
        row.seq,
        row.id,
        row.at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        row.actor_kind,
        row.actor_user_id,
        row.actor_email,
        row.action,
        row.object_type,
        row.object_id,
        row.changes,
        row.ip,
        row.request_id,
    ]);
    let mut hasher = Sha256::new();
    hasher.update(prev.as_bytes());
    hasher.update(b"\n");
    hasher.update(content.to_string().as_bytes());
    hex::encode(hasher.finalize())
}

/// Appends `row` (without chain fields) to the chain, in a transaction of its own or nested in the
/// caller's (a savepoint), holding the head's lock until that transaction commits.
pub(crate) async fn append<C: ConnectionTrait + TransactionTrait>(
    conn: &C,
    mut row: audit_event::Model,
) -> DomainResult<()> {
    let txn = conn.begin().await?;
    // The increment takes the head's row lock (PostgreSQL) or the write lock (SQLite) first, so no two
    // appends read the same head.
    let moved = audit_chain_head::Entity::update_many()
        .col_expr(audit_chain_head::Column::Seq, Expr::col(audit_chain_head::Column::Seq).add(1))
        .filter(audit_chain_head::Column::Id.eq(HEAD))
        .exec(&txn)
        .await?;
    if moved.rows_affected != 1 {
        return Err(DomainError::Misconfigured("the audit chain head is missing".to_owned()));
    }
    let head = audit_chain_head::Entity::find_by_id(HEAD).one(&txn).await?.ok_or(DomainError::NotFound)?;
    row.seq = Some(head.seq);
    row.prev_hash = Some(head.hash.clone());
    let hash = entry_hash(&head.hash, &row);
    row.hash = Some(hash.clone());
    row.into_active_model().insert(&txn).await?;
    audit_chain_head::Entity::update_many()
        .col_expr(audit_chain_head::Column::Hash, Expr::value(hash))
        .filter(audit_chain_head::Column::Id.eq(HEAD))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

/// Where and why the chain breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Break {
    /// The sequence number of the first entry that does not verify (or that is missing).
    pub seq: i64,
    /// That entry's id, when it exists.
    pub id: Option<uuid::Uuid>,
    pub reason: String,
}

/// What verification found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainReport {
    /// Entries in the chain that verified.
    pub verified: u64,
    /// Entries older than the chain (written before it existed).
    pub unchained: u64,
    /// Where the chain starts after purges (the last purged entry), if it was ever purged.
    pub checkpoint: Option<i64>,
    pub broken: Option<Break>,
}

impl ChainReport {
    pub fn holds(&self) -> bool {
        self.broken.is_none()
    }
}

fn checkpoint_signature(keys: &Keys, tenant: TenantId, seq: i64, hash: &str) -> String {
    let tenant = tenant.to_string();
    keys.mac(KeyPurpose::AuditCheckpoint, &[tenant.as_bytes(), seq.to_string().as_bytes(), hash.as_bytes()])
}

/// Verifies a workspace's whole chain.
pub async fn verify<C: ConnectionTrait>(db: &C, keys: &Keys, tenant: TenantId) -> DomainResult<ChainReport> {
    let unchained = audit_event::Entity::find().filter(audit_event::Column::Seq.is_null()).count(db).await?;
    let checkpoint = audit_checkpoint::Entity::find().order_by_desc(audit_checkpoint::Column::UptoSeq).one(db).await?;
    let mut report =
        ChainReport { verified: 0, unchained, checkpoint: checkpoint.as_ref().map(|c| c.upto_seq), broken: None };
    let (mut expected, mut prev) = match &checkpoint {
        Some(c) => {
            if !mac_matches(&checkpoint_signature(keys, tenant, c.upto_seq, &c.upto_hash), &c.signature) {
                report.broken = Some(Break {
                    seq: c.upto_seq + 1,
                    id: None,
                    reason: "the purge checkpoint before it is not genuine (its signature does not match)".to_owned(),
                });
                return Ok(report);
            }
            (c.upto_seq + 1, c.upto_hash.clone())
        }
        None => (1, GENESIS.to_owned()),
    };
    let mut from = expected;
    loop {
        let rows = audit_event::Entity::find()
            .filter(audit_event::Column::Seq.gte(from))
            .order_by_asc(audit_event::Column::Seq)
            .limit(CHUNK)
            .all(db)
            .await?;
        let last = rows.len() < CHUNK as usize;
        for row in rows {
            let seq = row.seq.unwrap_or_default();
            let broken = |reason: &str| Some(Break { seq: expected, id: Some(row.id), reason: reason.to_owned() });
            report.broken = if seq != expected {
                Some(Break {
                    seq: expected,
                    id: None,
                    reason: format!("entry {expected} is missing (deleted or renumbered; the next one found is {seq})"),
                })
            } else if row.prev_hash.as_deref() != Some(prev.as_str()) {
                broken("it does not follow the entry before it (entries were reordered, or the one before was changed)")
            } else if row.hash.as_deref() != Some(entry_hash(&prev, &row).as_str()) {
                broken("its content was changed after it was written")
            } else {
                None
            };
            if report.broken.is_some() {
                return Ok(report);
            }
            prev = row.hash.clone().unwrap_or_default();
            expected += 1;
            report.verified += 1;
        }
        if last {
            break;
        }
        from = expected;
    }
    let head = audit_chain_head::Entity::find_by_id(HEAD).one(db).await?;
    match head {
        Some(head) if head.seq == expected - 1 && head.hash == prev => {}
        Some(head) if head.seq >= expected => {
            report.broken = Some(Break {
                seq: expected,
                id: None,
                reason: format!("entries {expected} to {} are missing (the newest entries were deleted)", head.seq),
            })
        }
        _ => {
            report.broken = Some(Break {
                seq: expected - 1,
                id: None,
                reason: "the chain's head does not match its newest entry".to_owned(),
            })
        }
    }
    Ok(report)
}

/// Whether the caller's workspace's chain holds (`audit.view`).
pub async fn status(caller: &Caller) -> DomainResult<ChainReport> {
    caller.require(Permission::AuditView)?;
    verify(&caller.db, caller.vault.keys(), caller.workspace.id).await
}

/// Removes entries written before `before`, once the whole chain verifies, leaving a signed
/// checkpoint; returns how many were removed. The purge itself is an entry of the chain.
pub(crate) async fn purge(
    db: &sea_orm::DatabaseConnection,
    keys: &Keys,
    tenant: TenantId,
    before: DateTime<Utc>,
) -> DomainResult<u64> {
    let report = verify(db, keys, tenant).await?;
    if let Some(broken) = report.broken {
        return Err(DomainError::Tampered(format!(
            "workspace {tenant}: the audit chain breaks at entry {} ({}); not purging",
            broken.seq, broken.reason
        )));
    }
    let txn = crate::db::begin_write(db).await?;
    let last = audit_event::Entity::find()
        .filter(audit_event::Column::At.lt(before))
        .filter(audit_event::Column::Seq.is_not_null())
        .order_by_desc(audit_event::Column::Seq)
        .one(&txn)
        .await?;
    let mut purged = audit_event::Entity::delete_many()
        .filter(audit_event::Column::Seq.is_null())
        .filter(audit_event::Column::At.lt(before))
        .exec(&txn)
        .await?
        .rows_affected;
    let upto = last.as_ref().and_then(|l| l.seq);
    if let Some(last) = last {
        let (seq, hash) = (last.seq.unwrap_or_default(), last.hash.clone().unwrap_or_default());
        purged += audit_event::Entity::delete_many()
            .filter(audit_event::Column::Seq.lte(seq))
            .exec(&txn)
            .await?
            .rows_affected;
        audit_checkpoint::ActiveModel {
            id: Set(uuid::Uuid::now_v7()),
            upto_seq: Set(seq),
            upto_hash: Set(hash.clone()),
            purged: Set(purged as i64),
            created_at: Set(Utc::now()),
            signature: Set(checkpoint_signature(keys, tenant, seq, &hash)),
        }
        .insert(&txn)
        .await?;
    }
    if purged > 0 {
        let changes = json!({ "purged": purged, "before": before.to_rfc3339(), "upto_seq": upto });
        audit::record(&txn, &Actor::system(), "audit.purged", "audit_log", "workspace", changes).await?;
    }
    txn.commit().await?;
    Ok(purged)
}

/// The purge job: every live workspace's entries written before `before`.
pub(crate) async fn purge_all(
    control: &sea_orm::DatabaseConnection,
    tenancy: &crate::tenancy::Tenancy,
    keys: &Keys,
    before: DateTime<Utc>,
) -> DomainResult<u64> {
    let mut total = 0;
    for (workspace, db) in tenancy.live_databases(control).await? {
        match purge(&db, keys, workspace.id, before).await {
            Ok(purged) => total += purged,
            Err(error) => tracing::error!(%error, tenant = %workspace.id, "audit log not purged"),
        }
    }
    Ok(total)
}
