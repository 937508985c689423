use super::nav::WorkspaceNav;
use super::workspace_page;
use crate::api::{UpdatePolicies, policies_page};
use crate::components::{CsrfField, InputField, Notice, ZoneSelect, field_error, form_error, refresh_on_success};
use crate::dto::PolicyDto;
use crate::i18n::{t_string, use_i18n};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn PoliciesPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=t_string!(i18n, nav.policies)/>
        {workspace_page(policies_page, |home, policy| {
            let slug = home.workspace.slug.clone();
            view! { <WorkspaceNav home/> <Notice/> <PolicyForm slug policy/> }.into_any()
        })}
    }
}

#[component]
fn PolicyForm(slug: String, policy: PolicyDto) -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<UpdatePolicies>::new();
    let value = action.value();
    refresh_on_success(value);
    let two_factor = policy.two_factor.clone();
    view! {
        <section class="card">
            <h1>{t_string!(i18n, policies.title)}</h1>
            <p class="hint">{t_string!(i18n, policies.apply)}</p>
            <ActionForm action=action attr:class="form">
                <CsrfField/>
                <input type="hidden" name="slug" value=slug/>
                <InputField id="policy-min-password" name="min_password_chars" label=t_string!(i18n, policies.min_password) kind="number"
                    value=policy.min_password_chars.to_string() hint=t_string!(i18n, policies.min_password_hint)/>
                <label for="policy-two-factor">{t_string!(i18n, policies.two_factor)}</label>
                <select id="policy-two-factor" name="two_factor">
                    {[("none", t_string!(i18n, policies.optional)), ("admins", t_string!(i18n, policies.admins)), ("all", t_string!(i18n, policies.all))].into_iter().map(|(value, label)| {
                        view! { <option value=value selected=two_factor == value>{label}</option> }
                    }).collect_view()}
                </select>
                <InputField id="policy-idle" name="session_idle_minutes" label=t_string!(i18n, policies.idle) kind="number" required=false
                    value=policy.session_idle_minutes hint=t_string!(i18n, policies.idle_hint)/>
                <InputField id="policy-absolute" name="session_absolute_hours" label=t_string!(i18n, policies.absolute) kind="number" required=false
                    value=policy.session_absolute_hours hint=t_string!(i18n, policies.absolute_hint)/>
                <InputField id="policy-failures" name="login_failures" label=t_string!(i18n, policies.failures) kind="number" required=false
                    value=policy.login_failures hint=t_string!(i18n, policies.failures_hint)/>
                <InputField id="policy-allowlist" name="admin_ip_allowlist" label=t_string!(i18n, policies.allowlist) required=false
                    value=policy.admin_ip_allowlist hint=t_string!(i18n, policies.allowlist_hint)/>
                <InputField id="policy-threshold" name="approval_threshold" label=crate::lang::fill(t_string!(i18n, policies.threshold), &[("currency", &policy.currency.clone())])
                    value=policy.approval_threshold inputmode="decimal"/>
                <ZoneSelect id="policy-time-zone" name="time_zone" label=t_string!(i18n, policies.time_zone) first=None
                    current=policy.time_zone choices=policy.time_zones error=field_error(value, model::Field::TimeZone)/>
                <p class="field-error" role="alert">{move || form_error(value, &[model::Field::TimeZone]).get()}</p>
                <button type="submit">{t_string!(i18n, policies.save)}</button>
            </ActionForm>
        </section>
    }
}
