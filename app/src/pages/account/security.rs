use super::unavailable;
use crate::api::{
    BeginTotp, ChangePassword, DisableTotp, EndOtherSessions, EndSession, RegenerateRecoveryCodes, RequestEmailChange,
    security_overview,
};
use crate::components::{CsrfField, InputField, Notice, field_error, form_error, refresh_on_success};
use crate::dto::{SecurityOverviewDto, SessionDto};
use crate::i18n::{t_string, use_i18n};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use model::Field;

#[component]
pub fn SecurityPage() -> impl IntoView {
    let i18n = use_i18n();
    // Reloaded whenever a form here redirects back with a new notice.
    let query = use_query_map();
    let refresh = crate::components::refresh();
    let overview = Resource::new_blocking(move || (query.read().get("notice"), refresh.get()), |_| security_overview());
    view! {
        <Title text=t_string!(i18n, security.title)/>
        <h1>{t_string!(i18n, security.title)}</h1>
        <Notice/>
        <Suspense fallback=move || view! { <p>{t_string!(i18n, common.loading)}</p> }>
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
    let i18n = use_i18n();
    let locale = crate::lang::current();
    let SecurityOverviewDto {
        email,
        totp_enabled,
        recovery_codes_left,
        sessions,
        events,
        mail_topics,
        time_zone,
        time_zones,
    } = overview;
    view! {
        <EmailSection email/>
        <PasswordSection/>
        <TwoFactorSection enabled=totp_enabled recovery_codes_left/>
        <SessionsSection sessions/>
        <super::mail_topics::MailTopicsSection topics=mail_topics/>
        <super::time_zone::TimeZoneSection current=time_zone choices=time_zones/>
        <section class="card" aria-labelledby="events-title">
            <h2 id="events-title">{t_string!(i18n, security.events)}</h2>
            <ul class="events">
                {events.into_iter().map(|event| view! {
                    <li><time datetime=event.at.clone()>{crate::lang::format_timestamp(locale, &event.at)}</time> " · "
                        {crate::dto::describe_event(locale, &event.kind).to_owned()} " · " {event.ip}</li>
                }).collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn EmailSection(email: String) -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<RequestEmailChange>::new();
    let value = action.value();
    refresh_on_success(value);
    view! {
        <section class="card" aria-labelledby="email-title">
            <h2 id="email-title">{t_string!(i18n, security.email_heading)}</h2>
            <p>{t_string!(i18n, security.you_sign_in_with)} " " <strong data-testid="current-email">{email}</strong> "."</p>
            <ActionForm action=action attr:class="form">
                <CsrfField/>
                <InputField id="new-email" name="new_email" label=t_string!(i18n, security.new_email) kind="email" autocomplete="email"
                    error=field_error(value, Field::Email)/>
                <InputField id="email-password" name="password" label=t_string!(i18n, common.current_password) kind="password"
                    autocomplete="current-password" error=field_error(value, Field::Password)/>
                <p class="field-error" role="alert">{move || form_error(value, &[Field::Email, Field::Password]).get()}</p>
                <button type="submit">{t_string!(i18n, security.change_email)}</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn PasswordSection() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<ChangePassword>::new();
    let value = action.value();
    refresh_on_success(value);
    view! {
        <section class="card" aria-labelledby="password-title">
            <h2 id="password-title">{t_string!(i18n, security.password_heading)}</h2>
            <ActionForm action=action attr:class="form">
                <CsrfField/>
                <InputField id="current-password" name="password" label=t_string!(i18n, common.current_password) kind="password"
                    autocomplete="current-password" error=field_error(value, Field::Password)/>
                <InputField id="new-password" name="new_password" label=t_string!(i18n, common.new_password) kind="password"
                    autocomplete="new-password" hint=t_string!(i18n, security.password_hint)
                    error=field_error(value, Field::NewPassword)/>
                <p class="field-error" role="alert">{move || form_error(value, &[Field::Password, Field::NewPassword]).get()}</p>
                <button type="submit">{t_string!(i18n, security.change_password)}</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn TwoFactorSection(enabled: bool, recovery_codes_left: u64) -> impl IntoView {
    let i18n = use_i18n();
    let begin = ServerAction::<BeginTotp>::new();
    let disable = ServerAction::<DisableTotp>::new();
    refresh_on_success(disable.value());
    let regenerate = ServerAction::<RegenerateRecoveryCodes>::new();
    view! {
        <section class="card" aria-labelledby="totp-title">
            <h2 id="totp-title">{t_string!(i18n, security.totp_heading)}</h2>
            {if enabled {
                view! {
                    <p data-testid="totp-status">{t_string!(i18n, security.totp_on)}</p>
                    <p class="hint">{crate::lang::fill(t_string!(i18n, security.codes_left), &[("count", &recovery_codes_left)])}</p>
                    <ActionForm action=regenerate attr:class="form">
                        <CsrfField/>
                        <InputField id="regenerate-password" name="password" label=t_string!(i18n, common.current_password) kind="password"
                            autocomplete="current-password" error=field_error(regenerate.value(), Field::Password)/>
                        <button type="submit">{t_string!(i18n, security.new_codes)}</button>
                    </ActionForm>
                    <ActionForm action=disable attr:class="form">
                        <CsrfField/>
                        <InputField id="disable-totp-password" name="password" label=t_string!(i18n, common.current_password) kind="password"
                            autocomplete="current-password" error=field_error(disable.value(), Field::Password)/>
                        <p class="field-error" role="alert">{move || form_error(disable.value(), &[Field::Password]).get()}</p>
                        <button type="submit" class="danger">{t_string!(i18n, security.totp_off_button)}</button>
                    </ActionForm>
                }
                .into_any()
            } else {
                view! {
                    <p data-testid="totp-status">{t_string!(i18n, security.totp_off)}</p>
                    <ActionForm action=begin attr:class="form">
                        <CsrfField/>
                        <InputField id="begin-totp-password" name="password" label=t_string!(i18n, common.current_password) kind="password"
                            autocomplete="current-password" error=field_error(begin.value(), Field::Password)/>
                        <p class="field-error" role="alert">{move || form_error(begin.value(), &[Field::Password]).get()}</p>
                        <button type="submit">{t_string!(i18n, security.setup_totp)}</button>
                    </ActionForm>
                }
                .into_any()
            }}
        </section>
    }
}

#[component]
fn SessionsSection(sessions: Vec<SessionDto>) -> impl IntoView {
    let i18n = use_i18n();
    let end_others = ServerAction::<EndOtherSessions>::new();
    refresh_on_success(end_others.value());
    let others = sessions.iter().filter(|s| !s.current).count();
    view! {
        <section class="card" aria-labelledby="sessions-title">
            <h2 id="sessions-title">{t_string!(i18n, security.sessions_heading)}</h2>
            <ul class="sessions">
                {sessions.into_iter().map(|session| view! { <SessionRow session/> }).collect_view()}
            </ul>
            {(others > 0).then(|| view! {
                <ActionForm action=end_others attr:class="form">
                    <CsrfField/>
                    <button type="submit">{t_string!(i18n, security.end_others)}</button>
                </ActionForm>
            })}
        </section>
    }
}

#[component]
fn SessionRow(session: SessionDto) -> impl IntoView {
    let i18n = use_i18n();
    let end = ServerAction::<EndSession>::new();
    refresh_on_success(end.value());
    view! {
        <li class="session" data-testid="session">
            <span class="session-device">{session.device.clone()}</span>
            <span class="hint">{crate::lang::fill(t_string!(i18n, security.last_active), &[("ip", &session.ip.clone()), ("at", &crate::lang::format_timestamp(crate::lang::current(), &session.last_seen_at))])}</span>
            {if session.current {
                view! { <strong>{t_string!(i18n, security.this_session)}</strong> }.into_any()
            } else {
                view! {
                    <ActionForm action=end attr:class="inline-form">
                        <CsrfField/>
                        <input type="hidden" name="session" value=session.id.clone()/>
                        <button type="submit" class="link-button">{t_string!(i18n, common.sign_out)}</button>
                    </ActionForm>
                }
                .into_any()
            }}
        </li>
    }
}
