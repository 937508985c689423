//! The second half of a portable export (OPS2): one CSV file per table of the exported SQLite file, and
//! the zip that holds them, the SQLite file itself, the attachments and a manifest with every file's size
//! and SHA-256. With a passphrase, every entry of the zip is encrypted with AES-256 (the WinZip AE-2
//! scheme, which 7-Zip and most archive tools open). Files go through the zip as streams: memory stays
//! flat however large they are.

use crate::backup::snapshot;
use crate::error::{DomainError, DomainResult};
use futures_util::TryStreamExt as _;
use sea_orm::sqlx::{self, Row as _, TypeInfo as _, ValueRef as _};
use secrecy::{ExposeSecret as _, SecretString};
use serde::Serialize;
use sha2::{Digest as _, Sha256};
use std::io::{BufWriter, Read, Write as _};
use std::path::{Path, PathBuf};

/// A file that goes into the zip: its name there, and where it is now.
pub struct Entry {
    pub name: String,
    pub path: PathBuf,
}

/// A file of the zip as its manifest lists it.
#[derive(Debug, Clone, Serialize)]
pub struct ListedFile {
    pub path: String,
    pub bytes: u64,
    pub sha256: String,
}

/// The text of one SQLite value in a CSV cell: integers and reals as written, text as is, an empty cell
/// for NULL, a 16-byte blob (how ids are stored) as a UUID, any other blob in hex.
fn cell(row: &sqlx::sqlite::SqliteRow, index: usize) -> Result<String, sqlx::Error> {
    let raw = row.try_get_raw(index)?;
    if raw.is_null() {
        return Ok(String::new());
    }
    let kind = raw.type_info().name().to_owned();
    Ok(match kind.as_str() {
        "INTEGER" => row.try_get_unchecked::<i64, _>(index)?.to_string(),
        "REAL" => row.try_get_unchecked::<f64, _>(index)?.to_string(),
        "BLOB" => {
            let bytes: Vec<u8> = row.try_get_unchecked(index)?;
            match uuid::Uuid::from_slice(&bytes) {
                Ok(id) => id.to_string(),
                Err(_) => hex::encode(bytes),
            }
        }
        _ => row.try_get_unchecked::<String, _>(index)?,
    })
}

fn csv_error(error: csv::Error) -> DomainError {
    DomainError::Io(std::io::Error::other(error))
}

/// Writes `tables` of the SQLite file `sqlite` as `<dir>/<table>.csv` (a header row with the column
/// names, then one row per row); returns the files in the order of `tables`.
#[tracing::instrument(skip(tables))]
pub async fn write_csvs(sqlite: &Path, tables: &[String], dir: &Path) -> DomainResult<Vec<PathBuf>> {
    let mut conn = snapshot::open_sqlite(sqlite, true).await?;
    let mut files = Vec::with_capacity(tables.len());
    for table in tables {
        let path = dir.join(format!("{table}.csv"));
        let mut out = csv::Writer::from_writer(BufWriter::new(std::fs::File::create(&path)?));
        let header: Vec<(String,)> = sqlx::query_as("SELECT name FROM pragma_table_info(?1) ORDER BY cid")
            .bind(table)
            .fetch_all(&mut conn)
            .await
            .map_err(snapshot::sqlx_error)?;
        out.write_record(header.iter().map(|(name,)| name)).map_err(csv_error)?;
        let select = format!("SELECT * FROM {}", snapshot::quote_ident(table));
        let mut rows = sqlx::query(sqlx::AssertSqlSafe(select)).fetch(&mut conn);
        while let Some(row) = rows.try_next().await.map_err(snapshot::sqlx_error)? {
            let cells = (0..row.len()).map(|i| cell(&row, i)).collect::<Result<Vec<_>, _>>();
            out.write_record(cells.map_err(snapshot::sqlx_error)?).map_err(csv_error)?;
        }
        drop(rows);
        out.into_inner().map_err(|e| DomainError::Io(e.into_error()))?.into_inner().map_err(|e| e.into_error())?;
        files.push(path);
    }
    sqlx::Connection::close(conn).await.map_err(snapshot::sqlx_error)?;
    Ok(files)
}

/// Counts and hashes what is read through it.
struct Hashing<R> {
    inner: R,
    hash: Sha256,
    bytes: u64,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hash.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
}

fn zip_error(error: zip::result::ZipError) -> std::io::Error {
    std::io::Error::other(error)
}

/// Writes the zip at `out`: every entry, then `manifest.json` made by `manifest` from the list of the
/// entries (so that it can name each one's size and SHA-256). Returns the zip's size.
pub fn write_zip(
    out: &Path,
    entries: &[Entry],
    passphrase: Option<&SecretString>,
    manifest: impl FnOnce(Vec<ListedFile>) -> serde_json::Result<Vec<u8>>,
) -> std::io::Result<u64> {
    let file = std::fs::File::create_new(out)?;
    let mut zip = zip::ZipWriter::new(BufWriter::new(file));
    let plain = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true)
        .unix_permissions(0o600);
    let options = match passphrase {
        Some(phrase) => plain.with_aes_encryption(zip::AesMode::Aes256, phrase.expose_secret()),
        None => plain,
    };
    let mut listed = Vec::with_capacity(entries.len());
    for entry in entries {
        zip.start_file(entry.name.as_str(), options).map_err(zip_error)?;
        let mut source = Hashing { inner: std::fs::File::open(&entry.path)?, hash: Sha256::new(), bytes: 0 };
        std::io::copy(&mut source, &mut zip)?;
        listed.push(ListedFile {
            path: entry.name.clone(),
            bytes: source.bytes,
            sha256: hex::encode(source.hash.finalize()),
        });
    }
    let manifest = manifest(listed).map_err(std::io::Error::other)?;
    zip.start_file("manifest.json", options).map_err(zip_error)?;
    zip.write_all(&manifest)?;
    let mut writer = zip.finish().map_err(zip_error)?;
    writer.flush()?;
    let file = writer.into_inner().map_err(|e| e.into_error())?;
    file.sync_all()?;
    Ok(file.metadata()?.len())
}
