//! Attachments over HTTP (DATA4): uploading a file to a sales order or a purchase request (a
//! `multipart/form-data` form, which works without WebAssembly) and downloading one.
//!
//! Uploads have their own body limit (the configured largest file plus room for the form), separate
//! from every other route's. A form posted by the browser itself is answered with a redirect back to
//! its page (with the refusal, one of our closed error enums, in the query); a script gets JSON.
//! Downloads are always `Content-Disposition: attachment` under the sanitised name, with
//! `X-Content-Type-Options: nosniff` and `Content-Security-Policy: sandbox; default-src 'none'`, so a
//! file is never rendered as part of this site, whatever a browser thinks it is.

use super::answers;
use crate::state::AppState;
use app::error::AppError;
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use domain::workspace::access::Area;
use domain::workspace::attachments::{self, Owner, content};
use http::{HeaderValue, header};
use model::{Field, ValidationError};

pub const ORDER_UPLOAD: &str = "/w/{slug}/sales/{id}/attachments";
pub const REQUEST_UPLOAD: &str = "/w/{slug}/requests/{id}/attachments";
pub const DOWNLOAD: &str = "/w/{slug}/attachments/{id}";
/// The form field that carries the file.
pub const FILE_FIELD: &str = "file";
/// Room for the rest of a multipart form beside the file (boundaries, headers, the CSRF token).
pub const FORM_OVERHEAD: usize = 64 * 1024;

/// The upload routes: they get their own body limit and CSRF policy in `routes::router`.
pub fn upload_routes() -> Router<AppState> {
    Router::new().route(ORDER_UPLOAD, post(upload_to_order)).route(REQUEST_UPLOAD, post(upload_to_request))
}

pub fn download_routes() -> Router<AppState> {
    Router::new().route(DOWNLOAD, get(download))
}

fn object_id(id: &str) -> Result<uuid::Uuid, AppError> {
    uuid::Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)
}

async fn upload_to_order(
    State(state): State<AppState>,
    Path((slug, id)): Path<(String, String)>,
    request: Request,
) -> Response {
    let back = format!("/w/{slug}/sales/{id}");
    upload(state, slug, object_id(&id).map(Owner::SalesOrder), request, back).await
}

async fn upload_to_request(
    State(state): State<AppState>,
    Path((slug, id)): Path<(String, String)>,
    request: Request,
) -> Response {
    let back = format!("/w/{slug}/requests/{id}");
    upload(state, slug, object_id(&id).map(Owner::PurchaseRequest), request, back).await
}

#[tracing::instrument(skip_all, fields(slug = %slug))]
async fn upload(
    state: AppState,
    slug: String,
    owner: Result<Owner, AppError>,
    request: Request,
    back: String,
) -> Response {
    let (parts, body) = request.into_parts();
    let plain_form = answers::from_browser_form(&parts.headers);
    let result = async {
        let owner = owner?;
        let caller = app::auth::caller_in(&parts, &state.platform, &slug, Area::Workspace).await?;
        let max = state.platform.attachment_settings().max_file_bytes;
        let (name, bytes) = read_file(&parts.headers, body, max).await?;
        Ok::<_, AppError>(attachments::upload(&caller, owner, &name, bytes).await?)
    }
    .await;
    match (result, plain_form) {
        (Ok(_), true) => Redirect::to(&back).into_response(),
        (Err(error), true) => answers::back_with_refusal(&back, "upload_error", &error),
        (Ok(info), false) => Json(app::dto::AttachmentDto::from(info)).into_response(),
        (Err(error), false) => answers::error_json(error),
    }
}

/// The first file in the form: its name as sent and its bytes, at most `max` of them.
async fn read_file(headers: &http::HeaderMap, body: Body, max: u64) -> Result<(String, Vec<u8>), AppError> {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let required = || AppError::Invalid(ValidationError::Required { field: Field::File });
    let too_large = || AppError::Invalid(ValidationError::FileTooLarge { field: Field::File, max_kib: max / 1024 });
    let boundary = multer::parse_boundary(content_type).map_err(|_| required())?;
    let mut form = multer::Multipart::new(body.into_data_stream(), boundary);
    loop {
        // A body cut off by the route's limit ends here too: the file was too large.
        let Some(mut field) = form.next_field().await.map_err(|_| too_large())? else { return Err(required()) };
        if field.name() != Some(FILE_FIELD) {
            continue;
        }
        let name = field.file_name().unwrap_or_default().to_owned();
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(|_| too_large())? {
            if (bytes.len() + chunk.len()) as u64 > max {
                return Err(too_large());
            }
            bytes.extend_from_slice(&chunk);
        }
        if bytes.is_empty() {
            return Err(required());
        }
        return Ok((name, bytes));
    }
}

#[tracing::instrument(skip_all, fields(slug = %slug))]
async fn download(
    State(state): State<AppState>,
    Path((slug, id)): Path<(String, String)>,
    request: Request,
) -> Response {
    let (parts, _) = request.into_parts();
    let result = async {
        let caller = app::auth::caller_in(&parts, &state.platform, &slug, Area::Workspace).await?;
        Ok::<_, AppError>(attachments::download(&caller, object_id(&id)?).await?)
    }
    .await;
    match result {
        Ok(file) => answers::download(
            Body::from(file.bytes),
            HeaderValue::from_static(file.kind.mime()),
            &content::content_disposition(&file.filename),
        ),
        Err(error) => answers::error_json(error),
    }
}
