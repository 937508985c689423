//! ID9: an email change is confirmed from the new address; both addresses get a notice; the old one
//! can undo it once, which locks the account until a password reset.

use crate::harness::{PASSWORD, TestApp, link_token};
use serde_json::json;

#[tokio::test]
/// Proves: ID9
async fn email_change_notifies_both_addresses_and_the_undo_link_works_once() {
    let app = TestApp::spawn().await;
    app.verified_account("rita@example.com").await;
    let browser = app.signed_in_browser("rita@example.com").await;
    let wrong = browser.answer("account/email", &[("new_email", "rita@new.example"), ("password", "not it")]).await;
    assert_eq!(wrong.status, 401);
    let asked = browser.call("account/email", &[("new_email", "Rita@New.example"), ("password", PASSWORD)]).await;
    assert_eq!(asked.status(), 200);

    let confirm = app.mail("rita@new.example", "confirm_new_address").await;
    let token = link_token(&confirm.text, "/email/confirm");
    assert_eq!(browser.call("account/email/confirm", &[("token", &token)]).await.status(), 200);
    assert_eq!(
        browser.call("account/email/confirm", &[("token", &token)]).await.status(),
        410,
        "confirm links work once"
    );
    assert_eq!(browser.whoami().await.as_deref(), Some("rita@new.example"));

    let to_old = app.mail("rita@example.com", "address_changed_old").await;
    assert!(to_old.text.contains("rita@new.example"));
    let to_new = app.mail("rita@new.example", "address_changed_new").await;
    assert_eq!(to_new.subject, "This is now your Strongroom email address");

    // The old address undoes it: address restored, everyone signed out, account locked.
    let undo = link_token(&to_old.text, "/email/undo");
    let stranger = app.browser();
    assert_eq!(stranger.call("account/email/undo", &[("token", &undo)]).await.status(), 200);
    assert_eq!(stranger.call("account/email/undo", &[("token", &undo)]).await.status(), 410, "undo links work once");
    assert_eq!(browser.whoami().await, None, "sessions ended");
    let locked = app.browser().sign_in("rita@example.com", PASSWORD).await;
    assert_eq!((locked.status, locked.body), (403, json!({ "Auth": "AccountLocked" })));

    // A reset through the restored address unlocks it.
    let reset =
        app.mails("rita@example.com").await.into_iter().find(|m| m.kind == "password_reset").expect("reset link");
    let token = link_token(&reset.text, "/reset/confirm");
    let browser = app.browser();
    assert_eq!(
        browser.call("auth/reset", &[("token", &token), ("new_password", "a brand new passphrase")]).await.status(),
        200
    );
    assert_eq!(browser.sign_in("rita@example.com", "a brand new passphrase").await.status, 200);
}

#[tokio::test]
/// Proves: ID9
async fn moving_to_an_address_that_has_an_account_reveals_nothing() {
    let app = TestApp::spawn().await;
    app.verified_account("sam@example.com").await;
    app.verified_account("tess@example.com").await;
    let browser = app.signed_in_browser("sam@example.com").await;
    let to_taken = browser.answer("account/email", &[("new_email", "tess@example.com"), ("password", PASSWORD)]).await;
    let to_free = browser.answer("account/email", &[("new_email", "sam@other.example"), ("password", PASSWORD)]).await;
    assert_eq!(to_taken.status, to_free.status);
    assert_eq!(to_taken.body, to_free.body);
    // The owner of the taken address hears about it; no confirmation link goes there.
    app.mail("tess@example.com", "sign_up_existing").await;
    assert!(app.mails("tess@example.com").await.iter().all(|m| m.kind != "confirm_new_address"));
}
