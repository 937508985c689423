use super::nav::WorkspaceNav;
use super::{next_page_link, workspace_data_page};
use crate::api::orders;
use crate::dto::{ListPageDto, OrderDto};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn OrdersPage() -> impl IntoView {
    view! {
        <Title text="Purchase orders"/>
        {workspace_data_page(|k| orders(k.slug, k.after, None), |page| view! { <Orders page/> }.into_any())}
    }
}

#[component]
fn Orders(page: ListPageDto<OrderDto>) -> impl IntoView {
    let ListPageDto { home, items: list, next } = page;
    let base = home.workspace.path();
    view! {
        <WorkspaceNav home=home.clone()/>
        <section class="card">
            <h1>"Purchase orders"</h1>
            {list.is_empty().then(|| view! { <p class="hint">"No orders yet."</p> })}
            <ul class="rows" data-testid="orders">
                {list.into_iter().map(|o| view! {
                    <li class="row">
                        <strong>{format!("Order #{}", o.number)}</strong>
                        <span class="hint">{format!("{} · {} {} · ", o.supplier, o.total, o.currency)}</span>
                        <a href=format!("{base}/requests/{}", o.request_id)>{format!("request #{}", o.request_number)}</a>
                    </li>
                }).collect_view()}
            </ul>
            {next_page_link(format!("{base}/orders"), next)}
        </section>
    }
}
