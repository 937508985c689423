use crate::api::SignUp;
use crate::components::{CsrfField, InputField, field_error, form_error};
use leptos::prelude::*;
use leptos_meta::Title;
use model::Field;

#[component]
pub fn SignUpPage() -> impl IntoView {
    let action = ServerAction::<SignUp>::new();
    let value = action.value();
    view! {
        <Title text="Create an account"/>
        <section class="card narrow">
            <h1>"Create an account"</h1>
            <ActionForm action=action attr:class="form">
                <CsrfField/>
                <InputField id="signup-email" name="email" label="Email address" kind="email" autocomplete="email"
                    error=field_error(value, Field::Email)/>
                <InputField id="signup-password" name="password" label="Password" kind="password" autocomplete="new-password"
                    hint="At least 12 characters. A few unrelated words make a strong password that is easy to remember."
                    error=field_error(value, Field::Password)/>
                <p class="field-error" role="alert">{move || form_error(value, &[Field::Email, Field::Password]).get()}</p>
                <button type="submit" disabled=move || action.pending().get()>"Create account"</button>
            </ActionForm>
            <p>"Already have an account? " <a href="/signin">"Sign in"</a></p>
        </section>
    }
}

#[component]
pub fn SignUpSentPage() -> impl IntoView {
    view! {
        <Title text="Check your inbox"/>
        <section class="card narrow" data-testid="signup-sent">
            <h1>"Check your inbox"</h1>
            <p>"We sent a link to the address you gave. Open it to confirm the address, then sign in. The link is valid for 24 hours."</p>
            <p class="hint">"Nothing arrived? Check your spam folder, or sign up again to get a new link."</p>
        </section>
    }
}
