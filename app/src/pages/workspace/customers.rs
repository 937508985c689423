//! Customers: the list (search by part of the name or a whole email address; contact data masked), the
//! form for a new one, and a customer's page with its masked contact data, the reveal form for holders of
//! `contact.reveal` (one field, with a reason; the answer shows that one value) and the edit form.

use super::nav::WorkspaceNav;
use super::{next_page_link, workspace_data_page, workspace_error};
use crate::api::{AddCustomer, RevealContact, UpdateCustomer, customer, customers};
use crate::components::{CsrfField, InputField, field_error, form_error, refresh_on_success};
use crate::dto::{CustomerDto, CustomerPageDto, ListPageDto};
use crate::i18n::td_string;
use crate::lang::{error_text, fill};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_location, use_params_map};
use model::{Field, Permission};

const CONTACT_FIELDS: &[Field] = &[Field::CustomerName, Field::Email, Field::Phone, Field::PostalAddress, Field::Notes];

#[component]
pub fn CustomersPage() -> impl IntoView {
    let params = use_params_map();
    let search = use_location().search;
    let key = Memo::new(move |_| {
        let q = search.with(|raw| query_value(raw, "q"));
        let after = search.with(|raw| query_value(raw, "after"));
        (params.read().get("slug").unwrap_or_default(), q, after)
    });
    let refresh = crate::components::refresh();
    let data = Resource::new_blocking(
        move || (key.get(), refresh.get()),
        |((slug, q, after), _)| customers(slug, Some(q), Some(after).filter(|a| !a.is_empty()), None),
    );
    let locale = crate::lang::current();
    view! {
        <Title text=td_string!(locale, customers.title)/>
        <Suspense fallback=move || view! { <p class="card">{td_string!(locale, workspace.loading)}</p> }>
            {move || Suspend::new(async move {
                let q = key.get_untracked().1;
                match data.await {
                    Ok(page) => view! { <Customers page q/> }.into_any(),
                    Err(error) => workspace_error(error),
                }
            })}
        </Suspense>
    }
}

/// One parameter of a query string, percent-decoded exactly once.
pub(super) fn query_value(raw: &str, name: &str) -> String {
    form_urlencoded::parse(raw.trim_start_matches('?').as_bytes())
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
        .unwrap_or_default()
}

#[component]
fn Customers(page: ListPageDto<CustomerDto>, q: String) -> impl IntoView {
    let ListPageDto { home, items, next } = page;
    let base = home.workspace.path();
    let can_add = home.can(Permission::CustomersManage);
    let slug = home.workspace.slug.clone();
    let locale = crate::lang::current();
    view! {
        <WorkspaceNav home/>
        <section class="card">
            <h1>{td_string!(locale, customers.title)}</h1>
            <form method="get" class="form filters" action=format!("{base}/customers")>
                <label for="customer-search">{td_string!(locale, customers.search_label)}</label>
                <input id="customer-search" name="q" type="search" value=q/>
                <button type="submit">{td_string!(locale, customers.search)}</button>
            </form>
            {items.is_empty().then(|| view! { <p class="hint">{td_string!(locale, customers.none_found)}</p> })}
            <ul class="rows" data-testid="customers">
                {items.into_iter().map(|c| view! {
                    <li class="row" data-testid="customer-row">
                        <a href=format!("{base}/customers/{}", c.id)>{format!("#{} {}", c.number, c.name)}</a>
                        <span class="hint masked">{[c.email, c.phone].into_iter().filter(|v| !v.is_empty()).collect::<Vec<_>>().join(" · ")}</span>
                    </li>
                }).collect_view()}
            </ul>
            {next_page_link(format!("{base}/customers"), next)}
        </section>
        {can_add.then(|| view! { <AddCustomerForm slug=slug.clone()/> })}
    }
}

#[component]
fn ContactInputs(
    #[prop(optional)] current: Option<CustomerDto>,
    error: Signal<Option<(Field, String)>>,
) -> impl IntoView {
    let of = move |field: Field| Signal::derive(move || error.get().filter(|(f, _)| *f == field).map(|(_, m)| m));
    // Contact data is never put back into a form in clear: leaving a field empty clears it.
    let name = current.as_ref().map(|c| c.name.clone()).unwrap_or_default();
    let locale = crate::lang::current();
    view! {
        <InputField id="customer-name" name="name" label=td_string!(locale, customers.name) value=name error=of(Field::CustomerName)/>
        <InputField id="customer-email" name="email" label=td_string!(locale, customers.email_optional) kind="email" required=false error=of(Field::Email)/>
        <InputField id="customer-phone" name="phone" label=td_string!(locale, customers.phone_optional) kind="tel" required=false error=of(Field::Phone)/>
        <label for="customer-address">{td_string!(locale, customers.address_optional)}</label>
        <textarea id="customer-address" name="address" rows="3"></textarea>
        <crate::components::FieldError id="customer-address-error" message=of(Field::PostalAddress)/>
        <label for="customer-notes">{td_string!(locale, customers.notes_optional)}</label>
        <textarea id="customer-notes" name="notes" rows="3"></textarea>
        <crate::components::FieldError id="customer-notes-error" message=of(Field::Notes)/>
    }
}

#[component]
fn AddCustomerForm(slug: String) -> impl IntoView {
    let action = ServerAction::<AddCustomer>::new();
    let value = action.value();
    refresh_on_success(value);
    let locale = crate::lang::current();
    let error = Signal::derive(move || match value.get() {
        Some(Err(e)) => e.field().map(|f| (f, error_text(locale, &e))),
        _ => None,
    });
    view! {
        <section class="card" aria-labelledby="add-customer-title">
            <h2 id="add-customer-title">{td_string!(locale, customers.add_heading)}</h2>
            <ActionForm action=action attr:class="form">
                <CsrfField/>
                <input type="hidden" name="slug" value=slug/>
                <ContactInputs error/>
                <p class="field-error" role="alert">{move || form_error(value, CONTACT_FIELDS).get()}</p>
                <button type="submit" disabled=move || action.pending().get()>{td_string!(locale, customers.add)}</button>
            </ActionForm>
        </section>
    }
}

#[component]
pub fn CustomerPage() -> impl IntoView {
    let locale = crate::lang::current();
    view! {
        <Title text=td_string!(locale, customers.customer)/>
        {workspace_data_page(|k| customer(k.slug, k.id), |page| view! { <Customer page/> }.into_any())}
    }
}

#[component]
fn Customer(page: CustomerPageDto) -> impl IntoView {
    let CustomerPageDto { home, customer, can_reveal, can_manage } = page;
    let slug = home.workspace.slug.clone();
    let locale = crate::lang::current();
    let rows = [
        ("email", td_string!(locale, customers.email), customer.email.clone()),
        ("phone", td_string!(locale, customers.phone), customer.phone.clone()),
        ("address", td_string!(locale, customers.address), customer.address.clone()),
    ];
    let heading =
        fill(td_string!(locale, customers.heading), &[("number", &customer.number), ("name", &customer.name)]);
    view! {
        <WorkspaceNav home/>
        <section class="card">
            <h1>{heading}</h1>
            <dl class="facts" data-testid="customer-contact">
                {rows.into_iter().map(|(key, label, value)| view! {
                    <dt>{label}</dt>
                    <dd class="masked" data-testid=format!("customer-{key}")>{if value.is_empty() { "—".to_owned() } else { value }}</dd>
                }).collect_view()}
                <dt>{td_string!(locale, customers.notes)}</dt>
                <dd>{customer.notes.clone()}</dd>
            </dl>
            <p class="hint">{td_string!(locale, customers.masked_hint)}</p>
        </section>
        {can_reveal.then(|| view! { <RevealForm slug=slug.clone() id=customer.id.clone()/> })}
        {can_manage.then(|| view! { <EditCustomerForm slug=slug.clone() customer=customer.clone()/> })}
    }
}

#[component]
fn RevealForm(slug: String, id: String) -> impl IntoView {
    let action = ServerAction::<RevealContact>::new();
    let value = action.value();
    let locale = crate::lang::current();
    let field_label = move |key: &str| match key {
        "phone" => td_string!(locale, customers.phone),
        "email" => td_string!(locale, customers.email),
        "address" => td_string!(locale, customers.address),
        _ => td_string!(locale, customers.which_value),
    };
    view! {
        <section class="card" aria-labelledby="reveal-title">
            <h2 id="reveal-title">{td_string!(locale, customers.reveal_heading)}</h2>
            <ActionForm action=action attr:class="form">
                <CsrfField/>
                <input type="hidden" name="slug" value=slug/>
                <input type="hidden" name="id" value=id/>
                <label for="reveal-field">{td_string!(locale, customers.which_value)}</label>
                <select id="reveal-field" name="field">
                    <option value="phone">{td_string!(locale, customers.phone)}</option>
                    <option value="email">{td_string!(locale, customers.email)}</option>
                    <option value="address">{td_string!(locale, customers.address)}</option>
                </select>
                <InputField id="reveal-reason" name="reason" label=td_string!(locale, customers.reason) error=field_error(value, Field::Reason)/>
                <p class="field-error" role="alert">{move || form_error(value, &[Field::Reason]).get()}</p>
                <button type="submit" disabled=move || action.pending().get()>{td_string!(locale, customers.reveal)}</button>
            </ActionForm>
            {move || match value.get() {
                Some(Ok(revealed)) => Some(view! {
                    <p role="status" data-testid="revealed">
                        <span class="hint">{format!("{}: ", field_label(&revealed.field))}</span>
                        <strong>{revealed.value.unwrap_or_else(|| td_string!(locale, customers.empty).to_owned())}</strong>
                    </p>
                }),
                _ => None,
            }}
        </section>
    }
}

#[component]
fn EditCustomerForm(slug: String, customer: CustomerDto) -> impl IntoView {
    let action = ServerAction::<UpdateCustomer>::new();
    let value = action.value();
    refresh_on_success(value);
    let locale = crate::lang::current();
    let error = Signal::derive(move || match value.get() {
        Some(Err(e)) => e.field().map(|f| (f, error_text(locale, &e))),
        _ => None,
    });
    let id = customer.id.clone();
    view! {
        <section class="card" aria-labelledby="edit-customer-title">
            <h2 id="edit-customer-title">{td_string!(locale, customers.edit_heading)}</h2>
            <p class="hint">{td_string!(locale, customers.edit_hint)}</p>
            <ActionForm action=action attr:class="form">
                <CsrfField/>
                <input type="hidden" name="slug" value=slug/>
                <input type="hidden" name="id" value=id/>
                <ContactInputs current=customer error/>
                <p class="field-error" role="alert">{move || form_error(value, CONTACT_FIELDS).get()}</p>
                <button type="submit" disabled=move || action.pending().get()>{td_string!(locale, customers.save)}</button>
            </ActionForm>
        </section>
    }
}
