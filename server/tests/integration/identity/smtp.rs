//! UX4, and mail that survives an SMTP outage: a real SMTP conversation with a local server (the
//! `mailin` SMTP library driving a TCP listener), and retries while the server is down.

use crate::harness::TestApp;
use crate::smtp_server::{Inbox, serve_smtp};
use std::net::TcpListener;

#[tokio::test]
/// Proves: UX4
async fn mail_makes_a_real_smtp_round_trip_and_survives_an_outage() {
    // A port with nobody listening yet: the SMTP server is "down".
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let app = TestApp::spawn_with(|raw| {
        raw.smtp_url = Some(secrecy::SecretString::from(format!("smtp://127.0.0.1:{port}")));
        raw.mail_from = "Strongroom <no-reply@strongroom.test>".into();
    })
    .await;
    let browser = app.browser();
    assert_eq!(
        browser
            .call("auth/sign-up", &[("email", "wendy@example.com"), ("password", crate::harness::PASSWORD)])
            .await
            .status(),
        200
    );
    app.mail("wendy@example.com", "verify_address").await;

    let mailer = app.platform.mailer();
    let report = mailer.deliver_due().await.unwrap();
    let stored = &app.mails("wendy@example.com").await[0];
    assert!(report.retrying >= 1 || stored.attempts >= 1, "delivery was tried and failed: {report:?}");
    assert_eq!(stored.status, "pending", "kept for a retry, not lost");

    // The server comes up; the retry (made due now) delivers.
    let inbox = Inbox::default();
    serve_smtp(TcpListener::bind(("127.0.0.1", port)).unwrap(), inbox.clone());
    let db = app.control_db().await;
    use sea_orm::ConnectionTrait as _;
    db.execute_unprepared("UPDATE mail_outbox SET next_attempt_at = created_at").await.unwrap();
    let mut delivered = false;
    for _ in 0..50 {
        mailer.deliver_due().await.unwrap();
        if app.mails("wendy@example.com").await[0].status == "sent" {
            delivered = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(delivered, "delivered after the outage");
    let received = inbox.0.lock().unwrap().clone();
    assert_eq!(received.len(), 1);
    let message = &received[0];
    assert!(message.contains("Subject: Confirm your email address"), "{message}");
    assert!(message.contains("To: wendy@example.com"), "{message}");
    assert!(message.contains("multipart/alternative"), "plain text and HTML: {message}");
    assert!(message.contains("text/plain") && message.contains("text/html"), "{message}");
}
