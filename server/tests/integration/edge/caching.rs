//! Server-function answers are per user (TOTP secrets, recovery codes, the audit log): none may be
//! stored by a cache between the browser and us, whatever the handler or a proxy rule says.

use crate::harness::TestApp;

fn cache_control(response: &reqwest::Response) -> Option<String> {
    response.headers().get("cache-control").and_then(|v| v.to_str().ok()).map(str::to_owned)
}

/// Proves: WEB1
#[tokio::test]
async fn every_server_function_answer_is_no_store() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    let json_get = browser.fetch("/rpc/session/me").await;
    assert_eq!(json_get.status(), 200);
    assert_eq!(cache_control(&json_get).as_deref(), Some("no-store"), "JSON from a GET server function");

    let json_post = browser.call("auth/request-reset", &[("email", "nobody@example.org")]).await;
    assert_eq!(json_post.status(), 200);
    assert_eq!(cache_control(&json_post).as_deref(), Some("no-store"), "JSON from a POST server function");

    let unknown = browser.fetch("/rpc/no/such/function").await;
    assert_eq!(unknown.status(), 404);
    assert_eq!(cache_control(&unknown).as_deref(), Some("no-store"), "an unknown server function");

    let refused = browser.call_with_token("auth/sign-out", &[], "not-the-token").await;
    assert_eq!(refused.status(), 403);
    assert_eq!(cache_control(&refused).as_deref(), Some("no-store"), "a refusal by the middleware");
}
