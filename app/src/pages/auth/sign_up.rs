use crate::api::SignUp;
use crate::components::{CsrfField, InputField, field_error, form_error};
use leptos::prelude::*;
use leptos_meta::Title;
use model::{Field, PasswordRules};

#[component]
pub fn SignUpPage() -> impl IntoView {
    let action = ServerAction::<SignUp>::new();
    let value = action.value();
    // Live feedback once the WebAssembly runs; the server checks the same rule (and the common-password list).
    let (typed, set_typed) = signal(0usize);
    let length_hint = move || {
        let (typed, min) = (typed.get(), PasswordRules::MIN_CHARS);
        let advice = "A few unrelated words make a strong password that is easy to remember.";
        match typed {
            0 => format!("At least {min} characters. {advice}"),
            n if n < min => format!("{} more characters needed.", min - n),
            _ => format!("Long enough. {advice}"),
        }
    };
    view! {
        <Title text="Create an account"/>
        <section class="card narrow">
            <h1>"Create an account"</h1>
            <ActionForm action=action attr:class="form">
                <CsrfField/>
                <InputField id="signup-email" name="email" label="Email address" kind="email" autocomplete="email"
                    error=field_error(value, Field::Email)/>
                <label for="signup-password">"Password"</label>
                <input id="signup-password" name="password" type="password" autocomplete="new-password" required
                    aria-describedby="signup-password-hint signup-password-error"
                    on:input=move |ev| set_typed.set(event_target_value(&ev).chars().count())/>
                <p class="hint" id="signup-password-hint" data-testid="password-hint" aria-live="polite">{length_hint}</p>
                <crate::components::FieldError id="signup-password-error" message=field_error(value, Field::Password)/>
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
