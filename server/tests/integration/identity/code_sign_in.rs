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

/// "Email me a code" answers before any work that differs between addresses: while another connection
/// holds the write lock that sending a code needs, the answer for a registered address still comes at
/// once (the code follows when the lock is gone), as fast as for an unknown one.
/// Proves: ID1, ID6
#[tokio::test]
async fn requesting_a_code_answers_before_any_work_that_differs() {
    use sea_orm::ConnectionTrait as _;
    let app = TestApp::spawn().await;
    let known = app.verified_account("lena@example.com").await;
    let browser = app.browser();
    let token = browser.csrf_token().await;
    // One connection that takes the write lock sending a code needs, and keeps it for a while.
    let limits = domain::db::PoolLimits { max_connections: 1, ..domain::db::PoolLimits::TENANT };
    let holder = domain::db::connect(&app.control_url, limits).await.unwrap();
    if app.on_postgres() {
        holder.execute_unprepared("BEGIN; LOCK TABLE email_codes IN EXCLUSIVE MODE").await.unwrap();
    } else {
        holder.execute_unprepared("BEGIN IMMEDIATE").await.unwrap();
    }
    let mut answers = Vec::new();
    for email in [known.as_str(), "nobody@example.com"] {
        let started = Instant::now();
        let response = browser.call_with_token("auth/request-code", &[("email", email)], &token).await;
        answers.push((email, response.status().as_u16(), started.elapsed()));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    holder.execute_unprepared("ROLLBACK").await.unwrap();
    for (email, status, took) in &answers {
        assert_eq!(*status, 200, "{email}");
        assert!(*took < Duration::from_millis(1000), "{email} took {took:?}: the answer waited for the code");
    }
    next_mail(&app, &known, "sign_in_code", &[]).await;
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

/// Requests for one account's codes handled at the same moment still mail at most the hourly cap: the
/// count and the new code are one transaction, one sender per account at a time.
/// Proves: ID4
#[tokio::test]
async fn code_requests_handled_at_once_mail_no_more_than_the_hourly_cap() {
    let app = proxied_app().await;
    let email = app.verified_account("cap@example.com").await;
    let requests = (0..12).map(|i| {
        let browser = app.browser().behind_proxy_as(&format!("198.51.100.{}", 10 + i));
        let email = email.clone();
        async move { browser.answer("auth/request-code", &[("email", &email)]).await.status }
    });
    for status in futures_util::future::join_all(requests).await {
        assert_eq!(status, 200, "answered alike, at once");
    }
    let identity = app.platform.identity();
    let deadline = Instant::now() + Duration::from_secs(30);
    while identity.background_tasks() > 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let codes = app.mails(&email).await.into_iter().filter(|m| m.kind == "sign_in_code").count();
    assert_eq!(codes, 5, "at most five code mails an hour, however many requests arrive at once");
}
