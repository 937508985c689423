//! Pages inside a workspace (`/w/:slug/…`), the workspaces list, and invitation acceptance. Each page
//! loads its data through server functions that enter the workspace as the verified caller; the
//! navigation shows only what the caller's permissions allow (the server refuses the rest anyway).

mod audit;
mod audit_chain;
mod backup_copy;
mod backups;
mod billing;
mod customers;
mod data_keys;
mod home;
mod invitation;
mod members;
mod nav;
mod orders;
mod policies;
mod requests;
mod roles;
mod sales;
mod sharing;
mod suppliers;
mod workspaces;

pub use audit::AuditPage;
pub use backup_copy::BackupCopyPage;
pub use backups::BackupsPage;
pub use billing::BillingPage;
pub use customers::{CustomerPage, CustomersPage};
pub use data_keys::DataKeysPage;
pub use home::WorkspacePage;
pub use invitation::AcceptInvitationPage;
pub use members::MembersPage;
pub use orders::OrdersPage;
pub use policies::PoliciesPage;
pub use requests::{NewRequestPage, RequestPage, RequestsPage};
pub use roles::RolesPage;
pub use sales::{NewSalesOrderPage, SalesOrderPage, SalesOrdersPage};
pub use suppliers::SuppliersPage;
pub use workspaces::WorkspacesPage;

use crate::dto::WorkspaceHomeDto;
use crate::error::AppError;
use crate::i18n::{t_string, use_i18n};
use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::{use_params_map, use_query_map};
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
                <h1>{t_string!(use_i18n(), workspace.not_available)}</h1>
                <p>{crate::lang::error_text(crate::lang::current(), &other)}</p>
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
        <Suspense fallback=move || view! { <p class="card">{t_string!(use_i18n(), common.loading)}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok((home, value)) => render(home, value),
                    Err(error) => workspace_error(error),
                }
            })}
        </Suspense>
    }
}

/// What a workspace page's data depends on: the workspace, the `:id` of an object page, the `?after=`
/// cursor of a list page.
#[derive(Debug, Clone, PartialEq, Eq)]
struct PageKey {
    slug: String,
    id: String,
    after: Option<String>,
}

/// A workspace page whose server function returns the caller's standing *with* its data, so the page
/// enters the workspace once: loads it for the address (lists come a page at a time), again whenever a
/// form on the page changes something, and shows `render(data)`, or why it cannot.
fn workspace_data_page<T, F, Fut>(fetch: F, render: fn(T) -> AnyView) -> impl IntoView
where
    T: serde::Serialize + serde::de::DeserializeOwned + Clone + Send + Sync + 'static,
    F: Fn(PageKey) -> Fut + Copy + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<T, AppError>> + Send + 'static,
{
    let params = use_params_map();
    let query = use_query_map();
    let key = Memo::new(move |_| PageKey {
        slug: params.read().get("slug").unwrap_or_default(),
        id: params.read().get("id").unwrap_or_default(),
        after: query.read().get("after"),
    });
    let refresh = crate::components::refresh();
    let data = Resource::new_blocking(move || (key.get(), refresh.get()), move |(key, _)| fetch(key));
    view! {
        <Suspense fallback=move || view! { <p class="card">{t_string!(use_i18n(), common.loading)}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(value) => render(value),
                    Err(error) => workspace_error(error),
                }
            })}
        </Suspense>
    }
}

/// The link to the next page of a list, if there is one.
fn next_page_link(base: String, next: Option<String>) -> impl IntoView {
    next.map(|next| {
        let href = format!("{base}?after={}", safe_cursor(&next));
        view! { <p><a class="button-link" href=href data-testid="next-page">{t_string!(use_i18n(), workspace.older)}</a></p> }
    })
}

/// Cursors are numbers or UUIDs; anything else is dropped rather than put into an address unescaped.
fn safe_cursor(cursor: &str) -> String {
    cursor.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect()
}
