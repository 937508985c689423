use super::nav::WorkspaceNav;
use super::{next_page_link, workspace_data_page};
use crate::api::{AddSupplier, suppliers};
use crate::components::{CsrfField, InputField, field_error, form_error, refresh_on_success};
use crate::dto::{ListPageDto, SupplierDto};
use crate::i18n::{t_string, use_i18n};
use leptos::prelude::*;
use leptos_meta::Title;
use model::{Field, Permission};

#[component]
pub fn SuppliersPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=t_string!(i18n, suppliers.title)/>
        {workspace_data_page(|k| suppliers(k.slug, k.after, None), |page| view! { <Suppliers page/> }.into_any())}
    }
}

#[component]
fn Suppliers(page: ListPageDto<SupplierDto>) -> impl IntoView {
    let i18n = use_i18n();
    let ListPageDto { home, items: list, next } = page;
    let base = home.workspace.path();
    let can_add = home.can(Permission::SuppliersManage);
    let slug = home.workspace.slug.clone();
    view! {
        <WorkspaceNav home/>
        <section class="card">
            <h1>{t_string!(i18n, suppliers.title)}</h1>
            <ul class="rows" data-testid="suppliers">
                {list.into_iter().map(|s| view! { <li class="row"><strong>{s.name}</strong><span class="hint">{s.email}</span></li> }).collect_view()}
            </ul>
            {next_page_link(format!("{base}/suppliers"), next)}
        </section>
        {can_add.then(|| view! { <AddSupplierForm slug=slug.clone()/> })}
    }
}

#[component]
fn AddSupplierForm(slug: String) -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<AddSupplier>::new();
    let value = action.value();
    refresh_on_success(value);
    view! {
        <section class="card" aria-labelledby="add-supplier-title">
            <h2 id="add-supplier-title">{t_string!(i18n, suppliers.add_heading)}</h2>
            <ActionForm action=action attr:class="form">
                <CsrfField/>
                <input type="hidden" name="slug" value=slug/>
                <InputField id="supplier-name" name="name" label=t_string!(i18n, fields.supplier_name) error=field_error(value, Field::SupplierName)/>
                <InputField id="supplier-email" name="email" label=t_string!(i18n, suppliers.email_optional) kind="email" required=false error=field_error(value, Field::Email)/>
                <p class="field-error" role="alert">{move || form_error(value, &[Field::SupplierName, Field::Email]).get()}</p>
                <button type="submit">{t_string!(i18n, suppliers.add)}</button>
            </ActionForm>
        </section>
    }
}
