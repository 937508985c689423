//! Retention: the scheduled purge removes rows past their period from every growing control-plane
//! table and keeps the rest (periods in `domain::retention::RETENTION`).

use super::{count, exec, finished_run};
use crate::harness::TestApp;
use chrono::{DateTime, Duration, Utc};
use domain::platform::RETENTION_JOB;
use sea_orm::{ConnectionTrait as _, DatabaseConnection, Statement, Value};
use serde_json::Value as Json;
use uuid::Uuid;

fn ago(days: i64) -> Value {
    (Utc::now() - Duration::days(days)).into()
}

fn at(time: DateTime<Utc>) -> Value {
    time.into()
}

fn none() -> Value {
    Option::<DateTime<Utc>>::None.into()
}

async fn one_uuid(db: &DatabaseConnection, sql: &str) -> Uuid {
    let row = db.query_one_raw(Statement::from_string(db.get_database_backend(), sql)).await.unwrap().unwrap();
    row.try_get("", "id").unwrap()
}

/// Rows of `table` whose `column` equals `value`.
async fn rows_with(db: &DatabaseConnection, table: &str, column: &str, value: &str) -> i64 {
    let backend = db.get_database_backend();
    let placeholder = if backend == sea_orm::DatabaseBackend::Postgres { "$1" } else { "?" };
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            format!("SELECT COUNT(*) AS n FROM {table} WHERE {column} = {placeholder}"),
            [value.into()],
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get("", "n").unwrap()
}

/// Makes the retention job due and waits for its run to finish.
async fn run_retention(app: &TestApp) {
    let asked = Utc::now();
    app.platform.scheduler().run_soon(RETENTION_JOB).await.unwrap();
    let status = finished_run(app, RETENTION_JOB, asked).await;
    assert_eq!(status.last_error, None);
}

#[tokio::test]
async fn the_retention_job_purges_old_rows_of_every_growing_table_and_keeps_fresh_ones() {
    let app = TestApp::spawn().await;
    let owner = app.user("quinn@example.com").await;
    let created = owner.call("workspaces/create", &[("name", "Quinn's")]).await;
    assert_eq!(created.status(), 200);
    let _ = created.json::<Json>().await.unwrap();
    let db = app.control_db().await;
    let user = one_uuid(&db, "SELECT id FROM users WHERE email = 'quinn@example.com'").await;
    let tenant = one_uuid(&db, "SELECT id FROM tenants").await;
    let now = Utc::now();

    // Each table: a row past its period ("old-…") and one within it ("fresh-…").
    for (name, expiry) in [("old-bs", ago(1)), ("fresh-bs", at(now + Duration::hours(1)))] {
        exec(
            &db,
            "INSERT INTO tower_sessions (id, data, expiry_date) VALUES ($1, '{}', $2)",
            vec![name.into(), expiry],
        )
        .await;
    }
    let sessions = [
        ("old-revoked", ago(40), ago(31), ago(31)),
        ("old-expired", ago(40), ago(32), none()),
        ("fresh-revoked", ago(10), ago(5), ago(5)),
        ("fresh-live", at(now), at(now + Duration::hours(12)), none()),
    ];
    for (agent, created, expires, revoked) in sessions {
        exec(
            &db,
            "INSERT INTO auth_sessions (id, user_id, created_at, last_seen_at, expires_at, ip, user_agent, revoked_at, \
             revoked_reason, password_change_required) VALUES ($1, $2, $3, $3, $4, '192.0.2.1', $5, $6, NULL, $7)",
            vec![Uuid::now_v7().into(), user.into(), created, expires, agent.into(), revoked, false.into()],
        )
        .await;
    }
    for (kind, when) in [("old-event", ago(401)), ("fresh-event", ago(399))] {
        exec(
            &db,
            "INSERT INTO security_events (id, at, user_id, kind, ip, user_agent, detail) VALUES ($1, $2, $3, $4, NULL, NULL, '')",
            vec![Uuid::now_v7().into(), when, user.into(), kind.into()],
        )
        .await;
    }
    let mails = [
        ("old-sent", "sent", ago(5), ago(4)),
        ("old-dev", "dev-outbox", ago(5), ago(4)),
        ("fresh-sent", "sent", ago(2), ago(2)),
        ("old-failed", "failed", ago(31), none()),
        ("fresh-failed", "failed", ago(29), none()),
        ("fresh-pending", "pending", ago(40), none()),
    ];
    for (kind, status, created, sent) in mails {
        exec(
            &db,
            "INSERT INTO mail_outbox (id, kind, to_address, subject, text_body, html_body, status, attempts, \
             next_attempt_at, last_error, created_at, sent_at, priority) VALUES ($1, $2, 'r@example.com', 's', '', '', $3, 1, \
             $4, NULL, $4, $5, 0)",
            vec![Uuid::now_v7().into(), kind.into(), status.into(), created, sent],
        )
        .await;
    }
    let tokens = [
        ("old-used", ago(9), ago(8)),
        ("old-expired", ago(8), none()),
        ("fresh-used", at(now + Duration::days(1)), ago(6)),
        ("fresh-expired", ago(6), none()),
    ];
    for (purpose, expires, used) in tokens {
        exec(
            &db,
            "INSERT INTO user_tokens (id, user_id, purpose, token_hash, email, expires_at, used_at, created_at) \
             VALUES ($1, $2, $3, $4, NULL, $5, $6, $5)",
            vec![Uuid::now_v7().into(), user.into(), purpose.into(), format!("hash-{purpose}").into(), expires, used],
        )
        .await;
    }
    let codes = [
        ("old-used", ago(1), ago(2)),
        ("old-expired", none(), ago(2)),
        ("fresh-expired", none(), at(now - Duration::hours(1))),
    ];
    for (mac, consumed, expires) in codes {
        exec(
            &db,
            "INSERT INTO email_codes (id, user_id, code_mac, expires_at, attempts, consumed_at, created_at) \
             VALUES ($1, $2, $3, $4, 0, $5, $4)",
            vec![Uuid::now_v7().into(), user.into(), mac.into(), expires, consumed],
        )
        .await;
    }
    for (agent, seen) in [("old-device", ago(181)), ("fresh-device", ago(179))] {
        exec(
            &db,
            "INSERT INTO known_devices (id, user_id, token_hash, user_agent, created_at, last_seen_at) VALUES ($1, $2, $3, $3, $4, $4)",
            vec![Uuid::now_v7().into(), user.into(), agent.into(), seen],
        )
        .await;
    }
    for (network, seen) in [("old-net", ago(181)), ("fresh-net", ago(179))] {
        exec(
            &db,
            "INSERT INTO known_networks (user_id, network, first_seen_at, last_seen_at) VALUES ($1, $2, $3, $3)",
            vec![user.into(), network.into(), seen],
        )
        .await;
    }
    let accounts = [
        ("old-account", ago(2), ago(2)),
        ("fresh-account", ago(2), at(now + Duration::minutes(5))),
        ("fresh-recent", at(now), none()),
    ];
    for (key, last_failure, locked) in accounts {
        exec(
            &db,
            "INSERT INTO account_throttle (account_key, failures, lock_count, locked_until, last_failure_at) VALUES ($1, 5, 1, $2, $3)",
            vec![key.into(), locked, last_failure],
        )
        .await;
    }
    let addresses = [
        ("old-ip", ago(2), none()),
        ("fresh-blocked", ago(2), at(now + Duration::minutes(30))),
        ("fresh-ip", at(now), none()),
    ];
    for (ip, window, blocked) in addresses {
        exec(
            &db,
            "INSERT INTO ip_throttle (ip, failures, window_started_at, blocked_until) VALUES ($1, 5, $2, $3)",
            vec![ip.into(), window, blocked],
        )
        .await;
    }
    for (nonce, expires) in
        [("old-nonce", at(now - Duration::minutes(1))), ("fresh-nonce", at(now + Duration::minutes(5)))]
    {
        exec(&db, "INSERT INTO pow_spent (nonce, expires_at) VALUES ($1, $2)", vec![nonce.into(), expires]).await;
    }
    for (email, expires) in [("old@example.com", ago(91)), ("fresh@example.com", ago(89))] {
        exec(
            &db,
            "INSERT INTO invitations (id, tenant_id, email, roles, token_hash, invited_by, expires_at, revoked_at, accepted_at, \
             accepted_by, created_at) VALUES ($1, $2, $3, 'member', $3, $4, $5, NULL, NULL, NULL, $5)",
            vec![Uuid::now_v7().into(), tenant.into(), email.into(), user.into(), expires],
        )
        .await;
    }

    for created in [ago(2), at(now)] {
        exec(
            &db,
            "INSERT INTO pending_sign_ins (id, user_id, failures, created_at) VALUES ($1, $2, 0, $3)",
            vec![Uuid::new_v4().into(), user.into(), created],
        )
        .await;
    }

    run_retention(&app).await;

    let checks: [(&str, &str, &[&str], &[&str]); 12] = [
        ("tower_sessions", "id", &["old-bs"], &["fresh-bs"]),
        ("auth_sessions", "user_agent", &["old-revoked", "old-expired"], &["fresh-revoked", "fresh-live"]),
        ("security_events", "kind", &["old-event"], &["fresh-event"]),
        (
            "mail_outbox",
            "kind",
            &["old-sent", "old-dev", "old-failed"],
            &["fresh-sent", "fresh-failed", "fresh-pending"],
        ),
        ("user_tokens", "purpose", &["old-used", "old-expired"], &["fresh-used", "fresh-expired"]),
        ("email_codes", "code_mac", &["old-used", "old-expired"], &["fresh-expired"]),
        ("known_devices", "user_agent", &["old-device"], &["fresh-device"]),
        ("known_networks", "network", &["old-net"], &["fresh-net"]),
        ("account_throttle", "account_key", &["old-account"], &["fresh-account", "fresh-recent"]),
        ("ip_throttle", "ip", &["old-ip"], &["fresh-blocked", "fresh-ip"]),
        ("pow_spent", "nonce", &["old-nonce"], &["fresh-nonce"]),
        ("invitations", "email", &["old@example.com"], &["fresh@example.com"]),
    ];
    for (table, column, gone, kept) in checks {
        for value in gone {
            assert_eq!(rows_with(&db, table, column, value).await, 0, "{table}: {value} is past its period");
        }
        for value in kept {
            assert_eq!(rows_with(&db, table, column, value).await, 1, "{table}: {value} is within its period");
        }
    }
    // What the app made itself is current, and stays: the account, its session, its workspace.
    assert_eq!(count(&db, "pending_sign_ins").await, 1, "the stale pending sign-in went, the fresh one stayed");
    assert_eq!(count(&db, "users").await, 1);
    assert!(owner.whoami().await.is_some(), "the signed-in session survived the purge");
}
