use super::nav::WorkspaceNav;
use super::{slug, workspace_error};
use crate::api::{orders, workspace_home};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn OrdersPage() -> impl IntoView {
    let slug = slug();
    let refresh = crate::components::refresh();
    let data = Resource::new_blocking(
        move || (slug.get(), refresh.get()),
        |(slug, _)| async move {
            Ok::<_, crate::error::AppError>((workspace_home(slug.clone()).await?, orders(slug).await?))
        },
    );
    view! {
        <Title text="Purchase orders"/>
        <Suspense fallback=|| view! { <p class="card">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok((home, list)) => {
                        let base = home.workspace.path();
                        view! {
                            <WorkspaceNav home/>
                            <section class="card">
                                <h1>"Purchase orders"</h1>
                                {if list.is_empty() { Some(view! { <p class="hint">"No orders yet."</p> }) } else { None }}
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
                        .into_any()
                    }
                    Err(error) => workspace_error(error),
                }
            })}
        </Suspense>
    }
}
