use super::nav::WorkspaceNav;
use super::workspace_page;
use crate::api::orders;
use crate::dto::{OrderDto, WorkspaceHomeDto};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn OrdersPage() -> impl IntoView {
    view! {
        <Title text="Purchase orders"/>
        {workspace_page(orders, |home, list| view! { <Orders home list/> }.into_any())}
    }
}

#[component]
fn Orders(home: WorkspaceHomeDto, list: Vec<OrderDto>) -> impl IntoView {
    let base = home.workspace.path();
    view! {
        <WorkspaceNav home/>
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
        </section>
    }
}
