//! Sign-ins per second per core, against raw argon2id verifications per second per core with the same
//! parameters, in one run (`cargo xtask bench`).
//!
//! A sign-in here is the whole thing over HTTP on loopback: CSRF check, address and account counters,
//! argon2id verification, risk assessment (known browser and network, so no second factor), a new
//! session row, session id rotation, the security event. The ratio shows what all that costs on top of
//! the password hash, which is meant to dominate.

use base64::Engine as _;
use domain::identity::password::{HashParams, PasswordHasher};
use secrecy::SecretString;
use server::Application;
use server::config::RawConfig;
use std::time::{Duration, Instant};

const PASSWORD: &str = "plum orchard at dusk";

fn field<'a>(html: &'a str, marker: &str) -> &'a str {
    let start = html.find(marker).expect("marker") + marker.len();
    &html[start..start + html[start..].find('"').unwrap()]
}

async fn raw_verifications(params: HashParams, seconds: f64) -> f64 {
    let hasher = PasswordHasher::new(params).unwrap();
    let password = SecretString::from(PASSWORD);
    let hash = hasher.hash(&password).await.unwrap();
    let started = Instant::now();
    let mut n = 0u32;
    while started.elapsed().as_secs_f64() < seconds {
        assert!(hasher.verify(&password, Some(&hash)).await.unwrap().matches);
        n += 1;
    }
    f64::from(n) / started.elapsed().as_secs_f64()
}

struct Client {
    http: reqwest::Client,
    base: String,
}

impl Client {
    async fn token(&self) -> String {
        let html = self
            .http
            .get(format!("{}/signin", self.base))
            .header("accept", "text/html")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        field(&html, "name=\"_csrf_token\" value=\"").to_owned()
    }

    async fn post(&self, endpoint: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let token = self.token().await;
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
}

/// Sign-ins per second by `clients` browsers at once, each repeating sign-in (a known browser).
async fn sign_ins(base: &str, platform: &domain::Platform, clients: usize, seconds: f64) -> f64 {
    let mut browsers = Vec::new();
    for i in 0..clients {
        let email = format!("bench{i}-{}@example.com", rand::random::<u32>());
        let client =
            Client { http: reqwest::Client::builder().cookie_store(true).build().unwrap(), base: base.to_owned() };
        assert_eq!(client.post("auth/sign-up", &[("email", &email), ("password", PASSWORD)]).await.status(), 200);
        let mail = loop {
            let mails = platform.mailer().messages_to(&email).await.unwrap();
            if let Some(mail) = mails.into_iter().find(|m| m.kind == "verify_address") {
                break mail;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        let token: String =
            mail.text.split("token=").nth(1).unwrap().chars().take_while(|c| !c.is_whitespace()).collect();
        assert_eq!(client.post("auth/verify-email", &[("token", &token)]).await.status(), 200);
        // First sign-in from this browser: pass the emailed code, so later ones are direct.
        client.post("auth/sign-in", &[("email", &email), ("password", PASSWORD)]).await;
        let code_mail = platform
            .mailer()
            .messages_to(&email)
            .await
            .unwrap()
            .into_iter()
            .find(|m| m.kind == "sign_in_code")
            .unwrap();
        let code = &code_mail.text[code_mail.text.find("code is ").unwrap() + 8..][..6];
        assert_eq!(client.post("auth/second-factor", &[("code", code)]).await.status(), 200);
        browsers.push((client, email));
    }
    let started = Instant::now();
    let runs = browsers.into_iter().map(|(client, email)| async move {
        let mut n = 0u32;
        while started.elapsed().as_secs_f64() < seconds {
            let response = client.post("auth/sign-in", &[("email", &email), ("password", PASSWORD)]).await;
            let body = response.text().await.unwrap();
            assert!(body.contains("SignedIn"), "a direct sign-in: {body}");
            n += 1;
        }
        n
    });
    let total: u32 = futures_util::future::join_all(runs).await.into_iter().sum();
    f64::from(total) / started.elapsed().as_secs_f64()
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
        ..RawConfig::default()
    };
    let settings = raw.validate().unwrap();
    let params = settings.platform.identity.hash;
    let app = Application::build(settings).await.unwrap();
    let (base, platform) = (format!("http://{}", app.local_addr()), app.platform());
    tokio::spawn(app.run_until(std::future::pending()));
    println!(
        "argon2id m={} KiB t={} p={}, {cores} cores, {seconds} s per measurement",
        params.memory_kib, params.iterations, params.parallelism
    );

    let raw_one = raw_verifications(params, seconds).await;
    let sign_in_one = sign_ins(&base, &platform, 1, seconds).await;
    println!("one at a time (one core busy):");
    println!("  raw argon2id verifications/s/core: {raw_one:8.1}");
    println!("  sign-ins/s/core:                   {sign_in_one:8.1}");
    println!("  ratio sign-ins / verifications:    {:8.3}", sign_in_one / raw_one);

    let parallel_raw = {
        let runs = (0..cores).map(|_| raw_verifications(params, seconds));
        futures_util::future::join_all(runs).await.into_iter().sum::<f64>()
    };
    let sign_in_all = sign_ins(&base, &platform, cores * 2, seconds).await;
    println!("all cores busy ({cores} hashing at once, {} browsers):", cores * 2);
    println!("  raw argon2id verifications/s/core: {:8.1}", parallel_raw / cores as f64);
    println!("  sign-ins/s/core:                   {:8.1}", sign_in_all / cores as f64);
    println!("  ratio sign-ins / verifications:    {:8.3}", sign_in_all / parallel_raw);
}
