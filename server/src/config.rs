//! Configuration: defaults, then a TOML file, then `STRONGROOM_*` environment variables; validated once
//! at start-up into [`Settings`], with every problem reported in one clear message.
//!
//! The defaults are the hardened ones. Dev mode (the default) only adds conveniences: a master key is
//! generated into the data directory on first start, and logs are human-readable. Production mode
//! requires an explicit master key, turns on HSTS, and logs JSON.

use crate::middleware::rate_limit::{EndpointClass, RateLimitSettings};
use domain::PlatformSettings;
use domain::crypto::MasterKey;
use domain::db::Backend;
use domain::identity::IdentitySettings;
use domain::identity::password::HashParams;
use domain::identity::sessions::SessionPolicy;
use domain::identity::throttle::{AccountLockoutPolicy, IpBlockPolicy};
use domain::mail::MailSettings;
use domain::tenancy::PlacementSettings;
use figment::Figment;
use figment::providers::{Env, Format as _, Serialized, Toml};
use ipnet::IpNet;
use secrecy::{ExposeSecret as _, SecretString};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;
use url::Url;

mod backup;
pub use backup::{RawBackup, RawTarget};
mod billing;
mod dkim;
mod redact;
pub use redact::redact_url;
mod resolve;

/// The file read when `--config` is not given (if it exists).
pub const DEFAULT_CONFIG_FILE: &str = "strongroom.toml";
/// The master key file generated in dev mode, inside the data directory.
pub const DEV_MASTER_KEY_FILE: &str = "master.key";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Dev,
    Production,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

/// The configuration as written by the operator, before validation. Field names are the TOML keys;
/// the environment variable of each is `STRONGROOM_` + the key in upper case.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    pub mode: Mode,
    /// Address to listen on.
    pub addr: SocketAddr,
    /// Where SQLite databases, tenant files and the dev master key live.
    pub data_dir: PathBuf,
    /// Dev mode only: allow a non-loopback `addr` (the dev outbox stays loopback-only either way).
    pub dev_allow_remote: bool,
    /// Where Prometheus scrapes `/metrics` (OPS6): an address of its own, for a private network. Unset:
    /// no metrics are served. Never the public site's address.
    pub metrics_addr: Option<SocketAddr>,
    /// Control-plane database; default `sqlite://<data_dir>/control.db`. May hold a password: shown
    /// with it replaced.
    #[serde(serialize_with = "redact::url")]
    pub database_url: Option<String>,
    /// PostgreSQL server for tenant databases; default: the control plane's server when that is
    /// PostgreSQL, else one SQLite file per tenant under `<data_dir>/tenants`.
    #[serde(serialize_with = "redact::url")]
    pub tenant_database_url: Option<String>,
    /// The master key, base64 (prefer `STRONGROOM_MASTER_KEY` over writing it in a file).
    #[serde(serialize_with = "redact::secret")]
    pub master_key: Option<SecretString>,
    /// A file holding the master key, base64, mode 0600.
    pub master_key_file: Option<PathBuf>,
    /// The built site (WebAssembly, CSS, assets) produced by cargo-leptos.
    pub site_root: PathBuf,
    /// Tenant connection pools kept open at once.
    pub tenant_pool_capacity: usize,
    /// Database connections all workspaces' pools may hold together (unset: 192 on SQLite, where each is
    /// an open file, 32 on PostgreSQL, so that two servers stay under its default of 100 connections).
    pub tenant_connections_total: Option<u32>,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Requests taking longer are answered with 408.
    pub request_timeout_secs: u64,
    /// `text` or `json`; default by mode.
    pub log_format: Option<LogFormat>,
    /// The site's public address (scheme, host, port), used for links in mails and to check the
    /// `Origin` of state-changing requests. Required (and `https`) in production mode; in dev mode,
    /// requests are checked against their own `Host`.
    pub public_url: Option<String>,
    /// Sender of all mail.
    pub mail_from: String,
    /// SMTP server (`smtp://user:pass@host:587` with STARTTLS, or `smtps://` for TLS). Unset: mail goes
    /// to the dev outbox (dev mode only).
    #[serde(serialize_with = "redact::secret")]
    pub smtp_url: Option<SecretString>,
    /// Redis for browser sessions (`redis://[user:password@]host[:port][/db]`). Unset: sessions live in
    /// the control-plane database. Only the session records move; the list of a user's sessions stays in
    /// the database.
    #[serde(serialize_with = "redact::secret")]
    pub redis_url: Option<SecretString>,
    /// Put before each session id to make its Redis key [`strongroom:session:`].
    pub redis_key_prefix: String,
    /// Reverse proxies whose `X-Forwarded-For` is believed (addresses or CIDR blocks). Empty: the peer
    /// address is the client address. Production mode needs it, or `direct_exposure`.
    pub trusted_proxies: Vec<String>,
    /// Production mode: clients connect to this server directly, with no reverse proxy in front (so
    /// `trusted_proxies` is rightly empty). Without it, production refuses to start with no proxies.
    pub direct_exposure: bool,
    /// Sessions end after this long without a request [30 min].
    pub session_idle_secs: u64,
    /// Sessions end this long after sign-in, whatever happens [12 h].
    pub session_absolute_secs: u64,
    /// argon2id memory in KiB [19456], iterations [2], lanes [1].
    pub argon2_memory_kib: u32,
    pub argon2_iterations: u32,
    pub argon2_parallelism: u32,
    /// Failed sign-ins per account before a cooldown [5].
    pub login_failures_per_account: u32,
    /// Failed sign-ins per client address (15 min) before a one-hour block [5].
    pub login_failures_per_address: u32,
    /// Failures after which a proof of work is required [3], and its difficulty in bits [18].
    pub proof_of_work_after: u32,
    pub proof_of_work_bits: u8,
    /// Requests per minute to each class of endpoints (WEB3), per client address (IPv6 by /64) and, for
    /// a signed-in user, per account. Sign-in: `/rpc/auth/*` not listed below [30 / 30].
    pub auth_requests_per_minute: u32,
    pub auth_requests_per_account_per_minute: u32,
    /// Emailed codes and links: second factor, (re)send and use a code, password reset, verification, and
    /// signed links to an order's confirmation page [20 / 20].
    pub code_requests_per_minute: u32,
    pub code_requests_per_account_per_minute: u32,
    /// Sign-up [10 / 10].
    pub sign_up_requests_per_minute: u32,
    pub sign_up_requests_per_account_per_minute: u32,
    /// `/rpc/account/*`: password, email, 2FA, sessions [60 / 60].
    pub account_requests_per_minute: u32,
    pub account_requests_per_account_per_minute: u32,
    /// Workspace actions: every other server function (workspaces, administration, purchasing) [600 / 300].
    pub workspace_requests_per_minute: u32,
    pub workspace_requests_per_account_per_minute: u32,
    /// Invitations: sending, revoking, previewing and accepting them [30 / 30].
    pub invitation_requests_per_minute: u32,
    pub invitation_requests_per_account_per_minute: u32,
    /// Exports (the audit-log CSV) [10 / 10].
    pub export_requests_per_minute: u32,
    pub export_requests_per_account_per_minute: u32,
    /// Intrusion detection (AUD2), per client address; each is what passes, one more blocks the address
    /// for `ids_block_secs` [900]: requests with attack patterns in 10 minutes [2], not-found or forbidden
    /// answers on workspace pages and server functions in a minute [30], requests in 10 seconds [300].
    pub ids_suspicious_requests: u32,
    pub ids_misses_per_minute: u32,
    pub ids_requests_per_10s: u32,
    pub ids_block_secs: u64,
    /// Plans, subscriptions and the payment provider (the `[billing]` table).
    #[serde(default)]
    pub billing: billing::RawBilling,
    /// Attachments (DATA4): largest file accepted, in bytes [10 MiB], at most 100 MiB.
    pub attachment_max_file_bytes: u64,
    /// Attachments: most bytes one workspace may keep [1 GiB]; at least one largest file.
    pub attachment_quota_bytes: u64,
    /// Signed links to an order's confirmation page (DATA5) last this many days [30], 1 to 365.
    pub order_link_days: u32,
    /// Backups: interval, work directory, targets (the `[backup]` table, OPS1).
    #[serde(default)]
    pub backup: backup::RawBackup,
    /// The key that signs outgoing mail (the `[dkim]` table, UX4); unset: mail is not signed.
    #[serde(default)]
    pub dkim: dkim::RawDkim,
}

impl Default for RawConfig {
    fn default() -> Self {
        Self {
            mode: Mode::Dev,
            addr: SocketAddr::from(([127, 0, 0, 1], 3000)),
            data_dir: PathBuf::from("data"),
            dev_allow_remote: false,
            metrics_addr: None,
            database_url: None,
            tenant_database_url: None,
            master_key: None,
            master_key_file: None,
            site_root: PathBuf::from("target/site"),
            tenant_pool_capacity: 256,
            tenant_connections_total: None,
            max_body_bytes: 1024 * 1024,
            request_timeout_secs: 30,
            log_format: None,
            public_url: None,
            mail_from: "Strongroom <no-reply@localhost>".to_owned(),
            smtp_url: None,
            redis_url: None,
            redis_key_prefix: "strongroom:session:".to_owned(),
            trusted_proxies: Vec::new(),
            direct_exposure: false,
            session_idle_secs: 30 * 60,
            session_absolute_secs: 12 * 3600,
            argon2_memory_kib: 19_456,
            argon2_iterations: 2,
            argon2_parallelism: 1,
            login_failures_per_account: 5,
            login_failures_per_address: 5,
            proof_of_work_after: 3,
            proof_of_work_bits: 18,
            auth_requests_per_minute: 30,
            auth_requests_per_account_per_minute: 30,
            code_requests_per_minute: 20,
            ids_suspicious_requests: 2,
            ids_misses_per_minute: 30,
            ids_requests_per_10s: 300,
            ids_block_secs: 900,
            code_requests_per_account_per_minute: 20,
            sign_up_requests_per_minute: 10,
            sign_up_requests_per_account_per_minute: 10,
            account_requests_per_minute: 60,
            account_requests_per_account_per_minute: 60,
            workspace_requests_per_minute: 600,
            workspace_requests_per_account_per_minute: 300,
            invitation_requests_per_minute: 30,
            invitation_requests_per_account_per_minute: 30,
            export_requests_per_minute: 10,
            export_requests_per_account_per_minute: 10,
            billing: billing::RawBilling::default(),
            attachment_max_file_bytes: domain::workspace::attachments::AttachmentSettings::DEFAULT_MAX_FILE_BYTES,
            attachment_quota_bytes: domain::workspace::attachments::AttachmentSettings::DEFAULT_QUOTA_BYTES,
            order_link_days: 30,
            backup: backup::RawBackup::default(),
            dkim: dkim::RawDkim::default(),
        }
    }
}

impl RawConfig {
    /// Defaults ← `file` (or `strongroom.toml` if present) ← `STRONGROOM_*` environment variables.
    /// `LEPTOS_SITE_ROOT` (set by cargo-leptos) also sets `site_root`.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Self::default()));
        match file {
            Some(path) if !path.exists() => {
                return Err(ConfigError(vec![format!("config file {} does not exist", path.display())]));
            }
            Some(path) => figment = figment.merge(Toml::file_exact(path)),
            None => figment = figment.merge(Toml::file(DEFAULT_CONFIG_FILE)),
        }
        figment = figment.merge(Env::raw().only(&["LEPTOS_SITE_ROOT"]).map(|_| "site_root".into())).merge(
            Env::prefixed("STRONGROOM_").ignore(&["CONFIG", "TEST_POSTGRES", "TEST_REDIS", "TEST_WEED"]).split("__"),
        );
        figment.extract().map_err(|e| ConfigError(e.into_iter().map(|e| e.to_string()).collect()))
    }

    /// Checks everything and resolves defaults that depend on other settings. Reads (or, in dev mode,
    /// creates) the master key file.
    pub fn validate(self) -> Result<Settings, ConfigError> {
        let mut problems = Vec::new();
        let database_url = self.database_url.clone().unwrap_or_else(|| sqlite_url(&self.data_dir.join("control.db")));
        let control_backend =
            Backend::of_url(&database_url).map_err(|e| problems.push(format!("database_url: {e}"))).ok();

        let tenant_placement = match (&self.tenant_database_url, control_backend) {
            (Some(url), _) => match Backend::of_url(url) {
                Ok(Backend::Postgres) => Some(PlacementSettings::PostgresServer { url: url.clone() }),
                Ok(Backend::Sqlite) => {
                    problems.push("tenant_database_url: must be a postgres:// server URL; leave it unset for SQLite files under data_dir".into());
                    None
                }
                Err(e) => {
                    problems.push(format!("tenant_database_url: {e}"));
                    None
                }
            },
            (None, Some(Backend::Postgres)) => Some(PlacementSettings::PostgresServer { url: database_url.clone() }),
            (None, _) => Some(PlacementSettings::SqliteDirectory(self.data_dir.join("tenants"))),
        };
        if self.metrics_addr.is_some_and(|metrics| metrics == self.addr && metrics.port() != 0) {
            problems.push("metrics_addr: must differ from addr (metrics are never served on the public site)".into());
        }
        if self.ids_suspicious_requests == 0 || self.ids_misses_per_minute == 0 || self.ids_requests_per_10s == 0 {
            problems.push("ids_*: every intrusion detection threshold must be at least 1".into());
        }
        if self.tenant_pool_capacity == 0 {
            problems.push("tenant_pool_capacity: must be at least 1".into());
        }
        let tenant_connections_total = self.tenant_connections_total.unwrap_or(match &tenant_placement {
            Some(PlacementSettings::PostgresServer { .. }) => 32,
            _ => 192,
        });
        if tenant_connections_total < domain::db::PoolLimits::TENANT.max_connections {
            problems.push(format!(
                "tenant_connections_total: must be at least {} (one workspace's pool)",
                domain::db::PoolLimits::TENANT.max_connections
            ));
        }
        if self.max_body_bytes < 1024 {
            problems.push("max_body_bytes: must be at least 1024".into());
        }
        if self.request_timeout_secs == 0 {
            problems.push("request_timeout_secs: must be at least 1".into());
        }
        if self.master_key.is_some() && self.master_key_file.is_some() {
            problems.push("master_key and master_key_file are both set; keep one".into());
        }
        let public_url = match &self.public_url {
            Some(url) => match Url::parse(url) {
                Ok(url) if url.scheme() == "https" || (url.scheme() == "http" && self.mode == Mode::Dev) => Some(url),
                Ok(_) => {
                    problems.push("public_url: must be https:// in production mode".into());
                    None
                }
                Err(e) => {
                    problems.push(format!("public_url: {e}"));
                    None
                }
            },
            None if self.mode == Mode::Production => {
                problems.push("public_url: production mode needs the site's https:// address".into());
                None
            }
            None => None,
        };
        match (&self.smtp_url, self.mode) {
            (None, Mode::Production) => problems
                .push("smtp_url: production mode needs an SMTP server (the dev outbox is for development)".into()),
            (Some(url), Mode::Production) => {
                let url = url.expose_secret();
                if !(url.starts_with("smtps://") || (url.starts_with("smtp://") && url.contains("tls=required"))) {
                    problems.push("smtp_url: production mode needs TLS: use smtps://… or smtp://…?tls=required".into());
                }
            }
            _ => {}
        }
        if self.mail_from.parse::<lettre::message::Mailbox>().is_err() {
            problems.push(format!(
                "mail_from: `{}` is not a mailbox like `Strongroom <no-reply@example.com>`",
                self.mail_from
            ));
        }
        let sessions = self.session_storage().map_err(|problem| problems.push(problem)).unwrap_or_default();
        let mut trusted_proxies = Vec::new();
        for proxy in &self.trusted_proxies {
            match proxy.parse::<IpNet>().or_else(|_| proxy.parse::<std::net::IpAddr>().map(IpNet::from)) {
                Ok(net) => trusted_proxies.push(net),
                Err(_) => problems.push(format!("trusted_proxies: `{proxy}` is not an address or CIDR block")),
            }
        }
        if self.session_idle_secs == 0 || self.session_absolute_secs < self.session_idle_secs {
            problems.push("session_idle_secs must be at least 1 and at most session_absolute_secs".into());
        }
        if self.argon2_memory_kib < 8 * 1024 || self.argon2_iterations == 0 || self.argon2_parallelism == 0 {
            problems.push("argon2: at least 8192 KiB of memory, 1 iteration and 1 lane".into());
        }
        if self.login_failures_per_account == 0 || self.login_failures_per_address == 0 {
            problems.push("login_failures_per_account and login_failures_per_address must be at least 1".into());
        }
        if !(1..=32).contains(&self.proof_of_work_bits) {
            problems.push("proof_of_work_bits must be between 1 and 32".into());
        }
        let rate_limits = self.rate_limits();
        for class in EndpointClass::ALL {
            let limit = rate_limits.get(class);
            if limit.per_address == 0 || limit.per_account == 0 {
                problems.push(format!("{}: rate limits must be at least 1 per minute", class.config_keys()));
            }
        }
        self.check_exposure(&trusted_proxies, &mut problems);
        let attachments = self.attachment_settings(&mut problems);
        let billing = self.billing.resolve(self.mode, &mut problems);
        let backup = self.backup.resolve(&self.data_dir, &mut problems);
        let dkim = self.dkim.resolve(&self.mail_from, self.smtp_url.is_some(), &mut problems);
        if self.mode == Mode::Production && self.master_key.is_none() && self.master_key_file.is_none() {
            problems.push(NO_MASTER_KEY.into());
        }
        if !problems.is_empty() {
            return Err(ConfigError(problems));
        }
        let (master_key, master_key_origin) = self.resolve_master_key()?;
        let mail_public_url = public_url.clone().unwrap_or_else(|| {
            Url::parse(&format!("http://{}", self.addr)).expect("a socket address makes a valid URL")
        });
        let identity = IdentitySettings {
            hash: HashParams {
                memory_kib: self.argon2_memory_kib,
                iterations: self.argon2_iterations,
                parallelism: self.argon2_parallelism,
            },
            sessions: SessionPolicy {
                idle_timeout: chrono::Duration::seconds(self.session_idle_secs as i64),
                absolute_lifetime: chrono::Duration::seconds(self.session_absolute_secs as i64),
            },
            account_lockout: AccountLockoutPolicy { failures: self.login_failures_per_account, ..Default::default() },
            ip_block: IpBlockPolicy { failures: self.login_failures_per_address, ..Default::default() },
            proof_of_work_after: self.proof_of_work_after,
            proof_of_work_bits: self.proof_of_work_bits,
            ..IdentitySettings::default()
        };
        Ok(Settings {
            mode: self.mode,
            addr: self.addr,
            metrics_addr: self.metrics_addr,
            data_dir: self.data_dir,
            platform: PlatformSettings {
                control_database_url: database_url,
                tenant_placement: tenant_placement.unwrap_or(PlacementSettings::SqliteDirectory(PathBuf::new())),
                tenant_connections: domain::tenancy::ConnectionBudget::for_capacity(
                    self.tenant_pool_capacity,
                    tenant_connections_total,
                ),
                mail: MailSettings {
                    from: self.mail_from.clone(),
                    smtp_url: self.smtp_url.clone(),
                    public_url: mail_public_url,
                    dkim,
                },
                identity,
                sessions,
                billing,
                attachments,
                links: domain::workspace::sales::links::LinkSettings {
                    lifetime: chrono::Duration::days(i64::from(self.order_link_days)),
                },
                backup,
            },
            public_url,
            trusted_proxies,
            rate_limits,
            intrusion: crate::middleware::intrusion::IntrusionSettings {
                suspicious_requests: self.ids_suspicious_requests,
                misses_per_minute: self.ids_misses_per_minute,
                requests_per_10s: self.ids_requests_per_10s,
                block_for: Duration::from_secs(self.ids_block_secs),
            },
            master_key,
            master_key_origin,
            site_root: self.site_root,
            max_body_bytes: self.max_body_bytes,
            request_timeout: Duration::from_secs(self.request_timeout_secs),
            log_format: self.log_format.unwrap_or(match self.mode {
                Mode::Dev => LogFormat::Text,
                Mode::Production => LogFormat::Json,
            }),
        })
    }

    /// The settings as `check-config` shows them: every secret hidden, passwords in URLs included.
    pub fn shown(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

const NO_MASTER_KEY: &str = "master key: production mode needs one; set STRONGROOM_MASTER_KEY (base64 of 32 random \
     bytes, e.g. `openssl rand -base64 32`) or master_key_file";

fn sqlite_url(path: &Path) -> String {
    format!("sqlite://{}?mode=rwc", path.display())
}

/// Where the master key came from, for the start-up log line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MasterKeyOrigin {
    Configured,
    File(PathBuf),
    /// Dev mode generated a new key into this file on this start.
    Generated(PathBuf),
}

/// Validated settings: every value here is usable as is.
#[derive(Debug)]
pub struct Settings {
    pub mode: Mode,
    pub addr: SocketAddr,
    pub metrics_addr: Option<SocketAddr>,
    pub data_dir: PathBuf,
    pub platform: PlatformSettings,
    pub master_key: MasterKey,
    pub master_key_origin: MasterKeyOrigin,
    pub site_root: PathBuf,
    pub max_body_bytes: usize,
    pub request_timeout: Duration,
    pub log_format: LogFormat,
    /// `None` in dev mode without `public_url`: requests are checked against their own `Host`.
    pub public_url: Option<Url>,
    pub trusted_proxies: Vec<IpNet>,
    pub rate_limits: RateLimitSettings,
    pub intrusion: crate::middleware::intrusion::IntrusionSettings,
}

/// Everything wrong with the configuration, one problem per line.
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration:\n  - {}", .0.join("\n  - "))]
pub struct ConfigError(pub Vec<String>);

#[cfg(test)]
mod tests;
