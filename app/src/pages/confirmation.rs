//! The end customer's order confirmation page (DATA5), opened by a signed link without an account: that
//! one order (number, status, lines, total), the customer's name and masked contact data. A link that
//! is unknown, forged, expired or revoked shows one and the same message, with status 404.

use crate::api::order_confirmation;
use crate::components::InvalidLink;
use crate::dto::PublicOrderDto;
use crate::i18n::{t_string, use_i18n};
use crate::lang::{self, Locale};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// A sales order's status, in words.
pub fn sales_status_label(locale: Locale, status: &str) -> &'static str {
    use crate::i18n::td_string;
    match status {
        "draft" => td_string!(locale, confirmation.status_draft),
        "confirmed" => td_string!(locale, confirmation.status_confirmed),
        "shipped" => td_string!(locale, confirmation.status_shipped),
        "completed" => td_string!(locale, confirmation.status_completed),
        _ => td_string!(locale, confirmation.status_cancelled),
    }
}

#[component]
pub fn ConfirmationPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let token = Memo::new(move |_| params.read().get("token").unwrap_or_default());
    let data = Resource::new_blocking(move || token.get(), order_confirmation);
    view! {
        <Title text=t_string!(i18n, confirmation.title)/>
        <Suspense fallback=move || view! { <p class="card">{t_string!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(order) => view! { <Confirmation order/> }.into_any(),
                    Err(_) => view! {
                        <InvalidLink testid="confirmation-invalid" title=t_string!(i18n, confirmation.title)
                            text=t_string!(i18n, confirmation.invalid)/>
                    }
                    .into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Confirmation(order: PublicOrderDto) -> impl IntoView {
    let i18n = use_i18n();
    let locale = lang::current();
    let heading = lang::fill(
        t_string!(i18n, confirmation.heading),
        &[("number", &order.number), ("workspace", &order.workspace)],
    );
    let valid_until = lang::fill(
        t_string!(i18n, confirmation.valid_until),
        &[("at", &lang::format_timestamp(locale, &order.expires_at))],
    );
    view! {
        <section class="card" data-testid="confirmation">
            <h1>{heading}</h1>
            <dl class="facts">
                <dt>{t_string!(i18n, confirmation.status)}</dt>
                <dd data-testid="confirmation-status">{sales_status_label(locale, &order.status)}</dd>
                <dt>{t_string!(i18n, confirmation.customer)}</dt>
                <dd data-testid="confirmation-customer">{order.customer.clone()}</dd>
                <dt>{t_string!(i18n, confirmation.email)}</dt>
                <dd class="masked" data-testid="confirmation-email">{order.email.clone()}</dd>
                <dt>{t_string!(i18n, confirmation.phone)}</dt>
                <dd class="masked" data-testid="confirmation-phone">{order.phone.clone()}</dd>
                <dt>{t_string!(i18n, confirmation.ordered_at)}</dt>
                <dd>{lang::format_timestamp(locale, &order.created_at)}</dd>
                <dt>{t_string!(i18n, confirmation.total)}</dt>
                <dd data-testid="confirmation-total">{crate::formatting::format_amount(locale, &order.total, &order.currency)}</dd>
            </dl>
            <crate::components::LinesTable lines=order.lines/>
            <p class="hint">{valid_until}</p>
        </section>
    }
}
