//! Unsubscribing from notification mail (UX4): invitations, approval requests and decisions carry a
//! signed link in their footer and RFC 8058's one-click headers; the link stops that topic for that
//! address and nothing else, only when asked (opening the page changes nothing), and can be undone.
//! Mail about the account itself has neither and cannot be stopped. A link changed in any part is
//! refused.

use super::count;
use crate::harness::{Browser, TestApp, link_token};
use crate::smtp_server::{Inbox, local_smtp};
use crate::workspaces::fixture::Team;
use base64::Engine as _;
use domain::mail::unsubscribe::{ONE_CLICK_PATH, PAGE_PATH};
use domain::mail::{Language, templates};
use model::EmailAddress;
use std::time::Duration;

fn address(text: &str) -> EmailAddress {
    EmailAddress::parse(text).unwrap()
}

/// Messages the SMTP server got, once there are `n`.
async fn received(inbox: &Inbox, n: usize) -> Vec<String> {
    for _ in 0..200 {
        let messages = inbox.0.lock().unwrap().clone();
        if messages.len() >= n {
            return messages;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("fewer than {n} mails reached the SMTP server");
}

/// The value of header `name` in a raw message (unfolded), if it has one.
fn header(message: &str, name: &str) -> Option<String> {
    let head = message.split("\r\n\r\n").next().unwrap_or_default().replace("\r\n ", " ").replace("\r\n\t", " ");
    let prefix = format!("{}:", name.to_ascii_lowercase());
    head.split("\r\n")
        .find(|line| line.to_ascii_lowercase().starts_with(&prefix))
        .map(|line| line[prefix.len()..].trim().to_owned())
}

/// A mail client's one-click POST (RFC 8058): no cookies, no CSRF token, no `Origin`.
async fn one_click(app: &TestApp, token: &str) -> u16 {
    reqwest::Client::new()
        .post(app.url(&format!("{ONE_CLICK_PATH}?token={token}")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// How many mails of `kind` to `to` are in the outbox.
async fn queued(app: &TestApp, to: &str, kind: &str) -> usize {
    app.mails(to).await.iter().filter(|mail| mail.kind == kind).count()
}

#[tokio::test]
/// Proves: UX4
async fn a_notification_mail_carries_one_click_headers_that_stop_its_topic_for_its_address_only() {
    let (smtp_url, inbox) = local_smtp();
    let app = TestApp::spawn_with(|raw| {
        raw.smtp_url = Some(secrecy::SecretString::from(smtp_url));
        raw.mail_from = "Strongroom <no-reply@strongroom.test>".into();
    })
    .await;
    let mailer = app.platform.mailer();
    let (pia, ola) = (address("pia@example.com"), address("ola@example.com"));
    let invitation = |to: &EmailAddress| templates::invitation(Language::En, to, &ola, "Acme", "http://x/invite");
    mailer.enqueue(mailer.db(), invitation(&pia)).await.unwrap();
    mailer.enqueue(mailer.db(), templates::sign_in_code(Language::En, &pia, "482913")).await.unwrap();
    mailer.deliver_due().await.unwrap();
    let messages = received(&inbox, 2).await;
    let (notice, code): (Vec<&String>, Vec<&String>) = messages.iter().partition(|m| !m.contains("482913"));
    let (notice, code) = (notice[0], code[0]);

    // The notification says where to stop it, in the form RFC 8058 asks for; the code mail does not.
    let list = header(notice, "List-Unsubscribe").unwrap_or_else(|| panic!("no List-Unsubscribe:\n{notice}"));
    assert!(list.starts_with('<') && list.ends_with('>') && list.contains(ONE_CLICK_PATH), "{list}");
    assert_eq!(header(notice, "List-Unsubscribe-Post").as_deref(), Some("List-Unsubscribe=One-Click"));
    assert_eq!(header(code, "List-Unsubscribe"), None, "a sign-in code cannot be unsubscribed from");
    assert_eq!(header(code, "List-Unsubscribe-Post"), None);
    let token = link_token(&list, ONE_CLICK_PATH);

    // Forged links: another address under the same MAC, a changed MAC, another topic's name.
    let (named, mac) = token.split_at(token.len() - 64);
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let other_address = b64.encode("invitations:ola@example.com");
    let other_topic = b64.encode("approval-requests:pia@example.com");
    let flipped = format!("{named}{}{}", if mac.starts_with('0') { "1" } else { "0" }, &mac[1..]);
    for forged in [format!("{other_address}{mac}"), format!("{other_topic}{mac}"), flipped, named.to_owned()] {
        assert_eq!(one_click(&app, &forged).await, 404, "forged link {forged}");
    }
    assert_eq!(count(mailer.db(), "mail_opt_outs").await, 0, "no forged link stopped anything");

    // The mail client's POST, twice (idempotent).
    assert_eq!(one_click(&app, &token).await, 200);
    assert_eq!(one_click(&app, &token).await, 200);
    assert_eq!(count(mailer.db(), "mail_opt_outs").await, 1);

    // Pia gets no more invitations; everything else still goes out: her sign-in codes, her approval
    // requests (another topic), Ola's invitations.
    mailer.enqueue(mailer.db(), invitation(&pia)).await.unwrap();
    mailer.enqueue(mailer.db(), templates::sign_in_code(Language::En, &pia, "123789")).await.unwrap();
    mailer
        .enqueue(mailer.db(), templates::approval_needed(Language::En, &pia, &ola, "Acme", 7, "Chairs", "http://x/r"))
        .await
        .unwrap();
    mailer.enqueue(mailer.db(), invitation(&ola)).await.unwrap();
    assert_eq!(queued(&app, "pia@example.com", "invitation").await, 1, "only the first invitation");
    assert_eq!(queued(&app, "pia@example.com", "sign_in_code").await, 2, "codes always go out");
    assert_eq!(queued(&app, "pia@example.com", "approval_needed").await, 1, "another topic");
    assert_eq!(queued(&app, "ola@example.com", "invitation").await, 1, "another address");

    // A person who opens the one-click address is sent to the page that asks first.
    let opened = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let answer = opened.get(app.url(&format!("{ONE_CLICK_PATH}?token={token}"))).send().await.unwrap();
    assert_eq!(answer.status().as_u16(), 303);
    assert_eq!(answer.headers()["location"], format!("{PAGE_PATH}?token={token}").as_str());
}

/// `owner` invites guest@example.com to the workspace at `slug`; the answer's status.
async fn invite_guest(owner: &Browser, slug: &str) -> u16 {
    let form = [("slug", slug), ("email", "guest@example.com"), ("role", "member")];
    owner.call("admin/invite", &form).await.status().as_u16()
}

/// The footer's link to the page in the newest `kind` mail to `to`.
async fn footer_token(app: &TestApp, to: &str, kind: &str) -> String {
    link_token(&app.mail(to, kind).await.text, PAGE_PATH)
}

/// The unsubscribe page for `token`, as a browser without an account sees it: (status, body).
async fn page(browser: &Browser, token: &str) -> (u16, String) {
    let response = browser.get_page(&format!("{PAGE_PATH}?token={token}")).await;
    (response.status().as_u16(), response.text().await.unwrap())
}

#[tokio::test]
/// Proves: UX4
async fn the_page_of_the_footer_link_stops_a_topic_only_when_asked_and_starts_it_again() {
    let app = TestApp::spawn().await;
    let team = Team::create(&app, "Acme", "owner@example.com").await;
    assert_eq!(invite_guest(&team.owner, &team.slug).await, 200);
    let mail = app.mail("guest@example.com", "invitation").await;
    assert!(mail.text.contains("Unsubscribe from invitations to workspaces:"), "{}", mail.text);
    assert!(mail.html.contains(PAGE_PATH), "the HTML body links to the page too");
    let token = footer_token(&app, "guest@example.com", "invitation").await;

    // Opening the page (as a mail scanner would) stops nothing; it names the topic and the masked address.
    let visitor = app.browser();
    let (status, body) = page(&visitor, &token).await;
    assert_eq!(status, 200);
    assert!(body.contains("data-state=\"subscribed\"") && body.contains("g•••@example.com"), "{body}");
    assert!(!body.contains("guest@example.com"), "the address is masked");
    assert_eq!(count(app.platform.mailer().db(), "mail_opt_outs").await, 0, "opening the page stopped nothing");

    // Asked: stopped. The next workspace's invitation is not sent.
    let stop = visitor.call("public/mail-subscription/set", &[("token", &token), ("subscribe", "no")]).await;
    assert_eq!(stop.status(), 200);
    assert!(page(&visitor, &token).await.1.contains("data-state=\"unsubscribed\""));
    let second = Team::create(&app, "Beta", "beta-owner@example.com").await;
    assert_eq!(invite_guest(&second.owner, &second.slug).await, 200, "the invitation itself is made");
    assert_eq!(queued(&app, "guest@example.com", "invitation").await, 1, "but not mailed");

    // Started again from the same page: the next invitation is mailed.
    let start = visitor.call("public/mail-subscription/set", &[("token", &token), ("subscribe", "yes")]).await;
    assert_eq!(start.status(), 200);
    assert_eq!(invite_guest(&team.owner, &team.slug).await, 200);
    assert_eq!(queued(&app, "guest@example.com", "invitation").await, 2, "mailed again");

    // A link that is not ours: the page says so with 404, and setting it is refused.
    let forged = format!("{}{}", &token[..token.len() - 1], if token.ends_with('0') { "1" } else { "0" });
    let (status, body) = page(&visitor, &forged).await;
    assert_eq!(status, 404);
    assert!(body.contains("unsubscribe-invalid"), "{body}");
    let refused = visitor.call("public/mail-subscription/set", &[("token", &forged), ("subscribe", "no")]).await;
    assert_eq!(refused.status(), 404);
    assert_eq!(count(app.platform.mailer().db(), "mail_opt_outs").await, 0);
}

#[tokio::test]
/// Proves: UX4, UX3
async fn the_footer_of_a_notification_is_written_in_the_mails_language() {
    let app = TestApp::spawn().await;
    let mailer = app.platform.mailer();
    let (to, from) = (address("lea@example.com"), address("ola@example.com"));
    let words = [
        (Language::En, "Unsubscribe from requests for your approval"),
        (Language::De, "Genehmigungsanfragen abbestellen"),
        (Language::Fr, "Se désabonner des demandes d’approbation"),
        (Language::Tr, "Onay talepleri için e-posta almayı bırakın"),
    ];
    for (language, footer) in words {
        let mail = templates::approval_needed(language, &to, &from, "Acme", 7, "Chairs", "http://x/r");
        mailer.enqueue(mailer.db(), mail).await.unwrap();
        let stored = app.mail("lea@example.com", "approval_needed").await;
        assert_eq!(stored.language, language.as_str());
        assert!(stored.text.contains(footer), "{language:?}: {}", stored.text);
    }
}

/// The account's topics as its settings list them: (topic, subscribed).
async fn own_topics(browser: &Browser) -> Vec<(String, bool)> {
    let overview: serde_json::Value = browser.fetch("/rpc/account/security").await.json().await.unwrap();
    let topics = overview["mail_topics"].as_array().expect("mail_topics");
    topics.iter().map(|t| (t["topic"].as_str().unwrap().to_owned(), t["subscribed"].as_bool().unwrap())).collect()
}

#[tokio::test]
/// Proves: UX4
async fn a_signed_in_person_stops_and_starts_their_own_notifications_from_the_account_settings() {
    let app = TestApp::spawn().await;
    let (pia, ola) = (app.user("pia@example.com").await, app.user("ola@example.com").await);
    let all = |subscribed: [bool; 3]| {
        ["invitations", "approval-requests", "request-decisions"]
            .into_iter()
            .map(str::to_owned)
            .zip(subscribed)
            .collect::<Vec<_>>()
    };
    assert_eq!(own_topics(&pia).await, all([true, true, true]));

    let set = |browser: &Browser, topic: &'static str, subscribe: &'static str| {
        let browser = browser.clone();
        async move { browser.call("account/mail-topics", &[("topic", topic), ("subscribe", subscribe)]).await.status() }
    };
    assert_eq!(set(&pia, "approval-requests", "no").await, 200);
    assert_eq!(own_topics(&pia).await, all([true, false, true]));
    assert_eq!(own_topics(&ola).await, all([true, true, true]), "only the caller's own address");
    let mailer = app.platform.mailer();
    let (to_pia, to_ola) = (address("pia@example.com"), address("ola@example.com"));
    for to in [&to_pia, &to_ola] {
        let mail = templates::approval_needed(Language::En, to, &to_ola, "Acme", 7, "Chairs", "http://x/r");
        mailer.enqueue(mailer.db(), mail).await.unwrap();
    }
    assert_eq!(queued(&app, "pia@example.com", "approval_needed").await, 0, "stopped");
    assert_eq!(queued(&app, "ola@example.com", "approval_needed").await, 1);

    assert_eq!(set(&pia, "approval-requests", "yes").await, 200);
    assert_eq!(own_topics(&pia).await, all([true, true, true]));
    assert_eq!(set(&pia, "sign-in-codes", "no").await, 400, "no such topic: required mail cannot be stopped");
    assert_eq!(set(&pia, "invitations", "maybe").await, 400);
    assert_eq!(
        app.browser().call("account/mail-topics", &[("topic", "invitations"), ("subscribe", "no")]).await.status(),
        401
    );
}
