//! Who decides a request, and the decision itself.
//!
//! Holders of `requests.approve` decide every pending request except their own. When the requester is
//! the only holder (a one-owner workspace, say), the request would wait for ever: then the member an
//! owner named as *fallback approver* may decide it (never their own either), and is the one told about
//! it; without a fallback, the requester can still withdraw it. Of concurrent decisions one wins (a
//! conditional update on "pending"); an approval makes exactly one order.

use super::super::Caller;
use super::super::audit::{self, Actor};
use super::super::control_changes::{self, ControlChange, Sides};
use super::super::notifications::notify;
use super::{Decision, RequestDetail, RequestStatus, orders::create_order, people};
use crate::entities::tenant::{approval_decision, member_role, purchase_request, purchasing_setting, role};
use crate::error::{DomainError, DomainResult};
use crate::mail::{Mailer, templates};
use chrono::Utc;
use model::{Cents, Conflict, EmailAddress, Field, Forbidden, Permission, ValidationError};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, EntityTrait as _, QueryFilter as _};
use serde_json::json;

pub const MAX_COMMENT: usize = 1000;

/// Members now holding `requests.approve`, with their current addresses (4 queries however many).
async fn approve_holders(caller: &Caller) -> DomainResult<Vec<(uuid::Uuid, EmailAddress)>> {
    let roles: Vec<uuid::Uuid> = role::Entity::find()
        .all(&caller.db)
        .await?
        .into_iter()
        .filter(|r| super::super::roles::parse_permissions(&r.permissions).contains(&Permission::RequestsApprove))
        .map(|r| r.id)
        .collect();
    if roles.is_empty() {
        return Ok(Vec::new());
    }
    let mut users: Vec<uuid::Uuid> = member_role::Entity::find()
        .filter(member_role::Column::RoleId.is_in(roles))
        .all(&caller.db)
        .await?
        .into_iter()
        .map(|m| m.user_id)
        .collect();
    users.sort_unstable();
    users.dedup();
    people::current_members(caller, users).await
}

/// The fallback approver an owner named, if they are still a member.
pub async fn fallback_approver(caller: &Caller) -> DomainResult<Option<(uuid::Uuid, EmailAddress)>> {
    let Some(id) = fallback_id(caller).await? else { return Ok(None) };
    Ok(people::current_members(caller, [id]).await?.into_iter().next())
}

async fn fallback_id(caller: &Caller) -> DomainResult<Option<uuid::Uuid>> {
    Ok(purchasing_setting::Entity::find_by_id(1).one(&caller.db).await?.and_then(|s| s.fallback_approver_id))
}

/// Who is asked to decide a new request by the caller: the holders of `requests.approve` other than the
/// caller; if there are none, the fallback approver (unless that is the caller too).
pub(super) async fn deciders_for_own(caller: &Caller) -> DomainResult<Vec<(uuid::Uuid, EmailAddress)>> {
    let me = caller.user.as_uuid();
    let holders: Vec<_> = approve_holders(caller).await?.into_iter().filter(|(id, _)| *id != me).collect();
    if !holders.is_empty() {
        return Ok(holders);
    }
    Ok(fallback_approver(caller).await?.into_iter().filter(|(id, _)| *id != me).collect())
}

/// Which pending requests the caller may decide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Scope {
    None,
    /// Every pending request but their own (holders of `requests.approve`).
    Pending,
    /// As fallback approver: the pending requests of the one holder of `requests.approve`.
    PendingBy(uuid::Uuid),
}

impl Scope {
    pub(super) fn covers(self, caller: &Caller, row: &purchase_request::Model) -> bool {
        row.status == RequestStatus::Pending
            && row.requester_id != caller.user.as_uuid()
            && match self {
                Self::None => false,
                Self::Pending => true,
                Self::PendingBy(requester) => row.requester_id == requester,
            }
    }
}

pub(super) async fn scope(caller: &Caller) -> DomainResult<Scope> {
    if caller.can(Permission::RequestsApprove) {
        return Ok(Scope::Pending);
    }
    if fallback_id(caller).await? != Some(caller.user.as_uuid()) {
        return Ok(Scope::None);
    }
    // A fallback approver decides only what no holder of `requests.approve` could.
    Ok(match approve_holders(caller).await?.as_slice() {
        [] => Scope::Pending,
        [(only, _)] => Scope::PendingBy(*only),
        _ => Scope::None,
    })
}

/// Names (by their address) or clears (an empty address) the fallback approver. Owners only; the
/// person must be a member now ("not found" otherwise).
pub async fn set_fallback_approver(caller: &Caller, email: &str) -> DomainResult<()> {
    if !caller.is_owner() {
        return Err(DomainError::Forbidden(Forbidden::OwnerOnly));
    }
    let user = match email.trim() {
        "" => None,
        text => {
            let email = EmailAddress::parse(text)?;
            let id = people::member_by_address(caller, &email).await?.ok_or(DomainError::NotFound)?;
            Some(id)
        }
    };
    let before = fallback_id(caller).await?;
    let txn = crate::db::begin_write(&caller.db).await?;
    purchasing_setting::Entity::insert(purchasing_setting::ActiveModel {
        id: Set(1),
        fallback_approver_id: Set(user),
        updated_at: Set(Utc::now()),
    })
    .on_conflict(
        OnConflict::column(purchasing_setting::Column::Id)
            .update_columns([purchasing_setting::Column::FallbackApproverId, purchasing_setting::Column::UpdatedAt])
            .to_owned(),
    )
    .exec(&txn)
    .await?;
    audit::record(
        &txn,
        &Actor::from(caller),
        "purchasing.fallback_approver_set",
        "purchasing_settings",
        "1",
        json!({ "before": before, "after": user }),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// The comment of a decision: at most [`MAX_COMMENT`] characters, line breaks allowed, no other control
/// characters.
fn comment(input: &str) -> Result<String, ValidationError> {
    let comment = input.replace("\r\n", "\n");
    let comment = comment.trim();
    if comment.chars().count() > MAX_COMMENT {
        return Err(ValidationError::TooLong { field: Field::Comment, max: MAX_COMMENT });
    }
    if comment.chars().any(|c| c.is_control() && c != '\n') {
        return Err(ValidationError::ForbiddenCharacters { field: Field::Comment });
    }
    Ok(comment.to_owned())
}

/// Approves or denies a pending request, with a comment (required to deny).
pub async fn decide(
    caller: &Caller,
    mailer: &Mailer,
    id: uuid::Uuid,
    decision: Decision,
    comment_text: &str,
) -> DomainResult<RequestDetail> {
    let scope = scope(caller).await?;
    if scope == Scope::None {
        return Err(DomainError::Forbidden(Forbidden::MissingPermission));
    }
    let row = purchase_request::Entity::find_by_id(id).one(&caller.db).await?.ok_or(DomainError::NotFound)?;
    if row.requester_id == caller.user.as_uuid() {
        return Err(DomainError::Forbidden(Forbidden::SelfApproval));
    }
    if row.status != RequestStatus::Pending {
        return Err(DomainError::Conflict(Conflict::AlreadyDecided));
    }
    if !scope.covers(caller, &row) {
        // A fallback approver while someone else may decide: as if it were not there.
        return Err(DomainError::NotFound);
    }
    let comment = comment(comment_text)?;
    if decision == Decision::Deny && comment.is_empty() {
        return Err(ValidationError::Required { field: Field::Comment }.into());
    }
    let approve = decision == Decision::Approve;
    let status = if approve { RequestStatus::Approved } else { RequestStatus::Denied };
    let now = Utc::now();
    let actor = Actor::from(caller);
    // The conditional update comes first in the transaction: of concurrent decisions, one wins and the
    // others find the request no longer pending.
    let txn = crate::db::begin_write(&caller.db).await?;
    let won = purchase_request::Entity::update_many()
        .col_expr(purchase_request::Column::Status, Expr::value(status))
        .col_expr(purchase_request::Column::DecidedAt, Expr::value(Some(now)))
        .filter(purchase_request::Column::Id.eq(id))
        .filter(purchase_request::Column::Status.eq(RequestStatus::Pending))
        .exec(&txn)
        .await?;
    if won.rows_affected != 1 {
        return Err(DomainError::Conflict(Conflict::AlreadyDecided));
    }
    // The row as it is now (an edit may have come between the first read and the update).
    let row = purchase_request::Entity::find_by_id(id).one(&txn).await?.ok_or(DomainError::NotFound)?;
    approval_decision::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        request_id: Set(id),
        approver_id: Set(caller.user.as_uuid()),
        approver_email: Set(caller.email.to_string()),
        decision: Set(decision),
        comment: Set(comment.clone()),
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
    // The requester's address now, not the one they had when they submitted; the mail goes out by the
    // cross-database rule (owed in this transaction, settled after it).
    let current = people::addresses(caller, [row.requester_id]).await?;
    let requester = current.get(&row.requester_id).cloned().or_else(|| EmailAddress::parse(&row.requester_email).ok());
    let language = match &requester {
        Some(requester) => crate::identity::mail_language(&caller.control, requester, Default::default()).await?,
        None => Default::default(),
    };
    let mails = requester
        .map(|requester| {
            templates::request_decided(
                language,
                &requester,
                caller.workspace.name.as_str(),
                row.number,
                &row.title,
                templates::Decision { approved: approve, comment: &comment },
                &mailer.link(&link),
            )
            .into()
        })
        .into_iter()
        .collect();
    let owed = control_changes::owe(&txn, ControlChange::Mails { mails }).await?;
    txn.commit().await?;
    control_changes::settle(Sides::of(caller), owed).await;
    super::request(caller, id).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_allow_line_breaks_but_no_other_control_characters() {
        assert_eq!(comment(" fine\r\nsecond line "), Ok("fine\nsecond line".to_owned()));
        assert_eq!(comment("bell\u{7}"), Err(ValidationError::ForbiddenCharacters { field: Field::Comment }));
        assert_eq!(comment(&"x".repeat(MAX_COMMENT)).map(|c| c.len()), Ok(MAX_COMMENT));
        assert_eq!(
            comment(&"x".repeat(MAX_COMMENT + 1)),
            Err(ValidationError::TooLong { field: Field::Comment, max: MAX_COMMENT })
        );
    }
}
