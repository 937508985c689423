//! The workspace's backups (OPS2, UX2), for holders of `backups.manage`: the list of backups with their
//! size, where they are kept and whether they verified; "back up now"; opening a verified backup beside
//! live as a read-only copy to browse (`backup_copy`); and restoring one onto live, confirmed with the
//! workspace's address.
//!
//! A backup or restore runs on the server as a task of its own. While one runs, the page shows its stage
//! and how many bytes of how many are done, asking the server again every second (in the browser; without
//! JavaScript, a link loads the page again); when it ends, the page reloads its list once. Leaving the
//! page changes nothing: the operation goes on, and the page shows it again when opened.

use super::nav::WorkspaceNav;
use super::workspace_page;
use crate::api::{BackUpNow, OpenBackupCopy, RestoreBackup, backups_page};
use crate::components::{CsrfField, InputField, field_error, form_error, refresh, refresh_on_success};
use crate::dto::{BackupCopyDto, BackupDto, BackupOperationDto, BackupsDto, ReadyExportDto, WorkspaceHomeDto};
use crate::formatting::format_bytes;
use crate::i18n::{Locale, td_string};
use crate::lang::{fill, format_timestamp};
use leptos::prelude::*;
use leptos_meta::Title;
use model::Field;

/// How often the browser asks how far a running operation is.
const POLL_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

#[component]
pub fn BackupsPage() -> impl IntoView {
    let locale = crate::lang::current();
    view! {
        <Title text=td_string!(locale, backups.title)/>
        {workspace_page(backups_page, |home, data| view! { <Backups home data/> }.into_any())}
    }
}

#[component]
fn Backups(home: WorkspaceHomeDto, data: BackupsDto) -> impl IntoView {
    let locale = crate::lang::current();
    let slug = home.workspace.slug.clone();
    let back_up = ServerAction::<BackUpNow>::new();
    refresh_on_success(back_up.value());
    let operation = RwSignal::new(data.operation.clone());
    poll_while_running(slug.clone(), operation);
    let verified: Vec<BackupDto> = data.backups.iter().filter(|b| b.state == "verified").cloned().collect();
    let running = move || operation.get().is_some_and(|op| op.running());
    let rows = data.backups.into_iter().map(|backup| view! { <BackupRow backup locale/> }).collect_view();
    let empty = rows.is_empty();
    let copy = (!verified.is_empty() || data.copy.is_some()).then(|| {
        view! { <CopyForm slug=slug.clone() verified=verified.clone() open=data.copy.clone() locale/> }
    });
    let restore = (!verified.is_empty()).then(|| view! { <RestoreForm slug=slug.clone() verified locale/> });
    let export = view! { <ExportForm slug=slug.clone() ready=data.export_ready.clone() locale/> };
    view! {
        <WorkspaceNav home/>
        <section class="card" aria-labelledby="backups-title">
            <h1 id="backups-title">{td_string!(locale, backups.title)}</h1>
            <p>{td_string!(locale, backups.intro)}</p>
            <div role="status" aria-live="polite" data-testid="backup-operation">
                {move || operation.get().map(|op| view! { <OperationStatus op locale/> })}
            </div>
            <ActionForm action=back_up attr:class="form">
                <CsrfField/>
                <input type="hidden" name="slug" value=slug.clone()/>
                <button type="submit" disabled=move || back_up.pending().get() || running()>
                    {td_string!(locale, backups.back_up_now)}
                </button>
            </ActionForm>
            <p class="field-error" role="alert">{move || form_error(back_up.value(), &[]).get()}</p>
        </section>
        <section class="card" aria-labelledby="backups-list-title">
            <h2 id="backups-list-title">{td_string!(locale, backups.list_heading)}</h2>
            {if empty {
                view! { <p data-testid="backups-empty">{td_string!(locale, backups.none)}</p> }.into_any()
            } else {
                view! {
                    <div class="table-scroll">
                        <table data-testid="backups">
                            <thead><tr>
                                <th scope="col">{td_string!(locale, backups.col_taken)}</th>
                                <th scope="col">{td_string!(locale, backups.col_state)}</th>
                                <th scope="col">{td_string!(locale, backups.col_size)}</th>
                                <th scope="col">{td_string!(locale, backups.col_where)}</th>
                            </tr></thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                }
                .into_any()
            }}
        </section>
        {copy}
        {export}
        {restore}
    }
}

/// The refusal of the last export, carried back in the page's query (one of our own error enums).
fn export_refusal(locale: Locale) -> Signal<Option<String>> {
    let query = leptos_router::hooks::use_query_map();
    Signal::derive(move || {
        let raw = query.read().get("export_error")?;
        let error: crate::error::AppError = serde_json::from_str(&raw).ok()?;
        Some(crate::lang::error_text(locale, &error))
    })
}

/// The portable export: plain forms, one that starts it (the page then shows it running) and, once made,
/// one that downloads it (the answer is a file, which the browser saves while the page stays).
#[component]
fn ExportForm(slug: String, ready: Option<ReadyExportDto>, locale: Locale) -> impl IntoView {
    let refusal = export_refusal(locale);
    let download = ready.map(|ready| {
        let text = fill(
            td_string!(locale, backups.export_ready),
            &[
                ("file", &ready.file_name),
                ("size", &format_bytes(locale, ready.bytes)),
                ("time", &format_timestamp(locale, &ready.expires_at)),
            ],
        );
        view! {
            <form method="post" action=format!("/w/{slug}/admin/backups/export/download") class="form" data-testid="export-download">
                <CsrfField/>
                <p>{text}</p>
                <button type="submit">{td_string!(locale, backups.export_download)}</button>
            </form>
        }
    });
    view! {
        <section class="card" aria-labelledby="export-title">
            <h2 id="export-title">{td_string!(locale, backups.export_heading)}</h2>
            <p>{td_string!(locale, backups.export_text)}</p>
            {download}
            <form method="post" action=format!("/w/{slug}/admin/backups/export") class="form" data-testid="export-form">
                <CsrfField/>
                <div class="field">
                    <label for="export-password">{td_string!(locale, backups.export_password)}</label>
                    <input id="export-password" name="password" type="password" autocomplete="current-password" required/>
                </div>
                <div class="field">
                    <label for="export-passphrase">{td_string!(locale, backups.export_passphrase)}</label>
                    <input id="export-passphrase" name="passphrase" type="password" autocomplete="new-password" minlength="12" maxlength="128"/>
                </div>
                <p class="field-error" role="alert" data-testid="export-error">{move || refusal.get()}</p>
                <button type="submit">{td_string!(locale, backups.export)}</button>
            </form>
        </section>
    }
}

#[component]
fn BackupRow(backup: BackupDto, locale: Locale) -> impl IntoView {
    let state = match backup.state.as_str() {
        "verified" => td_string!(locale, backups.state_verified),
        "running" => td_string!(locale, backups.state_running),
        _ => td_string!(locale, backups.state_failed),
    };
    view! {
        <tr data-state=backup.state.clone()>
            <td>{format_timestamp(locale, &backup.taken_at)}</td>
            <td>{state}</td>
            <td>{backup.bytes.map(|b| format_bytes(locale, b))}</td>
            <td>{backup.targets.join(", ")}</td>
        </tr>
    }
}

/// The running (or last) operation: what it is, its stage and how far, or how it ended.
#[component]
fn OperationStatus(op: BackupOperationDto, locale: Locale) -> impl IntoView {
    let what = match op.kind.as_str() {
        "restore" => td_string!(locale, backups.op_restore),
        "open_copy" => td_string!(locale, backups.op_open_copy),
        "export" => td_string!(locale, backups.op_export),
        _ => td_string!(locale, backups.op_back_up),
    };
    let stage = match op.stage.as_str() {
        "snapshot" => td_string!(locale, backups.stage_snapshot).to_owned(),
        "encrypt" => td_string!(locale, backups.stage_encrypt).to_owned(),
        "copy" => fill(td_string!(locale, backups.stage_copy), &[("target", &op.target.clone().unwrap_or_default())]),
        "safety_backup" => td_string!(locale, backups.stage_safety_backup).to_owned(),
        "restore" => td_string!(locale, backups.stage_restore).to_owned(),
        "export" => td_string!(locale, backups.stage_export).to_owned(),
        "done" => td_string!(locale, backups.stage_done).to_owned(),
        _ => td_string!(locale, backups.stage_starting).to_owned(),
    };
    let started = fill(
        td_string!(locale, backups.started),
        &[("what", &what), ("time", &format_timestamp(locale, &op.started_at))],
    );
    match op.outcome.as_deref() {
        None => {
            let amount = (op.total > 0).then(|| {
                fill(
                    td_string!(locale, backups.progress_of),
                    &[("done", &format_bytes(locale, op.done)), ("total", &format_bytes(locale, op.total))],
                )
            });
            let bar = (op.total > 0)
                .then(|| view! { <progress max=op.total.to_string() value=op.done.to_string()></progress> });
            view! {
                <div class="notice" data-outcome="running">
                    <p>{started}</p>
                    <p data-testid="backup-stage">{stage}</p>
                    {bar}
                    {amount.map(|a| view! { <p>{a}</p> })}
                    <noscript><p><a href="">{td_string!(locale, backups.reload)}</a></p></noscript>
                </div>
            }
            .into_any()
        }
        Some(outcome) => {
            let text = match (outcome, op.kind.as_str()) {
                ("succeeded", "restore") => td_string!(locale, backups.restored),
                ("succeeded", "open_copy") => td_string!(locale, backups.copy_opened),
                ("succeeded", "export") => td_string!(locale, backups.export_made),
                ("succeeded", _) => td_string!(locale, backups.backed_up),
                ("refused", _) => {
                    let reason =
                        op.refusal.map(|c| crate::lang::error_text(locale, &crate::error::AppError::Conflict(c)));
                    let text = fill(td_string!(locale, backups.refused), &[("reason", &reason.unwrap_or_default())]);
                    return view! {
                        <div class="notice" data-outcome="refused">
                            <p>{started}</p>
                            <p data-testid="backup-outcome" role="alert">{text}</p>
                        </div>
                    }
                    .into_any();
                }
                _ => td_string!(locale, backups.failed),
            };
            view! {
                <div class="notice" data-outcome=outcome.to_owned()>
                    <p>{started}</p>
                    <p data-testid="backup-outcome">{text}</p>
                </div>
            }
            .into_any()
        }
    }
}

/// In the browser, while `operation` runs: asks the server again every [`POLL_EVERY`]; once it has
/// ended, reloads the page's data (the list has a new backup, or the workspace new data).
fn poll_while_running(slug: String, operation: RwSignal<Option<BackupOperationDto>>) {
    let reload = refresh();
    Effect::new(move || {
        if !operation.get().is_some_and(|op| op.running()) {
            return;
        }
        let slug = slug.clone();
        set_timeout(
            move || {
                leptos::task::spawn_local(async move {
                    match backups_page(slug).await {
                        Ok(page) if page.operation.as_ref().is_some_and(BackupOperationDto::running) => {
                            operation.set(page.operation);
                        }
                        Ok(_) => reload.update(|n| *n += 1),
                        // Asked again in a second.
                        Err(_) => operation.update(|_| {}),
                    }
                });
            },
            POLL_EVERY,
        );
    });
}

/// Opening a backup beside live as a read-only copy, and the link to the copy open now.
#[component]
fn CopyForm(slug: String, verified: Vec<BackupDto>, open: Option<BackupCopyDto>, locale: Locale) -> impl IntoView {
    let action = ServerAction::<OpenBackupCopy>::new();
    let value = action.value();
    refresh_on_success(value);
    let link = open.map(|copy| {
        let text = fill(td_string!(locale, backups.copy_link), &[("time", &format_timestamp(locale, &copy.taken_at))]);
        view! { <p><a href=format!("/w/{slug}/admin/backups/copy") data-testid="copy-link">{text}</a></p> }
    });
    let form = (!verified.is_empty()).then(|| {
        view! {
            <ActionForm action=action attr:class="form">
                <CsrfField/>
                <input type="hidden" name="slug" value=slug.clone()/>
                <BackupPicker id="copy-backup" label=td_string!(locale, backups.copy_pick) verified locale/>
                <p class="field-error" role="alert">{move || form_error(value, &[]).get()}</p>
                <button type="submit" disabled=move || action.pending().get()>{td_string!(locale, backups.copy_open)}</button>
            </ActionForm>
        }
    });
    view! {
        <section class="card" aria-labelledby="copy-title">
            <h2 id="copy-title">{td_string!(locale, backups.copy_heading)}</h2>
            <p>{td_string!(locale, backups.copy_text)}</p>
            {link}
            {form}
        </section>
    }
}

/// A choice among the verified backups, by the time they were taken.
#[component]
fn BackupPicker(id: &'static str, label: &'static str, verified: Vec<BackupDto>, locale: Locale) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <select id=id name="id">
                {verified.into_iter().map(|b| {
                    let label = format_timestamp(locale, &b.taken_at);
                    view! { <option value=b.id>{label}</option> }
                }).collect_view()}
            </select>
        </div>
    }
}

#[component]
fn RestoreForm(slug: String, verified: Vec<BackupDto>, locale: Locale) -> impl IntoView {
    let action = ServerAction::<RestoreBackup>::new();
    let value = action.value();
    refresh_on_success(value);
    let confirm = fill(td_string!(locale, backups.restore_confirm), &[("slug", &slug)]);
    view! {
        <section class="card danger" aria-labelledby="restore-title">
            <h2 id="restore-title">{td_string!(locale, backups.restore_heading)}</h2>
            <p>{td_string!(locale, backups.restore_text)}</p>
            <ActionForm action=action attr:class="form">
                <CsrfField/>
                <input type="hidden" name="slug" value=slug.clone()/>
                <BackupPicker id="restore-backup" label=td_string!(locale, backups.restore_pick) verified locale/>
                <InputField id="restore-confirm" name="confirm" label=confirm error=field_error(value, Field::WorkspaceSlug)/>
                <p class="field-error" role="alert">{move || form_error(value, &[Field::WorkspaceSlug]).get()}</p>
                <button type="submit" class="danger" disabled=move || action.pending().get()>{td_string!(locale, backups.restore)}</button>
            </ActionForm>
        </section>
    }
}
