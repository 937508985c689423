//! The security event log of the control plane (AUD1 for identity): every sign-in, failure, lockout,
//! block, code, second-factor change, session end and email change, with time, actor, address and
//! user agent. Written in the same transaction as the change it records, where there is one.

use super::RequestMeta;
use crate::entities::control::security_event;
use crate::error::DomainResult;
use crate::ids::UserId;
use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, ConnectionTrait, EntityTrait as _};
use sea_orm::{QueryFilter as _, QueryOrder as _, QuerySelect as _};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    SignedUp,
    SignUpForExistingAddress,
    EmailVerified,
    SignInSucceeded,
    SignInFailed,
    AccountCooldownStarted,
    AddressBlocked,
    ProofOfWorkRequired,
    CodeSent,
    CodeRefused,
    CodeFailed,
    PasswordResetRequested,
    PasswordReset,
    PasswordChanged,
    TotpEnabled,
    TotpDisabled,
    RecoveryCodeUsed,
    RecoveryCodesRegenerated,
    SessionEnded,
    SignedOut,
    EmailChangeRequested,
    EmailChanged,
    EmailChangeUndone,
    AddressBlockLifted,
    PlatformRoleChanged,
    /// An owner deleted a workspace: its keys were destroyed first (crypto-shredding).
    WorkspaceDeleted,
    /// An intrusion detector (AUD2) blocked an address.
    IntrusionBlocked,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SignedUp => "signed_up",
            Self::SignUpForExistingAddress => "sign_up_for_existing_address",
            Self::EmailVerified => "email_verified",
            Self::SignInSucceeded => "sign_in_succeeded",
            Self::SignInFailed => "sign_in_failed",
            Self::AccountCooldownStarted => "account_cooldown_started",
            Self::AddressBlocked => "address_blocked",
            Self::ProofOfWorkRequired => "proof_of_work_required",
            Self::CodeSent => "code_sent",
            Self::CodeRefused => "code_refused",
            Self::CodeFailed => "code_failed",
            Self::PasswordResetRequested => "password_reset_requested",
            Self::PasswordReset => "password_reset",
            Self::PasswordChanged => "password_changed",
            Self::TotpEnabled => "totp_enabled",
            Self::TotpDisabled => "totp_disabled",
            Self::RecoveryCodeUsed => "recovery_code_used",
            Self::RecoveryCodesRegenerated => "recovery_codes_regenerated",
            Self::SessionEnded => "session_ended",
            Self::SignedOut => "signed_out",
            Self::EmailChangeRequested => "email_change_requested",
            Self::EmailChanged => "email_changed",
            Self::EmailChangeUndone => "email_change_undone",
            Self::AddressBlockLifted => "address_block_lifted",
            Self::PlatformRoleChanged => "platform_role_changed",
            Self::WorkspaceDeleted => "workspace_deleted",
            Self::IntrusionBlocked => "intrusion_blocked",
        }
    }
}

impl super::Identity {
    /// AUD2: an intrusion detector blocked the address of `meta` for `blocked_for`.
    pub async fn record_intrusion_block(
        &self,
        meta: &RequestMeta,
        detector: &str,
        blocked_for: std::time::Duration,
    ) -> DomainResult<()> {
        let detail = serde_json::json!({ "detector": detector, "blocked_seconds": blocked_for.as_secs() });
        record(&self.db, EventKind::IntrusionBlocked, None, Some(meta), detail).await
    }
}

/// An event as read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityEvent {
    pub at: DateTime<Utc>,
    pub user_id: Option<UserId>,
    pub kind: String,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub detail: serde_json::Value,
}

/// Records one event. `detail` must not contain secrets (no passwords, codes or tokens).
pub async fn record<C: ConnectionTrait>(
    conn: &C,
    kind: EventKind,
    user: Option<UserId>,
    meta: Option<&RequestMeta>,
    detail: serde_json::Value,
) -> DomainResult<()> {
    security_event::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        at: Set(Utc::now()),
        user_id: Set(user.map(|u| u.as_uuid())),
        kind: Set(kind.as_str().to_owned()),
        ip: Set(meta.map(|m| m.ip.to_string())),
        user_agent: Set(meta.map(|m| m.user_agent.clone())),
        detail: Set(detail.to_string()),
    }
    .insert(conn)
    .await?;
    tracing::info!(event = kind.as_str(), user = ?user.map(|u| u.to_string()), "security event");
    Ok(())
}

/// The newest events of one user.
pub async fn for_user<C: ConnectionTrait>(conn: &C, user: UserId, limit: u64) -> DomainResult<Vec<SecurityEvent>> {
    Ok(security_event::Entity::find()
        .filter(security_event::Column::UserId.eq(user.as_uuid()))
        .order_by_desc(security_event::Column::Id)
        .limit(limit)
        .all(conn)
        .await?
        .into_iter()
        .map(from_row)
        .collect())
}

/// The newest events of any kind (operators, tests).
pub async fn recent<C: ConnectionTrait>(
    conn: &C,
    kind: Option<EventKind>,
    limit: u64,
) -> DomainResult<Vec<SecurityEvent>> {
    let mut query = security_event::Entity::find().order_by_desc(security_event::Column::Id).limit(limit);
    if let Some(kind) = kind {
        query = query.filter(security_event::Column::Kind.eq(kind.as_str()));
    }
    Ok(query.all(conn).await?.into_iter().map(from_row).collect())
}

fn from_row(row: security_event::Model) -> SecurityEvent {
    SecurityEvent {
        at: row.at,
        user_id: row.user_id.map(UserId::from),
        kind: row.kind,
        ip: row.ip,
        user_agent: row.user_agent,
        detail: serde_json::from_str(&row.detail).unwrap_or(serde_json::Value::Null),
    }
}
