//! DATA1: lists of requests and orders come a page at a time (newest first, a page size with a maximum)
//! and each page costs a fixed number of SQL statements, whatever its number or the list's length (no
//! query per row). The statements are counted by `domain::db::query_count`, which counts what this
//! test's thread runs: the server runs on the test's current-thread runtime. Background work on that
//! thread (the mail worker polling, a session's occasional last-seen write) can only add statements,
//! so each page is fetched three times and its cost is the least of the three.

use super::fixture::{Team, get};
use crate::harness::TestApp;
use sea_orm::ConnectionTrait as _;
use sea_orm::sea_query::{Alias, Query};

const ROWS: i64 = 1_000;

/// Puts `ROWS` approved requests, each with its order, straight into the workspace's database.
async fn fill(app: &TestApp, team: &Team, supplier: &str, requester: &str) {
    let slug = model::WorkspaceSlug::parse(&team.slug).unwrap();
    let workspace = app.platform.tenancy().find_by_slug(&slug).await.unwrap();
    let db = app.platform.tenancy().tenant_db(workspace.id).await.unwrap();
    let supplier = uuid::Uuid::parse_str(supplier).unwrap();
    let requester = uuid::Uuid::parse_str(requester).unwrap();
    let start = chrono::Utc::now() - chrono::Duration::days(1);
    let mut requests = Query::insert()
        .into_table(Alias::new("purchase_requests"))
        .columns(
            [
                "id",
                "number",
                "requester_id",
                "requester_email",
                "supplier_id",
                "title",
                "total_cents",
                "currency",
                "status",
                "created_at",
                "decided_at",
            ]
            .map(Alias::new),
        )
        .to_owned();
    let mut orders = Query::insert()
        .into_table(Alias::new("purchase_orders"))
        .columns(["id", "number", "request_id", "supplier_id", "total_cents", "currency", "created_at"].map(Alias::new))
        .to_owned();
    for n in 1..=ROWS {
        let id = uuid::Uuid::new_v4();
        let at = start + chrono::Duration::seconds(n);
        requests.values_panic([
            id.into(),
            n.into(),
            requester.into(),
            "recorded@example.com".into(),
            supplier.into(),
            format!("Bulk {n}").into(),
            100i64.into(),
            "EUR".into(),
            "approved".into(),
            at.into(),
            Some(at).into(),
        ]);
        orders.values_panic([
            uuid::Uuid::new_v4().into(),
            n.into(),
            id.into(),
            supplier.into(),
            100i64.into(),
            "EUR".into(),
            at.into(),
        ]);
    }
    db.execute(&requests).await.unwrap();
    db.execute(&orders).await.unwrap();
}

/// `path`'s body, and the fewest statements one GET of it cost in three tries.
async fn cost_of(team: &Team, path: &str) -> (serde_json::Value, u64) {
    let mut least = u64::MAX;
    let mut body = serde_json::Value::Null;
    for _ in 0..3 {
        let before = domain::db::query_count::on_this_thread();
        body = get(&team.owner, path).await;
        least = least.min(domain::db::query_count::on_this_thread() - before);
    }
    (body, least)
}

/// Walks a list page by page; returns the numbers seen and the statements each page cost.
async fn walk(team: &Team, list: &str, limit: u32) -> (Vec<i64>, Vec<u64>) {
    let (mut numbers, mut costs, mut after) = (Vec::new(), Vec::new(), None::<String>);
    loop {
        let cursor = after.as_deref().map(|a| format!("&after={a}")).unwrap_or_default();
        let path = format!("/rpc/purchasing/{list}?slug={}&limit={limit}{cursor}", team.slug);
        let (page, cost) = cost_of(team, &path).await;
        costs.push(cost);
        let items = page["items"].as_array().unwrap_or_else(|| panic!("{path}: {page}"));
        assert!(items.len() <= limit.min(100) as usize, "a page holds at most its size");
        numbers.extend(items.iter().map(|i| i["number"].as_i64().unwrap()));
        match page["next"].as_str() {
            Some(next) => after = Some(next.to_owned()),
            None => break,
        }
    }
    (numbers, costs)
}

#[tokio::test]
async fn a_thousand_requests_and_orders_are_listed_a_page_at_a_time_at_a_fixed_cost() {
    let app = TestApp::spawn().await;
    let team = Team::create(&app, "Bulk Buyers", "owner@example.com").await;
    let supplier = team.supplier("Everything Ltd").await;
    let members = get(&team.owner, &format!("/rpc/admin/members?slug={}", team.slug)).await;
    let owner_id = members["members"][0]["user"].as_str().unwrap().to_owned();
    fill(&app, &team, &supplier, &owner_id).await;

    for list in ["requests", "orders"] {
        let (numbers, costs) = walk(&team, list, 100).await;
        let expected: Vec<i64> = (1..=ROWS).rev().collect();
        assert_eq!(numbers, expected, "{list}: every row once, newest first");
        assert_eq!(costs.len(), 10, "{list}: ten pages of 100");
        let (min, max) = (*costs.iter().min().unwrap(), *costs.iter().max().unwrap());
        assert!(max <= 25, "{list}: a page costs at most 25 statements, not one per row: {costs:?}");
        assert!(max == min, "{list}: the cost does not grow with the page number: {costs:?}");
        // A page size above the maximum is cut to it; a small one costs no less than the big one.
        let page = get(&team.owner, &format!("/rpc/purchasing/{list}?slug={}&limit=5000", team.slug)).await;
        assert_eq!(page["items"].as_array().unwrap().len(), 100, "{list}: at most 100 a page");
        // Small pages, at the start, the middle and the end, cost the same as big ones.
        for after in ["", "&after=500", "&after=11"] {
            let path = format!("/rpc/purchasing/{list}?slug={}&limit=10{after}", team.slug);
            let (page, cost) = cost_of(&team, &path).await;
            assert_eq!(page["items"].as_array().unwrap().len(), 10, "{path}");
            assert_eq!(cost, min, "{path}: same cost whatever the page size or position");
        }
    }
    // The requester is named by their current address, not the one recorded with the rows.
    let page = get(&team.owner, &format!("/rpc/purchasing/requests?slug={}&limit=1", team.slug)).await;
    assert_eq!(page["items"][0]["requester"], "owner@example.com");
}

#[tokio::test]
async fn suppliers_are_listed_by_name_a_page_at_a_time() {
    let app = TestApp::spawn().await;
    let team = Team::create(&app, "Many Suppliers", "owner@example.com").await;
    let slug = model::WorkspaceSlug::parse(&team.slug).unwrap();
    let workspace = app.platform.tenancy().find_by_slug(&slug).await.unwrap();
    let db = app.platform.tenancy().tenant_db(workspace.id).await.unwrap();
    let mut insert = Query::insert()
        .into_table(Alias::new("suppliers"))
        .columns(["id", "name", "email", "created_at"].map(Alias::new))
        .to_owned();
    // Two suppliers share each name: the order (name, then id) must still give every one exactly once.
    for n in 0..120 {
        let name = format!("Supplier {:03}", n / 2);
        insert.values_panic([
            uuid::Uuid::new_v4().into(),
            name.into(),
            None::<String>.into(),
            chrono::Utc::now().into(),
        ]);
    }
    db.execute(&insert).await.unwrap();

    let (mut names, mut ids, mut costs, mut after) = (Vec::new(), Vec::new(), Vec::new(), None::<String>);
    loop {
        let cursor = after.as_deref().map(|a| format!("&after={a}")).unwrap_or_default();
        let (page, cost) =
            cost_of(&team, &format!("/rpc/purchasing/suppliers?slug={}&limit=25{cursor}", team.slug)).await;
        costs.push(cost);
        for s in page["items"].as_array().unwrap() {
            names.push(s["name"].as_str().unwrap().to_owned());
            ids.push(s["id"].as_str().unwrap().to_owned());
        }
        match page["next"].as_str() {
            Some(next) => after = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(costs.len(), 5, "120 suppliers in pages of 25");
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "by name");
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 120, "each supplier exactly once");
    // Every page after the first looks its cursor's row up: one statement more, then no growth.
    assert!(costs[1..].iter().all(|c| *c == costs[1]) && costs[1] <= costs[0] + 1, "a fixed cost a page: {costs:?}");
}
