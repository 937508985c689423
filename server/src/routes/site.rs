//! The Leptos site: server-rendered pages, server functions under `/rpc`, the built assets under
//! `/pkg`, and the 404 page for everything else.

use crate::middleware::security_headers::CspNonce;
use crate::state::AppState;
use app::context::AppContext;
use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::{IntoResponse as _, Response};
use axum::routing::post;
use http::HeaderValue;
use http::header::CACHE_CONTROL;
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes as _, generate_route_list};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

pub fn routes(state: &AppState) -> Router<AppState> {
    let pkg_dir = state.site_root.join(state.leptos_options.site_pkg_dir.as_ref());
    let assets = ServeDir::new(pkg_dir).append_index_html_on_directories(false);
    let context = state.app_context.clone();
    Router::new()
        .route("/rpc/{*fn_name}", post(server_fn_handler))
        .leptos_routes_with_context(state, generate_route_list(app::App), provide_request_context(context), {
            let options = state.leptos_options.clone();
            move || app::shell(options.clone())
        })
        .nest_service(
            "/pkg",
            tower::ServiceBuilder::new()
                .layer(SetResponseHeaderLayer::overriding(
                    CACHE_CONTROL,
                    HeaderValue::from_static("public, max-age=3600"),
                ))
                .service(assets),
        )
        .route_service("/favicon.svg", tower_http::services::ServeFile::new(state.site_root.join("favicon.svg")))
        .fallback(not_found)
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

async fn server_fn_handler(State(state): State<AppState>, request: Request<Body>) -> Response {
    leptos_axum::handle_server_fns_with_context(provide_request_context(state.app_context.clone()), request)
        .await
        .into_response()
}

/// Unknown paths render the app, whose router shows the 404 page with status 404.
async fn not_found(State(state): State<AppState>, request: Request<Body>) -> Response {
    let options = state.leptos_options.clone();
    let handler =
        leptos_axum::render_app_to_stream_with_context(provide_request_context(state.app_context.clone()), move || {
            app::shell(options.clone())
        });
    handler(request).await.into_response()
}
