//! Purchase requests: submitting one (approved at once at or below the threshold, else approvers are
//! told), listing and reading them (who may see what). Editing and withdrawing: [`super::changes`].
//!
//! Who sees a request: its requester; holders of `requests.view_all`; whoever may decide it now (an
//! approver is never asked to decide what they cannot open); whoever decided it.

use super::super::Caller;
use super::super::audit::{self, Actor};
use super::super::control_changes::{self, ControlChange, Sides};
use super::super::notifications::notify;
use super::approvals::{self, Scope};
use super::orders::{create_order, supplier_names};
use super::{Decision, Page, PageRequest, RequestStatus, bounded_text, next_number, people};
use crate::entities::tenant::{approval_decision, purchase_order, purchase_request, purchase_request_line, supplier};
use crate::error::{DomainError, DomainResult};
use crate::mail::{Mailer, templates};
use chrono::{DateTime, Utc};
use model::{Cents, Field, Forbidden, Permission, ValidationError};
use sea_orm::sea_query::{Condition, Query};
use sea_orm::{ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, ConnectionTrait, EntityTrait as _};
use sea_orm::{PaginatorTrait as _, QueryFilter as _, QueryOrder as _, QuerySelect as _};
use serde_json::json;

pub const MAX_LINES: usize = 50;

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

pub(crate) struct ParsedLine {
    pub(crate) description: String,
    pub(crate) quantity: i32,
    pub(crate) unit_price: Cents,
    pub(crate) total: Cents,
}

/// A request as checked: title, an existing supplier, the lines and their total.
pub(super) struct Parsed {
    pub(super) title: String,
    pub(super) supplier: supplier::Model,
    pub(super) lines: Vec<ParsedLine>,
    pub(super) total: Cents,
}

pub(super) async fn parse(caller: &Caller, input: &RequestInput) -> DomainResult<Parsed> {
    let title = bounded_text(&input.title, Field::Title, 3, 120)?;
    let supplier_id = uuid::Uuid::parse_str(input.supplier.trim())
        .map_err(|_| ValidationError::Required { field: Field::Supplier })?;
    let supplier = supplier::Entity::find_by_id(supplier_id)
        .one(&caller.db)
        .await?
        .ok_or(ValidationError::Required { field: Field::Supplier })?;
    let (lines, total) = parse_lines(&input.lines)?;
    Ok(Parsed { title, supplier, lines, total })
}

pub(crate) fn parse_lines(lines: &[LineInput]) -> Result<(Vec<ParsedLine>, Cents), ValidationError> {
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

pub(super) async fn insert_lines<C: ConnectionTrait>(
    conn: &C,
    request: uuid::Uuid,
    lines: &[ParsedLine],
) -> DomainResult<()> {
    let rows = lines.iter().enumerate().map(|(position, line)| purchase_request_line::ActiveModel {
        id: Set(uuid::Uuid::new_v4()),
        request_id: Set(request),
        position: Set(position as i32),
        description: Set(line.description.clone()),
        quantity: Set(line.quantity),
        unit_price_cents: Set(line.unit_price.0),
        line_total_cents: Set(line.total.0),
    });
    purchase_request_line::Entity::insert_many(rows).exec(conn).await?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestSummary {
    pub id: uuid::Uuid,
    pub number: i64,
    pub title: String,
    /// The requester's current address.
    pub requester: String,
    pub supplier_id: uuid::Uuid,
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
    /// The approver's current address ("system" for the automatic approval).
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
    /// The caller submitted it (and so may edit or withdraw it while it waits).
    pub own: bool,
}

/// Summaries of `rows`, with supplier names and requesters' current addresses batched (2 queries).
async fn summaries(caller: &Caller, rows: Vec<purchase_request::Model>) -> DomainResult<Vec<RequestSummary>> {
    let suppliers = supplier_names(&caller.db, rows.iter().map(|r| r.supplier_id)).await?;
    let requesters = people::addresses(caller, rows.iter().map(|r| r.requester_id)).await?;
    Ok(rows
        .into_iter()
        .map(|row| RequestSummary {
            supplier: suppliers.get(&row.supplier_id).cloned().unwrap_or_default(),
            requester: people::name(&requesters, row.requester_id, row.requester_email),
            supplier_id: row.supplier_id,
            id: row.id,
            number: row.number,
            title: row.title,
            total: Cents(row.total_cents),
            currency: row.currency,
            status: row.status,
            created_at: row.created_at,
        })
        .collect())
}

/// Submits a purchase request. Returns it (approved at once when at or below the threshold).
pub async fn submit(caller: &Caller, mailer: &Mailer, input: &RequestInput) -> DomainResult<RequestSummary> {
    caller.require(Permission::RequestsCreate)?;
    let Parsed { title, supplier, lines, total } = parse(caller, input).await?;
    let (threshold, currency) = super::super::policies::purchasing(caller).await?;
    let needs_approval = total > threshold;
    let now = Utc::now();
    let id = uuid::Uuid::new_v4();
    let deciders = if needs_approval { approvals::deciders_for_own(caller).await? } else { Vec::new() };

    let txn = crate::db::begin_write(&caller.db).await?;
    let number = next_number(&txn, "purchase_request").await?;
    let status = if needs_approval { RequestStatus::Pending } else { RequestStatus::Approved };
    let row = purchase_request::ActiveModel {
        id: Set(id),
        number: Set(number),
        requester_id: Set(caller.user.as_uuid()),
        requester_email: Set(caller.email.to_string()),
        supplier_id: Set(supplier.id),
        title: Set(title.clone()),
        total_cents: Set(total.0),
        currency: Set(currency.clone()),
        status: Set(status),
        created_at: Set(now),
        decided_at: Set((!needs_approval).then_some(now)),
    }
    .insert(&txn)
    .await?;
    insert_lines(&txn, id, &lines).await?;
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
        for (user, _) in &deciders {
            notify(&txn, *user, "approval_needed", &text, &link).await?;
        }
    } else {
        approval_decision::ActiveModel {
            id: Set(uuid::Uuid::now_v7()),
            request_id: Set(id),
            approver_id: Set(uuid::Uuid::nil()),
            approver_email: Set("system".to_owned()),
            decision: Set(Decision::Approve),
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
    // The deciders' mails go out by the cross-database rule: owed in this transaction, settled after it.
    let mails = if needs_approval {
        let url = mailer.link(&link);
        let mut mails = Vec::with_capacity(deciders.len());
        for (_, email) in &deciders {
            let language = crate::identity::mail_language(&caller.control, email, Default::default()).await?;
            let workspace = caller.workspace.name.as_str();
            mails.push(
                templates::approval_needed(language, email, &caller.email, workspace, number, &title, &url).into(),
            );
        }
        mails
    } else {
        Vec::new()
    };
    let owed = control_changes::owe(&txn, ControlChange::Mails { mails }).await?;
    txn.commit().await?;
    control_changes::settle(Sides::of(caller), owed).await;
    Ok(summaries(caller, vec![row]).await?.remove(0))
}

/// Requests the caller may see ([module docs](self)), newest first, a page at a time (keyset by
/// number); a fixed number of queries a page, whatever the page or the total.
pub async fn requests(caller: &Caller, page: &PageRequest) -> DomainResult<Page<RequestSummary>> {
    let size = page.size();
    let mut select = purchase_request::Entity::find().order_by_desc(purchase_request::Column::Number);
    if !caller.can(Permission::RequestsViewAll) {
        let scope = approvals::scope(caller).await?;
        if scope == Scope::None && !caller.can(Permission::RequestsCreate) {
            return Err(DomainError::Forbidden(Forbidden::MissingPermission));
        }
        let me = caller.user.as_uuid();
        let decided_by_me = Query::select()
            .column(approval_decision::Column::RequestId)
            .from(approval_decision::Entity)
            .and_where(approval_decision::Column::ApproverId.eq(me))
            .to_owned();
        let mut visible = Condition::any()
            .add(purchase_request::Column::RequesterId.eq(me))
            .add(purchase_request::Column::Id.in_subquery(decided_by_me));
        let pending = purchase_request::Column::Status.eq(RequestStatus::Pending);
        visible = match scope {
            Scope::None => visible,
            Scope::Pending => visible.add(pending),
            Scope::PendingBy(requester) => {
                visible.add(Condition::all().add(pending).add(purchase_request::Column::RequesterId.eq(requester)))
            }
        };
        select = select.filter(visible);
    }
    if let Some(before) = page.number_cursor() {
        select = select.filter(purchase_request::Column::Number.lt(before));
    }
    let rows = select.limit(size + 1).all(&caller.db).await?;
    let (rows, next) = Page::<RequestSummary>::of(rows, size, |r| r.number.to_string());
    Ok(Page { items: summaries(caller, rows).await?, next })
}

/// A request the caller may see (else "not found", whether or not it exists), and whether they may
/// decide it now.
pub(crate) async fn visible_request(caller: &Caller, id: uuid::Uuid) -> DomainResult<(purchase_request::Model, bool)> {
    let row = purchase_request::Entity::find_by_id(id).one(&caller.db).await?.ok_or(DomainError::NotFound)?;
    let can_decide = approvals::scope(caller).await?.covers(caller, &row);
    let own = row.requester_id == caller.user.as_uuid();
    if own || can_decide || caller.can(Permission::RequestsViewAll) {
        return Ok((row, can_decide));
    }
    let decided = approval_decision::Entity::find()
        .filter(approval_decision::Column::RequestId.eq(id))
        .filter(approval_decision::Column::ApproverId.eq(caller.user.as_uuid()))
        .count(&caller.db)
        .await?;
    if decided > 0 { Ok((row, false)) } else { Err(DomainError::NotFound) }
}

pub async fn request(caller: &Caller, id: uuid::Uuid) -> DomainResult<RequestDetail> {
    let (row, can_decide) = visible_request(caller, id).await?;
    let own = row.requester_id == caller.user.as_uuid();
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
        .await?;
    let approvers = people::addresses(caller, decisions.iter().map(|d| d.approver_id)).await?;
    let decisions = decisions
        .into_iter()
        .map(|d| DecisionInfo {
            approver: people::name(&approvers, d.approver_id, d.approver_email),
            approved: d.decision == Decision::Approve,
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
        summary: summaries(caller, vec![row]).await?.remove(0),
        lines,
        decisions,
        order_number,
        can_decide,
        own,
    })
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
