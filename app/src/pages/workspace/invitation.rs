use crate::api::{AcceptInvitation, current_user, invitation_preview};
use crate::components::{CsrfField, form_error};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// Opened from an invitation mail: says which workspace and address it is for; signed in with that
/// address, one button joins.
#[component]
pub fn AcceptInvitationPage() -> impl IntoView {
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
        <Title text="Invitation"/>
        <section class="card narrow">
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || {
                    let token = token.clone();
                    Suspend::new(async move {
                        let preview = match preview.await {
                            Ok(preview) => preview,
                            Err(error) => return view! { <h1>"Invitation"</h1><p role="alert">{error.to_string()}</p> }.into_any(),
                        };
                        let signed_in = user.await.ok().flatten();
                        view! {
                            <h1>{format!("Join {}", preview.workspace)}</h1>
                            <p>"This invitation is for " <strong>{preview.email.clone()}</strong> "."</p>
                            {match signed_in {
                                Some(user) if user.email == preview.email => view! {
                                    <ActionForm action=action attr:class="form">
                                        <CsrfField/>
                                        <input type="hidden" name="token" value=token.clone()/>
                                        <p class="field-error" role="alert">{move || form_error(value, &[]).get()}</p>
                                        <button type="submit">"Join the workspace"</button>
                                    </ActionForm>
                                }
                                .into_any(),
                                Some(_) => view! { <p role="alert">"You are signed in with another address. Sign out, then sign in or create an account with the invited address."</p> }.into_any(),
                                None => view! {
                                    <p>"Sign in with that address, or create an account with it, then open this link again."</p>
                                    <p><a href="/signin">"Sign in"</a> " · " <a href="/signup">"Create an account"</a></p>
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
