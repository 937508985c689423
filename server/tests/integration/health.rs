//! OPS6: `/healthz` says the process answers; `/readyz` checks the databases and names only the failing
//! component, never its internals.

use crate::harness::TestApp;
use serde_json::Value;

#[tokio::test]
/// Proves: OPS6
async fn health_and_readiness_answer_ok() {
    let app = TestApp::spawn().await;
    let health = app.get("/healthz").await;
    assert_eq!(health.status(), 200);
    assert_eq!(health.json::<Value>().await.unwrap()["status"], "ok");

    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), 200);
    let body: Value = ready.json().await.unwrap();
    assert_eq!(body["checks"]["control_database"], "ok");
    assert_eq!(body["checks"]["tenant_storage"], "ok");
    assert_eq!(body["checks"]["session_store"], "ok");
}

#[tokio::test]
/// Proves: OPS6
async fn readiness_fails_when_tenant_storage_is_gone() {
    let app = TestApp::spawn().await;
    // SQLite only (tenant storage is the PostgreSQL server itself; breaking it would break every parallel
    // test): `cargo xtask test` leaves it out of the PostgreSQL run, where nextest counts it as skipped.
    assert!(!app.on_postgres(), "this test runs on SQLite only");
    let tenants = app.data_dir.path().join("tenants");
    std::fs::remove_dir_all(&tenants).unwrap();
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), 503);
    let text = ready.text().await.unwrap();
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(body["status"], "unavailable");
    assert_eq!(body["checks"]["tenant_storage"], "unavailable");
    assert_eq!(body["checks"]["control_database"], "ok");
    assert!(!text.contains(&tenants.display().to_string()), "the body must not leak paths: {text}");
}
