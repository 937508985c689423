//! The demo for newcomers (`strongroom serve --demo`): what it makes, that its people can sign in, and
//! that it is refused anywhere but dev mode on a loopback address.

use crate::harness::{TestApp, sign_in_code};
use domain::demo::{self, DemoPermit, DemoRefused};
use secrecy::ExposeSecret as _;
use serde_json::Value;
use std::collections::BTreeSet;
use std::process::Command;

/// The settings of a production server that would start: only `--demo` is wrong with them.
const PRODUCTION: [(&str, &str); 5] = [
    ("STRONGROOM_MODE", "production"),
    ("STRONGROOM_MASTER_KEY", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="),
    ("STRONGROOM_PUBLIC_URL", "https://strongroom.example"),
    ("STRONGROOM_SMTP_URL", "smtps://mail.example:465"),
    ("STRONGROOM_DIRECT_EXPOSURE", "true"),
];

fn strongroom(args: &[&str], data_dir: &std::path::Path, env: &[(&str, &str)]) -> (bool, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_strongroom"));
    command
        .args(args)
        .env_remove("STRONGROOM_DATABASE_URL")
        .env_remove("STRONGROOM_CONFIG")
        .env("STRONGROOM_DATA_DIR", data_dir)
        .env("STRONGROOM_ADDR", "127.0.0.1:0");
    command.envs(env.iter().copied());
    let output = command.output().expect("run strongroom");
    let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    (output.status.success(), text)
}

#[test]
fn demo_data_is_refused_in_production_mode() {
    let dir = tempfile::tempdir().unwrap();
    let (valid, shown) = strongroom(&["check-config"], dir.path(), &PRODUCTION);
    assert!(valid, "the production settings themselves are valid, so only --demo can be refused:\n{shown}");

    let (started, message) = strongroom(&["serve", "--demo"], dir.path(), &PRODUCTION);
    assert!(!started, "a production server must not start with --demo:\n{message}");
    assert!(message.contains("demo data is only made in dev mode"), "{message}");
    assert!(std::fs::read_dir(dir.path()).unwrap().next().is_none(), "nothing was written:\n{message}");
}

#[test]
fn demo_data_is_refused_on_an_address_other_machines_reach() {
    let dir = tempfile::tempdir().unwrap();
    let remote = [("STRONGROOM_ADDR", "0.0.0.0:0"), ("STRONGROOM_DEV_ALLOW_REMOTE", "true")];
    let (started, message) = strongroom(&["serve", "--demo"], dir.path(), &remote);
    assert!(!started, "{message}");
    assert!(message.contains("only made on a loopback address"), "{message}");
    assert!(std::fs::read_dir(dir.path()).unwrap().next().is_none(), "nothing was written:\n{message}");

    let loopback: std::net::SocketAddr = "[::1]:3000".parse().unwrap();
    assert!(DemoPermit::check(true, loopback).is_ok());
    let remote: std::net::SocketAddr = "192.168.1.5:3000".parse().unwrap();
    assert_eq!(DemoPermit::check(true, remote).err(), Some(DemoRefused::NotLoopback(remote)));
    assert_eq!(DemoPermit::check(false, loopback).err(), Some(DemoRefused::ProductionMode));
}

#[tokio::test]
async fn the_demo_has_every_role_every_request_and_order_state_and_its_people_sign_in() {
    let app = TestApp::spawn().await;
    let permit = DemoPermit::check(true, "127.0.0.1:3000".parse().unwrap()).unwrap();
    let made = demo::seed(&app.platform, permit).await.expect("demo seeded");
    assert_eq!(made.people.len(), model::BuiltinRole::ALL.len());

    // The owner signs in as a person would, with the printed password and the code from the outbox.
    let owner = app.browser();
    let owner_email = made.people[0].email.to_string();
    let answer = owner.sign_in(&owner_email, made.password.expose_secret()).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    if answer.body == serde_json::json!("SecondFactor") {
        let code = sign_in_code(&app.mail(&owner_email, "sign_in_code").await.text);
        assert_eq!(owner.call("auth/second-factor", &[("code", &code)]).await.status(), 200);
    }
    assert_eq!(owner.whoami().await.as_deref(), Some(owner_email.as_str()));

    let members: Value = owner.fetch(&format!("/rpc/admin/members?slug={}", made.slug)).await.json().await.unwrap();
    let roles: BTreeSet<String> = members["members"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|m| m["roles"].as_array().unwrap().iter().map(|r| r[0].as_str().unwrap().to_owned()))
        .collect();
    let every_role: BTreeSet<String> = model::BuiltinRole::ALL.iter().map(|r| r.key().to_owned()).collect();
    assert_eq!(roles, every_role, "a member in each built-in role");

    let requests: Value =
        owner.fetch(&format!("/rpc/purchasing/requests?slug={}", made.slug)).await.json().await.unwrap();
    let states: BTreeSet<String> =
        requests["items"].as_array().unwrap().iter().map(|r| r["status"].as_str().unwrap().to_lowercase()).collect();
    let every_state: BTreeSet<String> =
        ["pending", "approved", "denied", "withdrawn"].into_iter().map(str::to_owned).collect();
    assert_eq!(states, every_state, "purchase requests in every state: {requests}");

    let orders: Value = owner.fetch(&format!("/rpc/sales/orders?slug={}", made.slug)).await.json().await.unwrap();
    let sales: BTreeSet<String> = orders["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["kind"] == "sales")
        .map(|o| o["status"].as_str().unwrap().to_lowercase())
        .collect();
    let every_state: BTreeSet<String> =
        ["draft", "confirmed", "shipped", "completed", "cancelled"].into_iter().map(str::to_owned).collect();
    assert_eq!(sales, every_state, "sales orders in every state: {orders}");
    assert!(orders["items"].as_array().unwrap().iter().any(|o| o["kind"] == "purchase"), "and the purchase orders");

    // A second start finds the workspace and only hands out a new password.
    let again = demo::seed(&app.platform, DemoPermit::check(true, "127.0.0.1:3000".parse().unwrap()).unwrap())
        .await
        .expect("demo seeded again");
    assert_eq!(again.slug, made.slug);
    assert_ne!(again.password.expose_secret(), made.password.expose_secret());
}
