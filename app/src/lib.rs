//! Strongroom's user interface: one Leptos app, rendered on the server (`ssr`) and hydrated in the
//! browser (`hydrate`, built to WebAssembly by the `frontend` crate).
//!
//! - [`shell`] is the HTML document; [`App`] holds the routes.
//! - [`pages`] and [`components`]: what people see.
//! - [`api`]: server functions, thin adapters onto the `domain` crate (server only).
//! - [`dto`] and [`error`]: what crosses the wire.

// Leptos view types nest deeply; the compiler needs more room to compute their layouts.
#![recursion_limit = "256"]

pub mod api;
pub mod assets;
#[cfg(feature = "ssr")]
pub mod auth;
pub mod components;
#[cfg(feature = "ssr")]
pub mod context;
pub mod dto;
pub mod error;
pub mod formatting;
mod hydration;
pub mod lang;
pub mod pages;
pub mod qr;
pub mod zone;

// The `i18n` module: the catalogue in `locales/`, its keys checked at compile time. (The crate now
// prefers generating it from a build script, which would add a build-time dependency tree; the macro
// reads the same files.)
#[allow(deprecated)]
mod i18n_catalogue {
    leptos_i18n::load_locales!();
}
pub use i18n_catalogue::i18n;

use leptos::prelude::*;
use leptos_i18n::Locale as _;
use leptos_meta::{MetaTags, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{SsrMode, path};

/// The HTML document around the app. Hydration scripts carry the request's CSP nonce (only in `nonce`
/// attributes: see `hydration`).
pub fn shell(options: LeptosOptions, assets: assets::AssetNames) -> impl IntoView {
    // The language the server chose for this request (see `lang`), so the first paint is in it.
    let lang = request_locale().as_str();
    let stylesheet = format!("/{}/{}", options.site_pkg_dir, assets.css);
    view! {
        <!DOCTYPE html>
        <html lang=lang>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                <link rel="stylesheet" href=stylesheet/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <hydration::HydrationScripts options assets/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The locale the server's locale middleware chose for this request (English outside a request).
fn request_locale() -> lang::Locale {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<lang::RequestLocale>().map(|l| l.0))
            .unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    lang::Locale::default()
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // The page's language: decided on the server, carried to the browser with the page, so hydration
    // renders the very same words.
    let locale = SharedValue::new(|| request_locale().as_str().to_owned()).into_inner();
    let locale = lang::parse_tag(&locale).unwrap_or_default();
    provide_context(leptos_i18n::context::init_i18n_subcontext::<lang::Locale>(Some(Signal::stored(locale))));
    // The time zone of the page's times, decided on the server the same way (see `zone`).
    let zone = SharedValue::new(|| {
        #[cfg(feature = "ssr")]
        {
            use_context::<http::request::Parts>()
                .and_then(|parts| parts.extensions.get::<zone::RequestZone>().map(|zone| zone.0.clone()))
                .unwrap_or_default()
        }
        #[cfg(not(feature = "ssr"))]
        zone::ViewerZone::default()
    })
    .into_inner();
    provide_context(zone);
    // Effects run only in the browser: `data-hydrated` appears once the WebAssembly has taken over,
    // which lets browser tests (and curious people) tell a hydrated page from a server-rendered one.
    let (hydrated, set_hydrated) = signal(false);
    Effect::new(move || set_hydrated.set(true));
    // The CSRF token of this session, rendered into every form; carried to the browser with the page.
    let csrf_token = SharedValue::new(|| {
        #[cfg(feature = "ssr")]
        {
            use_context::<http::request::Parts>()
                .and_then(|parts| parts.extensions.get::<context::CsrfToken>().map(|token| token.0.clone()))
                .unwrap_or_default()
        }
        #[cfg(not(feature = "ssr"))]
        String::new()
    })
    .into_inner();
    provide_context(components::FormToken(csrf_token));
    provide_context(components::Refresh(RwSignal::new(0)));
    view! {
        <Title formatter=|page: String| if page.is_empty() { "Strongroom".to_owned() } else { format!("{page} · Strongroom") }/>
        <Router>
            <components::SiteHeader/>
            <main id="main" tabindex="-1" data-hydrated=move || hydrated.get().then_some("true")>
                // Async everywhere: each page is sent complete, readable without JavaScript, with the right
                // status (out-of-order streaming would need JavaScript to put content in place).
                <Routes fallback=pages::NotFound>
                    <Route path=path!("/") view=pages::Landing ssr=SsrMode::Async/>
                    <Route path=path!("/workspaces") view=pages::WorkspacesPage ssr=SsrMode::Async/>
                    <Route path=path!("/invitations/accept") view=pages::AcceptInvitationPage ssr=SsrMode::Async/>
                    <Route path=path!("/w/:slug") view=pages::WorkspacePage ssr=SsrMode::Async/>
                    <Route path=path!("/w/:slug/requests") view=pages::RequestsPage ssr=SsrMode::Async/>
                    <Route path=path!("/w/:slug/requests/new") view=pages::NewRequestPage ssr=SsrMode::Async/>
                    <Route path=path!("/w/:slug/requests/:id") view=pages::RequestPage ssr=SsrMode::Async/>
                    <Route path=path!("/w/:slug/orders") view=pages::OrdersPage ssr=SsrMode::Async/>
                    <Route path=path!("/w/:slug/suppliers") view=pages::SuppliersPage ssr=SsrMode::Async/>
                    <Route path=path!("/w/:slug/members") view=pages::MembersPage ssr=SsrMode::Async/>
                    <Route path=path!("/w/:slug/admin/roles") view=pages::RolesPage ssr=SsrMode::Async/>
                    <Route path=path!("/w/:slug/admin/policies") view=pages::PoliciesPage ssr=SsrMode::Async/>
                    <Route path=path!("/w/:slug/admin/audit") view=pages::AuditPage ssr=SsrMode::Async/>
                    <Route path=path!("/w/:slug/admin/billing") view=pages::BillingPage ssr=SsrMode::Async/>
                    <Route path=path!("/w/:slug/customers") view=pages::CustomersPage ssr=SsrMode::Async/>
                    <Route path=path!("/w/:slug/customers/:id") view=pages::CustomerPage ssr=SsrMode::Async/>
                    <Route path=path!("/w/:slug/sales") view=pages::SalesOrdersPage ssr=SsrMode::Async/>
                    <Route path=path!("/w/:slug/sales/new") view=pages::NewSalesOrderPage ssr=SsrMode::Async/>
                    <Route path=path!("/w/:slug/sales/:id") view=pages::SalesOrderPage ssr=SsrMode::Async/>
                    <Route path=path!("/w/:slug/admin/data") view=pages::DataKeysPage ssr=SsrMode::Async/>
                    <Route path=path!("/w/:slug/admin/backups") view=pages::BackupsPage ssr=SsrMode::Async/>
                    <Route path=path!("/w/:slug/admin/backups/copy") view=pages::BackupCopyPage ssr=SsrMode::Async/>
                    <Route path=path!("/signup") view=pages::SignUpPage ssr=SsrMode::Async/>
                    <Route path=path!("/signup/sent") view=pages::SignUpSentPage ssr=SsrMode::Async/>
                    <Route path=path!("/verify") view=pages::VerifyEmailPage ssr=SsrMode::Async/>
                    <Route path=path!("/signin") view=pages::SignInPage ssr=SsrMode::Async/>
                    <Route path=path!("/signin/code") view=pages::SecondFactorPage ssr=SsrMode::Async/>
                    <Route path=path!("/signin/with-code") view=pages::SignInWithCodePage ssr=SsrMode::Async/>
                    <Route path=path!("/reset") view=pages::ResetRequestPage ssr=SsrMode::Async/>
                    <Route path=path!("/reset/sent") view=pages::ResetSentPage ssr=SsrMode::Async/>
                    <Route path=path!("/reset/confirm") view=pages::ResetConfirmPage ssr=SsrMode::Async/>
                    <Route path=path!("/email/confirm") view=pages::EmailConfirmPage ssr=SsrMode::Async/>
                    <Route path=path!("/email/undo") view=pages::EmailUndoPage ssr=SsrMode::Async/>
                    <Route path=path!("/account/security") view=pages::SecurityPage ssr=SsrMode::Async/>
                    <Route path=path!("/account/totp") view=pages::TotpPage ssr=SsrMode::Async/>
                    <Route path=path!("/account/recovery-codes") view=pages::RecoveryCodesPage ssr=SsrMode::Async/>
                    <Route path=path!("/security") view=pages::security::SecurityPromisesPage ssr=SsrMode::Async/>
                    <Route path=path!("/confirmation/:token") view=pages::ConfirmationPage ssr=SsrMode::Async/>
                    <Route path=path!("/mail/unsubscribe") view=pages::UnsubscribePage ssr=SsrMode::Async/>
                </Routes>
            </main>
        </Router>
    }
}
