//! ID8 with `redis_url` set: the browsers' session records live in Redis and nowhere else, servers that
//! share Redis share sessions, records expire and go at sign-out, and readiness checks Redis.
//!
//! These tests need a Redis server, so they are ignored unless asked for: `cargo xtask test` runs them
//! when `STRONGROOM_TEST_REDIS` is set (`.ci/run` sets it to the machine's Redis). Each test uses keys
//! under a prefix of its own, so tests running at once never see each other's sessions.

use crate::harness::{Browser, TestApp, redis_for_test, use_redis};
use redis::aio::MultiplexedConnection;
use sea_orm::ConnectionTrait as _;
use serde_json::Value;

async fn connect(url: &str) -> MultiplexedConnection {
    redis::Client::open(url).unwrap().get_multiplexed_async_connection().await.expect("Redis for tests")
}

async fn keys(redis: &mut MultiplexedConnection, prefix: &str) -> Vec<String> {
    redis::cmd("KEYS").arg(format!("{prefix}*")).query_async(redis).await.unwrap()
}

/// The keys whose record belongs to a signed-in session (holds an `auth` entry).
async fn signed_in_keys(redis: &mut MultiplexedConnection, prefix: &str) -> Vec<String> {
    let mut found = Vec::new();
    for key in keys(redis, prefix).await {
        let value: Option<String> = redis::cmd("GET").arg(&key).query_async(redis).await.unwrap();
        let record: Value = serde_json::from_str(&value.unwrap_or_default()).unwrap_or(Value::Null);
        if record["data"].get("auth").is_some() {
            found.push(key);
        }
    }
    found
}

async fn rows_in_the_database_store(app: &TestApp) -> i64 {
    let db = app.control_db().await;
    let row = db.query_one_raw(sea_orm::Statement::from_string(
        db.get_database_backend(),
        "SELECT COUNT(*) AS n FROM tower_sessions",
    ));
    row.await.unwrap().unwrap().try_get("", "n").unwrap()
}

/// An app keeping sessions in Redis, and `email` signed in on it from a new browser.
struct SignedInOnRedis {
    app: TestApp,
    browser: Browser,
    redis: MultiplexedConnection,
    url: String,
    prefix: String,
    /// The Redis key of the browser's signed-in session.
    key: String,
}

async fn signed_in_on_redis(email: &str) -> SignedInOnRedis {
    let (url, prefix) = redis_for_test();
    let mut redis = connect(&url).await;
    let app = TestApp::spawn_with(use_redis(&url, &prefix)).await;
    let browser = app.user(email).await;
    assert_eq!(browser.whoami().await.as_deref(), Some(email));
    let signed_in = signed_in_keys(&mut redis, &prefix).await;
    assert_eq!(signed_in.len(), 1, "one signed-in session record in Redis: {signed_in:?}");
    let key = signed_in[0].clone();
    SignedInOnRedis { app, browser, redis, url, prefix, key }
}

#[tokio::test]
#[ignore = "needs Redis: run with STRONGROOM_TEST_REDIS=redis://127.0.0.1:6379"]
/// Proves: ID8
async fn sessions_live_in_redis_and_servers_sharing_it_share_them() {
    let SignedInOnRedis { app, browser, mut redis, url, prefix, key } = signed_in_on_redis("kim@example.com").await;
    assert_eq!(rows_in_the_database_store(&app).await, 0, "no session record in the control-plane database");
    let ttl: i64 = redis::cmd("TTL").arg(&key).query_async(&mut redis).await.unwrap();
    assert!(ttl > 0, "session keys expire by themselves (TTL {ttl})");

    // A second server on the same databases and Redis knows the browser's session.
    let sibling = app.spawn_sibling(use_redis(&url, &prefix)).await;
    let same_browser_elsewhere = Browser { base: sibling.base.clone(), ..browser.clone() };
    assert_eq!(same_browser_elsewhere.whoami().await.as_deref(), Some("kim@example.com"));

    // Sign-out removes the record from Redis.
    assert_eq!(same_browser_elsewhere.call("auth/sign-out", &[]).await.status(), 200);
    let left: i64 = redis::cmd("EXISTS").arg(&key).query_async(&mut redis).await.unwrap();
    assert_eq!(left, 0, "the signed-out session's record is gone");
    assert!(signed_in_keys(&mut redis, &prefix).await.is_empty());
    assert_eq!(browser.whoami().await, None);
}

#[tokio::test]
#[ignore = "needs Redis: run with STRONGROOM_TEST_REDIS=redis://127.0.0.1:6379"]
/// Proves: ID8
async fn the_server_reads_sessions_from_redis_on_every_request() {
    let SignedInOnRedis { app, browser, mut redis, key, .. } = signed_in_on_redis("lee@example.com").await;
    // Deleting the record behind the server's back ends the session at once: nothing is cached.
    let _: () = redis::cmd("DEL").arg(&key).query_async(&mut redis).await.unwrap();
    assert_eq!(browser.whoami().await, None);

    let ready: Value = app.get("/readyz").await.json().await.unwrap();
    assert_eq!(ready["checks"]["session_store"], "ok", "{ready}");
}
