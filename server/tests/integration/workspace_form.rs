//! The "create workspace" server function, called as the WebAssembly client calls it and as a plain
//! HTML form posts it; and the workspace page it leads to.

use crate::harness::TestApp;
use serde_json::{Value, json};

#[tokio::test]
async fn creating_a_workspace_needs_a_signed_in_user() {
    let app = TestApp::spawn().await;
    let response = app.call("workspaces/create", &[("name", "Anonymous Inc")]).await;
    assert_eq!(response.status(), 401);
    assert_eq!(response.json::<Value>().await.unwrap(), json!({ "Auth": "SignInRequired" }));
    assert!(app.platform.tenancy().list().await.unwrap().is_empty());
}

#[tokio::test]
async fn the_server_function_creates_a_workspace_and_redirects_the_client() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner@example.com").await;
    let response = owner.call("workspaces/create", &[("name", "  Müller & Söhne  ")]).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["location"], "/w/muller-sohne");
    assert!(response.headers().contains_key("serverfnredirect"), "the client router follows the redirect itself");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["slug"], "muller-sohne");
    assert_eq!(body["name"], "Müller & Söhne");

    let page = owner.get_page("/w/muller-sohne").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("<h1>Müller &amp; Söhne"), "the page shows the workspace's name");
    assert!(html.contains("database of its own"));
    assert!(html.contains("Owner"), "its creator is its owner");
    // Nobody else sees it, not even that it exists.
    let stranger = app.user("stranger@example.com").await;
    let refused = stranger.get_page("/w/muller-sohne").await;
    assert_eq!(refused.status(), 404);
}

#[tokio::test]
/// Proves: WEB6, UX2
async fn refused_names_get_422_with_the_rule_that_was_broken() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner@example.com").await;
    let cases = [
        ("", json!({"Invalid": {"Required": {"field": "WorkspaceName"}}})),
        ("x", json!({"Invalid": {"TooShort": {"field": "WorkspaceName", "min": 2}}})),
        (&"x".repeat(65), json!({"Invalid": {"TooLong": {"field": "WorkspaceName", "max": 64}}})),
        ("Evil\u{202E}Corp", json!({"Invalid": {"ForbiddenCharacters": {"field": "WorkspaceName"}}})),
    ];
    for (name, expected) in cases {
        let response = owner.call("workspaces/create", &[("name", name)]).await;
        assert_eq!(response.status(), 422, "{name:?}");
        assert_eq!(response.json::<Value>().await.unwrap(), expected, "{name:?}");
    }
    let missing_argument = owner.call("workspaces/create", &[]).await;
    assert_eq!(missing_argument.status(), 400);
    assert!(app.platform.tenancy().list().await.unwrap().is_empty(), "nothing was created");
}

#[tokio::test]
async fn a_plain_form_post_is_redirected_to_the_new_workspace() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner@example.com").await;
    let response = owner.post_form("workspaces/create", "/workspaces", &[("name", "Plain Post")]).await;
    assert_eq!(response.status(), 302);
    assert_eq!(response.headers()["location"], "/w/plain-post");
}

#[tokio::test]
/// Proves: UX1, UX2
async fn a_refused_plain_form_post_returns_to_the_form_with_the_error() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner@example.com").await;
    let response = owner.post_form("workspaces/create", "/workspaces", &[("name", "   ")]).await;
    assert_eq!(response.status(), 302);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with(&format!("{}/workspaces?", app.base)), "back to the form: {location}");

    let page = owner.client.get(&location).header("accept", "text/html").send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Workspace name is required."), "the error is rendered next to the field");
    assert!(html.contains(r#"aria-invalid="true""#));
}

#[tokio::test]
async fn unknown_workspaces_get_the_404_page() {
    let app = TestApp::spawn().await;
    let user = app.user("someone@example.com").await;
    for path in ["/w/nobody-here", "/w/NOT_A_SLUG", "/w/api"] {
        let page = user.get_page(path).await;
        assert_eq!(page.status(), 404, "{path}");
        assert!(page.text().await.unwrap().contains("Page not found"), "{path}");
    }
}
