//! Orders: one list of sales and purchase orders (a plain GET form of filters, so it works without
//! WebAssembly; sorted, paged, exported as CSV), the form for a new sales order, and a sales order's page
//! with its lines, the masked customer and the next steps of its life cycle.

use super::customers::query_value;
use super::nav::WorkspaceNav;
use super::{workspace_data_page, workspace_error};
use crate::api::{CreateSalesOrder, SetOrderStatus, customers, sales_order, sales_orders};
use crate::components::{CsrfField, form_error};
use crate::dto::{CustomerDto, ListPageDto, OrderRowDto, SalesOrderPageDto, WorkspaceHomeDto};
use crate::i18n::td_string;
use crate::lang::{Locale, fill};
use crate::pages::confirmation::sales_status_label;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_location, use_params_map};
use model::{Field, Permission};

const FORM_LINES: usize = 5;
const FILTERS: [&str; 8] = ["q", "kind", "status", "from", "until", "min", "max", "sort"];

/// A sales order's status in words; purchase orders (not in the sales life cycle) are "ordered".
fn status_label(locale: Locale, status: &str) -> &'static str {
    match status {
        "draft" | "confirmed" | "shipped" | "completed" | "cancelled" => sales_status_label(locale, status),
        _ => td_string!(locale, sales.status_ordered),
    }
}

/// The button that moves an order to `status`.
fn mark_as(locale: Locale, status: &str) -> &'static str {
    match status {
        "confirmed" => td_string!(locale, sales.mark_confirmed),
        "shipped" => td_string!(locale, sales.mark_shipped),
        "completed" => td_string!(locale, sales.mark_completed),
        "cancelled" => td_string!(locale, sales.mark_cancelled),
        other => status_label(locale, other),
    }
}

fn urlencode(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

#[component]
pub fn SalesOrdersPage() -> impl IntoView {
    let params = use_params_map();
    let search = use_location().search;
    let key = Memo::new(move |_| {
        let values: Vec<String> = search.with(|raw| FILTERS.iter().map(|name| query_value(raw, name)).collect());
        let after = search.with(|raw| query_value(raw, "after"));
        (params.read().get("slug").unwrap_or_default(), values, after)
    });
    let refresh = crate::components::refresh();
    let data = Resource::new_blocking(
        move || (key.get(), refresh.get()),
        |((slug, v, after), _)| {
            let some = |i: usize| Some(v[i].clone()).filter(|s| !s.is_empty());
            sales_orders(
                slug,
                some(0),
                some(1),
                some(2),
                some(3),
                some(4),
                some(5),
                some(6),
                some(7),
                Some(after).filter(|a| !a.is_empty()),
                None,
            )
        },
    );
    let locale = crate::lang::current();
    view! {
        <Title text=td_string!(locale, sales.title)/>
        <Suspense fallback=move || view! { <p class="card">{td_string!(locale, workspace.loading)}</p> }>
            {move || Suspend::new(async move {
                let filters = key.get_untracked().1;
                match data.await {
                    Ok(page) => view! { <OrderList page filters/> }.into_any(),
                    Err(error) => workspace_error(error),
                }
            })}
        </Suspense>
    }
}

#[component]
fn OrderList(page: ListPageDto<OrderRowDto>, filters: Vec<String>) -> impl IntoView {
    let locale = crate::lang::current();
    let ListPageDto { home, items, next } = page;
    let base = home.workspace.path();
    let query: String = FILTERS
        .iter()
        .zip(&filters)
        .map(|(name, value)| format!("{name}={}", urlencode(value)))
        .collect::<Vec<_>>()
        .join("&");
    let can_create = home.can(Permission::SalesManage);
    let can_export = home.can(Permission::SalesExport);
    let value = |i: usize| filters.get(i).cloned().unwrap_or_default();
    let option = |current: String, v: &'static str, label: &'static str| {
        view! { <option value=v selected=current == v>{label}</option> }
    };
    let next_href = next.map(|n| format!("{base}/sales?{query}&after={}", urlencode(&n)));
    view! {
        <WorkspaceNav home=home.clone()/>
        <section class="card">
            <h1>{td_string!(locale, sales.title)}</h1>
            {can_create.then(|| view! { <p><a class="button-link" href=format!("{base}/sales/new")>{td_string!(locale, sales.new_order)}</a></p> })}
            <form method="get" class="form filters" action=format!("{base}/sales")>
                <label for="orders-q">{td_string!(locale, sales.search_label)}</label>
                <input id="orders-q" name="q" type="search" value=value(0)/>
                <label for="orders-kind">{td_string!(locale, sales.kind)}</label>
                <select id="orders-kind" name="kind">
                    {option(value(1), "", td_string!(locale, sales.kind_all))}
                    {option(value(1), "sales", td_string!(locale, sales.kind_sales))}
                    {option(value(1), "purchase", td_string!(locale, sales.kind_purchase))}
                </select>
                <label for="orders-status">{td_string!(locale, sales.status_filter)}</label>
                <select id="orders-status" name="status">
                    {option(value(2), "", td_string!(locale, sales.any))}
                    {option(value(2), "draft", status_label(locale, "draft"))}
                    {option(value(2), "confirmed", status_label(locale, "confirmed"))}
                    {option(value(2), "shipped", status_label(locale, "shipped"))}
                    {option(value(2), "completed", status_label(locale, "completed"))}
                    {option(value(2), "cancelled", status_label(locale, "cancelled"))}
                </select>
                <label for="orders-from">{td_string!(locale, sales.from)}</label>
                <input id="orders-from" name="from" type="date" value=value(3)/>
                <label for="orders-until">{td_string!(locale, sales.until)}</label>
                <input id="orders-until" name="until" type="date" value=value(4)/>
                <label for="orders-min">{td_string!(locale, sales.min)}</label>
                <input id="orders-min" name="min" type="text" inputmode="decimal" value=value(5)/>
                <label for="orders-max">{td_string!(locale, sales.max)}</label>
                <input id="orders-max" name="max" type="text" inputmode="decimal" value=value(6)/>
                <label for="orders-sort">{td_string!(locale, sales.sort)}</label>
                <select id="orders-sort" name="sort">
                    {option(value(7), "newest", td_string!(locale, sales.newest))}
                    {option(value(7), "oldest", td_string!(locale, sales.oldest))}
                    {option(value(7), "amount_desc", td_string!(locale, sales.largest))}
                    {option(value(7), "amount_asc", td_string!(locale, sales.smallest))}
                </select>
                <button type="submit">{td_string!(locale, sales.show)}</button>
            </form>
            {can_export.then(|| view! { <p><a href=format!("{base}/orders.csv?{query}") rel="external" download="orders.csv" data-testid="orders-csv">{td_string!(locale, sales.export_csv)}</a></p> })}
            {items.is_empty().then(|| view! { <p class="hint">{td_string!(locale, sales.none_found)}</p> })}
            <ul class="rows" data-testid="order-list">
                {items.into_iter().map(|o| {
                    let href = if o.kind == "sales" { format!("{base}/sales/{}", o.id) } else { format!("{base}/orders") };
                    let number = o.number.to_string();
                    let kind = if o.kind == "sales" {
                        td_string!(locale, sales.sales_order_number)
                    } else {
                        td_string!(locale, sales.purchase_order_number)
                    };
                    view! {
                        <li class="row" data-testid="order-row">
                            <a href=href>{fill(kind, &[("number", &number)])}</a>
                            <span class="hint">{format!("{} · {} · {}", o.counterparty, crate::formatting::format_amount(locale, &o.total, &o.currency), status_label(locale, &o.status))}</span>
                        </li>
                    }
                }).collect_view()}
            </ul>
            {next_href.map(|href| view! { <p><a class="button-link" href=href data-testid="next-page">{td_string!(locale, sales.more)}</a></p> })}
        </section>
    }
}

#[component]
pub fn NewSalesOrderPage() -> impl IntoView {
    let locale = crate::lang::current();
    view! {
        <Title text=td_string!(locale, sales.new_order)/>
        {workspace_data_page(
            |k| customers(k.slug, None, None, Some(100)),
            |page| view! { <OrderForm home=page.home customers=page.items/> }.into_any(),
        )}
    }
}

#[component]
fn OrderForm(home: WorkspaceHomeDto, customers: Vec<CustomerDto>) -> impl IntoView {
    let locale = crate::lang::current();
    let action = ServerAction::<CreateSalesOrder>::new();
    let value = action.value();
    let base = home.workspace.path();
    let slug = home.workspace.slug.clone();
    view! {
        <WorkspaceNav home/>
        <section class="card">
            <h1>{td_string!(locale, sales.new_order)}</h1>
            {if customers.is_empty() {
                view! { <p>{td_string!(locale, sales.no_customers)}" " <a href=format!("{base}/customers")>{td_string!(locale, sales.add_customer_first)}</a></p> }.into_any()
            } else {
                view! {
                    <ActionForm action=action attr:class="form">
                        <CsrfField/>
                        <input type="hidden" name="slug" value=slug/>
                        <label for="order-customer">{td_string!(locale, sales.customer)}</label>
                        <select id="order-customer" name="customer" required>
                            {customers.into_iter().map(|c| view! { <option value=c.id>{format!("#{} {}", c.number, c.name)}</option> }).collect_view()}
                        </select>
                        <fieldset class="lines">
                            <legend>{td_string!(locale, sales.items_legend)}</legend>
                            {(0..FORM_LINES).map(|i| view! {
                                <div class="line">
                                    <label for=format!("line-{i}-description")>{fill(td_string!(locale, sales.item_n), &[("n", &(i + 1).to_string())])}</label>
                                    <input id=format!("line-{i}-description") name=format!("lines[{i}][description]") type="text" required={i == 0}/>
                                    <label for=format!("line-{i}-quantity")>{td_string!(locale, sales.quantity)}</label>
                                    <input id=format!("line-{i}-quantity") name=format!("lines[{i}][quantity]") type="number" min="1" inputmode="numeric" required={i == 0}/>
                                    <label for=format!("line-{i}-price")>{td_string!(locale, sales.unit_price)}</label>
                                    <input id=format!("line-{i}-price") name=format!("lines[{i}][unit_price]") type="text" inputmode="decimal" required={i == 0}/>
                                </div>
                            }).collect_view()}
                        </fieldset>
                        <label for="order-notes">{td_string!(locale, sales.notes_optional)}</label>
                        <textarea id="order-notes" name="notes" rows="3"></textarea>
                        <p class="field-error" role="alert">{move || match value.get() {
                            Some(Err(error)) => Some(error.to_string()),
                            _ => form_error(value, &[]).get(),
                        }}</p>
                        <button type="submit" disabled=move || action.pending().get()>{td_string!(locale, sales.create)}</button>
                    </ActionForm>
                }
                .into_any()
            }}
        </section>
    }
}

#[component]
pub fn SalesOrderPage() -> impl IntoView {
    let locale = crate::lang::current();
    view! {
        <Title text=td_string!(locale, sales.sales_order)/>
        {workspace_data_page(|k| sales_order(k.slug, k.id), |page| view! { <SalesOrder page/> }.into_any())}
    }
}

#[component]
fn SalesOrder(page: SalesOrderPageDto) -> impl IntoView {
    let locale = crate::lang::current();
    let SalesOrderPageDto { home, order, can_manage, attachments, links } = page;
    let base = home.workspace.path();
    let slug = home.workspace.slug.clone();
    let action = ServerAction::<SetOrderStatus>::new();
    let value = action.value();
    crate::components::refresh_on_success(value);
    let customer = order.customer.clone();
    let (next_steps, order_id) = (order.next.clone(), order.id.clone());
    let upload = format!("{base}/sales/{}/attachments", order.id);
    let (links_slug, links_id) = (slug.clone(), order.id.clone());
    view! {
        <WorkspaceNav home/>
        <section class="card">
            <h1>{fill(td_string!(locale, sales.sales_order_number), &[("number", &order.number.to_string())])}</h1>
            <p data-testid="order-status"><span class=format!("status status-{}", order.status)>{status_label(locale, &order.status)}</span></p>
            <dl class="facts">
                <dt>{td_string!(locale, sales.customer)}</dt>
                <dd><a href=format!("{base}/customers/{}", customer.id)>{customer.name.clone()}</a></dd>
                <dt>{td_string!(locale, sales.email)}</dt>
                <dd class="masked" data-testid="order-customer-email">{customer.email.clone()}</dd>
                <dt>{td_string!(locale, sales.phone)}</dt>
                <dd class="masked" data-testid="order-customer-phone">{customer.phone.clone()}</dd>
                <dt>{td_string!(locale, sales.total)}</dt>
                <dd>{crate::formatting::format_amount(crate::lang::current(), &order.total, &order.currency)}</dd>
                <dt>{td_string!(locale, sales.notes)}</dt>
                <dd>{order.notes.clone()}</dd>
            </dl>
            <crate::components::LinesTable lines=order.lines/>
        </section>
        {(can_manage && !next_steps.is_empty()).then(move || view! {
            <section class="card" aria-labelledby="status-title">
                <h2 id="status-title">{td_string!(locale, sales.next_step)}</h2>
                {next_steps.into_iter().map(|next| {
                    let (slug, id) = (slug.clone(), order_id.clone());
                    let label = mark_as(locale, &next);
                    view! {
                        <ActionForm action=action attr:class="form inline">
                            <CsrfField/>
                            <input type="hidden" name="slug" value=slug/>
                            <input type="hidden" name="id" value=id/>
                            <input type="hidden" name="status" value=next/>
                            <button type="submit">{label}</button>
                        </ActionForm>
                    }
                }).collect_view()}
                <p class="field-error" role="alert">{move || form_error(value, &[Field::Description]).get()}</p>
            </section>
        })}
        <super::sharing::Attachments base=base.clone() upload=upload items=attachments can_upload=can_manage/>
        {can_manage.then(move || view! { <super::sharing::OrderLinks slug=links_slug id=links_id links/> })}
    }
}
