//! ID4–ID6: failed-login defence per account and per address, the proof of work, and the owner's way
//! in during an attack. Counters live in the shared database, so they hold across servers.

use super::support::{attempt, mail_ids, next_mail, wait_for_events};
use crate::harness::{PASSWORD, TestApp, sign_in_code};
use serde_json::{Value, json};

/// Test servers trust 127.0.0.1 as a proxy, so a browser can appear to come from any address, and use
/// a small proof of work so that the attacker in these tests can afford to solve it.
async fn app() -> TestApp {
    TestApp::spawn_with(|raw| {
        raw.trusted_proxies = vec!["127.0.0.1".into()];
        raw.proof_of_work_bits = 4;
    })
    .await
}

fn protected() -> (u16, Value) {
    (403, json!({ "Auth": "AccountProtected" }))
}

#[tokio::test]
/// Proves: ID4, AUD1
async fn five_failures_start_a_cooldown_that_reveals_nothing() {
    let app = app().await;
    let email = app.verified_account("carol@example.com").await;
    let browser = app.browser();
    let token = browser.csrf_token().await;
    for (i, ip) in ["198.51.100.1", "198.51.100.2", "198.51.100.3", "198.51.100.4", "198.51.100.5"].iter().enumerate() {
        let (status, body) = attempt(&browser.behind_proxy_as(ip), &token, &email, &format!("wrong guess {i}!")).await;
        assert_eq!((status, body), (401, json!({ "Auth": "InvalidCredentials" })), "failure {i}");
    }
    // The right password from yet another address: refused without being checked.
    let right = attempt(&browser.behind_proxy_as("198.51.100.9"), &token, &email, PASSWORD).await;
    assert_eq!(right, protected());
    let wrong = attempt(&browser.behind_proxy_as("198.51.100.10"), &token, &email, "another wrong one").await;
    assert_eq!(wrong, protected(), "right and wrong passwords get the same answer");

    // An address without an account behaves exactly alike: no enumeration through lockouts.
    for i in 0..5 {
        let ip = format!("198.51.100.{}", 20 + i);
        assert_eq!(attempt(&browser.behind_proxy_as(&ip), &token, "nobody@example.com", "guess").await.0, 401);
    }
    assert_eq!(
        attempt(&browser.behind_proxy_as("198.51.100.30"), &token, "nobody@example.com", "guess").await,
        protected()
    );

    let events = domain::identity::events::recent(
        &app.control_db().await,
        Some(domain::identity::events::EventKind::AccountCooldownStarted),
        10,
    )
    .await
    .unwrap();
    assert!(!events.is_empty(), "the cooldown is in the security log");
}

#[tokio::test]
/// Proves: ID4
async fn the_owner_signs_in_with_an_emailed_code_during_a_cooldown() {
    let app = app().await;
    let email = app.verified_account("dave@example.com").await;
    let attacker = app.browser().behind_proxy_as("203.0.113.66");
    let token = attacker.csrf_token().await;
    for i in 0..5 {
        let attacker = attacker.behind_proxy_as(&format!("203.0.113.{}", 60 + i));
        attempt(&attacker, &token, &email, &format!("guess {i}")).await;
    }
    let owner = app.browser().behind_proxy_as("192.0.2.10");
    assert_eq!(owner.sign_in(&email, PASSWORD).await.body, json!({ "Auth": "AccountProtected" }));

    let before = mail_ids(&app, &email).await;
    let asked = owner.answer("auth/request-code", &[("email", &email)]).await;
    assert_eq!(asked.status, 200);
    let code = sign_in_code(&next_mail(&app, &email, "sign_in_code", &before).await.text);
    let wrong_password = owner
        .answer("auth/sign-in-with-code", &[("email", &email), ("password", "nope nope nope"), ("code", &code)])
        .await;
    assert_eq!(wrong_password.status, 401, "the code alone is not enough");
    let code = {
        let before = mail_ids(&app, &email).await;
        assert_eq!(owner.answer("auth/request-code", &[("email", &email)]).await.status, 200);
        sign_in_code(&next_mail(&app, &email, "sign_in_code", &before).await.text)
    };
    let done =
        owner.answer("auth/sign-in-with-code", &[("email", &email), ("password", PASSWORD), ("code", &code)]).await;
    assert_eq!((done.status, done.body), (200, json!({ "SignedIn": { "next": "/workspaces" } })));
    assert_eq!(owner.whoami().await.as_deref(), Some(email.as_str()));

    // Asking for codes answers the same for unknown addresses, and is capped per hour.
    assert_eq!(owner.answer("auth/request-code", &[("email", "nobody@example.com")]).await.status, 200);
    for _ in 0..6 {
        owner.answer("auth/request-code", &[("email", &email)]).await;
    }
    // Requests are handled in the background: wait until all six have been (three of them refused).
    let refused = wait_for_events(&app, "code_refused", 3).await;
    assert_eq!(refused, 3);
    let codes = app.mails(&email).await.into_iter().filter(|m| m.kind == "sign_in_code").count();
    assert_eq!(codes, 5, "at most five code mails an hour");
}

#[tokio::test]
/// Proves: ID5
async fn unknown_addresses_trip_the_per_address_block() {
    let app = app().await;
    let email = app.verified_account("erin@example.com").await;
    let scanner = app.browser().behind_proxy_as("203.0.113.200");
    let token = scanner.csrf_token().await;
    for i in 0..5 {
        let (status, _) = attempt(&scanner, &token, &format!("user{i}@example.com"), "guess").await;
        assert_eq!(status, 401);
    }
    let (status, body) = attempt(&scanner, &token, &email, PASSWORD).await;
    assert_eq!(status, 429, "even the right password is refused from a blocked address");
    assert!(
        body.pointer("/Auth/NetworkBlocked/retry_after_minutes")
            .and_then(Value::as_u64)
            .is_some_and(|m| (59..=60).contains(&m)),
        "{body}"
    );
    // Blocks are per address: the owner, elsewhere, gets in.
    let owner = app.browser().behind_proxy_as("192.0.2.50");
    assert_eq!(owner.sign_in(&email, PASSWORD).await.status, 200);

    // Operators see and lift blocks.
    let throttle = app.platform.identity().throttle();
    let blocks = throttle.ip_blocks(chrono::Utc::now()).await.unwrap();
    assert_eq!(blocks.iter().map(|b| b.key.as_str()).collect::<Vec<_>>(), ["203.0.113.200"]);
    assert!(throttle.lift_ip_block("203.0.113.200").await.unwrap());
    assert_eq!(attempt(&scanner, &token, &email, PASSWORD).await.0, 200);
}

#[tokio::test]
/// Proves: ID6
async fn a_proof_of_work_is_required_after_three_failures_and_works_once() {
    let app = app().await;
    let email = app.verified_account("frank@example.com").await;
    let browser = app.browser().behind_proxy_as("198.51.100.77");
    let token = browser.csrf_token().await;
    for _ in 0..3 {
        assert_eq!(browser.sign_in(&email, "not the password").await.status, 401);
    }
    let asked = browser.call_with_token("auth/sign-in", &[("email", &email), ("password", PASSWORD)], &token).await;
    assert_eq!(asked.status(), 428);
    let body: Value = asked.json().await.unwrap();
    let challenge = body.pointer("/Auth/ProofOfWorkRequired/challenge").and_then(Value::as_str).unwrap().to_owned();
    let difficulty = body.pointer("/Auth/ProofOfWorkRequired/difficulty").and_then(Value::as_u64).unwrap() as u8;

    let unsolved = (0..).find(|n| !model::proof_of_work::is_solution(&challenge, difficulty, *n)).unwrap().to_string();
    // A challenge the server did not issue (its last character changed), solved: the solution is right
    // for it, the signature is not. (Forging by setting the last character to `0` left the challenge
    // as it was whenever it ended in `0`, and "1" then sometimes solved it: a flaky test.)
    let last = if challenge.ends_with('0') { '1' } else { '0' };
    let forged = format!("{}{last}", &challenge[..challenge.len() - 1]);
    let forged_solution = model::proof_of_work::solve(&forged, difficulty).to_string();
    for (c, s) in [(challenge.as_str(), unsolved.as_str()), (forged.as_str(), forged_solution.as_str())] {
        let fields = [("email", email.as_str()), ("password", PASSWORD), ("pow_challenge", c), ("pow_solution", s)];
        let response = browser.call_with_token("auth/sign-in", &fields, &token).await;
        assert_eq!(response.json::<Value>().await.unwrap(), json!({ "Auth": "ProofOfWorkInvalid" }));
    }
    let solution = model::proof_of_work::solve(&challenge, difficulty).to_string();
    let fields = [
        ("email", email.as_str()),
        ("password", PASSWORD),
        ("pow_challenge", challenge.as_str()),
        ("pow_solution", solution.as_str()),
    ];
    let accepted = browser.call_with_token("auth/sign-in", &fields, &token).await;
    assert_eq!(accepted.status(), 200, "a solved challenge lets the right password through");
    let replayed = browser.call_with_token("auth/sign-in", &fields, &token).await;
    assert_eq!(
        replayed.json::<Value>().await.unwrap(),
        json!({ "Auth": "ProofOfWorkInvalid" }),
        "a challenge works once"
    );
}

/// The attack the issue names: 10,000 guesses against one account, spread over 200 addresses, the
/// right password among them, every proof of work solved. Nobody gets in; the owner still does.
#[tokio::test]
/// Proves: ID4, ID5, AUD1
async fn ten_thousand_guesses_from_two_hundred_addresses_get_nobody_in() {
    let app = app().await;
    let email = app.verified_account("grace@example.com").await;
    let attacker = app.browser();
    let token = attacker.csrf_token().await;
    let guesses: Vec<(String, String)> = (0..10_000)
        .map(|i| {
            let k = i % 200;
            let ip = format!("10.0.{}.{}", k / 100, k % 100 + 1);
            let password = if i % 997 == 500 { PASSWORD.to_owned() } else { format!("guess number {i}") };
            (ip, password)
        })
        .collect();
    assert_eq!(guesses.iter().map(|(ip, _)| ip).collect::<std::collections::HashSet<_>>().len(), 200);
    assert!(guesses.iter().filter(|(_, p)| p == PASSWORD).count() >= 10, "the right password is among the guesses");

    let mut statuses = std::collections::BTreeMap::<u16, usize>::new();
    for chunk in guesses.chunks(16) {
        let attempts = chunk.iter().map(|(ip, password)| {
            let browser = attacker.behind_proxy_as(ip);
            let (token, email) = (token.clone(), email.clone());
            let password = password.clone();
            async move { attempt(&browser, &token, &email, &password).await }
        });
        for (status, body) in futures_util::future::join_all(attempts).await {
            assert_ne!(status, 200, "a guess got through: {body}");
            *statuses.entry(status).or_default() += 1;
        }
    }
    assert_eq!(statuses.values().sum::<usize>(), 10_000);
    let unexpected: Vec<_> = statuses.keys().filter(|s| !matches!(s, 401 | 403 | 428 | 429)).collect();
    assert!(unexpected.is_empty(), "only refusals are expected, not {unexpected:?}: {statuses:?}");
    let succeeded = domain::identity::events::recent(
        &app.control_db().await,
        Some(domain::identity::events::EventKind::SignInSucceeded),
        10,
    )
    .await
    .unwrap();
    assert!(succeeded.is_empty(), "no sign-in succeeded");

    let owner = app.browser().behind_proxy_as("192.0.2.99");
    let before = mail_ids(&app, &email).await;
    assert_eq!(owner.answer("auth/request-code", &[("email", &email)]).await.status, 200);
    let code = sign_in_code(&next_mail(&app, &email, "sign_in_code", &before).await.text);
    let done =
        owner.answer("auth/sign-in-with-code", &[("email", &email), ("password", PASSWORD), ("code", &code)]).await;
    assert_eq!(done.status, 200, "the owner gets in: {}", done.body);
    eprintln!("answers to the 10,000 guesses by status: {statuses:?}");
}

#[tokio::test]
/// Proves: ID4, ID5
async fn the_counters_hold_across_two_servers_sharing_the_database() {
    let first = app().await;
    let second = first
        .spawn_sibling(|raw| {
            raw.trusted_proxies = vec!["127.0.0.1".into()];
            raw.proof_of_work_bits = 4;
        })
        .await;
    let email = first.verified_account("heidi@example.com").await;
    let on_first = first.browser();
    let on_second = second.browser();
    let (t1, t2) = (on_first.csrf_token().await, on_second.csrf_token().await);
    for i in 0..5 {
        let ip = format!("198.51.100.{}", 100 + i);
        let (browser, token) = if i % 2 == 0 { (&on_first, &t1) } else { (&on_second, &t2) };
        assert_eq!(attempt(&browser.behind_proxy_as(&ip), token, &email, "wrong").await.0, 401, "failure {i}");
    }
    assert_eq!(attempt(&on_first.behind_proxy_as("198.51.100.120"), &t1, &email, PASSWORD).await, protected());
    assert_eq!(attempt(&on_second.behind_proxy_as("198.51.100.121"), &t2, &email, PASSWORD).await, protected());

    // Per-address blocks are shared too.
    for i in 0..5 {
        let (browser, token) = if i % 2 == 0 { (&on_first, &t1) } else { (&on_second, &t2) };
        attempt(&browser.behind_proxy_as("203.0.113.5"), token, &format!("x{i}@example.com"), "guess").await;
    }
    assert_eq!(attempt(&on_second.behind_proxy_as("203.0.113.5"), &t2, "someone@example.com", "guess").await.0, 429);
    assert_eq!(attempt(&on_first.behind_proxy_as("203.0.113.5"), &t1, "someone@example.com", "guess").await.0, 429);
}
