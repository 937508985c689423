use crate::api::{CreateWorkspace, my_workspaces};
use crate::components::{CsrfField, field_error, form_error};
use leptos::prelude::*;
use leptos_meta::Title;
use model::{Field, WorkspaceName, WorkspaceSlug};

/// The signed-in user's workspaces, and creating another.
#[component]
pub fn WorkspacesPage() -> impl IntoView {
    let workspaces = Resource::new_blocking(|| (), |_| my_workspaces());
    view! {
        <Title text="Your workspaces"/>
        <h1>"Your workspaces"</h1>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match workspaces.await {
                    Ok(list) if list.is_empty() => view! { <p class="card">"You do not belong to a workspace yet. Create one below, or open an invitation you received by mail."</p> }.into_any(),
                    Ok(list) => view! {
                        <ul class="card workspace-list" data-testid="workspaces">
                            {list.into_iter().map(|w| view! { <li><a href=w.path()>{w.name.clone()}</a></li> }).collect_view()}
                        </ul>
                    }
                    .into_any(),
                    Err(error) => super::workspace_error(error),
                }
            })}
        </Suspense>
        <CreateWorkspaceForm/>
    }
}

/// The address a name would get, as the server will derive it (same code, from `model`).
fn address_preview(name: &str) -> Result<String, String> {
    WorkspaceName::parse(name)
        .map(|name| {
            let slug = WorkspaceSlug::derive_from(&name);
            if slug.is_fallback() { format!("/w/{slug}-…") } else { format!("/w/{slug}") }
        })
        .map_err(|rule| rule.to_string())
}

#[component]
fn CreateWorkspaceForm() -> impl IntoView {
    // After a plain form post (no WebAssembly) that failed, Leptos starts this action with the error.
    let action = ServerAction::<CreateWorkspace>::new();
    let value = action.value();
    let (name, set_name) = signal(String::new());
    let (edited, set_edited) = signal(false);
    // The input is not bound to `name`: what someone typed before the WebAssembly arrived stays, and
    // is read once hydration is done (effects run only in the browser).
    let input = NodeRef::<leptos::html::Input>::new();
    Effect::new(move || {
        if let Some(input) = input.get() {
            set_name.set(input.value());
        }
    });
    let name_error = field_error(value, Field::WorkspaceName);
    let preview = move || {
        let typed = name.get();
        match address_preview(&typed) {
            Ok(address) => format!("Your workspace's address will be {address}"),
            Err(rule) if edited.get() && !typed.is_empty() => rule,
            Err(_) => "Type a name to see your workspace's address.".to_owned(),
        }
    };
    view! {
        <section class="card" aria-labelledby="create-workspace-title">
            <h2 id="create-workspace-title">"Create a workspace"</h2>
            <ActionForm action=action attr:class="form">
                <CsrfField/>
                <label for="workspace-name">{WorkspaceName::FIELD.label()}</label>
                <input
                    id="workspace-name"
                    name="name"
                    type="text"
                    autocomplete="organization"
                    required
                    minlength=WorkspaceName::MIN_CHARS
                    maxlength=WorkspaceName::MAX_CHARS
                    aria-describedby="workspace-name-preview workspace-name-error"
                    aria-invalid=move || name_error.get().is_some().to_string()
                    node_ref=input
                    on:input=move |ev| {
                        set_edited.set(true);
                        set_name.set(event_target_value(&ev));
                    }
                />
                <p class="hint" id="workspace-name-preview" data-testid="address-preview" aria-live="polite">{preview}</p>
                <crate::components::FieldError id="workspace-name-error" message=name_error/>
                <p class="field-error" role="alert">{move || form_error(value, &[Field::WorkspaceName]).get()}</p>
                <button type="submit" disabled=move || action.pending().get()>
                    {move || if action.pending().get() { "Creating…" } else { "Create workspace" }}
                </button>
            </ActionForm>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::address_preview;

    #[test]
    fn the_preview_shows_the_derived_address_or_the_rule() {
        assert_eq!(address_preview("Acme Corp").unwrap(), "/w/acme-corp");
        assert!(address_preview("A").unwrap_err().contains("at least 2"));
    }
}
