//! Downloads that are plain files rather than pages: the workspace audit log and the order list as CSV,
//! and the portable export of a whole workspace (OPS2), started here and downloaded once made. Same
//! verified caller and permission checks as the pages (`app::auth::caller_in`, then the domain).

use super::answers;
use crate::state::AppState;
use app::error::AppError;
use axum::body::Body;
use axum::extract::{Path, Query, Request, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use domain::workspace::access::Area;
use http::{HeaderValue, StatusCode, header};
use serde::Deserialize;

pub const AUDIT_CSV: &str = "/w/{slug}/admin/audit.csv";
pub const ORDERS_CSV: &str = "/w/{slug}/orders.csv";

pub const PORTABLE_EXPORT: &str = "/w/{slug}/admin/backups/export";
pub const PORTABLE_DOWNLOAD: &str = "/w/{slug}/admin/backups/export/download";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(AUDIT_CSV, get(audit_csv))
        .route(ORDERS_CSV, get(orders_csv))
        .route(PORTABLE_EXPORT, post(portable_export))
        .route(PORTABLE_DOWNLOAD, post(portable_download))
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

/// A CSV answer as a download, or the error as JSON.
fn csv_download(result: Result<String, AppError>, filename: &str) -> Response {
    match result {
        Ok(csv) => answers::download(
            Body::from(csv),
            HeaderValue::from_static("text/csv; charset=utf-8"),
            &format!("attachment; filename=\"{filename}\""),
        ),
        Err(error) => answers::error_json(error),
    }
}

/// The export form: the caller's password, and the zip's passphrase (blank for none).
#[derive(Deserialize)]
struct ExportForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    passphrase: String,
}

/// Starts a portable export of the workspace (OPS2), made in the background; the backups page shows it
/// running, then offers its download ([`portable_download`]). The caller must hold `backups.manage` and
/// type their password again. A form posted by the browser itself goes back to the backups page (with
/// the refusal in the query, if refused); a script gets `202 Accepted` or the error as JSON.
#[tracing::instrument(skip_all, fields(slug = %slug))]
async fn portable_export(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    parts: http::request::Parts,
    Form(form): Form<ExportForm>,
) -> Response {
    let plain_form = answers::from_browser_form(&parts.headers);
    let platform = &state.platform;
    let result = async {
        let signed_in = app::auth::signed_in_of(&parts, platform).await?;
        let caller = app::auth::enter_in(&parts, platform, &signed_in, &slug, Area::AdminConsole).await?;
        caller.require(model::Permission::BackupsManage)?;
        let passphrase = domain::workspace::portable::parse_passphrase(&form.passphrase).map_err(AppError::Invalid)?;
        let password = secrecy::SecretString::from(form.password);
        let confirmed =
            platform.identity().confirm_password(&signed_in, &password, &app::auth::meta_of(&parts)?).await?;
        Ok::<_, AppError>(platform.backup_operations().start_export(&caller, confirmed, passphrase).await?)
    }
    .await;
    let back = format!("/w/{slug}/admin/backups");
    match result {
        Ok(()) if plain_form => Redirect::to(&back).into_response(),
        Ok(()) => StatusCode::ACCEPTED.into_response(),
        Err(error) if plain_form => answers::back_with_refusal(&back, "export_error", &error),
        Err(error) => answers::error_json(error),
    }
}

/// The caller's finished portable export, sent once as a zip (a POST: handing it out ends it).
#[tracing::instrument(skip_all, fields(slug = %slug))]
async fn portable_download(State(state): State<AppState>, Path(slug): Path<String>, request: Request) -> Response {
    let (parts, _) = request.into_parts();
    let plain_form = answers::from_browser_form(&parts.headers);
    let result = async {
        let caller = app::auth::caller_in(&parts, &state.platform, &slug, Area::AdminConsole).await?;
        Ok::<_, AppError>(state.platform.backup_operations().take_export(&caller)?)
    }
    .await;
    match result {
        Ok(export) => {
            let body = Body::from_stream(tokio_util::io::ReaderStream::new(tokio::fs::File::from_std(export.file)));
            let disposition = format!("attachment; filename=\"{}\"", export.file_name);
            let mut response = answers::download(body, HeaderValue::from_static("application/zip"), &disposition);
            response.headers_mut().insert(header::CONTENT_LENGTH, HeaderValue::from(export.bytes));
            response
        }
        Err(error) if plain_form => {
            answers::back_with_refusal(&format!("/w/{slug}/admin/backups"), "export_error", &error)
        }
        Err(error) => answers::error_json(error),
    }
}
