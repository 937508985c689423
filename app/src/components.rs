//! Small pieces shared by several pages: the header, form fields with their errors, the CSRF field,
//! notices.

use crate::error::AppError;
use crate::i18n::{t_string, td_string, use_i18n};
use crate::lang;
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
    let i18n = use_i18n();
    let user = Resource::new_blocking(|| (), |_| crate::api::current_user());
    view! {
        <a class="skip-link" href="#main" rel="external">{t_string!(i18n, header.skip)}</a>
        <header class="site-header">
            <a class="brand" href="/">"Strongroom"</a>
            <nav class="site-nav" aria-label=t_string!(i18n, header.account_nav)>
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
                                <a href="/signin">{t_string!(i18n, common.sign_in)}</a>
                                <a href="/signup">{t_string!(i18n, header.create_account)}</a>
                            }
                            .into_any(),
                        }
                    })}
                </Suspense>
                <lang::LanguageSwitcher/>
            </nav>
        </header>
    }
}

/// The workspaces the user belongs to, one click away (a `<details>` menu: works without WebAssembly).
#[component]
fn WorkspaceSwitcher(workspaces: Vec<(String, String)>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <details class="switcher">
            <summary>{t_string!(i18n, header.workspaces)}</summary>
            <ul>
                {workspaces.into_iter().map(|(name, path)| view! { <li><a href=path>{name}</a></li> }).collect_view()}
                <li><a href="/workspaces">{t_string!(i18n, header.all_workspaces)}</a></li>
            </ul>
        </details>
    }
}

#[component]
fn SignOutButton() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<crate::api::SignOut>::new();
    Effect::new(move || {
        if let Some(Ok(next)) = action.value().get() {
            hard_navigate(&next);
        }
    });
    view! {
        <ActionForm action=action attr:class="inline-form">
            <CsrfField/>
            <button type="submit" class="link-button">{t_string!(i18n, common.sign_out)}</button>
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

/// After a submit was refused because of a field, moves the keyboard focus to the first field on the
/// page marked invalid (whose `aria-describedby` names its error), once the page shows the errors.
fn focus_first_invalid_field<T: 'static>(value: impl ActionValue<T>, field: Field) {
    Effect::new(move || {
        if matches!(value.get(), Some(Err(error)) if error.field() == Some(field)) {
            set_timeout(focus_first_invalid, std::time::Duration::ZERO);
        }
    });
}

fn focus_first_invalid() {
    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::JsCast as _;
        let first = web_sys::window()
            .and_then(|window| window.document())
            .and_then(|document| document.query_selector("[aria-invalid=\"true\"]").ok().flatten())
            .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(element) = first {
            let _ = element.focus();
        }
    }
}

/// The error of an action's last run, if it belongs to `field`, in the page's language. When there is
/// one, the focus goes to the first invalid field.
pub fn field_error<T: 'static>(value: impl ActionValue<T>, field: Field) -> Signal<Option<String>> {
    let locale = lang::current();
    focus_first_invalid_field(value.clone(), field);
    Signal::derive(move || match value.get() {
        Some(Err(error)) if error.field() == Some(field) => Some(lang::error_text(locale, &error)),
        _ => None,
    })
}

/// The error of an action's last run if it belongs to none of `fields` (shown above the button).
pub fn form_error<T: 'static>(value: impl ActionValue<T>, fields: &'static [Field]) -> Signal<Option<String>> {
    let locale = lang::current();
    Signal::derive(move || match value.get() {
        Some(Err(error)) if !error.field().is_some_and(|f| fields.contains(&f)) => {
            Some(lang::error_text(locale, &error))
        }
        _ => None,
    })
}

/// The error of an action's last run, whatever it belongs to.
pub fn any_error<T: 'static>(value: impl ActionValue<T>) -> Signal<Option<String>> {
    let locale = lang::current();
    Signal::derive(move || match value.get() {
        Some(Err(error)) => Some(lang::error_text(locale, &error)),
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

/// A labelled choice of time zone (UX3): `first` names what an empty choice means (the workspace's
/// zone, say), then every zone the server offers; `current` is selected.
#[component]
pub fn ZoneSelect(
    id: &'static str,
    name: &'static str,
    #[prop(into)] label: String,
    first: Option<&'static str>,
    current: String,
    choices: Vec<String>,
    error: Signal<Option<String>>,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    view! {
        <label for=id>{label}</label>
        <select id=id name=name aria-describedby=error_id.clone() aria-invalid=move || error.get().is_some().to_string()>
            {first.map(|first| view! { <option value="" selected=current.is_empty()>{first}</option> })}
            {choices.into_iter().map(|zone| {
                let selected = zone == current;
                let words = zone.clone();
                view! { <option value=zone selected=selected>{words}</option> }
            }).collect_view()}
        </select>
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

/// What a page opened by a signed link shows when the link is not ours (or no longer valid): one message,
/// with status 404, whatever was wrong with it.
#[component]
pub fn InvalidLink(testid: &'static str, title: &'static str, text: &'static str) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <section class="card narrow" data-testid=testid>
            <h1>{title}</h1>
            <p>{text}</p>
        </section>
    }
}

/// One-line confirmations after a redirect (`?notice=…`). Only known codes are shown: a link cannot
/// make the page say anything else.
#[component]
pub fn Notice() -> impl IntoView {
    let query = leptos_router::hooks::use_query_map();
    let locale = lang::current();
    let text = move || query.read().get("notice").and_then(|code| notice_text(locale, &code));
    view! {
        {move || text().map(|text| view! { <p class="notice" role="status" data-testid="notice">{text}</p> })}
    }
}

/// The words of a `?notice=` code, if it is one of ours.
pub fn notice_text(locale: lang::Locale, code: &str) -> Option<&'static str> {
    Some(match code {
        "verified" => td_string!(locale, notices.verified),
        "password_reset" => td_string!(locale, notices.password_reset),
        "signed_out" => td_string!(locale, notices.signed_out),
        "email_changed" => td_string!(locale, notices.email_changed),
        "account_locked" => td_string!(locale, notices.account_locked),
        "code_sent" => td_string!(locale, notices.code_sent),
        "password_changed" => td_string!(locale, notices.password_changed),
        "email_change_sent" => td_string!(locale, notices.email_change_sent),
        "totp_enabled" => td_string!(locale, notices.totp_enabled),
        "totp_disabled" => td_string!(locale, notices.totp_disabled),
        "session_ended" => td_string!(locale, notices.session_ended),
        "sessions_ended" => td_string!(locale, notices.sessions_ended),
        "totp_required" => td_string!(locale, notices.totp_required),
        "password_change_required" => td_string!(locale, notices.password_change_required),
        "invited" => td_string!(locale, notices.invited),
        "mail_saved" => td_string!(locale, notices.mail_saved),
        "zone_saved" => td_string!(locale, notices.zone_saved),
        "member_removed" => td_string!(locale, notices.member_removed),
        "policies_saved" => td_string!(locale, notices.policies_saved),
        _ => return None,
    })
}

/// An order's lines (item, quantity, unit price, total), as the sales order page and the end customer's
/// confirmation page both show them.
#[component]
pub fn LinesTable(lines: Vec<crate::dto::LineDto>) -> impl IntoView {
    let i18n = use_i18n();
    let locale = lang::current();
    let amount = move |amount: &str| crate::formatting::format_amount(locale, amount, "");
    view! {
        <table class="lines">
            <thead><tr>
                <th>{t_string!(i18n, confirmation.item)}</th>
                <th>{t_string!(i18n, confirmation.quantity)}</th>
                <th>{t_string!(i18n, confirmation.unit_price)}</th>
                <th>{t_string!(i18n, confirmation.total)}</th>
            </tr></thead>
            <tbody>
                {lines.into_iter().map(|l| view! {
                    <tr><td>{l.description}</td><td>{l.quantity}</td><td>{amount(&l.unit_price)}</td><td>{amount(&l.total)}</td></tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}
