//! OPS2: the disaster recovery, end to end. An installation with accounts, workspaces and their rows is
//! backed up by `strongroom backup run`; then only the backup files and the master key are left.
//! `strongroom restore --all --from offsite` rebuilds it into an empty installation, and a server started
//! on that serves every account and workspace as before, with the catalogue listing what it came from.

use super::cli::{command_at, master_key, outcome, strongroom};
use super::{add_row, live_markers};
use crate::harness::{EmptyInstallation, TestApp};
use crate::workspaces::fixture::{Team, get};
use crate::workspaces::sales_fixture::{tenant, tenant_db};
use server::config::RawTarget;
use std::path::Path;
use std::time::Duration;

/// `strongroom --config <offsite target> restore --all --from offsite` into the installation with this
/// data directory and control database.
fn restore_all((data_dir, control_url): (&Path, &str), key: &str, offsite: &Path) -> (bool, String) {
    let config = data_dir.join("restore.toml");
    std::fs::write(&config, format!("[[backup.targets]]\nname = \"offsite\"\ndirectory = {:?}\n", offsite)).unwrap();
    let config = config.to_str().unwrap().to_owned();
    let args = ["--config", &config, "restore", "--all", "--from", "offsite"];
    outcome(command_at(data_dir, control_url, key, &args))
}

fn place(installation: &EmptyInstallation) -> (&Path, &str) {
    (installation.data_dir.path(), &installation.control_url)
}

fn files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".srbk"))
        .collect();
    names.sort();
    names
}

#[tokio::test]
/// Proves: OPS2, OPS3
async fn an_installation_rebuilt_from_its_backups_alone_serves_every_account_and_workspace() {
    let app = TestApp::spawn().await;
    let team = Team::create(&app, "Phoenix Co", "owner@example.com").await;
    let other = Team::create(&app, "Ember Co", "second@example.com").await;
    add_row(&tenant_db(&app, &team.slug).await, "before the first run").await;
    add_row(&tenant_db(&app, &other.slug).await, "ember").await;
    let (ok, out) = strongroom(&app, &["backup", "run"]);
    assert!(ok && out.contains("3 backed up"), "{out}");
    // A backup newer than the control plane's: the restored catalogue does not list it, yet it is the
    // newest of its workspace, so it is the one restored (and, on the same day, retention removed the
    // workspace's first one).
    tokio::time::sleep(Duration::from_millis(1100)).await; // file names carry the time to the second
    add_row(&tenant_db(&app, &team.slug).await, "after the first run").await;
    let (ok, out) = strongroom(&app, &["backup", "run", "--workspace", &team.slug]);
    assert!(ok, "{out}");
    let key = master_key(&app);
    let offsite = app.data_dir.path().join("backups");
    let kept = files(&offsite);
    assert_eq!(kept.len(), 3, "{kept:?}");

    // Never over an installation: the live control database is refused, and nothing changes.
    let (ok, out) = restore_all((app.data_dir.path(), &app.control_url), &key, &offsite);
    assert!(!ok && out.contains("empty control database"), "{out}");
    assert_eq!(live_markers(&app, &team.slug).await.len(), 2);
    // Without the master key the backups were made under, nothing opens.
    let stranger = TestApp::empty_installation().await;
    let other_key = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, rand::random::<[u8; 32]>());
    let (ok, out) = restore_all(place(&stranger), &other_key, &offsite);
    assert!(!ok && out.contains("master key"), "{out}");

    // A tampered file is refused, and a workspace without another backup is named as not restored
    // (after the rest was restored).
    let tampered = TestApp::empty_installation().await;
    let copy = tampered.data_dir.path().join("offsite");
    std::fs::create_dir_all(&copy).unwrap();
    for name in &kept {
        std::fs::copy(offsite.join(name), copy.join(name)).unwrap();
    }
    let prefix = format!("ws-{}-", tenant(&app, &team.slug).await.as_uuid().simple());
    let victim = kept.iter().find(|n| n.starts_with(&prefix));
    let victim = copy.join(victim.expect("the workspace's backup file"));
    let mut bytes = std::fs::read(&victim).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    std::fs::write(&victim, bytes).unwrap();
    let (ok, out) = restore_all(place(&tampered), &key, &copy);
    assert!(!ok, "{out}");
    assert!(
        out.contains(&format!("NOT RESTORED workspace {}", team.slug)) && out.contains("1 of 2 workspaces restored"),
        "{out}"
    );

    let new = TestApp::empty_installation().await;
    let (ok, out) = restore_all(place(&new), &key, &offsite);
    assert!(ok, "{out}");
    assert!(
        out.contains("2 of 2 workspaces restored") && out.contains(&format!("workspace {}: backup", team.slug)),
        "{out}"
    );

    let restored = TestApp::spawn_in(new, |raw| {
        raw.master_key = Some(key.clone().into());
        raw.backup.targets = vec![RawTarget::directory("offsite", &offsite)];
    })
    .await;
    let owner = restored.signed_in_browser("owner@example.com").await;
    restored.signed_in_browser("second@example.com").await;
    // The restored installation has databases of its own (on PostgreSQL: named by its own placement).
    add_row(&tenant_db(&app, &team.slug).await, "only in the old installation").await;
    let mut rows = live_markers(&restored, &team.slug).await;
    rows.sort();
    assert_eq!(rows, ["after the first run", "before the first run"]);
    assert_eq!(live_markers(&restored, &other.slug).await, ["ember"]);
    let page = get(&owner, &format!("/rpc/admin/backups?slug={}", team.slug)).await;
    let listed = page["backups"].as_array().unwrap();
    assert_eq!(listed.len(), 1, "the backup made after the control plane's is listed: {page}");
    assert!(listed.iter().all(|b| b["targets"] == serde_json::json!(["offsite"])), "{page}");

    // The catalogue lists every file on the target as good there (the old installation's target is
    // forgotten), so the clean-up keeps all of them, and backups go on from there.
    let good: Vec<_> =
        restored.platform.backups().list(None).await.unwrap().into_iter().filter(|b| b.is_good()).collect();
    assert_eq!(good.len(), 3, "{good:?}");
    assert!(good.iter().all(|b| b.targets == ["offsite"]), "{good:?}");
    restored.platform.backups().clean_up(Duration::ZERO).await.unwrap();
    assert_eq!(files(&offsite), kept);
    let id = tenant(&restored, &team.slug).await;
    let record = restored.platform.backups().back_up_workspace(id, domain::backup::quiet()).await;
    assert!(record.unwrap().is_good());
}
