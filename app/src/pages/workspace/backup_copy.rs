//! A backup open beside live (OPS2), for holders of `backups.manage`: the moment it shows, marked on
//! every screen as a read-only copy and not live data, with its sales orders, customers, suppliers and
//! purchase requests, and a button that closes and removes it. Nothing on this page writes to live.

use super::nav::WorkspaceNav;
use super::workspace_page;
use crate::api::{CloseBackupCopy, backup_copy_page};
use crate::components::{CsrfField, form_error, refresh_on_success};
use crate::dto::{BackupCopyPageDto, CopyListDto, WorkspaceHomeDto};
use crate::formatting::format_amount;
use crate::i18n::{Locale, td_string};
use crate::lang::{fill, format_timestamp, status_label};
use crate::pages::confirmation::sales_status_label;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn BackupCopyPage() -> impl IntoView {
    let locale = crate::lang::current();
    view! {
        <Title text=td_string!(locale, backups.copy_title)/>
        {workspace_page(backup_copy_page, |home, data| view! { <BackupCopy home data/> }.into_any())}
    }
}

#[component]
fn BackupCopy(home: WorkspaceHomeDto, data: Option<BackupCopyPageDto>) -> impl IntoView {
    let locale = crate::lang::current();
    let slug = home.workspace.slug.clone();
    let back = view! { <p><a href=format!("/w/{slug}/admin/backups")>{td_string!(locale, backups.copy_back)}</a></p> };
    let Some(data) = data else {
        return view! {
            <WorkspaceNav home/>
            <section class="card" aria-labelledby="copy-title">
                <h1 id="copy-title">{td_string!(locale, backups.copy_title)}</h1>
                <p data-testid="copy-none">{td_string!(locale, backups.copy_none)}</p>
                {back}
            </section>
        }
        .into_any();
    };
    let banner = fill(
        td_string!(locale, backups.copy_banner),
        &[
            ("time", &format_timestamp(locale, &data.copy.taken_at)),
            ("expires", &format_timestamp(locale, &data.copy.expires_at)),
        ],
    );
    let orders = data.orders.rows.iter().map(|o| {
        view! {
            <tr>
                <td>{o.number}</td>
                <td>{o.customer.clone()}</td>
                <td>{sales_status_label(locale, &o.status)}</td>
                <td>{format_amount(locale, &o.total, &o.currency)}</td>
                <td>{format_timestamp(locale, &o.created_at)}</td>
            </tr>
        }
    });
    let customers = data.customers.rows.iter().map(|c| {
        view! { <tr><td>{c.number}</td><td>{c.name.clone()}</td><td>{format_timestamp(locale, &c.created_at)}</td></tr> }
    });
    let suppliers = data.suppliers.rows.iter().map(|name| view! { <tr><td>{name.clone()}</td></tr> });
    let requests = data.requests.rows.iter().map(|r| {
        view! {
            <tr>
                <td>{r.number}</td>
                <td>{r.title.clone()}</td>
                <td>{r.requester.clone()}</td>
                <td>{r.supplier.clone()}</td>
                <td>{status_label(locale, r.status)}</td>
                <td>{format_amount(locale, &r.total, &r.currency)}</td>
            </tr>
        }
    });
    let headers = |names: &[&'static str]| {
        names.iter().map(|name| view! { <th scope="col">{*name}</th> }).collect_view().into_any()
    };
    view! {
        <WorkspaceNav home/>
        <section class="card copy-banner" aria-labelledby="copy-title" data-testid="copy-banner">
            <h1 id="copy-title">{td_string!(locale, backups.copy_title)}</h1>
            <p class="notice" role="note">{banner}</p>
            {back}
            <CloseForm slug=slug.clone() locale/>
        </section>
        <CopyList id="copy-orders" title=td_string!(locale, backups.copy_orders) counts=counts(&data.orders) locale
            headers=headers(&[
                td_string!(locale, backups.col_number), td_string!(locale, backups.col_customer),
                td_string!(locale, backups.col_status), td_string!(locale, backups.col_total),
                td_string!(locale, backups.col_created),
            ])
            rows=orders.collect_view().into_any()/>
        <CopyList id="copy-customers" title=td_string!(locale, backups.copy_customers) counts=counts(&data.customers) locale
            headers=headers(&[
                td_string!(locale, backups.col_number), td_string!(locale, backups.col_name),
                td_string!(locale, backups.col_created),
            ])
            rows=customers.collect_view().into_any()/>
        <CopyList id="copy-suppliers" title=td_string!(locale, backups.copy_suppliers) counts=counts(&data.suppliers) locale
            headers=headers(&[td_string!(locale, backups.col_name)])
            rows=suppliers.collect_view().into_any()/>
        <CopyList id="copy-requests" title=td_string!(locale, backups.copy_requests) counts=counts(&data.requests) locale
            headers=headers(&[
                td_string!(locale, backups.col_number), td_string!(locale, backups.col_title),
                td_string!(locale, backups.col_requester), td_string!(locale, backups.col_supplier),
                td_string!(locale, backups.col_status), td_string!(locale, backups.col_total),
            ])
            rows=requests.collect_view().into_any()/>
    }
    .into_any()
}

/// One of the copy's lists: a table of its first rows, and how many there are when not all are shown.
#[component]
fn CopyList(
    id: &'static str,
    title: &'static str,
    /// (rows shown, rows in the copy)
    counts: (u64, u64),
    headers: AnyView,
    rows: AnyView,
    locale: Locale,
) -> impl IntoView {
    let (shown, total) = counts;
    let more = (shown < total).then(|| {
        fill(td_string!(locale, backups.copy_shown), &[("shown", &shown.to_string()), ("total", &total.to_string())])
    });
    let body = if shown == 0 {
        view! { <p>{td_string!(locale, backups.copy_empty)}</p> }.into_any()
    } else {
        view! {
            <div class="table-scroll">
                <table data-testid=id>
                    <thead><tr>{headers}</tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        }
        .into_any()
    };
    let heading = format!("{id}-title");
    let labelled_by = heading.clone();
    view! {
        <section class="card" aria-labelledby=labelled_by>
            <h2 id=heading>{title}</h2>
            {body}
            {more.map(|m| view! { <p>{m}</p> })}
        </section>
    }
}

fn counts<T>(list: &CopyListDto<T>) -> (u64, u64) {
    (list.rows.len() as u64, list.total)
}

/// Closes the copy (it is removed); the page then says none is open.
#[component]
fn CloseForm(slug: String, locale: Locale) -> impl IntoView {
    let action = ServerAction::<CloseBackupCopy>::new();
    let value = action.value();
    refresh_on_success(value);
    view! {
        <ActionForm action=action attr:class="form">
            <CsrfField/>
            <input type="hidden" name="slug" value=slug/>
            <p class="field-error" role="alert">{move || form_error(value, &[]).get()}</p>
            <button type="submit" disabled=move || action.pending().get()>{td_string!(locale, backups.copy_close)}</button>
        </ActionForm>
    }
}
