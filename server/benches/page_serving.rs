//! Page serving (issue 16): an authenticated workspace page listing 50 rows from the workspace's own
//! database (the suppliers page, server-rendered), under 64 concurrent connections, against a bare axum
//! handler on the same machine returning the very same bytes (the reference), measured in the same run
//! by the same load generator (`cargo xtask bench`). Goal: at least half the reference's throughput and
//! a p99 below 20 ms.
//!
//! The load generator runs in this process on the same cores as the server, for the page and for the
//! reference alike, so the ratio compares like with like; the absolute figures are lower than an
//! external tool on another machine would see.

use base64::Engine as _;
use server::Application;
use server::config::RawConfig;
use std::time::{Duration, Instant};

const PASSWORD: &str = "plum orchard at dusk";
const CONNECTIONS: usize = 64;
const ROWS: usize = 50;

fn field<'a>(html: &'a str, marker: &str) -> &'a str {
    let start = html.find(marker).expect("marker") + marker.len();
    &html[start..start + html[start..].find('"').unwrap()]
}

struct Browser {
    http: reqwest::Client,
    base: String,
}

impl Browser {
    async fn post(&self, endpoint: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let html = self.page("/signin").await;
        let token = field(&html, "name=\"_csrf_token\" value=\"").to_owned();
        let mut all = vec![("_csrf_token", token.as_str())];
        all.extend_from_slice(fields);
        let response = self
            .http
            .post(format!("{}/rpc/{endpoint}", self.base))
            .header("accept", "application/json")
            .header("origin", &self.base)
            .form(&all)
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success(), "{endpoint}: {}", response.status());
        response
    }

    async fn page(&self, path: &str) -> String {
        self.http
            .get(format!("{}{path}", self.base))
            .header("accept", "text/html")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }
}

async fn mail_text(platform: &domain::Platform, to: &str, kind: &str) -> String {
    loop {
        let mails = platform.mailer().messages_to(to).await.unwrap();
        if let Some(mail) = mails.into_iter().find(|m| m.kind == kind) {
            return mail.text;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// An owner signed in (past the emailed code) with a workspace of [`ROWS`] suppliers; returns the
/// browser and the page's path.
async fn workspace_with_suppliers(base: &str, platform: &domain::Platform) -> (Browser, String) {
    let http = reqwest::Client::builder().cookie_store(true).pool_max_idle_per_host(CONNECTIONS).build().unwrap();
    let browser = Browser { http, base: base.to_owned() };
    let email = "bench-owner@example.com";
    browser.post("auth/sign-up", &[("email", email), ("password", PASSWORD)]).await;
    let text = mail_text(platform, email, "verify_address").await;
    let token: String = text.split("token=").nth(1).unwrap().chars().take_while(|c| !c.is_whitespace()).collect();
    browser.post("auth/verify-email", &[("token", &token)]).await;
    browser.post("auth/sign-in", &[("email", email), ("password", PASSWORD)]).await;
    let text = mail_text(platform, email, "sign_in_code").await;
    let code = &text[text.find("code is ").unwrap() + 8..][..6];
    browser.post("auth/second-factor", &[("code", code)]).await;
    let created: serde_json::Value =
        browser.post("workspaces/create", &[("name", "Bench Traders")]).await.json().await.unwrap();
    let slug = created["slug"].as_str().unwrap().to_owned();
    for i in 0..ROWS {
        let name = format!("Supplier {i:03} Handelsgesellschaft");
        let mail = format!("orders{i}@supplier.example.com");
        browser.post("purchasing/suppliers/add", &[("slug", &slug), ("name", &name), ("email", &mail)]).await;
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
    let seconds: f64 = std::env::var("BENCH_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(10.0);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let dir = tempfile::tempdir().unwrap();
    let raw = RawConfig {
        addr: "127.0.0.1:0".parse().unwrap(),
        data_dir: dir.path().to_owned(),
        master_key: Some(base64::engine::general_purpose::STANDARD.encode([7u8; 32]).into()),
        site_root: dir.path().join("site"),
        auth_requests_per_minute: 10_000_000,
        workspace_requests_per_minute: u32::MAX,
        ..RawConfig::default()
    };
    let app = Application::build(raw.validate().unwrap()).await.unwrap();
    let (base, platform) = (format!("http://{}", app.local_addr()), app.platform());
    tokio::spawn(app.run_until(std::future::pending()));
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
