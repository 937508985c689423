//! Security review H1: the second factor is limited per pending sign-in and per account, not only per
//! address, so a user with an authenticator is never weaker than one with emailed codes.

use super::support::{attempt, enrol_totp, mail_ids, next_mail, proxied_app, totp_now};
use crate::harness::{PASSWORD, TestApp};
use serde_json::json;

/// Someone who knows the password types wrong authenticator codes from a fresh IPv6 /64 each time (as
/// the review's probe does, so the address block never binds): after a few, the pending sign-in is
/// dropped, the account cools down and the owner is mailed; the right code no longer gets in.
/// Proves: ID4, ID7
#[tokio::test]
async fn wrong_totp_codes_from_many_addresses_drop_the_sign_in_and_lock_the_account() {
    let app = proxied_app().await;
    let email = app.verified_account("tina@example.com").await;
    let owner = app.signed_in_browser(&email).await;
    let secret = enrol_totp(&app, &owner).await;

    let attacker = app.browser();
    assert_eq!(attacker.sign_in(&email, PASSWORD).await.body, json!("SecondFactor"));
    let mut answers = Vec::new();
    for net in 1..=20 {
        let from = attacker.behind_proxy_as(&format!("2001:db8:{net:x}::1"));
        answers.push(from.answer("auth/second-factor", &[("code", "000000")]).await);
    }
    let wrong: Vec<_> = answers.iter().filter(|a| a.body == json!({ "Auth": "TotpCodeIncorrect" })).collect();
    assert_eq!(wrong.len(), 4, "four wrong codes are answered as such, then the sign-in stops: {answers:?}");
    assert_eq!(answers[4].body, json!({ "Auth": "AccountProtected" }), "the fifth starts the cooldown");
    assert!(answers[5..].iter().all(|a| a.status == 410 || a.status == 403), "{answers:?}");

    let right =
        attacker.behind_proxy_as("2001:db8:99::1").answer("auth/second-factor", &[("code", &totp_now(&secret))]).await;
    assert_ne!(right.status, 200, "the right code no longer signs in: {right:?}");
    assert_eq!(attacker.whoami().await, None);
    let again = app.browser().behind_proxy_as("2001:db8:98::1").sign_in(&email, PASSWORD).await;
    assert_eq!((again.status, again.body), (403, json!({ "Auth": "AccountProtected" })), "the account cools down");
    let warning = app.mail(&email, "wrong_second_factor").await;
    assert!(warning.text.contains("wrong sign-in codes"), "{}", warning.text);
}

/// Many wrong codes at once, on several pending sign-ins opened by someone who knows the password: no
/// more codes are checked than the account's threshold (5), however the requests interleave.
/// Proves: ID4, ID7
#[tokio::test]
async fn a_burst_of_codes_on_many_pending_sign_ins_checks_at_most_the_threshold() {
    let app = proxied_app().await;
    let email = app.verified_account("uma@example.com").await;
    let owner = app.signed_in_browser(&email).await;
    enrol_totp(&app, &owner).await;

    let mut attackers = Vec::new();
    for i in 0..4 {
        let browser = app.browser().behind_proxy_as(&format!("2001:db8:{i:x}:1::1"));
        assert_eq!(browser.sign_in(&email, PASSWORD).await.body, json!("SecondFactor"));
        attackers.push(browser);
    }
    let mut tries = Vec::new();
    for (i, browser) in attackers.iter().enumerate() {
        let token = browser.csrf_token().await;
        for k in 0..10 {
            let from = browser.behind_proxy_as(&format!("2001:db8:{i:x}:{k:x}::7"));
            let token = token.clone();
            tries.push(tokio::spawn(async move {
                let response = from.call_with_token("auth/second-factor", &[("code", "123456")], &token).await;
                (response.status().as_u16(), response.json::<serde_json::Value>().await.unwrap_or_default())
            }));
        }
    }
    let mut checked = 0;
    for attempt in tries {
        let (status, body) = attempt.await.unwrap();
        assert!(matches!(status, 401 | 403 | 410 | 429), "{status} {body}");
        checked += usize::from(body == json!({ "Auth": "TotpCodeIncorrect" }));
    }
    assert!(checked <= 5, "{checked} codes were checked; the threshold is 5");
}

/// The owner who came in through an emailed code (the mailbox is proven) is not stopped by the
/// account's cooldown at the authenticator step, so an attacker's guesses cannot lock them out.
/// Proves: ID4
#[tokio::test]
async fn the_owner_with_an_emailed_code_passes_totp_during_a_cooldown() {
    let app: TestApp = proxied_app().await;
    let email = app.verified_account("vera@example.com").await;
    let owner = app.signed_in_browser(&email).await;
    let secret = enrol_totp(&app, &owner).await;
    let guesser = app.browser();
    let token = guesser.csrf_token().await;
    for i in 0..5 {
        attempt(&guesser.behind_proxy_as(&format!("203.0.113.{}", 10 + i)), &token, &email, "wrong guess!!").await;
    }
    let browser = app.browser().behind_proxy_as("203.0.113.99");
    assert_eq!(browser.sign_in(&email, PASSWORD).await.status, 403, "cooling down");
    let before = mail_ids(&app, &email).await;
    assert_eq!(browser.call("auth/request-code", &[("email", &email)]).await.status(), 200);
    let code = crate::harness::sign_in_code(&next_mail(&app, &email, "sign_in_code", &before).await.text);
    let step =
        browser.answer("auth/sign-in-with-code", &[("email", &email), ("password", PASSWORD), ("code", &code)]).await;
    assert_eq!(step.body, json!("SecondFactor"), "{step:?}");
    let done = browser.answer("auth/second-factor", &[("code", &totp_now(&secret))]).await;
    assert_eq!(done.status, 200, "{done:?}");
    assert_eq!(browser.whoami().await.as_deref(), Some(email.as_str()));
}
