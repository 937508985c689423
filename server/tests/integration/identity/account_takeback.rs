//! Security review H2, M9, L3: the email-change undo and the password reset take the account back for
//! good, and a stolen session alone cannot add the thief's authenticator.

use super::support::{enrol_totp, mail_ids, next_mail, proxied_app, totp_now};
use crate::harness::{Browser, PASSWORD, TestApp, link_token};
use serde_json::json;

/// Moves the signed-in account to `to`, confirming from the new address; returns the undo link token
/// mailed to the address it had.
async fn change_email(app: &TestApp, browser: &Browser, from: &str, to: &str) -> String {
    let before = mail_ids(app, from).await;
    assert_eq!(browser.call("account/email", &[("new_email", to), ("password", PASSWORD)]).await.status(), 200);
    let token = link_token(&next_mail(app, to, "confirm_new_address", &[]).await.text, "/email/confirm");
    assert_eq!(browser.call("account/email/confirm", &[("token", &token)]).await.status(), 200);
    link_token(&next_mail(app, from, "address_changed_old", &before).await.text, "/email/undo")
}

/// H2(a): victim → a1 → a2; the attacker undoes the second change (to a1) and resets the password
/// there. The victim's own undo link still works and restores the victim's address.
/// Proves: ID9
#[tokio::test]
async fn a_chained_change_and_self_undo_cannot_revoke_the_owners_undo() {
    let app = TestApp::spawn().await;
    let victim = app.verified_account("victim@corp.example").await;
    let session = app.signed_in_browser(&victim).await;
    let undo_1 = change_email(&app, &session, &victim, "a1@evil.example").await;
    let undo_2 = change_email(&app, &session, "a1@evil.example", "a2@evil.example").await;
    let attacker = app.browser();
    let before = mail_ids(&app, "a1@evil.example").await;
    assert_eq!(attacker.call("account/email/undo", &[("token", &undo_2)]).await.status(), 200);
    let reset = link_token(&next_mail(&app, "a1@evil.example", "password_reset", &before).await.text, "/reset/confirm");
    let fields = [("token", reset.as_str()), ("new_password", "attacker owns this now")];
    assert_eq!(attacker.call("auth/reset", &fields).await.status(), 200);

    let owner = app.browser();
    let before = mail_ids(&app, &victim).await;
    assert_eq!(owner.call("account/email/undo", &[("token", &undo_1)]).await.status(), 200, "the oldest undo works");
    let reset = link_token(&next_mail(&app, &victim, "password_reset", &before).await.text, "/reset/confirm");
    let fields = [("token", reset.as_str()), ("new_password", "mine again, thank you")];
    assert_eq!(owner.call("auth/reset", &fields).await.status(), 200);
    assert_eq!(owner.sign_in(&victim, "mine again, thank you").await.status, 200);
    assert_eq!(app.browser().sign_in("a1@evil.example", "attacker owns this now").await.status, 401);
}

/// H2(b): a reset link the attacker had mailed to their own address while the account was there is
/// dead after the owner's undo (revoked, and bound to an address the account no longer has).
/// Proves: ID1, ID9
#[tokio::test]
async fn a_reset_link_sent_to_the_attackers_address_dies_with_the_undo() {
    let app = TestApp::spawn().await;
    let victim = app.verified_account("vic2@corp.example").await;
    let session = app.signed_in_browser(&victim).await;
    let undo = change_email(&app, &session, &victim, "b1@evil.example").await;
    let attacker = app.browser();
    assert_eq!(attacker.call("auth/request-reset", &[("email", "b1@evil.example")]).await.status(), 200);
    let stolen = link_token(&next_mail(&app, "b1@evil.example", "password_reset", &[]).await.text, "/reset/confirm");
    assert_eq!(app.browser().call("account/email/undo", &[("token", &undo)]).await.status(), 200);
    let fields = [("token", stolen.as_str()), ("new_password", "attacker owns this now")];
    assert_eq!(attacker.call("auth/reset", &fields).await.status(), 410, "the stolen reset link is dead");
    let locked = app.browser().sign_in(&victim, "attacker owns this now").await;
    assert_eq!(locked.status, 401);
}

/// H2(c): while the undo link is open, nobody can sign up with the old address (and so cannot make
/// the undo fail on the unique address).
/// Proves: ID9
#[tokio::test]
async fn the_old_address_cannot_be_squatted_while_its_undo_link_is_open() {
    let app = TestApp::spawn().await;
    let victim = app.verified_account("vic3@corp.example").await;
    let session = app.signed_in_browser(&victim).await;
    let undo = change_email(&app, &session, &victim, "c1@evil.example").await;
    let squatter = app.browser();
    let before = mail_ids(&app, &victim).await;
    let answer = squatter.answer("auth/sign-up", &[("email", &victim), ("password", "plum orchard at dusk 9")]).await;
    assert_eq!(answer.status, 200, "the answer is the same as for any sign-up");
    next_mail(&app, &victim, "sign_up_existing", &before).await;
    let made =
        app.mails(&victim).await.into_iter().filter(|m| !before.contains(&m.id)).map(|m| m.kind).collect::<Vec<_>>();
    assert_eq!(made, ["sign_up_existing"], "no account was made for the squatter");
    assert_eq!(app.browser().call("account/email/undo", &[("token", &undo)]).await.status(), 200);
}

/// M9: enrolling an authenticator needs the password; a reset through the mailbox removes one enrolled
/// in the last days and forgets every known browser.
/// Proves: ID7, ID1
#[tokio::test]
async fn a_stolen_session_cannot_enrol_totp_and_a_reset_removes_a_recent_one() {
    let app = proxied_app().await;
    let email = app.verified_account("nina@example.com").await;
    let thief = app.signed_in_browser(&email).await;
    let refused = thief.answer("account/totp/begin", &[("password", "not the password")]).await;
    assert_eq!(refused.status, 401, "{refused:?}");
    let none = thief.answer("account/totp/begin", &[]).await;
    assert_ne!(none.status, 200, "the password is required");
    // With the password (phished), the thief enrols; the owner resets through the mailbox.
    let secret = enrol_totp(&app, &thief).await;
    let owner = app.browser();
    let before = mail_ids(&app, &email).await;
    assert_eq!(owner.call("auth/request-reset", &[("email", &email)]).await.status(), 200);
    let token = link_token(&next_mail(&app, &email, "password_reset", &before).await.text, "/reset/confirm");
    let fields = [("token", token.as_str()), ("new_password", "only the owner knows")];
    assert_eq!(owner.call("auth/reset", &fields).await.status(), 200);
    assert_eq!(thief.whoami().await, None, "sessions ended");
    // The thief's browser is no longer known: with the new password it would need an emailed code,
    // and the thief's authenticator is gone.
    let step = thief.sign_in(&email, "only the owner knows").await;
    assert_eq!(step.body, json!("SecondFactor"));
    let pending: serde_json::Value =
        thief.client.get(format!("{}/rpc/session/pending", thief.base)).send().await.unwrap().json().await.unwrap();
    assert_eq!(pending, json!("EmailCode"), "no authenticator any more");
    assert_ne!(thief.answer("auth/second-factor", &[("code", &totp_now(&secret))]).await.status, 200);
}

/// L3: recovery codes are stored under a key, not as a plain hash someone with a copy of the database
/// could search for.
/// Proves: ID7
#[tokio::test]
async fn recovery_codes_are_stored_as_a_keyed_mac() {
    use sea_orm::{ConnectionTrait as _, Statement};
    let app = TestApp::spawn().await;
    let email = app.verified_account("omar@example.com").await;
    let browser = app.signed_in_browser(&email).await;
    enrol_totp(&app, &browser).await;
    let codes: Vec<String> = browser
        .client
        .get(format!("{}/rpc/account/totp/fresh-codes", browser.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let db = app.control_db().await;
    let rows = db
        .query_all_raw(Statement::from_string(db.get_database_backend(), "SELECT code_hash FROM recovery_codes"))
        .await
        .unwrap();
    let stored: Vec<String> = rows.iter().map(|r| r.try_get::<String>("", "code_hash").unwrap()).collect();
    assert_eq!(stored.len(), 10);
    for code in &codes {
        let plain = domain::crypto::hash_token(&code.replace('-', ""));
        assert!(!stored.contains(&plain), "a recovery code is stored as its plain SHA-256");
    }
}
