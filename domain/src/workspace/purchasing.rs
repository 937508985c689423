//! Purchasing with approvals (TN5, DATA1): suppliers, purchase requests with line items and totals, and
//! purchase orders.
//!
//! A request at or below the workspace's threshold is approved at once and becomes an order. Above it,
//! the request waits for an approver (email and in-app notice to everyone who may approve). An approver
//! approves or denies with a comment; nobody decides on their own request; every decision is kept and
//! shown in the request's history. Approval creates exactly one order, however many approvers click at
//! once: the decision is a conditional update that only one can win, and orders are unique per request.

use super::Caller;
use super::audit::{self, Actor};
use super::control_changes::{self, ControlChange, Sides};
use super::notifications::notify;
use crate::entities::tenant::{
    approval_decision, counter, member, purchase_order, purchase_request, purchase_request_line, supplier,
};
use crate::error::{DomainError, DomainResult};
use crate::mail::{Mailer, templates};
use chrono::{DateTime, Utc};
use model::{Cents, Conflict, EmailAddress, Field, Forbidden, Permission, ValidationError};
use sea_orm::sea_query::{Expr, ExprTrait as _, OnConflict};
use sea_orm::{ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, ConnectionTrait, EntityTrait as _};
use sea_orm::{QueryFilter as _, QueryOrder as _};
use serde_json::json;

pub const MAX_LINES: usize = 50;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestStatus {
    Pending,
    Approved,
    Denied,
}

impl RequestStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Denied => "denied",
        }
    }

    fn parse(value: &str) -> Self {
        match value {
            "approved" => Self::Approved,
            "denied" => Self::Denied,
            _ => Self::Pending,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupplierInfo {
    pub id: uuid::Uuid,
    pub name: String,
    pub email: Option<String>,
}

pub async fn suppliers(caller: &Caller) -> DomainResult<Vec<SupplierInfo>> {
    caller.require(Permission::SuppliersView)?;
    Ok(supplier::Entity::find()
        .order_by_asc(supplier::Column::Name)
        .all(&caller.db)
        .await?
        .into_iter()
        .map(|s| SupplierInfo { id: s.id, name: s.name, email: s.email })
        .collect())
}

fn bounded_text(input: &str, field: Field, min: usize, max: usize) -> Result<String, ValidationError> {
    let text = input.trim();
    match text.chars().count() {
        0 => Err(ValidationError::Required { field }),
        n if n < min => Err(ValidationError::TooShort { field, min }),
        n if n > max => Err(ValidationError::TooLong { field, max }),
        _ if text.chars().any(char::is_control) => Err(ValidationError::ForbiddenCharacters { field }),
        _ => Ok(text.to_owned()),
    }
}

pub async fn add_supplier(caller: &Caller, name: &str, email: &str) -> DomainResult<SupplierInfo> {
    caller.require(Permission::SuppliersManage)?;
    let name = bounded_text(name, Field::SupplierName, 2, 120)?;
    let email = match email.trim() {
        "" => None,
        other => Some(EmailAddress::parse(other)?.to_string()),
    };
    let id = uuid::Uuid::new_v4();
    let txn = crate::db::begin_write(&caller.db).await?;
    supplier::ActiveModel {
        id: Set(id),
        name: Set(name.clone()),
        email: Set(email.clone()),
        created_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        &Actor::from(caller),
        "supplier.created",
        "supplier",
        &id.to_string(),
        json!({ "name": name, "email": email }),
    )
    .await?;
    txn.commit().await?;
    Ok(SupplierInfo { id, name, email })
}

/// One line as typed.
#[derive(Debug, Clone, Default)]
pub struct LineInput {
    pub description: String,
    pub quantity: String,
    pub unit_price: String,
}

/// A request as typed.
#[derive(Debug, Clone, Default)]
pub struct RequestInput {
    pub supplier: String,
    pub title: String,
    pub lines: Vec<LineInput>,
}

struct ParsedLine {
    description: String,
    quantity: i32,
    unit_price: Cents,
    total: Cents,
}

fn parse_lines(lines: &[LineInput]) -> Result<(Vec<ParsedLine>, Cents), ValidationError> {
    let filled: Vec<&LineInput> = lines
        .iter()
        .filter(|l| {
            !(l.description.trim().is_empty() && l.quantity.trim().is_empty() && l.unit_price.trim().is_empty())
        })
        .collect();
    if filled.is_empty() {
        return Err(ValidationError::Required { field: Field::Description });
    }
    if filled.len() > MAX_LINES {
        return Err(ValidationError::TooLong { field: Field::Description, max: MAX_LINES });
    }
    let mut parsed = Vec::new();
    let mut total = 0i64;
    for line in filled {
        let description = bounded_text(&line.description, Field::Description, 1, 200)?;
        let quantity = match line.quantity.trim().parse::<i32>() {
            Ok(q) if (1..=1_000_000).contains(&q) => q,
            _ => return Err(ValidationError::OutOfRange { field: Field::Quantity, min: 1, max: 1_000_000 }),
        };
        let unit_price = Cents::parse(&line.unit_price, Field::Amount)?;
        let line_total = unit_price
            .0
            .checked_mul(i64::from(quantity))
            .filter(|t| *t <= Cents::MAX)
            .ok_or(ValidationError::NotAnAmount { field: Field::Amount })?;
        total = total
            .checked_add(line_total)
            .filter(|t| *t <= Cents::MAX)
            .ok_or(ValidationError::NotAnAmount { field: Field::Amount })?;
        parsed.push(ParsedLine { description, quantity, unit_price, total: Cents(line_total) });
    }
    Ok((parsed, Cents(total)))
}

/// The next number of a sequence (requests, orders), atomically.
async fn next_number<C: ConnectionTrait>(conn: &C, name: &str) -> DomainResult<i64> {
    let row = counter::Entity::insert(counter::ActiveModel { name: Set(name.to_owned()), value: Set(1) })
        .on_conflict(
            OnConflict::column(counter::Column::Name)
                .value(counter::Column::Value, Expr::col((counter::Entity, counter::Column::Value)).add(1))
                .to_owned(),
        )
        .exec_with_returning(conn)
        .await?;
    Ok(row.value)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestSummary {
    pub id: uuid::Uuid,
    pub number: i64,
    pub title: String,
    pub requester: String,
    pub supplier: String,
    pub total: Cents,
    pub currency: String,
    pub status: RequestStatus,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineInfo {
    pub description: String,
    pub quantity: i32,
    pub unit_price: Cents,
    pub total: Cents,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionInfo {
    pub approver: String,
    pub approved: bool,
    pub comment: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestDetail {
    pub summary: RequestSummary,
    pub lines: Vec<LineInfo>,
    pub decisions: Vec<DecisionInfo>,
    pub order_number: Option<i64>,
    /// The caller may approve or deny it now.
    pub can_decide: bool,
    pub own: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderInfo {
    pub id: uuid::Uuid,
    pub number: i64,
    pub request_id: uuid::Uuid,
    pub request_number: i64,
    pub supplier: String,
    pub total: Cents,
    pub currency: String,
    pub created_at: DateTime<Utc>,
}

async fn supplier_name<C: ConnectionTrait>(conn: &C, id: uuid::Uuid) -> DomainResult<String> {
    Ok(supplier::Entity::find_by_id(id).one(conn).await?.map(|s| s.name).unwrap_or_default())
}

async fn summary<C: ConnectionTrait>(conn: &C, row: purchase_request::Model) -> DomainResult<RequestSummary> {
    Ok(RequestSummary {
        supplier: supplier_name(conn, row.supplier_id).await?,
        id: row.id,
        number: row.number,
        title: row.title,
        requester: row.requester_email,
        total: Cents(row.total_cents),
        currency: row.currency,
        status: RequestStatus::parse(&row.status),
        created_at: row.created_at,
    })
}

/// Submits a purchase request. Returns it (approved at once when at or below the threshold).
pub async fn submit(caller: &Caller, mailer: &Mailer, input: &RequestInput) -> DomainResult<RequestSummary> {
    caller.require(Permission::RequestsCreate)?;
    let title = bounded_text(&input.title, Field::Title, 3, 120)?;
    let supplier_id = uuid::Uuid::parse_str(input.supplier.trim())
        .map_err(|_| ValidationError::Required { field: Field::Supplier })?;
    let supplier = supplier::Entity::find_by_id(supplier_id)
        .one(&caller.db)
        .await?
        .ok_or(ValidationError::Required { field: Field::Supplier })?;
    let (lines, total) = parse_lines(&input.lines)?;
    let (threshold, currency) = super::policies::purchasing(caller).await?;
    let needs_approval = total > threshold;
    let now = Utc::now();
    let id = uuid::Uuid::new_v4();
    let approvers = if needs_approval { approvers(caller).await? } else { Vec::new() };

    let txn = crate::db::begin_write(&caller.db).await?;
    let number = next_number(&txn, "purchase_request").await?;
    let status = if needs_approval { RequestStatus::Pending } else { RequestStatus::Approved };
    purchase_request::ActiveModel {
        id: Set(id),
        number: Set(number),
        requester_id: Set(caller.user.as_uuid()),
        requester_email: Set(caller.email.to_string()),
        supplier_id: Set(supplier.id),
        title: Set(title.clone()),
        total_cents: Set(total.0),
        currency: Set(currency.clone()),
        status: Set(status.as_str().to_owned()),
        created_at: Set(now),
        decided_at: Set((!needs_approval).then_some(now)),
    }
    .insert(&txn)
    .await?;
    for (position, line) in lines.iter().enumerate() {
        purchase_request_line::ActiveModel {
            id: Set(uuid::Uuid::new_v4()),
            request_id: Set(id),
            position: Set(position as i32),
            description: Set(line.description.clone()),
            quantity: Set(line.quantity),
            unit_price_cents: Set(line.unit_price.0),
            line_total_cents: Set(line.total.0),
        }
        .insert(&txn)
        .await?;
    }
    let actor = Actor::from(caller);
    audit::record(
        &txn,
        &actor,
        "request.submitted",
        "purchase_request",
        &id.to_string(),
        json!({ "number": number, "title": title, "total_cents": total.0, "lines": lines.len() }),
    )
    .await?;
    let link = format!("/w/{}/requests/{id}", caller.workspace.slug);
    if needs_approval {
        let text = format!("Request {number} “{title}” ({} {currency}) waits for your approval.", total.format());
        for (user, _) in &approvers {
            notify(&txn, *user, "approval_needed", &text, &link).await?;
        }
    } else {
        approval_decision::ActiveModel {
            id: Set(uuid::Uuid::now_v7()),
            request_id: Set(id),
            approver_id: Set(uuid::Uuid::nil()),
            approver_email: Set("system".to_owned()),
            decision: Set("approve".to_owned()),
            comment: Set(format!(
                "Approved automatically: at or below the approval threshold of {} {currency}.",
                threshold.format()
            )),
            at: Set(now),
        }
        .insert(&txn)
        .await?;
        create_order(&txn, &actor, id, number, supplier.id, total, &currency).await?;
    }
    // The approvers' mails go out by the cross-database rule (owed in this transaction).
    let url = mailer.link(&link);
    let mails = approvers
        .iter()
        .map(|(_, email)| {
            templates::approval_needed(email, &caller.email, caller.workspace.name.as_str(), number, &title, &url)
                .into()
        })
        .collect();
    let owed = control_changes::owe(&txn, ControlChange::Mails { mails }).await?;
    txn.commit().await?;
    control_changes::settle(Sides::of(caller), owed).await;
    let row = purchase_request::Entity::find_by_id(id).one(&caller.db).await?.ok_or(DomainError::NotFound)?;
    summary(&caller.db, row).await
}

/// Members who may approve requests, with their addresses.
async fn approvers(caller: &Caller) -> DomainResult<Vec<(uuid::Uuid, EmailAddress)>> {
    let mut approvers = Vec::new();
    for row in member::Entity::find().all(&caller.db).await? {
        if row.user_id == caller.user.as_uuid() {
            continue;
        }
        let (_, permissions) = super::access::roles_of(&caller.db, row.user_id).await?;
        if permissions.contains(&Permission::RequestsApprove)
            && let Ok(email) = EmailAddress::parse(&row.email)
        {
            approvers.push((row.user_id, email));
        }
    }
    Ok(approvers)
}

async fn create_order<C: ConnectionTrait>(
    conn: &C,
    actor: &Actor,
    request: uuid::Uuid,
    request_number: i64,
    supplier: uuid::Uuid,
    total: Cents,
    currency: &str,
) -> DomainResult<i64> {
    let number = next_number(conn, "purchase_order").await?;
    let id = uuid::Uuid::new_v4();
    purchase_order::ActiveModel {
        id: Set(id),
        number: Set(number),
        request_id: Set(request),
        supplier_id: Set(supplier),
        total_cents: Set(total.0),
        currency: Set(currency.to_owned()),
        created_at: Set(Utc::now()),
    }
    .insert(conn)
    .await?;
    audit::record(
        conn,
        actor,
        "order.created",
        "purchase_order",
        &id.to_string(),
        json!({ "number": number, "request_number": request_number, "total_cents": total.0 }),
    )
    .await?;
    Ok(number)
}

/// Requests the caller may see: everyone's with `requests.view_all`, else their own.
pub async fn requests(caller: &Caller) -> DomainResult<Vec<RequestSummary>> {
    let mut select = purchase_request::Entity::find().order_by_desc(purchase_request::Column::Number);
    if !caller.can(Permission::RequestsViewAll) {
        caller.require(Permission::RequestsCreate)?;
        select = select.filter(purchase_request::Column::RequesterId.eq(caller.user.as_uuid()));
    }
    let mut out = Vec::new();
    for row in select.all(&caller.db).await? {
        out.push(summary(&caller.db, row).await?);
    }
    Ok(out)
}

/// A request the caller may see (else "not found", whether or not it exists).
async fn visible_request(caller: &Caller, id: uuid::Uuid) -> DomainResult<purchase_request::Model> {
    let row = purchase_request::Entity::find_by_id(id).one(&caller.db).await?.ok_or(DomainError::NotFound)?;
    let own = row.requester_id == caller.user.as_uuid();
    if own || caller.can(Permission::RequestsViewAll) { Ok(row) } else { Err(DomainError::NotFound) }
}

pub async fn request(caller: &Caller, id: uuid::Uuid) -> DomainResult<RequestDetail> {
    let row = visible_request(caller, id).await?;
    let own = row.requester_id == caller.user.as_uuid();
    let pending = RequestStatus::parse(&row.status) == RequestStatus::Pending;
    let lines = purchase_request_line::Entity::find()
        .filter(purchase_request_line::Column::RequestId.eq(id))
        .order_by_asc(purchase_request_line::Column::Position)
        .all(&caller.db)
        .await?
        .into_iter()
        .map(|l| LineInfo {
            description: l.description,
            quantity: l.quantity,
            unit_price: Cents(l.unit_price_cents),
            total: Cents(l.line_total_cents),
        })
        .collect();
    let decisions = approval_decision::Entity::find()
        .filter(approval_decision::Column::RequestId.eq(id))
        .order_by_asc(approval_decision::Column::Id)
        .all(&caller.db)
        .await?
        .into_iter()
        .map(|d| DecisionInfo {
            approver: d.approver_email,
            approved: d.decision == "approve",
            comment: d.comment,
            at: d.at,
        })
        .collect();
    let order_number = purchase_order::Entity::find()
        .filter(purchase_order::Column::RequestId.eq(id))
        .one(&caller.db)
        .await?
        .map(|o| o.number);
    Ok(RequestDetail {
        summary: summary(&caller.db, row).await?,
        lines,
        decisions,
        order_number,
        can_decide: pending && !own && caller.can(Permission::RequestsApprove),
        own,
    })
}

/// Approves or denies a pending request, with a comment (required to deny).
pub async fn decide(
    caller: &Caller,
    mailer: &Mailer,
    id: uuid::Uuid,
    approve: bool,
    comment: &str,
) -> DomainResult<RequestDetail> {
    caller.require(Permission::RequestsApprove)?;
    let row = visible_request(caller, id).await?;
    if row.requester_id == caller.user.as_uuid() {
        return Err(DomainError::Forbidden(Forbidden::SelfApproval));
    }
    let comment = comment.trim();
    if comment.chars().count() > 1000 || comment.chars().any(|c| c.is_control() && c != '\n') {
        return Err(ValidationError::TooLong { field: Field::Comment, max: 1000 }.into());
    }
    if !approve && comment.is_empty() {
        return Err(ValidationError::Required { field: Field::Comment }.into());
    }
    let status = if approve { RequestStatus::Approved } else { RequestStatus::Denied };
    let now = Utc::now();
    let actor = Actor::from(caller);
    // The conditional update comes first in the transaction: of concurrent decisions, one wins and the
    // others find the request no longer pending.
    let txn = crate::db::begin_write(&caller.db).await?;
    let won = purchase_request::Entity::update_many()
        .col_expr(purchase_request::Column::Status, Expr::value(status.as_str()))
        .col_expr(purchase_request::Column::DecidedAt, Expr::value(Some(now)))
        .filter(purchase_request::Column::Id.eq(id))
        .filter(purchase_request::Column::Status.eq(RequestStatus::Pending.as_str()))
        .exec(&txn)
        .await?;
    if won.rows_affected != 1 {
        return Err(DomainError::Conflict(Conflict::AlreadyDecided));
    }
    approval_decision::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        request_id: Set(id),
        approver_id: Set(caller.user.as_uuid()),
        approver_email: Set(caller.email.to_string()),
        decision: Set(if approve { "approve" } else { "deny" }.to_owned()),
        comment: Set(comment.to_owned()),
        at: Set(now),
    }
    .insert(&txn)
    .await?;
    let action = if approve { "request.approved" } else { "request.denied" };
    audit::record(
        &txn,
        &actor,
        action,
        "purchase_request",
        &id.to_string(),
        json!({ "number": row.number, "comment": comment }),
    )
    .await?;
    if approve {
        create_order(&txn, &actor, id, row.number, row.supplier_id, Cents(row.total_cents), &row.currency).await?;
    }
    let link = format!("/w/{}/requests/{id}", caller.workspace.slug);
    let verdict = if approve { "approved" } else { "denied" };
    let text = format!("Request {} “{}” was {verdict} by {}.", row.number, row.title, caller.email);
    notify(&txn, row.requester_id, "request_decided", &text, &link).await?;
    // The requester's mail goes out by the cross-database rule (owed in this transaction).
    let mut mails = Vec::new();
    if let Ok(requester) = EmailAddress::parse(&row.requester_email) {
        let link = mailer.link(&link);
        mails.push(
            templates::request_decided(
                &requester,
                caller.workspace.name.as_str(),
                row.number,
                &row.title,
                approve,
                comment,
                &link,
            )
            .into(),
        );
    }
    let owed = control_changes::owe(&txn, ControlChange::Mails { mails }).await?;
    txn.commit().await?;
    control_changes::settle(Sides::of(caller), owed).await;
    request(caller, id).await
}

/// All purchase orders (`orders.view`).
pub async fn orders(caller: &Caller) -> DomainResult<Vec<OrderInfo>> {
    caller.require(Permission::OrdersView)?;
    let mut out = Vec::new();
    for row in purchase_order::Entity::find().order_by_desc(purchase_order::Column::Number).all(&caller.db).await? {
        let request_number =
            purchase_request::Entity::find_by_id(row.request_id).one(&caller.db).await?.map_or(0, |r| r.number);
        out.push(OrderInfo {
            id: row.id,
            number: row.number,
            request_id: row.request_id,
            request_number,
            supplier: supplier_name(&caller.db, row.supplier_id).await?,
            total: Cents(row.total_cents),
            currency: row.currency,
            created_at: row.created_at,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(d: &str, q: &str, p: &str) -> LineInput {
        LineInput { description: d.into(), quantity: q.into(), unit_price: p.into() }
    }

    #[test]
    fn totals_add_up_in_cents_and_blank_lines_are_skipped() {
        let (lines, total) =
            parse_lines(&[line("Paper", "3", "4.99"), line("", "", ""), line("Toner", "1", "80")]).unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!(total, Cents(3 * 499 + 8000));
    }

    #[test]
    /// Proves: WEB6
    fn bad_lines_are_refused() {
        assert!(matches!(parse_lines(&[line("", "", "")]), Err(ValidationError::Required { .. })));
        assert!(matches!(parse_lines(&[line("Paper", "0", "1")]), Err(ValidationError::OutOfRange { .. })));
        assert!(matches!(parse_lines(&[line("Paper", "2", "-1")]), Err(ValidationError::NotAnAmount { .. })));
        assert!(
            matches!(parse_lines(&[line("Gold", "1000000", "999999999")]), Err(ValidationError::NotAnAmount { .. })),
            "overflow is refused"
        );
    }
}
