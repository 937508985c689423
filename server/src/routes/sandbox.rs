//! The sandbox payment provider's HTTP side (PAY2, dev mode only): the subset of Stripe's REST API
//! the Stripe client uses, under `/sandbox/stripe`, and the hosted pages a person sees instead of
//! Stripe's. Everything is labelled "sandbox"; no card data is asked for. Outcomes go to the real
//! webhook route as Stripe-signed webhooks (`domain::billing::sandbox`).

use crate::state::AppState;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use domain::billing::sandbox::{ApiError, Outcome};
use domain::mail::templates::escape_html;
use http::{HeaderMap, StatusCode};
use serde::Deserialize;
use serde_json::json;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/sandbox/stripe/v1/checkout/sessions", post(create_session))
        .route("/sandbox/stripe/v1/checkout/sessions/{id}", get(session))
        .route("/sandbox/stripe/v1/subscriptions/{id}", get(subscription).post(update_subscription))
        .route("/sandbox/stripe/v1/billing_portal/sessions", post(portal_session))
        .route("/sandbox/stripe/v1/invoices", get(invoices))
        .route("/sandbox/pay/{id}", get(pay_page).post(pay))
        .route("/sandbox/portal/{customer}", get(portal_page))
        .route("/sandbox/portal/{customer}/fail-renewal", post(fail_renewal))
        .merge(super::sandbox_iyzico::routes())
}

type Pairs = Vec<(String, String)>;

fn api_error(error: ApiError) -> Response {
    let status = StatusCode::from_u16(error.status).unwrap_or(StatusCode::BAD_REQUEST);
    (status, axum::Json(json!({ "error": { "message": error.message } }))).into_response()
}

/// The sandbox and this server's base address, if the sandbox is the provider and the key is right.
fn authorized<'a>(
    state: &'a AppState,
    headers: &HeaderMap,
) -> Result<(&'a domain::billing::sandbox::Sandbox, String), Box<Response>> {
    let billing = state.platform.billing();
    let sandbox = billing.sandbox().ok_or_else(|| Box::new(StatusCode::NOT_FOUND.into_response()))?;
    let authorization = headers.get("authorization").and_then(|v| v.to_str().ok());
    if !sandbox.authorized(authorization) {
        return Err(Box::new(api_error(ApiError { status: 401, message: "invalid API key" })));
    }
    Ok((sandbox.as_ref(), own_base(state)))
}

pub(super) fn own_base(state: &AppState) -> String {
    state.platform.mailer().link("").trim_end_matches('/').to_owned()
}

fn idempotency(headers: &HeaderMap) -> Option<&str> {
    headers.get("idempotency-key").and_then(|v| v.to_str().ok())
}

async fn create_session(State(state): State<AppState>, headers: HeaderMap, Form(form): Form<Pairs>) -> Response {
    let (sandbox, base) = match authorized(&state, &headers) {
        Ok(found) => found,
        Err(response) => return *response,
    };
    sandbox
        .create_session(&form, idempotency(&headers), &base)
        .map_or_else(api_error, |v| axum::Json(v).into_response())
}

async fn session(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    let (sandbox, base) = match authorized(&state, &headers) {
        Ok(found) => found,
        Err(response) => return *response,
    };
    sandbox.session(&id, &base).map_or_else(api_error, |v| axum::Json(v).into_response())
}

async fn subscription(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    let (sandbox, _) = match authorized(&state, &headers) {
        Ok(found) => found,
        Err(response) => return *response,
    };
    sandbox.subscription(&id).map_or_else(api_error, |v| axum::Json(v).into_response())
}

async fn update_subscription(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<Pairs>,
) -> Response {
    let (sandbox, _) = match authorized(&state, &headers) {
        Ok(found) => found,
        Err(response) => return *response,
    };
    match sandbox.update_subscription(&id, &form, idempotency(&headers)) {
        Ok((reply, delivery)) => {
            if let Some(delivery) = delivery {
                // Stripe sends the webhook later, on its own: so does the sandbox.
                let platform = state.platform.clone();
                tokio::spawn(async move {
                    if let Err(error) = platform.billing().deliver_sandbox(&delivery).await {
                        tracing::warn!(%error, "sandbox webhook");
                    }
                });
            }
            axum::Json(reply).into_response()
        }
        Err(error) => api_error(error),
    }
}

async fn portal_session(State(state): State<AppState>, headers: HeaderMap, Form(form): Form<Pairs>) -> Response {
    let (sandbox, base) = match authorized(&state, &headers) {
        Ok(found) => found,
        Err(response) => return *response,
    };
    sandbox.portal(&form, idempotency(&headers), &base).map_or_else(api_error, |v| axum::Json(v).into_response())
}

#[derive(Deserialize)]
struct InvoiceQuery {
    customer: String,
}

async fn invoices(State(state): State<AppState>, headers: HeaderMap, Query(query): Query<InvoiceQuery>) -> Response {
    let (sandbox, _) = match authorized(&state, &headers) {
        Ok(found) => found,
        Err(response) => return *response,
    };
    axum::Json(sandbox.invoices(&query.customer)).into_response()
}

pub(super) fn page(stylesheet: &str, title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} (sandbox)</title><link rel=\"icon\" href=\"/favicon.svg\" type=\"image/svg+xml\"><link rel=\"stylesheet\" href=\"/pkg/{stylesheet}\"></head><body><main class=\"sandbox-provider\">\
         <p class=\"sandbox-label\" role=\"note\"><strong>SANDBOX</strong>: a stand-in for the payment provider. No real payment is made and no card is asked for.</p>\
         {body}</main></body></html>",
        title = escape_html(title)
    ))
}

async fn pay_page(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let Some(sandbox) = state.platform.billing().sandbox() else { return StatusCode::NOT_FOUND.into_response() };
    let Some(price) = sandbox.open_session_price(&id) else {
        return page(&state.assets.css, "Checkout closed", "<h1>This sandbox checkout is closed</h1>").into_response();
    };
    let plan = state
        .platform
        .billing()
        .plans()
        .by_stripe_price(&price)
        .map(|(p, i)| format!("{} per {}: {} {}", p.name, i.key(), p.price(i).format(), p.currency.code()));
    let id = escape_html(&id);
    page(
        &state.assets.css,
        "Sandbox checkout",
        &format!(
            "<h1>Sandbox checkout</h1><p>{}</p>\
             <form method=\"post\" action=\"/sandbox/pay/{id}\">\
             <button name=\"outcome\" value=\"pay\" type=\"submit\">Pay (sandbox)</button> \
             <button name=\"outcome\" value=\"decline\" type=\"submit\">Decline the payment</button> \
             <button name=\"outcome\" value=\"pending\" type=\"submit\">Leave it pending</button></form>",
            escape_html(&plan.unwrap_or_default())
        ),
    )
    .into_response()
}

#[derive(Deserialize)]
pub(super) struct Choice {
    pub(super) outcome: String,
}

async fn pay(State(state): State<AppState>, Path(id): Path<String>, Form(choice): Form<Choice>) -> Response {
    let billing = state.platform.billing();
    let Some(sandbox) = billing.sandbox() else { return StatusCode::NOT_FOUND.into_response() };
    let Some(outcome) = Outcome::parse(&choice.outcome) else { return StatusCode::BAD_REQUEST.into_response() };
    match sandbox.complete(&id, outcome, &own_base(&state)) {
        Ok((next, deliveries)) => {
            for delivery in deliveries {
                if let Err(error) = billing.deliver_sandbox(&delivery).await {
                    tracing::warn!(%error, "sandbox webhook");
                }
            }
            Redirect::to(&next).into_response()
        }
        Err(error) => page(&state.assets.css, "Checkout closed", &format!("<h1>{}</h1>", escape_html(error.message)))
            .into_response(),
    }
}

#[derive(Deserialize)]
struct PortalQuery {
    return_url: String,
}

async fn portal_page(
    State(state): State<AppState>,
    Path(customer): Path<String>,
    Query(query): Query<PortalQuery>,
) -> Response {
    let billing = state.platform.billing();
    if billing.sandbox().is_none() || !billing.is_own_url(&query.return_url) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let back = escape_html(&query.return_url);
    let customer = escape_html(&customer);
    page(&state.assets.css,
        "Sandbox customer portal",
        &format!(
            "<h1>Sandbox customer portal</h1><p>At a real provider, card changes happen here.</p>\
             <form method=\"post\" action=\"/sandbox/portal/{customer}/fail-renewal\"><input type=\"hidden\" name=\"return_url\" value=\"{back}\">\
             <button type=\"submit\">Simulate a failed renewal</button></form><p><a href=\"{back}\">Back to Strongroom</a></p>"
        ),
    )
    .into_response()
}

async fn fail_renewal(
    State(state): State<AppState>,
    Path(customer): Path<String>,
    Form(query): Form<PortalQuery>,
) -> Response {
    let billing = state.platform.billing();
    let Some(sandbox) = billing.sandbox() else { return StatusCode::NOT_FOUND.into_response() };
    if !billing.is_own_url(&query.return_url) {
        return StatusCode::BAD_REQUEST.into_response();
    }
    if let Some(delivery) = sandbox.fail_renewal(&customer)
        && let Err(error) = billing.deliver_sandbox(&delivery).await
    {
        tracing::warn!(%error, "sandbox webhook");
    }
    Redirect::to(&query.return_url).into_response()
}
