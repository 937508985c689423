//! OPS2: a workspace's administrators download a portable copy of live data: a zip with the workspace as
//! a SQLite file, a CSV per table, the attachments and a manifest, which opens without Strongroom (Python's
//! own zipfile and sqlite3 read it here), with the sealed fields in clear; with a passphrase nothing in it
//! opens without that passphrase. It takes `backups.manage` and the caller's password, and is audited.
//! It is made in the background and handed out once, to whoever asked, within an hour.
//! On PostgreSQL the same tests show the conversion of a PostgreSQL workspace into the SQLite file.

use crate::harness::{Browser, PASSWORD, TestApp};
use crate::workspaces::fixture::Team;
use crate::workspaces::sales_fixture::{SECRETS, add_order, contains, secret_customer, tenant_db, texts};
use crate::workspaces::sharing_fixture::upload;
use serde_json::Value;
use sha2::{Digest as _, Sha256};
use std::collections::BTreeMap;
use std::io::Read as _;

const ATTACHED: &[u8] = b"delivery note: 12 jars of plum jam\n";

fn export_path(slug: &str) -> String {
    format!("/w/{slug}/admin/backups/export")
}

/// Starts an export as `browser`, waits until it is made (as the backups page does) and downloads it;
/// a refused start is answered as it is.
async fn export(browser: &Browser, slug: &str, password: &str, passphrase: &str) -> reqwest::Response {
    let form = [("password", password), ("passphrase", passphrase)];
    let started = browser.post_to(&export_path(slug), &form, "application/json").await;
    if started.status() != 202 {
        return started;
    }
    let (page, _) = super::admin_page::until_finished(browser, slug).await;
    let op = &page["operation"];
    assert_eq!((op["kind"].as_str(), op["outcome"].as_str()), (Some("export"), Some("succeeded")), "{page}");
    assert!(page["export_ready"]["bytes"].as_u64().unwrap() > 0, "the page offers the download: {page}");
    download(browser, slug).await
}

async fn download(browser: &Browser, slug: &str) -> reqwest::Response {
    browser.post_to(&format!("{}/download", export_path(slug)), &[], "application/json").await
}

/// A workspace with a customer (all of [`SECRETS`]), an order with notes and an attached file.
async fn workspace_with_data(app: &TestApp) -> Team {
    let team = Team::create(app, "Portable Co", "owner@example.com").await;
    let customer = secret_customer(&team).await;
    let (status, order) = add_order(&team.owner, &team.slug, &customer, "12", "3.50").await;
    assert_eq!(status, 200, "{order}");
    let path = format!("/w/{}/sales/{}/attachments", team.slug, order["id"].as_str().unwrap());
    let (status, attached) = upload(&team.owner, &path, "note.txt", "text/plain", ATTACHED).await;
    assert_eq!(status, 200, "{attached}");
    team
}

/// Every entry of the zip, read with `passphrase` (or none).
fn entries(zip: &[u8], passphrase: Option<&str>) -> zip::result::ZipResult<BTreeMap<String, Vec<u8>>> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip))?;
    let mut out = BTreeMap::new();
    for i in 0..archive.len() {
        let mut entry = match passphrase {
            Some(phrase) => archive.by_index_decrypt(i, phrase.as_bytes())?,
            None => archive.by_index(i)?,
        };
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes)?;
        out.insert(entry.name()?.into_owned(), bytes);
    }
    Ok(out)
}

/// Runs `script` with Python (no Strongroom code involved) on `zip`, saved to a file; returns its output.
fn python(zip: &[u8], script: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("export.zip");
    std::fs::write(&path, zip).unwrap();
    let out = std::process::Command::new("python3").arg("-c").arg(script).arg(&path).output().expect("python3 runs");
    assert!(out.status.success(), "python: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Opens the zip and its SQLite file with Python's standard library; prints the customers' contact data,
/// the sales orders' notes and the number of tables.
const READ_WITH_PYTHON: &str = r#"
import sqlite3, sys, tempfile, zipfile, os
with zipfile.ZipFile(sys.argv[1]) as z, tempfile.TemporaryDirectory() as d:
    z.extract("workspace.sqlite", d)
    db = sqlite3.connect(os.path.join(d, "workspace.sqlite"))
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    for row in db.execute("SELECT name, email, phone, address, notes FROM customers"):
        print("customer|" + "|".join(row))
    for (notes,) in db.execute("SELECT notes FROM sales_orders"):
        print("order|" + notes)
    print("tables|%d" % db.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone())
"#;

#[tokio::test]
/// Proves: OPS2
async fn an_administrator_downloads_a_copy_of_live_data_that_opens_without_strongroom() {
    let app = TestApp::spawn().await;
    let team = workspace_with_data(&app).await;

    let response = export(&team.owner, &team.slug, PASSWORD, "").await;
    assert_eq!(response.status(), 200);
    let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    assert_eq!(header("content-type"), "application/zip");
    assert!(header("content-disposition").starts_with(&format!("attachment; filename=\"{}-", team.slug)));
    assert_eq!((header("cache-control").as_str(), header("content-encoding").as_str()), ("no-store", ""));
    let zip = response.bytes().await.unwrap().to_vec();

    let files = entries(&zip, None).unwrap();
    let manifest: Value = serde_json::from_slice(&files["manifest.json"]).unwrap();
    assert_eq!(manifest["format"], "strongroom-portable-export");
    let source = if app.on_postgres() { "postgresql" } else { "sqlite" };
    assert_eq!(manifest["source_database"], source, "a PostgreSQL workspace arrives as a SQLite file too");
    assert_eq!(
        (manifest["workspace"]["address"].as_str(), manifest["passphrase_protected"].as_bool()),
        (Some(team.slug.as_str()), Some(false))
    );
    // The manifest lists every other file with its true size and SHA-256.
    let listed = manifest["files"].as_array().unwrap();
    assert_eq!(listed.len(), files.len() - 1, "{manifest}");
    for file in listed {
        let bytes = &files[file["path"].as_str().unwrap()];
        assert_eq!(file["bytes"].as_u64(), Some(bytes.len() as u64), "{file}");
        assert_eq!(file["sha256"].as_str(), Some(hex::encode(Sha256::digest(bytes)).as_str()), "{file}");
    }
    let rows = |table: &str| {
        let tables = manifest["tables"].as_array().unwrap();
        tables.iter().find(|t| t["name"] == table).and_then(|t| t["rows"].as_u64())
    };
    assert_eq!((rows("customers"), rows("sales_orders"), rows("attachments")), (Some(1), Some(1), Some(1)));

    // The contact data and the notes, sealed in the live database, are in clear in the export.
    let live = crate::workspaces::sales_fixture::database_copy(&app, &team.slug).await;
    assert!(!contains(&live, SECRETS.email), "the live database holds the email sealed");
    let read = python(&zip, READ_WITH_PYTHON);
    let expected =
        format!("customer|Ottilie Quandt|{}|{}|{}|{}", SECRETS.email, SECRETS.phone, SECRETS.address, SECRETS.notes);
    assert!(read.lines().any(|l| l == expected), "{read}");
    assert!(read.lines().any(|l| l == format!("order|{}", SECRETS.notes)), "{read}");
    let customers_csv = String::from_utf8(files["tables/customers.csv"].clone()).unwrap();
    let header_row = customers_csv.lines().next().unwrap();
    assert!(header_row.contains(",email,") && !header_row.contains("email_enc"), "{header_row}");
    assert!(customers_csv.contains(SECRETS.email) && customers_csv.contains("Ottilie Quandt"), "{customers_csv}");
    let attached: Vec<_> = files.iter().filter(|(name, _)| name.starts_with("attachments/")).collect();
    assert_eq!(attached.len(), 1, "{:?}", files.keys());
    assert!(attached[0].0.ends_with("/note.txt") && attached[0].1 == ATTACHED);
    // The audit log's record of the customer's creation is readable too.
    let audit_csv = String::from_utf8(files["tables/audit_events.csv"].clone()).unwrap();
    assert!(audit_csv.contains(SECRETS.phone), "{audit_csv}");

    // Recorded in the workspace's audit log, as the owner's.
    let db = tenant_db(&app, &team.slug).await;
    let by = texts(&db, "SELECT actor_email FROM audit_events WHERE action = 'workspace.exported'").await;
    assert_eq!(by, vec![Some("owner@example.com".to_owned())]);
}

#[tokio::test]
/// Proves: OPS2
async fn with_a_passphrase_nothing_in_the_zip_opens_without_it() {
    let app = TestApp::spawn().await;
    let team = workspace_with_data(&app).await;

    // 11 characters are one too few; 12 are enough.
    let short = export(&team.owner, &team.slug, PASSWORD, "plum-jam-11").await;
    assert_eq!(short.status(), 422);
    let phrase = "plum-jam-12!";
    let response = export(&team.owner, &team.slug, PASSWORD, phrase).await;
    assert_eq!(response.status(), 200);
    let zip = response.bytes().await.unwrap().to_vec();

    assert!(entries(&zip, None).is_err(), "no entry opens without the passphrase");
    assert!(entries(&zip, Some("plum-jam-13!")).is_err(), "nor with another one");
    for secret in [SECRETS.email, SECRETS.phone, "Ottilie", "CREATE TABLE", "delivery note"] {
        assert!(!contains(&zip, secret), "the zip shows {secret:?}");
    }
    let files = entries(&zip, Some(phrase)).unwrap();
    let manifest: Value = serde_json::from_slice(&files["manifest.json"]).unwrap();
    assert_eq!(manifest["passphrase_protected"], true);
    assert!(String::from_utf8_lossy(&files["tables/customers.csv"]).contains(SECRETS.email));
}

#[tokio::test]
/// Proves: OPS2
async fn only_holders_of_backups_manage_who_type_their_password_get_a_copy() {
    let app = TestApp::spawn().await;
    let team = workspace_with_data(&app).await;
    let member = team.member(&app, "member@example.com", "member").await;
    let approver = team.member(&app, "approver@example.com", "approver").await;
    let other = Team::create(&app, "Elsewhere Co", "other@example.com").await;

    for browser in [&member, &approver] {
        assert_eq!(export(browser, &team.slug, PASSWORD, "").await.status(), 403);
    }
    assert_eq!(export(&other.owner, &team.slug, PASSWORD, "").await.status(), 404);
    let wrong = export(&team.owner, &team.slug, "not my password", "").await;
    assert_eq!(wrong.status(), 401);
    assert!(!contains(&wrong.bytes().await.unwrap(), SECRETS.email));
    // A browser's own form post goes back to the page with the refusal.
    let form = [("password", "still not it"), ("passphrase", "")];
    let plain = team.owner.post_to(&export_path(&team.slug), &form, "text/html").await;
    assert_eq!(plain.status(), 303);
    let location = plain.headers()["location"].to_str().unwrap();
    assert!(location.starts_with(&format!("/w/{}/admin/backups?export_error=", team.slug)), "{location}");

    let db = tenant_db(&app, &team.slug).await;
    let exported = texts(&db, "SELECT actor_email FROM audit_events WHERE action = 'workspace.exported'").await;
    assert!(exported.is_empty(), "nothing was exported: {exported:?}");
    // The right password still works in that session (two wrong ones do not end it).
    assert_eq!(export(&team.owner, &team.slug, PASSWORD, "").await.status(), 200);
}

#[tokio::test]
/// Proves: OPS2
async fn a_made_export_is_downloaded_once_by_whoever_asked_and_thrown_away_after_an_hour() {
    let app = TestApp::spawn().await;
    let team = workspace_with_data(&app).await;
    let admin = team.member(&app, "admin@example.com", "admin").await;
    let member = team.member(&app, "member@example.com", "member").await;
    let started = team.owner.post_to(&export_path(&team.slug), &[("password", PASSWORD)], "application/json").await;
    assert_eq!(started.status(), 202);
    let (page, _) = super::admin_page::until_finished(&team.owner, &team.slug).await;
    assert_eq!(page["operation"]["outcome"], "succeeded", "{page}");

    // Another administrator of the workspace sees the operation, not the owner's file.
    let theirs = crate::workspaces::fixture::get(&admin, &format!("/rpc/admin/backups?slug={}", team.slug)).await;
    assert!(theirs["export_ready"].is_null(), "{theirs}");
    for browser in [&admin, &member] {
        let refused = download(browser, &team.slug).await;
        assert!(matches!(refused.status().as_u16(), 403 | 404), "{}", refused.status());
        assert!(!contains(&refused.bytes().await.unwrap(), SECRETS.email));
    }
    let zip = download(&team.owner, &team.slug).await;
    assert_eq!(zip.status(), 200);
    assert!(!entries(&zip.bytes().await.unwrap(), None).unwrap().is_empty());
    assert_eq!(download(&team.owner, &team.slug).await.status(), 404, "handed out once");

    // One not downloaded waits an hour, then is thrown away.
    let started = team.owner.post_to(&export_path(&team.slug), &[("password", PASSWORD)], "application/json").await;
    assert_eq!(started.status(), 202);
    super::admin_page::until_finished(&team.owner, &team.slug).await;
    let made = chrono::Utc::now();
    let operations = app.platform.backup_operations();
    let hour = domain::workspace::backups::EXPORT_KEPT;
    assert_eq!(operations.remove_expired_exports(made + hour - chrono::TimeDelta::minutes(1)), 0);
    assert_eq!(operations.remove_expired_exports(made + hour + chrono::TimeDelta::seconds(1)), 1);
    assert_eq!(download(&team.owner, &team.slug).await.status(), 404, "thrown away");
}
