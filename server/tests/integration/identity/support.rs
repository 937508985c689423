//! Helpers shared by the identity attack tests.

use crate::harness::{Browser, PASSWORD, TestApp};
use serde_json::Value;

/// A test server that trusts 127.0.0.1 as a proxy (so a browser can appear to come from any address),
/// with a small proof of work that the attacker in these tests can afford to solve.
pub async fn proxied_app() -> TestApp {
    TestApp::spawn_with(|raw| {
        raw.trusted_proxies = vec!["127.0.0.1".into()];
        raw.proof_of_work_bits = 4;
    })
    .await
}

pub fn totp_at(secret: &str, at: u64) -> String {
    let secret = totp_rs::Secret::try_from_base32(secret).unwrap();
    let totp = totp_rs::Builder::new().with_secret(secret.as_ref().to_vec()).with_account_name("x").build().unwrap();
    totp.generate(at).to_string()
}

pub fn now_secs() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()
}

pub fn totp_now(secret: &str) -> String {
    totp_at(secret, now_secs())
}

/// Turns TOTP on for the signed-in `browser` (with the password); returns the secret. The enrolment
/// uses the previous time step, so a sign-in right after can use the current one.
pub async fn enrol_totp(_app: &TestApp, browser: &Browser) -> String {
    assert_eq!(browser.call("account/totp/begin", &[("password", PASSWORD)]).await.status(), 200);
    let pending: Value = browser
        .client
        .get(format!("{}/rpc/account/totp/pending", browser.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let secret = pending["secret"].as_str().expect("a pending enrolment").to_owned();
    // The server takes the previous step only while the current one lasts: near its end, wait for the
    // next step, so a slow request (a loaded machine) does not reach the server one step later.
    let into_step = now_secs() % 30;
    if into_step >= 24 {
        tokio::time::sleep(std::time::Duration::from_secs(31 - into_step)).await;
    }
    let code = totp_at(&secret, now_secs() - 30);
    assert_eq!(browser.call("account/totp/confirm", &[("code", &code)]).await.status(), 200);
    secret
}

/// A sign-in attempt that solves the proof of work when asked, as the browser does.
pub async fn attempt(browser: &Browser, token: &str, email: &str, password: &str) -> (u16, Value) {
    let fields = [("email", email), ("password", password)];
    let response = browser.call_with_token("auth/sign-in", &fields, token).await;
    let (status, body) = (response.status().as_u16(), response.json::<Value>().await.unwrap_or(Value::Null));
    let Some(challenge) = body.pointer("/Auth/ProofOfWorkRequired/challenge").and_then(Value::as_str) else {
        return (status, body);
    };
    let difficulty = body.pointer("/Auth/ProofOfWorkRequired/difficulty").and_then(Value::as_u64).unwrap() as u8;
    let solution = model::proof_of_work::solve(challenge, difficulty).to_string();
    let fields = [("email", email), ("password", password), ("pow_challenge", challenge), ("pow_solution", &solution)];
    let response = browser.call_with_token("auth/sign-in", &fields, token).await;
    (response.status().as_u16(), response.json::<Value>().await.unwrap_or(Value::Null))
}

/// The ids of the mails to `to` so far.
pub async fn mail_ids(app: &TestApp, to: &str) -> Vec<uuid::Uuid> {
    app.mails(to).await.into_iter().map(|m| m.id).collect()
}

/// The first mail of `kind` to `to` that is not in `before`, waiting for it (some are sent in the
/// background).
pub async fn next_mail(app: &TestApp, to: &str, kind: &str, before: &[uuid::Uuid]) -> domain::mail::StoredMail {
    for _ in 0..400 {
        if let Some(mail) = app.mails(to).await.into_iter().find(|m| m.kind == kind && !before.contains(&m.id)) {
            return mail;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("no new `{kind}` mail to {to}");
}

/// Sets `column` of every row of `table` in the control plane where it is set to now plus `offset`
/// (moving the clock in the database instead of waiting). Returns how many rows changed.
pub async fn set_every(app: &TestApp, table: &str, column: &str, offset: chrono::Duration) -> u64 {
    use sea_orm::ConnectionTrait as _;
    let db = app.control_db().await;
    let backend = db.get_database_backend();
    let at = (chrono::Utc::now() + offset).to_rfc3339();
    let sql = match backend {
        sea_orm::DbBackend::Postgres => {
            format!("UPDATE {table} SET {column} = $1::timestamptz WHERE {column} IS NOT NULL")
        }
        _ => format!("UPDATE {table} SET {column} = ? WHERE {column} IS NOT NULL"),
    };
    db.execute_raw(sea_orm::Statement::from_sql_and_values(backend, sql, [at.into()])).await.unwrap().rows_affected()
}

/// Waits until the control plane holds at least `n` security events of `kind`; returns how many.
pub async fn wait_for_events(app: &TestApp, kind: &str, n: i64) -> i64 {
    use sea_orm::{ConnectionTrait as _, Statement};
    let db = app.control_db().await;
    let backend = db.get_database_backend();
    let sql = match backend {
        sea_orm::DbBackend::Postgres => "SELECT COUNT(*) AS n FROM security_events WHERE kind = $1",
        _ => "SELECT COUNT(*) AS n FROM security_events WHERE kind = ?",
    };
    let mut count = 0;
    // Up to 30 s: the background work behind these events is slow on a loaded machine (a cold CI run
    // compiles the browser half beside the tests), and the loop ends as soon as they are there.
    for _ in 0..600 {
        let row = db.query_one_raw(Statement::from_sql_and_values(backend, sql, [kind.into()])).await.unwrap().unwrap();
        count = row.try_get::<i64>("", "n").unwrap();
        if count >= n {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    count
}
