use crate::dto::{PaymentNotice, WorkspaceHomeDto};
use crate::i18n::{t_string, td_string, use_i18n};
use leptos::prelude::*;
use model::Permission;

/// The workspace's sections, as far as the caller may use them.
#[component]
pub fn WorkspaceNav(home: WorkspaceHomeDto) -> impl IntoView {
    let i18n = use_i18n();
    let base = home.workspace.path();
    let links: Vec<(String, &'static str)> = [
        (String::new(), t_string!(i18n, nav.overview), Permission::WorkspaceView),
        ("/requests".to_owned(), t_string!(i18n, nav.requests), Permission::RequestsCreate),
        ("/orders".to_owned(), t_string!(i18n, nav.orders), Permission::OrdersView),
        ("/sales".to_owned(), t_string!(i18n, nav.sales), Permission::SalesView),
        ("/customers".to_owned(), t_string!(i18n, nav.customers), Permission::CustomersView),
        ("/suppliers".to_owned(), t_string!(i18n, nav.suppliers), Permission::SuppliersView),
        ("/members".to_owned(), t_string!(i18n, nav.members), Permission::MembersView),
        ("/admin/roles".to_owned(), t_string!(i18n, nav.roles), Permission::RolesManage),
        ("/admin/policies".to_owned(), t_string!(i18n, nav.policies), Permission::PoliciesManage),
        ("/admin/audit".to_owned(), t_string!(i18n, nav.audit), Permission::AuditView),
        ("/admin/data".to_owned(), t_string!(i18n, nav.data_keys), Permission::KeysManage),
        ("/admin/backups".to_owned(), t_string!(i18n, nav.backups), Permission::BackupsManage),
        ("/admin/billing".to_owned(), t_string!(i18n, nav.billing), Permission::BillingManage),
    ]
    .into_iter()
    .filter(|(path, _, permission)| {
        home.can(*permission) || (path == "/requests" && home.can(Permission::RequestsViewAll))
    })
    .map(|(path, label, _)| (format!("{base}{path}"), label))
    .collect();
    let payment = payment_banner(&home);
    view! {
        {payment}
        <nav class="workspace-nav" aria-label=t_string!(i18n, workspace.nav_label)>
            <a class="workspace-name" href=base.clone()>{home.workspace.name.clone()}</a>
            <ul>
                {links.into_iter().map(|(href, label)| view! { <li><a href=href>{label}</a></li> }).collect_view()}
            </ul>
        </nav>
    }
}

/// The payment banner (PAY1) on every page of a workspace whose payment failed: until when it keeps
/// working, or that it is read-only; a link to billing for those who may pay.
fn payment_banner(home: &WorkspaceHomeDto) -> Option<impl IntoView + use<>> {
    let locale = crate::lang::current();
    let text = match home.payment.as_ref()? {
        PaymentNotice::Grace { until } => crate::lang::fill(
            td_string!(locale, billing.banner_grace),
            &[("date", &crate::formatting::format_date(locale, until))],
        ),
        PaymentNotice::ReadOnly => td_string!(locale, billing.banner_read_only).to_owned(),
    };
    let link = home.can(Permission::BillingManage).then(|| {
        let href = format!("{}/admin/billing", home.workspace.path());
        view! { " " <a href=href>{td_string!(locale, billing.banner_link)}</a> }
    });
    Some(view! { <p class="banner" role="alert" data-testid="payment-banner">{text}{link}</p> })
}
