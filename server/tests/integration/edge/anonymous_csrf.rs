//! Anonymous visitors get their CSRF token from a signed cookie, not from a server-side session: page
//! views cost no session record (review finding L1), and the token still guards every form.

use crate::harness::TestApp;
use sea_orm::ConnectionTrait as _;

async fn session_rows(app: &TestApp) -> i64 {
    let db = app.control_db().await;
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM tower_sessions",
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

/// Proves: WEB2
#[tokio::test]
async fn anonymous_page_views_create_no_sessions_and_forms_still_need_the_token() {
    let app = TestApp::spawn().await;
    let regular = app.browser();
    for i in 0..20 {
        let browser = if i % 2 == 0 { app.browser() } else { regular.clone() };
        let page = browser.get_page(["/", "/signin", "/signup", "/reset"][i % 4]).await;
        assert!(page.status().is_success() || page.status() == 404, "{}", page.status());
    }
    assert_eq!(session_rows(&app).await, 0, "anonymous page views made session records");

    // The token works with its cookie, as a form field (no WebAssembly) and as the client sends it.
    let request_reset = [("email", "nobody@example.org")];
    assert_eq!(regular.call("auth/request-reset", &request_reset).await.status(), 200);
    let form = regular.post_form("auth/request-reset", "/reset", &request_reset).await;
    assert!(form.status().is_redirection() || form.status() == 200, "plain form post: {}", form.status());
    // Without its cookie, or with another visitor's token, it is refused.
    let token = regular.csrf_token().await;
    let cookieless = app.browser();
    assert_eq!(cookieless.call_with_token("auth/request-reset", &request_reset, &token).await.status(), 403);
    let other = app.browser();
    let _ = other.csrf_token().await;
    assert_eq!(other.call_with_token("auth/request-reset", &request_reset, &token).await.status(), 403);
    // A cookie we did not sign is worth nothing, even when the form repeats it.
    let forged = app
        .client
        .post(app.url("/rpc/auth/request-reset"))
        .header("accept", "application/json")
        .header("origin", &app.base)
        .header("cookie", "__Host-strongroom-csrf=abc.def")
        .form(&[("_csrf_token", "abc.def"), ("email", "nobody@example.org")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    assert_eq!(session_rows(&app).await, 0, "anonymous requests made session records");
}
