//! Small pieces shared by several pages: the header, form fields with their errors, the CSRF field,
//! notices.

use crate::error::AppError;
use leptos::prelude::*;
use model::Field;

/// The session's CSRF token, provided by [`crate::App`] on both server and browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormToken(pub String);

/// The hidden field that carries the CSRF token; every form that changes something includes it.
#[component]
pub fn CsrfField() -> impl IntoView {
    let token = use_context::<FormToken>().map(|t| t.0).unwrap_or_default();
    view! { <input type="hidden" name="_csrf_token" value=token/> }
}

#[component]
pub fn SiteHeader() -> impl IntoView {
    let user = Resource::new_blocking(|| (), |_| crate::api::current_user());
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="site-header">
            <a class="brand" href="/">"Strongroom"</a>
            <nav class="site-nav" aria-label="Account">
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        match user.await {
                            Ok(Some(user)) => view! {
                                <WorkspaceSwitcher workspaces=user.workspaces/>
                                <a href="/account/security" data-testid="signed-in-as">{user.email}</a>
                                <SignOutButton/>
                            }
                            .into_any(),
                            _ => view! {
                                <a href="/signin">"Sign in"</a>
                                <a href="/signup">"Create account"</a>
                            }
                            .into_any(),
                        }
                    })}
                </Suspense>
            </nav>
        </header>
    }
}

/// The workspaces the user belongs to, one click away (a `<details>` menu: works without WebAssembly).
#[component]
fn WorkspaceSwitcher(workspaces: Vec<(String, String)>) -> impl IntoView {
    view! {
        <details class="switcher">
            <summary>"Workspaces"</summary>
            <ul>
                {workspaces.into_iter().map(|(name, path)| view! { <li><a href=path>{name}</a></li> }).collect_view()}
                <li><a href="/workspaces">"All workspaces · new"</a></li>
            </ul>
        </details>
    }
}

#[component]
fn SignOutButton() -> impl IntoView {
    let action = ServerAction::<crate::api::SignOut>::new();
    Effect::new(move || {
        if let Some(Ok(next)) = action.value().get() {
            hard_navigate(&next);
        }
    });
    view! {
        <ActionForm action=action attr:class="inline-form">
            <CsrfField/>
            <button type="submit" class="link-button">"Sign out"</button>
        </ActionForm>
    }
}

/// Loads `path` as a new page (not through the router): after sign-in or sign-out, everything on the
/// page, the CSRF token included, must come from the new session.
pub fn hard_navigate(path: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(window) = web_sys::window() {
        let _ = window.location().assign(path);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = path;
}

/// A counter that pages' resources depend on: when a form changes something and the server sends the
/// browser back to the same page, the router does not reload it, so the form bumps this instead and
/// the page's data is fetched again. (Without WebAssembly, the redirect reloads the page anyway.)
#[derive(Debug, Clone, Copy)]
pub struct Refresh(pub RwSignal<u64>);

/// The page data's refresh counter (provided by [`crate::App`]).
pub fn refresh() -> RwSignal<u64> {
    use_context::<Refresh>().map(|r| r.0).unwrap_or_else(|| RwSignal::new(0))
}

/// Bumps the refresh counter whenever the action succeeds.
pub fn refresh_on_success<T: 'static>(value: impl ActionValue<T>) {
    let counter = refresh();
    Effect::new(move || {
        if matches!(value.get(), Some(Ok(_))) {
            counter.update(|n| *n += 1);
        }
    });
}

/// The value of a server action: its last result, if it has run.
pub trait ActionValue<T>: Get<Value = Option<Result<T, AppError>>> + Clone + Send + Sync + 'static {}

impl<T, S> ActionValue<T> for S where S: Get<Value = Option<Result<T, AppError>>> + Clone + Send + Sync + 'static {}

/// The error of an action's last run, if it belongs to `field`.
pub fn field_error<T: 'static>(value: impl ActionValue<T>, field: Field) -> Signal<Option<String>> {
    Signal::derive(move || match value.get() {
        Some(Err(error)) if error.field() == Some(field) => Some(error.to_string()),
        _ => None,
    })
}

/// The error of an action's last run if it belongs to none of `fields` (shown above the button).
pub fn form_error<T: 'static>(value: impl ActionValue<T>, fields: &'static [Field]) -> Signal<Option<String>> {
    Signal::derive(move || match value.get() {
        Some(Err(error)) if !error.field().is_some_and(|f| fields.contains(&f)) => Some(error.to_string()),
        _ => None,
    })
}

/// A labelled input with its hint and error, wired for screen readers.
#[component]
pub fn InputField(
    id: &'static str,
    name: &'static str,
    #[prop(into)] label: String,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] autocomplete: &'static str,
    #[prop(optional)] hint: &'static str,
    #[prop(optional, into)] error: Option<Signal<Option<String>>>,
    #[prop(optional)] value: String,
    #[prop(optional)] inputmode: &'static str,
    #[prop(default = true)] required: bool,
) -> impl IntoView {
    let error = error.unwrap_or_else(|| Signal::derive(|| None));
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let described = if hint.is_empty() { error_id.clone() } else { format!("{hint_id} {error_id}") };
    view! {
        <label for=id>{label}</label>
        <input
            id=id
            name=name
            type=kind
            autocomplete=(!autocomplete.is_empty()).then_some(autocomplete)
            inputmode=(!inputmode.is_empty()).then_some(inputmode)
            required=required
            value=value
            aria-describedby=described
            aria-invalid=move || error.get().is_some().to_string()
        />
        {(!hint.is_empty()).then(|| view! { <p class="hint" id=hint_id.clone()>{hint}</p> })}
        <FieldError id=error_id message=error/>
    }
}

/// An error message tied to a form field (`id` is referenced by the input's `aria-describedby`).
#[component]
pub fn FieldError(#[prop(into)] id: String, message: Signal<Option<String>>) -> impl IntoView {
    view! {
        <p class="field-error" id=id role="alert" aria-live="polite">
            {move || message.get()}
        </p>
    }
}

/// One-line confirmations after a redirect (`?notice=…`). Only known codes are shown: a link cannot
/// make the page say anything else.
#[component]
pub fn Notice() -> impl IntoView {
    let query = leptos_router::hooks::use_query_map();
    let text = move || {
        query.read().get("notice").and_then(|code| {
            Some(match code.as_str() {
                "verified" => "Your email address is confirmed. You can sign in now.",
                "password_reset" => {
                    "Your password was changed and every session was signed out. Sign in with the new password."
                }
                "signed_out" => "You are signed out.",
                "email_changed" => "Your email address was changed. A notice went to your old address too.",
                "account_locked" => {
                    "The change was undone and the account is locked. We sent a link to choose a new password."
                }
                "code_sent" => {
                    "If that address has an account, a sign-in code is on its way. It is valid for 10 minutes."
                }
                "password_changed" => "Your password was changed. Your other sessions were signed out.",
                "email_change_sent" => {
                    "We sent a confirmation link to the new address. The change happens when you open it."
                }
                "totp_enabled" => "Two-factor authentication is on.",
                "totp_disabled" => "Two-factor authentication is off.",
                "session_ended" => "The session was signed out.",
                "sessions_ended" => "All your other sessions were signed out.",
                "totp_required" => "A workspace you belong to requires two-factor authentication: set up an authenticator app below to continue.",
                "password_change_required" => "A workspace you belong to requires a longer password: choose a new one below to continue.",
                "invited" => "The invitation is on its way.",
                "member_removed" => "The member was removed; their access ended at once.",
                "policies_saved" => "The policies are saved and apply from each member's next request.",
                _ => return None,
            })
        })
    };
    view! {
        {move || text().map(|text| view! { <p class="notice" role="status" data-testid="notice">{text}</p> })}
    }
}
