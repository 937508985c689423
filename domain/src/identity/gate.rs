//! The gate in front of every check of a secret the attacker may be guessing: a password at sign-in or
//! re-authentication, a TOTP or recovery code (ID4, ID5; security review H1, H3, H4).
//!
//! Every such check passes the same gate, so no path is weaker than sign-in:
//!
//! 1. a blocked client address gets "try later", and nothing is checked;
//! 2. the check *reserves* its place in the per-address count and (when the account is known) the
//!    per-account count before anything is checked (see [`super::throttle`]): an account in cooldown, or
//!    with `threshold` checks already failed or in flight, gets [`AuthFailure::AccountProtected`]; an
//!    address with too many gets [`AuthFailure::RateLimited`] (or blocked);
//! 3. after the check, [`Identity::check_passed`] gives both places back, [`Identity::check_failed`]
//!    keeps them counted, starts the cooldown or the block when a threshold is reached, and records
//!    the security events.
//!
//! Refusals at the gate count against the address (they are guesses the gate turned away), never
//! against the account, and they never run the hasher.

use super::events::{self, EventKind};
use super::{Identity, RequestMeta};
use crate::error::{DomainError, DomainResult};
use crate::ids::UserId;
use chrono::{DateTime, Utc};
use model::{AuthFailure, EmailAddress};
use serde_json::json;

/// A check that passed the gate and holds its places in the counts.
#[must_use = "a reserved check must end with check_passed or check_failed"]
pub(super) struct Reserved {
    account: Option<(EmailAddress, u32)>,
    /// Position of this check in the account's count (1 = no failure before it); 0 without an account.
    pub account_position: u32,
    /// Position of this check in the address's count.
    pub ip_position: u32,
}

fn minutes_until(until: DateTime<Utc>, now: DateTime<Utc>) -> u32 {
    ((until - now).num_seconds() as f64 / 60.0).ceil().max(1.0) as u32
}

impl Identity {
    /// Refuses a client address that is blocked now, without counting anything.
    pub(super) async fn refuse_blocked_address(&self, meta: &RequestMeta, now: DateTime<Utc>) -> DomainResult<()> {
        if let Some(until) = self.throttle.ip_state(meta.ip, now).await?.blocked_until {
            return Err(DomainError::Auth(AuthFailure::NetworkBlocked {
                retry_after_minutes: minutes_until(until, now),
            }));
        }
        Ok(())
    }

    /// Passes the gate for one check against `account` (by the address typed, registered or not) with
    /// its cooldown `threshold`, or refuses (see the module documentation).
    pub(super) async fn reserve_check(
        &self,
        account: Option<&EmailAddress>,
        threshold: u32,
        user: Option<UserId>,
        meta: &RequestMeta,
        now: DateTime<Utc>,
    ) -> DomainResult<Reserved> {
        self.refuse_blocked_address(meta, now).await?;
        let ip = self.throttle.reserve_ip(meta.ip, now).await?;
        if let Some(until) = ip.refused_until {
            self.throttle.release_ip(meta.ip).await?;
            return Err(DomainError::Auth(AuthFailure::NetworkBlocked {
                retry_after_minutes: minutes_until(until, now),
            }));
        }
        if ip.position > self.throttle.ip.failures {
            // As many checks from this address have failed or are running as a block allows.
            self.throttle.release_ip(meta.ip).await?;
            return Err(DomainError::Auth(AuthFailure::RateLimited));
        }
        let Some(account) = account else {
            return Ok(Reserved { account: None, account_position: 0, ip_position: ip.position });
        };
        let slot = self.throttle.reserve_account(account, now).await?;
        if slot.refused_until.is_some() || slot.position > threshold {
            self.throttle.release_account(account).await?;
            // The refused guess still counts against the address.
            if let Some(until) = self.throttle.ip_failed(meta.ip, now).await? {
                events::record(&self.db, EventKind::AddressBlocked, None, Some(meta), json!({ "until": until }))
                    .await?;
            }
            events::record(&self.db, EventKind::SignInFailed, user, Some(meta), json!({ "reason": "cooldown" }))
                .await?;
            return Err(DomainError::Auth(AuthFailure::AccountProtected));
        }
        Ok(Reserved {
            account: Some((account.clone(), threshold)),
            account_position: slot.position,
            ip_position: ip.position,
        })
    }

    /// The check passed (or was never made, e.g. a proof of work was missing): both places go back.
    pub(super) async fn check_passed(&self, reserved: Reserved, meta: &RequestMeta) -> DomainResult<()> {
        self.throttle.release_ip(meta.ip).await?;
        if let Some((account, _)) = &reserved.account {
            self.throttle.release_account(account).await?;
        }
        Ok(())
    }

    /// The check failed: the places stay counted; a cooldown or block starts when due. Returns whether
    /// this failure started the account's cooldown.
    pub(super) async fn check_failed(
        &self,
        reserved: Reserved,
        user: Option<UserId>,
        meta: &RequestMeta,
        reason: &str,
    ) -> DomainResult<bool> {
        let now = Utc::now();
        let mut cooldown_started = false;
        if let Some((account, threshold)) = &reserved.account
            && let Some(until) = self.throttle.account_failed(account, now, *threshold).await?
        {
            cooldown_started = true;
            events::record(&self.db, EventKind::AccountCooldownStarted, user, Some(meta), json!({ "until": until }))
                .await?;
        }
        if let Some(until) = self.throttle.ip_failed(meta.ip, now).await? {
            events::record(&self.db, EventKind::AddressBlocked, None, Some(meta), json!({ "until": until })).await?;
        }
        events::record(&self.db, EventKind::SignInFailed, user, Some(meta), json!({ "reason": reason })).await?;
        Ok(cooldown_started)
    }
}
