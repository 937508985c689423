//! Plans, as the operator configures them (`[[billing.plans]]` in the TOML file), checked once at start.
//!
//! A plan has a stable key, a name, a price per month and per year in integer cents of one currency,
//! and limits. Exactly one plan is free (both prices zero): every workspace without a paid
//! subscription, or whose subscription ended, is on it. Paid plans name the Stripe prices they are
//! sold at when Stripe is the provider.

use model::Cents;
use serde::{Deserialize, Serialize};

/// Billing period of a paid plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Interval {
    Month,
    Year,
}

impl Interval {
    pub fn key(self) -> &'static str {
        match self {
            Self::Month => "month",
            Self::Year => "year",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        match key {
            "month" => Some(Self::Month),
            "year" => Some(Self::Year),
            _ => None,
        }
    }

    /// The length of one period, for providers that charge once per period (iyzico Checkout Form).
    pub fn length(self) -> chrono::Duration {
        match self {
            Self::Month => chrono::Duration::days(30),
            Self::Year => chrono::Duration::days(365),
        }
    }
}

/// Currencies both providers take (ISO 4217).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Currency {
    #[serde(rename = "EUR")]
    Eur,
    #[serde(rename = "USD")]
    Usd,
    #[serde(rename = "GBP")]
    Gbp,
    #[serde(rename = "TRY")]
    Try,
}

impl Currency {
    pub fn code(self) -> &'static str {
        match self {
            Self::Eur => "EUR",
            Self::Usd => "USD",
            Self::Gbp => "GBP",
            Self::Try => "TRY",
        }
    }

    /// Parses a code in any case (Stripe writes `eur`, iyzico `EUR`).
    pub fn parse(code: &str) -> Option<Self> {
        match code.to_ascii_uppercase().as_str() {
            "EUR" => Some(Self::Eur),
            "USD" => Some(Self::Usd),
            "GBP" => Some(Self::Gbp),
            "TRY" => Some(Self::Try),
            _ => None,
        }
    }
}

/// One plan as written in the configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    /// Stable key (lowercase letters, digits, `-`), stored with each subscription.
    pub key: String,
    pub name: String,
    pub monthly_cents: i64,
    pub yearly_cents: i64,
    pub currency: Currency,
    /// Members a workspace on this plan may have; `None`: no limit.
    #[serde(default)]
    pub max_members: Option<u32>,
    /// Storage for attachments and backups, in MiB; `None`: no limit.
    #[serde(default)]
    pub storage_mib: Option<u32>,
    /// Stripe price ids (`price_…`) of the monthly and yearly price; required for paid plans with Stripe.
    #[serde(default)]
    pub stripe_price_monthly: Option<String>,
    #[serde(default)]
    pub stripe_price_yearly: Option<String>,
}

impl Plan {
    pub fn is_free(&self) -> bool {
        self.monthly_cents == 0 && self.yearly_cents == 0
    }

    pub fn price(&self, interval: Interval) -> Cents {
        Cents(match interval {
            Interval::Month => self.monthly_cents,
            Interval::Year => self.yearly_cents,
        })
    }

    pub fn stripe_price(&self, interval: Interval) -> Option<&str> {
        match interval {
            Interval::Month => self.stripe_price_monthly.as_deref(),
            Interval::Year => self.stripe_price_yearly.as_deref(),
        }
    }
}

/// The plans of a deployment, validated: unique keys, exactly one free plan.
#[derive(Debug, Clone)]
pub struct Plans {
    plans: Vec<Plan>,
}

impl Plans {
    /// Checks `plans`; every problem is one line (for the start-up error). `needs_stripe_prices`: the
    /// provider is Stripe, so every paid plan must name its prices.
    pub fn validate(plans: Vec<Plan>, needs_stripe_prices: bool) -> Result<Self, Vec<String>> {
        let mut problems = Vec::new();
        let key_ok = |k: &str| {
            !k.is_empty()
                && k.len() <= 32
                && k.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        };
        for (i, plan) in plans.iter().enumerate() {
            let at = format!("billing.plans[{i}] ({})", plan.key);
            if !key_ok(&plan.key) {
                problems.push(format!("{at}: key must be 1-32 lowercase letters, digits or '-'"));
            }
            if plans.iter().filter(|p| p.key == plan.key).count() > 1 {
                problems.push(format!("{at}: key is used by more than one plan"));
            }
            if plan.name.trim().is_empty() || plan.name.chars().count() > 48 {
                problems.push(format!("{at}: name must be 1-48 characters"));
            }
            for (what, cents) in [("monthly_cents", plan.monthly_cents), ("yearly_cents", plan.yearly_cents)] {
                if !(0..=Cents::MAX).contains(&cents) {
                    problems.push(format!("{at}: {what} must be between 0 and {}", Cents::MAX));
                }
            }
            if !plan.is_free() && (plan.monthly_cents == 0 || plan.yearly_cents == 0) {
                problems.push(format!("{at}: a paid plan needs both a monthly and a yearly price"));
            }
            if needs_stripe_prices
                && !plan.is_free()
                && [&plan.stripe_price_monthly, &plan.stripe_price_yearly]
                    .iter()
                    .any(|p| !p.as_deref().is_some_and(|p| p.starts_with("price_")))
            {
                problems.push(format!(
                    "{at}: with Stripe, stripe_price_monthly and stripe_price_yearly (price_…) are required"
                ));
            }
        }
        match plans.iter().filter(|p| p.is_free()).count() {
            1 => {}
            0 => problems.push("billing.plans: one plan must be free (monthly_cents = yearly_cents = 0)".into()),
            _ => problems.push("billing.plans: only one plan may be free".into()),
        }
        if problems.is_empty() { Ok(Self { plans }) } else { Err(problems) }
    }

    /// The plans a dev deployment starts with when none are configured.
    pub fn dev_defaults() -> Vec<Plan> {
        let plan = |key: &str, name: &str, monthly, yearly, members| Plan {
            key: key.into(),
            name: name.into(),
            monthly_cents: monthly,
            yearly_cents: yearly,
            currency: Currency::Eur,
            max_members: members,
            storage_mib: None,
            stripe_price_monthly: (monthly > 0).then(|| format!("price_sandbox_{key}_month")),
            stripe_price_yearly: (yearly > 0).then(|| format!("price_sandbox_{key}_year")),
        };
        vec![
            plan("free", "Free", 0, 0, None),
            plan("team", "Team", 2_900, 29_000, Some(25)),
            plan("business", "Business", 9_900, 99_000, None),
        ]
    }

    pub fn all(&self) -> &[Plan] {
        &self.plans
    }

    pub fn get(&self, key: &str) -> Option<&Plan> {
        self.plans.iter().find(|p| p.key == key)
    }

    pub fn free(&self) -> &Plan {
        self.plans.iter().find(|p| p.is_free()).expect("validated: one plan is free")
    }

    /// The plan and interval that sell at Stripe price `price_id`.
    pub fn by_stripe_price(&self, price_id: &str) -> Option<(&Plan, Interval)> {
        self.plans.iter().find_map(|p| {
            if p.stripe_price_monthly.as_deref() == Some(price_id) {
                Some((p, Interval::Month))
            } else if p.stripe_price_yearly.as_deref() == Some(price_id) {
                Some((p, Interval::Year))
            } else {
                None
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_are_validated() {
        assert!(Plans::validate(Plans::dev_defaults(), true).is_ok());
        let mut no_free = Plans::dev_defaults();
        no_free.remove(0);
        assert!(Plans::validate(no_free, false).unwrap_err().iter().any(|p| p.contains("must be free")));
        let mut twice = Plans::dev_defaults();
        twice[2].key = "team".into();
        assert!(Plans::validate(twice, false).unwrap_err().iter().any(|p| p.contains("more than one plan")));
        let mut no_price = Plans::dev_defaults();
        no_price[1].stripe_price_yearly = None;
        assert!(Plans::validate(no_price.clone(), false).is_ok());
        assert!(Plans::validate(no_price, true).unwrap_err().iter().any(|p| p.contains("stripe_price")));
        let mut half = Plans::dev_defaults();
        half[1].yearly_cents = 0;
        assert!(Plans::validate(half, false).unwrap_err().iter().any(|p| p.contains("both a monthly")));
    }
}
