//! The billing page's server functions (PAY1): read the plan and subscription, start a checkout (the
//! browser is then redirected to the provider's page), cancel at period end, resume, change plan, open
//! the provider's customer portal. All behind `billing.manage` in the admin-console area.

use crate::dto::BillingDto;
use crate::error::AppError;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use {
    crate::auth,
    crate::dto::{PlanDto, ReceiptDto, timestamp},
    domain::billing::plans::Interval,
    domain::billing::status::Access,
    domain::workspace::access::Area,
};

#[cfg(feature = "ssr")]
fn billing() -> Result<std::sync::Arc<domain::billing::Billing>, AppError> {
    Ok(crate::context::app_context()?.platform.billing().clone())
}

#[cfg(feature = "ssr")]
fn interval(key: &str) -> Result<Interval, AppError> {
    Interval::parse(key.trim()).ok_or(AppError::NotFound)
}

#[server(prefix = "/rpc", endpoint = "billing/overview", input = server_fn::codec::GetUrl)]
pub async fn billing_page(slug: String, checkout: Option<String>) -> Result<BillingDto, AppError> {
    let result: Result<_, AppError> = async {
        let caller = auth::caller(&slug, Area::AdminConsole).await?;
        let checkout = checkout.as_deref().and_then(|c| uuid::Uuid::parse_str(c.trim()).ok());
        let billing = billing()?;
        let o = billing.overview(&caller, checkout).await?;
        let (access, grace_until) = match o.access {
            Access::Full => ("full", None),
            Access::Grace { until } => ("grace", Some(timestamp(until))),
            Access::ReadOnly => ("read_only", None),
            Access::Free => ("free", None),
        };
        Ok(BillingDto {
            home: super::workspaces::home(&caller).await?,
            // The sandbox is named as such, whichever provider's scheme it speaks.
            provider: if billing.is_sandbox() {
                Some("sandbox".to_owned())
            } else {
                o.provider.map(|p| p.key().to_owned())
            },
            plan_key: o.plan.key.clone(),
            plan_name: o.plan.name.clone(),
            interval: o.interval.map(|i| i.key().to_owned()),
            status: o.status.map(|s| s.key().to_owned()),
            access: access.to_owned(),
            grace_until,
            next_charge: o.next_charge.map(timestamp),
            cancel_at_period_end: o.cancel_at_period_end,
            trial_ends_at: o.trial_ends_at.map(timestamp),
            trial_available: o.trial_available,
            card_brand: o.card.as_ref().map(|c| c.0.clone()),
            card_last4: o.card.as_ref().map(|c| c.1.clone()),
            receipts: o
                .receipts
                .into_iter()
                .map(|r| ReceiptDto {
                    number: r.number,
                    amount: model::Cents(r.amount_cents).format(),
                    currency: r.currency,
                    status: r.status,
                    at: timestamp(r.at),
                    url: r.url,
                })
                .collect(),
            plans: o
                .plans
                .into_iter()
                .map(|p| PlanDto {
                    free: p.is_free(),
                    monthly: model::Cents(p.monthly_cents).format(),
                    yearly: model::Cents(p.yearly_cents).format(),
                    currency: p.currency.code().to_owned(),
                    max_members: p.max_members,
                    key: p.key,
                    name: p.name,
                })
                .collect(),
            checkout: o.checkout.map(|c| format!("{c:?}").to_lowercase()),
        })
    }
    .await;
    super::finish(result)
}

/// Starts a checkout and sends the browser to the provider's hosted page.
#[server(prefix = "/rpc", endpoint = "billing/checkout")]
pub async fn start_checkout(
    _csrf_token: String,
    slug: String,
    plan: String,
    interval: String,
) -> Result<String, AppError> {
    let result: Result<String, AppError> = async {
        let caller = auth::caller(&slug, Area::AdminConsole).await?;
        let url = billing()?.start_checkout(&caller, plan.trim(), self::interval(&interval)?).await?;
        super::redirect_plain_post(&url);
        Ok(url)
    }
    .await;
    super::finish(result)
}

/// Changes the plan or period of a running subscription.
#[server(prefix = "/rpc", endpoint = "billing/change-plan")]
pub async fn change_plan(_csrf_token: String, slug: String, plan: String, interval: String) -> Result<(), AppError> {
    let result: Result<(), AppError> = async {
        let caller = auth::caller(&slug, Area::AdminConsole).await?;
        billing()?.change_plan(&caller, plan.trim(), self::interval(&interval)?).await?;
        leptos_axum::redirect(&format!("/w/{slug}/admin/billing?notice=plan_changed"));
        Ok(())
    }
    .await;
    super::finish(result)
}

/// Cancels at the end of the paid period (`cancel` = "true") or resumes ("false").
#[server(prefix = "/rpc", endpoint = "billing/cancel")]
pub async fn cancel_subscription(_csrf_token: String, slug: String, cancel: String) -> Result<(), AppError> {
    let result: Result<(), AppError> = async {
        let caller = auth::caller(&slug, Area::AdminConsole).await?;
        let cancel = cancel.trim() == "true";
        billing()?.set_cancel_at_period_end(&caller, cancel).await?;
        let notice = if cancel { "cancelled" } else { "resumed" };
        leptos_axum::redirect(&format!("/w/{slug}/admin/billing?notice={notice}"));
        Ok(())
    }
    .await;
    super::finish(result)
}

/// Opens the provider's customer portal (card changes).
#[server(prefix = "/rpc", endpoint = "billing/portal")]
pub async fn billing_portal(_csrf_token: String, slug: String) -> Result<String, AppError> {
    let result: Result<String, AppError> = async {
        let caller = auth::caller(&slug, Area::AdminConsole).await?;
        let url = billing()?.portal(&caller).await?;
        super::redirect_plain_post(&url);
        Ok(url)
    }
    .await;
    super::finish(result)
}
