//! Customers: added and changed by `customers.manage`, listed and read by `customers.view`, with contact
//! data always masked in answers. Search by part of the name, or by exact email address through the
//! keyed blind index (no row is decrypted to search). Changes are audited with before and after; the
//! sensitive values in the audit entry are encrypted too, bound to that entry.

use super::super::Caller;
use super::super::audit::{self, Actor};
use super::columns::{ADDRESS, AUDIT_EVENTS, EMAIL, NOTES, PHONE};
use super::mask::ContactField;
use super::{customer_field, optional_text, phone};
use crate::crypto::{FieldKeys, FieldRef};
use crate::entities::tenant::customer;
use crate::error::{DomainError, DomainResult};
use crate::workspace::purchasing::{Page, PageRequest};
use chrono::{DateTime, Utc};
use model::{EmailAddress, Field, Permission, ValidationError};
use sea_orm::{ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, ConnectionTrait, EntityTrait as _};
use sea_orm::{QueryFilter as _, QueryOrder as _, QuerySelect as _};
use serde_json::{Map, Value, json};
use std::collections::HashMap;

/// A customer as typed.
#[derive(Debug, Clone, Default)]
pub struct CustomerInput {
    pub name: String,
    pub email: String,
    pub phone: String,
    pub address: String,
    pub notes: String,
}

/// A customer as checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Contact {
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub notes: Option<String>,
}

impl CustomerInput {
    pub(crate) fn parse(&self) -> Result<Contact, ValidationError> {
        let name = optional_text(&self.name, Field::CustomerName, 200, false)?
            .ok_or(ValidationError::Required { field: Field::CustomerName })?;
        let email = match self.email.trim() {
            "" => None,
            typed => Some(EmailAddress::parse_for(typed, Field::Email)?.to_string()),
        };
        Ok(Contact {
            name,
            email,
            phone: phone(&self.phone)?,
            address: optional_text(&self.address, Field::PostalAddress, 500, true)?,
            notes: optional_text(&self.notes, Field::Notes, 2000, true)?,
        })
    }
}

/// A customer as answered: contact data masked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerInfo {
    pub id: uuid::Uuid,
    pub number: i64,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub notes: Option<String>,
    pub key_version: i32,
    pub created_at: DateTime<Utc>,
}

/// The clear contact data of a stored row (for masking, revealing and re-encrypting).
pub(crate) fn decrypt(keys: &FieldKeys, row: &customer::Model) -> DomainResult<Contact> {
    let at = |column| customer_field(column, &row.id);
    Ok(Contact {
        name: row.name.clone(),
        email: keys.decrypt_opt(at(EMAIL), row.email_enc.as_deref())?,
        phone: keys.decrypt_opt(at(PHONE), row.phone_enc.as_deref())?,
        address: keys.decrypt_opt(at(ADDRESS), row.address_enc.as_deref())?,
        notes: keys.decrypt_opt(at(NOTES), row.notes_enc.as_deref())?,
    })
}

pub(crate) fn masked(keys: &FieldKeys, row: customer::Model) -> DomainResult<CustomerInfo> {
    let contact = decrypt(keys, &row)?;
    Ok(CustomerInfo {
        id: row.id,
        number: row.number,
        name: row.name,
        email: contact.email.map(|v| ContactField::Email.mask(&v)),
        phone: contact.phone.map(|v| ContactField::Phone.mask(&v)),
        address: contact.address.map(|v| ContactField::Address.mask(&v)),
        notes: contact.notes,
        key_version: row.key_version,
        created_at: row.created_at,
    })
}

/// The encrypted columns of `contact` for row `id` under the current key.
pub(crate) fn sealed(keys: &FieldKeys, id: &uuid::Uuid, contact: &Contact) -> customer::ActiveModel {
    let at = |column| customer_field(column, id);
    customer::ActiveModel {
        name: Set(contact.name.clone()),
        name_search: Set(contact.name.to_lowercase()),
        email_enc: Set(keys.encrypt_opt(at(EMAIL), contact.email.as_deref())),
        email_index: Set(contact.email.as_deref().map(|e| keys.blind_index(EMAIL, e))),
        phone_enc: Set(keys.encrypt_opt(at(PHONE), contact.phone.as_deref())),
        address_enc: Set(keys.encrypt_opt(at(ADDRESS), contact.address.as_deref())),
        notes_enc: Set(keys.encrypt_opt(at(NOTES), contact.notes.as_deref())),
        key_version: Set(keys.current_version()),
        updated_at: Set(Utc::now()),
        ..Default::default()
    }
}

/// The associated-data column of one side of a change to `column` in an audit entry.
fn audit_column(column: &'static str, after: bool) -> &'static str {
    match (column, after) {
        (EMAIL, false) => "changes.email.before",
        (EMAIL, true) => "changes.email.after",
        (PHONE, false) => "changes.phone.before",
        (PHONE, true) => "changes.phone.after",
        (ADDRESS, false) => "changes.address.before",
        (ADDRESS, true) => "changes.address.after",
        (_, false) => "changes.notes.before",
        (_, true) => "changes.notes.after",
    }
}

/// Reads one sensitive field of a contact.
type ContactGetter = fn(&Contact) -> Option<&str>;

/// Before/after of each changed field; sensitive values encrypted and bound to the audit entry `event`.
pub(crate) fn changes(keys: &FieldKeys, event: &uuid::Uuid, before: Option<&Contact>, after: &Contact) -> Value {
    let mut out = Map::new();
    let (old_name, new_name) = (before.map(|b| b.name.as_str()), after.name.as_str());
    if old_name != Some(new_name) {
        out.insert("name".into(), json!({ "before": old_name, "after": new_name }));
    }
    let fields: [(&'static str, ContactGetter); 4] = [
        (EMAIL, |c| c.email.as_deref()),
        (PHONE, |c| c.phone.as_deref()),
        (ADDRESS, |c| c.address.as_deref()),
        (NOTES, |c| c.notes.as_deref()),
    ];
    for (column, get) in fields {
        let (old, new) = (before.and_then(get), get(after));
        if old != new {
            let seal = |value: Option<&str>, after: bool| {
                value.map(|v| {
                    keys.encrypt(FieldRef { table: AUDIT_EVENTS, column: audit_column(column, after), row: event }, v)
                })
            };
            out.insert(
                column.into(),
                json!({ "before": seal(old, false), "after": seal(new, true), "encrypted": true }),
            );
        }
    }
    Value::Object(out)
}

/// Opens, in place, the sealed fields of an audit entry's `changes` that [`changes`] made for `event`;
/// each opened field is marked `"encrypted": false`. Entries without sealed fields are left alone (for
/// the portable export, whose reader has no keys).
pub(crate) fn open_changes(keys: &FieldKeys, event: &uuid::Uuid, changes: &mut Value) -> DomainResult<()> {
    let Some(fields) = changes.as_object_mut() else { return Ok(()) };
    for column in [EMAIL, PHONE, ADDRESS, NOTES] {
        let Some(field) = fields.get_mut(column).and_then(Value::as_object_mut) else { continue };
        if field.get("encrypted") != Some(&Value::Bool(true)) {
            continue;
        }
        for (side, after) in [("before", false), ("after", true)] {
            if let Some(sealed) = field.get(side).and_then(Value::as_str) {
                let at = FieldRef { table: AUDIT_EVENTS, column: audit_column(column, after), row: event };
                let clear = keys.decrypt(at, sealed)?;
                field.insert(side.into(), Value::String(clear));
            }
        }
        field.insert("encrypted".into(), Value::Bool(false));
    }
    Ok(())
}

pub async fn add(caller: &Caller, input: &CustomerInput) -> DomainResult<CustomerInfo> {
    caller.require(Permission::CustomersManage)?;
    let contact = input.parse()?;
    let keys = caller.field_keys().await?;
    let id = uuid::Uuid::new_v4();
    let now = Utc::now();
    let txn = crate::db::begin_write(&caller.db).await?;
    let number = crate::workspace::purchasing::next_number(&txn, "customer").await?;
    let row = customer::ActiveModel {
        id: Set(id),
        number: Set(number),
        created_at: Set(now),
        ..sealed(&keys, &id, &contact)
    }
    .insert(&txn)
    .await?;
    let event = audit::new_event_id();
    let mut described = changes(&keys, &event, None, &contact);
    described["number"] = json!(number);
    audit::record_as(&txn, event, &Actor::from(caller), "customer.created", "customer", &id.to_string(), described)
        .await?;
    txn.commit().await?;
    masked(&keys, row)
}

pub async fn update(caller: &Caller, id: uuid::Uuid, input: &CustomerInput) -> DomainResult<CustomerInfo> {
    caller.require(Permission::CustomersManage)?;
    let contact = input.parse()?;
    let keys = caller.field_keys().await?;
    let txn = crate::db::begin_write(&caller.db).await?;
    let row = customer::Entity::find_by_id(id).one(&txn).await?.ok_or(DomainError::NotFound)?;
    let before = decrypt(&keys, &row)?;
    let event = audit::new_event_id();
    let described = changes(&keys, &event, Some(&before), &contact);
    let row = customer::ActiveModel { id: Set(id), ..sealed(&keys, &id, &contact) }.update(&txn).await?;
    audit::record_as(&txn, event, &Actor::from(caller), "customer.changed", "customer", &id.to_string(), described)
        .await?;
    txn.commit().await?;
    masked(&keys, row)
}

/// What to show of the customers.
#[derive(Debug, Clone, Default)]
pub struct CustomerFilter {
    /// Part of the name, or a whole email address (exact match through the blind index).
    pub q: Option<String>,
}

/// Customers newest first, a page at a time (keyset by number); 1 query a page.
pub async fn list(caller: &Caller, filter: &CustomerFilter, page: &PageRequest) -> DomainResult<Page<CustomerInfo>> {
    caller.require(Permission::CustomersView)?;
    let keys = caller.field_keys().await?;
    let size = page.size();
    let mut select = customer::Entity::find().order_by_desc(customer::Column::Number);
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        select = match EmailAddress::parse(q) {
            Ok(email) => select.filter(customer::Column::EmailIndex.eq(keys.blind_index(EMAIL, email.as_str()))),
            Err(_) => select.filter(customer::Column::NameSearch.contains(q.to_lowercase())),
        };
    }
    if let Some(before) = page.number_cursor() {
        select = select.filter(customer::Column::Number.lt(before));
    }
    let rows = select.limit(size + 1).all(&caller.db).await?;
    let (rows, next) = Page::<CustomerInfo>::of(rows, size, |c| c.number.to_string());
    let items = rows.into_iter().map(|row| masked(&keys, row)).collect::<DomainResult<_>>()?;
    Ok(Page { items, next })
}

pub async fn get(caller: &Caller, id: uuid::Uuid) -> DomainResult<CustomerInfo> {
    caller.require(Permission::CustomersView)?;
    let keys = caller.field_keys().await?;
    let row = customer::Entity::find_by_id(id).one(&caller.db).await?.ok_or(DomainError::NotFound)?;
    masked(&keys, row)
}

/// Customer names by id, for a page of orders (one query).
pub(crate) async fn names<C: ConnectionTrait>(
    conn: &C,
    ids: impl IntoIterator<Item = uuid::Uuid>,
) -> DomainResult<HashMap<uuid::Uuid, String>> {
    let mut ids: Vec<uuid::Uuid> = ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(customer::Entity::find()
        .filter(customer::Column::Id.is_in(ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect())
}
