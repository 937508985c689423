//! TN4 and ID6: platform roles are separate from workspace roles; administrators (of a workspace or of
//! the platform) always confirm their sign-in with a code.

use super::fixture::{Team, get_status};
use crate::harness::{PASSWORD, TestApp};
use serde_json::json;

#[tokio::test]
/// Proves: ID6, TN4
async fn administrators_always_confirm_their_sign_in() {
    let app = TestApp::spawn().await;
    let team = Team::create(&app, "Admins Co", "owner@example.com").await;
    let member = team.member(&app, "member@example.com", "member").await;
    // From browsers and networks they have used before:
    assert_eq!(
        member.sign_in("member@example.com", PASSWORD).await.body,
        json!({ "SignedIn": { "next": "/workspaces" } })
    );
    assert_eq!(
        team.owner.sign_in("owner@example.com", PASSWORD).await.body,
        json!("SecondFactor"),
        "an owner is an administrator"
    );
}

#[tokio::test]
/// Proves: TN4, ID6
async fn platform_roles_come_from_the_cli_and_open_no_workspace() {
    let app = TestApp::spawn().await;
    let team = Team::create(&app, "Private Co", "owner@example.com").await;
    let staff = app.user("staff@example.com").await;
    assert_eq!(
        staff.sign_in("staff@example.com", PASSWORD).await.body,
        json!({ "SignedIn": { "next": "/workspaces" } })
    );

    let key = std::fs::read_to_string(app.data_dir.path().join("master.key.test")).unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_strongroom"))
        .args(["platform-role", "staff@example.com", "operator"])
        .env("STRONGROOM_DATA_DIR", app.data_dir.path())
        .env("STRONGROOM_DATABASE_URL", &app.control_url)
        .env("STRONGROOM_MASTER_KEY", key.trim())
        .env_remove("STRONGROOM_CONFIG")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(String::from_utf8_lossy(&output.stdout).contains("staff@example.com now has the platform role `operator`"));

    // An operator signs in with a code every time, and sees no workspace they were not invited to.
    assert_eq!(staff.sign_in("staff@example.com", PASSWORD).await.body, json!("SecondFactor"));
    let operator = app.signed_in_browser("staff@example.com").await;
    assert_eq!(get_status(&operator, &format!("/rpc/workspaces/home?slug={}", team.slug)).await, 404);
    assert_eq!(operator.get_page(&format!("/w/{}", team.slug)).await.status(), 404);

    let unknown = std::process::Command::new(env!("CARGO_BIN_EXE_strongroom"))
        .args(["platform-role", "staff@example.com", "god"])
        .env("STRONGROOM_DATA_DIR", app.data_dir.path())
        .output()
        .unwrap();
    assert!(!unknown.status.success(), "unknown roles are refused by the CLI");
}
