//! Dev-mode only: the dev outbox, where mail goes when no SMTP server is configured. `/dev/outbox` lists
//! the newest mails for a person; `/dev/outbox.json?to=<address>` gives them to tests and scripts.
//! These routes do not exist in production mode, and answer 404 when an SMTP server is configured.
//!
//! The outbox holds every reset link and code, with no sign-in: it answers only a browser on this machine
//! (the TCP peer and the client address are loopback) that asked for it by a loopback name. Checking the
//! `Host` stops DNS rebinding, where a web page the developer visits points its own name at 127.0.0.1
//! and reads the outbox from the developer's browser.

use crate::state::AppState;
use app::context::ClientIp;
use axum::extract::{ConnectInfo, Query, Request, State};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use domain::mail::StoredMail;
use domain::mail::templates::escape_html;
use serde::Deserialize;
use serde_json::json;
use std::net::{IpAddr, SocketAddr};

pub const OUTBOX: &str = "/dev/outbox";
pub const OUTBOX_JSON: &str = "/dev/outbox.json";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(OUTBOX, get(outbox_page))
        .route(OUTBOX_JSON, get(outbox_json))
        .route_layer(axum::middleware::from_fn(only_from_this_machine))
}

/// Answers 404 (as if the outbox did not exist) unless the request comes from loopback, by a loopback name.
async fn only_from_this_machine(request: Request, next: Next) -> Response {
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(addr)| addr.ip());
    let client = request.extensions().get::<ClientIp>().map(|ClientIp(ip)| *ip);
    let host = request.headers().get(http::header::HOST).and_then(|v| v.to_str().ok());
    let local = peer.is_some_and(|ip| ip.is_loopback())
        && client.is_some_and(|ip| ip.is_loopback())
        && host.is_some_and(is_loopback_host);
    if !local {
        tracing::warn!(?peer, ?client, ?host, "dev outbox refused: not a loopback client and host");
        return http::StatusCode::NOT_FOUND.into_response();
    }
    next.run(request).await
}

/// `localhost`, `127.0.0.1`, `[::1]` (with or without a port).
fn is_loopback_host(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(rest) => rest.split_once(']').map_or("", |(inside, _)| inside),
        None => host.rsplit_once(':').map_or(host, |(name, _)| name),
    };
    name.eq_ignore_ascii_case("localhost") || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[derive(Deserialize)]
struct Filter {
    to: Option<String>,
}

async fn mails(state: &AppState, filter: &Filter) -> Result<Vec<StoredMail>, Response> {
    // With an SMTP server configured there is no dev outbox: mail has left, and its bodies are blanked.
    let Some(outbox) = state.platform.mailer().dev_outbox() else {
        return Err((http::StatusCode::NOT_FOUND, "no dev outbox: mail goes to the SMTP server").into_response());
    };
    let result = match &filter.to {
        Some(to) => outbox.messages_to(to).await,
        None => outbox.recent(50).await,
    };
    result.map_err(|error| {
        tracing::error!(%error, "dev outbox");
        (http::StatusCode::INTERNAL_SERVER_ERROR, "the outbox could not be read").into_response()
    })
}

async fn outbox_json(State(state): State<AppState>, Query(filter): Query<Filter>) -> Response {
    match mails(&state, &filter).await {
        Ok(mails) => Json(
            mails
                .iter()
                .map(|m| json!({ "kind": m.kind, "to": m.to, "subject": m.subject, "text": m.text, "status": m.status, "created_at": m.created_at }))
                .collect::<Vec<_>>(),
        )
        .into_response(),
        Err(response) => response,
    }
}

async fn outbox_page(State(state): State<AppState>, Query(filter): Query<Filter>) -> Response {
    let mails = match mails(&state, &filter).await {
        Ok(mails) => mails,
        Err(response) => return response,
    };
    let mut html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Dev outbox · Strongroom</title><link rel=\"stylesheet\" href=\"/pkg/{}\"></head><body><main>\
         <h1>Dev outbox</h1><p class=\"hint\">Mail goes here because no SMTP server is configured (dev mode only).</p>",
        state.assets.css
    );
    if mails.is_empty() {
        html.push_str("<p>No mail yet.</p>");
    }
    for mail in mails {
        html.push_str(&format!(
            "<article class=\"card\" data-testid=\"mail\"><h2>{}</h2><p class=\"hint\">To {} · {} · {}</p><pre class=\"mail-body\">{}</pre></article>",
            escape_html(&mail.subject),
            escape_html(&mail.to),
            escape_html(&mail.kind),
            mail.created_at.format("%Y-%m-%d %H:%M:%S UTC"),
            linkify(&escape_html(&mail.text)),
        ));
    }
    html.push_str("</main></body></html>");
    Html(html).into_response()
}

/// Turns the (already escaped) `http…` words of a mail body into links.
fn linkify(escaped: &str) -> String {
    escaped
        .split_inclusive(char::is_whitespace)
        .map(|word| {
            let trimmed = word.trim_end();
            if trimmed.starts_with("http://") || trimmed.starts_with("https://") {
                format!("<a href=\"{trimmed}\">{trimmed}</a>{}", &word[trimmed.len()..])
            } else {
                word.to_owned()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::is_loopback_host;

    #[test]
    fn only_loopback_names_are_local() {
        for host in ["localhost", "localhost:3000", "127.0.0.1:3000", "127.0.0.2", "[::1]:3000", "[::1]"] {
            assert!(is_loopback_host(host), "{host}");
        }
        for host in
            ["evil.example", "evil.example:3000", "127.0.0.1.evil.example", "localhost.evil.example", "[::2]:80", ""]
        {
            assert!(!is_loopback_host(host), "{host}");
        }
    }
}
