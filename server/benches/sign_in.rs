//! Sign-ins per second per core, against raw argon2id verifications per second per core with the same
//! parameters, in one run (`cargo xtask bench`).
//!
//! A sign-in here is the whole thing over HTTP on loopback: CSRF check, address and account counters,
//! argon2id verification, risk assessment (known browser and network, so no second factor), a new
//! session row, session id rotation, the security event. The ratio shows what all that costs on top of
//! the password hash, which is meant to dominate.

mod support;

use domain::identity::password::{HashParams, PasswordHasher};
use secrecy::SecretString;
use std::time::Instant;
use support::{Browser, PASSWORD};

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

/// Sign-ins per second by `clients` browsers at once, each repeating sign-in (a known browser).
async fn sign_ins(base: &str, platform: &domain::Platform, clients: usize, seconds: f64) -> f64 {
    let mut browsers = Vec::new();
    for i in 0..clients {
        let email = format!("bench{i}-{}@example.com", rand::random::<u32>());
        let browser = Browser::new(base, 1);
        browser.sign_up_and_in(platform, &email).await;
        browsers.push((browser, email));
    }
    let started = Instant::now();
    let runs = browsers.into_iter().map(|(browser, email)| async move {
        let mut n = 0u32;
        while started.elapsed().as_secs_f64() < seconds {
            let response = browser.post("auth/sign-in", &[("email", &email), ("password", PASSWORD)]).await;
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
    let (seconds, cores) = (support::seconds(), support::cores());
    let dir = tempfile::tempdir().unwrap();
    let settings = support::config(dir.path()).validate().unwrap();
    let params = settings.platform.identity.hash;
    let (base, platform) = support::start(settings).await;
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
