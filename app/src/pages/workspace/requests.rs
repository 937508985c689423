//! Purchase requests: the list (a page at a time; owners name the fallback approver here), the form for
//! a new one, and a request's page with its history, the decision form for whoever may decide it, and
//! editing or withdrawing for its requester while it waits.

use super::nav::WorkspaceNav;
use super::{next_page_link, workspace_data_page};
use crate::api::{
    DecideRequest, EditRequest, SetFallbackApprover, SubmitRequest, WithdrawRequest, request_detail, requests,
    suppliers,
};
use crate::components::{CsrfField, InputField, field_error, form_error, refresh_on_success};
use crate::dto::{LineDto, ListPageDto, RequestPageDto, RequestsPageDto, SupplierDto, WorkspaceHomeDto};
use leptos::prelude::*;
use leptos_meta::Title;
use model::Field;

/// Lines the request form offers (blank ones are ignored).
const FORM_LINES: usize = 5;

#[component]
pub fn RequestsPage() -> impl IntoView {
    view! {
        <Title text="Purchase requests"/>
        {workspace_data_page(|k| requests(k.slug, k.after, None), |page| view! { <RequestList page/> }.into_any())}
    }
}

#[component]
fn RequestList(page: RequestsPageDto) -> impl IntoView {
    let RequestsPageDto { page: ListPageDto { home, items: list, next }, fallback_approver } = page;
    let base = home.workspace.path();
    let can_create = home.can(model::Permission::RequestsCreate);
    let is_owner = home.roles.iter().any(|r| r == model::BuiltinRole::Owner.name());
    let slug = home.workspace.slug.clone();
    view! {
        <WorkspaceNav home=home.clone()/>
        <section class="card">
            <h1>"Purchase requests"</h1>
            {can_create.then(|| view! { <p><a class="button-link" href=format!("{base}/requests/new")>"New purchase request"</a></p> })}
            {if list.is_empty() {
                view! { <p class="hint">"No requests yet."</p> }.into_any()
            } else {
                view! {
                    <ul class="rows" data-testid="requests">
                        {list.into_iter().map(|r| view! {
                            <li class="row">
                                <a href=format!("{base}/requests/{}", r.id)>{format!("#{} {}", r.number, r.title)}</a>
                                <span class="hint">{format!("{} · {} {} · {}", r.requester, r.total, r.currency, r.status.label())}</span>
                            </li>
                        }).collect_view()}
                    </ul>
                }
                .into_any()
            }}
            {next_page_link(format!("{base}/requests"), next)}
        </section>
        {is_owner.then(|| view! { <FallbackApproverForm slug=slug.clone() current=fallback_approver.clone().unwrap_or_default()/> })}
    }
}

#[component]
fn FallbackApproverForm(slug: String, current: String) -> impl IntoView {
    let action = ServerAction::<SetFallbackApprover>::new();
    let value = action.value();
    refresh_on_success(value);
    view! {
        <section class="card" aria-labelledby="fallback-title">
            <h2 id="fallback-title">"Fallback approver"</h2>
            <p class="hint">"Decides requests whose requester is the only one who may approve them (never their own). Leave empty for none."</p>
            <ActionForm action=action attr:class="form">
                <CsrfField/>
                <input type="hidden" name="slug" value=slug/>
                <label for="fallback-email">"Member's email"</label>
                <input id="fallback-email" name="email" type="email" value=current/>
                <p class="field-error" role="alert">{move || form_error(value, &[Field::Email]).get().or_else(|| field_error(value, Field::Email).get())}</p>
                <button type="submit">"Save"</button>
            </ActionForm>
        </section>
    }
}

#[component]
pub fn NewRequestPage() -> impl IntoView {
    view! {
        <Title text="New purchase request"/>
        {workspace_data_page(
            |k| suppliers(k.slug, None, Some(100)),
            |page| view! { <RequestForm home=page.home suppliers=page.items/> }.into_any(),
        )}
    }
}

#[component]
fn RequestForm(home: WorkspaceHomeDto, suppliers: Vec<SupplierDto>) -> impl IntoView {
    let action = ServerAction::<SubmitRequest>::new();
    let value = action.value();
    let base = home.workspace.path();
    let fields = &[Field::Title, Field::Supplier, Field::Description, Field::Quantity, Field::Amount];
    view! {
        <WorkspaceNav home=home.clone()/>
        <section class="card">
            <h1>"New purchase request"</h1>
            <p class="hint">{format!("Requests above {} {} wait for an approver; smaller ones become orders at once.", home.approval_threshold, home.currency)}</p>
            {if suppliers.is_empty() {
                view! { <p>"There are no suppliers yet. " <a href=format!("{base}/suppliers")>"Add one first."</a></p> }.into_any()
            } else {
                view! {
                    <ActionForm action=action attr:class="form">
                        <CsrfField/>
                        <input type="hidden" name="slug" value=home.workspace.slug.clone()/>
                        <InputField id="request-title" name="title" label="Title" error=field_error(value, Field::Title)/>
                        <label for="request-supplier">"Supplier"</label>
                        <select id="request-supplier" name="supplier" required>
                            {suppliers.into_iter().map(|s| view! { <option value=s.id>{s.name}</option> }).collect_view()}
                        </select>
                        <crate::components::FieldError id="request-supplier-error" message=field_error(value, Field::Supplier)/>
                        <fieldset class="lines">
                            <legend>"Items (leave unused rows empty)"</legend>
                            {(0..FORM_LINES).map(|i| view! {
                                <div class="line">
                                    <label for=format!("line-{i}-description")>{format!("Item {}", i + 1)}</label>
                                    <input id=format!("line-{i}-description") name=format!("lines[{i}][description]") type="text" required={i == 0}/>
                                    <label for=format!("line-{i}-quantity")>"Quantity"</label>
                                    <input id=format!("line-{i}-quantity") name=format!("lines[{i}][quantity]") type="number" min="1" inputmode="numeric" required={i == 0}/>
                                    <label for=format!("line-{i}-price")>"Unit price"</label>
                                    <input id=format!("line-{i}-price") name=format!("lines[{i}][unit_price]") type="text" inputmode="decimal" required={i == 0}/>
                                </div>
                            }).collect_view()}
                        </fieldset>
                        <p class="field-error" role="alert">{move || {
                            match value.get() {
                                Some(Err(error)) if error.field().is_some_and(|f| matches!(f, Field::Description | Field::Quantity | Field::Amount)) => Some(error.to_string()),
                                _ => form_error(value, fields).get(),
                            }
                        }}</p>
                        <button type="submit" disabled=move || action.pending().get()>"Submit request"</button>
                    </ActionForm>
                }
                .into_any()
            }}
        </section>
    }
}

#[component]
pub fn RequestPage() -> impl IntoView {
    workspace_data_page(|k| request_detail(k.slug, k.id), |page| view! { <RequestView page/> }.into_any())
}

#[component]
fn RequestView(page: RequestPageDto) -> impl IntoView {
    let RequestPageDto { home, detail } = page;
    let summary = detail.summary.clone();
    view! {
        <Title text=format!("Request {}", summary.number)/>
        <WorkspaceNav home=home.clone()/>
        <section class="card" data-testid="request">
            <h1>{format!("Request {}: {}", summary.number, summary.title)}</h1>
            <p data-testid="request-status" class=summary.status.class()>{summary.status.label()}</p>
            <dl class="facts">
                <dt>"Requested by"</dt><dd>{summary.requester.clone()}</dd>
                <dt>"Supplier"</dt><dd>{summary.supplier.clone()}</dd>
                <dt>"Total"</dt><dd data-testid="request-total">{format!("{} {}", summary.total, summary.currency)}</dd>
                {detail.order_number.map(|n| view! { <dt>"Purchase order"</dt><dd data-testid="order-number">{format!("#{n}")}</dd> })}
            </dl>
            <table class="lines-table">
                <thead><tr><th>"Item"</th><th>"Qty"</th><th>"Unit price"</th><th>"Total"</th></tr></thead>
                <tbody>
                    {detail.lines.iter().map(|l| view! {
                        <tr><td>{l.description.clone()}</td><td>{l.quantity}</td><td>{l.unit_price.clone()}</td><td>{l.total.clone()}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
        <section class="card" aria-labelledby="history-title">
            <h2 id="history-title">"History"</h2>
            <ul class="rows" data-testid="history">
                <li class="row">{format!("{} · submitted by {}", summary.created_at.replace('T', " ").replace('Z', " UTC"), summary.requester)}</li>
                {detail.decisions.iter().map(|d| view! {
                    <li class="row">
                        {format!("{} · {} by {}", d.at.replace('T', " ").replace('Z', " UTC"), if d.approved { "approved" } else { "denied" }, d.approver)}
                        {(!d.comment.is_empty()).then(|| view! { <q>{d.comment.clone()}</q> })}
                    </li>
                }).collect_view()}
            </ul>
        </section>
        {detail.can_decide.then(|| view! { <DecisionForm slug=home.workspace.slug.clone() id=summary.id.clone()/> })}
        {detail.can_change.then(|| view! {
            <ChangeForms slug=home.workspace.slug.clone() id=summary.id.clone() supplier=summary.supplier_id.clone()
                title=summary.title.clone() lines=detail.lines.clone()/>
        })}
    }
}

/// The requester's forms while the request waits: edit it, or withdraw it.
#[component]
fn ChangeForms(slug: String, id: String, supplier: String, title: String, lines: Vec<LineDto>) -> impl IntoView {
    let edit = ServerAction::<EditRequest>::new();
    let edited = edit.value();
    refresh_on_success(edited);
    let withdraw = ServerAction::<WithdrawRequest>::new();
    let withdrawn = withdraw.value();
    refresh_on_success(withdrawn);
    let fields = &[Field::Title, Field::Supplier, Field::Description, Field::Quantity, Field::Amount];
    let rows = FORM_LINES.max(lines.len());
    let (withdraw_slug, withdraw_id) = (slug.clone(), id.clone());
    view! {
        <section class="card" aria-labelledby="edit-title">
            <h2 id="edit-title">"Change your request"</h2>
            <ActionForm action=edit attr:class="form">
                <CsrfField/>
                <input type="hidden" name="slug" value=slug/>
                <input type="hidden" name="id" value=id/>
                <input type="hidden" name="supplier" value=supplier/>
                <label for="edit-title-input">"Title"</label>
                <input id="edit-title-input" name="title" type="text" value=title required/>
                <fieldset class="lines">
                    <legend>"Items (leave unused rows empty)"</legend>
                    {(0..rows).map(|i| {
                        let line = lines.get(i).cloned();
                        let description = line.as_ref().map(|l| l.description.clone()).unwrap_or_default();
                        let quantity = line.as_ref().map(|l| l.quantity.to_string()).unwrap_or_default();
                        let price = line.as_ref().map(|l| l.unit_price.replace(',', "")).unwrap_or_default();
                        view! {
                            <div class="line">
                                <label for=format!("edit-{i}-description")>{format!("Item {}", i + 1)}</label>
                                <input id=format!("edit-{i}-description") name=format!("lines[{i}][description]") type="text" value=description/>
                                <label for=format!("edit-{i}-quantity")>"Quantity"</label>
                                <input id=format!("edit-{i}-quantity") name=format!("lines[{i}][quantity]") type="number" min="1" inputmode="numeric" value=quantity/>
                                <label for=format!("edit-{i}-price")>"Unit price"</label>
                                <input id=format!("edit-{i}-price") name=format!("lines[{i}][unit_price]") type="text" inputmode="decimal" value=price/>
                            </div>
                        }
                    }).collect_view()}
                </fieldset>
                <p class="field-error" role="alert">{move || {
                    match edited.get() {
                        Some(Err(error)) if error.field().is_some() => Some(error.to_string()),
                        _ => form_error(edited, fields).get(),
                    }
                }}</p>
                <button type="submit">"Save changes"</button>
            </ActionForm>
            <ActionForm action=withdraw attr:class="form">
                <CsrfField/>
                <input type="hidden" name="slug" value=withdraw_slug/>
                <input type="hidden" name="id" value=withdraw_id/>
                <p class="field-error" role="alert">{move || form_error(withdrawn, &[]).get()}</p>
                <button type="submit" class="danger">"Withdraw request"</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn DecisionForm(slug: String, id: String) -> impl IntoView {
    let action = ServerAction::<DecideRequest>::new();
    let value = action.value();
    refresh_on_success(value);
    view! {
        <section class="card" aria-labelledby="decide-title">
            <h2 id="decide-title">"Your decision"</h2>
            <ActionForm action=action attr:class="form">
                <CsrfField/>
                <input type="hidden" name="slug" value=slug/>
                <input type="hidden" name="id" value=id/>
                <label for="decision-comment">"Comment (required to deny)"</label>
                <textarea id="decision-comment" name="comment" rows="3" maxlength="1000"></textarea>
                <p class="field-error" role="alert">{move || form_error(value, &[]).get().or_else(|| field_error(value, Field::Comment).get())}</p>
                <div class="button-row">
                    <button type="submit" name="decision" value="approve">"Approve"</button>
                    <button type="submit" name="decision" value="deny" class="danger">"Deny"</button>
                </div>
            </ActionForm>
        </section>
    }
}
