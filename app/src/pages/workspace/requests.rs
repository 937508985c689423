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
use crate::i18n::{t_string, use_i18n};
use crate::lang;
use leptos::prelude::*;
use leptos_meta::Title;
use model::Field;

/// Lines the request form offers (blank ones are ignored).
const FORM_LINES: usize = 5;

#[component]
pub fn RequestsPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=t_string!(i18n, requests.title)/>
        {workspace_data_page(|k| requests(k.slug, k.after, None), |page| view! { <RequestList page/> }.into_any())}
    }
}

#[component]
fn RequestList(page: RequestsPageDto) -> impl IntoView {
    let i18n = use_i18n();
    let locale = lang::current();
    let RequestsPageDto { page: ListPageDto { home, items: list, next }, fallback_approver } = page;
    let base = home.workspace.path();
    let can_create = home.can(model::Permission::RequestsCreate);
    let is_owner = home.roles.iter().any(|r| r == model::BuiltinRole::Owner.name());
    let slug = home.workspace.slug.clone();
    view! {
        <WorkspaceNav home=home.clone()/>
        <section class="card">
            <h1>{t_string!(i18n, requests.title)}</h1>
            {can_create.then(|| view! { <p><a class="button-link" href=format!("{base}/requests/new")>{t_string!(i18n, requests.new)}</a></p> })}
            {if list.is_empty() {
                view! { <p class="hint">{t_string!(i18n, requests.none)}</p> }.into_any()
            } else {
                view! {
                    <ul class="rows" data-testid="requests">
                        {list.into_iter().map(|r| view! {
                            <li class="row">
                                <a href=format!("{base}/requests/{}", r.id)>{format!("#{} {}", r.number, r.title)}</a>
                                <span class="hint">{format!("{} · {} · {}", r.requester, crate::formatting::format_amount(locale, &r.total, &r.currency), lang::status_label(locale, r.status))}</span>
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
    let i18n = use_i18n();
    let action = ServerAction::<SetFallbackApprover>::new();
    let value = action.value();
    refresh_on_success(value);
    view! {
        <section class="card" aria-labelledby="fallback-title">
            <h2 id="fallback-title">{t_string!(i18n, requests.fallback)}</h2>
            <p class="hint">{t_string!(i18n, requests.fallback_hint)}</p>
            <ActionForm action=action attr:class="form">
                <CsrfField/>
                <input type="hidden" name="slug" value=slug/>
                <label for="fallback-email">{t_string!(i18n, requests.member_email)}</label>
                <input id="fallback-email" name="email" type="email" value=current/>
                <p class="field-error" role="alert">{move || form_error(value, &[Field::Email]).get().or_else(|| field_error(value, Field::Email).get())}</p>
                <button type="submit">{t_string!(i18n, common.save)}</button>
            </ActionForm>
        </section>
    }
}

#[component]
pub fn NewRequestPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=t_string!(i18n, requests.new)/>
        {workspace_data_page(
            |k| suppliers(k.slug, None, Some(100)),
            |page| view! { <RequestForm home=page.home suppliers=page.items/> }.into_any(),
        )}
    }
}

#[component]
fn RequestForm(home: WorkspaceHomeDto, suppliers: Vec<SupplierDto>) -> impl IntoView {
    let i18n = use_i18n();
    let locale = lang::current();
    let action = ServerAction::<SubmitRequest>::new();
    let value = action.value();
    let base = home.workspace.path();
    let fields = &[Field::Title, Field::Supplier, Field::Description, Field::Quantity, Field::Amount];
    view! {
        <WorkspaceNav home=home.clone()/>
        <section class="card">
            <h1>{t_string!(i18n, requests.new)}</h1>
            <p class="hint">{crate::lang::fill(t_string!(i18n, requests.threshold), &[("amount", &crate::formatting::format_amount(crate::lang::current(), &home.approval_threshold, "")), ("currency", &home.currency.clone())])}</p>
            {if suppliers.is_empty() {
                view! { <p>{t_string!(i18n, requests.no_suppliers)} " " <a href=format!("{base}/suppliers")>{t_string!(i18n, requests.add_one)}</a></p> }.into_any()
            } else {
                view! {
                    <ActionForm action=action attr:class="form">
                        <CsrfField/>
                        <input type="hidden" name="slug" value=home.workspace.slug.clone()/>
                        <InputField id="request-title" name="title" label=t_string!(i18n, fields.title) error=field_error(value, Field::Title)/>
                        <label for="request-supplier">{t_string!(i18n, fields.supplier)}</label>
                        <select id="request-supplier" name="supplier" required>
                            {suppliers.into_iter().map(|s| view! { <option value=s.id>{s.name}</option> }).collect_view()}
                        </select>
                        <crate::components::FieldError id="request-supplier-error" message=field_error(value, Field::Supplier)/>
                        <fieldset class="lines">
                            <legend>{t_string!(i18n, requests.items)}</legend>
                            {(0..FORM_LINES).map(|i| view! {
                                <div class="line">
                                    <label for=format!("line-{i}-description")>{crate::lang::fill(t_string!(i18n, requests.item), &[("n", &(i + 1))])}</label>
                                    <input id=format!("line-{i}-description") name=format!("lines[{i}][description]") type="text" required={i == 0}/>
                                    <label for=format!("line-{i}-quantity")>{t_string!(i18n, fields.quantity)}</label>
                                    <input id=format!("line-{i}-quantity") name=format!("lines[{i}][quantity]") type="number" min="1" inputmode="numeric" required={i == 0}/>
                                    <label for=format!("line-{i}-price")>{t_string!(i18n, requests.unit_price)}</label>
                                    <input id=format!("line-{i}-price") name=format!("lines[{i}][unit_price]") type="text" inputmode="decimal" required={i == 0}/>
                                </div>
                            }).collect_view()}
                        </fieldset>
                        <p class="field-error" role="alert">{move || {
                            match value.get() {
                                Some(Err(error)) if error.field().is_some_and(|f| matches!(f, Field::Description | Field::Quantity | Field::Amount)) => Some(lang::error_text(locale, &error)),
                                _ => form_error(value, fields).get(),
                            }
                        }}</p>
                        <button type="submit" disabled=move || action.pending().get()>{t_string!(i18n, requests.submit)}</button>
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
    let i18n = use_i18n();
    let locale = lang::current();
    let RequestPageDto { home, detail, attachments, can_attach } = page;
    let summary = detail.summary.clone();
    let base = home.workspace.path();
    let upload = format!("{base}/requests/{}/attachments", summary.id);
    view! {
        <Title text=crate::lang::fill(t_string!(i18n, requests.page_title), &[("number", &summary.number)])/>
        <WorkspaceNav home=home.clone()/>
        <section class="card" data-testid="request">
            <h1>{crate::lang::fill(t_string!(i18n, requests.heading), &[("number", &summary.number), ("title", &summary.title.clone())])}</h1>
            <p data-testid="request-status" class=summary.status.class()>{lang::status_label(locale, summary.status)}</p>
            <dl class="facts">
                <dt>{t_string!(i18n, requests.requested_by)}</dt><dd>{summary.requester.clone()}</dd>
                <dt>{t_string!(i18n, fields.supplier)}</dt><dd>{summary.supplier.clone()}</dd>
                <dt>{t_string!(i18n, requests.total)}</dt><dd data-testid="request-total">{crate::formatting::format_amount(crate::lang::current(), &summary.total, &summary.currency)}</dd>
                {detail.order_number.map(|n| view! { <dt>{t_string!(i18n, requests.purchase_order)}</dt><dd data-testid="order-number">{format!("#{n}")}</dd> })}
            </dl>
            <table class="lines-table">
                <thead><tr><th>{t_string!(i18n, fields.description)}</th><th>{t_string!(i18n, requests.qty)}</th><th>{t_string!(i18n, requests.unit_price)}</th><th>{t_string!(i18n, requests.total)}</th></tr></thead>
                <tbody>
                    {detail.lines.iter().map(|l| view! {
                        <tr><td>{l.description.clone()}</td><td>{l.quantity}</td><td>{l.unit_price.clone()}</td><td>{l.total.clone()}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
        <section class="card" aria-labelledby="history-title">
            <h2 id="history-title">{t_string!(i18n, requests.history)}</h2>
            <ul class="rows" data-testid="history">
                <li class="row">{crate::lang::fill(t_string!(i18n, requests.submitted_by), &[("at", &lang::format_timestamp(locale, &summary.created_at)), ("who", &summary.requester.clone())])}</li>
                {detail.decisions.iter().map(|d| view! {
                    <li class="row">
                        {if d.approved { crate::lang::fill(t_string!(i18n, requests.approved_by), &[("at", &lang::format_timestamp(locale, &d.at)), ("who", &d.approver.clone())]) } else { crate::lang::fill(t_string!(i18n, requests.denied_by), &[("at", &lang::format_timestamp(locale, &d.at)), ("who", &d.approver.clone())]) }}
                        {(!d.comment.is_empty()).then(|| view! { <q>{d.comment.clone()}</q> })}
                    </li>
                }).collect_view()}
            </ul>
        </section>
        <super::sharing::Attachments base=base upload=upload items=attachments can_upload=can_attach/>
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
    let i18n = use_i18n();
    let locale = lang::current();
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
            <h2 id="edit-title">{t_string!(i18n, requests.change)}</h2>
            <ActionForm action=edit attr:class="form">
                <CsrfField/>
                <input type="hidden" name="slug" value=slug/>
                <input type="hidden" name="id" value=id/>
                <input type="hidden" name="supplier" value=supplier/>
                <label for="edit-title-input">{t_string!(i18n, fields.title)}</label>
                <input id="edit-title-input" name="title" type="text" value=title required/>
                <fieldset class="lines">
                    <legend>{t_string!(i18n, requests.items)}</legend>
                    {(0..rows).map(|i| {
                        let line = lines.get(i).cloned();
                        let description = line.as_ref().map(|l| l.description.clone()).unwrap_or_default();
                        let quantity = line.as_ref().map(|l| l.quantity.to_string()).unwrap_or_default();
                        let price = line.as_ref().map(|l| l.unit_price.replace(',', "")).unwrap_or_default();
                        view! {
                            <div class="line">
                                <label for=format!("edit-{i}-description")>{crate::lang::fill(t_string!(i18n, requests.item), &[("n", &(i + 1))])}</label>
                                <input id=format!("edit-{i}-description") name=format!("lines[{i}][description]") type="text" value=description/>
                                <label for=format!("edit-{i}-quantity")>{t_string!(i18n, fields.quantity)}</label>
                                <input id=format!("edit-{i}-quantity") name=format!("lines[{i}][quantity]") type="number" min="1" inputmode="numeric" value=quantity/>
                                <label for=format!("edit-{i}-price")>{t_string!(i18n, requests.unit_price)}</label>
                                <input id=format!("edit-{i}-price") name=format!("lines[{i}][unit_price]") type="text" inputmode="decimal" value=price/>
                            </div>
                        }
                    }).collect_view()}
                </fieldset>
                <p class="field-error" role="alert">{move || {
                    match edited.get() {
                        Some(Err(error)) if error.field().is_some() => Some(lang::error_text(locale, &error)),
                        _ => form_error(edited, fields).get(),
                    }
                }}</p>
                <button type="submit">{t_string!(i18n, requests.save_changes)}</button>
            </ActionForm>
            <ActionForm action=withdraw attr:class="form">
                <CsrfField/>
                <input type="hidden" name="slug" value=withdraw_slug/>
                <input type="hidden" name="id" value=withdraw_id/>
                <p class="field-error" role="alert">{move || form_error(withdrawn, &[]).get()}</p>
                <button type="submit" class="danger">{t_string!(i18n, requests.withdraw)}</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn DecisionForm(slug: String, id: String) -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<DecideRequest>::new();
    let value = action.value();
    refresh_on_success(value);
    view! {
        <section class="card" aria-labelledby="decide-title">
            <h2 id="decide-title">{t_string!(i18n, requests.decision)}</h2>
            <ActionForm action=action attr:class="form">
                <CsrfField/>
                <input type="hidden" name="slug" value=slug/>
                <input type="hidden" name="id" value=id/>
                <label for="decision-comment">{t_string!(i18n, requests.comment)}</label>
                <textarea id="decision-comment" name="comment" rows="3" maxlength="1000"></textarea>
                <p class="field-error" role="alert">{move || form_error(value, &[]).get().or_else(|| field_error(value, Field::Comment).get())}</p>
                <div class="button-row">
                    <button type="submit" name="decision" value="approve">{t_string!(i18n, requests.approve)}</button>
                    <button type="submit" name="decision" value="deny" class="danger">{t_string!(i18n, requests.deny)}</button>
                </div>
            </ActionForm>
        </section>
    }
}
