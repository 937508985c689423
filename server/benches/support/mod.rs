//! What every benchmark in `server/benches` needs (each includes it with `mod support;`): the real
//! application started on port 0 with a fresh data directory and limits out of the way, and a browser
//! that signs up, verifies, signs in past the emailed code and posts forms with the CSRF token, the way
//! a person's browser does.

#![allow(dead_code)] // each benchmark uses a part

use base64::Engine as _;
use server::Application;
use server::config::RawConfig;
use std::time::Duration;

pub const PASSWORD: &str = "plum orchard at dusk";

/// How long each measurement runs: `BENCH_SECONDS`, 10 by default.
pub fn seconds() -> f64 {
    std::env::var("BENCH_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(10.0)
}

pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// A configuration for a benchmark: port 0, `dir` as data directory, per-address limits out of the way.
pub fn config(dir: &std::path::Path) -> RawConfig {
    RawConfig {
        addr: "127.0.0.1:0".parse().unwrap(),
        data_dir: dir.to_owned(),
        master_key: Some(base64::engine::general_purpose::STANDARD.encode([7u8; 32]).into()),
        site_root: dir.join("site"),
        // A benchmark is one client address and a few accounts doing what thousands would.
        auth_requests_per_minute: u32::MAX,
        code_requests_per_minute: u32::MAX,
        sign_up_requests_per_minute: u32::MAX,
        account_requests_per_minute: u32::MAX,
        workspace_requests_per_minute: u32::MAX,
        invitation_requests_per_minute: u32::MAX,
        export_requests_per_minute: u32::MAX,
        auth_requests_per_account_per_minute: u32::MAX,
        code_requests_per_account_per_minute: u32::MAX,
        // Sign-ins in flight at once from one address count as possible failures until checked; the
        // benchmark's parallel browsers would otherwise be asked for a proof of work, as guessers are.
        proof_of_work_after: 1_000,
        login_failures_per_address: 1_000,
        // Nor is the benchmark's one address a flood to the intrusion detector (AUD2): without this, it
        // blocked the address within the first second and the page-serving figures were of refusals.
        ids_requests_per_10s: 100_000_000,
        ids_misses_per_minute: 100_000_000,
        ..RawConfig::default()
    }
}

/// Starts the application with `settings`; returns its base address and platform.
pub async fn start(settings: server::config::Settings) -> (String, std::sync::Arc<domain::Platform>) {
    let app = Application::build(settings).await.unwrap();
    let (base, platform) = (format!("http://{}", app.local_addr()), app.platform());
    tokio::spawn(app.run_until(std::future::pending()));
    (base, platform)
}

fn field<'a>(html: &'a str, marker: &str) -> &'a str {
    let start = html.find(marker).expect("marker") + marker.len();
    &html[start..start + html[start..].find('"').unwrap()]
}

pub struct Browser {
    pub http: reqwest::Client,
    pub base: String,
}

impl Browser {
    /// A browser with its own cookies, keeping up to `connections` connections open.
    pub fn new(base: &str, connections: usize) -> Self {
        let http = reqwest::Client::builder().cookie_store(true).pool_max_idle_per_host(connections).build().unwrap();
        Self { http, base: base.to_owned() }
    }

    /// Posts `fields` to the server function `endpoint` with a fresh CSRF token, as a form would.
    pub async fn post(&self, endpoint: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let html = self.page("/signin").await;
        let token = field(&html, "name=\"_csrf_token\" value=\"").to_owned();
        let mut all = vec![("_csrf_token", token.as_str())];
        all.extend_from_slice(fields);
        self.http
            .post(format!("{}/rpc/{endpoint}", self.base))
            .header("accept", "application/json")
            .header("origin", &self.base)
            .form(&all)
            .send()
            .await
            .unwrap()
    }

    pub async fn page(&self, path: &str) -> String {
        let response = self.http.get(format!("{}{path}", self.base)).header("accept", "text/html").send().await;
        response.unwrap().text().await.unwrap()
    }

    /// Signs up as `email`, verifies the address, and signs in once past the emailed code, so that later
    /// sign-ins from this browser are direct.
    pub async fn sign_up_and_in(&self, platform: &domain::Platform, email: &str) {
        let signed_up = self.post("auth/sign-up", &[("email", email), ("password", PASSWORD)]).await;
        assert_eq!(signed_up.status(), 200);
        let text = mail_text(platform, email, "verify_address").await;
        let token: String = text.split("token=").nth(1).unwrap().chars().take_while(|c| !c.is_whitespace()).collect();
        assert_eq!(self.post("auth/verify-email", &[("token", &token)]).await.status(), 200);
        self.post("auth/sign-in", &[("email", email), ("password", PASSWORD)]).await;
        let text = mail_text(platform, email, "sign_in_code").await;
        let code = &text[text.find("code is ").unwrap() + 8..][..6];
        assert_eq!(self.post("auth/second-factor", &[("code", code)]).await.status(), 200);
    }
}

/// The text of the first mail of `kind` to `to`, once the outbox has it.
pub async fn mail_text(platform: &domain::Platform, to: &str, kind: &str) -> String {
    loop {
        let mails = platform.mailer().messages_to(to).await.unwrap();
        if let Some(mail) = mails.into_iter().find(|m| m.kind == kind) {
            return mail.text;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
