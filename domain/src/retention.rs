//! Retention: how long each control-plane table that grows keeps its rows, and the job that purges
//! the rest (hourly, on one server at a time: see [`crate::jobs`]).
//!
//! Nothing is kept "just in case": rows that stop mattering (expired sessions and tokens, spent codes,
//! delivered mail, stale throttle counters) go after a short grace period, and the history people look
//! at (security events, ended sessions) after a stated one. All periods are in [`RETENTION`].

use crate::entities::control::{
    account_throttle, auth_session, email_code, invitation, ip_throttle, known_device, known_network, mail_outbox,
    pending_sign_in, pow_spent, security_event, tower_session, user_token,
};
use crate::error::DomainResult;
use crate::mail::OUTBOX_DONE_STATUSES;
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::ExprTrait as _;
use sea_orm::{ColumnTrait as _, Condition, DatabaseConnection, EntityTrait as _, QueryFilter as _};

/// How long a workspace's audit log keeps its entries [180 days], from when they were written; older
/// ones are purged daily behind a signed checkpoint (`crate::workspace::audit_chain`).
pub const AUDIT_LOG: Duration = Duration::days(180);
/// How often the audit purge runs.
pub const AUDIT_PURGE_EVERY: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

/// How often the purge runs.
pub const PURGE_EVERY: std::time::Duration = std::time::Duration::from_secs(3600);

/// How long rows are kept. Each period counts from the moment the row stopped mattering (a session's end,
/// a token's use or expiry, a mail's delivery), not from its creation, unless it says otherwise.
#[derive(Debug, Clone, Copy)]
pub struct RetentionPeriods {
    /// Browser session records (`tower_sessions`) after their expiry: none, they are useless then.
    pub browser_sessions: Duration,
    /// Signed-in sessions (`auth_sessions`) after they ended (signed out, ended, idle) or expired: kept
    /// for the user's and operators' view of recent sign-ins [30 days].
    pub ended_sessions: Duration,
    /// Security events (`security_events`), from when they happened [400 days: a year, and a margin
    /// for yearly reviews].
    pub security_events: Duration,
    /// Delivered mail (`mail_outbox` sent or filed in the dev outbox), from delivery [3 days]. Their
    /// bodies are sealed (and blanked after SMTP), so what stays is who got what kind of mail, which the
    /// per-hour mail caps read.
    pub delivered_mail: Duration,
    /// Mail given up on (`mail_outbox` failed), from when it was queued [30 days], for operators to look into.
    pub failed_mail: Duration,
    /// Single-use links (`user_tokens`) after their use or expiry [7 days].
    pub used_tokens: Duration,
    /// Emailed one-time codes (`email_codes`) after their use or expiry [1 day].
    pub used_codes: Duration,
    /// Known browsers and networks (`known_devices`, `known_networks`) unused for this long [180 days]:
    /// a sign-in from them counts as new again.
    pub unused_devices: Duration,
    /// Failure counters (`account_throttle`, `ip_throttle`) past their last failure, window and any
    /// cooldown or block [1 day]; both windows are far shorter (15 minutes), so nothing still counted goes.
    pub stale_throttles: Duration,
    /// Spent proof-of-work nonces (`pow_spent`) after their challenge expired: none.
    pub spent_challenges: Duration,
    /// Invitations (`invitations`) after their expiry, accepted or not [90 days].
    pub invitations: Duration,
    /// Sign-ins waiting for their second factor (`pending_sign_ins`) after they started [1 day]; they
    /// time out after 10 minutes.
    pub pending_sign_ins: Duration,
}

/// The shipped retention periods (the README lists them).
pub const RETENTION: RetentionPeriods = RetentionPeriods {
    browser_sessions: Duration::zero(),
    ended_sessions: Duration::days(30),
    security_events: Duration::days(400),
    delivered_mail: Duration::days(3),
    failed_mail: Duration::days(30),
    used_tokens: Duration::days(7),
    used_codes: Duration::days(1),
    unused_devices: Duration::days(180),
    stale_throttles: Duration::days(1),
    spent_challenges: Duration::zero(),
    invitations: Duration::days(90),
    pending_sign_ins: Duration::days(1),
};

/// Rows deleted per table by one purge.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PurgeReport {
    pub deleted: Vec<(&'static str, u64)>,
}

impl PurgeReport {
    pub fn total(&self) -> u64 {
        self.deleted.iter().map(|(_, n)| n).sum()
    }
}

/// Deletes every row past its retention period as of `now`.
#[tracing::instrument(skip(db))]
pub async fn purge(
    db: &DatabaseConnection,
    periods: &RetentionPeriods,
    now: DateTime<Utc>,
) -> DomainResult<PurgeReport> {
    let mut report = PurgeReport::default();
    let mut record = |table: &'static str, rows: u64| report.deleted.push((table, rows));

    let cutoff = now - periods.browser_sessions;
    let rows =
        tower_session::Entity::delete_many().filter(tower_session::Column::ExpiryDate.lt(cutoff)).exec(db).await?;
    record("tower_sessions", rows.rows_affected);

    let cutoff = now - periods.ended_sessions;
    let rows = auth_session::Entity::delete_many()
        .filter(
            Condition::any()
                .add(auth_session::Column::RevokedAt.lt(cutoff))
                .add(auth_session::Column::ExpiresAt.lt(cutoff)),
        )
        .exec(db)
        .await?;
    record("auth_sessions", rows.rows_affected);

    let cutoff = now - periods.security_events;
    let rows = security_event::Entity::delete_many().filter(security_event::Column::At.lt(cutoff)).exec(db).await?;
    record("security_events", rows.rows_affected);

    let delivered = mail_outbox::Column::Status
        .is_in(OUTBOX_DONE_STATUSES)
        .and(mail_outbox::Column::SentAt.lt(now - periods.delivered_mail));
    let failed = mail_outbox::Column::Status
        .eq(crate::mail::OUTBOX_FAILED)
        .and(mail_outbox::Column::CreatedAt.lt(now - periods.failed_mail));
    let rows = mail_outbox::Entity::delete_many().filter(Condition::any().add(delivered).add(failed)).exec(db).await?;
    record("mail_outbox", rows.rows_affected);

    let cutoff = now - periods.used_tokens;
    let rows = user_token::Entity::delete_many()
        .filter(
            Condition::any().add(user_token::Column::UsedAt.lt(cutoff)).add(user_token::Column::ExpiresAt.lt(cutoff)),
        )
        .exec(db)
        .await?;
    record("user_tokens", rows.rows_affected);

    let cutoff = now - periods.used_codes;
    let rows = email_code::Entity::delete_many()
        .filter(
            Condition::any()
                .add(email_code::Column::ConsumedAt.lt(cutoff))
                .add(email_code::Column::ExpiresAt.lt(cutoff)),
        )
        .exec(db)
        .await?;
    record("email_codes", rows.rows_affected);

    let cutoff = now - periods.unused_devices;
    let rows = known_device::Entity::delete_many().filter(known_device::Column::LastSeenAt.lt(cutoff)).exec(db).await?;
    record("known_devices", rows.rows_affected);
    let rows =
        known_network::Entity::delete_many().filter(known_network::Column::LastSeenAt.lt(cutoff)).exec(db).await?;
    record("known_networks", rows.rows_affected);

    let cutoff = now - periods.stale_throttles;
    let rows = account_throttle::Entity::delete_many()
        .filter(account_throttle::Column::LastFailureAt.lt(cutoff))
        .filter(
            Condition::any()
                .add(account_throttle::Column::LockedUntil.is_null())
                .add(account_throttle::Column::LockedUntil.lt(cutoff)),
        )
        .exec(db)
        .await?;
    record("account_throttle", rows.rows_affected);
    let rows = ip_throttle::Entity::delete_many()
        .filter(ip_throttle::Column::WindowStartedAt.lt(cutoff))
        .filter(
            Condition::any()
                .add(ip_throttle::Column::BlockedUntil.is_null())
                .add(ip_throttle::Column::BlockedUntil.lt(cutoff)),
        )
        .exec(db)
        .await?;
    record("ip_throttle", rows.rows_affected);

    let cutoff = now - periods.spent_challenges;
    let rows = pow_spent::Entity::delete_many().filter(pow_spent::Column::ExpiresAt.lt(cutoff)).exec(db).await?;
    record("pow_spent", rows.rows_affected);

    let cutoff = now - periods.invitations;
    let rows = invitation::Entity::delete_many().filter(invitation::Column::ExpiresAt.lt(cutoff)).exec(db).await?;
    record("invitations", rows.rows_affected);

    let cutoff = now - periods.pending_sign_ins;
    let rows =
        pending_sign_in::Entity::delete_many().filter(pending_sign_in::Column::CreatedAt.lt(cutoff)).exec(db).await?;
    record("pending_sign_ins", rows.rows_affected);

    Ok(report)
}
