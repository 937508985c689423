//! WEB1: every response carries the security headers, exactly; the CSP nonce is fresh per request and
//! is the one on every script of the page.

use crate::harness::{TestApp, attribute, script_tags};
use base64::Engine as _;
use server::config::Mode;

/// Headers every response must carry, with their exact values.
const FIXED: &[(&str, &str)] = &[
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "same-origin"),
    ("cross-origin-opener-policy", "same-origin"),
    ("cross-origin-resource-policy", "same-origin"),
    (
        "permissions-policy",
        "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()",
    ),
];

/// The CSP directives, each exactly; the nonce stands for the response's own nonce.
const CSP: &[&str] = &[
    "default-src 'self'",
    "script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
];

fn nonce_of(csp: &str) -> String {
    let start = csp.find("'nonce-").expect("a nonce in script-src") + "'nonce-".len();
    csp[start..start + csp[start..].find('\'').unwrap()].to_owned()
}

/// Checks one response's headers; returns its nonce.
pub(crate) fn assert_hardened(response: &reqwest::Response, what: &str) -> String {
    let headers = response.headers();
    for (name, value) in FIXED {
        assert_eq!(headers.get(*name).and_then(|v| v.to_str().ok()), Some(*value), "{name} on {what}");
    }
    let csp =
        headers.get("content-security-policy").and_then(|v| v.to_str().ok()).unwrap_or_else(|| panic!("CSP on {what}"));
    let nonce = nonce_of(csp);
    let expected: Vec<String> = CSP.iter().map(|d| d.replace("{nonce}", &nonce)).collect();
    let actual: Vec<&str> = csp.split(';').map(str::trim).collect();
    assert_eq!(actual, expected, "CSP on {what}");
    assert!(!csp.contains("unsafe-inline") && !csp.contains("'unsafe-eval'"), "CSP on {what}: {csp}");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(&nonce).expect("nonce is base64url");
    assert!(bytes.len() >= 16, "nonce on {what} has {} bytes", bytes.len());
    nonce
}

#[tokio::test]
/// Proves: WEB1
async fn every_kind_of_response_carries_the_security_headers() {
    let app = TestApp::spawn().await;
    let page = app.get("/").await;
    assert_eq!(page.status(), 200);
    assert_hardened(&page, "the landing page");
    assert!(page.headers().get("strict-transport-security").is_none(), "dev mode serves plain HTTP: no HSTS");
    assert_eq!(page.headers()["cache-control"], "no-store", "pages must not be cached");

    for path in ["/healthz", "/readyz", "/no/such/page", "/pkg/missing.wasm", "/w/no-such-workspace"] {
        assert_hardened(&app.get(path).await, path);
    }
    let refused = app.call("workspaces/create", &[("name", "")]).await;
    assert_eq!(refused.status(), 401);
    assert_hardened(&refused, "a refused server-function call");
    let wrong_method = app.get("/rpc/workspaces/create").await;
    assert_eq!(wrong_method.status(), 405);
    assert_hardened(&wrong_method, "a 405");
    let forged = app.client.post(app.url("/rpc/workspaces/create")).form(&[("name", "x")]).send().await.unwrap();
    assert_eq!(forged.status(), 403);
    assert_hardened(&forged, "a refused cross-site request");
}

#[tokio::test]
/// Proves: WEB1
async fn the_nonce_is_fresh_per_request_and_on_every_script() {
    let app = TestApp::spawn().await;
    let mut nonces = Vec::new();
    for _ in 0..2 {
        let response = app.get("/").await;
        let nonce = assert_hardened(&response, "/");
        let html = response.text().await.unwrap();
        let scripts = script_tags(&html);
        assert!(!scripts.is_empty(), "the page has hydration scripts");
        for tag in scripts {
            assert_eq!(attribute(tag, "nonce"), Some(nonce.as_str()), "script without the response's nonce: {tag}");
        }
        nonces.push(nonce);
    }
    assert_ne!(nonces[0], nonces[1], "two requests must get different nonces");
}

#[tokio::test]
/// Proves: WEB1
async fn production_mode_adds_hsts() {
    let app = TestApp::spawn_with(|raw| {
        raw.mode = Mode::Production;
        raw.public_url = Some("https://strongroom.example".into());
        raw.smtp_url = Some(secrecy::SecretString::from("smtps://mail.invalid:465"));
        raw.trusted_proxies = vec!["127.0.0.1".into()];
    })
    .await;
    let response = app.get("/").await;
    assert_hardened(&response, "/ in production");
    assert_eq!(response.headers()["strict-transport-security"], "max-age=63072000; includeSubDomains");
    assert_eq!(
        app.get("/no/such/page").await.headers()["strict-transport-security"],
        "max-age=63072000; includeSubDomains"
    );
}
