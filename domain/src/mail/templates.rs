//! The mails Strongroom sends. Each has a plain-text and an HTML body; everything that comes from a
//! user (addresses, names) is escaped in the HTML.

use super::{MailClass, OutgoingMail};
use model::EmailAddress;

/// Escapes text for HTML element content and attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A mail body built from paragraphs and at most one button-like link.
struct Body {
    paragraphs: Vec<String>,
    action: Option<(String, String)>,
    footer: String,
}

impl Body {
    fn new(paragraphs: &[&str]) -> Self {
        Self {
            paragraphs: paragraphs.iter().map(|p| (*p).to_owned()).collect(),
            action: None,
            footer: "If you did not expect this message, you can ignore it. We never ask for your password by mail."
                .to_owned(),
        }
    }

    fn action(mut self, label: &str, url: &str) -> Self {
        self.action = Some((label.to_owned(), url.to_owned()));
        self
    }

    fn footer(mut self, footer: &str) -> Self {
        self.footer = footer.to_owned();
        self
    }

    fn text(&self) -> String {
        let mut text = self.paragraphs.join("\n\n");
        if let Some((label, url)) = &self.action {
            text.push_str(&format!("\n\n{label}:\n{url}"));
        }
        text.push_str(&format!("\n\n-- \n{}\nStrongroom\n", self.footer));
        text
    }

    fn html(&self, title: &str) -> String {
        let mut html = format!(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title></head>\
             <body style=\"font-family:system-ui,sans-serif;line-height:1.5;color:#1b2430\">",
            escape_html(title)
        );
        for paragraph in &self.paragraphs {
            html.push_str(&format!("<p>{}</p>", escape_html(paragraph)));
        }
        if let Some((label, url)) = &self.action {
            let url = escape_html(url);
            html.push_str(&format!(
                "<p><a href=\"{url}\" style=\"display:inline-block;padding:10px 16px;background:#1f3a5f;color:#fff;\
                 border-radius:6px;text-decoration:none\">{}</a></p><p style=\"font-size:90%\">{url}</p>",
                escape_html(label)
            ));
        }
        html.push_str(&format!(
            "<hr><p style=\"font-size:85%;color:#5b6673\">{}<br>Strongroom</p></body></html>",
            escape_html(&self.footer)
        ));
        html
    }

    /// The finished mail. `class` says which queue it waits in: [`MailClass::Security`] for everything
    /// about an account, [`MailClass::Bulk`] for workspace mail that anyone with a workspace can cause.
    fn into_mail(self, kind: &'static str, class: MailClass, to: &EmailAddress, subject: &str) -> OutgoingMail {
        OutgoingMail {
            kind,
            class,
            to: to.clone(),
            subject: subject.to_owned(),
            text: self.text(),
            html: self.html(subject),
        }
    }
}

pub fn verify_address(to: &EmailAddress, link: &str) -> OutgoingMail {
    Body::new(&["Welcome to Strongroom. Please confirm that this is your email address to finish creating your account. The link works once and expires in 24 hours."])
        .action("Confirm my email address", link)
        .into_mail("verify_address", MailClass::Security, to, "Confirm your email address")
}

pub fn sign_up_attempt_for_existing_account(to: &EmailAddress, sign_in: &str, reset: &str) -> OutgoingMail {
    Body::new(&[
        "Someone (perhaps you) tried to create a Strongroom account with this email address. You already have an account.",
        &format!("To sign in, go to {sign_in}. If you forgot your password, you can reset it at {reset}."),
    ])
    .into_mail("sign_up_existing", MailClass::Security, to, "You already have a Strongroom account")
}

pub fn password_reset(to: &EmailAddress, link: &str) -> OutgoingMail {
    Body::new(&["We received a request to reset the password of your Strongroom account. The link works once and expires in 30 minutes."])
        .action("Choose a new password", link)
        .footer("If you did not ask for this, ignore this message: your password stays as it is.")
        .into_mail("password_reset", MailClass::Security, to, "Reset your Strongroom password")
}

pub fn sign_in_code(to: &EmailAddress, code: &str) -> OutgoingMail {
    Body::new(&[
        &format!("Your Strongroom sign-in code is {code}"),
        "It expires in 10 minutes. Enter it on the sign-in page; never give it to anyone, including people who say they are from Strongroom.",
    ])
    .footer("If you did not try to sign in, someone may know your password: change it in your security settings.")
    // Never the code in the subject: subjects show on lock screens and stay readable in the outbox.
    .into_mail("sign_in_code", MailClass::Security, to, "Your Strongroom sign-in code")
}

pub fn notice(
    kind: &'static str,
    to: &EmailAddress,
    subject: &str,
    paragraphs: &[&str],
    settings_url: &str,
) -> OutgoingMail {
    Body::new(paragraphs)
        .action("Review your security settings", settings_url)
        .footer("If this was not you, reset your password right away and review your sessions.")
        .into_mail(kind, MailClass::Security, to, subject)
}

pub fn confirm_new_address(to: &EmailAddress, link: &str) -> OutgoingMail {
    Body::new(&["Please confirm that you want to use this address for your Strongroom account. The link works once and expires in 24 hours."])
        .action("Use this address", link)
        .into_mail("confirm_new_address", MailClass::Security, to, "Confirm your new email address")
}

pub fn address_changed_old(to: &EmailAddress, new: &EmailAddress, undo_link: &str) -> OutgoingMail {
    Body::new(&[
        &format!("The email address of your Strongroom account was changed to {new}."),
        "If you did not do this, undo the change with the link below: it restores this address, signs everyone out and locks the account until you choose a new password. The link works once, for 7 days.",
    ])
    .action("This was not me: undo and lock my account", undo_link)
    .into_mail("address_changed_old", MailClass::Security, to, "Your Strongroom email address was changed")
}

pub fn address_changed_new(to: &EmailAddress, settings_url: &str) -> OutgoingMail {
    notice(
        "address_changed_new",
        to,
        "This is now your Strongroom email address",
        &["This address is now the email address of your Strongroom account."],
        settings_url,
    )
}

pub fn invitation(to: &EmailAddress, inviter: &EmailAddress, workspace: &str, link: &str) -> OutgoingMail {
    Body::new(&[
        &format!("{inviter} invites you to the workspace “{workspace}” on Strongroom."),
        "Open the link to accept. If you have no account yet, you can create one with this address first. The invitation is valid for 7 days and works only for this address.",
    ])
    .action("Accept the invitation", link)
    .into_mail("invitation", MailClass::Bulk, to, &format!("Invitation to {workspace} on Strongroom"))
}

pub fn approval_needed(
    to: &EmailAddress,
    requester: &EmailAddress,
    workspace: &str,
    number: i64,
    title: &str,
    link: &str,
) -> OutgoingMail {
    Body::new(&[&format!("{requester} asks for approval of purchase request {number} “{title}” in {workspace}.")])
        .action("Review the request", link)
        .into_mail("approval_needed", MailClass::Bulk, to, &format!("Approval needed: request {number}"))
}

pub fn request_decided(
    to: &EmailAddress,
    workspace: &str,
    number: i64,
    title: &str,
    approved: bool,
    comment: &str,
    link: &str,
) -> OutgoingMail {
    let verdict = if approved { "approved" } else { "denied" };
    let mut lines = vec![format!("Your purchase request {number} “{title}” in {workspace} was {verdict}.")];
    if !comment.is_empty() {
        lines.push(format!("Comment: {comment}"));
    }
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    Body::new(&lines).action("Open the request", link).into_mail(
        "request_decided",
        MailClass::Bulk,
        to,
        &format!("Request {number} was {verdict}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Free text that users choose (workspace names, request titles, decision comments) and links reach
    /// the HTML body escaped and the text body unchanged.
    #[test]
    /// Proves: WEB6, UX4
    fn user_data_is_escaped_in_html_but_kept_in_text() {
        let to = EmailAddress::parse("a@example.com").unwrap();
        let hostile = "<b onmouseover=\"x()\">Acme & 'Co'</b>";
        let escaped = "&lt;b onmouseover=&quot;x()&quot;&gt;Acme &amp; &#39;Co&#39;&lt;/b&gt;";
        let mails = [
            invitation(&to, &to, hostile, "https://s.example/invitations/accept?token=a&b"),
            approval_needed(&to, &to, hostile, 7, hostile, "https://s.example/r?x=1&y=2"),
            request_decided(&to, hostile, 7, hostile, false, hostile, "https://s.example/r?x=1&y=2"),
        ];
        for mail in &mails {
            assert!(mail.text.contains(hostile), "{}: text keeps the words as typed", mail.kind);
            assert!(mail.html.contains(escaped), "{}: the user's words reach the HTML, escaped", mail.kind);
            assert!(
                !mail.html.contains("<b ") && !mail.html.contains("</b>"),
                "{}: no tag from user data: {}",
                mail.kind,
                mail.html
            );
            assert!(!mail.html.contains("&y=") && !mail.html.contains("&b\""), "{}: links escaped", mail.kind);
        }
        // The subject (the HTML title) carries the workspace name too.
        assert!(mails[0].subject.contains(hostile));
        assert!(mails[0].html.contains(&format!("<title>Invitation to {escaped} on Strongroom</title>")));
        assert_eq!(escape_html("<script>'\"&"), "&lt;script&gt;&#39;&quot;&amp;");
    }

    #[test]
    fn sign_in_codes_stay_out_of_the_subject() {
        let to = EmailAddress::parse("a@example.com").unwrap();
        let mail = sign_in_code(&to, "493017");
        assert!(mail.text.contains("493017") && mail.html.contains("493017"));
        assert!(!mail.subject.contains("493017"), "{}", mail.subject);
    }

    #[test]
    fn workspace_mail_is_bulk_and_account_mail_is_security() {
        let to = EmailAddress::parse("a@example.com").unwrap();
        assert_eq!(invitation(&to, &to, "W", "L").class, MailClass::Bulk);
        assert_eq!(approval_needed(&to, &to, "W", 1, "T", "L").class, MailClass::Bulk);
        assert_eq!(request_decided(&to, "W", 1, "T", true, "", "L").class, MailClass::Bulk);
        for mail in
            [verify_address(&to, "L"), password_reset(&to, "L"), sign_in_code(&to, "1"), confirm_new_address(&to, "L")]
        {
            assert_eq!(mail.class, MailClass::Security, "{}", mail.kind);
        }
    }

    #[test]
    /// Proves: UX4
    fn every_mail_has_both_bodies() {
        let to = EmailAddress::parse("a@example.com").unwrap();
        for mail in [verify_address(&to, "L"), password_reset(&to, "L"), sign_in_code(&to, "123456")] {
            assert!(!mail.text.is_empty() && mail.html.starts_with("<!DOCTYPE html>"), "{}", mail.kind);
        }
    }
}
