use super::nav::WorkspaceNav;
use super::{slug, workspace_error};
use crate::api::{MarkNoticesRead, workspace_home};
use crate::components::CsrfField;
use crate::dto::WorkspaceHomeDto;
use crate::i18n::{t_string, use_i18n};
use leptos::prelude::*;
use leptos_meta::Title;
use model::Permission;

/// A workspace's overview: the caller's roles, their unread notices, where to go next.
#[component]
pub fn WorkspacePage() -> impl IntoView {
    let slug = slug();
    let refresh = crate::components::refresh();
    let home = Resource::new_blocking(move || (slug.get(), refresh.get()), |(slug, _)| workspace_home(slug));
    view! {
        <Suspense fallback=move || view! { <p class="card">{t_string!(use_i18n(), common.loading)}</p> }>
            {move || Suspend::new(async move {
                match home.await {
                    Ok(home) => view! { <Overview home/> }.into_any(),
                    Err(error) => workspace_error(error),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Overview(home: WorkspaceHomeDto) -> impl IntoView {
    let i18n = use_i18n();
    let locale = crate::lang::current();
    let read = ServerAction::<MarkNoticesRead>::new();
    crate::components::refresh_on_success(read.value());
    let slug = home.workspace.slug.clone();
    let base = home.workspace.path();
    view! {
        <Title text=home.workspace.name.clone()/>
        <WorkspaceNav home=home.clone()/>
        <section class="card" data-testid="workspace">
            <h1>{home.workspace.name.clone()}</h1>
            <p>{t_string!(i18n, home.your_roles)} " " <strong data-testid="my-roles">{home.roles.iter().map(|r| crate::lang::role_name(locale, r)).collect::<Vec<_>>().join(", ")}</strong></p>
            <p class="hint">{t_string!(i18n, home.own_database)}</p>
            {home.can(Permission::RequestsCreate).then(|| view! {
                <p><a class="button-link" href=format!("{base}/requests/new")>{t_string!(i18n, home.new_request)}</a></p>
                <p class="hint">{crate::lang::fill(t_string!(i18n, home.threshold), &[("amount", &crate::formatting::format_amount(crate::lang::current(), &home.approval_threshold, "")), ("currency", &home.currency.clone())])}</p>
            })}
        </section>
        <section class="card" aria-labelledby="notices-title">
            <h2 id="notices-title">{t_string!(i18n, home.notices)}</h2>
            {if home.notices.is_empty() {
                view! { <p class="hint">{t_string!(i18n, home.nothing_new)}</p> }.into_any()
            } else {
                view! {
                    <ul class="notices" data-testid="notices">
                        {home.notices.iter().map(|n| view! { <li><a href=n.link.clone()>{n.text.clone()}</a></li> }).collect_view()}
                    </ul>
                    <ActionForm action=read attr:class="inline-form">
                        <CsrfField/>
                        <input type="hidden" name="slug" value=slug.clone()/>
                        <button type="submit" class="link-button">{t_string!(i18n, home.mark_read)}</button>
                    </ActionForm>
                }
                .into_any()
            }}
        </section>
    }
}
