//! WEB2: a state-changing request needs this site's Origin and the session's CSRF token.

use crate::harness::TestApp;
use serde_json::{Value, json};

#[tokio::test]
/// Proves: WEB2
async fn forged_and_tokenless_requests_are_refused() {
    let app = TestApp::spawn().await;
    app.verified_account("pat@example.com").await;
    let victim = app.signed_in_browser("pat@example.com").await;
    let token = victim.csrf_token().await;
    let url = format!("{}/rpc/account/sessions/end-others", app.base);
    let post = |origin: Option<&str>, token: Option<&str>| {
        let mut request = victim.client.post(&url).header("accept", "application/json");
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        let fields: Vec<(&str, &str)> = token.map(|t| vec![("_csrf_token", t)]).unwrap_or_default();
        request.form(&fields).send()
    };
    let refused = json!("CsrfRejected");
    for (what, origin, token) in [
        ("another site", Some("https://evil.example"), Some(token.as_str())),
        ("an opaque origin", Some("null"), Some(token.as_str())),
        ("no Origin or Referer", None, Some(token.as_str())),
        ("no token", Some(app.base.as_str()), None),
        ("a wrong token", Some(app.base.as_str()), Some("x".repeat(43).as_str())),
    ] {
        let response = post(origin, token).await.unwrap();
        assert_eq!(response.status(), 403, "{what}");
        assert_eq!(response.json::<Value>().await.unwrap(), refused, "{what}");
    }
    // Another session's token is worth nothing here.
    let other = app.browser().csrf_token().await;
    assert_eq!(post(Some(&app.base), Some(&other)).await.unwrap().status(), 403, "another session's token");
    // The genuine request passes.
    assert_eq!(post(Some(&app.base), Some(&token)).await.unwrap().status(), 200);
    // A Referer from this site stands in for a missing Origin.
    let with_referer = victim
        .client
        .post(&url)
        .header("referer", format!("{}/account/security", app.base))
        .form(&[("_csrf_token", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(with_referer.status(), 200);
}

#[tokio::test]
/// Proves: WEB2
async fn a_forged_plain_form_post_gets_an_error_page() {
    let app = TestApp::spawn().await;
    let response = app
        .client
        .post(app.url("/rpc/auth/sign-up"))
        .header("accept", "text/html")
        .header("origin", "https://evil.example")
        .form(&[("email", "x@example.com"), ("password", "plum orchard at dusk")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    assert!(response.text().await.unwrap().contains("This page has expired"));
}

#[tokio::test]
/// Proves: WEB2, ID8
async fn the_token_changes_at_sign_in() {
    let app = TestApp::spawn().await;
    app.verified_account("quinn@example.com").await;
    let browser = app.browser();
    let before = browser.csrf_token().await;
    let first = browser.sign_in("quinn@example.com", crate::harness::PASSWORD).await;
    assert_eq!(first.status, 200);
    let code = crate::harness::sign_in_code(&app.mail("quinn@example.com", "sign_in_code").await.text);
    assert_eq!(browser.call("auth/second-factor", &[("code", &code)]).await.status(), 200);
    let after = browser.csrf_token().await;
    assert_ne!(before, after);
    assert_eq!(browser.call_with_token("account/sessions/end-others", &[], &before).await.status(), 403);
}
