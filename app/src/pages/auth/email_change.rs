use super::token_from_query;
use crate::api::{ConfirmEmailChange, UndoEmailChange};
use crate::components::{CsrfField, form_error};
use leptos::prelude::*;
use leptos_meta::Title;

/// Opened from the link mailed to the new address.
#[component]
pub fn EmailConfirmPage() -> impl IntoView {
    let action = ServerAction::<ConfirmEmailChange>::new();
    let value = action.value();
    view! {
        <Title text="Confirm your new email address"/>
        <section class="card narrow">
            <h1>"Use this email address?"</h1>
            <p>"Confirm to make this address the one you sign in with. We will tell your old address, too."</p>
            <ActionForm action=action attr:class="form">
                <CsrfField/>
                <input type="hidden" name="token" value=token_from_query()/>
                <p class="field-error" role="alert">{move || form_error(value, &[]).get()}</p>
                <button type="submit">"Use this address"</button>
            </ActionForm>
        </section>
    }
}

/// Opened from the notice mailed to the old address.
#[component]
pub fn EmailUndoPage() -> impl IntoView {
    let action = ServerAction::<UndoEmailChange>::new();
    let value = action.value();
    view! {
        <Title text="Undo the email change"/>
        <section class="card narrow">
            <h1>"Undo the email change and lock the account"</h1>
            <p>"This puts this address back, signs everyone out, and locks the account until a new password is chosen through a link we send to this address."</p>
            <ActionForm action=action attr:class="form">
                <CsrfField/>
                <input type="hidden" name="token" value=token_from_query()/>
                <p class="field-error" role="alert">{move || form_error(value, &[]).get()}</p>
                <button type="submit" class="danger">"Undo and lock my account"</button>
            </ActionForm>
        </section>
    }
}
