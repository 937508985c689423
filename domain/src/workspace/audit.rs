//! The workspace audit log (AUD1 for workspace events): every change, with actor, time, object,
//! changes, address and request id, written in the same transaction as the change. Admins filter it
//! and export it as CSV. Exports are recorded too, as are administrative requests refused by the admin
//! allowlist. Entries are hash-chained as they are written ([`super::audit_chain`]).

use super::Caller;
use crate::entities::tenant::audit_event;
use crate::error::DomainResult;
use chrono::{DateTime, Utc};
use model::Permission;
use sea_orm::{ColumnTrait as _, ConnectionTrait, EntityTrait as _, TransactionTrait};
use sea_orm::{QueryFilter as _, QueryOrder as _, QuerySelect as _};

/// What kind of actor did it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ActorKind {
    /// A member of the workspace.
    #[default]
    User,
    /// Platform staff (support access).
    Staff,
    /// An integration with an API token.
    ApiToken,
    /// Strongroom itself (background jobs, automatic decisions).
    System,
    /// Someone without an account, holding a signed link the workspace made (DATA5).
    Visitor,
}

impl ActorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Staff => "staff",
            Self::ApiToken => "api_token",
            Self::System => "system",
            Self::Visitor => "visitor",
        }
    }
}

/// Who did it, when it was not a member acting (an invitation being accepted, the system).
#[derive(Debug, Clone)]
pub struct Actor {
    pub kind: ActorKind,
    pub user: Option<uuid::Uuid>,
    pub email: String,
    pub ip: Option<String>,
    pub request_id: Option<String>,
}

impl From<&Caller> for Actor {
    fn from(caller: &Caller) -> Self {
        Self {
            kind: ActorKind::User,
            user: Some(caller.user.as_uuid()),
            email: caller.email.to_string(),
            ip: Some(caller.meta.ip.to_string()),
            request_id: caller.request_id.clone(),
        }
    }
}

impl Actor {
    /// Strongroom itself (a background job).
    pub fn system() -> Self {
        Self { kind: ActorKind::System, user: None, email: "system".to_owned(), ip: None, request_id: None }
    }
}

/// Records one change. `changes` says what changed (before/after, or the values set); never secrets
/// (sensitive values are encrypted under the workspace key before they get here).
pub async fn record<C: ConnectionTrait + TransactionTrait>(
    conn: &C,
    actor: &Actor,
    action: &str,
    object_type: &str,
    object_id: &str,
    changes: serde_json::Value,
) -> DomainResult<()> {
    record_as(conn, new_event_id(), actor, action, object_type, object_id, changes).await
}

/// A new event's id (time-ordered), for changes that bind encrypted values to their event.
pub(crate) fn new_event_id() -> uuid::Uuid {
    uuid::Uuid::now_v7()
}

/// [`record`] under a given event id (from [`new_event_id`]).
pub(crate) async fn record_as<C: ConnectionTrait + TransactionTrait>(
    conn: &C,
    id: uuid::Uuid,
    actor: &Actor,
    action: &str,
    object_type: &str,
    object_id: &str,
    changes: serde_json::Value,
) -> DomainResult<()> {
    let row = audit_event::Model {
        id,
        // Microseconds: what both databases keep, so the hash over it can be checked again.
        at: chrono::SubsecRound::trunc_subsecs(Utc::now(), 6),
        actor_user_id: actor.user,
        actor_email: actor.email.clone(),
        action: action.to_owned(),
        object_type: object_type.to_owned(),
        object_id: object_id.to_owned(),
        changes: changes.to_string(),
        ip: actor.ip.clone(),
        request_id: actor.request_id.clone(),
        seq: None,
        actor_kind: actor.kind.as_str().to_owned(),
        prev_hash: None,
        hash: None,
    };
    super::audit_chain::append(conn, row).await
}

/// What to show of the log.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Part of the actor's email address.
    pub actor: Option<String>,
    /// An action, or its beginning (`member.` for every membership change).
    pub action: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub changes: String,
    pub ip: String,
}

/// The most entries one page or export holds.
pub const MAX_ENTRIES: u64 = 5_000;

async fn query(caller: &Caller, filter: &AuditFilter, limit: u64) -> DomainResult<Vec<AuditEntry>> {
    let mut select = audit_event::Entity::find().order_by_desc(audit_event::Column::Id).limit(limit.min(MAX_ENTRIES));
    if let Some(actor) = filter.actor.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
        select = select.filter(audit_event::Column::ActorEmail.contains(actor.to_lowercase()));
    }
    if let Some(action) = filter.action.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
        select = select.filter(audit_event::Column::Action.starts_with(action));
    }
    if let Some(from) = filter.from {
        select = select.filter(audit_event::Column::At.gte(from));
    }
    if let Some(until) = filter.until {
        select = select.filter(audit_event::Column::At.lt(until));
    }
    Ok(select
        .all(&caller.db)
        .await?
        .into_iter()
        .map(|row| AuditEntry {
            at: row.at,
            actor: row.actor_email,
            action: row.action,
            object_type: row.object_type,
            object_id: row.object_id,
            changes: row.changes,
            ip: row.ip.unwrap_or_default(),
        })
        .collect())
}

pub async fn list(caller: &Caller, filter: &AuditFilter, limit: u64) -> DomainResult<Vec<AuditEntry>> {
    caller.require(Permission::AuditView)?;
    query(caller, filter, limit).await
}

/// The filtered log as CSV (RFC 4180). Cells that a spreadsheet would run as a formula are prefixed
/// with an apostrophe.
pub async fn export_csv(caller: &Caller, filter: &AuditFilter) -> DomainResult<String> {
    caller.require(Permission::AuditExport)?;
    let entries = query(caller, filter, MAX_ENTRIES).await?;
    // Who took a copy of the log, and of what, is itself on the record.
    let described = serde_json::json!({
        "actor": filter.actor, "action": filter.action,
        "from": filter.from.map(|d| d.to_rfc3339()), "until": filter.until.map(|d| d.to_rfc3339()),
        "entries": entries.len(),
    });
    record(&caller.db, &Actor::from(caller), "audit.exported", "audit_log", "workspace", described).await?;
    let mut writer = csv::Writer::from_writer(Vec::new());
    let io = |e: csv::Error| crate::error::DomainError::Io(std::io::Error::other(e));
    writer.write_record(["time", "actor", "action", "object_type", "object_id", "changes", "ip"]).map_err(io)?;
    for entry in entries {
        let at = entry.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let cells = [at, entry.actor, entry.action, entry.object_type, entry.object_id, entry.changes, entry.ip];
        writer.write_record(cells.iter().map(|c| defuse_formula(c))).map_err(io)?;
    }
    let bytes = writer.into_inner().map_err(|e| crate::error::DomainError::Io(std::io::Error::other(e.to_string())))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

pub(crate) fn defuse_formula(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{cell}") } else { cell.to_owned() }
}

#[cfg(test)]
mod tests {
    #[test]
    /// Proves: AUD1
    fn formulas_are_defused() {
        assert_eq!(super::defuse_formula("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(super::defuse_formula("-1"), "'-1");
        assert_eq!(super::defuse_formula("alice@example.com"), "alice@example.com");
    }
}
