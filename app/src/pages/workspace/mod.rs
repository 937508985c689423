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

use crate::dto::WorkspaceHomeDto;
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

/// A workspace page whose data needs only the workspace's address: loads the caller's standing in the
/// workspace and the page's data together (again whenever a form on the page changes something), and
/// shows `render(home, data)`, or why it cannot.
fn workspace_page<T, F, Fut>(fetch: F, render: fn(WorkspaceHomeDto, T) -> AnyView) -> impl IntoView
where
    T: serde::Serialize + serde::de::DeserializeOwned + Clone + Send + Sync + 'static,
    F: Fn(String) -> Fut + Copy + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<T, AppError>> + Send + 'static,
{
    let slug = slug();
    let refresh = crate::components::refresh();
    let data = Resource::new_blocking(
        move || (slug.get(), refresh.get()),
        move |(slug, _)| async move {
            Ok::<_, AppError>((crate::api::workspace_home(slug.clone()).await?, fetch(slug).await?))
        },
    );
    view! {
        <Suspense fallback=|| view! { <p class="card">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok((home, value)) => render(home, value),
                    Err(error) => workspace_error(error),
                }
            })}
        </Suspense>
    }
}
