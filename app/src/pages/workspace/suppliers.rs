use super::nav::WorkspaceNav;
use super::{slug, workspace_error};
use crate::api::{AddSupplier, suppliers, workspace_home};
use crate::components::{CsrfField, InputField, field_error, form_error, refresh_on_success};
use leptos::prelude::*;
use leptos_meta::Title;
use model::{Field, Permission};

#[component]
pub fn SuppliersPage() -> impl IntoView {
    let slug = slug();
    let refresh = crate::components::refresh();
    let data = Resource::new_blocking(
        move || (slug.get(), refresh.get()),
        |(slug, _)| async move {
            Ok::<_, crate::error::AppError>((workspace_home(slug.clone()).await?, suppliers(slug).await?))
        },
    );
    view! {
        <Title text="Suppliers"/>
        <Suspense fallback=|| view! { <p class="card">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok((home, list)) => {
                        let can_add = home.can(Permission::SuppliersManage);
                        let slug = home.workspace.slug.clone();
                        view! {
                            <WorkspaceNav home/>
                            <section class="card">
                                <h1>"Suppliers"</h1>
                                <ul class="rows" data-testid="suppliers">
                                    {list.into_iter().map(|s| view! {
                                        <li class="row"><strong>{s.name}</strong><span class="hint">{s.email}</span></li>
                                    }).collect_view()}
                                </ul>
                            </section>
                            {can_add.then(|| view! { <AddSupplierForm slug=slug.clone()/> })}
                        }
                        .into_any()
                    }
                    Err(error) => workspace_error(error),
                }
            })}
        </Suspense>
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
