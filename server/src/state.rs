//! The state shared by all handlers.

use crate::middleware::client_ip::TrustedProxies;
use crate::middleware::csrf::CsrfPolicy;
use crate::middleware::rate_limit::RateLimits;
use crate::middleware::security_headers::HeaderPolicy;
use app::context::AppContext;
use axum::extract::FromRef;
use domain::Platform;
use leptos::config::LeptosOptions;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

#[derive(Clone)]
pub struct AppState {
    pub platform: Arc<Platform>,
    pub app_context: AppContext,
    pub leptos_options: LeptosOptions,
    pub site_root: PathBuf,
    /// The built assets' names (content-hashed when `site_root/hash.txt` says so).
    pub assets: app::assets::AssetNames,
    pub header_policy: HeaderPolicy,
    pub max_body_bytes: usize,
    /// The body limit of attachment uploads: the largest file plus the form around it (DATA4).
    pub upload_body_bytes: usize,
    pub request_timeout: Duration,
    pub dev_mode: bool,
    pub trusted_proxies: TrustedProxies,
    pub csrf: Arc<CsrfPolicy>,
    pub rate_limits: RateLimits,
    pub intrusion: crate::middleware::intrusion::IntrusionDetection,
    /// Whether requests are measured for Prometheus (`metrics_addr` is set).
    pub metrics: bool,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
