//! The sandbox provider's HTTP side when it speaks iyzico (PAY2, dev mode only,
//! `billing.sandbox_scheme = "iyzico"`): the two Checkout Form endpoints of iyzico's API under
//! `/sandbox/iyzico`, and the hosted page a person sees instead of iyzico's. As at iyzico, the result
//! goes back by the browser's POST to the callback address (here a 307, which repeats the POST there),
//! and a webhook signed `X-Iyz-Signature-V3` goes to the real iyzico webhook route.

use super::sandbox::{Choice, own_base, page};
use crate::state::AppState;
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use domain::billing::iyzico::{INITIALIZE_PATH, RETRIEVE_PATH};
use domain::billing::sandbox::Outcome;
use domain::mail::templates::escape_html;
use http::{HeaderMap, StatusCode};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(&format!("/sandbox/iyzico{INITIALIZE_PATH}"), post(initialize))
        .route(&format!("/sandbox/iyzico{RETRIEVE_PATH}"), post(retrieve))
        .route("/sandbox/iyzico/pay/{token}", get(pay_page).post(pay))
}

async fn initialize(state: State<AppState>, headers: HeaderMap, body: String) -> Response {
    api(state, headers, INITIALIZE_PATH, body)
}

async fn retrieve(state: State<AppState>, headers: HeaderMap, body: String) -> Response {
    api(state, headers, RETRIEVE_PATH, body)
}

fn api(State(state): State<AppState>, headers: HeaderMap, path: &str, body: String) -> Response {
    let Some(sandbox) = state.platform.billing().sandbox_iyzico() else { return StatusCode::NOT_FOUND.into_response() };
    let authorization = headers.get("authorization").and_then(|v| v.to_str().ok());
    let (status, reply) = sandbox.api(path, authorization, &body, &own_base(&state));
    (StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST), axum::Json(reply)).into_response()
}

async fn pay_page(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let Some(sandbox) = state.platform.billing().sandbox_iyzico() else { return StatusCode::NOT_FOUND.into_response() };
    let Some(what) = sandbox.open_form(&token) else {
        return page(&state.assets.css, "Checkout closed", "<h1>This sandbox checkout is closed</h1>").into_response();
    };
    let token = escape_html(&token);
    page(
        &state.assets.css,
        "Sandbox checkout (iyzico)",
        &format!(
            "<h1>Sandbox checkout (iyzico)</h1><p>{}</p>\
             <form method=\"post\" action=\"/sandbox/iyzico/pay/{token}\">\
             <button name=\"outcome\" value=\"pay\" type=\"submit\">Pay (sandbox)</button> \
             <button name=\"outcome\" value=\"decline\" type=\"submit\">Decline the payment</button> \
             <button name=\"outcome\" value=\"pending\" type=\"submit\">Leave it pending</button></form>",
            escape_html(&what)
        ),
    )
    .into_response()
}

async fn pay(State(state): State<AppState>, Path(token): Path<String>, Form(choice): Form<Choice>) -> Response {
    let billing = state.platform.billing();
    let Some(sandbox) = billing.sandbox_iyzico() else { return StatusCode::NOT_FOUND.into_response() };
    let Some(outcome) = Outcome::parse(&choice.outcome) else { return StatusCode::BAD_REQUEST.into_response() };
    match sandbox.complete(&token, outcome) {
        // Left pending: nothing is reported; the person goes back to their workspaces.
        Ok((_, None)) => Redirect::to("/workspaces").into_response(),
        Ok((callback, Some(delivery))) => {
            if let Err(error) = billing.deliver_sandbox_iyzico(&delivery).await {
                tracing::warn!(%error, "sandbox iyzico webhook");
            }
            // 307 keeps the method: the browser POSTs to the callback, as from iyzico's page.
            Redirect::temporary(&callback).into_response()
        }
        Err(error) => page(&state.assets.css, "Checkout closed", &format!("<h1>{}</h1>", escape_html(error.message)))
            .into_response(),
    }
}
