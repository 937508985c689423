//! UX3: the language of pages and mail. The server picks it (saved preference, then the switcher's
//! cookie, then `Accept-Language`) before the first byte, so the page arrives in it, `<html lang>`
//! included; mail is written in the recipient's language and says so in `Content-Language`.

use crate::harness::{Browser, PASSWORD, TestApp};
use crate::smtp_server::{Inbox, serve_smtp};
use std::net::TcpListener;

/// A page as this browser sees it when it asks for `accept_language`.
async fn page_in(browser: &Browser, path: &str, accept_language: &str) -> (String, String) {
    let response = browser
        .client
        .get(format!("{}{path}", browser.base))
        .header("accept", "text/html")
        .header("accept-language", accept_language)
        .send()
        .await
        .expect("GET page");
    assert_eq!(response.status(), 200, "{path}");
    let language = response.headers().get("content-language").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    (language, response.text().await.unwrap())
}

/// Calls a server function as the WebAssembly client does, asking for `accept_language`.
async fn call_in(browser: &Browser, endpoint: &str, form: &[(&str, &str)], accept_language: &str) -> u16 {
    let token = browser.csrf_token().await;
    let mut fields = vec![("_csrf_token", token.as_str())];
    fields.extend_from_slice(form);
    let response = browser
        .client
        .post(format!("{}/rpc/{endpoint}", browser.base))
        .header("accept", "application/json")
        .header("accept-language", accept_language)
        .header("origin", &browser.base)
        .form(&fields)
        .send()
        .await
        .expect("server function call");
    response.status().as_u16()
}

#[tokio::test]
/// Proves: UX3
async fn the_first_paint_is_in_the_language_the_server_chose() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    // Accept-Language alone.
    let (language, html) = page_in(&browser, "/signin", "tr-TR,tr;q=0.9,en;q=0.5").await;
    assert_eq!(language, "tr");
    assert!(html.contains("<html lang=\"tr\""), "{html}");
    assert!(html.contains("Oturum aç") && html.contains("Parolanızı mı unuttunuz?"), "Turkish words: {html}");
    assert!(!html.contains("Forgot your password?"), "no English left: {html}");
    let (language, html) = page_in(&browser, "/signin", "ja, fr;q=0.4").await;
    assert_eq!(language, "fr");
    assert!(html.contains("<html lang=\"fr\"") && html.contains("Mot de passe oublié ?"), "{html}");
    // None of ours: English.
    let (language, html) = page_in(&browser, "/", "ja").await;
    assert_eq!((language.as_str(), html.contains("<html lang=\"en\"")), ("en", true));

    // The switcher's cookie beats the header.
    assert_eq!(call_in(&browser, "account/language", &[("locale", "de")], "tr").await, 200);
    let (language, html) = page_in(&browser, "/signin", "tr").await;
    assert_eq!(language, "de");
    assert!(html.contains("<html lang=\"de\"") && html.contains("Passwort vergessen?"), "{html}");
    // Only our languages are accepted.
    assert_ne!(call_in(&browser, "account/language", &[("locale", "xx")], "tr").await, 200);

    // A signed-in user's saved language beats both, and follows them to another browser.
    app.verified_account("selin@example.com").await;
    let signed_in = app.signed_in_browser("selin@example.com").await;
    assert_eq!(call_in(&signed_in, "account/language", &[("locale", "fr")], "de").await, 200);
    let other = app.signed_in_browser("selin@example.com").await;
    assert_eq!(call_in(&other, "account/language", &[("locale", "de")], "de").await, 200);
    let third = app.signed_in_browser("selin@example.com").await;
    let (language, html) = page_in(&third, "/account/security", "tr").await;
    assert_eq!(language, "de", "the newest saved choice");
    assert!(html.contains("Sicherheitseinstellungen"), "{html}");
}

#[tokio::test]
/// Proves: UX3, UX4
async fn a_mail_in_each_language_carries_its_language() {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let inbox = Inbox::default();
    serve_smtp(TcpListener::bind(("127.0.0.1", port)).unwrap(), inbox.clone());
    let app = TestApp::spawn_with(|raw| {
        raw.smtp_url = Some(secrecy::SecretString::from(format!("smtp://127.0.0.1:{port}")));
        raw.mail_from = "Strongroom <no-reply@strongroom.test>".into();
    })
    .await;
    let subjects = [
        ("en", "Confirm your email address"),
        ("de", "Bitte bestätigen Sie Ihre E-Mail-Adresse"),
        ("fr", "Confirmez votre adresse e-mail"),
        ("tr", "E-posta adresinizi doğrulayın"),
    ];
    for (language, _) in subjects {
        let email = format!("{language}@example.com");
        let browser = app.browser();
        let status = call_in(&browser, "auth/sign-up", &[("email", &email), ("password", PASSWORD)], language).await;
        assert_eq!(status, 200, "sign-up in {language}");
        let stored = app.mail(&email, "verify_address").await;
        assert_eq!(stored.language, language, "the outbox knows the mail's language");
    }
    let mailer = app.platform.mailer();
    let mut received = Vec::new();
    for _ in 0..100 {
        mailer.deliver_due().await.unwrap();
        received = inbox.0.lock().unwrap().clone();
        if received.len() >= subjects.len() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(received.len(), subjects.len(), "every mail delivered");
    for (language, subject) in subjects {
        let message = received
            .iter()
            .find(|m| m.contains(&format!("To: {language}@example.com")))
            .unwrap_or_else(|| panic!("no mail to {language}@example.com"));
        let unfolded = message.replace("\r\n ", " ");
        assert!(unfolded.contains(&format!("Content-Language: {language}\r\n")), "{language}: {message}");
        let encoded_subject = unfolded.lines().find(|l| l.starts_with("Subject: ")).unwrap_or_default().to_owned();
        let decoded = decode_subject(&encoded_subject);
        assert_eq!(decoded, subject, "{language}: {encoded_subject}");
        assert!(message.contains("text/plain") && message.contains("text/html"), "both parts: {message}");
    }
}

/// The subject of a header line, decoding RFC 2047 encoded words (lettre encodes the non-ASCII words):
/// the space between two encoded words is not part of the text, any other space is.
fn decode_subject(line: &str) -> String {
    use base64::Engine as _;
    let mut text = String::new();
    let mut previous_encoded = false;
    for (i, word) in line.trim_start_matches("Subject: ").split_whitespace().enumerate() {
        let lowered = word.to_ascii_lowercase();
        let encoded = lowered.starts_with("=?utf-8?b?") && word.ends_with("?=");
        if i > 0 && !(encoded && previous_encoded) {
            text.push(' ');
        }
        if encoded {
            let b64 = &word["=?utf-8?b?".len()..word.len() - 2];
            text.push_str(&String::from_utf8(base64::engine::general_purpose::STANDARD.decode(b64).unwrap()).unwrap());
        } else {
            text.push_str(word);
        }
        previous_encoded = encoded;
    }
    text
}
