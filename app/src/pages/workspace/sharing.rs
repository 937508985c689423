//! The parts of a sales order's page that share it: its attachments (DATA4: the list with downloads,
//! and a plain multipart upload form that works without WebAssembly) and its signed links for the end
//! customer (DATA5: make one, see where each stands, revoke it).

use crate::api::{CreateOrderLink, RevokeOrderLink};
use crate::components::{CsrfField, form_error, refresh_on_success};
use crate::dto::{AttachmentDto, OrderLinkDto};
use crate::error::AppError;
use crate::i18n::{t_string, use_i18n};
use crate::lang;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The refusal of the last upload, carried back in the page's query (one of our own error enums).
fn upload_refusal() -> Signal<Option<String>> {
    let query = use_query_map();
    let locale = lang::current();
    Signal::derive(move || {
        let raw = query.read().get("upload_error")?;
        let error: AppError = serde_json::from_str(&raw).ok()?;
        Some(lang::error_text(locale, &error))
    })
}

fn size_text(bytes: i64) -> String {
    let bytes = bytes.max(0) as u64;
    if bytes < 1024 { format!("{bytes} B") } else { format!("{} KiB", bytes.div_ceil(1024)) }
}

/// Attachments of the thing at `upload` (its upload address); `can_upload` shows the form.
#[component]
pub fn Attachments(base: String, upload: String, items: Vec<AttachmentDto>, can_upload: bool) -> impl IntoView {
    let i18n = use_i18n();
    let locale = lang::current();
    let refusal = upload_refusal();
    view! {
        <section class="card" aria-labelledby="attachments-title">
            <h2 id="attachments-title">{t_string!(i18n, attachments.title)}</h2>
            {items.is_empty().then(|| view! { <p class="hint">{t_string!(i18n, attachments.none)}</p> })}
            <ul class="rows" data-testid="attachments">
                {items.into_iter().map(|a| view! {
                    <li class="row" data-testid="attachment">
                        <a href=format!("{base}/attachments/{}", a.id) rel="external" download=a.filename.clone()>{a.filename.clone()}</a>
                        <span class="hint">{format!("{} · {}", size_text(a.size_bytes), lang::format_timestamp(locale, &a.created_at))}</span>
                    </li>
                }).collect_view()}
            </ul>
            {can_upload.then(|| view! {
                <form method="post" enctype="multipart/form-data" action=upload class="form" data-testid="upload-form">
                    <CsrfField/>
                    <label for="attachment-file">{t_string!(i18n, attachments.file)}</label>
                    <input id="attachment-file" name="file" type="file" required
                        accept=".pdf,.png,.jpg,.jpeg,.webp,.csv,.txt,application/pdf,image/png,image/jpeg,image/webp,text/csv,text/plain"/>
                    <p class="hint">{t_string!(i18n, attachments.hint)}</p>
                    <p class="field-error" role="alert" data-testid="upload-error">{move || refusal.get()}</p>
                    <button type="submit">{t_string!(i18n, attachments.upload)}</button>
                </form>
            })}
        </section>
    }
}

/// The signed links of order `id` (only for those who may manage it).
#[component]
pub fn OrderLinks(slug: String, id: String, links: Vec<OrderLinkDto>) -> impl IntoView {
    let i18n = use_i18n();
    let locale = lang::current();
    let create = ServerAction::<CreateOrderLink>::new();
    let created = create.value();
    refresh_on_success(created);
    let revoke = ServerAction::<RevokeOrderLink>::new();
    let revoked = revoke.value();
    refresh_on_success(revoked);
    let (create_slug, create_id) = (slug.clone(), id.clone());
    view! {
        <section class="card" aria-labelledby="links-title">
            <h2 id="links-title">{t_string!(i18n, order_links.title)}</h2>
            <p class="hint">{t_string!(i18n, order_links.hint)}</p>
            {links.is_empty().then(|| view! { <p class="hint">{t_string!(i18n, order_links.none)}</p> })}
            <ul class="rows" data-testid="order-links">
                {links.into_iter().map(|l| {
                    let state = match l.state.as_str() {
                        "active" => lang::fill(t_string!(i18n, order_links.active_until), &[("at", &lang::format_timestamp(locale, &l.expires_at))]),
                        "revoked" => t_string!(i18n, order_links.revoked).to_owned(),
                        _ => t_string!(i18n, order_links.expired).to_owned(),
                    };
                    let opened = l.last_opened_at.as_ref().map(|at| lang::fill(t_string!(i18n, order_links.opened), &[("at", &lang::format_timestamp(locale, at))]));
                    let active = l.state == "active";
                    let (slug, id, link) = (slug.clone(), id.clone(), l.id.clone());
                    view! {
                        <li class="row" data-testid="order-link" data-state=l.state.clone()>
                            <a href=l.path.clone() rel="external" class="link-token" data-testid="order-link-url">{l.path.clone()}</a>
                            <span class="hint">{state}{opened.map(|o| format!(" · {o}"))}</span>
                            {active.then(|| view! {
                                <ActionForm action=revoke attr:class="form inline">
                                    <CsrfField/>
                                    <input type="hidden" name="slug" value=slug/>
                                    <input type="hidden" name="id" value=id/>
                                    <input type="hidden" name="link" value=link/>
                                    <button type="submit" class="danger">{t_string!(i18n, order_links.revoke)}</button>
                                </ActionForm>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul>
            <ActionForm action=create attr:class="form inline">
                <CsrfField/>
                <input type="hidden" name="slug" value=create_slug/>
                <input type="hidden" name="id" value=create_id/>
                <button type="submit">{t_string!(i18n, order_links.create)}</button>
            </ActionForm>
            <p class="field-error" role="alert">{move || form_error(created, &[]).get().or_else(|| form_error(revoked, &[]).get())}</p>
        </section>
    }
}
