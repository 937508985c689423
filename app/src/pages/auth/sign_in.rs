use crate::api::{CompleteSignIn, RequestSignInCode, ResendSignInCode, SignIn, SignInWithCode, pending_second_factor};
use crate::components::{CsrfField, InputField, Notice, field_error, form_error, hard_navigate};
use crate::dto::{SecondFactorDto, SignInDto};
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;
use model::{AuthFailure, Field};

/// After a sign-in step answers, a completed sign-in loads its next page fully (new session, new CSRF
/// token); a second step is reached by the server's redirect.
fn follow_sign_in(value: impl crate::components::ActionValue<SignInDto>) {
    Effect::new(move || {
        if let Some(Ok(SignInDto::SignedIn { next })) = value.get() {
            hard_navigate(&next);
        }
    });
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let action = ServerAction::<SignIn>::new();
    let value = action.value();
    let form = NodeRef::<leptos::html::Form>::new();
    let (proof, set_proof) = signal(None::<(String, u64)>);
    follow_sign_in(value);
    // In the browser: when the server asks for a proof of work, solve it and submit again with it.
    Effect::new(move || {
        if let Some(Err(AppError::Auth(AuthFailure::ProofOfWorkRequired { challenge, difficulty }))) = value.get() {
            if proof.get_untracked().is_some_and(|(solved, _)| solved == challenge) {
                return;
            }
            let solution = model::proof_of_work::solve(&challenge, difficulty);
            set_proof.set(Some((challenge, solution)));
            set_timeout(
                move || {
                    if let Some(form) = form.get_untracked() {
                        let _ = form.request_submit();
                    }
                },
                std::time::Duration::ZERO,
            );
        }
    });
    let checking = move || matches!(value.get(), Some(Err(AppError::Auth(AuthFailure::ProofOfWorkRequired { .. }))));
    view! {
        <Title text="Sign in"/>
        <section class="card narrow">
            <h1>"Sign in"</h1>
            <Notice/>
            <ActionForm action=action node_ref=form attr:class="form">
                <CsrfField/>
                {move || proof.get().map(|(challenge, solution)| view! {
                    <input type="hidden" name="pow_challenge" value=challenge/>
                    <input type="hidden" name="pow_solution" value=solution.to_string()/>
                })}
                <InputField id="signin-email" name="email" label="Email address" kind="email" autocomplete="username"
                    error=field_error(value, Field::Email)/>
                <InputField id="signin-password" name="password" label="Password" kind="password"
                    autocomplete="current-password" error=field_error(value, Field::Password)/>
                <p class="field-error" role="alert" data-testid="signin-error">
                    {move || if checking() { None } else { form_error(value, &[Field::Email, Field::Password]).get() }}
                </p>
                <button type="submit" disabled=move || action.pending().get() || checking()>
                    {move || if checking() { "Checking…" } else { "Sign in" }}
                </button>
            </ActionForm>
            <ul class="links">
                <li><a href="/reset">"Forgot your password?"</a></li>
                <li><a href="/signin/with-code">"Locked out? Sign in with a code sent by email"</a></li>
                <li><a href="/signup">"Create an account"</a></li>
            </ul>
        </section>
    }
}

/// The second step: the emailed code, or the authenticator app's code (or a recovery code).
#[component]
pub fn SecondFactorPage() -> impl IntoView {
    let pending = Resource::new_blocking(|| (), |_| pending_second_factor());
    view! {
        <Title text="Confirm it's you"/>
        <section class="card narrow">
            <h1>"Confirm it's you"</h1>
            <Notice/>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match pending.await {
                        Ok(Some(factor)) => view! { <SecondFactorForm factor/> }.into_any(),
                        _ => view! {
                            <p>"Your sign-in took too long or was not started. " <a href="/signin">"Start again"</a></p>
                        }
                        .into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn SecondFactorForm(factor: SecondFactorDto) -> impl IntoView {
    let action = ServerAction::<CompleteSignIn>::new();
    let value = action.value();
    let resend = ServerAction::<ResendSignInCode>::new();
    follow_sign_in(value);
    let (intro, label, inputmode) = match factor {
        SecondFactorDto::EmailCode => (
            "This sign-in is from a new browser or network, or follows failed attempts. We emailed you a 6-digit code; it is valid for 10 minutes.",
            "Code from the email",
            "numeric",
        ),
        SecondFactorDto::Totp => (
            "Enter the 6-digit code from your authenticator app. Lost your phone? Enter one of your recovery codes instead.",
            "Authenticator code or recovery code",
            "text",
        ),
    };
    view! {
        <p>{intro}</p>
        <ActionForm action=action attr:class="form">
            <CsrfField/>
            <InputField id="second-factor-code" name="code" label=label autocomplete="one-time-code" inputmode=inputmode
                error=field_error(value, Field::Code)/>
            <p class="field-error" role="alert">{move || form_error(value, &[Field::Code]).get()}</p>
            <button type="submit" disabled=move || action.pending().get()>"Sign in"</button>
        </ActionForm>
        {(factor == SecondFactorDto::EmailCode).then(|| view! {
            <ActionForm action=resend attr:class="inline-form">
                <CsrfField/>
                <button type="submit" class="link-button">"Send a new code"</button>
            </ActionForm>
            <p class="field-error" role="alert">{move || resend.value().get().and_then(Result::err).map(|e| e.to_string())}</p>
        })}
    }
}

/// The way in during an account's cooldown: a code sent to the account's address, with the password.
#[component]
pub fn SignInWithCodePage() -> impl IntoView {
    let request = ServerAction::<RequestSignInCode>::new();
    let action = ServerAction::<SignInWithCode>::new();
    let value = action.value();
    follow_sign_in(value);
    view! {
        <Title text="Sign in with an emailed code"/>
        <section class="card narrow">
            <h1>"Sign in with an emailed code"</h1>
            <Notice/>
            <p>"When an account is protected after failed sign-ins, its owner can still get in: we email a one-time code to the account's address."</p>
            <h2>"1. Get a code"</h2>
            <ActionForm action=request attr:class="form">
                <CsrfField/>
                <InputField id="code-request-email" name="email" label="Email address" kind="email" autocomplete="username"
                    error=field_error(request.value(), Field::Email)/>
                <p class="field-error" role="alert">{move || form_error(request.value(), &[Field::Email]).get()}</p>
                <button type="submit">"Email me a code"</button>
            </ActionForm>
            <h2>"2. Sign in"</h2>
            <ActionForm action=action attr:class="form">
                <CsrfField/>
                <InputField id="code-signin-email" name="email" label="Email address" kind="email" autocomplete="username"
                    error=field_error(value, Field::Email)/>
                <InputField id="code-signin-password" name="password" label="Password" kind="password"
                    autocomplete="current-password" error=field_error(value, Field::Password)/>
                <InputField id="code-signin-code" name="code" label="Code from the email" autocomplete="one-time-code"
                    inputmode="numeric" error=field_error(value, Field::Code)/>
                <p class="field-error" role="alert">{move || form_error(value, &[Field::Email, Field::Password, Field::Code]).get()}</p>
                <button type="submit" disabled=move || action.pending().get()>"Sign in"</button>
            </ActionForm>
        </section>
    }
}
