//! TN1: tenant isolation, route by route. The test lists every route the application serves — Leptos
//! pages, server functions, plain routes — and requires each to be accounted for below. Routes that take
//! a workspace or an object id are attacked: the owner of workspace B (all permissions there) uses
//! workspace A's address and A's ids, through B and directly. Nothing of A may come back or change.
//!
//! A new route that is not listed here fails the test until someone decides how it is probed; a listed
//! route that forgets its checks fails its probe.

use super::fixture::{Team, get, submit};
use crate::harness::{Browser, TestApp, link_token};
use serde_json::Value;
use std::collections::BTreeSet;

/// How a route is covered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Coverage {
    /// Takes a workspace address (`slug`) and nothing else that identifies an object.
    Workspace,
    /// Takes a workspace address and an object id: probed with the other workspace's ids.
    Object,
    /// Acts on the caller's own account or on nothing stored; no workspace data.
    Own,
    /// Public or static (health, assets, the dev outbox in dev mode only, invitation links by secret token).
    Public,
}

/// Every route, and how it is covered. Keep in sync: the test fails on any difference.
const ROUTES: &[(&str, Coverage)] = &[
    // Pages.
    ("/", Coverage::Public),
    ("/signup", Coverage::Public),
    ("/signup/sent", Coverage::Public),
    ("/verify", Coverage::Public),
    ("/signin", Coverage::Public),
    ("/signin/code", Coverage::Own),
    ("/signin/with-code", Coverage::Public),
    ("/reset", Coverage::Public),
    ("/reset/sent", Coverage::Public),
    ("/reset/confirm", Coverage::Public),
    ("/email/confirm", Coverage::Public),
    ("/email/undo", Coverage::Public),
    ("/account/security", Coverage::Own),
    ("/account/totp", Coverage::Own),
    ("/account/recovery-codes", Coverage::Own),
    ("/workspaces", Coverage::Own),
    ("/invitations/accept", Coverage::Public),
    ("/security", Coverage::Public),
    ("/w/{slug}", Coverage::Workspace),
    ("/w/{slug}/requests", Coverage::Workspace),
    ("/w/{slug}/requests/new", Coverage::Workspace),
    ("/w/{slug}/requests/{id}", Coverage::Object),
    ("/w/{slug}/orders", Coverage::Workspace),
    ("/w/{slug}/suppliers", Coverage::Workspace),
    ("/w/{slug}/members", Coverage::Workspace),
    ("/w/{slug}/admin/roles", Coverage::Workspace),
    ("/w/{slug}/admin/policies", Coverage::Workspace),
    ("/w/{slug}/admin/audit", Coverage::Workspace),
    ("/w/{slug}/customers", Coverage::Workspace),
    ("/w/{slug}/customers/{id}", Coverage::Object),
    ("/w/{slug}/sales", Coverage::Workspace),
    ("/w/{slug}/sales/new", Coverage::Workspace),
    ("/w/{slug}/sales/{id}", Coverage::Object),
    ("/w/{slug}/admin/data", Coverage::Workspace),
    ("/w/{slug}/admin/backups", Coverage::Workspace),
    ("/w/{slug}/admin/backups/copy", Coverage::Workspace),
    // Plain routes.
    ("/healthz", Coverage::Public),
    ("/readyz", Coverage::Public),
    ("/w/{slug}/admin/audit.csv", Coverage::Workspace),
    ("/w/{slug}/orders.csv", Coverage::Workspace),
    ("/w/{slug}/admin/backups/export", Coverage::Workspace),
    ("/w/{slug}/admin/backups/export/download", Coverage::Workspace),
    ("/dev/outbox", Coverage::Public),
    ("/dev/outbox.json", Coverage::Public),
    ("/rpc/{*fn_name}", Coverage::Public),
    ("/pkg", Coverage::Public),
    // How axum registers a nested service (`/pkg/…`) and the fallback (unknown paths get the 404 page).
    ("/pkg/", Coverage::Public),
    ("/{*__private__axum_fallback}", Coverage::Public),
    ("/favicon.svg", Coverage::Public),
    // Server functions.
    ("/rpc/auth/sign-up", Coverage::Public),
    ("/rpc/auth/verify-email", Coverage::Public),
    ("/rpc/auth/sign-in", Coverage::Public),
    ("/rpc/auth/second-factor", Coverage::Own),
    ("/rpc/auth/resend-code", Coverage::Own),
    ("/rpc/auth/request-code", Coverage::Public),
    ("/rpc/auth/sign-in-with-code", Coverage::Public),
    ("/rpc/auth/sign-out", Coverage::Own),
    ("/rpc/auth/request-reset", Coverage::Public),
    ("/rpc/auth/reset", Coverage::Public),
    ("/rpc/session/me", Coverage::Own),
    ("/rpc/session/pending", Coverage::Own),
    ("/rpc/account/security", Coverage::Own),
    ("/rpc/account/language", Coverage::Own),
    ("/rpc/account/time-zone", Coverage::Own),
    ("/rpc/account/mail-topics", Coverage::Own),
    ("/rpc/account/password", Coverage::Own),
    ("/rpc/account/email", Coverage::Own),
    ("/rpc/account/email/confirm", Coverage::Public),
    ("/rpc/account/email/undo", Coverage::Public),
    ("/rpc/account/totp/begin", Coverage::Own),
    ("/rpc/account/totp/pending", Coverage::Own),
    ("/rpc/account/totp/confirm", Coverage::Own),
    ("/rpc/account/totp/recovery-codes", Coverage::Own),
    ("/rpc/account/totp/fresh-codes", Coverage::Own),
    ("/rpc/account/totp/codes-saved", Coverage::Own),
    ("/rpc/account/totp/disable", Coverage::Own),
    ("/rpc/account/sessions/end", Coverage::Own),
    ("/rpc/account/sessions/end-others", Coverage::Own),
    ("/rpc/workspaces/create", Coverage::Own),
    ("/rpc/workspaces/mine", Coverage::Own),
    ("/rpc/workspaces/home", Coverage::Workspace),
    ("/rpc/workspaces/notices-read", Coverage::Workspace),
    ("/rpc/workspaces/leave", Coverage::Workspace),
    ("/rpc/purchasing/suppliers", Coverage::Workspace),
    ("/rpc/purchasing/suppliers/add", Coverage::Workspace),
    ("/rpc/purchasing/requests", Coverage::Workspace),
    ("/rpc/purchasing/requests/submit", Coverage::Object),
    ("/rpc/purchasing/request", Coverage::Object),
    ("/rpc/purchasing/request/decide", Coverage::Object),
    ("/rpc/purchasing/request/withdraw", Coverage::Object),
    ("/rpc/purchasing/request/edit", Coverage::Object),
    ("/rpc/purchasing/fallback-approver", Coverage::Workspace),
    ("/rpc/purchasing/orders", Coverage::Workspace),
    ("/rpc/admin/members", Coverage::Workspace),
    ("/rpc/admin/invite", Coverage::Workspace),
    ("/rpc/admin/invitations/revoke", Coverage::Object),
    ("/rpc/admin/members/remove", Coverage::Object),
    ("/rpc/admin/members/role", Coverage::Object),
    ("/rpc/admin/roles", Coverage::Workspace),
    ("/rpc/admin/roles/create", Coverage::Workspace),
    ("/rpc/admin/roles/update", Coverage::Object),
    ("/rpc/admin/roles/delete", Coverage::Object),
    ("/rpc/admin/policies", Coverage::Workspace),
    ("/rpc/admin/policies/update", Coverage::Workspace),
    ("/rpc/admin/audit", Coverage::Workspace),
    ("/rpc/admin/audit/chain", Coverage::Workspace),
    ("/rpc/sales/customers", Coverage::Workspace),
    ("/rpc/sales/customers/add", Coverage::Workspace),
    ("/rpc/sales/customers/update", Coverage::Object),
    ("/rpc/sales/customer", Coverage::Object),
    ("/rpc/sales/customer/reveal", Coverage::Object),
    ("/rpc/sales/orders", Coverage::Workspace),
    ("/rpc/sales/orders/create", Coverage::Object),
    ("/rpc/sales/order", Coverage::Object),
    ("/rpc/sales/order/status", Coverage::Object),
    ("/rpc/admin/keys", Coverage::Workspace),
    ("/rpc/admin/keys/rotate", Coverage::Workspace),
    ("/rpc/admin/backups", Coverage::Workspace),
    ("/rpc/admin/backups/run", Coverage::Workspace),
    ("/rpc/admin/backups/restore", Coverage::Object),
    ("/rpc/admin/backups/copy", Coverage::Workspace),
    ("/rpc/admin/backups/copy/open", Coverage::Object),
    ("/rpc/admin/backups/copy/close", Coverage::Workspace),
    ("/rpc/admin/workspace/delete", Coverage::Workspace),
    ("/rpc/invitations/preview", Coverage::Public),
    ("/rpc/invitations/accept", Coverage::Own),
    ("/rpc/security/catalogue", Coverage::Public),
    // Billing (PAY1): the page and its server functions, and the providers' routes, which verify
    // themselves (signatures; results fetched from the provider) and hold no session.
    ("/w/{slug}/admin/billing", Coverage::Workspace),
    ("/rpc/billing/overview", Coverage::Workspace),
    ("/rpc/billing/checkout", Coverage::Workspace),
    ("/rpc/billing/change-plan", Coverage::Workspace),
    ("/rpc/billing/cancel", Coverage::Workspace),
    ("/rpc/billing/portal", Coverage::Workspace),
    ("/billing/webhooks/stripe", Coverage::Public),
    ("/billing/webhooks/iyzico", Coverage::Public),
    ("/billing/iyzico/callback/{tenant}/{checkout}", Coverage::Public),
    ("/sandbox/stripe/v1/checkout/sessions", Coverage::Public),
    ("/sandbox/stripe/v1/checkout/sessions/{id}", Coverage::Public),
    ("/sandbox/stripe/v1/subscriptions/{id}", Coverage::Public),
    ("/sandbox/stripe/v1/billing_portal/sessions", Coverage::Public),
    ("/sandbox/stripe/v1/invoices", Coverage::Public),
    ("/sandbox/pay/{id}", Coverage::Public),
    ("/sandbox/portal/{customer}", Coverage::Public),
    ("/sandbox/portal/{customer}/fail-renewal", Coverage::Public),
    ("/sandbox/iyzico/payment/iyzipos/checkoutform/initialize/auth/ecom", Coverage::Public),
    ("/sandbox/iyzico/payment/iyzipos/checkoutform/auth/ecom/detail", Coverage::Public),
    ("/sandbox/iyzico/pay/{token}", Coverage::Public),
    // Attachments (DATA4) and signed links (DATA5); the confirmation page and its server function are
    // opened by a signed link without an account (their own tests: `signed_links`).
    ("/w/{slug}/sales/{id}/attachments", Coverage::Object),
    ("/w/{slug}/requests/{id}/attachments", Coverage::Object),
    ("/w/{slug}/attachments/{id}", Coverage::Object),
    ("/rpc/sales/order/links/create", Coverage::Object),
    ("/rpc/sales/order/links/revoke", Coverage::Object),
    ("/confirmation/{token}", Coverage::Public),
    ("/rpc/public/order-confirmation", Coverage::Public),
    // Unsubscribing from notification mail (UX4): by a signed link naming one address and topic, no
    // workspace (their own tests: `mail::unsubscribe`).
    ("/mail/unsubscribe", Coverage::Public),
    ("/mail/unsubscribe/one-click", Coverage::Public),
    ("/rpc/public/mail-subscription", Coverage::Public),
    ("/rpc/public/mail-subscription/set", Coverage::Public),
];

/// Every route the running application serves: the paths its router holds (pages, server functions
/// and plain routes alike), read from the router itself, so nothing hand-written can drift from it.
/// The tail axum adds for a nested service (`/pkg/{*…}`) is the nested `/pkg`.
fn served_routes(app: &TestApp) -> BTreeSet<String> {
    app.served_paths.iter().filter(|p| !p.contains("{*__private__axum_nest_tail_param}")).cloned().collect()
}

#[tokio::test]
/// Proves: TN1
async fn every_route_is_accounted_for() {
    let app = TestApp::spawn().await;
    let served = served_routes(&app);
    assert!(served.contains("/w/{slug}/admin/audit.csv") && served.contains("/rpc/purchasing/requests"), "{served:?}");
    let listed: BTreeSet<String> = ROUTES.iter().map(|(path, _)| (*path).to_owned()).collect();
    let unlisted: Vec<_> = served.difference(&listed).collect();
    let stale: Vec<_> = listed.difference(&served).collect();
    assert!(
        unlisted.is_empty(),
        "routes without a tenant-isolation probe (add them to ROUTES and probe them): {unlisted:?}"
    );
    assert!(stale.is_empty(), "ROUTES lists routes that no longer exist: {stale:?}");
}

/// Workspace A with one of everything, and the attacker: the owner of workspace B.
struct Scene {
    a: Team,
    b: Team,
    a_supplier: String,
    a_request: String,
    a_member: String,
    a_invitation: String,
    a_role: String,
    a_customer: String,
    a_order: String,
    a_attachment: String,
    a_link: String,
    a_backup: String,
    attacker: Browser,
}

/// Marks A's data, so a leak is visible in any response.
const SECRET: &str = "A-SECRET-7f3c";

async fn scene(app: &TestApp) -> Scene {
    let a = Team::create(app, "Alpha", "alpha-owner@example.com").await;
    let b = Team::create(app, "Bravo", "bravo-owner@example.com").await;
    let a_supplier = a.supplier(&format!("{SECRET} Supplies")).await;
    let member = a.member(app, "alpha-member@example.com", "member").await;
    let (_, request) = submit(&member, &a.slug, &a_supplier, &format!("{SECRET} request"), "1", "5000").await;
    let members = get(&a.owner, &format!("/rpc/admin/members?slug={}", a.slug)).await;
    let a_member = members["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["email"] == "alpha-member@example.com")
        .unwrap()["user"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        a.owner
            .call("admin/invite", &[("slug", &a.slug), ("email", "alpha-invitee@example.com"), ("role", "viewer")])
            .await
            .status(),
        200
    );
    let invitations = get(&a.owner, &format!("/rpc/admin/members?slug={}", a.slug)).await;
    let a_invitation = invitations["invitations"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        a.owner
            .call(
                "admin/roles/create",
                &[("slug", &a.slug), ("name", &format!("{SECRET} role")), ("permissions[]", "workspace.view")]
            )
            .await
            .status(),
        200
    );
    let roles = get(&a.owner, &format!("/rpc/admin/roles?slug={}", a.slug)).await;
    let a_role =
        roles.as_array().unwrap().iter().find(|r| r["builtin"] == false).unwrap()["id"].as_str().unwrap().to_owned();
    let (_, customer) = super::sales_fixture::add_customer(
        &a.owner,
        &a.slug,
        &format!("{SECRET} customer"),
        "a-customer@example.com",
        "+49 30 1234567",
    )
    .await;
    let a_customer = customer["id"].as_str().unwrap().to_owned();
    let (_, order) = super::sales_fixture::add_order(&a.owner, &a.slug, &a_customer, "1", "5").await;
    let a_order = order["id"].as_str().unwrap().to_owned();
    let upload_path = format!("/w/{}/sales/{a_order}/attachments", a.slug);
    let secret_file = format!("{SECRET} file");
    let (_, attachment) =
        super::sharing_fixture::upload(&a.owner, &upload_path, "a.txt", "text/plain", secret_file.as_bytes()).await;
    let a_attachment = attachment["id"].as_str().unwrap().to_owned();
    let (_, link) = super::sharing_fixture::create_link(&a.owner, &a.slug, &a_order).await;
    let a_link = link["id"].as_str().unwrap().to_owned();
    let a_backup = crate::backups::back_up_through_the_page(&a.owner, &a.slug).await;
    // A portable export of A, made and waiting for A's owner to download it.
    let form = [("password", crate::harness::PASSWORD)];
    let started = a.owner.post_to(&format!("/w/{}/admin/backups/export", a.slug), &form, "application/json").await;
    assert_eq!(started.status(), 202);
    crate::backups::admin_page::until_finished(&a.owner, &a.slug).await;
    // A's backup open beside live: its copy holds A's secrets too.
    crate::backups::open_copy_through_the_page(&a.owner, &a.slug, &a_backup).await;
    let attacker = b.owner.clone();
    Scene {
        a_backup,
        a_customer,
        a_order,
        a_attachment,
        a_link,
        a_supplier,
        a_request: request["id"].as_str().unwrap().to_owned(),
        a_member,
        a_invitation,
        a_role,
        attacker,
        a,
        b,
    }
}

/// A response that must not carry A's data: a refusal, and no marker in the body.
async fn refused(what: &str, response: reqwest::Response) {
    let status = response.status().as_u16();
    let body = response.text().await.unwrap_or_default();
    assert!(matches!(status, 302 | 401 | 403 | 404 | 410 | 422), "{what}: status {status} lets it through: {body}");
    assert!(!body.contains(SECRET), "{what}: the response leaks workspace A's data: {body}");
}

async fn get_raw(browser: &Browser, path: &str) -> reqwest::Response {
    browser.client.get(format!("{}{path}", browser.base)).header("accept", "text/html").send().await.unwrap()
}

/// Attacks one route with A's address, and (for routes that take object ids) with B's address and A's ids.
async fn probe(s: &Scene, path: &str, coverage: Coverage) {
    let (a, b, x) = (&s.a.slug, &s.b.slug, &s.attacker);
    let slugs = if coverage == Coverage::Object { vec![a, b] } else { vec![a] };
    for slug in slugs {
        let with = |id: &str| format!("slug={slug}&id={id}");
        let what = format!("{path} with slug={slug}");
        match path {
            "/w/{slug}/requests/{id}" => {
                refused(&what, get_raw(x, &format!("/w/{slug}/requests/{}", s.a_request)).await).await
            }
            // The one plain route with its own authentication call, before the pages' arm would take it.
            "/w/{slug}/admin/audit.csv" => {
                refused(&what, get_raw(x, &format!("/w/{slug}/admin/audit.csv")).await).await
            }
            // A POST with the attacker's own password: B's owner is no member of A.
            "/w/{slug}/admin/backups/export" => {
                let form = [("password", crate::harness::PASSWORD), ("passphrase", "")];
                refused(&what, x.post_to(&format!("/w/{slug}/admin/backups/export"), &form, "application/json").await)
                    .await
            }
            // A's owner has a finished export waiting: B's owner asks for it under A's address.
            "/w/{slug}/admin/backups/export/download" => {
                let path = format!("/w/{slug}/admin/backups/export/download");
                refused(&what, x.post_to(&path, &[], "application/json").await).await
            }
            "/w/{slug}/customers/{id}" => {
                refused(&what, get_raw(x, &format!("/w/{slug}/customers/{}", s.a_customer)).await).await
            }
            "/w/{slug}/sales/{id}" => refused(&what, get_raw(x, &format!("/w/{slug}/sales/{}", s.a_order)).await).await,
            "/w/{slug}/attachments/{id}" => {
                refused(&what, get_raw(x, &format!("/w/{slug}/attachments/{}", s.a_attachment)).await).await
            }
            "/w/{slug}/sales/{id}/attachments" | "/w/{slug}/requests/{id}/attachments" => {
                let id = if path.contains("/sales/") { &s.a_order } else { &s.a_request };
                let concrete = path.replace("{slug}", slug).replace("{id}", id);
                let sent = super::sharing_fixture::upload_raw(
                    x,
                    &concrete,
                    "b.txt",
                    "text/plain",
                    b"from B",
                    "application/json",
                );
                refused(&what, sent.await).await
            }
            "/rpc/sales/order/links/create" | "/rpc/sales/order/links/revoke" => {
                let endpoint = &path["/rpc/".len()..];
                let fields = [("slug", slug.as_str()), ("id", s.a_order.as_str()), ("link", s.a_link.as_str())];
                refused(&what, x.call(endpoint, &fields).await).await
            }
            p if p.starts_with("/w/{slug}") => {
                let concrete = p.replace("{slug}", slug);
                assert!(!concrete.contains('{'), "{p}: a placeholder left in the probed address {concrete}");
                refused(&what, get_raw(x, &concrete).await).await
            }
            "/rpc/workspaces/home"
            | "/rpc/purchasing/suppliers"
            | "/rpc/purchasing/requests"
            | "/rpc/purchasing/orders"
            | "/rpc/admin/members"
            | "/rpc/admin/roles"
            | "/rpc/admin/policies"
            | "/rpc/billing/overview"
            | "/rpc/sales/customers"
            | "/rpc/sales/orders"
            | "/rpc/admin/keys"
            | "/rpc/admin/backups"
            | "/rpc/admin/backups/copy"
            | "/rpc/admin/audit/chain" => refused(&what, get_raw(x, &format!("{path}?slug={slug}")).await).await,
            "/rpc/billing/checkout" | "/rpc/billing/change-plan" | "/rpc/billing/cancel" | "/rpc/billing/portal" => {
                let endpoint = &path["/rpc/".len()..];
                let fields = [("slug", slug.as_str()), ("plan", "team"), ("interval", "month"), ("cancel", "true")];
                refused(&what, x.call(endpoint, &fields).await).await
            }
            "/rpc/sales/customer" => refused(&what, get_raw(x, &format!("{path}?{}", with(&s.a_customer))).await).await,
            "/rpc/sales/order" => refused(&what, get_raw(x, &format!("{path}?{}", with(&s.a_order))).await).await,
            "/rpc/sales/customers/add"
            | "/rpc/sales/customers/update"
            | "/rpc/sales/customer/reveal"
            | "/rpc/sales/orders/create"
            | "/rpc/sales/order/status"
            | "/rpc/admin/keys/rotate"
            | "/rpc/admin/backups/run"
            | "/rpc/admin/workspace/delete" => {
                let endpoint = &path["/rpc/".len()..];
                let id = if path.contains("order/") { s.a_order.as_str() } else { s.a_customer.as_str() };
                let fields = [
                    ("slug", slug.as_str()),
                    ("id", id),
                    ("customer", s.a_customer.as_str()),
                    ("name", "Intruder"),
                    ("email", ""),
                    ("phone", ""),
                    ("address", ""),
                    ("notes", ""),
                    ("field", "phone"),
                    ("reason", "I want to see it"),
                    ("status", "confirmed"),
                    ("confirm", slug.as_str()),
                    ("lines[0][description]", "x"),
                    ("lines[0][quantity]", "1"),
                    ("lines[0][unit_price]", "1"),
                ];
                refused(&what, x.call(endpoint, &fields).await).await
            }
            "/rpc/admin/audit" => {
                refused(&what, get_raw(x, &format!("{path}?slug={slug}&actor=&action=&from=&until=")).await).await
            }
            "/rpc/purchasing/request" => {
                refused(&what, get_raw(x, &format!("{path}?{}", with(&s.a_request))).await).await
            }
            "/rpc/workspaces/notices-read"
            | "/rpc/admin/backups/copy/close"
            | "/rpc/workspaces/leave"
            | "/rpc/purchasing/suppliers/add"
            | "/rpc/purchasing/fallback-approver"
            | "/rpc/admin/invite"
            | "/rpc/admin/roles/create"
            | "/rpc/admin/policies/update" => {
                let endpoint = &path["/rpc/".len()..];
                let fields = [
                    ("slug", slug.as_str()),
                    ("name", "Intruder"),
                    ("email", "intruder@example.com"),
                    ("role", "owner"),
                    ("two_factor", "none"),
                    ("min_password_chars", ""),
                    ("session_idle_minutes", ""),
                    ("session_absolute_hours", ""),
                    ("login_failures", ""),
                    ("admin_ip_allowlist", ""),
                    ("approval_threshold", "1"),
                ];
                refused(&what, x.call(endpoint, &fields).await).await
            }
            "/rpc/purchasing/requests/submit" => {
                let fields = [
                    ("slug", slug.as_str()),
                    ("supplier", s.a_supplier.as_str()),
                    ("title", "Using A's supplier"),
                    ("lines[0][description]", "x"),
                    ("lines[0][quantity]", "1"),
                    ("lines[0][unit_price]", "1"),
                ];
                refused(&what, x.call("purchasing/requests/submit", &fields).await).await
            }
            "/rpc/purchasing/request/decide" => {
                let fields =
                    [("slug", slug.as_str()), ("id", s.a_request.as_str()), ("decision", "approve"), ("comment", "")];
                refused(&what, x.call("purchasing/request/decide", &fields).await).await
            }
            "/rpc/purchasing/request/withdraw" => {
                let fields = [("slug", slug.as_str()), ("id", s.a_request.as_str())];
                refused(&what, x.call("purchasing/request/withdraw", &fields).await).await
            }
            "/rpc/purchasing/request/edit" => {
                let fields = [
                    ("slug", slug.as_str()),
                    ("id", s.a_request.as_str()),
                    ("supplier", s.a_supplier.as_str()),
                    ("title", "Edited by B"),
                    ("lines[0][description]", "x"),
                    ("lines[0][quantity]", "1"),
                    ("lines[0][unit_price]", "1"),
                ];
                refused(&what, x.call("purchasing/request/edit", &fields).await).await
            }
            "/rpc/admin/backups/restore" | "/rpc/admin/backups/copy/open" => {
                let fields = [("slug", slug.as_str()), ("id", s.a_backup.as_str()), ("confirm", slug.as_str())];
                refused(&what, x.call(&path["/rpc/".len()..], &fields).await).await
            }
            "/rpc/admin/invitations/revoke" => {
                refused(&what, x.call("admin/invitations/revoke", &[("slug", slug), ("id", &s.a_invitation)]).await)
                    .await
            }
            "/rpc/admin/members/remove" => {
                refused(&what, x.call("admin/members/remove", &[("slug", slug), ("user", &s.a_member)]).await).await
            }
            "/rpc/admin/members/role" => {
                let fields =
                    [("slug", slug.as_str()), ("user", s.a_member.as_str()), ("role", "owner"), ("grant", "true")];
                refused(&what, x.call("admin/members/role", &fields).await).await
            }
            "/rpc/admin/roles/update" => {
                let fields = [
                    ("slug", slug.as_str()),
                    ("id", s.a_role.as_str()),
                    ("name", "Hijacked"),
                    ("permissions[]", "roles.manage"),
                ];
                refused(&what, x.call("admin/roles/update", &fields).await).await
            }
            "/rpc/admin/roles/delete" => {
                refused(&what, x.call("admin/roles/delete", &[("slug", slug), ("id", &s.a_role)]).await).await
            }
            other => panic!("no probe for {other} with slug={slug}"),
        }
    }
}

#[tokio::test]
/// Proves: TN1
async fn another_workspace_s_ids_get_nothing_anywhere() {
    let app = TestApp::spawn().await;
    let s = scene(&app).await;
    for (path, coverage) in ROUTES {
        if matches!(coverage, Coverage::Workspace | Coverage::Object) {
            probe(&s, path, *coverage).await;
        }
    }
    // And nothing of A changed.
    let a = &s.a;
    let request = get(&a.owner, &format!("/rpc/purchasing/request?slug={}&id={}", a.slug, s.a_request)).await;
    assert_eq!(request["summary"]["status"], "pending", "A's request was not decided nor withdrawn");
    assert_eq!(request["summary"]["title"], format!("{SECRET} request"), "nor edited");
    let members = get(&a.owner, &format!("/rpc/admin/members?slug={}", a.slug)).await;
    let emails: Vec<&str> =
        members["members"].as_array().unwrap().iter().map(|m| m["email"].as_str().unwrap()).collect();
    assert_eq!(emails, ["alpha-member@example.com", "alpha-owner@example.com"], "nobody removed or added");
    let member_roles = &members["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["email"] == "alpha-member@example.com")
        .unwrap()["roles"];
    assert_eq!(member_roles, &serde_json::json!([["member", "Member"]]), "no role granted");
    assert_eq!(members["invitations"].as_array().unwrap().len(), 1, "the invitation is still open");
    let roles = get(&a.owner, &format!("/rpc/admin/roles?slug={}", a.slug)).await;
    let custom: Vec<&Value> = roles.as_array().unwrap().iter().filter(|r| r["builtin"] == false).collect();
    assert_eq!(custom.len(), 1);
    assert_eq!(custom[0]["name"], format!("{SECRET} role"));
    assert_eq!(custom[0]["permissions"], serde_json::json!(["workspace.view"]));
    let policy = get(&a.owner, &format!("/rpc/admin/policies?slug={}", a.slug)).await;
    assert_eq!(policy["approval_threshold"], "1,000.00");
    let customer = get(&a.owner, &format!("/rpc/sales/customer?slug={}&id={}", a.slug, s.a_customer)).await;
    assert_eq!(customer["customer"]["name"], format!("{SECRET} customer"), "A's customer was not changed");
    let order = get(&a.owner, &format!("/rpc/sales/order?slug={}&id={}", a.slug, s.a_order)).await;
    assert_eq!(order["order"]["status"], "draft", "A's order did not move");
    assert_eq!(order["links"][0]["state"], "active", "A's link was not revoked");
    assert_eq!(order["attachments"].as_array().unwrap().len(), 1, "nothing was attached to A's order");
    let b_orders = get(&s.b.owner, &format!("/rpc/sales/orders?slug={}", s.b.slug)).await;
    assert_eq!(b_orders["items"], serde_json::json!([]), "A's customer could not be used in B");
    let backups = get(&a.owner, &format!("/rpc/admin/backups?slug={}", a.slug)).await;
    assert_eq!(backups["backups"].as_array().unwrap().len(), 1, "no backup of A was made or restored by B");
    assert_eq!(backups["operation"]["kind"], "open_copy", "A's last operation is still its own opening of a copy");
    assert_eq!(backups["copy"]["backup"].as_str(), Some(s.a_backup.as_str()), "A's copy was not closed by B");
    assert!(!backups["export_ready"].is_null(), "A's export was not taken by B: {backups}");
    let b_backups = get(&s.b.owner, &format!("/rpc/admin/backups?slug={}", s.b.slug)).await;
    assert!(b_backups["operation"].is_null(), "A's backup was not restored or opened in B: {b_backups}");
    assert!(b_backups["copy"].is_null(), "B has no copy of A's backup: {b_backups}");
    let keys = get(&a.owner, &format!("/rpc/admin/keys?slug={}", a.slug)).await;
    assert_eq!(keys["current_version"], 1, "A's key was not rotated");
    let suppliers = get(&a.owner, &format!("/rpc/purchasing/suppliers?slug={}", a.slug)).await;
    assert_eq!(suppliers["items"].as_array().unwrap().len(), 1);
    let b_requests = get(&s.b.owner, &format!("/rpc/purchasing/requests?slug={}", s.b.slug)).await;
    assert_eq!(b_requests["items"], serde_json::json!([]), "A's supplier could not be used in B");
    // The invitation to A still works for its addressee, and only for them.
    let token = link_token(&app.mail("alpha-invitee@example.com", "invitation").await.text, "/invitations/accept");
    let invitee = app.user("alpha-invitee@example.com").await;
    assert_eq!(invitee.call("invitations/accept", &[("token", &token)]).await.status(), 200);
}
