use crate::dto::WorkspaceHomeDto;
use leptos::prelude::*;
use model::Permission;

/// The workspace's sections, as far as the caller may use them.
#[component]
pub fn WorkspaceNav(home: WorkspaceHomeDto) -> impl IntoView {
    let base = home.workspace.path();
    let links: Vec<(String, &'static str)> = [
        (String::new(), "Overview", Permission::WorkspaceView),
        ("/requests".to_owned(), "Purchase requests", Permission::RequestsCreate),
        ("/orders".to_owned(), "Orders", Permission::OrdersView),
        ("/sales".to_owned(), "Sales orders", Permission::SalesView),
        ("/customers".to_owned(), "Customers", Permission::CustomersView),
        ("/suppliers".to_owned(), "Suppliers", Permission::SuppliersView),
        ("/members".to_owned(), "Members", Permission::MembersView),
        ("/admin/roles".to_owned(), "Roles", Permission::RolesManage),
        ("/admin/policies".to_owned(), "Policies", Permission::PoliciesManage),
        ("/admin/audit".to_owned(), "Audit log", Permission::AuditView),
        ("/admin/data".to_owned(), "Data and keys", Permission::KeysManage),
    ]
    .into_iter()
    .filter(|(path, _, permission)| {
        home.can(*permission) || (path == "/requests" && home.can(Permission::RequestsViewAll))
    })
    .map(|(path, label, _)| (format!("{base}{path}"), label))
    .collect();
    view! {
        <nav class="workspace-nav" aria-label="Workspace">
            <a class="workspace-name" href=base.clone()>{home.workspace.name.clone()}</a>
            <ul>
                {links.into_iter().map(|(href, label)| view! { <li><a href=href>{label}</a></li> }).collect_view()}
            </ul>
        </nav>
    }
}
