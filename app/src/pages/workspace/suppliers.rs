use super::nav::WorkspaceNav;
use super::{next_page_link, workspace_data_page};
use crate::api::{AddSupplier, suppliers};
use crate::components::{CsrfField, InputField, field_error, form_error, refresh_on_success};
use crate::dto::{ListPageDto, SupplierDto};
use leptos::prelude::*;
use leptos_meta::Title;
use model::{Field, Permission};

#[component]
pub fn SuppliersPage() -> impl IntoView {
    view! {
        <Title text="Suppliers"/>
        {workspace_data_page(|k| suppliers(k.slug, k.after, None), |page| view! { <Suppliers page/> }.into_any())}
    }
}

#[component]
fn Suppliers(page: ListPageDto<SupplierDto>) -> impl IntoView {
    let ListPageDto { home, items: list, next } = page;
    let base = home.workspace.path();
    let can_add = home.can(Permission::SuppliersManage);
    let slug = home.workspace.slug.clone();
    view! {
        <WorkspaceNav home/>
        <section class="card">
            <h1>"Suppliers"</h1>
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
    let action = ServerAction::<AddSupplier>::new();
    let value = action.value();
    refresh_on_success(value);
    view! {
        <section class="card" aria-labelledby="add-supplier-title">
            <h2 id="add-supplier-title">"Add a supplier"</h2>
            <ActionForm action=action attr:class="form">
                <CsrfField/>
                <input type="hidden" name="slug" value=slug/>
                <InputField id="supplier-name" name="name" label="Supplier name" error=field_error(value, Field::SupplierName)/>
                <InputField id="supplier-email" name="email" label="Email (optional)" kind="email" required=false error=field_error(value, Field::Email)/>
                <p class="field-error" role="alert">{move || form_error(value, &[Field::SupplierName, Field::Email]).get()}</p>
                <button type="submit">"Add supplier"</button>
            </ActionForm>
        </section>
    }
}
