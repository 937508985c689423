//! Small pieces shared by several pages.

use leptos::prelude::*;

#[component]
pub fn SiteHeader() -> impl IntoView {
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="site-header">
            <a class="brand" href="/">"Strongroom"</a>
        </header>
    }
}

/// An error message tied to a form field (`id` is referenced by the input's `aria-describedby`).
#[component]
pub fn FieldError(id: &'static str, message: Signal<Option<String>>) -> impl IntoView {
    view! {
        <p class="field-error" id=id role="alert" aria-live="polite">
            {move || message.get()}
        </p>
    }
}
