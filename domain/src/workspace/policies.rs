//! Workspace policies (TN1, TN5, TN6), edited in the admin console and enforced at the next request:
//! minimum password length (it can only be raised), 2FA for everyone or for administrators, stricter
//! session limits, a lower failed-login threshold, an IP allowlist for the administration pages, and
//! the amount above which purchase requests need an approver; and the workspace's time zone, in which
//! members who chose none see times (UX3).
//!
//! The allowlist and the approval threshold are owners' business: an administrator who could change them
//! could lock the owners out of the admin console, or lift the threshold, submit, and lower it again to
//! approve their own spending. Owners always pass the allowlist. A change is recorded in the workspace's
//! audit log and applied to the control plane by the cross-database rule (`control_changes`).

use super::Caller;
use super::audit::{self, Actor};
use super::control_changes::{self, ControlChange, Sides};
use crate::entities::control::workspace_policy;
use crate::error::{DomainError, DomainResult};
use crate::ids::TenantId;
use crate::zones::Zone;
use chrono::{Duration, Utc};
use ipnet::IpNet;
use model::{Cents, Field, Forbidden, PasswordRules, Permission, ValidationError};

use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait as _};
use serde_json::json;
use std::net::IpAddr;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TwoFactorPolicy {
    None,
    Admins,
    All,
}

impl TwoFactorPolicy {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Admins => "admins",
            Self::All => "all",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "none" => Some(Self::None),
            "admins" => Some(Self::Admins),
            "all" => Some(Self::All),
            _ => None,
        }
    }
}

/// A workspace's policies, parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub min_password_chars: usize,
    pub two_factor: TwoFactorPolicy,
    pub session_idle: Option<Duration>,
    pub session_absolute: Option<Duration>,
    pub login_failures: Option<u32>,
    pub admin_allowlist: Vec<IpNet>,
    pub approval_threshold: Cents,
    pub currency: String,
    pub time_zone: Zone,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            min_password_chars: PasswordRules::MIN_CHARS,
            two_factor: TwoFactorPolicy::None,
            session_idle: None,
            session_absolute: None,
            login_failures: None,
            admin_allowlist: Vec::new(),
            approval_threshold: Cents(100_000),
            currency: "EUR".to_owned(),
            time_zone: Zone::UTC,
        }
    }
}

impl Policy {
    pub(crate) async fn load<C: ConnectionTrait>(control: &C, tenant: TenantId) -> DomainResult<Self> {
        let Some(row) = workspace_policy::Entity::find_by_id(tenant.as_uuid()).one(control).await? else {
            return Ok(Self::default());
        };
        Ok(Self {
            min_password_chars: usize::try_from(row.min_password_chars).unwrap_or(PasswordRules::MIN_CHARS),
            two_factor: TwoFactorPolicy::parse(&row.two_factor).unwrap_or(TwoFactorPolicy::All),
            session_idle: row.session_idle_secs.map(|s| Duration::seconds(s.into())),
            session_absolute: row.session_absolute_secs.map(|s| Duration::seconds(s.into())),
            login_failures: row.login_failures.and_then(|n| u32::try_from(n).ok()),
            admin_allowlist: row.admin_ip_allowlist.split_whitespace().filter_map(|n| n.parse().ok()).collect(),
            approval_threshold: Cents(row.approval_threshold_cents),
            currency: row.currency,
            time_zone: Zone::parse(&row.time_zone).unwrap_or_default(),
        })
    }

    /// Whether the administration pages may be used from `ip` (an empty allowlist allows every address).
    pub fn admin_allows(&self, ip: IpAddr) -> bool {
        self.admin_allowlist.is_empty() || self.admin_allowlist.iter().any(|net| net.contains(&ip))
    }

    pub(crate) fn row(&self, tenant: TenantId) -> workspace_policy::ActiveModel {
        self.stored().row(tenant)
    }

    pub(crate) fn stored(&self) -> StoredPolicy {
        let secs = |d: Option<Duration>| d.map(|d| i32::try_from(d.num_seconds()).unwrap_or(i32::MAX));
        StoredPolicy {
            min_password_chars: i32::try_from(self.min_password_chars).unwrap_or(i32::MAX),
            two_factor: self.two_factor.as_str().to_owned(),
            session_idle_secs: secs(self.session_idle),
            session_absolute_secs: secs(self.session_absolute),
            login_failures: self.login_failures.map(|n| i32::try_from(n).unwrap_or(i32::MAX)),
            admin_ip_allowlist: self.admin_allowlist.iter().map(ToString::to_string).collect::<Vec<_>>().join(" "),
            approval_threshold_cents: self.approval_threshold.0,
            currency: self.currency.clone(),
            time_zone: self.time_zone.name().to_owned(),
        }
    }

    fn describe(&self) -> serde_json::Value {
        json!({
            "min_password_chars": self.min_password_chars,
            "two_factor": self.two_factor.as_str(),
            "session_idle_secs": self.session_idle.map(|d| d.num_seconds()),
            "session_absolute_secs": self.session_absolute.map(|d| d.num_seconds()),
            "login_failures": self.login_failures,
            "admin_ip_allowlist": self.admin_allowlist.iter().map(ToString::to_string).collect::<Vec<_>>(),
            "approval_threshold_cents": self.approval_threshold.0,
            "time_zone": self.time_zone.name(),
        })
    }
}

/// A policy as the control plane stores it (carried by an owed change until it is applied).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct StoredPolicy {
    min_password_chars: i32,
    two_factor: String,
    session_idle_secs: Option<i32>,
    session_absolute_secs: Option<i32>,
    login_failures: Option<i32>,
    admin_ip_allowlist: String,
    approval_threshold_cents: i64,
    currency: String,
    /// Absent from changes owed before time zones existed: UTC, as the column's default.
    #[serde(default = "utc_name")]
    time_zone: String,
}

fn utc_name() -> String {
    Zone::UTC.name().to_owned()
}

impl StoredPolicy {
    pub(crate) fn row(&self, tenant: TenantId) -> workspace_policy::ActiveModel {
        workspace_policy::ActiveModel {
            tenant_id: Set(tenant.as_uuid()),
            min_password_chars: Set(self.min_password_chars),
            two_factor: Set(self.two_factor.clone()),
            session_idle_secs: Set(self.session_idle_secs),
            session_absolute_secs: Set(self.session_absolute_secs),
            login_failures: Set(self.login_failures),
            admin_ip_allowlist: Set(self.admin_ip_allowlist.clone()),
            approval_threshold_cents: Set(self.approval_threshold_cents),
            currency: Set(self.currency.clone()),
            time_zone: Set(self.time_zone.clone()),
            updated_at: Set(Utc::now()),
        }
    }
}

/// A policy change as typed in the admin console.
#[derive(Debug, Clone, Default)]
pub struct PolicyInput {
    pub min_password_chars: String,
    pub two_factor: String,
    pub session_idle_minutes: String,
    pub session_absolute_hours: String,
    pub login_failures: String,
    pub admin_ip_allowlist: String,
    pub approval_threshold: String,
    /// An IANA name; empty: unchanged.
    pub time_zone: String,
}

fn optional_number(input: &str, min: i64, max: i64) -> Result<Option<i64>, ValidationError> {
    let input = input.trim();
    if input.is_empty() {
        return Ok(None);
    }
    match input.parse::<i64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(Some(n)),
        _ => Err(ValidationError::OutOfRange { field: Field::Policy, min, max }),
    }
}

impl PolicyInput {
    /// Parses the input against the current policy (the minimum password length may only rise).
    pub fn parse(&self, current: &Policy) -> Result<Policy, ValidationError> {
        let min_password_chars = optional_number(
            &self.min_password_chars,
            PasswordRules::MIN_CHARS as i64,
            PasswordRules::MAX_CHARS as i64,
        )?
        .map_or(current.min_password_chars, |n| n as usize);
        if min_password_chars < current.min_password_chars {
            return Err(ValidationError::CannotLower { field: Field::Policy });
        }
        let two_factor =
            TwoFactorPolicy::parse(self.two_factor.trim()).ok_or(ValidationError::Required { field: Field::Policy })?;
        let session_idle = optional_number(&self.session_idle_minutes, 1, 24 * 60)?.map(Duration::minutes);
        let session_absolute = optional_number(&self.session_absolute_hours, 1, 24 * 30)?.map(Duration::hours);
        let login_failures = optional_number(&self.login_failures, 1, 20)?.map(|n| n as u32);
        let mut admin_allowlist = Vec::new();
        for entry in self.admin_ip_allowlist.split([',', '\n', ' ']).map(str::trim).filter(|e| !e.is_empty()) {
            let net = entry
                .parse::<IpNet>()
                .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| ValidationError::ForbiddenCharacters { field: Field::Policy })?;
            admin_allowlist.push(net);
        }
        let approval_threshold = Cents::parse(&self.approval_threshold, Field::Amount)?;
        let time_zone = Zone::chosen(&self.time_zone)?.unwrap_or(current.time_zone);
        Ok(Policy {
            min_password_chars,
            two_factor,
            session_idle,
            session_absolute,
            login_failures,
            admin_allowlist,
            approval_threshold,
            currency: current.currency.clone(),
            time_zone,
        })
    }
}

/// The policy, for the admin console.
pub async fn get(caller: &Caller) -> DomainResult<Policy> {
    caller.require(Permission::PoliciesManage)?;
    Policy::load(&caller.control, caller.workspace.id).await
}

/// The approval threshold and currency, which every member's request form needs.
pub async fn purchasing(caller: &Caller) -> DomainResult<(Cents, String)> {
    let policy = Policy::load(&caller.control, caller.workspace.id).await?;
    Ok((policy.approval_threshold, policy.currency))
}

/// Changes the policy; takes effect at each member's next request.
pub async fn update(caller: &Caller, input: &PolicyInput) -> DomainResult<Policy> {
    caller.require(Permission::PoliciesManage)?;
    let current = Policy::load(&caller.control, caller.workspace.id).await?;
    let next = input.parse(&current).map_err(DomainError::Invalid)?;
    let owners_business =
        next.admin_allowlist != current.admin_allowlist || next.approval_threshold != current.approval_threshold;
    if owners_business && !caller.is_owner() {
        return Err(DomainError::Forbidden(Forbidden::OwnerOnly));
    }
    if next.admin_allowlist.iter().all(|net| !net.contains(&caller.meta.ip)) && !next.admin_allowlist.is_empty() {
        // Saving would lock the administrator out of this very page.
        return Err(DomainError::Invalid(ValidationError::Reserved { field: Field::Policy }));
    }
    let tenant = crate::db::begin_write(&caller.db).await?;
    audit::record(
        &tenant,
        &Actor::from(caller),
        "policy.updated",
        "policy",
        "workspace",
        json!({ "before": current.describe(), "after": next.describe() }),
    )
    .await?;
    let owed = control_changes::owe(&tenant, ControlChange::PolicySet { policy: next.stored() }).await?;
    tenant.commit().await?;
    control_changes::settle(Sides::of(caller), owed).await;
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> PolicyInput {
        PolicyInput {
            min_password_chars: "14".into(),
            two_factor: "admins".into(),
            approval_threshold: "500".into(),
            ..Default::default()
        }
    }

    #[test]
    /// Proves: ID3
    fn the_minimum_length_only_rises() {
        let current = Policy { min_password_chars: 16, ..Policy::default() };
        assert_eq!(input().parse(&current).unwrap_err(), ValidationError::CannotLower { field: Field::Policy });
        let raised = PolicyInput { min_password_chars: "20".into(), ..input() }.parse(&current).unwrap();
        assert_eq!(raised.min_password_chars, 20);
        let unchanged = PolicyInput { min_password_chars: String::new(), ..input() }.parse(&current).unwrap();
        assert_eq!(unchanged.min_password_chars, 16);
    }

    #[test]
    /// Proves: WEB6
    fn inputs_are_parsed_with_limits() {
        let parsed = PolicyInput {
            session_idle_minutes: "15".into(),
            admin_ip_allowlist: "10.0.0.0/8, 192.0.2.7".into(),
            ..input()
        }
        .parse(&Policy::default())
        .unwrap();
        assert_eq!(parsed.two_factor, TwoFactorPolicy::Admins);
        assert_eq!(parsed.session_idle, Some(Duration::minutes(15)));
        assert_eq!(parsed.approval_threshold, Cents(50_000));
        assert!(parsed.admin_allows("10.1.2.3".parse().unwrap()) && parsed.admin_allows("192.0.2.7".parse().unwrap()));
        assert!(!parsed.admin_allows("192.0.2.8".parse().unwrap()));
        assert!(PolicyInput { login_failures: "0".into(), ..input() }.parse(&Policy::default()).is_err());
        assert!(PolicyInput { admin_ip_allowlist: "example.com".into(), ..input() }.parse(&Policy::default()).is_err());
        assert!(PolicyInput { two_factor: "sometimes".into(), ..input() }.parse(&Policy::default()).is_err());
    }
}
