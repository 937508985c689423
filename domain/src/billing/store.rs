//! Applying what a provider says, in the workspace's own database: the subscription row, the event that
//! reported it (recorded once: `billing_events` is unique on provider + event id), the audit event, and
//! the mails it causes (owed to the control-plane outbox by the cross-database rule), all in one
//! transaction. A duplicate event is acknowledged and changes nothing.

use super::plans::Interval;
use super::settings::ProviderKind;
use super::status::{self, Access, SubscriptionStatus};
use crate::entities::tenant::{billing_event, member, subscription};
use crate::error::{DomainError, DomainResult};
use crate::mail::{Language, OutgoingMail, billing_mail};
use crate::workspace::audit::{self, Actor};
use crate::workspace::control_changes::{self, ControlChange, Sides};
use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait as _, ActiveValue::Set, ConnectionTrait, EntityTrait as _, SqlErr};
use serde_json::json;

/// The advisory lock key that serialises billing changes within a workspace database (PostgreSQL).
const BILLING_LOCK: i64 = 0x5052_4159;

/// The id of the subscription row.
pub(crate) const ROW: &str = "current";

/// The provider's current state of a workspace's subscription, as fetched from the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    pub provider: ProviderKind,
    pub plan_key: String,
    pub interval: Option<Interval>,
    pub status: SubscriptionStatus,
    pub customer_ref: Option<String>,
    pub subscription_ref: Option<String>,
    pub period_end: Option<DateTime<Utc>>,
    pub cancel_at_period_end: bool,
    pub trial_ends_at: Option<DateTime<Utc>>,
    /// Brand and last four digits only, as the provider reports them.
    pub card: Option<(String, String)>,
}

/// The provider event being applied, recorded once.
#[derive(Debug, Clone)]
pub struct EventRef {
    pub provider: ProviderKind,
    pub id: String,
    pub kind: String,
}

/// What an application did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// The event had been applied before: nothing changed.
    Duplicate,
    /// The row already said this.
    Unchanged,
    Changed,
}

/// The stored subscription, or the free plan when there is none.
pub(crate) async fn current<C: ConnectionTrait>(db: &C) -> DomainResult<Option<subscription::Model>> {
    Ok(subscription::Entity::find_by_id(ROW.to_owned()).one(db).await?)
}

/// The access the stored row gives at `now` (fails closed on an unknown status).
pub(crate) fn access_of(row: Option<&subscription::Model>, grace: chrono::Duration, now: DateTime<Utc>) -> Access {
    match row {
        None => Access::Free,
        Some(row) => match SubscriptionStatus::parse(&row.status) {
            Some(s) => status::access(s, row.trial_ends_at, row.past_due_since, grace, now),
            None => Access::ReadOnly,
        },
    }
}

fn described(row: Option<&subscription::Model>) -> serde_json::Value {
    match row {
        None => json!({ "plan": "free", "status": "none" }),
        Some(r) => json!({
            "plan": r.plan_key, "interval": r.interval, "status": r.status, "provider": r.provider,
            "period_end": r.current_period_end.map(|d| d.to_rfc3339()), "cancel_at_period_end": r.cancel_at_period_end,
        }),
    }
}

/// Writes `snapshot` (with `event` recorded once) and its audit event and mails, in one transaction.
pub(crate) async fn apply(
    sides: Sides<'_>,
    workspace_name: &str,
    snapshot: &Snapshot,
    event: Option<&EventRef>,
    actor: &Actor,
) -> DomainResult<Applied> {
    let txn = crate::db::begin_write(sides.tenant_db).await?;
    // One application at a time per workspace: two deliveries re-fetching the same change at once must
    // not both see the old row (and both audit and mail). SQLite's `BEGIN IMMEDIATE` already serialises
    // writers; PostgreSQL takes a transaction-scoped advisory lock (one workspace per database).
    if txn.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({BILLING_LOCK})")).await?;
    }
    let now = Utc::now();
    if let Some(event) = event {
        let recorded = billing_event::ActiveModel {
            id: Set(uuid::Uuid::now_v7()),
            provider: Set(event.provider.key().to_owned()),
            event_id: Set(event.id.chars().take(255).collect()),
            kind: Set(event.kind.chars().take(64).collect()),
            received_at: Set(now),
        }
        .insert(&txn)
        .await;
        match recorded {
            Ok(_) => {}
            Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
                return Ok(Applied::Duplicate);
            }
            Err(e) => return Err(e.into()),
        }
    }
    let before = current(&txn).await?;
    let past_due_since = match (snapshot.status, &before) {
        (SubscriptionStatus::PastDue, Some(b)) if b.status == SubscriptionStatus::PastDue.key() => {
            b.past_due_since.or(Some(now))
        }
        (SubscriptionStatus::PastDue, _) => Some(now),
        _ => None,
    };
    let row = subscription::Model {
        id: ROW.to_owned(),
        plan_key: snapshot.plan_key.clone(),
        interval: snapshot.interval.map(|i| i.key().to_owned()),
        status: snapshot.status.key().to_owned(),
        provider: Some(snapshot.provider.key().to_owned()),
        customer_ref: snapshot.customer_ref.clone().or_else(|| before.as_ref().and_then(|b| b.customer_ref.clone())),
        subscription_ref: snapshot.subscription_ref.clone(),
        current_period_end: snapshot.period_end,
        cancel_at_period_end: snapshot.cancel_at_period_end,
        trial_ends_at: snapshot.trial_ends_at,
        trial_used: before.as_ref().is_some_and(|b| b.trial_used) || snapshot.status == SubscriptionStatus::Trialing,
        past_due_since,
        card_brand: snapshot.card.as_ref().map(|c| c.0.chars().take(32).collect()),
        card_last4: snapshot.card.as_ref().map(|c| c.1.chars().take(4).collect()),
        updated_at: now,
    };
    let same = before.as_ref().is_some_and(|b| subscription::Model { updated_at: now, ..b.clone() } == row);
    if same {
        txn.commit().await?;
        return Ok(Applied::Unchanged);
    }
    let mut mails = Vec::new();
    let was = |s: SubscriptionStatus| before.as_ref().is_some_and(|b| b.status == s.key());
    if snapshot.status == SubscriptionStatus::PastDue && !was(SubscriptionStatus::PastDue) {
        mails.push(Notice::PaymentFailed);
    }
    let was_cancelling = before.as_ref().is_some_and(|b| b.cancel_at_period_end);
    let ended = snapshot.status == SubscriptionStatus::Cancelled && !was(SubscriptionStatus::Cancelled);
    if !was_cancelling && (snapshot.cancel_at_period_end || ended) {
        mails.push(Notice::Cancelled);
    }
    let model: subscription::ActiveModel = row.clone().into();
    if before.is_some() {
        subscription::Entity::update(model.reset_all()).exec(&txn).await?;
    } else {
        model.insert(&txn).await?;
    }
    let changes = json!({ "before": described(before.as_ref()), "after": described(Some(&row)), "event": event.map(|e| &e.kind) });
    audit::record(&txn, actor, "billing.subscription_changed", "subscription", ROW, changes).await?;
    let owed = if mails.is_empty() {
        None
    } else {
        let admins = administrators(&txn).await?;
        let mut queued = Vec::new();
        for notice in &mails {
            for to in &admins {
                let language = crate::identity::mail_language(sides.control, to, Language::En).await?;
                queued.push(notice.mail(language, to, workspace_name, &sides.mailer.link("/")).into());
            }
        }
        Some(control_changes::owe(&txn, ControlChange::Mails { mails: queued }).await?)
    };
    txn.commit().await?;
    if let Some(owed) = owed {
        control_changes::settle(sides, owed).await;
    }
    Ok(Applied::Changed)
}

/// The workspace's administrators' addresses.
async fn administrators<C: ConnectionTrait>(db: &C) -> DomainResult<Vec<model::EmailAddress>> {
    let mut out = Vec::new();
    for m in member::Entity::find().all(db).await? {
        if crate::workspace::access::is_administrative(db, m.user_id).await? {
            out.push(model::EmailAddress::parse(&m.email).map_err(DomainError::Invalid)?);
        }
    }
    Ok(out)
}

#[derive(Debug, Clone, Copy)]
enum Notice {
    PaymentFailed,
    Cancelled,
}

impl Notice {
    fn mail(self, language: Language, to: &model::EmailAddress, workspace: &str, site: &str) -> OutgoingMail {
        match self {
            Self::PaymentFailed => billing_mail::payment_failed(language, to, workspace, site),
            Self::Cancelled => billing_mail::cancelled(language, to, workspace, site),
        }
    }
}
