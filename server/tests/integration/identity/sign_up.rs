//! ID1–ID3, ID6: sign-up, verification, the first sign-in from a new browser; no account enumeration.

use crate::harness::{PASSWORD, TestApp, link_token, sign_in_code};
use serde_json::json;
use std::time::{Duration, Instant};

#[tokio::test]
/// Proves: ID1, ID6
async fn sign_up_verify_then_sign_in_from_a_new_browser_with_an_emailed_code() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    let response = browser.call("auth/sign-up", &[("email", "Alice@Example.com"), ("password", PASSWORD)]).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["location"], "/signup/sent");

    // Not verified yet: the right password is not enough, and a new link is sent.
    app.mail("alice@example.com", "verify_address").await;
    let unverified = browser.sign_in("alice@example.com", PASSWORD).await;
    assert_eq!((unverified.status, unverified.body.clone()), (403, json!({ "Auth": "EmailNotVerified" })));

    let verify = app.mail("alice@example.com", "verify_address").await;
    assert!(verify.html.contains("<a href=") && verify.text.contains("/verify?token="), "HTML and text bodies");
    let token = link_token(&verify.text, "/verify");
    assert_eq!(browser.call("auth/verify-email", &[("token", &token)]).await.status(), 200);
    assert_eq!(browser.call("auth/verify-email", &[("token", &token)]).await.status(), 410, "links work once");

    // First sign-in from this browser: a code by mail.
    let first = browser.sign_in("alice@example.com", PASSWORD).await;
    assert_eq!((first.status, first.body), (200, json!("SecondFactor")));
    assert_eq!(browser.whoami().await, None, "not signed in before the code");
    let wrong = browser.answer("auth/second-factor", &[("code", "000000")]).await;
    assert_eq!(wrong.status, 401);
    let code = sign_in_code(&app.mail("alice@example.com", "sign_in_code").await.text);
    let done = browser.answer("auth/second-factor", &[("code", &code)]).await;
    assert_eq!((done.status, done.body), (200, json!({ "SignedIn": { "next": "/workspaces" } })));
    assert_eq!(browser.whoami().await.as_deref(), Some("alice@example.com"));
    assert_eq!(
        app.mail("alice@example.com", "new_device_sign_in").await.subject,
        "New sign-in to your Strongroom account"
    );

    // The same browser, from the same network, later: no code needed.
    let answer = browser.sign_in("alice@example.com", PASSWORD).await;
    assert_eq!((answer.status, answer.body), (200, json!({ "SignedIn": { "next": "/workspaces" } })));
}

#[tokio::test]
/// Proves: ID3
async fn weak_passwords_are_refused_and_nothing_is_created() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    let short = browser.answer("auth/sign-up", &[("email", "bob@example.com"), ("password", "short")]).await;
    assert_eq!(
        (short.status, short.body),
        (422, json!({ "Invalid": { "TooShort": { "field": "Password", "min": 12 } } }))
    );
    let common = browser.answer("auth/sign-up", &[("email", "bob@example.com"), ("password", "Password1234")]).await;
    assert_eq!(
        (common.status, common.body),
        (422, json!({ "Invalid": { "CommonPassword": { "field": "Password" } } }))
    );
    let address = browser.answer("auth/sign-up", &[("email", "bob@"), ("password", PASSWORD)]).await;
    assert_eq!(address.status, 422);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(app.mails("bob@example.com").await.is_empty());
}

#[tokio::test]
/// Proves: ID1
async fn sign_up_and_reset_answer_alike_whether_or_not_the_address_exists() {
    let app = TestApp::spawn().await;
    app.verified_account("taken@example.com").await;
    let browser = app.browser();
    let token = browser.csrf_token().await;
    let n = 15;
    let identity = app.platform.identity().clone();
    let quiet = || async {
        // Each answer is timed on a quiet server: what differs between the two kinds of address runs
        // after the answer, in the background, and must not leak into the next answer's timing.
        while identity.background_tasks() > 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    };

    for endpoint in ["auth/sign-up", "auth/request-reset"] {
        // Interleave the two kinds of address, so background work disturbs both alike.
        let mut times = [Vec::new(), Vec::new()];
        let mut answers = Vec::new();
        for i in 0..n {
            let fresh = format!("new{i}-{}@example.com", endpoint.replace('/', "-"));
            for (kind, address) in ["taken@example.com", fresh.as_str()].into_iter().enumerate() {
                quiet().await;
                let started = Instant::now();
                let fields: &[(&str, &str)] = if endpoint == "auth/sign-up" {
                    &[("email", address), ("password", PASSWORD)]
                } else {
                    &[("email", address)]
                };
                let response = browser.call_with_token(endpoint, fields, &token).await;
                times[kind].push(started.elapsed());
                answers.push((response.status().as_u16(), response.text().await.unwrap()));
            }
        }
        assert!(answers.iter().all(|a| a == &answers[0]), "{endpoint}: every answer is the same: {answers:?}");
        for kind in &mut times {
            kind.sort();
        }
        let (registered, new) = (times[0][n / 2], times[1][n / 2]);
        assert!(
            registered.abs_diff(new) < Duration::from_millis(25),
            "{endpoint}: median {registered:?} for a registered address vs {new:?} for a new one"
        );
    }

    // What differs happens by mail, to the mailbox owner only.
    assert_eq!(
        app.mail("taken@example.com", "sign_up_existing").await.subject,
        "You already have a Strongroom account"
    );
    app.mail("taken@example.com", "password_reset").await;
    app.mail("new0-auth-sign-up@example.com", "verify_address").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(app.mails("new0-auth-request-reset@example.com").await.is_empty(), "no account, no reset mail");
}
