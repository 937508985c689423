use super::token_from_query;
use crate::api::VerifyEmail;
use crate::components::{CsrfField, form_error};
use leptos::prelude::*;
use leptos_meta::Title;

/// Opened from the verification mail. Opening the link changes nothing (GET never does); the button
/// confirms.
#[component]
pub fn VerifyEmailPage() -> impl IntoView {
    let action = ServerAction::<VerifyEmail>::new();
    let value = action.value();
    view! {
        <Title text="Confirm your email address"/>
        <section class="card narrow">
            <h1>"Confirm your email address"</h1>
            <ActionForm action=action attr:class="form">
                <CsrfField/>
                <input type="hidden" name="token" value=token_from_query()/>
                <p class="field-error" role="alert">{move || form_error(value, &[]).get()}</p>
                <button type="submit">"Confirm my email address"</button>
            </ActionForm>
        </section>
    }
}
