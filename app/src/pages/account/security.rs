use super::unavailable;
use crate::api::{
    BeginTotp, ChangePassword, DisableTotp, EndOtherSessions, EndSession, RegenerateRecoveryCodes, RequestEmailChange,
    security_overview,
};
use crate::components::{CsrfField, InputField, Notice, field_error, form_error, refresh_on_success};
use crate::dto::{SecurityOverviewDto, SessionDto};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use model::Field;

#[component]
pub fn SecurityPage() -> impl IntoView {
    // Reloaded whenever a form here redirects back with a new notice.
    let query = use_query_map();
    let refresh = crate::components::refresh();
    let overview = Resource::new_blocking(move || (query.read().get("notice"), refresh.get()), |_| security_overview());
    view! {
        <Title text="Security settings"/>
        <h1>"Security settings"</h1>
        <Notice/>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(overview) => view! { <Settings overview/> }.into_any(),
                    Err(error) => unavailable(error),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Settings(overview: SecurityOverviewDto) -> impl IntoView {
    let SecurityOverviewDto { email, totp_enabled, recovery_codes_left, sessions, events } = overview;
    view! {
        <EmailSection email/>
        <PasswordSection/>
        <TwoFactorSection enabled=totp_enabled recovery_codes_left/>
        <SessionsSection sessions/>
        <section class="card" aria-labelledby="events-title">
            <h2 id="events-title">"Recent security events"</h2>
            <ul class="events">
                {events.into_iter().map(|event| view! {
                    <li><time datetime=event.at.clone()>{event.at.replace('T', " ").replace('Z', " UTC")}</time> " · "
                        {crate::dto::describe_event(&event.kind).to_owned()} " · " {event.ip}</li>
                }).collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn EmailSection(email: String) -> impl IntoView {
    let action = ServerAction::<RequestEmailChange>::new();
    let value = action.value();
    refresh_on_success(value);
    view! {
        <section class="card" aria-labelledby="email-title">
            <h2 id="email-title">"Email address"</h2>
            <p>"You sign in with " <strong data-testid="current-email">{email}</strong> "."</p>
            <ActionForm action=action attr:class="form">
                <CsrfField/>
                <InputField id="new-email" name="new_email" label="New email address" kind="email" autocomplete="email"
                    error=field_error(value, Field::Email)/>
                <InputField id="email-password" name="password" label="Current password" kind="password"
                    autocomplete="current-password" error=field_error(value, Field::Password)/>
                <p class="field-error" role="alert">{move || form_error(value, &[Field::Email, Field::Password]).get()}</p>
                <button type="submit">"Change email address"</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn PasswordSection() -> impl IntoView {
    let action = ServerAction::<ChangePassword>::new();
    let value = action.value();
    refresh_on_success(value);
    view! {
        <section class="card" aria-labelledby="password-title">
            <h2 id="password-title">"Password"</h2>
            <ActionForm action=action attr:class="form">
                <CsrfField/>
                <InputField id="current-password" name="password" label="Current password" kind="password"
                    autocomplete="current-password" error=field_error(value, Field::Password)/>
                <InputField id="new-password" name="new_password" label="New password" kind="password"
                    autocomplete="new-password" hint="At least 12 characters. Your other sessions will be signed out."
                    error=field_error(value, Field::NewPassword)/>
                <p class="field-error" role="alert">{move || form_error(value, &[Field::Password, Field::NewPassword]).get()}</p>
                <button type="submit">"Change password"</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn TwoFactorSection(enabled: bool, recovery_codes_left: u64) -> impl IntoView {
    let begin = ServerAction::<BeginTotp>::new();
    let disable = ServerAction::<DisableTotp>::new();
    refresh_on_success(disable.value());
    let regenerate = ServerAction::<RegenerateRecoveryCodes>::new();
    view! {
        <section class="card" aria-labelledby="totp-title">
            <h2 id="totp-title">"Two-factor authentication"</h2>
            {if enabled {
                view! {
                    <p data-testid="totp-status">"On: signing in asks for a code from your authenticator app."</p>
                    <p class="hint">{format!("{recovery_codes_left} unused recovery codes.")}</p>
                    <ActionForm action=regenerate attr:class="form">
                        <CsrfField/>
                        <InputField id="regenerate-password" name="password" label="Current password" kind="password"
                            autocomplete="current-password" error=field_error(regenerate.value(), Field::Password)/>
                        <button type="submit">"Make new recovery codes"</button>
                    </ActionForm>
                    <ActionForm action=disable attr:class="form">
                        <CsrfField/>
                        <InputField id="disable-totp-password" name="password" label="Current password" kind="password"
                            autocomplete="current-password" error=field_error(disable.value(), Field::Password)/>
                        <p class="field-error" role="alert">{move || form_error(disable.value(), &[Field::Password]).get()}</p>
                        <button type="submit" class="danger">"Turn off two-factor authentication"</button>
                    </ActionForm>
                }
                .into_any()
            } else {
                view! {
                    <p data-testid="totp-status">"Off. Add an authenticator app so that a stolen password alone cannot open your account."</p>
                    <ActionForm action=begin attr:class="form">
                        <CsrfField/>
                        <InputField id="begin-totp-password" name="password" label="Current password" kind="password"
                            autocomplete="current-password" error=field_error(begin.value(), Field::Password)/>
                        <p class="field-error" role="alert">{move || form_error(begin.value(), &[Field::Password]).get()}</p>
                        <button type="submit">"Set up an authenticator app"</button>
                    </ActionForm>
                }
                .into_any()
            }}
        </section>
    }
}

#[component]
fn SessionsSection(sessions: Vec<SessionDto>) -> impl IntoView {
    let end_others = ServerAction::<EndOtherSessions>::new();
    refresh_on_success(end_others.value());
    let others = sessions.iter().filter(|s| !s.current).count();
    view! {
        <section class="card" aria-labelledby="sessions-title">
            <h2 id="sessions-title">"Where you are signed in"</h2>
            <ul class="sessions">
                {sessions.into_iter().map(|session| view! { <SessionRow session/> }).collect_view()}
            </ul>
            {(others > 0).then(|| view! {
                <ActionForm action=end_others attr:class="form">
                    <CsrfField/>
                    <button type="submit">"Sign out all other sessions"</button>
                </ActionForm>
            })}
        </section>
    }
}

#[component]
fn SessionRow(session: SessionDto) -> impl IntoView {
    let end = ServerAction::<EndSession>::new();
    refresh_on_success(end.value());
    view! {
        <li class="session" data-testid="session">
            <span class="session-device">{session.device.clone()}</span>
            <span class="hint">{format!("{} · last active {}", session.ip, session.last_seen_at)}</span>
            {if session.current {
                view! { <strong>"This session"</strong> }.into_any()
            } else {
                view! {
                    <ActionForm action=end attr:class="inline-form">
                        <CsrfField/>
                        <input type="hidden" name="session" value=session.id.clone()/>
                        <button type="submit" class="link-button">"Sign out"</button>
                    </ActionForm>
                }
                .into_any()
            }}
        </li>
    }
}
