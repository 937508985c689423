use crate::api::{AcceptInvitation, current_user, invitation_preview};
use crate::components::{CsrfField, form_error};
use crate::i18n::{t_string, use_i18n};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// Opened from an invitation mail: says which workspace and address it is for; signed in with that
/// address, one button joins.
#[component]
pub fn AcceptInvitationPage() -> impl IntoView {
    let i18n = use_i18n();
    let locale = crate::lang::current();
    let token = use_query_map().with_untracked(|q| q.get("token")).unwrap_or_default();
    let preview = Resource::new_blocking(
        {
            let token = token.clone();
            move || token.clone()
        },
        invitation_preview,
    );
    let user = Resource::new_blocking(|| (), |_| current_user());
    let action = ServerAction::<AcceptInvitation>::new();
    let value = action.value();
    view! {
        <Title text=t_string!(i18n, invitation.title)/>
        <section class="card narrow">
            <Suspense fallback=move || view! { <p>{t_string!(i18n, common.loading)}</p> }>
                {move || {
                    let token = token.clone();
                    Suspend::new(async move {
                        let preview = match preview.await {
                            Ok(preview) => preview,
                            Err(error) => return view! { <h1>{t_string!(i18n, invitation.title)}</h1><p role="alert">{crate::lang::error_text(locale, &error)}</p> }.into_any(),
                        };
                        let signed_in = user.await.ok().flatten();
                        view! {
                            <h1>{crate::lang::fill(t_string!(i18n, invitation.join), &[("workspace", &preview.workspace.clone())])}</h1>
                            <p>{t_string!(i18n, invitation.intended_for)} " " <strong>{preview.email.clone()}</strong> "."</p>
                            {match signed_in {
                                Some(user) if user.email == preview.email => view! {
                                    <ActionForm action=action attr:class="form">
                                        <CsrfField/>
                                        <input type="hidden" name="token" value=token.clone()/>
                                        <p class="field-error" role="alert">{move || form_error(value, &[]).get()}</p>
                                        <button type="submit">{t_string!(i18n, invitation.join_button)}</button>
                                    </ActionForm>
                                }
                                .into_any(),
                                Some(_) => view! { <p role="alert">{t_string!(i18n, invitation.other_address)}</p> }.into_any(),
                                None => view! {
                                    <p>{t_string!(i18n, invitation.sign_in_first)}</p>
                                    <p><a href="/signin">{t_string!(i18n, common.sign_in)}</a> " · " <a href="/signup">{t_string!(i18n, common.create_account)}</a></p>
                                }
                                .into_any(),
                            }}
                        }
                        .into_any()
                    })
                }}
            </Suspense>
        </section>
    }
}
