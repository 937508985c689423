use super::unavailable;
use crate::api::{ConfirmTotp, pending_totp};
use crate::components::{CsrfField, InputField, field_error, form_error};
use crate::dto::TotpEnrolmentDto;
use crate::i18n::{t_string, use_i18n};
use leptos::prelude::*;
use leptos_meta::Title;
use model::Field;

#[component]
pub fn TotpPage() -> impl IntoView {
    let i18n = use_i18n();
    let enrolment = Resource::new_blocking(|| (), |_| pending_totp());
    view! {
        <Title text=t_string!(i18n, security.setup_totp)/>
        <section class="card narrow">
            <h1>{t_string!(i18n, security.setup_totp)}</h1>
            <Suspense fallback=move || view! { <p>{t_string!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match enrolment.await {
                        Ok(Some(enrolment)) => view! { <Enrolment enrolment/> }.into_any(),
                        Ok(None) => view! {
                            <p>{t_string!(i18n, totp.none)} " " <a href="/account/security">{t_string!(i18n, common.back_to_security)}</a></p>
                        }
                        .into_any(),
                        Err(error) => unavailable(error),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn Enrolment(enrolment: TotpEnrolmentDto) -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<ConfirmTotp>::new();
    let value = action.value();
    let size = enrolment.qr_size.to_string();
    view! {
        <ol class="steps">
            <li>{t_string!(i18n, totp.scan)}</li>
            <li>{t_string!(i18n, totp.enter)}</li>
        </ol>
        <svg class="qr" viewBox=format!("0 0 {size} {size}") role="img" aria-label=t_string!(i18n, totp.qr_label)>
            <rect width=size.clone() height=size.clone() fill="#fff"/>
            <path d=enrolment.qr_path fill="#000"/>
        </svg>
        <p>{t_string!(i18n, totp.key)} " " <code class="secret" data-testid="totp-secret">{enrolment.secret}</code></p>
        <ActionForm action=action attr:class="form">
            <CsrfField/>
            <InputField id="totp-code" name="code" label=t_string!(i18n, totp.code_label) autocomplete="one-time-code" inputmode="numeric"
                error=field_error(value, Field::Code)/>
            <p class="field-error" role="alert">{move || form_error(value, &[Field::Code]).get()}</p>
            <button type="submit">{t_string!(i18n, totp.turn_on)}</button>
        </ActionForm>
    }
}
