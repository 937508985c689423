//! Page serving (issue 16): an authenticated workspace page listing 50 rows from the workspace's own
//! database (the suppliers page, server-rendered), under 64 concurrent connections, against a bare axum
//! handler on the same machine returning the very same bytes (the reference), measured in the same run
//! by the same load generator (`cargo xtask bench`). Goal: at least half the reference's throughput and
//! a p99 below 20 ms.
//!
//! The load generator runs in this process on the same cores as the server, for the page and for the
//! reference alike, so the ratio compares like with like; the absolute figures are lower than an
//! external tool on another machine would see.

mod support;

use std::time::{Duration, Instant};
use support::Browser;

const CONNECTIONS: usize = 64;
const ROWS: usize = 50;

/// An owner signed in (past the emailed code) with a workspace of [`ROWS`] suppliers; returns the
/// browser and the page's path.
async fn workspace_with_suppliers(base: &str, platform: &domain::Platform) -> (Browser, String) {
    let browser = Browser::new(base, CONNECTIONS);
    browser.sign_up_and_in(platform, "bench-owner@example.com").await;
    let created: serde_json::Value =
        browser.post("workspaces/create", &[("name", "Bench Traders")]).await.json().await.unwrap();
    let slug = created["slug"].as_str().unwrap().to_owned();
    for i in 0..ROWS {
        let name = format!("Supplier {i:03} Handelsgesellschaft");
        let mail = format!("orders{i}@supplier.example.com");
        let added =
            browser.post("purchasing/suppliers/add", &[("slug", &slug), ("name", &name), ("email", &mail)]).await;
        assert_eq!(added.status(), 200);
    }
    (browser, format!("/w/{slug}/suppliers"))
}

struct Load {
    per_second: f64,
    p50: Duration,
    p99: Duration,
}

/// `CONNECTIONS` loops fetching `url` for `seconds`; every answer must be `expected_len` bytes or more.
async fn load(http: &reqwest::Client, url: &str, seconds: f64, expected_len: usize) -> Load {
    let started = Instant::now();
    let runs = (0..CONNECTIONS).map(|_| {
        let (http, url) = (http.clone(), url.to_owned());
        tokio::spawn(async move {
            let mut latencies = Vec::new();
            while started.elapsed().as_secs_f64() < seconds {
                let at = Instant::now();
                let body = http.get(&url).header("accept", "text/html").send().await.unwrap().bytes().await.unwrap();
                latencies.push(at.elapsed());
                assert!(body.len() >= expected_len, "a short answer: {} bytes", body.len());
            }
            latencies
        })
    });
    let mut all: Vec<Duration> = Vec::new();
    for run in futures_util::future::join_all(runs).await {
        all.extend(run.unwrap());
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort_unstable();
    let at = |q: f64| all[((all.len() as f64 * q) as usize).min(all.len() - 1)];
    Load { per_second: all.len() as f64 / elapsed, p50: at(0.50), p99: at(0.99) }
}

#[tokio::main]
async fn main() {
    let (seconds, cores) = (support::seconds(), support::cores());
    let dir = tempfile::tempdir().unwrap();
    let (base, platform) = support::start(support::config(dir.path()).validate().unwrap()).await;
    let (browser, path) = workspace_with_suppliers(&base, &platform).await;
    let page = browser.page(&path).await;
    // Each row appears twice: in the HTML, and in the serialised data the browser hydrates from.
    assert_eq!(page.matches("Handelsgesellschaft").count(), 2 * ROWS, "the page lists the {ROWS} suppliers");

    // The reference: the same bytes from a bare axum handler.
    let bytes = page.clone();
    let reference = axum::Router::new()
        .route("/", axum::routing::get(move || std::future::ready(axum::response::Html(bytes.clone()))));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let reference_url = format!("http://{}/", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, reference).await.unwrap() });

    println!(
        "page serving: {} ({} bytes, {ROWS} rows), {CONNECTIONS} connections, {cores} cores, {seconds} s each",
        path.split('/').next_back().unwrap_or_default(),
        page.len()
    );
    let plain = reqwest::Client::builder().pool_max_idle_per_host(CONNECTIONS).build().unwrap();
    let bare = load(&plain, &reference_url, seconds, page.len()).await;
    let served = load(&browser.http, &format!("{base}{path}"), seconds, page.len() / 2).await;
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "  bare axum handler (reference): {:9.1} pages/s  p50 {:6.1} ms  p99 {:6.1} ms",
        bare.per_second,
        ms(bare.p50),
        ms(bare.p99)
    );
    println!(
        "  Strongroom suppliers page:     {:9.1} pages/s  p50 {:6.1} ms  p99 {:6.1} ms",
        served.per_second,
        ms(served.p50),
        ms(served.p99)
    );
    println!(
        "  ratio (goal at least 0.5):     {:9.3}         p99 goal below 20 ms",
        served.per_second / bare.per_second
    );
}
