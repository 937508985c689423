//! The billing page of the admin console (PAY1, `billing.manage`): the plan and the subscription's
//! state, the next charge, receipts as the provider reports them, the card's brand and last four digits
//! only, and the actions: choose a plan (the browser goes to the provider's page), change plan, cancel
//! at period end, resume, open the provider's portal. The sandbox provider is labelled as such.

use super::nav::WorkspaceNav;
use super::{slug, workspace_error};
use crate::api::{BillingPortal, CancelSubscription, ChangePlan, StartCheckout, billing_page};
use crate::components::CsrfField;
use crate::dto::{BillingDto, PlanDto};
use crate::formatting::{format_amount, format_date};
use crate::i18n::{Locale, td_string};
use crate::lang::fill;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

fn status_text(locale: Locale, dto: &BillingDto) -> String {
    let date = |at: Option<&str>| at.map(|at| format_date(locale, at)).unwrap_or_default();
    match (dto.status.as_deref(), dto.access.as_str()) {
        (_, "read_only") => td_string!(locale, billing.status_read_only).to_owned(),
        (_, "grace") => fill(td_string!(locale, billing.status_grace), &[("date", &date(dto.grace_until.as_deref()))]),
        (Some("trialing"), "full") => {
            fill(td_string!(locale, billing.status_trial), &[("date", &date(dto.trial_ends_at.as_deref()))])
        }
        (Some("trialing"), _) => td_string!(locale, billing.status_trial_ended).to_owned(),
        (Some("active"), _) if dto.cancel_at_period_end => {
            td_string!(locale, billing.status_active_cancelling).to_owned()
        }
        (Some("active"), _) => td_string!(locale, billing.status_active).to_owned(),
        (Some("cancelled"), _) => td_string!(locale, billing.status_cancelled).to_owned(),
        (Some("expired"), _) => td_string!(locale, billing.status_expired).to_owned(),
        _ => td_string!(locale, billing.status_free).to_owned(),
    }
}

/// The message after the provider's page sent the browser back, and its ARIA role.
fn checkout_text(locale: Locale, state: &str, declined_flag: bool) -> (&'static str, &'static str) {
    match state {
        "paid" => ("status", td_string!(locale, billing.checkout_paid)),
        "declined" => ("alert", td_string!(locale, billing.checkout_declined)),
        "refused" => ("alert", td_string!(locale, billing.checkout_refused)),
        _ if declined_flag => ("alert", td_string!(locale, billing.checkout_declined)),
        _ => ("status", td_string!(locale, billing.checkout_waiting)),
    }
}

#[component]
pub fn BillingPage() -> impl IntoView {
    let slug = slug();
    let query = use_query_map();
    let refresh = crate::components::refresh();
    let data = Resource::new_blocking(
        move || (slug.get(), query.read().get("checkout"), refresh.get()),
        |(slug, checkout, _)| billing_page(slug, checkout),
    );
    let locale = crate::lang::current();
    view! {
        <Title text=td_string!(locale, billing.title)/>
        <Suspense fallback=move || view! { <p class="card">{td_string!(locale, workspace.loading)}</p> }>
            {move || Suspend::new(async move {
                let declined = query.read_untracked().get("result").as_deref() == Some("declined");
                let notice = query.read_untracked().get("notice");
                match data.await {
                    Ok(dto) => view! { <Billing dto declined notice/> }.into_any(),
                    Err(error) => workspace_error(error),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Billing(dto: BillingDto, declined: bool, notice: Option<String>) -> impl IntoView {
    let locale = crate::lang::current();
    let slug = dto.home.workspace.slug.clone();
    let sandbox = dto.provider.as_deref() == Some("sandbox");
    let paying = matches!(dto.status.as_deref(), Some("active" | "trialing" | "past_due")) && dto.access != "free";
    let checkout = dto.checkout.clone().map(|state| checkout_text(locale, &state, declined));
    let notice = notice.and_then(|n| match n.as_str() {
        "cancelled" => Some(td_string!(locale, billing.notice_cancelled)),
        "resumed" => Some(td_string!(locale, billing.notice_resumed)),
        "plan_changed" => Some(td_string!(locale, billing.notice_plan_changed)),
        _ => None,
    });
    let status = status_text(locale, &dto);
    let period = dto.interval.as_deref().map(|i| match i {
        "year" => td_string!(locale, billing.per_year),
        _ => td_string!(locale, billing.per_month),
    });
    let card = match (&dto.card_brand, &dto.card_last4) {
        (Some(brand), Some(last4)) => {
            fill(td_string!(locale, billing.card_ending), &[("brand", brand), ("last4", last4)])
        }
        _ => td_string!(locale, billing.no_card).to_owned(),
    };
    let plans: Vec<PlanDto> = dto.plans.iter().filter(|p| !p.free).cloned().collect();
    let home = dto.home.clone();
    view! {
        <WorkspaceNav home/>
        <section class="card" aria-labelledby="billing-title" data-testid="billing">
            <h1 id="billing-title">{td_string!(locale, billing.title)}</h1>
            {sandbox.then(|| view! {
                <p class="sandbox-label" role="note" data-testid="sandbox-label"><strong>{td_string!(locale, billing.sandbox_label)}</strong>{td_string!(locale, billing.sandbox_note)}</p>
            })}
            {dto.provider.is_none().then(|| view! { <p>{td_string!(locale, billing.not_enabled)}</p> })}
            {checkout.map(|(role, text)| view! { <p class="notice" role=role data-testid="checkout-result">{text}</p> })}
            {notice.map(|text| view! { <p class="notice" role="status">{text}</p> })}
            <dl class="facts">
                <dt>{td_string!(locale, billing.plan)}</dt><dd data-testid="billing-plan">{dto.plan_name.clone()}{period.map(|p| format!(" {p}"))}</dd>
                <dt>{td_string!(locale, billing.state)}</dt><dd data-testid="billing-status">{status}</dd>
                <dt>{td_string!(locale, billing.next_charge)}</dt><dd>{dto.next_charge.as_deref().map(|at| format_date(locale, at)).unwrap_or_else(|| td_string!(locale, billing.none).to_owned())}</dd>
                <dt>{td_string!(locale, billing.card)}</dt><dd data-testid="billing-card">{card}</dd>
            </dl>
            {paying.then(|| view! { <SubscriptionActions slug=slug.clone() cancelling=dto.cancel_at_period_end/> })}
        </section>
        {dto.provider.is_some().then(|| view! {
            <PlanChoice slug=slug.clone() plans current=dto.plan_key.clone() paying trial=dto.trial_available/>
        })}
        <section class="card" aria-labelledby="receipts-title">
            <h2 id="receipts-title">{td_string!(locale, billing.receipts)}</h2>
            {if dto.receipts.is_empty() {
                view! { <p>{td_string!(locale, billing.no_receipts)}</p> }.into_any()
            } else {
                view! {
                    <ul class="rows" data-testid="receipts">
                        {dto.receipts.into_iter().map(|r| view! {
                            <li class="row">
                                <span>{format_date(locale, &r.at)}</span>" "<span>{r.number.clone()}</span>" "
                                <span>{format_amount(locale, &r.amount, &r.currency)}</span>" "<span>{r.status.clone()}</span>
                                {r.url.map(|url| view! { " " <a href=url rel="external noopener">{td_string!(locale, billing.view_receipt)}</a> })}
                            </li>
                        }).collect_view()}
                    </ul>
                }
                .into_any()
            }}
        </section>
    }
}

#[component]
fn SubscriptionActions(slug: String, cancelling: bool) -> impl IntoView {
    let locale = crate::lang::current();
    let cancel = ServerAction::<CancelSubscription>::new();
    let portal = ServerAction::<BillingPortal>::new();
    crate::components::refresh_on_success(cancel.value());
    go_to_provider(portal.value());
    let portal_slug = slug.clone();
    let error = move || {
        let failed = cancel.value().get().and_then(Result::err).or_else(|| portal.value().get().and_then(Result::err));
        failed.map(|e| crate::lang::error_text(locale, &e))
    };
    view! {
        <div class="actions">
            <ActionForm action=cancel attr:class="inline-form">
                <CsrfField/>
                <input type="hidden" name="slug" value=slug.clone()/>
                <input type="hidden" name="cancel" value=if cancelling { "false" } else { "true" }/>
                <button type="submit" data-testid="billing-cancel">{if cancelling { td_string!(locale, billing.resume) } else { td_string!(locale, billing.cancel) }}</button>
            </ActionForm>
            <ActionForm action=portal attr:class="inline-form">
                <CsrfField/>
                <input type="hidden" name="slug" value=portal_slug/>
                <button type="submit" class="link-button">{td_string!(locale, billing.portal)}</button>
            </ActionForm>
            <p class="field-error" role="alert">{error}</p>
        </div>
    }
}

#[component]
fn PlanChoice(slug: String, plans: Vec<PlanDto>, current: String, paying: bool, trial: bool) -> impl IntoView {
    let locale = crate::lang::current();
    let start = ServerAction::<StartCheckout>::new();
    let change = ServerAction::<ChangePlan>::new();
    crate::components::refresh_on_success(change.value());
    go_to_provider(start.value());
    let error = move || {
        let failed = start.value().get().and_then(Result::err).or_else(|| change.value().get().and_then(Result::err));
        failed.map(|e| crate::lang::error_text(locale, &e))
    };
    view! {
        <section class="card" aria-labelledby="plans-title">
            <h2 id="plans-title">{if paying { td_string!(locale, billing.change_plan) } else { td_string!(locale, billing.choose_plan) }}</h2>
            {(trial && !paying).then(|| view! { <p>{td_string!(locale, billing.trial_offer)}</p> })}
            <ul class="rows plans" data-testid="plans">
                {plans.into_iter().map(|p| {
                    let here = p.key == current;
                    let limits = p.max_members.map_or_else(
                        || td_string!(locale, billing.unlimited_members).to_owned(),
                        |count| fill(td_string!(locale, billing.up_to_members), &[("count", &count)]),
                    );
                    let prices = fill(td_string!(locale, billing.prices), &[
                        ("monthly", &format_amount(locale, &p.monthly, &p.currency)),
                        ("yearly", &format_amount(locale, &p.yearly, &p.currency)),
                        ("limits", &limits),
                    ]);
                    let (slug, key) = (slug.clone(), p.key.clone());
                    let choice = if paying {
                        view! {
                            <ActionForm action=change attr:class="inline-form">
                                <CsrfField/>
                                <input type="hidden" name="slug" value=slug/>
                                <input type="hidden" name="plan" value=key/>
                                <PeriodSelect locale/>
                                <button type="submit" disabled=here>{if here { td_string!(locale, billing.current_plan) } else { td_string!(locale, billing.switch) }}</button>
                            </ActionForm>
                        }.into_any()
                    } else {
                        view! {
                            <ActionForm action=start attr:class="inline-form">
                                <CsrfField/>
                                <input type="hidden" name="slug" value=slug/>
                                <input type="hidden" name="plan" value=key.clone()/>
                                <PeriodSelect locale/>
                                <button type="submit" data-testid=format!("choose-{key}") disabled=move || start.pending().get()>{td_string!(locale, billing.choose_and_pay)}</button>
                            </ActionForm>
                        }.into_any()
                    };
                    view! {
                        <li class="row" data-testid=format!("plan-{}", p.key)>
                            <strong>{p.name.clone()}</strong>" "<span>{prices}</span>{choice}
                        </li>
                    }
                }).collect_view()}
            </ul>
            <p class="field-error" role="alert">{error}</p>
        </section>
    }
}

#[component]
fn PeriodSelect(locale: Locale) -> impl IntoView {
    view! {
        <label>{td_string!(locale, billing.period)}" "
            <select name="interval">
                <option value="month">{td_string!(locale, billing.monthly)}</option>
                <option value="year">{td_string!(locale, billing.yearly)}</option>
            </select>
        </label>
    }
}

/// Once the server has an address at the provider (checkout, portal), the browser loads it as a new
/// page: it is outside the app, even when it is on this server (the sandbox).
fn go_to_provider(value: impl crate::components::ActionValue<String>) {
    Effect::new(move || {
        if let Some(Ok(url)) = value.get() {
            crate::components::hard_navigate(&url);
        }
    });
}
