//! How a deployment bills: which provider, its keys (secrets as `secrecy` values, never logged), the
//! plans, the trial and the grace period. Built by the server's configuration, validated at start.

use super::plans::Plans;
use super::signatures::StripeWebhookKeys;
use secrecy::SecretString;
use url::Url;

/// Which provider takes payments in this deployment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProviderKind {
    /// Dev mode and tests only: Strongroom's own stand-in, labelled "sandbox" wherever it shows. It speaks
    /// Stripe's REST API and signs its webhooks with Stripe's scheme, so the production client and
    /// verification code are what runs against it.
    Sandbox,
    Stripe,
    Iyzico,
}

impl ProviderKind {
    pub fn key(self) -> &'static str {
        match self {
            Self::Sandbox => "sandbox",
            Self::Stripe => "stripe",
            Self::Iyzico => "iyzico",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        [Self::Sandbox, Self::Stripe, Self::Iyzico].into_iter().find(|p| p.key() == key)
    }
}

/// Which provider's API and signatures the sandbox speaks (`billing.sandbox_scheme`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SandboxScheme {
    #[default]
    Stripe,
    Iyzico,
}

#[derive(Clone)]
pub struct StripeSettings {
    /// `https://api.stripe.com` (a test server's address in the integration tests).
    pub api_base: Url,
    pub secret_key: SecretString,
    pub webhook: StripeWebhookKeys,
}

impl std::fmt::Debug for StripeSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StripeSettings")
            .field("api_base", &self.api_base.as_str())
            .field("webhook", &self.webhook)
            .finish_non_exhaustive()
    }
}

#[derive(Clone)]
pub struct IyzicoSettings {
    /// `https://api.iyzipay.com` or `https://sandbox-api.iyzipay.com`.
    pub api_base: Url,
    pub api_key: String,
    pub secret_key: SecretString,
}

impl std::fmt::Debug for IyzicoSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IyzicoSettings").field("api_base", &self.api_base.as_str()).finish_non_exhaustive()
    }
}

#[derive(Debug, Clone)]
pub struct BillingSettings {
    /// `None`: billing is off (every workspace is on the free plan).
    pub provider: Option<ProviderKind>,
    pub plans: Plans,
    /// Days of a new paid plan's trial (0: none); each workspace gets one trial.
    pub trial_days: u32,
    /// Days a workspace keeps working after a failed payment, before it becomes read-only.
    pub grace_days: u32,
    /// How often the scheduled check re-fetches every subscription from the provider.
    pub refetch_every: std::time::Duration,
    /// How far a Stripe webhook's signed time may be from now (the sandbox's webhooks too).
    pub webhook_tolerance_secs: i64,
    pub stripe: Option<StripeSettings>,
    pub iyzico: Option<IyzicoSettings>,
    /// With the sandbox provider: whether it stands in for Stripe or for iyzico.
    pub sandbox_scheme: SandboxScheme,
    /// This server's own address, for the sandbox (its API and webhooks come back here). Set once the
    /// socket is bound.
    pub self_url: Option<Url>,
}

impl BillingSettings {
    /// Billing off, with the default plans (for deployments that configure nothing).
    pub fn off() -> Self {
        Self {
            provider: None,
            plans: Plans::validate(Plans::dev_defaults(), false).expect("the default plans are valid"),
            trial_days: 14,
            grace_days: 7,
            refetch_every: std::time::Duration::from_secs(15 * 60),
            webhook_tolerance_secs: super::signatures::STRIPE_DEFAULT_TOLERANCE_SECS,
            stripe: None,
            iyzico: None,
            sandbox_scheme: SandboxScheme::Stripe,
            self_url: None,
        }
    }
}
