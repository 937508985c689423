//! The Leptos site: server-rendered pages, server functions under `/rpc`, the built assets under
//! `/pkg`, and the 404 page for everything else.
//!
//! Assets are served as built: precompressed (`.br`, `.gz` beside each file, chosen by the browser's
//! `Accept-Encoding`), and cached for a year as `immutable` when their name carries a content hash; any
//! other file under `/pkg` must be revalidated (`no-cache`), so a rebuilt site is never hidden by a cache.

use crate::middleware::security_headers::CspNonce;
use crate::state::AppState;
use app::context::AppContext;
use app::error::AppError;
use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::{IntoResponse as _, Response};
use axum::routing::any;
use http::header::CACHE_CONTROL;
use http::{HeaderValue, StatusCode};
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes as _, generate_route_list};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

pub const RPC_FALLBACK: &str = "/rpc/{*fn_name}";
pub const ASSETS: &str = "/pkg";
pub const FAVICON: &str = "/favicon.svg";

pub fn routes(state: &AppState) -> Router<AppState> {
    let pkg_dir = state.site_root.join(state.leptos_options.site_pkg_dir.as_ref());
    let assets = ServeDir::new(pkg_dir).append_index_html_on_directories(false).precompressed_br().precompressed_gzip();
    let context = state.app_context.clone();
    let names = state.assets.clone();
    Router::new()
        .route(RPC_FALLBACK, any(unknown_server_fn))
        .leptos_routes_with_context(state, generate_route_list(app::App), provide_request_context(context), {
            let options = state.leptos_options.clone();
            let names = names.clone();
            move || app::shell(options.clone(), names.clone())
        })
        .nest_service(
            ASSETS,
            tower::ServiceBuilder::new()
                .layer(axum::middleware::from_fn_with_state(names.clone(), asset_caching))
                .service(assets),
        )
        .route_service(
            FAVICON,
            tower::ServiceBuilder::new()
                .layer(SetResponseHeaderLayer::overriding(
                    CACHE_CONTROL,
                    HeaderValue::from_static("public, max-age=86400"),
                ))
                .service(tower_http::services::ServeFile::new(state.site_root.join("favicon.svg")).precompressed_br()),
        )
        .fallback(not_found)
        .layer(axum::middleware::map_response(undecodable_arguments_are_bad_requests))
}

/// A year and `immutable` for content-hashed assets, revalidation for any other file under `/pkg`.
async fn asset_caching(
    State(names): State<app::assets::AssetNames>,
    request: Request<Body>,
    next: axum::middleware::Next,
) -> Response {
    // Nested under `/pkg`, the path is the file's name.
    let file = request.uri().path().trim_start_matches('/').to_owned();
    let mut response = next.run(request).await;
    let value = if response.status().is_success() && names.is_immutable(&file) {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    response.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static(value));
    // The same URL answers differently by `Accept-Encoding` (precompressed copies): caches must know.
    response.headers_mut().insert(http::header::VARY, HeaderValue::from_static("accept-encoding"));
    response
}

/// What every render and server-function call gets in its Leptos context: the app's services and
/// this request's CSP nonce (replacing the one leptos_axum would make, so page and header agree).
fn provide_request_context(context: AppContext) -> impl Fn() + Clone + Send + 'static {
    move || {
        provide_context(context.clone());
        let nonce = use_context::<http::request::Parts>().and_then(|parts| parts.extensions.get::<CspNonce>().cloned());
        if let Some(CspNonce(nonce)) = nonce {
            provide_context(leptos::nonce::Nonce::from_value(nonce));
        }
    }
}

/// Server functions are routed by `leptos_routes_with_context`; anything else under `/rpc` is unknown.
async fn unknown_server_fn() -> Response {
    (StatusCode::NOT_FOUND, axum::Json(AppError::NotFound)).into_response()
}

/// Leptos answers arguments it cannot decode (before our code runs) with a 500; they are the
/// client's mistake, so they become a 400 and stay out of the server-error metrics.
async fn undecodable_arguments_are_bad_requests(response: Response) -> Response {
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR || !response.headers().contains_key("serverfnerror") {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "").into_response();
    };
    if serde_json::from_slice::<AppError>(&bytes).is_ok_and(|e| e == AppError::BadRequest) {
        parts.status = StatusCode::BAD_REQUEST;
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// Unknown paths render the app, whose router shows the 404 page with status 404.
async fn not_found(State(state): State<AppState>, request: Request<Body>) -> Response {
    let options = state.leptos_options.clone();
    let handler =
        leptos_axum::render_app_to_stream_with_context(provide_request_context(state.app_context.clone()), move || {
            app::shell(options.clone(), state.assets.clone())
        });
    handler(request).await.into_response()
}
