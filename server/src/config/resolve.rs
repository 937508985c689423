//! The parts of [`RawConfig::validate`] that resolve one group of settings each: rate limits, who may
//! reach the server, where sessions live, the master key, and attachments and signed links.

use super::{ConfigError, DEV_MASTER_KEY_FILE, MasterKeyOrigin, Mode, NO_MASTER_KEY, RawConfig};
use crate::middleware::rate_limit::{Limit, RateLimitSettings};
use domain::crypto::MasterKey;
use domain::session_store::SessionStorage;
use domain::workspace::attachments::AttachmentSettings;
use ipnet::IpNet;
use secrecy::ExposeSecret as _;
use url::Url;

impl RawConfig {
    /// The rate limit of each endpoint class, per minute.
    pub(super) fn rate_limits(&self) -> RateLimitSettings {
        let limit = |per_address, per_account| Limit { per_address, per_account };
        RateLimitSettings {
            sign_in: limit(self.auth_requests_per_minute, self.auth_requests_per_account_per_minute),
            codes: limit(self.code_requests_per_minute, self.code_requests_per_account_per_minute),
            sign_up: limit(self.sign_up_requests_per_minute, self.sign_up_requests_per_account_per_minute),
            account: limit(self.account_requests_per_minute, self.account_requests_per_account_per_minute),
            workspace: limit(self.workspace_requests_per_minute, self.workspace_requests_per_account_per_minute),
            invitations: limit(self.invitation_requests_per_minute, self.invitation_requests_per_account_per_minute),
            exports: limit(self.export_requests_per_minute, self.export_requests_per_account_per_minute),
        }
    }

    /// Who may reach this server. Production needs a reverse proxy (the server speaks plain HTTP and
    /// `public_url` is https): without `trusted_proxies`, every client would share the proxy's address,
    /// and one attacker's failures would block everyone (M7). Dev mode listens on loopback only unless
    /// told otherwise, as its outbox holds every reset link and code.
    pub(super) fn check_exposure(&self, trusted_proxies: &[IpNet], problems: &mut Vec<String>) {
        match self.mode {
            Mode::Production if trusted_proxies.is_empty() && !self.direct_exposure => problems.push(
                "trusted_proxies: production mode runs behind a reverse proxy; list its addresses (or set \
                 direct_exposure = true if clients really connect to this server directly)"
                    .into(),
            ),
            Mode::Production if !trusted_proxies.is_empty() && self.direct_exposure => problems
                .push("direct_exposure = true says there is no proxy, but trusted_proxies lists some; keep one".into()),
            Mode::Dev if !self.addr.ip().is_loopback() && !self.dev_allow_remote => problems.push(format!(
                "addr: dev mode listens on loopback only (its outbox holds every reset link and code); `{}` is not \
                 loopback. Use 127.0.0.1, or set dev_allow_remote = true",
                self.addr
            )),
            _ => {}
        }
    }

    /// Where sessions live: Redis if `redis_url` is set (and well-formed), else the control plane.
    pub(super) fn session_storage(&self) -> Result<SessionStorage, String> {
        let Some(url) = &self.redis_url else { return Ok(SessionStorage::ControlDatabase) };
        // The URL may hold a password: problems name the setting, never echo the value.
        match Url::parse(url.expose_secret()) {
            Ok(parsed) if parsed.scheme() == "redis" && parsed.host_str().is_some_and(|h| !h.is_empty()) => {}
            Ok(parsed) if parsed.scheme() == "rediss" => {
                return Err(
                    "redis_url: TLS to Redis (rediss://) is not supported yet; use redis:// on a private network"
                        .into(),
                );
            }
            _ => return Err("redis_url: must look like redis://[user:password@]host[:port][/db]".into()),
        }
        if self.redis_key_prefix.is_empty() || self.redis_key_prefix.chars().any(char::is_whitespace) {
            return Err("redis_key_prefix: must be non-empty, without spaces".into());
        }
        Ok(SessionStorage::Redis { url: url.clone(), key_prefix: self.redis_key_prefix.clone() })
    }

    pub(super) fn resolve_master_key(&self) -> Result<(MasterKey, MasterKeyOrigin), ConfigError> {
        let fail = |e: domain::crypto::MasterKeyError| ConfigError(vec![format!("master key: {e}")]);
        if let Some(encoded) = &self.master_key {
            return Ok((MasterKey::from_base64(encoded.expose_secret()).map_err(fail)?, MasterKeyOrigin::Configured));
        }
        if let Some(path) = &self.master_key_file {
            return Ok((MasterKey::read_file(path).map_err(fail)?, MasterKeyOrigin::File(path.clone())));
        }
        match self.mode {
            Mode::Production => Err(ConfigError(vec![NO_MASTER_KEY.into()])),
            Mode::Dev => {
                let path = self.data_dir.join(DEV_MASTER_KEY_FILE);
                if path.exists() {
                    return Ok((MasterKey::read_file(&path).map_err(fail)?, MasterKeyOrigin::File(path)));
                }
                std::fs::create_dir_all(&self.data_dir)
                    .map_err(|e| ConfigError(vec![format!("data_dir {}: {e}", self.data_dir.display())]))?;
                Ok((MasterKey::create_file(&path).map_err(fail)?, MasterKeyOrigin::Generated(path)))
            }
        }
    }
}

/// The largest attachment a configuration may allow.
const ATTACHMENT_CEILING: u64 = 100 * 1024 * 1024;

impl RawConfig {
    /// Attachments' place and limits (DATA4), and the link lifetime (DATA5): every problem reported.
    /// The store is `<data_dir>/attachments`, which must not lie inside the served `site_root`.
    pub(super) fn attachment_settings(&self, problems: &mut Vec<String>) -> AttachmentSettings {
        if !(1024..=ATTACHMENT_CEILING).contains(&self.attachment_max_file_bytes) {
            problems.push(format!("attachment_max_file_bytes: must be from 1024 to {ATTACHMENT_CEILING} (100 MiB)"));
        }
        if self.attachment_quota_bytes < self.attachment_max_file_bytes {
            problems.push("attachment_quota_bytes: must be at least attachment_max_file_bytes".into());
        }
        if !(1..=365).contains(&self.order_link_days) {
            problems.push("order_link_days: must be from 1 to 365".into());
        }
        let dir = self.data_dir.join("attachments");
        let absolute = |p: &std::path::Path| std::path::absolute(p).unwrap_or_else(|_| p.to_owned());
        if absolute(&dir).starts_with(absolute(&self.site_root)) {
            problems.push("data_dir: attachments would be inside site_root, which is served; keep them apart".into());
        }
        AttachmentSettings {
            dir,
            max_file_bytes: self.attachment_max_file_bytes,
            workspace_quota_bytes: self.attachment_quota_bytes,
        }
    }
}
