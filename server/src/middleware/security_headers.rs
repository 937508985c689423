//! Security headers on every response (WEB1), and the per-request CSP nonce.
//!
//! A fresh random nonce is made for each request and put in the request's extensions; the Leptos
//! renderer stamps it on the hydration scripts, and the `Content-Security-Policy` header allows scripts
//! only from our origin or with that nonce. No `'unsafe-inline'`, no `'unsafe-eval'`; only
//! `'wasm-unsafe-eval'`, which WebAssembly compilation needs.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http::header::{self, HeaderName, HeaderValue};
use rand::RngCore as _;

/// The nonce of the current request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CspNonce(pub String);

impl CspNonce {
    fn generate() -> Self {
        let mut bytes = [0u8; 16];
        rand::rng().fill_bytes(&mut bytes);
        Self(URL_SAFE_NO_PAD.encode(bytes))
    }
}

/// What the headers depend on.
#[derive(Debug, Clone, Copy)]
pub struct HeaderPolicy {
    /// HTTP Strict Transport Security: production mode only, as dev runs on plain HTTP.
    pub hsts: bool,
}

/// The policy of downloaded files (DATA4): nothing may load, and the file, if a browser rendered it at
/// all, is in a sandbox of its own origin without scripts. A response that carries exactly this keeps it.
pub const DOWNLOAD_CSP: &str = "sandbox; default-src 'none'";

pub fn content_security_policy(nonce: &CspNonce) -> String {
    let nonce = &nonce.0;
    [
        "default-src 'self'".to_owned(),
        format!("script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'"),
        "style-src 'self'".to_owned(),
        "img-src 'self' data:".to_owned(),
        "font-src 'self'".to_owned(),
        "connect-src 'self'".to_owned(),
        "object-src 'none'".to_owned(),
        "base-uri 'none'".to_owned(),
        "form-action 'self'".to_owned(),
        "frame-ancestors 'none'".to_owned(),
    ]
    .join("; ")
}

const PERMISSIONS_POLICY: &str = "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), \
     microphone=(), payment=(), usb=()";

pub async fn security_headers(State(policy): State<HeaderPolicy>, mut request: Request, next: Next) -> Response {
    let nonce = CspNonce::generate();
    request.extensions_mut().insert(nonce.clone());
    let server_function = request.uri().path().starts_with("/rpc/");
    let mut response = next.run(request).await;
    let sandboxed = response.headers().get(header::CONTENT_SECURITY_POLICY).is_some_and(|v| v == DOWNLOAD_CSP);
    let headers = response.headers_mut();
    let mut set = |name: HeaderName, value: &str| {
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(name, value);
        }
    };
    if !sandboxed {
        set(header::CONTENT_SECURITY_POLICY, &content_security_policy(&nonce));
    }
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::X_FRAME_OPTIONS, "DENY");
    // Same-origin requests keep the full referrer (Leptos uses it to send a plain form post back to its
    // page); nothing leaves for other sites.
    set(header::REFERRER_POLICY, "same-origin");
    set(HeaderName::from_static("permissions-policy"), PERMISSIONS_POLICY);
    set(HeaderName::from_static("cross-origin-opener-policy"), "same-origin");
    set(HeaderName::from_static("cross-origin-resource-policy"), "same-origin");
    if policy.hsts {
        set(header::STRICT_TRANSPORT_SECURITY, "max-age=63072000; includeSubDomains");
    }
    if server_function {
        // Server-function answers are per-user (TOTP secrets, recovery codes, the audit log): no cache,
        // however a proxy or CDN in front is configured, may keep one, whatever the handler said.
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    } else if is_html(&response) && !response.headers().contains_key(header::CACHE_CONTROL) {
        // Pages are per-user and carry a nonce: never store them.
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

fn is_html(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    /// Proves: WEB1
    fn nonces_are_random_and_url_safe() {
        let (a, b) = (CspNonce::generate(), CspNonce::generate());
        assert_ne!(a, b);
        assert_eq!(a.0.len(), 22);
        assert!(a.0.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'));
    }

    #[test]
    /// Proves: WEB1
    fn the_policy_never_allows_inline_or_eval_scripts() {
        let csp = content_security_policy(&CspNonce("abc".into()));
        assert!(csp.contains("script-src 'self' 'nonce-abc' 'wasm-unsafe-eval'"));
        assert!(!csp.contains("'unsafe-inline'") && !csp.contains("'unsafe-eval'"));
    }
}
