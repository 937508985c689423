//! The workspace's data: its encryption key (version, how far re-encryption after a rotation is, and the
//! rotate button for `keys.manage`) and, for owners, deleting the workspace (its keys are destroyed first,
//! so nothing of it can be decrypted afterwards).

use super::nav::WorkspaceNav;
use super::workspace_page;
use crate::api::{DeleteWorkspace, RotateKey, key_status};
use crate::components::{CsrfField, InputField, field_error, form_error, refresh_on_success};
use crate::dto::{KeyStatusDto, WorkspaceHomeDto};
use crate::i18n::td_string;
use crate::lang::fill;
use leptos::prelude::*;
use leptos_meta::Title;
use model::Field;

#[component]
pub fn DataKeysPage() -> impl IntoView {
    let locale = crate::lang::current();
    view! {
        <Title text=td_string!(locale, data_keys.title)/>
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
    let locale = crate::lang::current();
    let on_current =
        fill(td_string!(locale, data_keys.of), &[("done", &status.rows_on_current), ("all", &status.rows)]);
    view! {
        <WorkspaceNav home/>
        <section class="card" aria-labelledby="key-title">
            <h1 id="key-title">{td_string!(locale, data_keys.key_heading)}</h1>
            <p>{td_string!(locale, data_keys.key_text)}</p>
            <dl class="facts" data-testid="key-status">
                <dt>{td_string!(locale, data_keys.version)}</dt>
                <dd>{status.current_version}</dd>
                <dt>{td_string!(locale, data_keys.records)}</dt>
                <dd>{on_current}</dd>
            </dl>
            {(!done).then(|| view! { <p class="hint" role="status">{td_string!(locale, data_keys.reencrypting)}</p> })}
            <ActionForm action=rotate attr:class="form">
                <CsrfField/>
                <input type="hidden" name="slug" value=slug.clone()/>
                <button type="submit" disabled=move || rotate.pending().get()>{td_string!(locale, data_keys.rotate)}</button>
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
    let locale = crate::lang::current();
    let confirm = fill(td_string!(locale, data_keys.delete_confirm), &[("slug", &slug)]);
    view! {
        <section class="card danger" aria-labelledby="delete-title">
            <h2 id="delete-title">{td_string!(locale, data_keys.delete_heading)}</h2>
            <p>{td_string!(locale, data_keys.delete_text)}</p>
            <ActionForm action=action attr:class="form">
                <CsrfField/>
                <input type="hidden" name="slug" value=slug.clone()/>
                <InputField id="delete-confirm" name="confirm" label=confirm error=field_error(value, Field::WorkspaceSlug)/>
                <p class="field-error" role="alert">{move || form_error(value, &[Field::WorkspaceSlug]).get()}</p>
                <button type="submit" class="danger">{td_string!(locale, data_keys.delete)}</button>
            </ActionForm>
        </section>
    }
}
