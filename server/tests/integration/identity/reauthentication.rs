//! Security review H3: re-authentication (password change, email change, TOTP, recovery codes) passes
//! the same gate as sign-in, ends the session after a few wrong passwords, and cannot be used to keep
//! the shared password hasher busy.

use super::support::{attempt, proxied_app};
use crate::harness::PASSWORD;
use domain::identity::REAUTH_FAILURES_PER_SESSION;
use serde_json::json;

/// A stolen session guessing the password through "change password": a few wrong guesses end the
/// session, and the guesses count towards the account's lockout like failed sign-ins.
/// Proves: ID4, ID8
#[tokio::test]
async fn wrong_reauthentications_end_the_session_and_count_towards_the_lockout() {
    let app = proxied_app().await;
    let email = app.verified_account("wes@example.com").await;
    let thief = app.signed_in_browser(&email).await;
    let mut answers = Vec::new();
    for i in 0..REAUTH_FAILURES_PER_SESSION {
        answers.push(
            thief
                .answer(
                    "account/password",
                    &[("password", &format!("guess {i}")), ("new_password", "plum orchard at dusk 2")],
                )
                .await,
        );
    }
    assert!(answers[..answers.len() - 1].iter().all(|a| a.body == json!({ "Auth": "WrongPassword" })), "{answers:?}");
    assert_eq!(answers.last().unwrap().body, json!({ "Auth": "SignInRequired" }), "the session ends");
    assert_eq!(thief.whoami().await, None);

    // The same account from another browser: two more failures reach the threshold of five.
    let browser = app.browser();
    let token = browser.csrf_token().await;
    for i in 0..2 {
        attempt(&browser.behind_proxy_as(&format!("192.0.2.{}", 40 + i)), &token, &email, "still wrong").await;
    }
    let right = attempt(&browser.behind_proxy_as("192.0.2.50"), &token, &email, PASSWORD).await;
    assert_eq!(right, (403, json!({ "Auth": "AccountProtected" })), "re-authentication failures counted");
}

/// During a cooldown, re-authentication is refused without its password being checked: no oracle for
/// someone holding a session while the account is under attack.
/// Proves: ID4
#[tokio::test]
async fn reauthentication_is_refused_during_a_cooldown() {
    let app = proxied_app().await;
    let email = app.verified_account("xena@example.com").await;
    let session = app.signed_in_browser(&email).await;
    let guesser = app.browser();
    let token = guesser.csrf_token().await;
    for i in 0..5 {
        attempt(&guesser.behind_proxy_as(&format!("192.0.2.{}", 60 + i)), &token, &email, "wrong again").await;
    }
    let answer =
        session.answer("account/password", &[("password", PASSWORD), ("new_password", "plum orchard at dusk 3")]).await;
    assert_eq!((answer.status, answer.body), (403, json!({ "Auth": "AccountProtected" })));
}

/// Sixty parallel, then twenty sequential re-authentications with the right password from one
/// signed-in user (each one a password check on the shared hasher): a handful go through, the rest
/// are refused at once, so one user cannot stall everyone's sign-in.
/// Proves: ID2, ID4
#[tokio::test]
async fn a_burst_of_reauthentications_reaches_the_hasher_only_a_few_times() {
    let app = proxied_app().await;
    let email = app.verified_account("yara@example.com").await;
    let session = app.signed_in_browser(&email).await;
    let token = session.csrf_token().await;
    let mut calls = Vec::new();
    for _ in 0..60 {
        let (session, token) = (session.clone(), token.clone());
        calls.push(tokio::spawn(async move {
            let response = session.call_with_token("account/totp/begin", &[("password", PASSWORD)], &token).await;
            (response.status().as_u16(), response.json::<serde_json::Value>().await.unwrap_or_default())
        }));
    }
    let mut checked = 0;
    for call in calls {
        let (status, body) = call.await.unwrap();
        assert!(matches!(status, 200 | 429), "{status} {body}");
        checked += usize::from(status == 200);
    }
    // And one after the other, as a script looping on one connection would.
    for _ in 0..20 {
        let response = session.call_with_token("account/totp/begin", &[("password", PASSWORD)], &token).await;
        assert!(matches!(response.status().as_u16(), 200 | 429));
        checked += usize::from(response.status() == 200);
    }
    assert!((1..=6).contains(&checked), "{checked} passwords were checked");
}
