//! Signed links to a sales order's confirmation page (DATA5): the workspace hands its end customer a
//! link that opens that one order without an account.
//!
//! A link is `<token>` = base64url(workspace id ‖ link id ‖ order id ‖ expiry) `.` HMAC-SHA256 over the
//! same, under a key derived from the workspace's own random index key ([`FieldKeys::link_signature`]).
//! Opening one checks, in this order: the token's shape, that the workspace is live, the signature (in
//! constant time, before the workspace database is read), the expiry in the token, then the link's row
//! (it exists, belongs to that order, is not revoked, has not expired). Every failure gives the same
//! answer ([`DomainError::NotFound`]), so nobody can tell a forged link from a revoked one. What the
//! page shows is only that order: number, status, lines and total, the customer's name and masked
//! contact data; never notes, never clear contact data. Each opening is in the workspace's audit log;
//! so is each refused opening of a link that the workspace really made (revoked or expired). Forged
//! links are not logged in the workspace: anyone could fill a workspace's log with them.

use super::super::Caller;
use super::super::audit::{self, Actor, ActorKind};
use super::OrderStatus;
use super::customers;
use crate::crypto::{FieldKeys, Vault, mac_matches};
use crate::entities::tenant::{customer, order_link, sales_order, sales_order_line};
use crate::error::{DomainError, DomainResult};
use crate::identity::RequestMeta;
use crate::ids::TenantId;
use crate::tenancy::Tenancy;
use crate::workspace::purchasing::LineInfo;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, TimeZone as _, Utc};
use model::{Cents, Permission};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, EntityTrait as _};
use sea_orm::{QueryFilter as _, QueryOrder as _};
use serde_json::json;

/// The path of the confirmation page; the token follows.
pub const PAGE_PATH: &str = "/confirmation/";

/// How long new links last: configurable (`order_link_days`), validated at start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkSettings {
    pub lifetime: chrono::Duration,
}

impl Default for LinkSettings {
    fn default() -> Self {
        Self { lifetime: chrono::Duration::days(30) }
    }
}

/// What a token says, once its shape is right (not yet verified).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Claims {
    tenant: TenantId,
    link: uuid::Uuid,
    order: uuid::Uuid,
    expires: i64,
}

impl Claims {
    fn payload(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(56);
        bytes.extend_from_slice(self.tenant.as_uuid().as_bytes());
        bytes.extend_from_slice(self.link.as_bytes());
        bytes.extend_from_slice(self.order.as_bytes());
        bytes.extend_from_slice(&self.expires.to_be_bytes());
        bytes
    }

    fn signature(&self, keys: &FieldKeys) -> String {
        keys.link_signature(&[b"sales_order".as_slice(), self.payload().as_slice()])
    }

    fn token(&self, keys: &FieldKeys) -> String {
        format!("{}.{}", URL_SAFE_NO_PAD.encode(self.payload()), self.signature(keys))
    }

    /// The claims and the presented signature, if `token` has the right shape.
    fn parse(token: &str) -> Option<(Self, &str)> {
        let (payload, signature) = token.trim().split_once('.')?;
        if payload.len() > 80 || signature.len() != 64 {
            return None;
        }
        let bytes = URL_SAFE_NO_PAD.decode(payload).ok()?;
        if bytes.len() != 56 {
            return None;
        }
        let id = |range: std::ops::Range<usize>| uuid::Uuid::from_slice(&bytes[range]).ok();
        let expires = i64::from_be_bytes(bytes[48..56].try_into().ok()?);
        Some((Self { tenant: TenantId::from(id(0..16)?), link: id(16..32)?, order: id(32..48)?, expires }, signature))
    }
}

/// A link as the workspace sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkInfo {
    pub id: uuid::Uuid,
    /// `/confirmation/<token>` (the signature is recomputed, never stored).
    pub path: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub last_opened_at: Option<DateTime<Utc>>,
}

impl LinkInfo {
    pub fn is_active(&self, now: DateTime<Utc>) -> bool {
        self.revoked_at.is_none() && self.expires_at > now
    }
}

fn info(keys: &FieldKeys, tenant: TenantId, row: order_link::Model) -> LinkInfo {
    let claims = Claims { tenant, link: row.id, order: row.order_id, expires: row.expires_at.timestamp() };
    LinkInfo {
        id: row.id,
        path: format!("{PAGE_PATH}{}", claims.token(keys)),
        created_at: row.created_at,
        expires_at: row.expires_at,
        revoked_at: row.revoked_at,
        last_opened_at: row.last_opened_at,
    }
}

/// Makes a new link to order `order` (`sales.manage`): valid for the configured lifetime.
pub async fn create(caller: &Caller, order: uuid::Uuid) -> DomainResult<LinkInfo> {
    caller.require(Permission::SalesManage)?;
    let keys = caller.field_keys().await?;
    let now = Utc::now();
    // Whole seconds: the token carries the expiry in seconds, the row must say the same.
    let expires_at =
        Utc.timestamp_opt((now + caller.links.lifetime).timestamp(), 0).single().ok_or(DomainError::NotFound)?;
    let id = uuid::Uuid::new_v4();
    let txn = crate::db::begin_write(&caller.db).await?;
    let row = sales_order::Entity::find_by_id(order).one(&txn).await?.ok_or(DomainError::NotFound)?;
    let link = order_link::ActiveModel {
        id: Set(id),
        order_id: Set(order),
        created_by: Set(Some(caller.user.as_uuid())),
        created_at: Set(now),
        expires_at: Set(expires_at),
        revoked_at: Set(None),
        revoked_by: Set(None),
        last_opened_at: Set(None),
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        &Actor::from(caller),
        "order_link.created",
        "sales_order",
        &order.to_string(),
        json!({ "number": row.number, "link": id, "expires_at": expires_at.to_rfc3339() }),
    )
    .await?;
    txn.commit().await?;
    Ok(info(&keys, caller.workspace.id, link))
}

/// The links of order `order`, newest first (`sales.manage`: they open the order without an account).
pub async fn list(caller: &Caller, order: uuid::Uuid) -> DomainResult<Vec<LinkInfo>> {
    caller.require(Permission::SalesManage)?;
    let keys = caller.field_keys().await?;
    let rows = order_link::Entity::find()
        .filter(order_link::Column::OrderId.eq(order))
        .order_by_desc(order_link::Column::CreatedAt)
        .all(&caller.db)
        .await?;
    Ok(rows.into_iter().map(|row| info(&keys, caller.workspace.id, row)).collect())
}

/// Revokes link `link` (`sales.manage`): from now on it shows nothing. Revoking twice changes nothing.
pub async fn revoke(caller: &Caller, link: uuid::Uuid) -> DomainResult<()> {
    caller.require(Permission::SalesManage)?;
    let txn = crate::db::begin_write(&caller.db).await?;
    let row = order_link::Entity::find_by_id(link).one(&txn).await?.ok_or(DomainError::NotFound)?;
    if row.revoked_at.is_some() {
        return Ok(());
    }
    order_link::Entity::update_many()
        .col_expr(order_link::Column::RevokedAt, Expr::value(Some(Utc::now())))
        .col_expr(order_link::Column::RevokedBy, Expr::value(Some(caller.user.as_uuid())))
        .filter(order_link::Column::Id.eq(link))
        .filter(order_link::Column::RevokedAt.is_null())
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        &Actor::from(caller),
        "order_link.revoked",
        "sales_order",
        &row.order_id.to_string(),
        json!({ "link": link }),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// What the end customer sees: only this order, contact data masked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicOrder {
    pub workspace_name: String,
    pub number: i64,
    pub status: OrderStatus,
    pub customer_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub lines: Vec<LineInfo>,
    pub total: Cents,
    pub currency: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

fn visitor(meta: &RequestMeta, request_id: Option<String>, link: uuid::Uuid) -> Actor {
    Actor {
        kind: ActorKind::Visitor,
        user: None,
        email: format!("signed link {}", &link.simple().to_string()[..8]),
        ip: Some(meta.ip.to_string()),
        request_id,
    }
}

/// Opens a link for someone without an account. Any failure is [`DomainError::NotFound`].
pub async fn open(
    tenancy: &Tenancy,
    vault: &Vault,
    token: &str,
    meta: &RequestMeta,
    request_id: Option<String>,
) -> DomainResult<PublicOrder> {
    let refused = DomainError::NotFound;
    let Some((claims, presented)) = Claims::parse(token) else { return Err(refused) };
    let workspace = tenancy.by_id(claims.tenant).await.map_err(|_| DomainError::NotFound)?;
    let keys = vault.field_keys(claims.tenant).await.map_err(|_| DomainError::NotFound)?;
    if !mac_matches(&claims.signature(&keys), presented) {
        return Err(refused);
    }
    let db = tenancy.active_db(claims.tenant).await.map_err(|_| DomainError::NotFound)?;
    let now = Utc::now();
    let Some(link) = order_link::Entity::find_by_id(claims.link).one(&db).await? else { return Err(refused) };
    let actor = visitor(meta, request_id, link.id);
    if link.order_id != claims.order {
        return Err(refused);
    }
    let why_not = if link.revoked_at.is_some() {
        Some("revoked")
    } else if link.expires_at <= now || claims.expires <= now.timestamp() {
        Some("expired")
    } else {
        None
    };
    if let Some(reason) = why_not {
        let txn = crate::db::begin_write(&db).await?;
        audit::record(
            &txn,
            &actor,
            "order_link.refused",
            "sales_order",
            &link.order_id.to_string(),
            json!({ "link": link.id, "reason": reason }),
        )
        .await?;
        txn.commit().await?;
        return Err(refused);
    }
    let order = sales_order::Entity::find_by_id(link.order_id).one(&db).await?.ok_or(DomainError::NotFound)?;
    let customer = customer::Entity::find_by_id(order.customer_id).one(&db).await?.ok_or(DomainError::NotFound)?;
    let masked = customers::masked(&keys, customer)?;
    let lines = sales_order_line::Entity::find()
        .filter(sales_order_line::Column::OrderId.eq(order.id))
        .order_by_asc(sales_order_line::Column::Position)
        .all(&db)
        .await?
        .into_iter()
        .map(|l| LineInfo {
            description: l.description,
            quantity: l.quantity,
            unit_price: Cents(l.unit_price_cents),
            total: Cents(l.line_total_cents),
        })
        .collect();
    let txn = crate::db::begin_write(&db).await?;
    order_link::Entity::update_many()
        .col_expr(order_link::Column::LastOpenedAt, Expr::value(Some(now)))
        .filter(order_link::Column::Id.eq(link.id))
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        &actor,
        "order_link.opened",
        "sales_order",
        &order.id.to_string(),
        json!({ "number": order.number, "link": link.id }),
    )
    .await?;
    txn.commit().await?;
    Ok(PublicOrder {
        workspace_name: workspace.name.to_string(),
        number: order.number,
        status: order.status,
        customer_name: masked.name,
        email: masked.email,
        phone: masked.phone,
        lines,
        total: Cents(order.total_cents),
        currency: order.currency,
        created_at: order.created_at,
        expires_at: link.expires_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_parse_back_and_malformed_ones_do_not() {
        let claims = Claims {
            tenant: TenantId::new_random(),
            link: uuid::Uuid::new_v4(),
            order: uuid::Uuid::new_v4(),
            expires: 1_900_000_000,
        };
        let token = format!("{}.{}", URL_SAFE_NO_PAD.encode(claims.payload()), "a".repeat(64));
        let (parsed, signature) = Claims::parse(&token).unwrap();
        assert_eq!(parsed, claims);
        assert_eq!(signature.len(), 64);
        assert!(Claims::parse("").is_none());
        assert!(Claims::parse("abc.def").is_none());
        assert!(Claims::parse(&token.replace('.', "")).is_none());
        assert!(Claims::parse(&format!("{}.{}", URL_SAFE_NO_PAD.encode([0u8; 55]), "a".repeat(64))).is_none());
    }
}
