//! The signed-in user's own pages: security settings, authenticator enrolment, recovery codes.

mod mail_topics;
mod recovery_codes;
mod security;
mod time_zone;
mod totp;

pub use recovery_codes::RecoveryCodesPage;
pub use security::SecurityPage;
pub use totp::TotpPage;

use crate::error::AppError;
use leptos::prelude::*;
use leptos_router::components::Redirect;
use model::AuthFailure;

/// What a signed-in page shows when loading its data failed: signed out → the sign-in page.
fn unavailable(error: AppError) -> AnyView {
    match error {
        AppError::Auth(AuthFailure::SignInRequired) => view! { <Redirect path="/signin"/> }.into_any(),
        other => {
            view! { <p class="field-error" role="alert">{crate::lang::error_text(crate::lang::current(), &other)}</p> }
                .into_any()
        }
    }
}
