use super::nav::WorkspaceNav;
use super::workspace_page;
use crate::api::{UpdatePolicies, policies_page};
use crate::components::{CsrfField, InputField, Notice, form_error, refresh_on_success};
use crate::dto::PolicyDto;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn PoliciesPage() -> impl IntoView {
    view! {
        <Title text="Policies"/>
        {workspace_page(policies_page, |home, policy| {
            let slug = home.workspace.slug.clone();
            view! { <WorkspaceNav home/> <Notice/> <PolicyForm slug policy/> }.into_any()
        })}
    }
}

#[component]
fn PolicyForm(slug: String, policy: PolicyDto) -> impl IntoView {
    let action = ServerAction::<UpdatePolicies>::new();
    let value = action.value();
    refresh_on_success(value);
    let two_factor = policy.two_factor.clone();
    view! {
        <section class="card">
            <h1>"Security and purchasing policies"</h1>
            <p class="hint">"Changes apply to every member at their next request."</p>
            <ActionForm action=action attr:class="form">
                <CsrfField/>
                <input type="hidden" name="slug" value=slug/>
                <InputField id="policy-min-password" name="min_password_chars" label="Minimum password length" kind="number"
                    value=policy.min_password_chars.to_string() hint="12 to 128; it can only be raised. Members with a shorter password must change it at their next sign-in."/>
                <label for="policy-two-factor">"Two-factor authentication"</label>
                <select id="policy-two-factor" name="two_factor">
                    {[("none", "Optional"), ("admins", "Required for administrators"), ("all", "Required for everyone")].into_iter().map(|(value, label)| {
                        view! { <option value=value selected=two_factor == value>{label}</option> }
                    }).collect_view()}
                </select>
                <InputField id="policy-idle" name="session_idle_minutes" label="Sign out after inactivity (minutes)" kind="number" required=false
                    value=policy.session_idle_minutes hint="Empty: the platform's 30 minutes."/>
                <InputField id="policy-absolute" name="session_absolute_hours" label="Sign out after (hours)" kind="number" required=false
                    value=policy.session_absolute_hours hint="Empty: the platform's 12 hours."/>
                <InputField id="policy-failures" name="login_failures" label="Failed sign-ins before a cooldown" kind="number" required=false
                    value=policy.login_failures hint="1 to 20. Empty: the platform's 5."/>
                <InputField id="policy-allowlist" name="admin_ip_allowlist" label="Administration only from these addresses" required=false
                    value=policy.admin_ip_allowlist hint="Addresses or blocks (192.0.2.0/24), separated by commas. Empty: from anywhere."/>
                <InputField id="policy-threshold" name="approval_threshold" label=format!("Approval needed above ({})", policy.currency)
                    value=policy.approval_threshold inputmode="decimal"/>
                <p class="field-error" role="alert">{move || form_error(value, &[]).get()}</p>
                <button type="submit">"Save policies"</button>
            </ActionForm>
        </section>
    }
}
