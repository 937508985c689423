use crate::api::{CompleteSignIn, RequestSignInCode, ResendSignInCode, SignIn, SignInWithCode, pending_second_factor};
use crate::components::{CsrfField, InputField, Notice, any_error, field_error, form_error, hard_navigate};
use crate::dto::{SecondFactorDto, SignInDto};
use crate::error::AppError;
use crate::i18n::{t_string, use_i18n};
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
    let i18n = use_i18n();
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
        <Title text=t_string!(i18n, common.sign_in)/>
        <section class="card narrow">
            <h1>{t_string!(i18n, common.sign_in)}</h1>
            <Notice/>
            <ActionForm action=action node_ref=form attr:class="form">
                <CsrfField/>
                {move || proof.get().map(|(challenge, solution)| view! {
                    <input type="hidden" name="pow_challenge" value=challenge/>
                    <input type="hidden" name="pow_solution" value=solution.to_string()/>
                })}
                <InputField id="signin-email" name="email" label=t_string!(i18n, common.email) kind="email" autocomplete="username"
                    error=field_error(value, Field::Email)/>
                <InputField id="signin-password" name="password" label=t_string!(i18n, common.password) kind="password"
                    autocomplete="current-password" error=field_error(value, Field::Password)/>
                <p class="field-error" role="alert" data-testid="signin-error">
                    {move || if checking() { None } else { form_error(value, &[Field::Email, Field::Password]).get() }}
                </p>
                <button type="submit" disabled=move || action.pending().get() || checking()>
                    {move || if checking() { t_string!(i18n, sign_in.checking) } else { t_string!(i18n, common.sign_in) }}
                </button>
            </ActionForm>
            <ul class="links">
                <li><a href="/reset">{t_string!(i18n, sign_in.forgot)}</a></li>
                <li><a href="/signin/with-code">{t_string!(i18n, sign_in.locked_out)}</a></li>
                <li><a href="/signup">{t_string!(i18n, common.create_account)}</a></li>
            </ul>
        </section>
    }
}

/// The second step: the emailed code, or the authenticator app's code (or a recovery code).
#[component]
pub fn SecondFactorPage() -> impl IntoView {
    let i18n = use_i18n();
    let pending = Resource::new_blocking(|| (), |_| pending_second_factor());
    view! {
        <Title text=t_string!(i18n, sign_in.confirm_title)/>
        <section class="card narrow">
            <h1>{t_string!(i18n, sign_in.confirm_title)}</h1>
            <Notice/>
            <Suspense fallback=move || view! { <p>{t_string!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match pending.await {
                        Ok(Some(factor)) => view! { <SecondFactorForm factor/> }.into_any(),
                        _ => view! {
                            <p>{t_string!(i18n, sign_in.too_long)} " " <a href="/signin">{t_string!(i18n, sign_in.start_again)}</a></p>
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
    let i18n = use_i18n();
    let action = ServerAction::<CompleteSignIn>::new();
    let value = action.value();
    let resend = ServerAction::<ResendSignInCode>::new();
    follow_sign_in(value);
    let (intro, label, inputmode) = match factor {
        SecondFactorDto::EmailCode => {
            (t_string!(i18n, sign_in.email_code_intro), t_string!(i18n, common.code_from_email), "numeric")
        }
        SecondFactorDto::Totp => (t_string!(i18n, sign_in.totp_intro), t_string!(i18n, sign_in.totp_label), "text"),
    };
    view! {
        <p>{intro}</p>
        <ActionForm action=action attr:class="form">
            <CsrfField/>
            <InputField id="second-factor-code" name="code" label=label autocomplete="one-time-code" inputmode=inputmode
                error=field_error(value, Field::Code)/>
            <p class="field-error" role="alert">{move || form_error(value, &[Field::Code]).get()}</p>
            <button type="submit" disabled=move || action.pending().get()>{t_string!(i18n, common.sign_in)}</button>
        </ActionForm>
        {(factor == SecondFactorDto::EmailCode).then(|| view! {
            <ActionForm action=resend attr:class="inline-form">
                <CsrfField/>
                <button type="submit" class="link-button">{t_string!(i18n, sign_in.resend)}</button>
            </ActionForm>
            <p class="field-error" role="alert">{move || any_error(resend.value()).get()}</p>
        })}
    }
}

/// The way in during an account's cooldown: a code sent to the account's address, with the password.
#[component]
pub fn SignInWithCodePage() -> impl IntoView {
    let i18n = use_i18n();
    let request = ServerAction::<RequestSignInCode>::new();
    let action = ServerAction::<SignInWithCode>::new();
    let value = action.value();
    follow_sign_in(value);
    view! {
        <Title text=t_string!(i18n, sign_in.with_code_title)/>
        <section class="card narrow">
            <h1>{t_string!(i18n, sign_in.with_code_title)}</h1>
            <Notice/>
            <p>{t_string!(i18n, sign_in.with_code_intro)}</p>
            <h2>{t_string!(i18n, sign_in.step_get_code)}</h2>
            <ActionForm action=request attr:class="form">
                <CsrfField/>
                <InputField id="code-request-email" name="email" label=t_string!(i18n, common.email) kind="email" autocomplete="username"
                    error=field_error(request.value(), Field::Email)/>
                <p class="field-error" role="alert">{move || form_error(request.value(), &[Field::Email]).get()}</p>
                <button type="submit">{t_string!(i18n, sign_in.email_me)}</button>
            </ActionForm>
            <h2>{t_string!(i18n, sign_in.step_sign_in)}</h2>
            <ActionForm action=action attr:class="form">
                <CsrfField/>
                <InputField id="code-signin-email" name="email" label=t_string!(i18n, common.email) kind="email" autocomplete="username"
                    error=field_error(value, Field::Email)/>
                <InputField id="code-signin-password" name="password" label=t_string!(i18n, common.password) kind="password"
                    autocomplete="current-password" error=field_error(value, Field::Password)/>
                <InputField id="code-signin-code" name="code" label=t_string!(i18n, common.code_from_email) autocomplete="one-time-code"
                    inputmode="numeric" error=field_error(value, Field::Code)/>
                <p class="field-error" role="alert">{move || form_error(value, &[Field::Email, Field::Password, Field::Code]).get()}</p>
                <button type="submit" disabled=move || action.pending().get()>{t_string!(i18n, common.sign_in)}</button>
            </ActionForm>
        </section>
    }
}
