//! CSV export of the filtered order list (`sales.export`): at most [`MAX_ROWS`] rows, contact data never
//! in it (only the customer's or supplier's name), formula cells defused, and the export itself on the
//! audit record with the filter and the number of rows.

use super::super::Caller;
use super::super::audit::{self, Actor};
use super::list::{self, OrderFilter};
use crate::error::{DomainError, DomainResult};
use crate::workspace::purchasing::PageRequest;
use model::Permission;
use serde_json::json;

/// The most rows one export holds.
pub const MAX_ROWS: usize = 5_000;

pub async fn export_csv(caller: &Caller, filter: &OrderFilter) -> DomainResult<String> {
    caller.require(Permission::SalesExport)?;
    let mut rows = Vec::new();
    let mut page = PageRequest { after: None, limit: Some(PageRequest::MAX_SIZE) };
    loop {
        let chunk = list::list(caller, filter, &page).await?;
        rows.extend(chunk.items);
        match chunk.next {
            Some(next) if rows.len() < MAX_ROWS => page.after = Some(next),
            _ => break,
        }
    }
    rows.truncate(MAX_ROWS);
    let described = json!({
        "q": filter.q, "kind": filter.kind.map(|k| k.as_str()), "status": filter.status.map(|s| s.as_str()),
        "from": filter.from.map(|d| d.to_rfc3339()), "until": filter.until.map(|d| d.to_rfc3339()),
        "min_cents": filter.min.map(|c| c.0), "max_cents": filter.max.map(|c| c.0),
        "sort": filter.sort.as_str(), "rows": rows.len(),
    });
    audit::record(&caller.db, &Actor::from(caller), "orders.exported", "order_list", "workspace", described).await?;
    let io = |e: csv::Error| DomainError::Io(std::io::Error::other(e));
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer
        .write_record(["type", "number", "customer_or_supplier", "status", "total", "currency", "created"])
        .map_err(io)?;
    for row in rows {
        let cells = [
            row.kind.as_str().to_owned(),
            row.number.to_string(),
            row.counterparty,
            row.status.map(|s| s.as_str()).unwrap_or("ordered").to_owned(),
            row.total.format(),
            row.currency,
            row.created_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        ];
        writer.write_record(cells.iter().map(|c| audit::defuse_formula(c))).map_err(io)?;
    }
    let bytes = writer.into_inner().map_err(|e| DomainError::Io(std::io::Error::other(e.to_string())))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}
