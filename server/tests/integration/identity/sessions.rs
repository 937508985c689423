//! ID8: session cookies, id rotation (sign-in and privilege changes), idle and absolute limits, listing and ending sessions.

use super::support::set_every;
use crate::harness::{PASSWORD, TestApp};
use serde_json::Value;

fn set_cookies(response: &reqwest::Response) -> Vec<String> {
    response.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_owned()).collect()
}

fn cookie_named<'a>(cookies: &'a [String], name: &str) -> &'a str {
    cookies
        .iter()
        .find(|c| c.starts_with(&format!("{name}=")))
        .unwrap_or_else(|| panic!("no {name} cookie in {cookies:?}"))
}

/// The attributes of a `Set-Cookie` value, lower-cased, without the name=value pair.
fn attributes(cookie: &str) -> Vec<String> {
    let mut attributes: Vec<String> = cookie.split(';').skip(1).map(|a| a.trim().to_ascii_lowercase()).collect();
    attributes.sort();
    attributes
}

#[tokio::test]
/// Proves: ID8
async fn cookies_have_exactly_the_hardened_attributes() {
    let app = TestApp::spawn().await;
    app.verified_account("ivan@example.com").await;
    let browser = app.browser();
    // An anonymous page view makes no session (L1): its CSRF token comes in a signed cookie.
    let page = browser.get_page("/signin").await;
    let cookies = set_cookies(&page);
    assert!(!cookies.iter().any(|c| c.starts_with("__Host-strongroom-session=")), "{cookies:?}");
    let csrf = cookie_named(&cookies, "__Host-strongroom-csrf");
    assert_eq!(attributes(csrf), ["httponly", "path=/", "samesite=lax", "secure"], "{csrf}");

    // The first request that stores something (a sign-in waiting for its code) makes the session.
    let token = browser.csrf_token().await;
    let signed_in =
        browser.call_with_token("auth/sign-in", &[("email", "ivan@example.com"), ("password", PASSWORD)], &token).await;
    let cookies = set_cookies(&signed_in);
    let session = cookie_named(&cookies, "__Host-strongroom-session");
    let attrs = attributes(session);
    assert!(attrs.contains(&"httponly".to_owned()) && attrs.contains(&"secure".to_owned()), "{session}");
    assert!(attrs.contains(&"samesite=lax".to_owned()) && attrs.contains(&"path=/".to_owned()), "{session}");
    assert!(!attrs.iter().any(|a| a.starts_with("domain")), "host-only: {session}");
    assert!(
        !attrs.iter().any(|a| a.starts_with("max-age") || a.starts_with("expires")),
        "gone with the browser: {session}"
    );
    assert_eq!(attrs.len(), 4, "nothing else: {attrs:?}");

    let code = crate::harness::sign_in_code(&app.mail("ivan@example.com", "sign_in_code").await.text);
    assert_eq!(signed_in.status(), 200);
    let done = browser.call("auth/second-factor", &[("code", &code)]).await;
    let cookies = set_cookies(&done);
    let device = cookie_named(&cookies, "__Host-strongroom-device");
    let mut expected = vec!["httponly", "max-age=34560000", "path=/", "samesite=lax", "secure"];
    expected.sort();
    assert_eq!(attributes(device), expected, "{device}");
}

#[tokio::test]
/// Proves: ID8
async fn sign_in_rotates_the_session_id_and_the_old_one_is_worthless() {
    let app = TestApp::spawn().await;
    app.verified_account("judy@example.com").await;
    let browser = app.browser();
    // The session made before sign-in completes (holding the sign-in that waits for its code).
    let token = browser.csrf_token().await;
    let first =
        browser.call_with_token("auth/sign-in", &[("email", "judy@example.com"), ("password", PASSWORD)], &token).await;
    assert_eq!(first.status(), 200);
    let before = cookie_named(&set_cookies(&first), "__Host-strongroom-session").to_owned();
    let before_value = before.split(';').next().unwrap().to_owned();
    let code = crate::harness::sign_in_code(&app.mail("judy@example.com", "sign_in_code").await.text);
    let done = browser.call("auth/second-factor", &[("code", &code)]).await;
    let after = cookie_named(&set_cookies(&done), "__Host-strongroom-session").to_owned();
    let after_value = after.split(';').next().unwrap().to_owned();
    assert_ne!(before_value, after_value, "a new session id at sign-in");
    assert_eq!(browser.whoami().await.as_deref(), Some("judy@example.com"));

    // Someone who planted or kept the old id gets nothing.
    let old = reqwest::Client::new()
        .get(app.url("/rpc/session/me"))
        .header("cookie", &before_value)
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(old, Value::Null);
}

/// The `name=value` of the session cookie a response sets.
fn new_session_id(response: &reqwest::Response) -> String {
    let cookies = set_cookies(response);
    cookie_named(&cookies, "__Host-strongroom-session").split(';').next().unwrap().to_owned()
}

/// Whom a bare request carrying only `cookie` is signed in as.
async fn who_holds(app: &TestApp, cookie: &str) -> Value {
    let me = reqwest::Client::new().get(app.url("/rpc/session/me")).header("cookie", cookie).send().await.unwrap();
    me.json::<Value>().await.unwrap()
}

#[tokio::test]
/// Proves: ID8
async fn privilege_changes_rotate_the_session_id_too() {
    let app = TestApp::spawn().await;
    let browser = app.user("kim@example.com").await;
    let token = browser.csrf_token().await;

    // Becoming the owner of a new workspace is a privilege change.
    let created = browser.call_with_token("workspaces/create", &[("name", "Kim Co")], &token).await;
    assert_eq!(created.status(), 200);
    let as_owner = new_session_id(&created);
    assert_eq!(who_holds(&app, &as_owner).await["email"], "kim@example.com");

    // So is a password change; the id from before is then worth nothing, the browser stays signed in
    // and its CSRF token (session data, not the id) still works.
    let fields = [("password", PASSWORD), ("new_password", "a brand new passphrase")];
    let changed = browser.call_with_token("account/password", &fields, &token).await;
    assert_eq!(changed.status(), 200);
    let after_change = new_session_id(&changed);
    assert_ne!(after_change, as_owner);
    assert_eq!(who_holds(&app, &as_owner).await, Value::Null, "the old id is worthless");
    assert_eq!(who_holds(&app, &after_change).await["email"], "kim@example.com");
    assert_eq!(browser.whoami().await.as_deref(), Some("kim@example.com"));
}

/// The idle limit [30 min], at the limit and just past it. The clock is moved in the database (the
/// session's last activity is set back) instead of waiting.
#[tokio::test]
/// Proves: ID8
async fn idle_sessions_end() {
    let app = TestApp::spawn().await;
    app.verified_account("kim@example.com").await;
    let browser = app.signed_in_browser("kim@example.com").await;
    // Activity just inside the limit keeps it alive (and counts as new activity)...
    for _ in 0..2 {
        set_every(&app, "auth_sessions", "last_seen_at", -chrono::Duration::seconds(30 * 60 - 20)).await;
        assert_eq!(browser.whoami().await.as_deref(), Some("kim@example.com"));
    }
    // ...and just past it, idleness ends it.
    set_every(&app, "auth_sessions", "last_seen_at", -chrono::Duration::seconds(30 * 60 + 20)).await;
    assert_eq!(browser.whoami().await, None);
}

/// The absolute limit [12 h] ends a session however active it is (clock moved in the database).
#[tokio::test]
/// Proves: ID8
async fn sessions_end_at_their_absolute_lifetime_however_active() {
    let app = TestApp::spawn().await;
    app.verified_account("lee@example.com").await;
    let browser = app.signed_in_browser("lee@example.com").await;
    set_every(&app, "auth_sessions", "expires_at", chrono::Duration::seconds(20)).await;
    assert_eq!(browser.whoami().await.as_deref(), Some("lee@example.com"), "just inside its lifetime");
    set_every(&app, "auth_sessions", "expires_at", -chrono::Duration::seconds(1)).await;
    assert_eq!(browser.whoami().await, None, "past its lifetime, although active a moment ago");
}

async fn sessions_of(browser: &crate::harness::Browser) -> Vec<Value> {
    let response = browser.client.get(format!("{}/rpc/account/security", browser.base)).send().await.unwrap();
    let body: Value = response.json().await.unwrap();
    body["sessions"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
/// Proves: ID8
async fn users_list_and_end_their_own_sessions() {
    let app = TestApp::spawn().await;
    app.verified_account("mia@example.com").await;
    app.verified_account("ned@example.com").await;
    let laptop = app.signed_in_browser("mia@example.com").await;
    let phone = app.signed_in_browser("mia@example.com").await;
    let other_user = app.signed_in_browser("ned@example.com").await;

    let sessions = sessions_of(&laptop).await;
    assert_eq!(sessions.len(), 2);
    assert_eq!(sessions.iter().filter(|s| s["current"] == true).count(), 1);
    assert!(sessions.iter().all(|s| s["ip"] == "127.0.0.1" && s["device"] == "Chrome on Linux"), "{sessions:?}");
    let phone_session = sessions.iter().find(|s| s["current"] == false).unwrap()["id"].as_str().unwrap().to_owned();

    // Another user cannot end it.
    let foreign = other_user.call("account/sessions/end", &[("session", &phone_session)]).await;
    assert_eq!(foreign.status(), 404);
    assert_eq!(phone.whoami().await.as_deref(), Some("mia@example.com"));

    assert_eq!(laptop.call("account/sessions/end", &[("session", &phone_session)]).await.status(), 200);
    assert_eq!(phone.whoami().await, None, "ended at its next request");
    assert_eq!(laptop.whoami().await.as_deref(), Some("mia@example.com"));

    let tablet = app.signed_in_browser("mia@example.com").await;
    assert_eq!(laptop.call("account/sessions/end-others", &[]).await.status(), 200);
    assert_eq!(tablet.whoami().await, None);
    assert_eq!(laptop.whoami().await.as_deref(), Some("mia@example.com"));

    assert_eq!(laptop.call("auth/sign-out", &[]).await.status(), 200);
    assert_eq!(laptop.whoami().await, None);
}

#[tokio::test]
/// Proves: ID8, ID9
async fn a_password_change_ends_the_other_sessions_and_sends_a_notice() {
    let app = TestApp::spawn().await;
    app.verified_account("olga@example.com").await;
    let here = app.signed_in_browser("olga@example.com").await;
    let elsewhere = app.signed_in_browser("olga@example.com").await;
    let wrong = here
        .answer("account/password", &[("password", "not my password"), ("new_password", "a new long passphrase")])
        .await;
    assert_eq!((wrong.status, wrong.body), (401, serde_json::json!({ "Auth": "WrongPassword" })));
    let changed =
        here.call("account/password", &[("password", PASSWORD), ("new_password", "a new long passphrase")]).await;
    assert_eq!(changed.status(), 200);
    assert_eq!(elsewhere.whoami().await, None);
    assert_eq!(here.whoami().await.as_deref(), Some("olga@example.com"));
    assert_eq!(app.mail("olga@example.com", "password_changed").await.subject, "Your Strongroom password was changed");
    assert_eq!(app.browser().sign_in("olga@example.com", PASSWORD).await.status, 401, "the old password is gone");
}
