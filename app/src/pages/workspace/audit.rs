use super::nav::WorkspaceNav;
use super::{slug, workspace_error};
use crate::api::{audit_log, workspace_home};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use model::Permission;

/// The audit log with filters (a plain GET form, so it works without WebAssembly) and a CSV export of
/// exactly what is shown.
#[component]
pub fn AuditPage() -> impl IntoView {
    let slug = slug();
    let refresh = crate::components::refresh();
    let query = use_query_map();
    let filter = Memo::new(move |_| {
        query.with(|q| {
            let get = |k: &str| q.get(k).unwrap_or_default();
            (get("actor"), get("action"), get("from"), get("until"))
        })
    });
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
        <Title text="Audit log"/>
        <Suspense fallback=|| view! { <p class="card">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let (actor, action, from, until) = filter.get_untracked();
                match data.await {
                    Ok((home, entries)) => {
                        let base = home.workspace.path();
                        let export = home.can(Permission::AuditExport);
                        let csv = format!(
                            "{base}/admin/audit.csv?actor={}&action={}&from={}&until={}",
                            urlencode(&actor), urlencode(&action), urlencode(&from), urlencode(&until)
                        );
                        view! {
                            <WorkspaceNav home/>
                            <section class="card">
                                <h1>"Audit log"</h1>
                                <form method="get" class="form filters" action=format!("{base}/admin/audit")>
                                    <label for="audit-actor">"Who (part of the address)"</label>
                                    <input id="audit-actor" name="actor" type="search" value=actor/>
                                    <label for="audit-action">"What (e.g. request. or member.)"</label>
                                    <input id="audit-action" name="action" type="search" value=action/>
                                    <label for="audit-from">"From"</label>
                                    <input id="audit-from" name="from" type="date" value=from/>
                                    <label for="audit-until">"Until"</label>
                                    <input id="audit-until" name="until" type="date" value=until/>
                                    <button type="submit">"Filter"</button>
                                </form>
                                {export.then(|| view! { <p><a href=csv rel="external" download="audit.csv" data-testid="audit-csv">"Export as CSV"</a></p> })}
                                <ul class="rows audit" data-testid="audit">
                                    {entries.into_iter().map(|e| view! {
                                        <li class="row" data-testid="audit-entry">
                                            <span class="hint">{e.at.replace('T', " ").replace('Z', " UTC")}</span>
                                            <strong>{e.action}</strong>
                                            <span>{e.actor}</span>
                                            <span class="hint">{e.object}</span>
                                            <code class="changes">{e.changes}</code>
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

fn urlencode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => char::from(b).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}
