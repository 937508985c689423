//! The `strongroom` command line: subcommands, and configuration checked at start with clear messages.

use std::process::{Command, Output};

fn strongroom(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_strongroom"));
    command.args(args).env_remove("STRONGROOM_DATABASE_URL").env_remove("STRONGROOM_CONFIG");
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("run strongroom")
}

fn text(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

#[test]
fn help_lists_the_subcommands() {
    let output = strongroom(&["--help"], &[]);
    assert!(output.status.success());
    let help = text(&output);
    for command in ["serve", "migrate", "check-config"] {
        assert!(help.contains(command), "--help does not mention {command}:\n{help}");
    }
}

#[test]
fn production_mode_without_a_master_key_refuses_to_start() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().display().to_string();
    let output = strongroom(&["serve"], &[("STRONGROOM_MODE", "production"), ("STRONGROOM_DATA_DIR", &data)]);
    assert!(!output.status.success());
    let message = text(&output);
    assert!(message.contains("production mode needs one") && message.contains("STRONGROOM_MASTER_KEY"), "{message}");
    assert!(std::fs::read_dir(dir.path()).unwrap().next().is_none(), "nothing was written");
}

#[test]
fn dev_mode_generates_a_private_master_key_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data").display().to_string();
    let output = strongroom(&["migrate"], &[("STRONGROOM_DATA_DIR", &data)]);
    assert!(output.status.success(), "{}", text(&output));
    assert!(text(&output).contains("generated a new master key"), "{}", text(&output));
    let key = dir.path().join("data/master.key");
    use std::os::unix::fs::PermissionsExt as _;
    assert_eq!(std::fs::metadata(&key).unwrap().permissions().mode() & 0o777, 0o600);

    let again = strongroom(&["migrate"], &[("STRONGROOM_DATA_DIR", &data)]);
    assert!(again.status.success());
    assert!(!text(&again).contains("generated a new master key"), "the key is made once");
}

#[test]
fn an_unreachable_redis_stops_the_server_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().display().to_string();
    // Port 1 on loopback: nothing listens there, so the connection is refused at once.
    let redis = "redis://:hunter2@127.0.0.1:1";
    let output = strongroom(&["serve"], &[("STRONGROOM_DATA_DIR", &data), ("STRONGROOM_REDIS_URL", redis)]);
    assert!(!output.status.success());
    let message = text(&output);
    assert!(message.contains("Redis (redis_url) is unreachable"), "{message}");
    assert!(!message.contains("hunter2"), "the password must not be printed: {message}");
}

#[test]
fn invalid_settings_are_named_clearly() {
    let output = strongroom(&["check-config"], &[("STRONGROOM_ADDR", "not-an-address")]);
    assert!(!output.status.success());
    let message = text(&output);
    assert!(message.contains("invalid configuration") && message.contains("addr"), "{message}");

    let output = strongroom(&["check-config"], &[("STRONGROOM_DATABSE_URL", "sqlite://typo.db")]);
    assert!(!output.status.success(), "a misspelt setting must not be ignored");
    assert!(text(&output).contains("databse_url"), "{}", text(&output));
}

#[test]
fn check_config_prints_settings_without_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().display().to_string();
    let key = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
    let output = strongroom(&["check-config"], &[("STRONGROOM_DATA_DIR", &data), ("STRONGROOM_MASTER_KEY", key)]);
    assert!(output.status.success(), "{}", text(&output));
    let shown = text(&output);
    assert!(shown.contains("configuration is valid") && shown.contains("<redacted>"), "{shown}");
    assert!(!shown.contains(key), "the master key must never be printed");
}

/// `check-config` shows which servers are meant, never a password (review finding L4).
#[test]
fn check_config_hides_database_passwords() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().display().to_string();
    let output = strongroom(
        &["check-config"],
        &[
            ("STRONGROOM_DATA_DIR", &data),
            ("STRONGROOM_DATABASE_URL", "postgres://sr:hunter2@db/strongroom"),
            ("STRONGROOM_TENANT_DATABASE_URL", "postgres://tenants:hunter3@db/postgres?sslpassword=hunter4"),
            ("STRONGROOM_SMTP_URL", "smtps://mail:hunter5@mail.example:465"),
            ("STRONGROOM_REDIS_URL", "redis://:hunter6@127.0.0.1:6379"),
            ("STRONGROOM_MASTER_KEY", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="),
        ],
    );
    let shown = text(&output);
    assert!(output.status.success(), "{shown}");
    for secret in
        ["hunter2", "hunter3", "hunter4", "hunter5", "hunter6", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="]
    {
        assert!(!shown.contains(secret), "`{secret}` printed:\n{shown}");
    }
    assert!(shown.contains("postgres://sr:redacted@db/strongroom"), "the server is still named:\n{shown}");
}
