use super::unavailable;
use crate::api::{RecoveryCodesSaved, fresh_recovery_codes};
use crate::components::CsrfField;
use crate::i18n::{t_string, use_i18n};
use leptos::prelude::*;
use leptos_meta::Title;

/// The recovery codes just made, shown once: they stay in the session until the user says they saved them.
#[component]
pub fn RecoveryCodesPage() -> impl IntoView {
    let i18n = use_i18n();
    let codes = Resource::new_blocking(|| (), |_| fresh_recovery_codes());
    let saved = ServerAction::<RecoveryCodesSaved>::new();
    view! {
        <Title text=t_string!(i18n, recovery.title)/>
        <section class="card narrow">
            <h1>{t_string!(i18n, recovery.title)}</h1>
            <Suspense fallback=move || view! { <p>{t_string!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match codes.await {
                        Ok(codes) if !codes.is_empty() => view! {
                            <p>{t_string!(i18n, recovery.text)}</p>
                            <ol class="recovery-codes" data-testid="recovery-codes">
                                {codes.into_iter().map(|code| view! { <li><code>{code}</code></li> }).collect_view()}
                            </ol>
                            <ActionForm action=saved attr:class="form">
                                <CsrfField/>
                                <button type="submit">{t_string!(i18n, recovery.saved)}</button>
                            </ActionForm>
                        }
                        .into_any(),
                        Ok(_) => view! { <p><a href="/account/security">{t_string!(i18n, common.back_to_security)}</a></p> }.into_any(),
                        Err(error) => unavailable(error),
                    }
                })}
            </Suspense>
        </section>
    }
}
