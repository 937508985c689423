use super::token_from_query;
use crate::api::{RequestPasswordReset, ResetPassword};
use crate::components::{CsrfField, InputField, field_error, form_error};
use crate::i18n::{t_string, use_i18n};
use leptos::prelude::*;
use leptos_meta::Title;
use model::Field;

#[component]
pub fn ResetRequestPage() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<RequestPasswordReset>::new();
    let value = action.value();
    view! {
        <Title text=t_string!(i18n, reset.title)/>
        <section class="card narrow">
            <h1>{t_string!(i18n, reset.title)}</h1>
            <p>{t_string!(i18n, reset.text)}</p>
            <ActionForm action=action attr:class="form">
                <CsrfField/>
                <InputField id="reset-email" name="email" label=t_string!(i18n, common.email) kind="email" autocomplete="email"
                    error=field_error(value, Field::Email)/>
                <p class="field-error" role="alert">{move || form_error(value, &[Field::Email]).get()}</p>
                <button type="submit" disabled=move || action.pending().get()>{t_string!(i18n, reset.send)}</button>
            </ActionForm>
        </section>
    }
}

#[component]
pub fn ResetSentPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=t_string!(i18n, common.check_inbox)/>
        <section class="card narrow" data-testid="reset-sent">
            <h1>{t_string!(i18n, common.check_inbox)}</h1>
            <p>{t_string!(i18n, reset.sent_text)}</p>
        </section>
    }
}

#[component]
pub fn ResetConfirmPage() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<ResetPassword>::new();
    let value = action.value();
    view! {
        <Title text=t_string!(i18n, reset.choose_title)/>
        <section class="card narrow">
            <h1>{t_string!(i18n, reset.choose_title)}</h1>
            <ActionForm action=action attr:class="form">
                <CsrfField/>
                <input type="hidden" name="token" value=token_from_query()/>
                <InputField id="reset-new-password" name="new_password" label=t_string!(i18n, common.new_password) kind="password"
                    autocomplete="new-password" hint=t_string!(i18n, common.at_least_12) error=field_error(value, Field::NewPassword)/>
                <p class="field-error" role="alert">{move || form_error(value, &[Field::NewPassword]).get()}</p>
                <button type="submit" disabled=move || action.pending().get()>{t_string!(i18n, reset.set)}</button>
            </ActionForm>
        </section>
    }
}
