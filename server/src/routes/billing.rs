//! The payment providers' routes (PAY1): Stripe's and iyzico's webhooks and iyzico's callback. They
//! are mounted *outside* the session and CSRF layers (a provider has no session, and iyzico's callback
//! is a cross-site POST from its payment page), so each is verified by its own means instead: a
//! webhook by its signature, the callback by fetching the result from iyzico with the token we stored.
//! Whatever a request claims is never applied as such. The callback answers with a redirect to the
//! workspace's billing page.

use crate::state::AppState;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use domain::billing::BillingError;
use http::{HeaderMap, StatusCode};

pub const STRIPE_WEBHOOK: &str = "/billing/webhooks/stripe";
pub const IYZICO_WEBHOOK: &str = "/billing/webhooks/iyzico";
pub const IYZICO_CALLBACK: &str = "/billing/iyzico/callback/{tenant}/{checkout}";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(STRIPE_WEBHOOK, post(stripe_webhook))
        .route(IYZICO_WEBHOOK, post(iyzico_webhook))
        .route(IYZICO_CALLBACK, post(iyzico_callback))
}

/// 400 for what must not be retried (bad signature, not ours); 502/500 so the provider retries later.
fn answer(result: Result<domain::billing::Delivered, BillingError>) -> Response {
    match result {
        Ok(outcome) => (StatusCode::OK, format!("{outcome:?}")).into_response(),
        Err(error @ (BillingError::Signature(_) | BillingError::Refused(_))) => {
            tracing::warn!(%error, "payment provider request refused");
            (StatusCode::BAD_REQUEST, "refused").into_response()
        }
        Err(error @ BillingError::Provider(_)) => {
            tracing::warn!(%error, "payment provider unreachable while handling a webhook");
            (StatusCode::BAD_GATEWAY, "try again").into_response()
        }
        Err(error) => {
            tracing::error!(%error, "webhook could not be applied");
            (StatusCode::INTERNAL_SERVER_ERROR, "try again").into_response()
        }
    }
}

async fn stripe_webhook(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let signature = headers.get("stripe-signature").and_then(|v| v.to_str().ok());
    answer(state.platform.billing().stripe_webhook(signature, &body).await)
}

async fn iyzico_webhook(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let signature = headers.get("x-iyz-signature-v3").and_then(|v| v.to_str().ok());
    answer(state.platform.billing().iyzico_webhook(signature, &body).await)
}

/// iyzico posts `token` here from its page; we ignore it and retrieve with the token we stored.
async fn iyzico_callback(State(state): State<AppState>, Path((tenant, checkout)): Path<(String, String)>) -> Response {
    let (Ok(tenant), Ok(checkout)) = (uuid::Uuid::parse_str(&tenant), uuid::Uuid::parse_str(&checkout)) else {
        return Redirect::to("/workspaces").into_response();
    };
    match state.platform.billing().iyzico_result(tenant.into(), checkout).await {
        Ok((workspace, _)) => {
            Redirect::to(&format!("/w/{}/admin/billing?checkout={checkout}", workspace.slug.as_str())).into_response()
        }
        Err(error) => {
            tracing::warn!(%error, "iyzico callback not applied");
            Redirect::to("/workspaces").into_response()
        }
    }
}
