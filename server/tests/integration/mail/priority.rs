//! M5's outbox starvation: security mail (here a sign-in code) is delivered before bulk mail
//! (invitations) queued ahead of it, over real SMTP.

use super::exec;
use crate::harness::TestApp;
use crate::smtp_server::{Inbox, serve_smtp};
use domain::mail::templates;
use model::EmailAddress;
use std::net::TcpListener;
use std::time::Duration;

/// Proves: ID6
#[tokio::test]
async fn a_sign_in_code_goes_out_before_a_flood_of_invitations_queued_ahead_of_it() {
    // The SMTP server is down while mail piles up.
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let app = TestApp::spawn_with(|raw| {
        raw.smtp_url = Some(secrecy::SecretString::from(format!("smtp://127.0.0.1:{port}")));
        raw.mail_from = "Strongroom <no-reply@strongroom.test>".into();
    })
    .await;
    app.verified_account("pia@example.com").await;
    // With SMTP configured there is no dev outbox to read mail from, even in dev mode.
    assert_eq!(app.get("/dev/outbox.json?to=pia@example.com").await.status(), 404);
    let mailer = app.platform.mailer();
    let inviter = EmailAddress::parse("mallory@example.com").unwrap();
    for n in 0..45 {
        let to = EmailAddress::parse(&format!("target{n}@example.com")).unwrap();
        let mail = templates::invitation(
            domain::mail::Language::En,
            &to,
            &inviter,
            "Payroll",
            "https://strongroom.test/invitations/accept?token=x",
        );
        mailer.enqueue(mailer.db(), mail).await.unwrap();
    }
    assert_eq!(app.browser().answer("auth/request-code", &[("email", "pia@example.com")]).await.status, 200);
    app.mail("pia@example.com", "sign_in_code").await;

    // Every mail has been tried once and waits for its retry (so no pass is under way).
    let db = app.control_db().await;
    let mut waiting = i64::MAX;
    for _ in 0..200 {
        waiting = super::count(&db, "mail_outbox WHERE attempts = 0 OR status = 'sending'").await;
        if waiting == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(waiting, 0, "the first attempts are over");

    // The server comes up; everything is due, the invitations first in line by age.
    let inbox = Inbox::default();
    serve_smtp(TcpListener::bind(("127.0.0.1", port)).unwrap(), inbox.clone());
    exec(&db, "UPDATE mail_outbox SET status = 'sent' WHERE kind = 'verify_address'", vec![]).await;
    exec(&db, "UPDATE mail_outbox SET next_attempt_at = created_at, status = 'pending' WHERE status <> 'sent'", vec![])
        .await;

    mailer.deliver_due().await.unwrap();
    let code = app.mail("pia@example.com", "sign_in_code").await;
    assert_eq!(code.status, "sent", "the code went out in the first delivery pass");
    let kept =
        super::count(&db, "mail_outbox WHERE kind = 'sign_in_code' AND (text_body <> '' OR html_body <> '')").await;
    assert_eq!(kept, 0, "nothing of a mail that has left stays, sealed or not");
    // The server's own delivery loop may be running a pass beside this one: each pass takes the most
    // urgent due mail, so the other pass, finding the code claimed, sends an invitation at the same
    // moment, which can reach the inbox first. At most one mail per pass can be ahead of the code (it
    // would be 46th in order of age).
    let received = inbox.0.lock().unwrap().clone();
    let position = received
        .iter()
        .position(|m| m.contains("To: pia@example.com") && m.contains("Subject: Your Strongroom sign-in code"))
        .expect("the code was delivered");
    assert!(position < 2, "the code arrived as mail {} of {}", position + 1, received.len());

    // The invitations follow.
    for _ in 0..100 {
        if inbox.0.lock().unwrap().len() == 46 {
            break;
        }
        mailer.deliver_due().await.unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(inbox.0.lock().unwrap().len(), 46, "every mail delivered in the end");
}
