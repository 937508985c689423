//! Prometheus metrics (OPS6): what operators watch, served on an address of its own (`metrics_addr`),
//! never on the public site.
//!
//! Counters and histograms are recorded with the `metrics` facade where things happen: requests here
//! (by route template, method and status), sign-in outcomes in `domain::identity`, rate-limit refusals
//! in the rate-limit middleware, job runs in `domain::jobs`. Gauges that the databases know (the mail
//! queue, the tenant pools and their connections) are read when Prometheus scrapes. No label ever holds a
//! workspace, a user, an address or a raw path: routes are the router's templates (`/w/:slug/orders`),
//! and a path the router does not know is `unmatched`, so nobody can grow the label set by sending
//! requests.

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};
use domain::Platform;
use http::{HeaderValue, Method, StatusCode, header};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

/// Request durations: 1 ms to 10 s.
const LATENCY_BUCKETS: [f64; 12] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

static RECORDER: OnceLock<PrometheusHandle> = OnceLock::new();

/// The process's Prometheus recorder, installed on first use (servers started in one process, as in
/// tests, share it).
pub fn recorder() -> &'static PrometheusHandle {
    RECORDER.get_or_init(|| {
        PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full("strongroom_http_request_duration_seconds".into()), &LATENCY_BUCKETS)
            .expect("the latency buckets are not empty")
            .install_recorder()
            .expect("Strongroom installs the only metrics recorder")
    })
}

/// Counts every request and measures how long it took, labelled by its route template.
pub async fn record_requests(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = method_label(request.method());
    let route = request.extensions().get::<MatchedPath>().map(|m| route_label(m.as_str()));
    let response = next.run(request).await;
    let status = response.status();
    let route = match route {
        Some(route) if status != StatusCode::NOT_FOUND => route,
        _ => "unmatched".to_owned(),
    };
    metrics::histogram!("strongroom_http_request_duration_seconds", "route" => route.clone())
        .record(started.elapsed().as_secs_f64());
    metrics::counter!(
        "strongroom_http_requests_total",
        "route" => route,
        "method" => method,
        "status" => status.as_str().to_owned()
    )
    .increment(1);
    response
}

/// The standard methods by name; anything else is `other` (the label set stays fixed).
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// A route template as operators read it: `/w/:slug/orders` (no braces, which some scrapers' parsers
/// trip over inside label values), nested services (`/pkg`) without axum's private tail.
fn route_label(template: &str) -> String {
    let template = template.split("/{*__private__").next().unwrap_or(template);
    template.replace("{*", "*").replace('{', ":").replace('}', "")
}

/// The metrics address's only route.
pub fn router(platform: Arc<Platform>) -> axum::Router {
    axum::Router::new().route("/metrics", axum::routing::get(scrape)).with_state(platform)
}

/// Reads the gauges the databases know, then renders everything in Prometheus text format.
async fn scrape(State(platform): State<Arc<Platform>>) -> Response {
    let tenancy = platform.tenancy();
    let connections = tenancy.connections();
    metrics::gauge!("strongroom_tenant_pools_open").set(tenancy.open_pools() as f64);
    metrics::gauge!("strongroom_tenant_connections_reserved").set(f64::from(connections.reserved_connections()));
    metrics::gauge!("strongroom_tenant_connections_total").set(f64::from(connections.budget().total));
    match platform.mailer().queue_lengths().await {
        Ok((waiting, failed)) => {
            metrics::gauge!("strongroom_mail_queue", "state" => "waiting").set(waiting as f64);
            metrics::gauge!("strongroom_mail_queue", "state" => "failed").set(failed as f64);
        }
        Err(error) => tracing::warn!(%error, "metrics: could not count the mail queue"),
    }
    let handle = recorder();
    handle.run_upkeep();
    let mut response = handle.render().into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_come_from_a_fixed_set() {
        assert_eq!(route_label("/w/{slug}/orders"), "/w/:slug/orders");
        assert_eq!(route_label("/rpc/{*fn_name}"), "/rpc/*fn_name");
        assert_eq!(route_label("/pkg/{*__private__axum_nest_tail_param}"), "/pkg");
        assert_eq!(method_label(&Method::from_bytes(b"BREW").unwrap()), "other");
    }
}
