use crate::api::{CreateWorkspace, my_workspaces};
use crate::components::{CsrfField, field_error, form_error};
use crate::i18n::{t_string, use_i18n};
use leptos::prelude::*;
use leptos_meta::Title;
use model::{Field, WorkspaceName, WorkspaceSlug};

/// The signed-in user's workspaces, and creating another.
#[component]
pub fn WorkspacesPage() -> impl IntoView {
    let i18n = use_i18n();
    let workspaces = Resource::new_blocking(|| (), |_| my_workspaces());
    view! {
        <Title text=t_string!(i18n, workspaces.title)/>
        <h1>{t_string!(i18n, workspaces.title)}</h1>
        <Suspense fallback=move || view! { <p>{t_string!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match workspaces.await {
                    Ok(list) if list.is_empty() => view! { <p class="card">{t_string!(i18n, workspaces.none)}</p> }.into_any(),
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
fn address_preview(locale: crate::lang::Locale, name: &str) -> Result<String, String> {
    WorkspaceName::parse(name)
        .map(|name| {
            let slug = WorkspaceSlug::derive_from(&name);
            if slug.is_fallback() { format!("/w/{slug}-…") } else { format!("/w/{slug}") }
        })
        .map_err(|rule| crate::lang::validation_text(locale, &rule))
}

#[component]
fn CreateWorkspaceForm() -> impl IntoView {
    let i18n = use_i18n();
    let locale = crate::lang::current();
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
        match address_preview(locale, &typed) {
            Ok(address) => crate::lang::fill(t_string!(i18n, workspaces.address_will_be), &[("address", &address)]),
            Err(rule) if edited.get() && !typed.is_empty() => rule,
            Err(_) => t_string!(i18n, workspaces.type_a_name).to_owned(),
        }
    };
    view! {
        <section class="card" aria-labelledby="create-workspace-title">
            <h2 id="create-workspace-title">{t_string!(i18n, workspaces.create_heading)}</h2>
            <ActionForm action=action attr:class="form">
                <CsrfField/>
                <label for="workspace-name">{crate::lang::field_label(locale, WorkspaceName::FIELD)}</label>
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
                    {move || if action.pending().get() { t_string!(i18n, workspaces.creating) } else { t_string!(i18n, workspaces.create) }}
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
        assert_eq!(address_preview(crate::lang::Locale::en, "Acme Corp").unwrap(), "/w/acme-corp");
        assert!(address_preview(crate::lang::Locale::en, "A").unwrap_err().contains("at least 2"));
        assert!(address_preview(crate::lang::Locale::de, "A").unwrap_err().contains("mindestens 2"));
    }
}
