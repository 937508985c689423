//! Pages of the identity flows: sign-up, verification, sign-in (with its second step and the emailed
//! code way in), password reset, and the links mailed for an email change.

use leptos::prelude::*;

mod email_change;
mod reset;
mod sign_in;
mod sign_up;
mod verify;

pub use email_change::{EmailConfirmPage, EmailUndoPage};
pub use reset::{ResetConfirmPage, ResetRequestPage, ResetSentPage};
pub use sign_in::{SecondFactorPage, SignInPage, SignInWithCodePage};
pub use sign_up::{SignUpPage, SignUpSentPage};
pub use verify::VerifyEmailPage;

/// The `token` query parameter of a mailed link.
fn token_from_query() -> String {
    leptos_router::hooks::use_query_map().with_untracked(|query| query.get("token")).unwrap_or_default()
}
