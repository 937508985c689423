//! The `[billing]` table: which provider takes payments, its keys, the plans, trial and grace period
//! (PAY1, PAY2). Secrets are `secrecy` values, shown as `[redacted]` by `check-config` and never logged.
//! Nested keys also come from the environment with `__`, e.g. `STRONGROOM_BILLING__STRIPE_SECRET_KEY`.
//!
//! Defaults: in dev mode the sandbox provider (labelled "sandbox" wherever it shows) with three example
//! plans; in production mode billing is off until a provider is configured, and the sandbox is refused.

use super::{Mode, redact};
use domain::billing::plans::{Plan, Plans};
use domain::billing::settings::{BillingSettings, IyzicoSettings, ProviderKind, SandboxScheme, StripeSettings};
use domain::billing::signatures::{STRIPE_DEFAULT_TOLERANCE_SECS, StripeWebhookKeys};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use url::Url;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawBilling {
    /// `sandbox` (dev mode only), `stripe`, `iyzico`, or `off`; default: `sandbox` in dev mode, `off` in
    /// production.
    pub provider: Option<String>,
    /// With the sandbox: `stripe` [default] or `iyzico`, the provider whose API and signatures it speaks.
    pub sandbox_scheme: Option<String>,
    /// Days of trial on a workspace's first paid plan [14]; 0: none.
    pub trial_days: u32,
    /// Days a workspace keeps working after a failed payment before it becomes read-only [7].
    pub grace_days: u32,
    /// How often every subscription is re-fetched from the provider, in seconds [900].
    pub refetch_every_secs: u64,
    /// The plans; default (dev): Free, Team, Business.
    pub plans: Vec<Plan>,
    pub stripe_api_base: String,
    #[serde(serialize_with = "redact::secret")]
    pub stripe_secret_key: Option<SecretString>,
    /// Webhook endpoint secrets (`whsec_…`); two during a rotation.
    #[serde(serialize_with = "redact::secrets")]
    pub stripe_webhook_secrets: Vec<SecretString>,
    /// How far a webhook's signed timestamp may be from now, in seconds [300].
    pub stripe_tolerance_secs: i64,
    pub iyzico_api_base: String,
    pub iyzico_api_key: Option<String>,
    #[serde(serialize_with = "redact::secret")]
    pub iyzico_secret_key: Option<SecretString>,
}

impl Default for RawBilling {
    fn default() -> Self {
        Self {
            provider: None,
            sandbox_scheme: None,
            trial_days: 14,
            grace_days: 7,
            refetch_every_secs: 900,
            plans: Vec::new(),
            stripe_api_base: "https://api.stripe.com".into(),
            stripe_secret_key: None,
            stripe_webhook_secrets: Vec::new(),
            stripe_tolerance_secs: STRIPE_DEFAULT_TOLERANCE_SECS,
            iyzico_api_base: "https://api.iyzipay.com".into(),
            iyzico_api_key: None,
            iyzico_secret_key: None,
        }
    }
}

fn base_url(what: &str, url: &str, mode: Mode, problems: &mut Vec<String>) -> Option<Url> {
    match Url::parse(url) {
        Ok(u) if u.scheme() == "https" || (mode == Mode::Dev && u.scheme() == "http") => Some(u),
        Ok(_) => {
            problems.push(format!("billing.{what}: must be https://"));
            None
        }
        Err(e) => {
            problems.push(format!("billing.{what}: {e}"));
            None
        }
    }
}

impl RawBilling {
    pub(super) fn resolve(&self, mode: Mode, problems: &mut Vec<String>) -> BillingSettings {
        let provider = match self.provider.as_deref() {
            None => (mode == Mode::Dev).then_some(ProviderKind::Sandbox),
            Some("off") => None,
            Some(key) => match ProviderKind::parse(key) {
                Some(ProviderKind::Sandbox) if mode == Mode::Production => {
                    problems
                        .push("billing.provider: the sandbox takes no real payments; it is for dev mode only".into());
                    None
                }
                Some(p) => Some(p),
                None => {
                    problems.push(format!("billing.provider: `{key}` is not one of sandbox, stripe, iyzico, off"));
                    None
                }
            },
        };
        let plans = if self.plans.is_empty() { Plans::dev_defaults() } else { self.plans.clone() };
        let sandbox_scheme = match self.sandbox_scheme.as_deref() {
            None | Some("stripe") => SandboxScheme::Stripe,
            Some("iyzico") => SandboxScheme::Iyzico,
            Some(other) => {
                problems.push(format!("billing.sandbox_scheme: `{other}` is not one of stripe, iyzico"));
                SandboxScheme::Stripe
            }
        };
        let needs_prices = matches!(provider, Some(ProviderKind::Stripe))
            || (provider == Some(ProviderKind::Sandbox) && sandbox_scheme == SandboxScheme::Stripe);
        let plans = match Plans::validate(plans, needs_prices) {
            Ok(plans) => plans,
            Err(found) => {
                problems.extend(found);
                Plans::validate(Plans::dev_defaults(), false).expect("the default plans are valid")
            }
        };
        if mode == Mode::Production && provider.is_some() && self.plans.is_empty() {
            problems.push("billing.plans: production mode needs its plans configured ([[billing.plans]])".into());
        }
        if self.grace_days > 90 || self.trial_days > 90 {
            problems.push("billing.trial_days and billing.grace_days: at most 90".into());
        }
        if !(60..=86_400).contains(&self.refetch_every_secs) {
            problems.push("billing.refetch_every_secs: between 60 and 86400".into());
        }
        if !(1..=3600).contains(&self.stripe_tolerance_secs) {
            problems.push("billing.stripe_tolerance_secs: between 1 and 3600".into());
        }
        let stripe = match (provider, &self.stripe_secret_key) {
            (Some(ProviderKind::Stripe), None) => {
                problems.push("billing.stripe_secret_key: required with provider = \"stripe\"".into());
                None
            }
            (Some(ProviderKind::Stripe), Some(key)) => {
                if self.stripe_webhook_secrets.is_empty() {
                    problems
                        .push("billing.stripe_webhook_secrets: at least one webhook endpoint secret (whsec_…)".into());
                }
                base_url("stripe_api_base", &self.stripe_api_base, mode, problems).map(|api_base| StripeSettings {
                    api_base,
                    secret_key: key.clone(),
                    webhook: StripeWebhookKeys {
                        secrets: self.stripe_webhook_secrets.clone(),
                        tolerance_secs: self.stripe_tolerance_secs,
                    },
                })
            }
            _ => None,
        };
        let iyzico = match (provider, &self.iyzico_api_key, &self.iyzico_secret_key) {
            (Some(ProviderKind::Iyzico), Some(api_key), Some(secret_key)) => {
                base_url("iyzico_api_base", &self.iyzico_api_base, mode, problems).map(|api_base| IyzicoSettings {
                    api_base,
                    api_key: api_key.clone(),
                    secret_key: secret_key.clone(),
                })
            }
            (Some(ProviderKind::Iyzico), _, _) => {
                problems.push(
                    "billing.iyzico_api_key and billing.iyzico_secret_key: required with provider = \"iyzico\"".into(),
                );
                None
            }
            _ => None,
        };
        BillingSettings {
            provider,
            plans,
            trial_days: self.trial_days,
            grace_days: self.grace_days,
            refetch_every: std::time::Duration::from_secs(self.refetch_every_secs),
            webhook_tolerance_secs: self.stripe_tolerance_secs,
            stripe,
            iyzico,
            sandbox_scheme,
            self_url: None,
        }
    }
}
