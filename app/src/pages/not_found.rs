//! The 404 page: says nothing about what exists.

use crate::i18n::{t_string, use_i18n};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    let i18n = use_i18n();
    view! {
        <Title text=t_string!(i18n, not_found.title)/>
        <section class="card" data-testid="not-found">
            <h1>{t_string!(i18n, not_found.heading)}</h1>
            <p>{t_string!(i18n, not_found.text)}</p>
            <p><a href="/">{t_string!(i18n, not_found.home)}</a></p>
        </section>
    }
}
