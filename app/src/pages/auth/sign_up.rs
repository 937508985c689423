use crate::api::SignUp;
use crate::components::{CsrfField, InputField, field_error, form_error};
use crate::i18n::{t_string, use_i18n};
use leptos::prelude::*;
use leptos_meta::Title;
use model::{Field, PasswordRules};

#[component]
pub fn SignUpPage() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<SignUp>::new();
    let value = action.value();
    // Live feedback once the WebAssembly runs; the server checks the same rule (and the common-password list).
    let (typed, set_typed) = signal(0usize);
    let length_hint = move || {
        let (typed, min) = (typed.get(), PasswordRules::MIN_CHARS);
        let advice = t_string!(i18n, sign_up.advice);
        match typed {
            0 => format!("{} {advice}", crate::lang::fill(t_string!(i18n, sign_up.at_least), &[("min", &min)])),
            n if n < min => crate::lang::fill(t_string!(i18n, sign_up.more_needed), &[("count", &(min - n))]),
            _ => format!("{} {advice}", t_string!(i18n, sign_up.long_enough)),
        }
    };
    view! {
        <Title text=t_string!(i18n, common.create_account)/>
        <section class="card narrow">
            <h1>{t_string!(i18n, common.create_account)}</h1>
            <ActionForm action=action attr:class="form">
                <CsrfField/>
                <InputField id="signup-email" name="email" label=t_string!(i18n, common.email) kind="email" autocomplete="email"
                    error=field_error(value, Field::Email)/>
                <label for="signup-password">{t_string!(i18n, common.password)}</label>
                <input id="signup-password" name="password" type="password" autocomplete="new-password" required
                    aria-describedby="signup-password-hint signup-password-error"
                    aria-invalid=move || field_error(value, Field::Password).get().is_some().to_string()
                    on:input=move |ev| set_typed.set(event_target_value(&ev).chars().count())/>
                <p class="hint" id="signup-password-hint" data-testid="password-hint" aria-live="polite">{length_hint}</p>
                <crate::components::FieldError id="signup-password-error" message=field_error(value, Field::Password)/>
                <p class="field-error" role="alert">{move || form_error(value, &[Field::Email, Field::Password]).get()}</p>
                <button type="submit" disabled=move || action.pending().get()>{t_string!(i18n, sign_up.submit)}</button>
            </ActionForm>
            <p>{t_string!(i18n, sign_up.have_account)} " " <a href="/signin">{t_string!(i18n, common.sign_in)}</a></p>
        </section>
    }
}

#[component]
pub fn SignUpSentPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=t_string!(i18n, common.check_inbox)/>
        <section class="card narrow" data-testid="signup-sent">
            <h1>{t_string!(i18n, common.check_inbox)}</h1>
            <p>{t_string!(i18n, sign_up.sent_text)}</p>
            <p class="hint">{t_string!(i18n, sign_up.nothing_arrived)}</p>
        </section>
    }
}
