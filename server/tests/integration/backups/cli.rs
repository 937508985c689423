//! OPS2, OPS3, UX2: `strongroom backup run|list|verify|prune|restore` for operators, and what a backup
//! process killed with SIGKILL at random moments leaves behind (nothing listed as good that is not).

use super::{add_row, live_markers};
use crate::harness::TestApp;
use crate::workspaces::fixture::Team;
use crate::workspaces::sales_fixture::tenant_db;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

/// The test's master key (kept in the data directory, so siblings and commands can use it).
pub(super) fn master_key(app: &TestApp) -> String {
    std::fs::read_to_string(app.data_dir.path().join("master.key.test")).unwrap().trim().to_owned()
}

/// `strongroom <args>` on the installation with this data directory, control database and master key.
pub(super) fn command_at(data_dir: &Path, control_url: &str, master_key: &str, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_strongroom"));
    command
        .args(args)
        .env_remove("STRONGROOM_CONFIG")
        .env("STRONGROOM_DATA_DIR", data_dir)
        .env("STRONGROOM_DATABASE_URL", control_url)
        .env("STRONGROOM_MASTER_KEY", master_key)
        .env("STRONGROOM_LOG_FORMAT", "text")
        .env("RUST_LOG", "error");
    command
}

fn command(app: &TestApp, args: &[&str]) -> Command {
    command_at(app.data_dir.path(), &app.control_url, &master_key(app), args)
}

/// Runs a command to its end: whether it succeeded, and everything it printed.
pub(super) fn outcome(mut command: Command) -> (bool, String) {
    let Output { status, stdout, stderr } = command.output().expect("run strongroom");
    (status.success(), format!("{}{}", String::from_utf8_lossy(&stdout), String::from_utf8_lossy(&stderr)))
}

pub(super) fn strongroom(app: &TestApp, args: &[&str]) -> (bool, String) {
    outcome(command(app, args))
}

/// The ids of the backups `backup list` shows as verified.
fn verified_ids(app: &TestApp) -> Vec<String> {
    let (ok, out) = strongroom(app, &["backup", "list"]);
    assert!(ok, "{out}");
    out.lines().filter(|l| l.contains(" verified ")).map(|l| l.split_whitespace().next().unwrap().to_owned()).collect()
}

#[tokio::test]
/// Proves: OPS2, OPS3
async fn operators_back_up_list_verify_prune_and_restore_from_the_command_line() {
    let app = TestApp::spawn().await;
    let team = Team::create(&app, "Cli Co", "owner@example.com").await;
    add_row(&tenant_db(&app, &team.slug).await, "first").await;

    let (ok, out) = strongroom(&app, &["backup", "run", "--workspace", &team.slug]);
    assert!(ok && out.contains("verified") && out.contains(&team.slug), "{out}");
    let (ok, out) = strongroom(&app, &["backup", "run", "--control"]);
    assert!(ok && out.contains("control plane"), "{out}");
    let ids = verified_ids(&app);
    assert_eq!(ids.len(), 2, "{ids:?}");
    let (ok, out) = strongroom(&app, &["backup", "list", "--workspace", &team.slug]);
    assert!(ok && out.lines().count() == 1 && out.contains("targets: local"), "{out}");
    let workspace_backup = out.split_whitespace().next().unwrap().to_owned();

    for id in &ids {
        let (ok, out) = strongroom(&app, &["backup", "verify", id, "--deep"]);
        assert!(ok && out.contains("restore test passed"), "{out}");
    }
    let (ok, out) = strongroom(&app, &["backup", "prune"]);
    assert!(ok && out.contains("0 backup copies deleted"), "{out}");

    let (ok, out) = strongroom(&app, &["backup", "restore", &workspace_backup, "--beside"]);
    assert!(ok && out.contains("restored beside live, read-only"), "{out}");
    add_row(&tenant_db(&app, &team.slug).await, "second").await;
    let (ok, out) = strongroom(&app, &["backup", "restore", &workspace_backup, "--onto-live"]);
    assert!(!ok && out.contains("--yes"), "onto live needs a confirmation: {out}");
    assert_eq!(live_markers(&app, &team.slug).await.len(), 2, "nothing changed without it");
    let (ok, out) = strongroom(&app, &["backup", "restore", &workspace_backup, "--onto-live", "--yes"]);
    assert!(ok && out.contains("restored onto live"), "{out}");
    assert_eq!(live_markers(&app, &team.slug).await, vec!["first".to_owned()]);

    // A control-plane backup is not restored onto the running control plane.
    let control = ids.iter().find(|id| **id != workspace_backup).unwrap();
    let (ok, out) = strongroom(&app, &["backup", "restore", control, "--onto-live", "--yes"]);
    assert!(!ok, "{out}");
}

#[tokio::test]
/// Proves: OPS1
async fn backups_killed_at_random_moments_never_leave_a_bad_backup_listed_as_good() {
    let app = TestApp::spawn().await;
    let team = Team::create(&app, "Killed Co", "owner@example.com").await;
    let db = tenant_db(&app, &team.slug).await;
    for i in 0..300 {
        add_row(&db, &format!("row {i} {}", "x".repeat(200))).await;
    }
    // 12 kills here (each run starts a process); `BACKUP_TEST_KILLS` asks for more, e.g. 50. (Not a
    // `STRONGROOM_` variable: the child process would refuse it as an unknown setting.)
    let runs: u64 = std::env::var("BACKUP_TEST_KILLS").ok().and_then(|n| n.parse().ok()).unwrap_or(12);
    let mut started_at = std::time::Instant::now();
    let mut full_run = Duration::from_millis(1500);
    for run in 0..runs {
        let mut child = command(&app, &["backup", "run", "--workspace", &team.slug])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let wait = Duration::from_millis(rand::random::<u64>() % (full_run.as_millis() as u64 + 1));
        tokio::time::sleep(wait).await;
        match child.try_wait().unwrap() {
            Some(_) => full_run = started_at.elapsed().max(Duration::from_millis(200)),
            None => {
                child.kill().unwrap(); // SIGKILL
                child.wait().unwrap();
            }
        }
        started_at = std::time::Instant::now();
        let _ = run;
    }
    // Whatever `backup list` calls verified really restores.
    for id in verified_ids(&app) {
        let (ok, out) = strongroom(&app, &["backup", "verify", &id, "--deep"]);
        assert!(ok, "backup {id} is listed as verified but does not pass the restore test: {out}");
    }
    for record in app.platform.backups().list(None).await.unwrap() {
        if record.is_good() {
            assert!(app.data_dir.path().join("backups").join(&record.file_name).exists());
        }
    }
    // Live data is intact, and clean-up leaves only good backups and no partial file.
    assert_eq!(live_markers(&app, &team.slug).await.len(), 300);
    app.platform.backups().clean_up(Duration::ZERO).await.unwrap();
    let good: Vec<String> = app
        .platform
        .backups()
        .list(None)
        .await
        .unwrap()
        .into_iter()
        .filter(|b| b.is_good())
        .map(|b| b.file_name)
        .collect();
    for entry in std::fs::read_dir(app.data_dir.path().join("backups")).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        assert!(good.contains(&name), "{name} is left on the target but is not a good backup");
    }
    let (ok, out) = strongroom(&app, &["backup", "run", "--workspace", &team.slug]);
    assert!(ok, "backups still work afterwards: {out}");
}
