//! The cross-database rule: how a change that spans a workspace's database and the control plane stays
//! consistent and audited whatever crashes in between (member removal, role changes and the
//! `memberships.administrative` flag sign-in reads, invitations, policies, workspace creation, the
//! mails after purchase requests, and data key rotations).
//!
//! **The workspace database commits first, and it holds the debt.** Such an operation writes, in *one*
//! transaction of the workspace database, its change, its audit event, and the control-plane change it
//! owes, as a row of `pending_control_changes` ([`owe`]). After that commit the owed change is applied to
//! the control plane in one control-plane transaction that also records the change's id in
//! `applied_control_changes`, so applying it a second time does nothing; then the workspace row is marked
//! applied and its payload (which may hold a mail) is cleared ([`settle`]). A crash before the workspace
//! commit leaves nothing done and nothing recorded; a crash after it leaves a pending row, which
//! [`reconcile`] (in `workspace::reconcile`) applies at start, on demand, and from the job scheduler. So an action is either audited
//! and done, or not done at all.
//!
//! Applied changes derive what they can from the workspace's state *when they are applied* (a member's
//! control-plane membership and `administrative` flag follow the workspace's `members` and roles), so the
//! order in which leftovers are applied does not matter; a policy is only applied if no later policy
//! change of the workspace has been. Until a change is applied the control plane lags behind the
//! workspace, never ahead of it: `enter` checks the workspace's own member row, so a removed member is
//! refused at once.

use crate::entities::control::{applied_control_change, invitation, membership, tenant, workspace_policy};
use crate::entities::tenant::{member, pending_control_change};
use crate::error::{DomainError, DomainResult};
use crate::ids::TenantId;
use crate::mail::{Mailer, OutgoingMail};
use chrono::{DateTime, Utc};
use model::EmailAddress;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, ConnectionTrait, DatabaseConnection};
use sea_orm::{DatabaseTransaction, EntityTrait as _, QueryFilter as _, SqlErr};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A control-plane change that a workspace transaction owes.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(crate) enum ControlChange {
    /// Members' roles changed: their `administrative` flag follows.
    SyncMembers {
        users: Vec<Uuid>,
    },
    /// A member was removed or left: the membership goes, and so do their address's open invitations.
    MemberRemoved {
        user: Uuid,
        email: String,
    },
    /// An invitation was accepted: it is used up, the membership exists, the address's other
    /// invitations end.
    MemberJoined {
        user: Uuid,
        email: String,
        invitation: Uuid,
    },
    InvitationCreated {
        invitation: NewInvitation,
        mail: QueuedMail,
    },
    InvitationRevoked {
        id: Uuid,
    },
    PolicySet {
        policy: super::policies::StoredPolicy,
    },
    /// A new workspace is seeded: its owner's membership and default policy exist, it becomes active.
    WorkspaceCreated {
        owner: Uuid,
    },
    /// Mails that report a workspace change (purchase requests submitted or decided).
    Mails {
        mails: Vec<QueuedMail>,
    },
    /// A data key rotation was recorded: the prepared key version becomes the one new writes use.
    DataKeyActivated {
        version: i32,
    },
}

impl ControlChange {
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Self::SyncMembers { .. } => "sync_members",
            Self::MemberRemoved { .. } => "member_removed",
            Self::MemberJoined { .. } => "member_joined",
            Self::InvitationCreated { .. } => "invitation_created",
            Self::InvitationRevoked { .. } => "invitation_revoked",
            Self::PolicySet { .. } => "policy_set",
            Self::WorkspaceCreated { .. } => "workspace_created",
            Self::Mails { .. } => "mails",
            Self::DataKeyActivated { .. } => "data_key_activated",
        }
    }
}

/// The control-plane row of an invitation, carried until it is applied.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct NewInvitation {
    pub id: Uuid,
    pub email: String,
    pub roles: String,
    pub token_hash: String,
    pub invited_by: Uuid,
    pub expires_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

/// A mail, carried until it is queued in the control-plane outbox.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct QueuedMail {
    kind: String,
    to: String,
    subject: String,
    text: String,
    html: String,
    /// The language it is written in (absent in changes owed before languages existed: English).
    #[serde(default)]
    language: Option<String>,
}

impl From<OutgoingMail> for QueuedMail {
    fn from(mail: OutgoingMail) -> Self {
        Self {
            language: Some(mail.language.as_str().to_owned()),
            kind: mail.kind.to_owned(),
            to: mail.to.to_string(),
            subject: mail.subject,
            text: mail.text,
            html: mail.html,
        }
    }
}

impl QueuedMail {
    fn into_outgoing(self) -> DomainResult<OutgoingMail> {
        let kind = match self.kind.as_str() {
            "invitation" => "invitation",
            "approval_needed" => "approval_needed",
            "request_decided" => "request_decided",
            _ => "workspace",
        };
        let to = EmailAddress::parse(&self.to).map_err(DomainError::Invalid)?;
        // Every mail a workspace owes is workspace news (invitations, purchasing): bulk, after security mail.
        Ok(OutgoingMail {
            kind,
            to,
            subject: self.subject,
            text: self.text,
            html: self.html,
            class: crate::mail::MailClass::Bulk,
            language: crate::mail::Language::from_stored(self.language.as_deref()),
        })
    }
}

/// A change recorded in a workspace transaction, to [`settle`] once that transaction has committed.
#[must_use = "settle it after the workspace transaction commits"]
pub(crate) struct Owed {
    id: Uuid,
    change: ControlChange,
}

/// Where an owed change goes: the workspace it came from, and the control plane.
#[derive(Clone, Copy)]
pub(crate) struct Sides<'a> {
    pub tenant: TenantId,
    pub tenant_db: &'a DatabaseConnection,
    pub control: &'a DatabaseConnection,
    pub mailer: &'a Mailer,
}

impl<'a> Sides<'a> {
    pub(crate) fn of(caller: &'a super::Caller) -> Self {
        Self { tenant: caller.workspace.id, tenant_db: &caller.db, control: &caller.control, mailer: &caller.mailer }
    }
}

/// Records `change` in the workspace transaction `txn`, the one that holds the action and its audit event.
pub(crate) async fn owe(txn: &DatabaseTransaction, change: ControlChange) -> DomainResult<Owed> {
    let id = Uuid::now_v7();
    pending_control_change::ActiveModel {
        id: Set(id),
        kind: Set(change.kind().to_owned()),
        payload: Set(serde_json::to_string(&change).map_err(|e| DomainError::Io(std::io::Error::other(e)))?),
        created_at: Set(Utc::now()),
        applied_at: Set(None),
    }
    .insert(txn)
    .await?;
    Ok(Owed { id, change })
}

/// Applies an owed change after its workspace transaction committed. The action is already done and
/// audited, so a failure here is logged and left to [`reconcile`], not reported to the user.
pub(crate) async fn settle(sides: Sides<'_>, owed: Owed) {
    if let Err(error) = apply(sides, owed.id, &owed.change).await {
        tracing::warn!(%error, tenant = %sides.tenant, change = %owed.id, kind = owed.change.kind(),
            "control-plane change left for the reconciler");
    }
}

/// Test builds only: `TEST_SUPPORT_CRASH_AT=<kind>` aborts the process right after the workspace commit
/// of a change of that kind, `<kind>@applied` right after its control-plane commit (kill -9 at the worst
/// moments). Production builds have no such hook.
fn crash_point(kind: &str, applied: bool) {
    #[cfg(feature = "test-support")]
    if let Ok(wanted) = std::env::var("TEST_SUPPORT_CRASH_AT") {
        let point = if applied { format!("{kind}@applied") } else { kind.to_owned() };
        if wanted == point {
            eprintln!("test-support: aborting at {point}");
            std::process::abort();
        }
    }
    #[cfg(not(feature = "test-support"))]
    let _ = (kind, applied);
}

/// Applies one owed change to the control plane (once: a second application does nothing), then marks it
/// applied in the workspace.
pub(crate) async fn apply(sides: Sides<'_>, id: Uuid, change: &ControlChange) -> DomainResult<()> {
    crash_point(change.kind(), false);
    let txn = crate::db::begin_write(sides.control).await?;
    if applied_control_change::Entity::find_by_id(id).one(&txn).await?.is_none() {
        apply_in(sides, &txn, id, change).await?;
        applied_control_change::ActiveModel {
            id: Set(id),
            tenant_id: Set(sides.tenant.as_uuid()),
            kind: Set(change.kind().to_owned()),
            applied_at: Set(Utc::now()),
        }
        .insert(&txn)
        .await?;
        match txn.commit().await {
            Ok(()) => {}
            // Another server applied it at the same moment: the same outcome.
            Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {}
            Err(e) => return Err(e.into()),
        }
    }
    crash_point(change.kind(), true);
    pending_control_change::Entity::update_many()
        .col_expr(pending_control_change::Column::AppliedAt, Expr::value(Some(Utc::now())))
        .col_expr(pending_control_change::Column::Payload, Expr::value("{}"))
        .filter(pending_control_change::Column::Id.eq(id))
        .exec(sides.tenant_db)
        .await?;
    Ok(())
}

async fn apply_in(sides: Sides<'_>, txn: &DatabaseTransaction, id: Uuid, change: &ControlChange) -> DomainResult<()> {
    let tenant = sides.tenant.as_uuid();
    let now = Utc::now();
    match change {
        ControlChange::SyncMembers { users } => {
            for user in users {
                sync_member(sides, txn, *user).await?;
            }
        }
        ControlChange::MemberRemoved { user, email } => {
            sync_member(sides, txn, *user).await?;
            end_open_invitations(txn, tenant, email, None).await?;
        }
        ControlChange::MemberJoined { user, email, invitation: used } => {
            invitation::Entity::update_many()
                .col_expr(invitation::Column::AcceptedAt, Expr::value(Some(now)))
                .col_expr(invitation::Column::AcceptedBy, Expr::value(Some(*user)))
                .filter(invitation::Column::Id.eq(*used))
                .filter(invitation::Column::AcceptedAt.is_null())
                .exec(txn)
                .await?;
            sync_member(sides, txn, *user).await?;
            end_open_invitations(txn, tenant, email, Some(*used)).await?;
        }
        ControlChange::InvitationCreated { invitation: new, mail } => {
            invitation::ActiveModel {
                id: Set(new.id),
                tenant_id: Set(tenant),
                email: Set(new.email.clone()),
                roles: Set(new.roles.clone()),
                token_hash: Set(new.token_hash.clone()),
                invited_by: Set(new.invited_by),
                expires_at: Set(new.expires_at),
                revoked_at: Set(None),
                accepted_at: Set(None),
                accepted_by: Set(None),
                created_at: Set(new.created_at),
            }
            .insert(txn)
            .await?;
            sides.mailer.enqueue(txn, mail.clone().into_outgoing()?).await?;
        }
        ControlChange::InvitationRevoked { id: revoked } => {
            invitation::Entity::update_many()
                .col_expr(invitation::Column::RevokedAt, Expr::value(Some(now)))
                .filter(invitation::Column::Id.eq(*revoked))
                .filter(invitation::Column::TenantId.eq(tenant))
                .filter(invitation::Column::AcceptedAt.is_null())
                .filter(invitation::Column::RevokedAt.is_null())
                .exec(txn)
                .await?;
        }
        ControlChange::PolicySet { policy } => {
            let superseded = applied_control_change::Entity::find()
                .filter(applied_control_change::Column::TenantId.eq(tenant))
                .filter(applied_control_change::Column::Kind.eq(change.kind()))
                .filter(applied_control_change::Column::Id.gt(id))
                .one(txn)
                .await?
                .is_some();
            if !superseded {
                workspace_policy::Entity::delete_by_id(tenant).exec(txn).await?;
                policy.row(sides.tenant).insert(txn).await?;
            }
        }
        ControlChange::WorkspaceCreated { owner } => {
            sync_member(sides, txn, *owner).await?;
            if workspace_policy::Entity::find_by_id(tenant).one(txn).await?.is_none() {
                super::policies::Policy::default().row(sides.tenant).insert(txn).await?;
            }
            tenant::Entity::update_many()
                .col_expr(tenant::Column::Status, Expr::value(tenant::TenantStatus::Active))
                .col_expr(tenant::Column::UpdatedAt, Expr::value(now))
                .filter(tenant::Column::Id.eq(tenant))
                .exec(txn)
                .await?;
        }
        ControlChange::Mails { mails } => {
            for mail in mails {
                sides.mailer.enqueue(txn, mail.clone().into_outgoing()?).await?;
            }
        }
        ControlChange::DataKeyActivated { version } => crate::crypto::activate(txn, tenant, *version).await?,
    }
    Ok(())
}

/// Makes `user`'s control-plane membership follow the workspace: present (with the `administrative`
/// flag their roles give) if they are a member there now, absent otherwise.
async fn sync_member(sides: Sides<'_>, txn: &DatabaseTransaction, user: Uuid) -> DomainResult<()> {
    let key = (sides.tenant.as_uuid(), user);
    if member::Entity::find_by_id(user).one(sides.tenant_db).await?.is_none() {
        membership::Entity::delete_by_id(key).exec(txn).await?;
        return Ok(());
    }
    let administrative = super::access::is_administrative(sides.tenant_db, user).await?;
    match membership::Entity::find_by_id(key).one(txn).await? {
        Some(row) if row.administrative == administrative => {}
        Some(_) => {
            membership::Entity::update_many()
                .col_expr(membership::Column::Administrative, Expr::value(administrative))
                .filter(membership::Column::TenantId.eq(key.0))
                .filter(membership::Column::UserId.eq(key.1))
                .exec(txn)
                .await?;
        }
        None => {
            membership::ActiveModel {
                tenant_id: Set(key.0),
                user_id: Set(key.1),
                administrative: Set(administrative),
                created_at: Set(Utc::now()),
            }
            .insert(txn)
            .await?;
        }
    }
    Ok(())
}

/// Ends the open invitations of `email` to `tenant` (but `except`).
async fn end_open_invitations<C: ConnectionTrait>(
    conn: &C,
    tenant: Uuid,
    email: &str,
    except: Option<Uuid>,
) -> DomainResult<()> {
    let mut update = invitation::Entity::update_many()
        .col_expr(invitation::Column::RevokedAt, Expr::value(Some(Utc::now())))
        .filter(invitation::Column::TenantId.eq(tenant))
        .filter(invitation::Column::Email.eq(email))
        .filter(invitation::Column::AcceptedAt.is_null())
        .filter(invitation::Column::RevokedAt.is_null());
    if let Some(except) = except {
        update = update.filter(invitation::Column::Id.ne(except));
    }
    update.exec(conn).await?;
    Ok(())
}

pub use super::reconcile::{PROVISIONING_GRACE, ReconcileReport, reconcile};
