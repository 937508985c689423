//! OPS6: Prometheus metrics on an address of their own, never on the public site, in the text format a
//! scraper parses, with labels that never name a workspace, a user, an address or a typed path.

use crate::harness::TestApp;
use prometheus_parse::{Sample, Scrape, Value};

fn value(sample: &Sample) -> f64 {
    match &sample.value {
        Value::Counter(v) | Value::Gauge(v) | Value::Untyped(v) => *v,
        Value::Histogram(_) | Value::Summary(_) => f64::NAN,
    }
}

/// The samples named `metric` whose labels include every pair of `labels`.
fn find<'a>(scrape: &'a Scrape, metric: &str, labels: &[(&str, &str)]) -> Vec<&'a Sample> {
    scrape
        .samples
        .iter()
        .filter(|s| s.metric == metric && labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
        .collect()
}

/// Proves: OPS6
#[tokio::test]
async fn metrics_are_served_on_their_own_address_and_parse_as_prometheus_text() {
    let app = TestApp::spawn_with(|raw| raw.metrics_addr = Some("127.0.0.1:0".parse().unwrap())).await;
    let owner = app.user("mia@example.org").await;
    let slug = owner
        .call("workspaces/create", &[("name", "Metric Works")])
        .await
        .json::<serde_json::Value>()
        .await
        .unwrap()["slug"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(owner.get_page(&format!("/w/{slug}/orders")).await.status(), 200);
    let stranger = app.browser();
    let wrong = [("email", "mia@example.org"), ("password", "not the password")];
    assert_eq!(stranger.call("auth/sign-in", &wrong).await.status(), 401);
    assert_eq!(app.get("/no-such-page-7f3a9c").await.status(), 404);

    // Not on the public site.
    assert_eq!(app.get("/metrics").await.status(), 404, "the public address must not serve metrics");

    let metrics = app.metrics_base.as_ref().expect("the metrics address is bound");
    let response = reqwest::get(format!("{metrics}/metrics")).await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/plain; version=0.0.4"));
    let text = response.text().await.unwrap();
    let scrape = Scrape::parse(text.lines().map(|line| Ok(line.to_owned()))).expect("Prometheus text format");

    let pages = find(&scrape, "strongroom_http_requests_total", &[("route", "/w/:slug/orders"), ("status", "200")]);
    assert_eq!(pages.iter().map(|s| value(s)).sum::<f64>(), 1.0, "the orders page, by its route template:\n{text}");
    let refused = find(&scrape, "strongroom_sign_ins_total", &[("outcome", "wrong_credentials")]);
    assert_eq!(refused.iter().map(|s| value(s)).sum::<f64>(), 1.0, "{text}");
    let passed =
        ["signed_in", "second_factor"].map(|o| find(&scrape, "strongroom_sign_ins_total", &[("outcome", o)]).len());
    assert!(passed.iter().sum::<usize>() > 0, "the owner's sign-in is counted:\n{text}");
    assert!(!find(&scrape, "strongroom_http_requests_total", &[("route", "unmatched"), ("status", "404")]).is_empty());
    assert!(
        scrape.samples.iter().any(|s| s.metric.starts_with("strongroom_http_request_duration_seconds")),
        "latency histogram:\n{text}"
    );
    let total = find(&scrape, "strongroom_tenant_connections_total", &[]);
    assert_eq!(
        total.iter().map(|s| value(s)).sum::<f64>(),
        f64::from(app.platform.tenancy().connections().budget().total)
    );
    assert!(!find(&scrape, "strongroom_tenant_pools_open", &[]).is_empty());
    assert!(!find(&scrape, "strongroom_mail_queue", &[("state", "waiting")]).is_empty());

    // Nothing a visitor chose or owns becomes a label.
    for secret in ["7f3a9c", slug.as_str(), "mia@example.org", "127.0.0.1"] {
        assert!(!text.contains(secret), "{secret} appears in the metrics:\n{text}");
    }
}
