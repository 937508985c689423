use super::nav::WorkspaceNav;
use super::{slug, workspace_error, workspace_page};
use crate::api::{DecideRequest, SubmitRequest, request_detail, requests, suppliers, workspace_home};
use crate::components::{CsrfField, InputField, field_error, form_error, refresh_on_success};
use crate::dto::{RequestDetailDto, RequestSummaryDto, SupplierDto, WorkspaceHomeDto};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use model::Field;

/// Lines the request form offers (blank ones are ignored).
const FORM_LINES: usize = 5;

fn status_label(status: &str) -> &'static str {
    match status {
        "approved" => "Approved",
        "denied" => "Denied",
        _ => "Waiting for approval",
    }
}

#[component]
pub fn RequestsPage() -> impl IntoView {
    view! {
        <Title text="Purchase requests"/>
        {workspace_page(requests, |home, list| view! { <RequestList home list/> }.into_any())}
    }
}

#[component]
fn RequestList(home: WorkspaceHomeDto, list: Vec<RequestSummaryDto>) -> impl IntoView {
    let base = home.workspace.path();
    let can_create = home.can(model::Permission::RequestsCreate);
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
                                <span class="hint">{format!("{} · {} {} · {}", r.requester, r.total, r.currency, status_label(&r.status))}</span>
                            </li>
                        }).collect_view()}
                    </ul>
                }
                .into_any()
            }}
        </section>
    }
}

#[component]
pub fn NewRequestPage() -> impl IntoView {
    view! {
        <Title text="New purchase request"/>
        {workspace_page(suppliers, |home, suppliers| view! { <RequestForm home suppliers/> }.into_any())}
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
    let slug = slug();
    let refresh = crate::components::refresh();
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").unwrap_or_default());
    let data = Resource::new_blocking(
        move || (slug.get(), id.get(), refresh.get()),
        |(slug, id, _)| async move {
            Ok::<_, crate::error::AppError>((workspace_home(slug.clone()).await?, request_detail(slug, id).await?))
        },
    );
    view! {
        <Suspense fallback=|| view! { <p class="card">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok((home, detail)) => view! { <RequestView home detail/> }.into_any(),
                    Err(error) => workspace_error(error),
                }
            })}
        </Suspense>
    }
}

#[component]
fn RequestView(home: WorkspaceHomeDto, detail: RequestDetailDto) -> impl IntoView {
    let summary = detail.summary.clone();
    view! {
        <Title text=format!("Request {}", summary.number)/>
        <WorkspaceNav home=home.clone()/>
        <section class="card" data-testid="request">
            <h1>{format!("Request {}: {}", summary.number, summary.title)}</h1>
            <p data-testid="request-status" class=format!("status status-{}", summary.status)>{status_label(&summary.status)}</p>
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
