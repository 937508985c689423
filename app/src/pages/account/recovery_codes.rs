use super::unavailable;
use crate::api::{RecoveryCodesSaved, fresh_recovery_codes};
use crate::components::CsrfField;
use leptos::prelude::*;
use leptos_meta::Title;

/// The recovery codes just made, shown once: they stay in the session until the user says they saved them.
#[component]
pub fn RecoveryCodesPage() -> impl IntoView {
    let codes = Resource::new_blocking(|| (), |_| fresh_recovery_codes());
    let saved = ServerAction::<RecoveryCodesSaved>::new();
    view! {
        <Title text="Your recovery codes"/>
        <section class="card narrow">
            <h1>"Your recovery codes"</h1>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match codes.await {
                        Ok(codes) if !codes.is_empty() => view! {
                            <p>"Keep these somewhere safe, apart from your phone. Each code signs you in once if you lose your authenticator app. They are shown only now."</p>
                            <ol class="recovery-codes" data-testid="recovery-codes">
                                {codes.into_iter().map(|code| view! { <li><code>{code}</code></li> }).collect_view()}
                            </ol>
                            <ActionForm action=saved attr:class="form">
                                <CsrfField/>
                                <button type="submit">"I have saved them"</button>
                            </ActionForm>
                        }
                        .into_any(),
                        Ok(_) => view! { <p><a href="/account/security">"Back to security settings"</a></p> }.into_any(),
                        Err(error) => unavailable(error),
                    }
                })}
            </Suspense>
        </section>
    }
}
