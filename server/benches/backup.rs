//! Backup throughput (OPS1): snapshot + integrity check + zstd + AES-256-GCM STREAM encryption of a
//! SQLite workspace database, against a plain file copy of the same database on the same disk, in one
//! run (`cargo xtask bench`); and the restore side (decrypt + decompress + integrity check) likewise.
//!
//! The database is `BENCH_BACKUP_MB` megabytes [256] of rows that compress like business data (text
//! with repetition and random parts).

use domain::backup::format::{self, Header, Scope, Source, WrappedKey};
use domain::backup::snapshot;
use domain::db::{self, PoolLimits};
use sea_orm::ConnectionTrait as _;
use std::time::Instant;

fn header() -> Header {
    Header {
        backup_id: uuid::Uuid::new_v4(),
        scope: Scope::Workspace(uuid::Uuid::new_v4()),
        source: Source::Sqlite,
        taken_at: chrono::Utc::now(),
        key: WrappedKey::WorkspaceDataKey { version: 1, sealed: String::new() },
        nonce: format::random_nonce(),
        compression: "zstd".into(),
        chunk_bytes: format::CHUNK_BYTES as u32,
    }
}

fn mb_per_s(bytes: u64, seconds: f64) -> f64 {
    bytes as f64 / 1e6 / seconds
}

#[tokio::main]
async fn main() {
    let megabytes: u64 = std::env::var("BENCH_BACKUP_MB").ok().and_then(|s| s.parse().ok()).unwrap_or(256);
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("live.db");
    let db = db::connect(&format!("sqlite://{}?mode=rwc", live.display()), PoolLimits::TENANT).await.unwrap();
    db.execute_unprepared("CREATE TABLE rows (id INTEGER PRIMARY KEY, customer TEXT, note TEXT)").await.unwrap();
    // About 1 KB per row: a random part (hex, compresses about 2:1) and a repetitive part.
    let rows = megabytes * 1000;
    db.execute_unprepared(&format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {rows}) \
         INSERT INTO rows (customer, note) SELECT 'Customer ' || (i % 997) || ' GmbH, Musterstraße ' || (i % 131), \
         hex(randomblob(200)) || printf('%.500c', 'order line for delivery ') FROM n"
    ))
    .await
    .unwrap();
    db.execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)").await.unwrap();
    let size = std::fs::metadata(&live).unwrap().len();
    println!("SQLite workspace database of {:.0} MB ({rows} rows)", size as f64 / 1e6);

    // The reference: a plain copy of the file (and its fsync), as `cp` would do.
    let started = Instant::now();
    let copy = dir.path().join("copy.db");
    std::fs::copy(&live, &copy).unwrap();
    std::fs::File::open(&copy).unwrap().sync_all().unwrap();
    let plain = started.elapsed().as_secs_f64();
    std::fs::remove_file(&copy).unwrap();

    // A backup: online snapshot, integrity check, compression and encryption into the file.
    let key = rand::random::<[u8; 32]>();
    let started = Instant::now();
    let snapshot_file = dir.path().join("snapshot.db");
    snapshot::sqlite_snapshot(&db, &snapshot_file).await.unwrap();
    let counts = snapshot::sqlite_check(&snapshot_file).await.unwrap();
    let sealed_file = dir.path().join("backup.srbk");
    let (from, to, header) = (snapshot_file.clone(), sealed_file.clone(), header());
    let sealing_header = header.clone();
    let manifest = tokio::task::spawn_blocking(move || {
        let input = std::io::BufReader::new(std::fs::File::open(from).unwrap());
        let output = std::io::BufWriter::new(std::fs::File::create(&to).unwrap());
        let (output, manifest) = format::seal(input, output, &sealing_header, &key, counts, &|_| {}).unwrap();
        output.into_inner().unwrap().sync_all().unwrap();
        manifest
    })
    .await
    .unwrap();
    let backup = started.elapsed().as_secs_f64();
    let sealed = std::fs::metadata(&sealed_file).unwrap().len();

    // A restore: decryption and decompression into a file, then the integrity check.
    let started = Instant::now();
    let restored = dir.path().join("restored.db");
    let (from, to) = (sealed_file.clone(), restored.clone());
    tokio::task::spawn_blocking(move || {
        let mut input = std::io::BufReader::new(std::fs::File::open(from).unwrap());
        let (header, aad) = format::read_header(&mut input).unwrap();
        let output = std::io::BufWriter::new(std::fs::File::create(&to).unwrap());
        let (output, _) = format::open(input, output, &header, aad, &key, &|_| {}).unwrap();
        output.into_inner().unwrap().sync_all().unwrap();
    })
    .await
    .unwrap();
    let counts = snapshot::sqlite_check(&restored).await.unwrap();
    let restore = started.elapsed().as_secs_f64();
    assert_eq!(counts, manifest.row_counts);

    println!("  plain file copy:                            {:8.1} MB/s ({plain:.2} s)", mb_per_s(size, plain));
    println!("  backup (snapshot, check, zstd, AES-GCM):    {:8.1} MB/s ({backup:.2} s)", mb_per_s(size, backup));
    println!("  restore (decrypt, unzstd, check):           {:8.1} MB/s ({restore:.2} s)", mb_per_s(size, restore));
    println!(
        "  compressed and encrypted size:              {:8.1} % of the database",
        sealed as f64 * 100.0 / size as f64
    );
    println!("  ratio backup / plain copy throughput:       {:8.3}", plain / backup);
    println!("  ratio restore / plain copy throughput:      {:8.3}", plain / restore);
}
