//! Downloads that are plain files rather than pages: the workspace audit log and the order list as CSV.
//! Same verified caller and permission checks as the pages (`app::auth::caller_in`, then the domain).

use crate::state::AppState;
use app::error::AppError;
use axum::extract::{Path, Query, Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use domain::workspace::access::Area;
use http::{HeaderValue, StatusCode, header};
use serde::Deserialize;

pub const AUDIT_CSV: &str = "/w/{slug}/admin/audit.csv";
pub const ORDERS_CSV: &str = "/w/{slug}/orders.csv";

pub fn routes() -> Router<AppState> {
    Router::new().route(AUDIT_CSV, get(audit_csv)).route(ORDERS_CSV, get(orders_csv))
}

#[derive(Deserialize, Default)]
struct OrderQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    until: String,
    #[serde(default)]
    min: String,
    #[serde(default)]
    max: String,
    #[serde(default)]
    sort: String,
}

async fn orders_csv(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(f): Query<OrderQuery>,
    request: Request,
) -> Response {
    let (parts, _) = request.into_parts();
    let result = async {
        let caller = app::auth::caller_in(&parts, &state.platform, &slug, Area::Workspace).await?;
        let filter = app::api::order_filter(&f.q, &f.kind, &f.status, &f.from, &f.until, &f.min, &f.max, &f.sort);
        Ok::<_, AppError>(domain::workspace::sales::export::export_csv(&caller, &filter).await?)
    }
    .await;
    csv_download(result, &format!("{slug}-orders.csv"))
}

#[derive(Deserialize, Default)]
struct Filter {
    #[serde(default)]
    actor: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    until: String,
}

async fn audit_csv(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(filter): Query<Filter>,
    request: Request,
) -> Response {
    let (parts, _) = request.into_parts();
    let result = async {
        let caller = app::auth::caller_in(&parts, &state.platform, &slug, Area::AdminConsole).await?;
        let filter = app::api::audit_filter(&filter.actor, &filter.action, &filter.from, &filter.until);
        Ok::<_, AppError>(domain::workspace::audit::export_csv(&caller, &filter).await?)
    }
    .await;
    csv_download(result, &format!("{slug}-audit.csv"))
}

/// A CSV answer as a download (never rendered, never cached), or the error as JSON.
fn csv_download(result: Result<String, AppError>, filename: &str) -> Response {
    match result {
        Ok(csv) => {
            let mut response = csv.into_response();
            let headers = response.headers_mut();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
            let disposition = format!("attachment; filename=\"{filename}\"");
            if let Ok(value) = HeaderValue::from_str(&disposition) {
                headers.insert(header::CONTENT_DISPOSITION, value);
            }
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Err(error) => {
            let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (status, Json(error)).into_response()
        }
    }
}
