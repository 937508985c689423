//! M5's outbox starvation: security mail (here a sign-in code) is delivered before bulk mail
//! (invitations) queued ahead of it, over real SMTP.

use super::exec;
use crate::harness::TestApp;
use domain::mail::templates;
use model::EmailAddress;
use std::io::{BufRead as _, BufReader, Write as _};
use std::net::{IpAddr, TcpListener};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the local SMTP server received, in order (each message's `Subject:` and `To:` lines).
#[derive(Clone, Default)]
struct Inbox(Arc<Mutex<Vec<String>>>);

struct Collector {
    inbox: Inbox,
    current: Vec<u8>,
}

impl mailin::Handler for Collector {
    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.current.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> mailin::Response {
        let message = String::from_utf8_lossy(&std::mem::take(&mut self.current)).into_owned();
        self.inbox.0.lock().unwrap().push(message);
        mailin::response::OK
    }
}

/// Serves SMTP on `listener`, a thread per connection.
fn serve_smtp(listener: TcpListener, inbox: Inbox) {
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let inbox = inbox.clone();
            std::thread::spawn(move || {
                let handler = Collector { inbox, current: Vec::new() };
                let mut session = mailin::SessionBuilder::new("smtp.test").build(IpAddr::from([127, 0, 0, 1]), handler);
                let mut writer = stream.try_clone().unwrap();
                let mut reader = BufReader::new(stream);
                if session.greeting().write_to(&mut writer).is_err() {
                    return;
                }
                let mut line = Vec::new();
                while reader.read_until(b'\n', &mut line).is_ok_and(|n| n > 0) {
                    let response = session.process(&line);
                    line.clear();
                    match response.action {
                        mailin::Action::NoReply => continue,
                        mailin::Action::Close => {
                            let _ = response.write_to(&mut writer);
                            break;
                        }
                        _ => {
                            if response.write_to(&mut writer).and_then(|()| writer.flush()).is_err() {
                                break;
                            }
                        }
                    }
                }
            });
        }
    });
}

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
        let mail =
            templates::invitation(&to, &inviter, "Payroll", "https://strongroom.test/invitations/accept?token=x");
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
    let received = inbox.0.lock().unwrap().clone();
    let first = received.first().expect("mail was delivered");
    assert!(
        first.contains("To: pia@example.com") && first.contains("Subject: Your Strongroom sign-in code"),
        "{first}"
    );

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
