use super::token_from_query;
use crate::api::{RequestPasswordReset, ResetPassword};
use crate::components::{CsrfField, InputField, field_error, form_error};
use leptos::prelude::*;
use leptos_meta::Title;
use model::Field;

#[component]
pub fn ResetRequestPage() -> impl IntoView {
    let action = ServerAction::<RequestPasswordReset>::new();
    let value = action.value();
    view! {
        <Title text="Reset your password"/>
        <section class="card narrow">
            <h1>"Reset your password"</h1>
            <p>"Enter your email address. If it has an account, we will send a link to choose a new password."</p>
            <ActionForm action=action attr:class="form">
                <CsrfField/>
                <InputField id="reset-email" name="email" label="Email address" kind="email" autocomplete="email"
                    error=field_error(value, Field::Email)/>
                <p class="field-error" role="alert">{move || form_error(value, &[Field::Email]).get()}</p>
                <button type="submit" disabled=move || action.pending().get()>"Send the link"</button>
            </ActionForm>
        </section>
    }
}

#[component]
pub fn ResetSentPage() -> impl IntoView {
    view! {
        <Title text="Check your inbox"/>
        <section class="card narrow" data-testid="reset-sent">
            <h1>"Check your inbox"</h1>
            <p>"If the address has an account, a link to choose a new password is on its way. It is valid for 30 minutes and works once."</p>
        </section>
    }
}

#[component]
pub fn ResetConfirmPage() -> impl IntoView {
    let action = ServerAction::<ResetPassword>::new();
    let value = action.value();
    view! {
        <Title text="Choose a new password"/>
        <section class="card narrow">
            <h1>"Choose a new password"</h1>
            <ActionForm action=action attr:class="form">
                <CsrfField/>
                <input type="hidden" name="token" value=token_from_query()/>
                <InputField id="reset-new-password" name="new_password" label="New password" kind="password"
                    autocomplete="new-password" hint="At least 12 characters." error=field_error(value, Field::NewPassword)/>
                <p class="field-error" role="alert">{move || form_error(value, &[Field::NewPassword]).get()}</p>
                <button type="submit" disabled=move || action.pending().get()>"Set the new password"</button>
            </ActionForm>
        </section>
    }
}
