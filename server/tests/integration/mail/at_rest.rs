//! M4: a copy of the control-plane database reveals no live link or code from the mail the app sent.

use crate::harness::{PASSWORD, TestApp, link_token, sign_in_code};
use sea_orm::{ConnectionTrait as _, Statement};
use serde_json::Value;
use std::time::Duration;

/// Every `token=…` value in a mail body.
fn tokens_in(text: &str) -> Vec<String> {
    text.match_indices("token=")
        .map(|(at, marker)| {
            text[at + marker.len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                .collect()
        })
        .collect()
}

/// Whether `needle` occurs in `haystack` as a run of digits of its own (not inside a longer number,
/// such as the fraction of a timestamp).
fn contains_code(haystack: &[u8], code: &str) -> bool {
    let code = code.as_bytes();
    haystack.windows(code.len()).enumerate().any(|(at, window)| {
        window == code
            && (at == 0 || !haystack[at - 1].is_ascii_digit())
            && haystack.get(at + code.len()).is_none_or(|b| !b.is_ascii_digit())
    })
}

/// Everything a copy of the control-plane database holds: on SQLite the raw bytes of the database
/// file and its write-ahead log; on PostgreSQL every row of every table, as JSON text.
async fn database_copy(app: &TestApp) -> Vec<u8> {
    if app.on_postgres() {
        let db = app.control_db().await;
        let backend = db.get_database_backend();
        let tables = db
            .query_all_raw(Statement::from_string(
                backend,
                "SELECT table_name::text AS t FROM information_schema.tables \
                 WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
            ))
            .await
            .unwrap();
        let mut dump = Vec::new();
        for table in tables {
            let table: String = table.try_get("", "t").unwrap();
            let rows = db
                .query_all_raw(Statement::from_string(
                    backend,
                    format!("SELECT row_to_json(t)::text AS j FROM \"{table}\" t"),
                ))
                .await
                .unwrap();
            for row in rows {
                dump.extend_from_slice(row.try_get::<String>("", "j").unwrap().as_bytes());
                dump.push(b'\n');
            }
        }
        dump
    } else {
        let path = app.data_dir.path().join("control.db");
        let mut bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        if let Ok(wal) = std::fs::read(app.data_dir.path().join("control.db-wal")) {
            bytes.extend_from_slice(&wal);
        }
        bytes
    }
}

/// Proves: ID1, ID6, ID9, TN2
#[tokio::test]
async fn a_copy_of_the_database_reveals_no_link_or_code_from_any_mail() {
    let app = TestApp::spawn().await;
    // Verification, then a sign-in from a new browser (an emailed code, and a new-browser notice).
    app.verified_account("nell@example.com").await;
    let browser = app.signed_in_browser("nell@example.com").await;
    // "Email me a code" and a password reset.
    assert_eq!(app.browser().answer("auth/request-code", &[("email", "nell@example.com")]).await.status, 200);
    assert_eq!(app.browser().call("auth/request-reset", &[("email", "nell@example.com")]).await.status(), 200);
    app.mail("nell@example.com", "password_reset").await;
    // An invitation.
    let created = browser.call("workspaces/create", &[("name", "Nell's shop")]).await;
    assert_eq!(created.status(), 200);
    let slug = created.json::<Value>().await.unwrap()["slug"].as_str().unwrap().to_owned();
    let invited =
        browser.call("admin/invite", &[("slug", &slug), ("email", "otto@example.com"), ("role", "member")]).await;
    assert_eq!(invited.status(), 200);
    app.mail("otto@example.com", "invitation").await;
    // An email change: the confirmation link to the new address, the undo link to the old one.
    let asked = browser.call("account/email", &[("new_email", "nell@new.example"), ("password", PASSWORD)]).await;
    assert_eq!(asked.status(), 200);
    let confirm = link_token(&app.mail("nell@new.example", "confirm_new_address").await.text, "/email/confirm");
    assert_eq!(browser.call("account/email/confirm", &[("token", &confirm)]).await.status(), 200);
    app.mail("nell@example.com", "address_changed_old").await;
    app.mail("nell@new.example", "address_changed_new").await;

    // Delivery runs (into the dev outbox); then the secrets are read as a mail reader sees them.
    let mut mails = Vec::new();
    for _ in 0..200 {
        mails = [
            app.mails("nell@example.com").await,
            app.mails("nell@new.example").await,
            app.mails("otto@example.com").await,
        ]
        .concat();
        if mails.iter().all(|m| m.status == "dev-outbox") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(mails.iter().all(|m| m.status == "dev-outbox"), "all delivered: {mails:?}");
    let kinds: Vec<&str> = mails.iter().map(|m| m.kind.as_str()).collect();
    for kind in [
        "verify_address",
        "sign_in_code",
        "password_reset",
        "invitation",
        "confirm_new_address",
        "address_changed_old",
        "address_changed_new",
    ] {
        assert!(kinds.contains(&kind), "a {kind} mail was sent: {kinds:?}");
    }
    let mut tokens = Vec::new();
    let mut codes = Vec::new();
    for mail in &mails {
        tokens.extend(tokens_in(&mail.text));
        if mail.kind == "sign_in_code" {
            let code = sign_in_code(&mail.text);
            assert!(!mail.subject.contains(&code), "no code in the subject: {}", mail.subject);
            codes.push(code);
        }
    }
    assert!(tokens.len() >= 5 && tokens.iter().all(|t| t.len() >= 40), "{tokens:?}");
    assert!(codes.len() >= 2, "{codes:?}");

    let copy = database_copy(&app).await;
    assert!(copy.len() > 1000, "the copy has the data");
    let mut leaked: Vec<&str> = tokens
        .iter()
        .filter(|token| copy.windows(token.len()).any(|w| w == token.as_bytes()))
        .map(String::as_str)
        .collect();
    leaked.extend(codes.iter().filter(|code| contains_code(&copy, code)).map(String::as_str));
    assert!(leaked.is_empty(), "secrets from mails are in the database copy: {leaked:?}");
}
