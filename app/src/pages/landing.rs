//! The landing page: what Strongroom is, and the way in.

use crate::i18n::{t_string, use_i18n};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn Landing() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=""/>
        <section class="hero">
            <h1>{t_string!(i18n, landing.headline)}</h1>
            <p class="lede">{t_string!(i18n, landing.lede)}</p>
            <p class="cta">
                <a class="button-link" href="/signup">{t_string!(i18n, common.create_account)}</a>
                <a href="/signin">{t_string!(i18n, common.sign_in)}</a>
                <a href="/workspaces">{t_string!(i18n, landing.your_workspaces)}</a>
                <a href="/security">{t_string!(i18n, landing.security)}</a>
            </p>
        </section>
    }
}
