//! DATA1 and DATA3 over HTTP: customers and sales orders with their life cycle, one list with purchase
//! orders, search, filters, keyset pages and sorting, the CSV export; contact data masked for every role
//! in every answer, revealed only with `contact.reveal` and a reason, rate-limited and audited.

use super::fixture::{Team, get, get_status, submit};
use super::sales_fixture::{SECRETS, add_customer, add_order, secret_customer, tenant_db, texts};
use crate::harness::{Browser, TestApp};
use futures_util::future::join_all;
use serde_json::Value;

async fn reveal(browser: &Browser, slug: &str, id: &str, field: &str, reason: &str) -> (u16, Value) {
    let response = browser
        .call("sales/customer/reveal", &[("slug", slug), ("id", id), ("field", field), ("reason", reason)])
        .await;
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

async fn reveal_events(app: &TestApp, slug: &str) -> usize {
    let db = tenant_db(app, slug).await;
    texts(&db, "SELECT action FROM audit_events WHERE action = 'customer.revealed'").await.len()
}

fn clear_values() -> [&'static str; 4] {
    [SECRETS.email, "5550199", "Zwetschgenweg", "Leipzig"]
}

#[tokio::test]
/// Proves: DATA3
async fn no_role_receives_clear_contact_data_from_any_answer_or_export() {
    let app = TestApp::spawn().await;
    let team = Team::create(&app, "Mask Co", "owner@example.com").await;
    let customer = secret_customer(&team).await;
    let (status, order) = add_order(&team.owner, &team.slug, &customer, "1", "10").await;
    assert_eq!(status, 200, "{order}");
    let order = order["id"].as_str().unwrap().to_owned();
    let member = team.member(&app, "member@example.com", "member").await;
    let viewer = team.member(&app, "viewer@example.com", "viewer").await;
    let approver = team.member(&app, "approver@example.com", "approver").await;
    let admin = team.member(&app, "admin@example.com", "admin").await;
    let slug = &team.slug;
    let answers = [
        format!("/rpc/sales/customers?slug={slug}"),
        format!("/rpc/sales/customers?slug={slug}&q={}", SECRETS.email),
        format!("/rpc/sales/customer?slug={slug}&id={customer}"),
        format!("/rpc/sales/orders?slug={slug}"),
        format!("/rpc/sales/order?slug={slug}&id={order}"),
        format!("/w/{slug}/orders.csv"),
        format!("/rpc/admin/audit?slug={slug}&actor=&action=&from=&until="),
        format!("/w/{slug}/admin/audit.csv"),
        format!("/w/{slug}/customers"),
        format!("/w/{slug}/customers/{customer}"),
        format!("/w/{slug}/sales"),
        format!("/w/{slug}/sales/{order}"),
        format!("/w/{slug}/admin/audit"),
    ];
    for (role, browser) in
        [("owner", &team.owner), ("admin", &admin), ("member", &member), ("viewer", &viewer), ("approver", &approver)]
    {
        let mut seen = 0;
        for path in &answers {
            let response = browser.fetch(path).await;
            let status = response.status().as_u16();
            let body = response.text().await.unwrap();
            for clear in clear_values() {
                assert!(!body.contains(clear), "{role} got {clear} in clear from {path}: {body}");
            }
            if status == 200 {
                seen += 1;
            }
        }
        assert!(seen >= 7, "{role} saw too little to prove anything ({seen})");
    }
    let page = get(&member, &format!("/rpc/sales/customer?slug={slug}&id={customer}")).await;
    assert_eq!(page["customer"]["email"], "o•••@private-mail.example");
    assert_eq!(page["customer"]["phone"], "+49 ••• ••• 99");
    assert_eq!(page["can_reveal"], false);
    let html = member.get_page(&format!("/w/{slug}/customers/{customer}")).await.text().await.unwrap();
    assert!(html.contains("o•••@private-mail.example") && html.contains("+49 ••• ••• 99"), "the page shows the masks");
    assert!(!html.contains("reveal-reason"), "no reveal form without the permission");
    // Exact search by email finds the customer without decrypting, for everyone who may list.
    let found = get(&viewer, &format!("/rpc/sales/customers?slug={slug}&q={}", SECRETS.email.to_uppercase())).await;
    assert_eq!(found["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
/// Proves: DATA3, AUD1
async fn revealing_takes_the_permission_and_a_reason_and_each_reveal_is_one_audit_event() {
    let app = TestApp::spawn().await;
    let team = Team::create(&app, "Reveal Co", "owner@example.com").await;
    let customer = secret_customer(&team).await;
    let member = team.member(&app, "member@example.com", "member").await;
    let viewer = team.member(&app, "viewer@example.com", "viewer").await;
    let admin = team.member(&app, "admin@example.com", "admin").await;
    let slug = &team.slug;
    for (who, browser) in [("member", &member), ("viewer", &viewer)] {
        let (status, body) = reveal(browser, slug, &customer, "phone", "customer called about delivery").await;
        assert_eq!(status, 403, "{who} revealed: {body}");
        assert!(!body.to_string().contains("5550199"));
    }
    let (status, _) = reveal(&admin, slug, &customer, "phone", "").await;
    assert_eq!(status, 422, "a reveal without a reason is refused");
    let (status, _) = reveal(&admin, slug, &customer, "phone", "abc").await;
    assert_eq!(status, 422, "a reason of a few letters is not one");
    assert_eq!(reveal_events(&app, slug).await, 0, "refused reveals reveal nothing and log no reveal");
    let (status, body) = reveal(&admin, slug, &customer, "phone", "Customer called about the delivery").await;
    assert_eq!(status, 200);
    assert_eq!(body["value"], SECRETS.phone);
    let (_, body) = reveal(&admin, slug, &customer, "address", "Courier needs the street").await;
    assert_eq!(body["value"], SECRETS.address);
    assert_eq!(reveal_events(&app, slug).await, 2, "one audit event per reveal");
    let log =
        get(&team.owner, &format!("/rpc/admin/audit?slug={slug}&actor=admin&action=customer.revealed&from=&until="))
            .await;
    let entries = log.as_array().unwrap();
    assert_eq!(entries.len(), 2);
    let changes = entries[1]["changes"].as_str().unwrap();
    assert!(
        changes.contains("\"field\":\"phone\"") && changes.contains("Customer called about the delivery"),
        "{changes}"
    );
    assert_eq!(entries[1]["actor"], "admin@example.com");
    assert!(changes.contains("\"customer_number\":1"), "{changes}");
    assert!(!changes.contains("5550199"), "the revealed value is not copied into the log");
}

#[tokio::test]
/// Proves: DATA3
async fn reveals_are_limited_per_member_even_when_sent_at_once() {
    let app = TestApp::spawn().await;
    let team = Team::create(&app, "Limit Co", "owner@example.com").await;
    let customer = secret_customer(&team).await;
    let admin = team.member(&app, "admin@example.com", "admin").await;
    let limit = domain::workspace::sales::reveal::REVEALS_PER_HOUR as usize;
    let answers =
        join_all((0..limit + 10).map(|_| reveal(&admin, &team.slug, &customer, "email", "checking an order"))).await;
    let passed = answers.iter().filter(|(s, _)| *s == 200).count();
    assert_eq!(passed, limit, "exactly the limit passes: {:?}", answers.iter().map(|a| a.0).collect::<Vec<_>>());
    assert!(answers.iter().all(|(s, _)| *s == 200 || *s == 403));
    assert_eq!(reveal_events(&app, &team.slug).await, limit);
    // The limit is per member: another one still may.
    let (status, _) = reveal(&team.owner, &team.slug, &customer, "email", "checking an order").await;
    assert_eq!(status, 200);
}

#[tokio::test]
/// Proves: DATA1
async fn orders_move_through_their_life_cycle_once() {
    let app = TestApp::spawn().await;
    let team = Team::create(&app, "Cycle Co", "owner@example.com").await;
    let customer = secret_customer(&team).await;
    let member = team.member(&app, "member@example.com", "member").await;
    let viewer = team.member(&app, "viewer@example.com", "viewer").await;
    let (status, order) = add_order(&member, &team.slug, &customer, "3", "2.50").await;
    assert_eq!(status, 200, "members create orders");
    assert_eq!((order["status"].as_str(), order["total"].as_str()), (Some("draft"), Some("7.50")));
    let id = order["id"].as_str().unwrap().to_owned();
    let (status, _) = add_order(&viewer, &team.slug, &customer, "1", "1").await;
    assert_eq!(status, 403, "viewers do not");
    let (status, _) = add_order(&member, &team.slug, &uuid::Uuid::new_v4().to_string(), "1", "1").await;
    assert_eq!(status, 422, "an unknown customer is refused");
    let set = |browser: Browser, to: &'static str| {
        let (slug, id) = (team.slug.clone(), id.clone());
        async move {
            browser.call("sales/order/status", &[("slug", &slug), ("id", &id), ("status", to)]).await.status().as_u16()
        }
    };
    assert_eq!(set(member.clone(), "shipped").await, 409, "a draft is not shipped");
    assert_eq!(set(viewer.clone(), "confirmed").await, 403);
    let both = join_all([set(member.clone(), "confirmed"), set(team.owner.clone(), "confirmed")]).await;
    let mut sorted = both.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, [200, 409], "two confirmations at once: one wins");
    assert_eq!(set(member.clone(), "shipped").await, 200);
    assert_eq!(set(member.clone(), "cancelled").await, 409, "a shipped order is not cancelled");
    assert_eq!(set(member.clone(), "completed").await, 200);
    assert_eq!(set(member.clone(), "draft").await, 409);
    let db = tenant_db(&app, &team.slug).await;
    let logged = texts(&db, "SELECT action FROM audit_events WHERE action LIKE 'sales_order.%'").await;
    assert_eq!(logged.len(), 4, "created, confirmed, shipped, completed: {logged:?}");
}

#[tokio::test]
/// Proves: DATA1
async fn one_list_of_sales_and_purchase_orders_searched_filtered_sorted_and_paged() {
    let app = TestApp::spawn().await;
    let team = Team::create(&app, "List Co", "owner@example.com").await;
    let slug = team.slug.clone();
    let (_, alice) = add_customer(&team.owner, &slug, "Alice Amsel", "alice@example.com", "").await;
    let (_, bob) = add_customer(&team.owner, &slug, "=HYPERLINK(\"http://x\")", "bob@example.com", "").await;
    let (alice, bob) = (alice["id"].as_str().unwrap().to_owned(), bob["id"].as_str().unwrap().to_owned());
    let mut numbers = Vec::new();
    for (customer, price) in [(&alice, "10"), (&bob, "20"), (&alice, "30"), (&bob, "40"), (&alice, "50")] {
        let (status, order) = add_order(&team.owner, &slug, customer, "1", price).await;
        assert_eq!(status, 200);
        numbers.push(order["number"].as_i64().unwrap());
    }
    let supplier = team.supplier("Paper Supplies").await;
    let (status, _) = submit(&team.owner, &slug, &supplier, "Paper", "1", "25").await;
    assert_eq!(status, 200, "a request under the threshold becomes a purchase order");
    let list = |query: String| {
        let (owner, slug) = (team.owner.clone(), slug.clone());
        async move { get(&owner, &format!("/rpc/sales/orders?slug={slug}&{query}")).await }
    };
    let kinds_totals = |page: &Value| -> Vec<(String, String)> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["kind"].as_str().unwrap().to_owned(), r["total"].as_str().unwrap().to_owned()))
            .collect()
    };
    let all = list("sort=amount_desc".into()).await;
    let expected: Vec<(String, String)> = [
        ("sales", "50.00"),
        ("sales", "40.00"),
        ("sales", "30.00"),
        ("purchase", "25.00"),
        ("sales", "20.00"),
        ("sales", "10.00"),
    ]
    .iter()
    .map(|(k, t)| (k.to_string(), t.to_string()))
    .collect();
    assert_eq!(kinds_totals(&all), expected);
    // Every sort, paged two at a time, yields every row exactly once, in order.
    for sort in ["newest", "oldest", "amount_desc", "amount_asc"] {
        let whole = kinds_totals(&list(format!("sort={sort}")).await);
        let (mut paged, mut after) = (Vec::new(), String::new());
        for _ in 0..10 {
            let page = list(format!("sort={sort}&limit=2&after={after}")).await;
            paged.extend(kinds_totals(&page));
            match page["next"].as_str() {
                Some(next) => after = next.to_owned(),
                None => break,
            }
        }
        assert_eq!(paged, whole, "{sort}");
        assert_eq!(whole.len(), 6);
    }
    assert_eq!(kinds_totals(&list("kind=purchase".into()).await), [("purchase".to_owned(), "25.00".to_owned())]);
    assert_eq!(list("kind=sales".into()).await["items"].as_array().unwrap().len(), 5);
    assert_eq!(list("q=amsel".into()).await["items"].as_array().unwrap().len(), 3, "by customer name");
    assert_eq!(list("q=paper".into()).await["items"].as_array().unwrap().len(), 1, "by supplier name");
    let by_number = list(format!("q={}&kind=sales", numbers[1])).await;
    assert_eq!(kinds_totals(&by_number), [("sales".to_owned(), "20.00".to_owned())]);
    assert_eq!(list("min=20&max=40".into()).await["items"].as_array().unwrap().len(), 4);
    assert_eq!(list("status=draft".into()).await["items"].as_array().unwrap().len(), 5, "statuses are sales-only");
    assert_eq!(list("status=shipped".into()).await["items"].as_array().unwrap().len(), 0);
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    assert_eq!(list(format!("from={today}&until={today}")).await["items"].as_array().unwrap().len(), 6);
    assert_eq!(list("until=2000-01-01".into()).await["items"].as_array().unwrap().len(), 0);

    // Members see sales orders only; the CSV export is for exporters, audited, formulas defused.
    let member = team.member(&app, "member@example.com", "member").await;
    let theirs = get(&member, &format!("/rpc/sales/orders?slug={slug}")).await;
    assert!(theirs["items"].as_array().unwrap().iter().all(|r| r["kind"] == "sales"));
    assert_eq!(get_status(&member, &format!("/w/{slug}/orders.csv")).await, 403);
    let csv = team.owner.fetch(&format!("/w/{slug}/orders.csv?sort=oldest")).await;
    assert_eq!(csv.status(), 200);
    assert!(csv.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
    let csv = csv.text().await.unwrap();
    assert_eq!(csv.lines().count(), 7, "{csv}");
    assert!(csv.contains("'=HYPERLINK"), "formula cells are defused: {csv}");
    assert!(!csv.contains(",=HYPERLINK") && !csv.contains("\"=HYPERLINK"));
    let db = tenant_db(&app, &slug).await;
    assert_eq!(texts(&db, "SELECT changes FROM audit_events WHERE action = 'orders.exported'").await.len(), 1);
}
