//! Time zones (UX3): a workspace's pages show its members times in the workspace's zone, a member's own
//! zone wins over it, and the zone a page is drawn in tells a non-member nothing. Times keep their
//! offset from UTC on the page, daylight saving included, so none is ever ambiguous.

use super::fixture::Team;
use super::policies::set_policy;
use crate::harness::{Browser, TestApp};

/// The audit page of `slug` as `browser` sees it (each entry shows when it happened).
async fn audit_page(browser: &Browser, slug: &str) -> (u16, String) {
    let page = browser.get_page(&format!("/w/{slug}/admin/audit")).await;
    (page.status().as_u16(), page.text().await.unwrap())
}

#[tokio::test]
/// Proves: UX3
async fn times_follow_the_members_zone_else_the_workspaces_and_a_stranger_learns_neither() {
    let app = TestApp::spawn().await;
    let team = Team::create(&app, "Acme", "owner@example.com").await;
    let (status, page) = audit_page(&team.owner, &team.slug).await;
    assert_eq!(status, 200);
    assert!(page.contains(" UTC<") || page.contains(" UTC\""), "UTC until a zone is chosen");

    // The workspace chooses Istanbul (+03:00 all year): its pages show +03:00.
    let (status, body) = set_policy(&team.owner, &team.slug, &[("time_zone", "Europe/Istanbul")]).await;
    assert_eq!(status, 200, "{body}");
    let (_, page) = audit_page(&team.owner, &team.slug).await;
    assert!(page.contains("UTC+03:00"), "the workspace's zone: {page}");

    // A zone that does not exist is refused next to its field, and nothing changes.
    let (status, body) = set_policy(&team.owner, &team.slug, &[("time_zone", "Europe/Atlantis")]).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["Invalid"]["UnknownTimeZone"]["field"], "TimeZone", "{body}");
    assert!(audit_page(&team.owner, &team.slug).await.1.contains("UTC+03:00"));

    // The owner's own zone wins, on every page; emptied, the workspace's applies again.
    let own = team.owner.call("account/time-zone", &[("time_zone", "Asia/Kolkata")]).await;
    assert_eq!(own.status(), 200);
    let (_, page) = audit_page(&team.owner, &team.slug).await;
    assert!(page.contains("UTC+05:30") && !page.contains("UTC+03:00"), "the member's own zone");
    let security = team.owner.get_page("/account/security").await.text().await.unwrap();
    assert!(security.contains("UTC+05:30"), "outside the workspace too");
    assert_eq!(team.owner.call("account/time-zone", &[("time_zone", "Mars/Olympus")]).await.status(), 422);
    assert_eq!(team.owner.call("account/time-zone", &[("time_zone", "")]).await.status(), 200);
    assert!(audit_page(&team.owner, &team.slug).await.1.contains("UTC+03:00"), "back to the workspace's");

    // A stranger opening the workspace's address gets no hint of its zone.
    let stranger = app.user("stranger@example.com").await;
    let (status, page) = audit_page(&stranger, &team.slug).await;
    assert_ne!(status, 200);
    assert!(!page.contains("Europe/Istanbul") && !page.contains("10800"), "the zone leaked: {page}");
    // The page carries its zone to the browser (JSON inside a script): UTC, as for any page.
    assert!(page.contains(r#"{\"name\":\"UTC\","#), "drawn in UTC like any page of a workspace one is not in");
}
