//! OPS1: what goes wrong. A backup interrupted at any point is never listed as good and leaves nothing
//! that retention counts; a tampered backup file is refused; a crypto-shredded workspace's backups
//! cannot be decrypted by anyone.

use super::add_row;
use crate::harness::TestApp;
use crate::workspaces::fixture::Team;
use crate::workspaces::sales_fixture::{tenant, tenant_db};
use domain::DomainError;
use domain::backup::format::CHUNK_BYTES;
use domain::backup::quiet;
use sea_orm::ConnectionTrait as _;
use std::time::Duration;

fn target_dir(app: &TestApp) -> std::path::PathBuf {
    app.data_dir.path().join("backups")
}

const ROWS: usize = 3000;

/// A workspace with enough rows that its backup has several chunks.
async fn sizeable(app: &TestApp, name: &str) -> (Team, domain::ids::TenantId) {
    let team = Team::create(app, name, "owner@example.com").await;
    let db = tenant_db(app, &team.slug).await;
    for i in 0..ROWS {
        // Random text in every row (hex: about 2:1 compressible), so the backup has several chunks.
        let random: String = (0..12).map(|_| uuid::Uuid::new_v4().simple().to_string()).collect();
        add_row(&db, &format!("{i}-{random}")).await;
    }
    let tenant = tenant(app, &team.slug).await;
    (team, tenant)
}

/// Writes the SHA-256 of `file` into the catalogue, as someone with access to the control plane could.
async fn set_hash(control: &sea_orm::DatabaseConnection, file_name: &str, file: &std::path::Path) {
    let sha = domain::backup::target::hash_file(file).await.unwrap().0;
    let sql = format!("UPDATE backups SET file_sha256 = '{sha}' WHERE file_name = '{file_name}'");
    control.execute_raw(sea_orm::Statement::from_string(control.get_database_backend(), sql)).await.unwrap();
}

#[tokio::test]
/// Proves: OPS1
async fn a_flipped_byte_a_truncation_or_swapped_chunks_make_restore_refuse_the_backup() {
    let app = TestApp::spawn().await;
    let (_team, tenant) = sizeable(&app, "Tamper Co").await;
    let backups = app.platform.backups();
    let record = backups.back_up_workspace(tenant, quiet()).await.unwrap();
    let file = target_dir(&app).join(&record.file_name);
    let original = std::fs::read(&file).unwrap();
    assert!(original.len() > CHUNK_BYTES, "two chunks or more: {} bytes", original.len());
    let control = app.control_db().await;

    let flipped = {
        let mut bytes = original.clone();
        let at = bytes.len() / 2;
        bytes[at] ^= 0x40;
        bytes
    };
    let truncated = original[..original.len() - 100].to_vec();
    // The first two data chunks swapped (frames are found from their length prefixes).
    let swapped = {
        let header_len = u32::from_be_bytes(original[9..13].try_into().unwrap()) as usize;
        let first = 13 + header_len;
        let len_at =
            |at: usize| 4 + (u32::from_be_bytes(original[at..at + 4].try_into().unwrap()) & 0x7fff_ffff) as usize;
        let second = first + len_at(first);
        let third = second + len_at(second);
        let mut bytes = original[..first].to_vec();
        bytes.extend_from_slice(&original[second..third]);
        bytes.extend_from_slice(&original[first..second]);
        bytes.extend_from_slice(&original[third..]);
        assert_eq!(bytes.len(), original.len());
        bytes
    };
    for (what, bytes) in [("a flipped byte", flipped), ("a truncation", truncated), ("swapped chunks", swapped)] {
        std::fs::write(&file, &bytes).unwrap();
        let refused = backups.restore_beside(record.id, quiet()).await;
        assert!(matches!(refused, Err(DomainError::Tampered(_))), "{what}: {refused:?}");
        // Even someone who could also rewrite the catalogue's SHA-256 gets nowhere: the chunks do not
        // authenticate.
        set_hash(&control, &record.file_name, &file).await;
        let refused = backups.restore_beside(record.id, quiet()).await;
        assert!(matches!(refused, Err(DomainError::Tampered(_))), "{what} with its hash updated: {refused:?}");
        let checks = backups.verify(record.id, true, quiet()).await.unwrap();
        assert!(checks.iter().all(|c| c.result.is_err()), "{what}: the restore test fails too");
    }
    // Put back, it restores again (so the refusals above were about the tampering).
    std::fs::write(&file, &original).unwrap();
    set_hash(&control, &record.file_name, &file).await;
    backups.restore_beside(record.id, quiet()).await.unwrap();
}

#[tokio::test]
/// Proves: OPS1
async fn a_backup_interrupted_at_any_point_is_never_listed_as_good_and_is_cleaned_up() {
    let app = TestApp::spawn().await;
    let (team, tenant) = sizeable(&app, "Crash Co").await;
    let backups = app.platform.backups().clone();
    // Interrupted at many points: the task is dropped wherever it is (snapshot, encryption, copy,
    // catalogue), as when the process dies.
    for attempt in 0..25u64 {
        let running = backups.clone();
        let task = tokio::spawn(async move { running.back_up_workspace(tenant, quiet()).await });
        tokio::time::sleep(Duration::from_millis(attempt * 3)).await;
        task.abort();
        let _ = task.await;
    }
    // Let blocking work that was already under way finish (it cannot be stopped half-way either).
    tokio::time::sleep(Duration::from_millis(500)).await;
    let good = |list: &[domain::backup::catalogue::BackupRecord]| list.iter().filter(|b| b.is_good()).count();
    let listed = backups.list(None).await.unwrap();
    for record in listed.iter().filter(|b| b.is_good()) {
        // Whatever is listed as good really is: it restores.
        let checks = backups.verify(record.id, true, quiet()).await.unwrap();
        assert!(checks.iter().all(|c| c.result.is_ok()), "{checks:?}");
    }
    // Partial files are never complete names; clean-up removes them and marks dead runs failed.
    backups.clean_up(Duration::ZERO).await.unwrap();
    let after = backups.list(None).await.unwrap();
    assert!(after.iter().all(|b| b.state != domain::backup::catalogue::BackupState::Running));
    assert_eq!(good(&after), good(&listed), "clean-up does not touch good backups");
    let names: Vec<String> = std::fs::read_dir(target_dir(&app))
        .map(|d| d.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    for name in &names {
        assert!(!name.starts_with(".partial-"), "a partial file is left: {name}");
        assert!(after.iter().any(|b| b.is_good() && b.file_name == *name), "{name} is not a good backup");
    }
    let work: Vec<_> = std::fs::read_dir(app.data_dir.path().join("backup-work")).unwrap().flatten().collect();
    assert!(work.is_empty(), "the work directory is empty: {work:?}");
    // And a backup now still works, and live data is intact.
    let record = backups.back_up_workspace(tenant, quiet()).await.unwrap();
    assert!(record.is_good());
    assert_eq!(super::live_markers(&app, &team.slug).await.len(), ROWS);
}

#[tokio::test]
/// Proves: OPS1
async fn the_backups_of_a_crypto_shredded_workspace_cannot_be_decrypted() {
    let app = TestApp::spawn().await;
    let team = Team::create(&app, "Gone Co", "owner@example.com").await;
    let tenant = tenant(&app, &team.slug).await;
    add_row(&tenant_db(&app, &team.slug).await, "secret").await;
    let backups = app.platform.backups();
    let record = backups.back_up_workspace(tenant, quiet()).await.unwrap();
    assert!(backups.verify(record.id, true, quiet()).await.unwrap().iter().all(|c| c.result.is_ok()));

    let deleted = team.owner.call("admin/workspace/delete", &[("slug", &team.slug), ("confirm", &team.slug)]).await;
    assert_eq!(deleted.status(), 200);
    // The file is still on the target, but its key was wrapped by the workspace's data key, now destroyed.
    assert!(target_dir(&app).join(&record.file_name).exists());
    let refused = backups.restore_beside(record.id, quiet()).await;
    assert!(matches!(refused, Err(DomainError::KeysDestroyed(_))), "{refused:?}");
    let checks = backups.verify(record.id, true, quiet()).await.unwrap();
    assert!(checks.iter().all(|c| c.result.is_err()), "{checks:?}");
    // Nor does a fresh server with the same master key and control plane.
    let sibling = app.spawn_sibling(|_| {}).await;
    let refused = sibling.platform.backups().restore_beside(record.id, quiet()).await;
    assert!(matches!(refused, Err(DomainError::KeysDestroyed(_))), "{refused:?}");
}

#[tokio::test]
/// Proves: OPS1
async fn a_target_that_is_down_is_reported_and_only_verified_copies_count() {
    let app = TestApp::spawn_with(|raw| {
        let dir = raw.data_dir.clone();
        // A regular file where the directory should be: every write to this target fails.
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("down"), b"not a directory").unwrap();
        raw.backup.targets = vec![
            server::config::RawTarget::directory("up", dir.join("up")),
            server::config::RawTarget::directory("down", dir.join("down").join("backups")),
        ];
    })
    .await;
    let team = Team::create(&app, "Half Co", "owner@example.com").await;
    let half = tenant(&app, &team.slug).await;
    let backups = app.platform.backups();
    let record = backups.back_up_workspace(half, quiet()).await.unwrap();
    assert!(record.is_good());
    assert_eq!(record.targets, vec!["up".to_owned()], "only the copy that read back counts");
    assert!(record.error.as_deref().is_some_and(|e| e.contains("down")), "the failing target is reported: {record:?}");
    assert!(backups.verify(record.id, true, quiet()).await.unwrap().iter().all(|c| c.result.is_ok()));

    // With every target down the backup fails, is never good, and leaves nothing behind.
    let app = TestApp::spawn_with(|raw| {
        let dir = raw.data_dir.clone();
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("down"), b"not a directory").unwrap();
        raw.backup.targets = vec![server::config::RawTarget::directory("down", dir.join("down").join("backups"))];
    })
    .await;
    let team = Team::create(&app, "Down Co", "owner@example.com").await;
    let down = tenant(&app, &team.slug).await;
    let failed = app.platform.backups().back_up_workspace(down, quiet()).await;
    assert!(matches!(failed, Err(DomainError::Unreachable { .. })), "{failed:?}");
    let listed = app.platform.backups().list(None).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert!(!listed[0].is_good() && listed[0].state == domain::backup::catalogue::BackupState::Failed, "{listed:?}");
    let work: Vec<_> = std::fs::read_dir(app.data_dir.path().join("backup-work")).unwrap().flatten().collect();
    assert!(work.is_empty(), "no plaintext snapshot or sealed file is left in the work directory: {work:?}");
}
