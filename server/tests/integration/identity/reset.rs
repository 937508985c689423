//! ID1: a password reset link works once, and the reset ends every session.

use crate::harness::{PASSWORD, TestApp, link_token};
use serde_json::json;

#[tokio::test]
/// Proves: ID1, ID9
async fn a_reset_link_works_once_and_ends_every_session() {
    let app = TestApp::spawn().await;
    app.verified_account("uma@example.com").await;
    let old_session = app.signed_in_browser("uma@example.com").await;
    let browser = app.browser();
    assert_eq!(browser.call("auth/request-reset", &[("email", "uma@example.com")]).await.status(), 200);
    let token = link_token(&app.mail("uma@example.com", "password_reset").await.text, "/reset/confirm");

    let weak = browser.answer("auth/reset", &[("token", &token), ("new_password", "short")]).await;
    assert_eq!(weak.status, 422, "a refused password does not use the link up");
    assert_eq!(
        browser.call("auth/reset", &[("token", &token), ("new_password", "another good passphrase")]).await.status(),
        200
    );
    let again = browser.answer("auth/reset", &[("token", &token), ("new_password", "yet another passphrase")]).await;
    assert_eq!((again.status, again.body), (410, json!({ "Auth": "LinkInvalid" })));

    assert_eq!(old_session.whoami().await, None);
    assert_eq!(browser.sign_in("uma@example.com", PASSWORD).await.status, 401);
    assert_eq!(browser.sign_in("uma@example.com", "another good passphrase").await.status, 200);
    assert_eq!(app.mail("uma@example.com", "password_changed").await.subject, "Your Strongroom password was changed");
}

#[tokio::test]
/// Proves: ID1
async fn made_up_links_are_refused() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    for token in ["", "x", &"A".repeat(43), &"A".repeat(500)] {
        let answer =
            browser.answer("auth/reset", &[("token", token), ("new_password", "another good passphrase")]).await;
        assert_eq!(answer.status, 410, "{token:?}");
    }
}
