//! Error answers say what happened and nothing about the internals; request limits hold.

use crate::harness::TestApp;

#[tokio::test]
/// Proves: WEB1
async fn the_404_page_is_plain_and_complete() {
    let app = TestApp::spawn().await;
    let response = app.get("/definitely/not/here?x=<script>").await;
    assert_eq!(response.status(), 404);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let html = response.text().await.unwrap();
    assert!(html.contains("Page not found"));
    assert!(!html.contains("<script>alert") && !html.contains("definitely/not/here"), "the path is not echoed");
}

#[tokio::test]
/// Proves: WEB3
async fn oversized_bodies_are_refused() {
    let app = TestApp::spawn_with(|raw| raw.max_body_bytes = 4096).await;
    let big = "x".repeat(8 * 1024);
    let response = app.call("workspaces/create", &[("name", &big)]).await;
    assert_eq!(response.status(), 413);
    assert!(app.platform.tenancy().list().await.unwrap().is_empty());
}

#[tokio::test]
/// Proves: OPS6, WEB1
async fn request_ids_are_always_made_by_the_server() {
    let app = TestApp::spawn().await;
    let first = app.client.get(app.url("/healthz")).header("x-request-id", "attacker-chosen").send().await.unwrap();
    let id = first.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert_ne!(id, "attacker-chosen");
    assert!(uuid::Uuid::parse_str(&id).is_ok(), "{id}");
    let second = app.get("/healthz").await;
    assert_ne!(second.headers()["x-request-id"].to_str().unwrap(), id);
}

#[tokio::test]
/// Proves: WEB2
async fn unknown_server_functions_and_get_requests_to_them_are_refused() {
    let app = TestApp::spawn().await;
    let unknown = app.call("workspaces/delete-everything", &[]).await;
    assert_eq!(unknown.status(), 404);
    assert_eq!(unknown.text().await.unwrap(), r#""NotFound""#, "no framework diagnostics");
    let get = app.get("/rpc/workspaces/create?name=Sneaky").await;
    assert_eq!(get.status(), 405, "server functions that change state take POST only");
    assert!(app.platform.tenancy().list().await.unwrap().is_empty());
}
