//! Server functions: the browser's entry points into the server.
//!
//! Each one is thin: it takes what it needs about the caller from the request context (never from its
//! arguments), parses its arguments into `model` types, calls `domain`, maps the answer to a DTO, and
//! ends with [`finish`].

mod admin;
mod audit_chain;
mod auth;
mod backups;
mod billing;
mod mail;
mod preferences;
mod purchasing;
mod sales;
mod sharing;
mod workspaces;

pub use admin::*;
pub use audit_chain::*;
pub use auth::*;
pub use backups::*;
pub use billing::*;
pub use mail::*;
pub use preferences::*;
pub use purchasing::*;
pub use sales::*;
pub use sharing::*;
pub use workspaces::*;

/// Redirects a plain form post; a WebAssembly caller gets the value and navigates itself (with
/// [`crate::components::hard_navigate`]). For pages outside the app this is the only way: the router's
/// redirect hook would route a same-origin address such as the sandbox's pages inside the app, where
/// it is not found.
#[cfg(feature = "ssr")]
fn redirect_plain_post(path: &str) {
    if crate::context::is_plain_form_post() {
        leptos_axum::redirect(path);
    }
}

/// The common last step of every server function: a failure gets its proper HTTP status.
#[cfg(feature = "ssr")]
fn finish<T>(result: Result<T, crate::error::AppError>) -> Result<T, crate::error::AppError> {
    if let Err(error) = &result {
        crate::context::set_error_status(error);
    }
    result
}
