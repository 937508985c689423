//! Security review H4: lockout, the address block and the proof of work reserve before they check, so a
//! burst of concurrent guesses timed to the end of a cooldown gets no more password checks than the
//! threshold allows.

use super::support::{proxied_app, set_every};
use crate::harness::TestApp;
use serde_json::{Value, json};

/// `n` solved proofs of work, gathered beforehand as a well-prepared attacker would: challenges are not
/// tied to an account, so any refused attempt hands one out.
async fn solved_challenges(app: &TestApp, n: usize) -> Vec<(String, String)> {
    let harvester = app.browser().behind_proxy_as("198.19.0.1");
    let token = harvester.csrf_token().await;
    let mut solved = Vec::new();
    while solved.len() < n {
        let fields = [("email", "harvest@example.com"), ("password", "anything at all")];
        let body: Value = harvester.call_with_token("auth/sign-in", &fields, &token).await.json().await.unwrap();
        if let Some(challenge) = body.pointer("/Auth/ProofOfWorkRequired/challenge").and_then(Value::as_str) {
            let difficulty = body.pointer("/Auth/ProofOfWorkRequired/difficulty").and_then(Value::as_u64).unwrap();
            let solution = model::proof_of_work::solve(challenge, difficulty as u8).to_string();
            solved.push((challenge.to_owned(), solution));
        }
    }
    solved
}

/// Sends `n` concurrent guesses for `email`, each from its own address and each with a solved proof of
/// work; returns how many had their password checked (answered `InvalidCredentials`) and every status.
async fn burst(app: &TestApp, email: &str, n: usize, prefix: &str) -> (usize, Vec<u16>) {
    let proofs = solved_challenges(app, n).await;
    let browser = app.browser();
    let token = browser.csrf_token().await;
    let mut guesses = Vec::new();
    for (i, (challenge, solution)) in proofs.into_iter().enumerate() {
        let from = browser.behind_proxy_as(&format!("{prefix}{}.{}", i / 250, i % 250 + 1));
        let (token, email) = (token.clone(), email.to_owned());
        guesses.push(tokio::spawn(async move {
            let password = format!("guess number {i}");
            let fields = [
                ("email", email.as_str()),
                ("password", password.as_str()),
                ("pow_challenge", challenge.as_str()),
                ("pow_solution", solution.as_str()),
            ];
            let response = from.call_with_token("auth/sign-in", &fields, &token).await;
            (response.status().as_u16(), response.json::<Value>().await.unwrap_or_default())
        }));
    }
    let mut checked = 0;
    let mut statuses = Vec::new();
    for guess in guesses {
        let (status, body) = guess.await.unwrap();
        checked += usize::from(body == json!({ "Auth": "InvalidCredentials" }));
        statuses.push(status);
    }
    (checked, statuses)
}

/// 120 concurrent guesses against an account with no failures: at most 5 passwords are checked.
/// Proves: ID4
#[tokio::test]
async fn a_burst_of_guesses_gets_no_more_checks_than_the_threshold() {
    let app = proxied_app().await;
    let email = app.verified_account("zoe@example.com").await;
    let (checked, statuses) = burst(&app, &email, 120, "10.9.").await;
    assert!(checked <= 5, "{checked} passwords checked");
    assert!(statuses.iter().all(|s| matches!(s, 401 | 403 | 428 | 429)), "{statuses:?}");
}

/// The review's exact scenario: a cooldown ends, and a burst arrives at that moment. The clock is moved
/// in the database (the cooldown is made to end now) instead of waiting for it.
/// Proves: ID4
#[tokio::test]
async fn a_burst_timed_to_the_end_of_a_cooldown_gets_no_more_checks_than_the_threshold() {
    let app = proxied_app().await;
    let email = app.verified_account("ada@example.com").await;
    let (first, _) = burst(&app, &email, 10, "10.8.").await;
    assert!(first <= 5);
    let ended = set_every(&app, "account_throttle", "locked_until", chrono::Duration::seconds(-1)).await;
    assert_eq!(ended, 1, "one account was cooling down");
    let (checked, _) = burst(&app, &email, 120, "10.7.").await;
    assert!(checked <= 5, "{checked} passwords checked after the cooldown ended");
}

/// 40 concurrent guesses from one address for 40 different accounts: the address block lets at most 5
/// through to the hasher.
/// Proves: ID5
#[tokio::test]
async fn a_burst_from_one_address_gets_no_more_checks_than_the_block_allows() {
    let app = proxied_app().await;
    let proofs = solved_challenges(&app, 40).await;
    let browser = app.browser().behind_proxy_as("198.18.0.7");
    let token = browser.csrf_token().await;
    let mut guesses = Vec::new();
    for (i, (challenge, solution)) in proofs.into_iter().enumerate() {
        let (browser, token) = (browser.clone(), token.clone());
        guesses.push(tokio::spawn(async move {
            let email = format!("someone{i}@example.com");
            let fields = [
                ("email", email.as_str()),
                ("password", "a guess"),
                ("pow_challenge", challenge.as_str()),
                ("pow_solution", solution.as_str()),
            ];
            let response = browser.call_with_token("auth/sign-in", &fields, &token).await;
            response.json::<Value>().await.unwrap_or_default()
        }));
    }
    let mut checked = 0;
    for guess in guesses {
        checked += usize::from(guess.await.unwrap() == json!({ "Auth": "InvalidCredentials" }));
    }
    assert!(checked <= 5, "{checked} passwords checked from one address");
}
