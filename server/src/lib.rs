//! The Strongroom server: configuration, the axum router and its middleware, and start-up.
//!
//! `main.rs` is only the command line; everything here is a library so that integration tests can
//! start the real application on port 0 with a fresh database, exactly as production starts it.

// The handlers' futures nest deeply (session, verified caller, domain, database); the compiler needs
// more room to compute their layouts.
#![recursion_limit = "256"]

pub mod backup_cli;
pub mod banner;
pub mod cli;
pub mod config;
pub mod metrics;
pub mod middleware;
pub mod routes;
pub mod state;
pub mod telemetry;

use crate::config::{MasterKeyOrigin, Mode, Settings};
use crate::middleware::client_ip::TrustedProxies;
use crate::middleware::csrf::CsrfPolicy;
use crate::middleware::rate_limit::RateLimits;
use crate::middleware::rate_limit::shared::SharedBuckets;
use crate::middleware::security_headers::HeaderPolicy;
use crate::state::AppState;
use app::context::AppContext;
use domain::Platform;
use leptos::config::LeptosOptions;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;

/// The name cargo-leptos gives the built JS, WebAssembly and CSS (`[[workspace.metadata.leptos]] name`).
pub const SITE_OUTPUT_NAME: &str = "strongroom";

/// How often the rate limiters forget the clients that have been quiet long enough.
const RATE_LIMIT_PRUNING: std::time::Duration = std::time::Duration::from_secs(60);

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Config(#[from] config::ConfigError),
    #[error("could not reach the databases or services: {0}")]
    Platform(#[from] domain::DomainError),
    #[error(transparent)]
    Demo(#[from] domain::demo::DemoRefused),
    #[error("could not listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
    #[error("data directory {path}: {source}")]
    DataDir { path: std::path::PathBuf, source: std::io::Error },
    #[error("the audit chain of {0} workspace(s) is broken")]
    AuditBroken(usize),
    #[error("backup failed: {0}")]
    BackupFailed(String),
}

/// Says where the master key came from; a freshly generated one is a warning worth reading.
pub fn log_master_key_origin(origin: &MasterKeyOrigin) {
    match origin {
        MasterKeyOrigin::Generated(path) => tracing::warn!(
            path = %path.display(),
            "dev mode: generated a new master key; keep this file, data encrypted with it is unreadable without it"
        ),
        MasterKeyOrigin::File(path) => tracing::info!(path = %path.display(), "master key loaded from file"),
        MasterKeyOrigin::Configured => tracing::info!("master key loaded from configuration"),
    }
}

/// A started application: databases ready, socket bound, not yet serving.
pub struct Application {
    listener: TcpListener,
    /// The metrics address's listener, when `metrics_addr` is set.
    metrics: Option<TcpListener>,
    router: axum::Router,
    platform: Arc<Platform>,
}

/// The data directory holds the SQLite databases, the attachments, backups' work files and (in dev mode)
/// the master key: only the server's own user may enter it, whatever the umask made it (0700).
fn private_data_dir(dir: &std::path::Path) -> Result<(), StartupError> {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::create_dir_all(dir)
        .and_then(|()| std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)))
        .map_err(|source| StartupError::DataDir { path: dir.to_owned(), source })
}

impl Application {
    pub async fn build(mut settings: Settings) -> Result<Self, StartupError> {
        let listener = TcpListener::bind(settings.addr)
            .await
            .map_err(|source| StartupError::Bind { addr: settings.addr, source })?;
        // The sandbox payment provider calls back to this very server (its API and webhooks).
        let bound = listener.local_addr().map_err(|source| StartupError::Bind { addr: settings.addr, source })?;
        settings.platform.billing.self_url = url::Url::parse(&format!("http://{bound}")).ok();
        if settings.public_url.is_none()
            && let Some(own) = settings.platform.billing.self_url.clone()
        {
            // Without a public address, links point at the address really bound (port 0 in tests).
            settings.platform.mail.public_url = own;
        }
        let metrics = match settings.metrics_addr {
            Some(addr) => {
                crate::metrics::recorder();
                let listener = TcpListener::bind(addr).await.map_err(|source| StartupError::Bind { addr, source })?;
                tracing::info!(addr = %listener.local_addr().unwrap_or(addr), "metrics served at /metrics");
                Some(listener)
            }
            None => None,
        };
        private_data_dir(&settings.data_dir)?;
        let keys = Arc::new(domain::crypto::Keys::derive(&settings.master_key));
        let platform = Arc::new(Platform::start(&settings.platform, settings.master_key).await?);
        platform.spawn_background_tasks();
        let leptos_options = LeptosOptions::builder()
            .output_name(SITE_OUTPUT_NAME)
            .site_root(settings.site_root.display().to_string())
            .site_addr(settings.addr)
            .build();
        let assets = match std::fs::read_to_string(settings.site_root.join("hash.txt")) {
            Ok(manifest) => app::assets::AssetNames::from_manifest(SITE_OUTPUT_NAME, &manifest),
            Err(_) => app::assets::AssetNames::plain(SITE_OUTPUT_NAME),
        };
        let state = AppState {
            platform: platform.clone(),
            assets,
            app_context: AppContext { platform: platform.clone() },
            leptos_options,
            site_root: settings.site_root,
            header_policy: HeaderPolicy { hsts: settings.mode == Mode::Production },
            max_body_bytes: settings.max_body_bytes,
            upload_body_bytes: usize::try_from(settings.platform.attachments.max_file_bytes)
                .unwrap_or(usize::MAX)
                .saturating_add(routes::UPLOAD_FORM_OVERHEAD),
            request_timeout: settings.request_timeout,
            dev_mode: settings.mode == Mode::Dev,
            trusted_proxies: TrustedProxies(Arc::new(settings.trusted_proxies)),
            csrf: Arc::new(CsrfPolicy {
                public_origin: settings.public_url.as_ref().map(|url| url.origin().ascii_serialization()),
                max_body_bytes: settings.max_body_bytes,
                keys,
            }),
            rate_limits: match platform.session_store() {
                // Servers that share sessions share the rate limits too.
                domain::session_store::SessionBackend::Redis(store) => RateLimits::shared(
                    &settings.rate_limits,
                    SharedBuckets::new(store.connection(), store.key_prefix()),
                ),
                domain::session_store::SessionBackend::Database(_) => RateLimits::per_minute(&settings.rate_limits),
            },
            metrics: metrics.is_some(),
            intrusion: crate::middleware::intrusion::IntrusionDetection::new(settings.intrusion, platform.clone()),
        };
        // The per-address counters of the rate limits and the intrusion detectors forget idle addresses,
        // so that memory follows the clients seen lately rather than every client ever seen.
        let (limits, intrusion) = (state.rate_limits.clone(), state.intrusion.clone());
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(RATE_LIMIT_PRUNING);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                limits.forget_idle();
                intrusion.forget_idle();
            }
        });
        Ok(Self { listener, metrics, router: routes::router(state), platform })
    }

    /// The address actually bound (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().expect("a bound TCP listener has a local address")
    }

    /// Every path the router serves, read from the router itself (for the route-by-route isolation test).
    pub fn served_paths(&self) -> std::collections::BTreeSet<String> {
        routes::served_paths(&self.router)
    }

    pub fn platform(&self) -> Arc<Platform> {
        self.platform.clone()
    }

    /// The metrics address actually bound, when there is one.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics.as_ref().and_then(|listener| listener.local_addr().ok())
    }

    /// Serves until `shutdown` completes, then finishes in-flight requests.
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
        let (stopping, stop) = tokio::sync::watch::channel(());
        if let Some(listener) = self.metrics {
            let mut stop = stop.clone();
            let metrics = axum::serve(listener, crate::metrics::router(self.platform.clone()))
                .with_graceful_shutdown(async move { drop(stop.changed().await) });
            tokio::spawn(async move {
                if let Err(error) = metrics.await {
                    tracing::error!(%error, "the metrics listener stopped");
                }
            });
        }
        let service = self.router.into_make_service_with_connect_info::<SocketAddr>();
        let result = axum::serve(self.listener, service)
            .with_graceful_shutdown(async move {
                shutdown.await;
                let _ = stopping.send(());
            })
            .await;
        drop(stop);
        result
    }
}
