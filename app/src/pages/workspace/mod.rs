//! Pages inside a workspace (`/w/:slug/…`), the workspaces list, and invitation acceptance. Each page
//! loads its data through server functions that enter the workspace as the verified caller; the
//! navigation shows only what the caller's permissions allow (the server refuses the rest anyway).

mod audit;
mod home;
mod invitation;
mod members;
mod nav;
mod orders;
mod policies;
mod requests;
mod roles;
mod suppliers;
mod workspaces;

pub use audit::AuditPage;
pub use home::WorkspacePage;
pub use invitation::AcceptInvitationPage;
pub use members::MembersPage;
pub use orders::OrdersPage;
pub use policies::PoliciesPage;
pub use requests::{NewRequestPage, RequestPage, RequestsPage};
pub use roles::RolesPage;
pub use suppliers::SuppliersPage;
pub use workspaces::WorkspacesPage;

use crate::error::AppError;
use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_params_map;
use model::AuthFailure;

/// The `:slug` of the current route.
fn slug() -> Memo<String> {
    let params = use_params_map();
    Memo::new(move |_| params.read().get("slug").unwrap_or_default())
}

/// What a workspace page shows when its data could not be loaded: the place to fix it, or the error.
fn workspace_error(error: AppError) -> AnyView {
    match error {
        AppError::Auth(AuthFailure::SignInRequired | AuthFailure::WorkspaceSessionExpired) => {
            view! { <Redirect path="/signin"/> }.into_any()
        }
        AppError::Auth(AuthFailure::TwoFactorRequired) => {
            view! { <Redirect path="/account/security?notice=totp_required"/> }.into_any()
        }
        AppError::Auth(AuthFailure::PasswordChangeRequired) => {
            view! { <Redirect path="/account/security?notice=password_change_required"/> }.into_any()
        }
        AppError::NotFound => view! { <crate::pages::NotFound/> }.into_any(),
        other => view! {
            <section class="card" role="alert" data-testid="workspace-error">
                <h1>"Not available"</h1>
                <p>{other.to_string()}</p>
            </section>
        }
        .into_any(),
    }
}
