//! The workspace's data: its encryption key (version, how far re-encryption after a rotation is, and the
//! rotate button for `keys.manage`) and, for owners, deleting the workspace (its keys are destroyed first,
//! so nothing of it can be decrypted afterwards).

use super::nav::WorkspaceNav;
use super::workspace_page;
use crate::api::{DeleteWorkspace, RotateKey, key_status};
use crate::components::{CsrfField, InputField, field_error, form_error, refresh_on_success};
use crate::dto::{KeyStatusDto, WorkspaceHomeDto};
use leptos::prelude::*;
use leptos_meta::Title;
use model::Field;

#[component]
pub fn DataKeysPage() -> impl IntoView {
    view! {
        <Title text="Data and encryption"/>
        {workspace_page(key_status, |home, status| view! { <DataKeys home status/> }.into_any())}
    }
}

#[component]
fn DataKeys(home: WorkspaceHomeDto, status: KeyStatusDto) -> impl IntoView {
    let slug = home.workspace.slug.clone();
    let owner_slug = slug.clone();
    let is_owner = home.roles.iter().any(|r| r == model::BuiltinRole::Owner.name());
    let rotate = ServerAction::<RotateKey>::new();
    refresh_on_success(rotate.value());
    let done = status.rows == status.rows_on_current;
    view! {
        <WorkspaceNav home/>
        <section class="card" aria-labelledby="key-title">
            <h1 id="key-title">"Encryption key"</h1>
            <p>"Contact data and notes are encrypted with this workspace's own key, kept apart from its database."</p>
            <dl class="facts" data-testid="key-status">
                <dt>"Key version in use"</dt>
                <dd>{status.current_version}</dd>
                <dt>"Records on this version"</dt>
                <dd>{format!("{} of {}", status.rows_on_current, status.rows)}</dd>
            </dl>
            {(!done).then(|| view! { <p class="hint" role="status">"Older records are being re-encrypted in the background; everything stays readable meanwhile."</p> })}
            <ActionForm action=rotate attr:class="form">
                <CsrfField/>
                <input type="hidden" name="slug" value=slug.clone()/>
                <button type="submit" disabled=move || rotate.pending().get()>"Rotate the key"</button>
            </ActionForm>
            <p class="field-error" role="alert">{move || form_error(rotate.value(), &[]).get()}</p>
        </section>
        {is_owner.then(move || view! { <DeleteWorkspaceForm slug=owner_slug/> })}
    }
}

#[component]
fn DeleteWorkspaceForm(slug: String) -> impl IntoView {
    let action = ServerAction::<DeleteWorkspace>::new();
    let value = action.value();
    view! {
        <section class="card danger" aria-labelledby="delete-title">
            <h2 id="delete-title">"Delete this workspace"</h2>
            <p>"Its keys are destroyed first: afterwards nobody, not even we, can read any of its data or any copy of it. This cannot be undone."</p>
            <ActionForm action=action attr:class="form">
                <CsrfField/>
                <input type="hidden" name="slug" value=slug.clone()/>
                <InputField id="delete-confirm" name="confirm" label=format!("Type the workspace address “{slug}” to confirm") error=field_error(value, Field::WorkspaceSlug)/>
                <p class="field-error" role="alert">{move || form_error(value, &[Field::WorkspaceSlug]).get()}</p>
                <button type="submit" class="danger">"Delete workspace for good"</button>
            </ActionForm>
        </section>
    }
}
