//! AUD1 for workspace events: every change with actor, time, object and changes; filters; CSV export
//! that a spreadsheet cannot be tricked into running.

use super::fixture::{Team, decide, get, get_status, submit};
use crate::harness::TestApp;
use serde_json::Value;

fn actions(entries: &Value) -> Vec<String> {
    entries.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
/// Proves: AUD1
async fn every_change_is_logged_filterable_and_exportable() {
    let app = TestApp::spawn().await;
    let team = Team::create(&app, "Audit Co", "owner@example.com").await;
    let supplier = team.supplier("Screens Ltd").await;
    // An address a spreadsheet would take for a formula, when exported.
    let member = team.member(&app, "=calc@example.com", "member").await;
    let (_, request) = submit(&member, &team.slug, &supplier, "Monitors", "2", "900").await;
    let (status, _) = decide(&team.owner, &team.slug, request["id"].as_str().unwrap(), "approve", "ok").await;
    assert_eq!(status, 200);

    let log = |query: String| {
        let owner = team.owner.clone();
        let slug = team.slug.clone();
        async move { get(&owner, &format!("/rpc/admin/audit?slug={slug}&{query}")).await }
    };
    let all = log("actor=&action=&from=&until=".into()).await;
    let all_actions = actions(&all);
    for expected in [
        "workspace.created",
        "supplier.created",
        "invitation.created",
        "member.joined",
        "request.submitted",
        "request.approved",
        "order.created",
    ] {
        assert!(all_actions.contains(&expected.to_owned()), "{expected} missing from {all_actions:?}");
    }
    let submitted = all.as_array().unwrap().iter().find(|e| e["action"] == "request.submitted").unwrap();
    assert_eq!(submitted["actor"], "=calc@example.com");
    assert!(submitted["changes"].as_str().unwrap().contains("\"title\":\"Monitors\""));
    assert_eq!(submitted["ip"], "127.0.0.1");

    assert_eq!(actions(&log("actor=calc&action=&from=&until=".into()).await), ["request.submitted", "member.joined"]);
    assert_eq!(
        actions(&log("actor=&action=request.&from=&until=".into()).await),
        ["request.approved", "request.submitted"]
    );
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    assert_eq!(
        log(format!("actor=&action=&from={today}&until={today}")).await.as_array().unwrap().len(),
        all.as_array().unwrap().len()
    );
    assert_eq!(log("actor=&action=&from=2000-01-01&until=2000-01-02".into()).await, Value::Array(Vec::new()));

    let csv = team
        .owner
        .client
        .get(format!("{}/w/{}/admin/audit.csv?actor=calc&action=request.", app.base, team.slug))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), 200);
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    assert!(csv.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
    let text = csv.text().await.unwrap();
    let mut rows = text.lines();
    assert_eq!(rows.next(), Some("time,actor,action,object_type,object_id,changes,ip"));
    let row = rows.next().expect("the member's request row");
    assert!(
        row.contains(",'=calc@example.com,request.submitted,purchase_request,"),
        "the formula-like cell is defused: {row}"
    );
    assert_eq!(rows.next(), None);

    // Members do not read the log.
    assert_eq!(
        get_status(&member, &format!("/rpc/admin/audit?slug={}&actor=&action=&from=&until=", team.slug)).await,
        403
    );
    assert_eq!(get_status(&member, &format!("/w/{}/admin/audit.csv", team.slug)).await, 403);
}

/// Filters arrive percent-decoded once: `%253c` is the text `%3c`, never `<` (security review, code
/// review §3: Leptos's query map decodes a second time), and the CSV link carries the same filter.
#[tokio::test]
/// Proves: AUD1
async fn filters_are_decoded_exactly_once() {
    let app = TestApp::spawn().await;
    let team = Team::create(&app, "Filter Co", "owner@example.com").await;
    let page = team.owner.get_page(&format!("/w/{}/admin/audit?actor=%253cscript%253e", team.slug)).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    let input = html.find("id=\"audit-actor\"").map(|i| &html[i..i + html[i..].find('>').unwrap()]).unwrap();
    assert!(input.contains("value=\"%3cscript%3e\""), "the filter box shows the text as typed once: {input}");
    assert!(!html.contains("&lt;script&gt;"), "a twice-decoded filter reached the page");
    assert!(html.contains("actor=%253cscript%253e"), "the CSV link carries the same filter");
}
