//! The signed-in person's time zone (UX3): follow the workspace's (the default), or one of their own.

use crate::api::SetTimeZone;
use crate::components::{CsrfField, ZoneSelect, field_error, form_error, refresh_on_success};
use crate::i18n::{t_string, use_i18n};
use leptos::prelude::*;
use model::Field;

#[component]
pub(super) fn TimeZoneSection(current: String, choices: Vec<String>) -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<SetTimeZone>::new();
    let value = action.value();
    refresh_on_success(value);
    view! {
        <section class="card" aria-labelledby="zone-title">
            <h2 id="zone-title">{t_string!(i18n, security.language_heading)}</h2>
            <p class="hint">{t_string!(i18n, security.zone_hint)}</p>
            <ActionForm action=action attr:class="form">
                <CsrfField/>
                <ZoneSelect id="time-zone" name="time_zone" label=t_string!(i18n, fields.time_zone)
                    first=Some(t_string!(i18n, security.zone_workspace)) current choices error=field_error(value, Field::TimeZone)/>
                <p class="field-error" role="alert">{move || form_error(value, &[Field::TimeZone]).get()}</p>
                <button type="submit">{t_string!(i18n, security.zone_save)}</button>
            </ActionForm>
        </section>
    }
}
