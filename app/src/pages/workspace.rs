//! A workspace's page (`/w/<slug>`), shown right after it is created.

use crate::api::get_workspace;
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn WorkspacePage() -> impl IntoView {
    let params = use_params_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let workspace = Resource::new_blocking(slug, get_workspace);

    view! {
        <Suspense fallback=|| view! { <p class="card">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match workspace.await {
                    Ok(workspace) => view! {
                        <Title text=workspace.name.clone()/>
                        <section class="card" data-testid="workspace">
                            <h1>{workspace.name.clone()}</h1>
                            <p>"Your workspace is ready. Its data lives in a database of its own."</p>
                            <dl class="facts">
                                <dt>"Address"</dt>
                                <dd><code>{workspace.path()}</code></dd>
                                <dt>"Created"</dt>
                                <dd><time datetime=workspace.created_at.clone()>{workspace.created_at.clone()}</time></dd>
                            </dl>
                        </section>
                    }
                    .into_any(),
                    Err(AppError::NotFound) => view! { <crate::pages::NotFound/> }.into_any(),
                    Err(error) => view! {
                        <Title text="Error"/>
                        <section class="card" role="alert"><h1>"Something went wrong"</h1><p>{error.to_string()}</p></section>
                    }
                    .into_any(),
                }
            })}
        </Suspense>
    }
}
