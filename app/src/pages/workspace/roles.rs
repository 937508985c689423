use super::nav::WorkspaceNav;
use super::workspace_page;
use crate::api::{CreateRole, DeleteRole, UpdateRole, roles_page};
use crate::components::{CsrfField, InputField, field_error, form_error, refresh_on_success};
use crate::dto::{RoleDto, WorkspaceHomeDto};
use crate::i18n::{t_string, use_i18n};
use leptos::prelude::*;
use leptos_meta::Title;
use model::{Field, Permission, PermissionKind};

#[component]
pub fn RolesPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=t_string!(i18n, roles.title)/>
        {workspace_page(roles_page, |home, roles| view! { <Roles home roles/> }.into_any())}
    }
}

#[component]
fn Roles(home: WorkspaceHomeDto, roles: Vec<RoleDto>) -> impl IntoView {
    let i18n = use_i18n();
    let slug = home.workspace.slug.clone();
    view! {
        <WorkspaceNav home/>
        <section class="card">
            <h1>{t_string!(i18n, roles.title)}</h1>
            <p class="hint">{t_string!(i18n, roles.intro)}</p>
        </section>
        {roles.into_iter().map(|role| view! { <RoleCard role slug=slug.clone()/> }).collect_view()}
        <RoleEditor slug=slug.clone() role=None/>
    }
}

#[component]
fn RoleCard(role: RoleDto, slug: String) -> impl IntoView {
    let i18n = use_i18n();
    let locale = crate::lang::current();
    let delete = ServerAction::<DeleteRole>::new();
    refresh_on_success(delete.value());
    let labels: Vec<&'static str> = role
        .permissions
        .iter()
        .filter_map(|k| Permission::from_key(k))
        .map(|p| crate::lang::permission_label(locale, p))
        .collect();
    view! {
        <section class="card role" data-testid="role">
            <h2>{crate::lang::role_name(locale, &role.name)} {role.builtin.then_some(t_string!(i18n, roles.built_in))}</h2>
            <p class="hint">{crate::lang::fill(t_string!(i18n, roles.holders), &[("count", &role.holders)])}</p>
            <ul>{labels.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}</ul>
            {(!role.builtin).then(|| view! {
                <details>
                    <summary>{t_string!(i18n, roles.edit)}</summary>
                    <RoleEditor slug=slug.clone() role=Some(role.clone())/>
                </details>
                <ActionForm action=delete attr:class="inline-form">
                    <CsrfField/>
                    <input type="hidden" name="slug" value=slug.clone()/>
                    <input type="hidden" name="id" value=role.id.clone()/>
                    <button type="submit" class="link-button">{t_string!(i18n, roles.delete)}</button>
                </ActionForm>
            })}
        </section>
    }
}

/// Creates a role (`role` = `None`) or edits a custom one.
#[component]
fn RoleEditor(slug: String, role: Option<RoleDto>) -> impl IntoView {
    let i18n = use_i18n();
    let locale = crate::lang::current();
    let create = ServerAction::<CreateRole>::new();
    let update = ServerAction::<UpdateRole>::new();
    refresh_on_success(create.value());
    refresh_on_success(update.value());
    let held = role.as_ref().map(|r| r.permissions.clone()).unwrap_or_default();
    let id = role.as_ref().map(|r| r.id.clone());
    let name = role.as_ref().map(|r| r.name.clone()).unwrap_or_default();
    let prefix = id.clone().unwrap_or_else(|| "new".to_owned());
    let fields = move || {
        let held = held.clone();
        let prefix = prefix.clone();
        view! {
            <fieldset class="permissions">
                <legend>{t_string!(i18n, roles.permissions)}</legend>
                {Permission::ALL.iter().map(|p| {
                    let input_id = format!("perm-{prefix}-{}", p.key().replace('.', "-"));
                    let kind = if p.kind() == PermissionKind::Data { t_string!(i18n, roles.data) } else { "" };
                    let checked = held.iter().any(|k| k == p.key());
                    let label_for = input_id.clone();
                    view! {
                        <label class="checkbox" for=label_for>
                            <input type="checkbox" id=input_id name="permissions[]" value=p.key() checked=checked/>
                            {format!("{}{kind}", crate::lang::permission_label(locale, *p))}
                        </label>
                    }
                }).collect_view()}
            </fieldset>
        }
    };
    match id {
        None => view! {
            <section class="card" aria-labelledby="new-role-title">
                <h2 id="new-role-title">{t_string!(i18n, roles.new)}</h2>
                <ActionForm action=create attr:class="form">
                    <CsrfField/>
                    <input type="hidden" name="slug" value=slug/>
                    <InputField id="role-name-new" name="name" label=t_string!(i18n, fields.role_name) error=field_error(create.value(), Field::RoleName)/>
                    {fields()}
                    <p class="field-error" role="alert">{move || form_error(create.value(), &[Field::RoleName]).get()}</p>
                    <button type="submit">{t_string!(i18n, roles.create)}</button>
                </ActionForm>
            </section>
        }
        .into_any(),
        Some(id) => view! {
            <ActionForm action=update attr:class="form">
                <CsrfField/>
                <input type="hidden" name="slug" value=slug/>
                <input type="hidden" name="id" value=id.clone()/>
                <InputField id="role-name-edit" name="name" label=t_string!(i18n, fields.role_name) value=name error=field_error(update.value(), Field::RoleName)/>
                {fields()}
                <p class="field-error" role="alert">{move || form_error(update.value(), &[Field::RoleName]).get()}</p>
                <button type="submit">{t_string!(i18n, roles.save)}</button>
            </ActionForm>
        }
        .into_any(),
    }
}
