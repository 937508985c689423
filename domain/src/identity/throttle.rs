//! Failed-login counters (ID4, ID5), kept in the control-plane database so that they hold across
//! worker threads, processes and servers. Every update is a single atomic statement (an upsert that
//! returns the new count, or a conditional update), so concurrent failures are never lost.
//!
//! - Per account: after `failures` failures within the window, a cooldown starts; each further cooldown
//!   doubles, up to a cap. Accounts are counted by the address typed, whether or not it has an account,
//!   so a cooldown reveals nothing about which addresses are registered. During a cooldown, passwords are not even checked (no oracle for a guesser);
//!   the owner signs in with an emailed one-time code instead, so a lockout cannot be used to lock them out.
//! - Per client address (IPv6 by /64): failures on any account, unknown ones included, within a window
//!   lead to a block. Operators can list and lift blocks.
//!
//! **Reserve, then check** (security review H4). A password check first *reserves* its place: one upsert
//! counts the attempt as a failure in advance and returns its position. An attempt whose position is past
//! the threshold is refused without a check, however many arrive at once; an attempt that passes gives
//! its place back ([`Throttle::release_account`], [`Throttle::release_ip`]). So at any moment the counter
//! is "failures so far plus checks in flight", and a burst timed to the end of a cooldown gets at most
//! `threshold` password checks, not as many as reach the hasher.

use crate::entities::control::{account_throttle, ip_throttle};
use crate::error::DomainResult;
use chrono::{DateTime, Duration, Utc};
use model::EmailAddress;
use sea_orm::sea_query::{Expr, ExprTrait as _, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait as _, DatabaseConnection, EntityTrait as _, QueryFilter as _, QueryOrder as _,
};
use std::net::IpAddr;

/// Per-account lockout [5 failures, 1 min doubling, cap 15 min].
#[derive(Debug, Clone, Copy)]
pub struct AccountLockoutPolicy {
    pub failures: u32,
    pub window: Duration,
    pub first_cooldown: Duration,
    pub max_cooldown: Duration,
}

impl Default for AccountLockoutPolicy {
    fn default() -> Self {
        Self {
            failures: 5,
            window: Duration::minutes(15),
            first_cooldown: Duration::minutes(1),
            max_cooldown: Duration::minutes(15),
        }
    }
}

impl AccountLockoutPolicy {
    /// The cooldown after `previous` earlier cooldowns.
    pub fn cooldown(&self, previous: u32) -> Duration {
        let factor = 2_i32.saturating_pow(std::cmp::min(previous, 20));
        (self.first_cooldown * factor).min(self.max_cooldown)
    }
}

/// Per-address block [5 failures within 15 min → blocked 1 h].
#[derive(Debug, Clone, Copy)]
pub struct IpBlockPolicy {
    pub failures: u32,
    pub window: Duration,
    pub block: Duration,
}

impl Default for IpBlockPolicy {
    fn default() -> Self {
        Self { failures: 5, window: Duration::minutes(15), block: Duration::hours(1) }
    }
}

/// The counting key of a client address: the address itself for IPv4, its /64 for IPv6 (one
/// subscriber usually holds a whole /64).
pub fn ip_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

fn account_key(account: &EmailAddress) -> String {
    crate::crypto::hash_token(account.as_str())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountState {
    pub recent_failures: u32,
    pub cooling_down_until: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpState {
    pub recent_failures: u32,
    pub blocked_until: Option<DateTime<Utc>>,
}

/// A reserved place for one check: its position in the count, and a cooldown or block in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    pub position: u32,
    pub refused_until: Option<DateTime<Utc>>,
}

/// A block as operators see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IpBlock {
    pub key: String,
    pub failures: u32,
    pub blocked_until: DateTime<Utc>,
}

pub struct Throttle {
    db: DatabaseConnection,
    pub account: AccountLockoutPolicy,
    pub ip: IpBlockPolicy,
}

impl Throttle {
    pub fn new(db: DatabaseConnection, account: AccountLockoutPolicy, ip: IpBlockPolicy) -> Self {
        Self { db, account, ip }
    }

    pub async fn account_state(&self, account: &EmailAddress, now: DateTime<Utc>) -> DomainResult<AccountState> {
        let row = account_throttle::Entity::find_by_id(account_key(account)).one(&self.db).await?;
        Ok(row.map_or(AccountState { recent_failures: 0, cooling_down_until: None }, |row| AccountState {
            recent_failures: if row.last_failure_at > now - self.account.window {
                u32::try_from(row.failures).unwrap_or(0)
            } else {
                0
            },
            cooling_down_until: row.locked_until.filter(|until| *until > now),
        }))
    }

    /// Counts a failed password for `account`; starts a cooldown when the threshold is reached.
    /// `threshold` is the number of failures that starts a cooldown (the platform's, or a stricter one
    /// from the account's workspaces).
    #[tracing::instrument(skip_all)]
    pub async fn record_account_failure(
        &self,
        account: &EmailAddress,
        now: DateTime<Utc>,
        threshold: u32,
    ) -> DomainResult<AccountState> {
        let row = self.upsert_account_failure(account, now).await?;
        let started = self.start_cooldown(&row, now, threshold).await?;
        let locked_until = started.or(row.locked_until.filter(|until| *until > now));
        Ok(AccountState { recent_failures: u32::try_from(row.failures).unwrap_or(0), cooling_down_until: locked_until })
    }

    /// Reserves a place for one check against `account` (see the module documentation): counts it in
    /// advance and returns its position and any cooldown in force.
    pub async fn reserve_account(&self, account: &EmailAddress, now: DateTime<Utc>) -> DomainResult<Slot> {
        let row = self.upsert_account_failure(account, now).await?;
        Ok(Slot {
            position: u32::try_from(row.failures).unwrap_or(u32::MAX),
            refused_until: row.locked_until.filter(|until| *until > now),
        })
    }

    /// One more failure (or reserved check) for `account` within the window, atomically; the row after it.
    async fn upsert_account_failure(
        &self,
        account: &EmailAddress,
        now: DateTime<Utc>,
    ) -> DomainResult<account_throttle::Model> {
        use account_throttle::Column as C;
        let stale = Expr::col((account_throttle::Entity, C::LastFailureAt)).lt(now - self.account.window);
        Ok(account_throttle::Entity::insert(account_throttle::ActiveModel {
            account_key: Set(account_key(account)),
            failures: Set(1),
            lock_count: Set(0),
            locked_until: Set(None),
            last_failure_at: Set(now),
        })
        .on_conflict(
            OnConflict::column(C::AccountKey)
                .value(
                    C::Failures,
                    Expr::case(stale, 1).finally(Expr::col((account_throttle::Entity, C::Failures)).add(1)),
                )
                .value(C::LastFailureAt, now)
                .to_owned(),
        )
        .exec_with_returning(&self.db)
        .await?)
    }

    /// Gives back a place taken with [`Throttle::reserve_account`] by a check that passed or never ran.
    pub async fn release_account(&self, account: &EmailAddress) -> DomainResult<()> {
        use account_throttle::Column as C;
        account_throttle::Entity::update_many()
            .col_expr(C::Failures, Expr::col(C::Failures).sub(1))
            .filter(C::AccountKey.eq(account_key(account)))
            .filter(C::Failures.gt(0))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// A reserved check failed: its place stays counted; start the cooldown if the count has reached
    /// `threshold`. Returns the cooldown's end if this call started it.
    pub async fn account_failed(
        &self,
        account: &EmailAddress,
        now: DateTime<Utc>,
        threshold: u32,
    ) -> DomainResult<Option<DateTime<Utc>>> {
        match account_throttle::Entity::find_by_id(account_key(account)).one(&self.db).await? {
            Some(row) => self.start_cooldown(&row, now, threshold).await,
            None => Ok(None),
        }
    }

    /// Starts the cooldown of the account in `row` if its count has reached `threshold`: one conditional
    /// update, so only one of several concurrent failures starts it. Returns its end if this call did.
    async fn start_cooldown(
        &self,
        row: &account_throttle::Model,
        now: DateTime<Utc>,
        threshold: u32,
    ) -> DomainResult<Option<DateTime<Utc>>> {
        use account_throttle::Column as C;
        if row.failures < threshold as i32 {
            return Ok(None);
        }
        let until = now + self.account.cooldown(u32::try_from(row.lock_count).unwrap_or(0));
        let started = account_throttle::Entity::update_many()
            .col_expr(C::Failures, Expr::value(0))
            .col_expr(C::LockCount, Expr::col(C::LockCount).add(1))
            .col_expr(C::LockedUntil, Expr::value(Some(until)))
            .filter(C::AccountKey.eq(&row.account_key))
            .filter(C::Failures.gte(threshold as i32))
            .exec(&self.db)
            .await?;
        Ok((started.rows_affected == 1).then_some(until))
    }

    /// Reserves a place for one check from `ip` (see the module documentation).
    pub async fn reserve_ip(&self, ip: IpAddr, now: DateTime<Utc>) -> DomainResult<Slot> {
        let row = self.upsert_ip_failure(ip, now).await?;
        Ok(Slot {
            position: u32::try_from(row.failures).unwrap_or(u32::MAX),
            refused_until: row.blocked_until.filter(|until| *until > now),
        })
    }

    /// Gives back a place taken with [`Throttle::reserve_ip`].
    pub async fn release_ip(&self, ip: IpAddr) -> DomainResult<()> {
        use ip_throttle::Column as C;
        ip_throttle::Entity::update_many()
            .col_expr(C::Failures, Expr::col(C::Failures).sub(1))
            .filter(C::Ip.eq(ip_key(ip)))
            .filter(C::Failures.gt(0))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// A reserved check from `ip` failed: block the address if its count has reached the threshold.
    /// Returns the block's end if this call started it.
    pub async fn ip_failed(&self, ip: IpAddr, now: DateTime<Utc>) -> DomainResult<Option<DateTime<Utc>>> {
        use ip_throttle::Column as C;
        let key = ip_key(ip);
        let until = now + self.ip.block;
        let blocked = ip_throttle::Entity::update_many()
            .col_expr(C::BlockedUntil, Expr::value(Some(until)))
            .filter(C::Ip.eq(&key))
            .filter(C::Failures.gte(self.ip.failures as i32))
            .filter(C::WindowStartedAt.gt(now - self.ip.window))
            .filter(sea_orm::Condition::any().add(C::BlockedUntil.is_null()).add(C::BlockedUntil.lte(now)))
            .exec(&self.db)
            .await?;
        Ok((blocked.rows_affected == 1).then_some(until))
    }

    /// A successful sign-in clears the account's counters.
    pub async fn clear_account(&self, account: &EmailAddress) -> DomainResult<()> {
        account_throttle::Entity::delete_by_id(account_key(account)).exec(&self.db).await?;
        Ok(())
    }

    pub async fn ip_state(&self, ip: IpAddr, now: DateTime<Utc>) -> DomainResult<IpState> {
        let row = ip_throttle::Entity::find_by_id(ip_key(ip)).one(&self.db).await?;
        Ok(row.map_or(IpState { recent_failures: 0, blocked_until: None }, |row| IpState {
            recent_failures: if row.window_started_at > now - self.ip.window {
                u32::try_from(row.failures).unwrap_or(0)
            } else {
                0
            },
            blocked_until: row.blocked_until.filter(|until| *until > now),
        }))
    }

    /// Counts a failed sign-in from `ip` (whatever the account, known or not); blocks the address
    /// when the threshold is reached within the window.
    #[tracing::instrument(skip_all)]
    pub async fn record_ip_failure(&self, ip: IpAddr, now: DateTime<Utc>) -> DomainResult<IpState> {
        use ip_throttle::Column as C;
        let key = ip_key(ip);
        let row = self.upsert_ip_failure(ip, now).await?;
        let mut blocked_until = row.blocked_until.filter(|until| *until > now);
        if row.failures >= self.ip.failures as i32 && blocked_until.is_none() {
            let until = now + self.ip.block;
            ip_throttle::Entity::update_many()
                .col_expr(C::BlockedUntil, Expr::value(Some(until)))
                .filter(C::Ip.eq(&key))
                .exec(&self.db)
                .await?;
            blocked_until = Some(until);
        }
        Ok(IpState { recent_failures: u32::try_from(row.failures).unwrap_or(0), blocked_until })
    }

    /// One more failure (or reserved check) for `ip` within the window, atomically; the row after it.
    async fn upsert_ip_failure(&self, ip: IpAddr, now: DateTime<Utc>) -> DomainResult<ip_throttle::Model> {
        use ip_throttle::Column as C;
        let key = ip_key(ip);
        let window_over = Expr::col((ip_throttle::Entity, C::WindowStartedAt)).lt(now - self.ip.window);
        let row = ip_throttle::Entity::insert(ip_throttle::ActiveModel {
            ip: Set(key.clone()),
            failures: Set(1),
            window_started_at: Set(now),
            blocked_until: Set(None),
        })
        .on_conflict(
            OnConflict::column(C::Ip)
                .value(
                    C::Failures,
                    Expr::case(window_over.clone(), 1).finally(Expr::col((ip_throttle::Entity, C::Failures)).add(1)),
                )
                .value(
                    C::WindowStartedAt,
                    Expr::case(window_over, now).finally(Expr::col((ip_throttle::Entity, C::WindowStartedAt))),
                )
                .to_owned(),
        )
        .exec_with_returning(&self.db)
        .await?;
        Ok(row)
    }

    /// Addresses blocked now, for operators.
    pub async fn ip_blocks(&self, now: DateTime<Utc>) -> DomainResult<Vec<IpBlock>> {
        Ok(ip_throttle::Entity::find()
            .filter(ip_throttle::Column::BlockedUntil.gt(now))
            .order_by_desc(ip_throttle::Column::BlockedUntil)
            .all(&self.db)
            .await?
            .into_iter()
            .filter_map(|row| {
                Some(IpBlock {
                    key: row.ip,
                    failures: u32::try_from(row.failures).unwrap_or(0),
                    blocked_until: row.blocked_until?,
                })
            })
            .collect())
    }

    /// Lifts the block on `key` (as listed by [`Throttle::ip_blocks`]) and clears its count. Returns
    /// whether there was one.
    pub async fn lift_ip_block(&self, key: &str) -> DomainResult<bool> {
        let deleted = ip_throttle::Entity::delete_by_id(key.to_owned()).exec(&self.db).await?;
        Ok(deleted.rows_affected > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    /// Proves: ID4
    fn cooldowns_double_up_to_the_cap() {
        let policy = AccountLockoutPolicy::default();
        let minutes: Vec<i64> = (0..6).map(|n| policy.cooldown(n).num_minutes()).collect();
        assert_eq!(minutes, vec![1, 2, 4, 8, 15, 15]);
    }

    #[test]
    /// Proves: ID5
    fn ipv6_addresses_count_by_their_64_prefix() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(ip_key(a), ip_key(b));
        assert_ne!(ip_key(a), ip_key(c));
        assert_eq!(ip_key("::ffff:192.0.2.7".parse().unwrap()), "192.0.2.7");
        assert_eq!(ip_key("192.0.2.7".parse().unwrap()), "192.0.2.7");
    }
}
