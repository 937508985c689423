use super::nav::WorkspaceNav;
use super::{slug, workspace_error};
use crate::api::{audit_log, workspace_home};
use crate::i18n::{t_string, use_i18n};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_location;
use model::Permission;

/// The audit log with filters (a plain GET form, so it works without WebAssembly) and a CSV export of
/// exactly what is shown.
#[component]
pub fn AuditPage() -> impl IntoView {
    let i18n = use_i18n();
    let locale = crate::lang::current();
    let slug = slug();
    let refresh = crate::components::refresh();
    // The raw query string, decoded once here: Leptos's own query map decodes its values a second time,
    // so `%253c` would come out as `<`.
    let search = use_location().search;
    let filter = Memo::new(move |_| search.with(|raw| filters_of(raw)));
    let data = Resource::new_blocking(
        move || (slug.get(), filter.get(), refresh.get()),
        |(slug, (actor, action, from, until), _)| async move {
            Ok::<_, crate::error::AppError>((
                workspace_home(slug.clone()).await?,
                audit_log(slug, actor, action, from, until).await?,
            ))
        },
    );
    view! {
        <Title text=t_string!(i18n, nav.audit)/>
        <Suspense fallback=move || view! { <p class="card">{t_string!(use_i18n(), common.loading)}</p> }>
            {move || Suspend::new(async move {
                let (actor, action, from, until) = filter.get_untracked();
                match data.await {
                    Ok((home, entries)) => {
                        let base = home.workspace.path();
                        let export = home.can(Permission::AuditExport);
                        let slug = home.workspace.slug.clone();
                        let csv = format!(
                            "{base}/admin/audit.csv?actor={}&action={}&from={}&until={}",
                            urlencode(&actor), urlencode(&action), urlencode(&from), urlencode(&until)
                        );
                        view! {
                            <WorkspaceNav home/>
                            <section class="card">
                                <h1>{t_string!(i18n, nav.audit)}</h1>
                                <super::audit_chain::AuditChainStatus slug/>
                                <form method="get" class="form filters" action=format!("{base}/admin/audit")>
                                    <label for="audit-actor">{t_string!(i18n, audit.who)}</label>
                                    <input id="audit-actor" name="actor" type="search" value=actor/>
                                    <label for="audit-action">{t_string!(i18n, audit.what)}</label>
                                    <input id="audit-action" name="action" type="search" value=action/>
                                    <label for="audit-from">{t_string!(i18n, audit.from)}</label>
                                    <input id="audit-from" name="from" type="date" value=from/>
                                    <label for="audit-until">{t_string!(i18n, audit.until)}</label>
                                    <input id="audit-until" name="until" type="date" value=until/>
                                    <button type="submit">{t_string!(i18n, audit.filter)}</button>
                                </form>
                                {export.then(|| view! { <p><a href=csv rel="external" download="audit.csv" data-testid="audit-csv">{t_string!(i18n, audit.export)}</a></p> })}
                                <ul class="rows audit" data-testid="audit">
                                    {entries.into_iter().map(|e| view! {
                                        <li class="row" data-testid="audit-entry">
                                            <span class="hint">{crate::lang::format_timestamp(locale, &e.at)}</span>
                                            <strong>{e.action}</strong>
                                            <span>{e.actor}</span>
                                            <span class="hint">{e.object}</span>
                                            <ul class="changes">{super::audit_chain::readable_changes(&e.changes).into_iter().map(|line| view! { <li>{line}</li> }).collect_view()}</ul>
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

/// The audit filters (actor, action, from, until) in a query string, each percent-decoded exactly once.
fn filters_of(raw: &str) -> (String, String, String, String) {
    let (mut actor, mut action, mut from, mut until) = Default::default();
    for (key, value) in form_urlencoded::parse(raw.trim_start_matches('?').as_bytes()) {
        match key.as_ref() {
            "actor" => actor = value.into_owned(),
            "action" => action = value.into_owned(),
            "from" => from = value.into_owned(),
            "until" => until = value.into_owned(),
            _ => {}
        }
    }
    (actor, action, from, until)
}

fn urlencode(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_are_decoded_once_and_links_encode_them_again() {
        let (actor, action, ..) = filters_of("?actor=%253cscript%253e&action=request.");
        assert_eq!(actor, "%3cscript%3e");
        assert_eq!(action, "request.");
        assert_eq!(urlencode(&actor), "%253cscript%253e");
    }
}
