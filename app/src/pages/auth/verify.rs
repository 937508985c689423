use super::token_from_query;
use crate::api::VerifyEmail;
use crate::components::{CsrfField, form_error};
use crate::i18n::{t_string, use_i18n};
use leptos::prelude::*;
use leptos_meta::Title;

/// Opened from the verification mail. Opening the link changes nothing (GET never does); the button
/// confirms.
#[component]
pub fn VerifyEmailPage() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<VerifyEmail>::new();
    let value = action.value();
    view! {
        <Title text=t_string!(i18n, verify.title)/>
        <section class="card narrow">
            <h1>{t_string!(i18n, verify.title)}</h1>
            <ActionForm action=action attr:class="form">
                <CsrfField/>
                <input type="hidden" name="token" value=token_from_query()/>
                <p class="field-error" role="alert">{move || form_error(value, &[]).get()}</p>
                <button type="submit">{t_string!(i18n, verify.submit)}</button>
            </ActionForm>
        </section>
    }
}
