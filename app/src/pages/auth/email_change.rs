use super::token_from_query;
use crate::api::{ConfirmEmailChange, UndoEmailChange};
use crate::components::{CsrfField, form_error};
use crate::i18n::{t_string, use_i18n};
use leptos::prelude::*;
use leptos_meta::Title;

/// Opened from the link mailed to the new address.
#[component]
pub fn EmailConfirmPage() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<ConfirmEmailChange>::new();
    let value = action.value();
    view! {
        <Title text=t_string!(i18n, email_change.confirm_title)/>
        <section class="card narrow">
            <h1>{t_string!(i18n, email_change.confirm_heading)}</h1>
            <p>{t_string!(i18n, email_change.confirm_text)}</p>
            <ActionForm action=action attr:class="form">
                <CsrfField/>
                <input type="hidden" name="token" value=token_from_query()/>
                <p class="field-error" role="alert">{move || form_error(value, &[]).get()}</p>
                <button type="submit">{t_string!(i18n, email_change.use_address)}</button>
            </ActionForm>
        </section>
    }
}

/// Opened from the notice mailed to the old address.
#[component]
pub fn EmailUndoPage() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<UndoEmailChange>::new();
    let value = action.value();
    view! {
        <Title text=t_string!(i18n, email_change.undo_title)/>
        <section class="card narrow">
            <h1>{t_string!(i18n, email_change.undo_heading)}</h1>
            <p>{t_string!(i18n, email_change.undo_text)}</p>
            <ActionForm action=action attr:class="form">
                <CsrfField/>
                <input type="hidden" name="token" value=token_from_query()/>
                <p class="field-error" role="alert">{move || form_error(value, &[]).get()}</p>
                <button type="submit" class="danger">{t_string!(i18n, email_change.undo)}</button>
            </ActionForm>
        </section>
    }
}
