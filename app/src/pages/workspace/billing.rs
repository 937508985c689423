//! The billing page of the admin console (PAY1, `billing.manage`): the plan and the subscription's
//! state, the next charge, receipts as the provider reports them, the card's brand and last four digits
//! only, and the actions: choose a plan (the browser goes to the provider's page), change plan, cancel
//! at period end, resume, open the provider's portal. The sandbox provider is labelled as such.

use super::nav::WorkspaceNav;
use super::{slug, workspace_error};
use crate::api::{BillingPortal, CancelSubscription, ChangePlan, StartCheckout, billing_page};
use crate::components::CsrfField;
use crate::dto::{BillingDto, PlanDto};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

fn day(timestamp: &str) -> String {
    timestamp.split('T').next().unwrap_or(timestamp).to_owned()
}

fn status_text(dto: &BillingDto) -> String {
    let trial = dto.trial_ends_at.as_deref().map(day).unwrap_or_default();
    match (dto.status.as_deref(), dto.access.as_str()) {
        (_, "read_only") => {
            "Payment overdue: the workspace is read-only until it is paid. Nothing has been deleted.".into()
        }
        (_, "grace") => format!(
            "Payment failed. The workspace keeps working until {}; please update the card or pay.",
            dto.grace_until.as_deref().map(day).unwrap_or_default()
        ),
        (Some("trialing"), "full") => format!("Trial until {trial}."),
        (Some("trialing"), _) => "The trial has ended: the workspace is on the free plan.".into(),
        (Some("active"), _) if dto.cancel_at_period_end => "Active; cancelled at the end of the paid period.".into(),
        (Some("active"), _) => "Active.".into(),
        (Some("cancelled"), _) => "Cancelled: the workspace is on the free plan.".into(),
        (Some("expired"), _) => "Expired: the workspace is on the free plan.".into(),
        _ => "Free plan.".into(),
    }
}

fn checkout_text(state: &str, declined_flag: bool) -> (&'static str, &'static str) {
    match state {
        "paid" => ("status", "Thank you: the payment went through and the plan is active."),
        "declined" => {
            ("alert", "The payment was declined or cancelled. Nothing was charged and your plan has not changed.")
        }
        "refused" => (
            "alert",
            "The payment result could not be verified, so it was not accepted. Nothing changed; please try again or contact support.",
        ),
        _ if declined_flag => {
            ("alert", "The payment was declined or cancelled. Nothing was charged and your plan has not changed.")
        }
        _ => ("status", "Waiting for the payment provider's confirmation. This page shows the result once it arrives."),
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
    view! {
        <Title text="Billing"/>
        <Suspense fallback=|| view! { <p class="card">"Loading…"</p> }>
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
    let slug = dto.home.workspace.slug.clone();
    let sandbox = dto.provider.as_deref() == Some("sandbox");
    let paying = matches!(dto.status.as_deref(), Some("active" | "trialing" | "past_due")) && dto.access != "free";
    let checkout = dto.checkout.clone().map(|state| checkout_text(&state, declined));
    let notice = notice.and_then(|n| match n.as_str() {
        "cancelled" => Some("The subscription will end at the end of the paid period."),
        "resumed" => Some("The subscription continues."),
        "plan_changed" => Some("The plan was changed."),
        _ => None,
    });
    let status = status_text(&dto);
    let banner = matches!(dto.access.as_str(), "grace" | "read_only");
    let plans: Vec<PlanDto> = dto.plans.iter().filter(|p| !p.free).cloned().collect();
    let home = dto.home.clone();
    view! {
        <WorkspaceNav home/>
        <section class="card" aria-labelledby="billing-title" data-testid="billing">
            <h1 id="billing-title">"Billing"</h1>
            {sandbox.then(|| view! {
                <p class="sandbox-label" role="note" data-testid="sandbox-label"><strong>"Sandbox"</strong>": payments here are simulated; no real money moves."</p>
            })}
            {dto.provider.is_none().then(|| view! { <p>"Billing is not enabled on this server: every workspace is on the free plan."</p> })}
            {checkout.map(|(role, text)| view! { <p class="notice" role=role data-testid="checkout-result">{text}</p> })}
            {notice.map(|text| view! { <p class="notice" role="status">{text}</p> })}
            {banner.then(|| view! { <p class="banner" role="alert" data-testid="billing-banner">{status.clone()}</p> })}
            <dl class="facts">
                <dt>"Plan"</dt><dd data-testid="billing-plan">{dto.plan_name.clone()}{dto.interval.clone().map(|i| format!(" (per {i})"))}</dd>
                <dt>"State"</dt><dd data-testid="billing-status">{status.clone()}</dd>
                <dt>"Next charge"</dt><dd>{dto.next_charge.as_deref().map(day).unwrap_or_else(|| "None".into())}</dd>
                <dt>"Card"</dt><dd data-testid="billing-card">{match (&dto.card_brand, &dto.card_last4) {
                    (Some(brand), Some(last4)) => format!("{brand} ending in {last4}"),
                    _ => "None on file".into(),
                }}</dd>
            </dl>
            {paying.then(|| view! { <SubscriptionActions slug=slug.clone() cancelling=dto.cancel_at_period_end/> })}
        </section>
        {dto.provider.is_some().then(|| view! {
            <PlanChoice slug=slug.clone() plans current=dto.plan_key.clone() paying trial=dto.trial_available/>
        })}
        <section class="card" aria-labelledby="receipts-title">
            <h2 id="receipts-title">"Receipts"</h2>
            {if dto.receipts.is_empty() {
                view! { <p>"No receipts yet."</p> }.into_any()
            } else {
                view! {
                    <ul class="rows" data-testid="receipts">
                        {dto.receipts.into_iter().map(|r| view! {
                            <li class="row">
                                <span>{day(&r.at)}</span>" "<span>{r.number.clone()}</span>" "
                                <span>{format!("{} {}", r.amount, r.currency)}</span>" "<span>{r.status.clone()}</span>
                                {r.url.map(|url| view! { " " <a href=url rel="external noopener">"View"</a> })}
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
    let cancel = ServerAction::<CancelSubscription>::new();
    let portal = ServerAction::<BillingPortal>::new();
    crate::components::refresh_on_success(cancel.value());
    let portal_slug = slug.clone();
    view! {
        <div class="actions">
            <ActionForm action=cancel attr:class="inline-form">
                <CsrfField/>
                <input type="hidden" name="slug" value=slug.clone()/>
                <input type="hidden" name="cancel" value=if cancelling { "false" } else { "true" }/>
                <button type="submit" data-testid="billing-cancel">{if cancelling { "Resume the subscription" } else { "Cancel at the end of the period" }}</button>
            </ActionForm>
            <ActionForm action=portal attr:class="inline-form">
                <CsrfField/>
                <input type="hidden" name="slug" value=portal_slug/>
                <button type="submit" class="link-button">"Change the card (at the provider)"</button>
            </ActionForm>
            <p class="field-error" role="alert">{move || cancel.value().get().and_then(Result::err).or_else(|| portal.value().get().and_then(Result::err)).map(|e| e.to_string())}</p>
        </div>
    }
}

#[component]
fn PlanChoice(slug: String, plans: Vec<PlanDto>, current: String, paying: bool, trial: bool) -> impl IntoView {
    let start = ServerAction::<StartCheckout>::new();
    let change = ServerAction::<ChangePlan>::new();
    crate::components::refresh_on_success(change.value());
    view! {
        <section class="card" aria-labelledby="plans-title">
            <h2 id="plans-title">{if paying { "Change plan" } else { "Choose a plan" }}</h2>
            {(trial && !paying).then(|| view! { <p>"Your first paid plan starts with a free trial."</p> })}
            <ul class="rows plans" data-testid="plans">
                {plans.into_iter().map(|p| {
                    let here = p.key == current;
                    let limits = p.max_members.map(|m| format!("up to {m} members")).unwrap_or_else(|| "unlimited members".into());
                    let (slug, key) = (slug.clone(), p.key.clone());
                    view! {
                        <li class="row" data-testid=format!("plan-{}", p.key)>
                            <strong>{p.name.clone()}</strong>" "
                            <span>{format!("{} {} per month, or {} {} per year; {limits}", p.monthly, p.currency, p.yearly, p.currency)}</span>
                            {if paying {
                                view! {
                                    <ActionForm action=change attr:class="inline-form">
                                        <CsrfField/>
                                        <input type="hidden" name="slug" value=slug/>
                                        <input type="hidden" name="plan" value=key/>
                                        <label>"Period "<select name="interval"><option value="month">"Monthly"</option><option value="year">"Yearly"</option></select></label>
                                        <button type="submit" disabled=here>{if here { "Current plan" } else { "Switch to this plan" }}</button>
                                    </ActionForm>
                                }.into_any()
                            } else {
                                view! {
                                    <ActionForm action=start attr:class="inline-form">
                                        <CsrfField/>
                                        <input type="hidden" name="slug" value=slug/>
                                        <input type="hidden" name="plan" value=key.clone()/>
                                        <label>"Period "<select name="interval"><option value="month">"Monthly"</option><option value="year">"Yearly"</option></select></label>
                                        <button type="submit" data-testid=format!("choose-{key}") disabled=move || start.pending().get()>"Choose and pay"</button>
                                    </ActionForm>
                                }.into_any()
                            }}
                        </li>
                    }
                }).collect_view()}
            </ul>
            <p class="field-error" role="alert">{move || start.value().get().and_then(Result::err).or_else(|| change.value().get().and_then(Result::err)).map(|e| e.to_string())}</p>
        </section>
    }
}
