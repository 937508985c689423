//! The landing page and its "create workspace" form.

use crate::api::CreateWorkspace;
use crate::components::FieldError;
use leptos::prelude::*;
use leptos_meta::Title;
use model::{WorkspaceName, WorkspaceSlug};

#[component]
pub fn Landing() -> impl IntoView {
    view! {
        <Title text=""/>
        <section class="hero">
            <h1>"Business data, kept like it matters."</h1>
            <p class="lede">
                "Orders, purchasing with team approvals, and billing, for companies that need every "
                "promise on a security page to be true. Each workspace gets a database of its own."
            </p>
        </section>
        <CreateWorkspaceForm/>
    }
}

/// The address a name would get, as the server will derive it (same code, from `model`).
fn address_preview(name: &str) -> Result<String, String> {
    WorkspaceName::parse(name)
        .map(|name| format!("/w/{}", WorkspaceSlug::derive_from(&name)))
        .map_err(|rule| rule.to_string())
}

#[component]
fn CreateWorkspaceForm() -> impl IntoView {
    // After a plain form post (no WebAssembly) that failed, Leptos starts this action with the error.
    let action = ServerAction::<CreateWorkspace>::new();
    let (name, set_name) = signal(String::new());
    let (edited, set_edited) = signal(false);

    let failure = Signal::derive(move || action.value().get().and_then(Result::err));
    let name_error = Signal::derive(move || {
        failure.get().filter(|e| e.field() == Some(WorkspaceName::FIELD)).map(|e| e.to_string())
    });
    let form_error = Signal::derive(move || {
        failure.get().filter(|e| e.field() != Some(WorkspaceName::FIELD)).map(|e| e.to_string())
    });
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
                <crate::components::CsrfField/>
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
                    prop:value=name
                    on:input=move |ev| {
                        set_edited.set(true);
                        set_name.set(event_target_value(&ev));
                    }
                />
                <p class="hint" id="workspace-name-preview" data-testid="address-preview" aria-live="polite">
                    {preview}
                </p>
                <FieldError id="workspace-name-error" message=name_error/>
                <FieldError id="create-workspace-error" message=form_error/>
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
