//! Security review M3, M6, L12: "email me a code" and signing in with it tell nothing about which
//! addresses have accounts, and requesting codes for someone cannot keep them out.

use super::support::{mail_ids, next_mail, proxied_app};
use crate::harness::{PASSWORD, TestApp, sign_in_code};
use serde_json::json;
use std::time::{Duration, Instant};

/// A wrong code for a registered address and any code for an unknown one get the same status and body.
/// Proves: ID1, ID6
#[tokio::test]
async fn sign_in_with_a_code_answers_alike_for_known_and_unknown_addresses() {
    let app = proxied_app().await;
    let known = app.verified_account("kim@example.com").await;
    let browser = app.browser();
    for email in [known.as_str(), "nobody@example.com"] {
        assert_eq!(browser.call("auth/request-code", &[("email", email)]).await.status(), 200);
    }
    next_mail(&app, &known, "sign_in_code", &[]).await;
    let mut answers = Vec::new();
    for (i, email) in [known.as_str(), "nobody@example.com"].iter().enumerate() {
        let from = browser.behind_proxy_as(&format!("192.0.2.{}", 80 + i));
        answers.push(
            from.answer("auth/sign-in-with-code", &[("email", email), ("password", "x"), ("code", "000000")]).await,
        );
    }
    assert_eq!((answers[0].status, &answers[0].body), (401, &json!({ "Auth": "CodeNotAccepted" })));
    assert_eq!((answers[0].status, &answers[0].body), (answers[1].status, &answers[1].body));
}

/// "Email me a code" answers at once and alike whether or not the address has an account: the
/// lookup and the mail happen after the answer. Samples alternate between the two addresses, so load
/// on the machine falls on both alike, and the medians must agree within 15 ms.
/// Proves: ID1, ID6
#[tokio::test]
async fn requesting_a_code_answers_in_the_same_time_for_known_and_unknown_addresses() {
    let app = TestApp::spawn().await;
    let known = app.verified_account("lena@example.com").await;
    let browser = app.browser();
    let token = browser.csrf_token().await;
    let (mut known_ms, mut unknown_ms) = (Vec::new(), Vec::new());
    for i in 0..30 {
        for (email, samples) in [(known.as_str(), &mut known_ms), ("nobody@example.com", &mut unknown_ms)] {
            let started = Instant::now();
            let response = browser.call_with_token("auth/request-code", &[("email", email)], &token).await;
            samples.push(started.elapsed());
            assert_eq!(response.status(), 200, "request {i} for {email}");
        }
    }
    let median = |v: &mut Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    let (k, u) = (median(&mut known_ms), median(&mut unknown_ms));
    let gap = k.abs_diff(u);
    assert!(gap < Duration::from_millis(15), "medians differ by {gap:?}: known {k:?}, unknown {u:?}");
}

/// An attacker requests codes for an administrator: the administrator's own sign-in still gets a code,
/// and a code requested meanwhile does not replace it.
/// Proves: ID4, ID6
#[tokio::test]
async fn requested_codes_cannot_keep_the_owner_out() {
    let app = proxied_app().await;
    let email = app.verified_account("max@example.com").await;
    let attacker = app.browser().behind_proxy_as("192.0.2.90");
    for _ in 0..6 {
        assert_eq!(attacker.call("auth/request-code", &[("email", &email)]).await.status(), 200);
    }
    // The owner signs in from a new browser: a code is sent, not "too many codes".
    let owner = app.browser();
    let before = mail_ids(&app, &email).await;
    let step = owner.sign_in(&email, PASSWORD).await;
    assert_eq!((step.status, step.body), (200, json!("SecondFactor")));
    let code = sign_in_code(&next_mail(&app, &email, "sign_in_code", &before).await.text);
    // Another requested code arrives before the owner types theirs.
    assert_eq!(attacker.call("auth/request-code", &[("email", &email)]).await.status(), 200);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let done = owner.answer("auth/second-factor", &[("code", &code)]).await;
    assert_eq!(done.status, 200, "{done:?}");
}
