//! One-click unsubscribing (RFC 8058, UX4): the address in a notification mail's `List-Unsubscribe`
//! header. A mail client POSTs `List-Unsubscribe=One-Click` to it, with no cookies and no CSRF token, so
//! the route is mounted outside the session and CSRF layers; the link's signature is what authorises it
//! (`domain::mail::unsubscribe`), and all it can do is stop one topic for the one address it names. A GET
//! (a person who opened the address) is sent to the page that asks first.

use crate::state::AppState;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::mail::unsubscribe::{ONE_CLICK_PATH, PAGE_PATH};
use http::StatusCode;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new().route(ONE_CLICK_PATH, axum::routing::get(open_page).post(one_click))
}

#[derive(Deserialize)]
struct Link {
    token: String,
}

async fn one_click(State(state): State<AppState>, Query(link): Query<Link>) -> Response {
    let mailer = state.platform.mailer();
    let Some(unsubscription) = mailer.read_unsubscribe(&link.token) else {
        return (StatusCode::NOT_FOUND, "This unsubscribe link is not valid.").into_response();
    };
    match mailer.set_subscribed(&unsubscription, false).await {
        Ok(()) => (StatusCode::OK, "Unsubscribed.").into_response(),
        Err(error) => {
            tracing::error!(%error, "one-click unsubscribe failed");
            (StatusCode::SERVICE_UNAVAILABLE, "Please try again later.").into_response()
        }
    }
}

/// The page that asks first, for the same link; a link that is not ours goes there too (it says so).
async fn open_page(State(state): State<AppState>, Query(link): Query<Link>) -> Response {
    match state.platform.mailer().read_unsubscribe(&link.token) {
        // A verified token holds only the characters the link was made of.
        Some(_) => Redirect::to(&format!("{PAGE_PATH}?token={}", link.token.trim())).into_response(),
        None => Redirect::to(PAGE_PATH).into_response(),
    }
}
