//! Risk-based second factor (ID6): a sign-in from a browser or network the user has not signed in from
//! before, or after recent failures, must also pass an emailed one-time code (or TOTP, when enrolled).
//!
//! Browsers are recognised by a long-lived random cookie whose hash is stored per user; networks by the
//! address's /24 (IPv4) or /48 (IPv6).

use super::RequestMeta;
use crate::crypto::{hash_token, random_token};
use crate::entities::control::{known_device, known_network};
use crate::error::DomainResult;
use crate::ids::UserId;
use chrono::{DateTime, Utc};
use ipnet::IpNet;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, ConnectionTrait, EntityTrait as _};
use sea_orm::{IntoActiveModel as _, QueryFilter as _};
use std::net::IpAddr;

/// Why a sign-in needs a second factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Risk {
    pub unknown_device: bool,
    pub unknown_network: bool,
    pub recent_failures: bool,
    /// An administrator (of a workspace, or of the platform).
    pub privileged: bool,
}

impl Risk {
    pub fn requires_second_factor(&self) -> bool {
        self.unknown_device || self.unknown_network || self.recent_failures || self.privileged
    }

    pub fn reasons(&self) -> Vec<&'static str> {
        let mut reasons = Vec::new();
        if self.unknown_device {
            reasons.push("unknown_device");
        }
        if self.unknown_network {
            reasons.push("unknown_network");
        }
        if self.recent_failures {
            reasons.push("recent_failures");
        }
        if self.privileged {
            reasons.push("administrator");
        }
        reasons
    }
}

/// The network an address belongs to, for "have we seen this user here before".
pub fn network_of(ip: IpAddr) -> String {
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    };
    let prefix = if ip.is_ipv4() { 24 } else { 48 };
    IpNet::new(ip, prefix).map(|net| net.trunc().to_string()).unwrap_or_else(|_| ip.to_string())
}

pub async fn assess<C: ConnectionTrait>(
    conn: &C,
    user: UserId,
    meta: &RequestMeta,
    recent_failures: bool,
    privileged: bool,
) -> DomainResult<Risk> {
    let known_device = match &meta.device_token {
        Some(token) => known_device::Entity::find()
            .filter(known_device::Column::UserId.eq(user.as_uuid()))
            .filter(known_device::Column::TokenHash.eq(hash_token(token)))
            .one(conn)
            .await?
            .is_some(),
        None => false,
    };
    let known_network =
        known_network::Entity::find_by_id((user.as_uuid(), network_of(meta.ip))).one(conn).await?.is_some();
    Ok(Risk { unknown_device: !known_device, unknown_network: !known_network, recent_failures, privileged })
}

/// What [`remember`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remembered {
    /// The browser was not known for this user before.
    pub new_device: bool,
    /// A device token for the browser to keep as a cookie (when it sent none).
    pub new_token: Option<String>,
}

/// Remembers this browser and network for `user` after a successful sign-in.
pub async fn remember<C: ConnectionTrait>(
    conn: &C,
    user: UserId,
    meta: &RequestMeta,
    now: DateTime<Utc>,
) -> DomainResult<Remembered> {
    let existing = match &meta.device_token {
        Some(token) => {
            known_device::Entity::find()
                .filter(known_device::Column::UserId.eq(user.as_uuid()))
                .filter(known_device::Column::TokenHash.eq(hash_token(token)))
                .one(conn)
                .await?
        }
        None => None,
    };
    let remembered = match existing {
        Some(device) => {
            let mut device = device.into_active_model();
            device.last_seen_at = Set(now);
            device.user_agent = Set(meta.user_agent.clone());
            device.update(conn).await?;
            Remembered { new_device: false, new_token: None }
        }
        None => {
            // Keep the browser's token if it has one (another user of this browser knows it); else make one.
            let token = meta.device_token.clone().unwrap_or_else(random_token);
            known_device::ActiveModel {
                id: Set(uuid::Uuid::new_v4()),
                user_id: Set(user.as_uuid()),
                token_hash: Set(hash_token(&token)),
                user_agent: Set(meta.user_agent.clone()),
                created_at: Set(now),
                last_seen_at: Set(now),
            }
            .insert(conn)
            .await?;
            Remembered { new_device: true, new_token: meta.device_token.is_none().then_some(token) }
        }
    };
    known_network::Entity::insert(known_network::ActiveModel {
        user_id: Set(user.as_uuid()),
        network: Set(network_of(meta.ip)),
        first_seen_at: Set(now),
        last_seen_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([known_network::Column::UserId, known_network::Column::Network])
            .update_column(known_network::Column::LastSeenAt)
            .to_owned(),
    )
    .exec(conn)
    .await?;
    Ok(remembered)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    /// Proves: ID6
    fn networks_are_slash_24_and_slash_48() {
        assert_eq!(network_of("192.0.2.77".parse().unwrap()), "192.0.2.0/24");
        assert_eq!(network_of("2001:db8:aa:bb::1".parse().unwrap()), "2001:db8:aa::/48");
        assert_eq!(network_of("::ffff:198.51.100.9".parse().unwrap()), "198.51.100.0/24");
    }

    #[test]
    /// Proves: ID6
    fn any_reason_requires_a_second_factor() {
        assert!(!Risk::default().requires_second_factor());
        assert!(Risk { unknown_network: true, ..Risk::default() }.requires_second_factor());
        assert!(Risk { privileged: true, ..Risk::default() }.requires_second_factor());
        assert_eq!(
            Risk { unknown_device: true, recent_failures: true, ..Risk::default() }.reasons(),
            ["unknown_device", "recent_failures"]
        );
    }
}
