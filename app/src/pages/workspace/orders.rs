use super::nav::WorkspaceNav;
use super::{next_page_link, workspace_data_page};
use crate::api::orders;
use crate::dto::{ListPageDto, OrderDto};
use crate::i18n::{t_string, use_i18n};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn OrdersPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=t_string!(i18n, orders.title)/>
        {workspace_data_page(|k| orders(k.slug, k.after, None), |page| view! { <Orders page/> }.into_any())}
    }
}

#[component]
fn Orders(page: ListPageDto<OrderDto>) -> impl IntoView {
    let i18n = use_i18n();
    let ListPageDto { home, items: list, next } = page;
    let base = home.workspace.path();
    view! {
        <WorkspaceNav home=home.clone()/>
        <section class="card">
            <h1>{t_string!(i18n, orders.title)}</h1>
            {list.is_empty().then(|| view! { <p class="hint">{t_string!(i18n, orders.none)}</p> })}
            <ul class="rows" data-testid="orders">
                {list.into_iter().map(|o| view! {
                    <li class="row">
                        <strong>{crate::lang::fill(t_string!(i18n, orders.order), &[("number", &o.number)])}</strong>
                        <span class="hint">{format!("{} · {} · ", o.supplier, crate::formatting::format_amount(crate::lang::current(), &o.total, &o.currency))}</span>
                        <a href=format!("{base}/requests/{}", o.request_id)>{crate::lang::fill(t_string!(i18n, orders.request), &[("number", &o.request_number)])}</a>
                    </li>
                }).collect_view()}
            </ul>
            {next_page_link(format!("{base}/orders"), next)}
        </section>
    }
}
