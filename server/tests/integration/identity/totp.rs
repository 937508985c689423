//! ID7: TOTP enrolment with confirmation, sign-in with the app's code (each code once), single-use
//! recovery codes, turning it off with the password.

use crate::harness::{Browser, PASSWORD, TestApp};
use serde_json::{Value, json};

fn code_for(secret: &str, at: u64) -> String {
    let secret = totp_rs::Secret::try_from_base32(secret).unwrap();
    let totp = totp_rs::Builder::new().with_secret(secret.as_ref().to_vec()).with_account_name("x").build().unwrap();
    totp.generate(at).to_string()
}

fn now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()
}

async fn get_json(browser: &Browser, path: &str) -> Value {
    browser.client.get(format!("{}{path}", browser.base)).send().await.unwrap().json().await.unwrap()
}

#[tokio::test]
/// Proves: ID7, ID9
async fn enrol_sign_in_with_codes_once_and_use_recovery_codes_once() {
    let app = TestApp::spawn().await;
    app.verified_account("vic@example.com").await;
    let browser = app.signed_in_browser("vic@example.com").await;

    assert_eq!(browser.call("account/totp/begin", &[("password", PASSWORD)]).await.status(), 200);
    let pending = get_json(&browser, "/rpc/account/totp/pending").await;
    let secret = pending["secret"].as_str().unwrap().to_owned();
    assert!(
        pending["otpauth_url"].as_str().unwrap().starts_with("otpauth://totp/Strongroom:vic%40example.com?"),
        "{pending}"
    );
    assert!(pending["qr_path"].as_str().unwrap().starts_with('M'));

    let wrong = browser.answer("account/totp/confirm", &[("code", "000000")]).await;
    assert_eq!((wrong.status, wrong.body), (401, json!({ "Auth": "TotpCodeIncorrect" })));
    // Use the previous time step, so the sign-in below can use the current one.
    let enrol_code = code_for(&secret, now() - 30);
    assert_eq!(browser.call("account/totp/confirm", &[("code", &enrol_code)]).await.status(), 200);
    let codes: Vec<String> = serde_json::from_value(get_json(&browser, "/rpc/account/totp/fresh-codes").await).unwrap();
    assert_eq!(codes.len(), 10);
    assert_eq!(app.mail("vic@example.com", "totp_enabled").await.subject, "Two-factor authentication is on");

    // Signing in now always asks for the app's code, even from a known browser.
    let again = browser.sign_in("vic@example.com", PASSWORD).await;
    assert_eq!(again.body, json!("SecondFactor"));
    let code = code_for(&secret, now());
    assert_eq!(browser.call("auth/second-factor", &[("code", &code)]).await.status(), 200);

    // The same code cannot be used again.
    let other = app.browser();
    assert_eq!(other.sign_in("vic@example.com", PASSWORD).await.body, json!("SecondFactor"));
    let replay = other.answer("auth/second-factor", &[("code", &code)]).await;
    assert_eq!((replay.status, replay.body), (401, json!({ "Auth": "TotpCodeIncorrect" })));

    // A recovery code works once, in any case and spacing.
    let recovery = codes[0].to_uppercase().replace('-', " - ");
    assert_eq!(other.call("auth/second-factor", &[("code", &recovery)]).await.status(), 200);
    assert_eq!(other.whoami().await.as_deref(), Some("vic@example.com"));
    app.mail("vic@example.com", "recovery_code_used").await;
    let third = app.browser();
    third.sign_in("vic@example.com", PASSWORD).await;
    assert_eq!(third.answer("auth/second-factor", &[("code", &codes[0])]).await.status, 401, "used up");

    // Turning it off needs the password.
    assert_eq!(browser.answer("account/totp/disable", &[("password", "not it")]).await.status, 401);
    assert_eq!(browser.call("account/totp/disable", &[("password", PASSWORD)]).await.status(), 200);
    assert_eq!(app.mail("vic@example.com", "totp_disabled").await.subject, "Two-factor authentication was turned off");
    let overview = get_json(&browser, "/rpc/account/security").await;
    assert_eq!(overview["totp_enabled"], false);
}
