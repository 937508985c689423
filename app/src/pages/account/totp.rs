use super::unavailable;
use crate::api::{ConfirmTotp, pending_totp};
use crate::components::{CsrfField, InputField, field_error, form_error};
use crate::dto::TotpEnrolmentDto;
use leptos::prelude::*;
use leptos_meta::Title;
use model::Field;

#[component]
pub fn TotpPage() -> impl IntoView {
    let enrolment = Resource::new_blocking(|| (), |_| pending_totp());
    view! {
        <Title text="Set up an authenticator app"/>
        <section class="card narrow">
            <h1>"Set up an authenticator app"</h1>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match enrolment.await {
                        Ok(Some(enrolment)) => view! { <Enrolment enrolment/> }.into_any(),
                        Ok(None) => view! {
                            <p>"No setup is in progress. " <a href="/account/security">"Back to security settings"</a></p>
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
    let action = ServerAction::<ConfirmTotp>::new();
    let value = action.value();
    let size = enrolment.qr_size.to_string();
    view! {
        <ol class="steps">
            <li>"Scan this code with your authenticator app (or type the key below)."</li>
            <li>"Enter the 6-digit code the app shows."</li>
        </ol>
        <svg class="qr" viewBox=format!("0 0 {size} {size}") role="img" aria-label="QR code for your authenticator app">
            <rect width=size.clone() height=size.clone() fill="#fff"/>
            <path d=enrolment.qr_path fill="#000"/>
        </svg>
        <p>"Key: " <code class="secret" data-testid="totp-secret">{enrolment.secret}</code></p>
        <ActionForm action=action attr:class="form">
            <CsrfField/>
            <InputField id="totp-code" name="code" label="Code from the app" autocomplete="one-time-code" inputmode="numeric"
                error=field_error(value, Field::Code)/>
            <p class="field-error" role="alert">{move || form_error(value, &[Field::Code]).get()}</p>
            <button type="submit">"Turn on two-factor authentication"</button>
        </ActionForm>
    }
}
