//! The landing page: what Strongroom is, and the way in.

use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn Landing() -> impl IntoView {
    view! {
        <Title text=""/>
        <section class="hero">
            <h1>"Business data, kept like it matters."</h1>
            <p class="lede">
                "Orders, purchasing with team approvals, and billing, for companies that need every "
                "promise on a security page to be true. Each workspace gets a database of its own."
            </p>
            <p class="cta">
                <a class="button-link" href="/signup">"Create an account"</a>
                <a href="/signin">"Sign in"</a>
                <a href="/workspaces">"Your workspaces"</a>
                <a href="/security">"Security"</a>
            </p>
        </section>
    }
}
