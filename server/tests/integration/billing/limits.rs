//! A plan's member limit (PAY1): inviting stops at the limit, open invitations count, and a larger
//! plan, once paid, allows more.

use super::fixture::{member, no_trial, on_sandbox_page, shop};
use crate::harness::TestApp;
use domain::billing::plans::Plans;

/// Free allows 2 members, Team 3.
fn small_plans(raw: &mut server::config::RawConfig) {
    no_trial(raw);
    let mut plans = Plans::dev_defaults();
    for plan in &mut plans {
        plan.max_members = match plan.key.as_str() {
            "free" => Some(2),
            "team" => Some(3),
            _ => None,
        };
    }
    raw.billing.plans = plans;
}

#[tokio::test]
/// Proves: PAY1
async fn inviting_stops_at_the_plan_s_member_limit_and_a_paid_plan_allows_more() {
    let app = TestApp::spawn_with(small_plans).await;
    let shop = shop(&app, "limited@example.com").await;
    let invite = |email: &'static str| {
        let owner = &shop.owner;
        let slug = shop.slug.clone();
        async move { owner.call("admin/invite", &[("slug", &slug), ("email", email), ("role", "member")]).await }
    };
    // The owner and one open invitation make two: the limit.
    let _first = member(&app, &shop, "first@example.com", "member").await;
    let refused = invite("second@example.com").await;
    assert_eq!(refused.status(), 409, "one past the free plan's limit of 2");
    assert!(refused.text().await.unwrap().contains("PlanMemberLimit"));
    // On Team (3), one more fits, and then no more; an open invitation counts as a member.
    let page = shop.checkout("team", "month").await;
    on_sandbox_page(&app, &shop.owner, &page, "pay").await;
    assert_eq!(shop.status().await.as_deref(), Some("active"));
    assert_eq!(invite("second@example.com").await.status(), 200, "at the team plan's limit of 3");
    let refused = invite("third@example.com").await;
    assert_eq!(refused.status(), 409, "the open invitation counts");
    assert_eq!(shop.count("SELECT COUNT(*) FROM members").await, 2, "nobody joined past the limit");
}
