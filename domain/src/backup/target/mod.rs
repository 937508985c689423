//! Where backup copies are kept (OPS1): targets configured in the TOML file, directories and
//! S3-compatible object stores ([`s3`]).
//!
//! A copy is first written under a partial name (`.partial-<name>`), fsynced, read back and hashed; only
//! when its SHA-256 is the backup's does it get its real name (an atomic rename, then the directory is
//! fsynced; in a bucket, a copy inside the store). So a backup killed at any point leaves at most a
//! partial file: listings only show complete names, retention never counts a partial file, and
//! [`Target::clean_partials`] removes old ones.

pub mod s3;
mod s3_http;

pub use self::s3::S3Bucket;
use super::Progress;

use crate::error::{DomainError, DomainResult};
use sha2::{Digest as _, Sha256};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

/// The file name ending of a complete backup file.
pub const EXTENSION: &str = ".srbk";
pub(crate) const PARTIAL: &str = ".partial-";

/// How a target is configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetKind {
    /// A directory on a local or mounted file system.
    Directory(PathBuf),
    /// A bucket of an S3-compatible object store.
    S3(S3Bucket),
}

/// A copy readable from the local file system: the target's own file, or a download in the work
/// directory that is removed when this is dropped.
pub struct Fetched {
    path: PathBuf,
    downloaded: bool,
}

impl Fetched {
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Fetched {
    fn drop(&mut self) {
        if self.downloaded {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// One configured target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The name that the catalogue records (`[[backup.targets]] name`).
    pub name: String,
    pub kind: TargetKind,
}

/// Only names that Strongroom generated reach the file system.
pub fn check_name(name: &str) -> DomainResult<()> {
    let ok = name.ends_with(EXTENSION)
        && name.len() <= 128
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        && !name.starts_with('.');
    if ok { Ok(()) } else { Err(DomainError::Misconfigured(format!("unexpected backup file name `{name}`"))) }
}

/// SHA-256 and size of a file, read in pieces.
pub async fn hash_file(path: &Path) -> DomainResult<(String, u64)> {
    let mut file = tokio::fs::File::open(path).await?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 256 * 1024];
    let mut total = 0u64;
    loop {
        let n = file.read(&mut buffer).await?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
        total += n as u64;
    }
    Ok((hex::encode(hasher.finalize()), total))
}

async fn fsync_dir(dir: &Path) -> DomainResult<()> {
    let dir = dir.to_owned();
    tokio::task::spawn_blocking(move || std::fs::File::open(dir)?.sync_all())
        .await
        .map_err(|e| DomainError::Io(std::io::Error::other(e)))??;
    Ok(())
}

impl Target {
    /// Makes sure the target can be written (at start-up and before each run).
    pub async fn prepare(&self) -> DomainResult<()> {
        match &self.kind {
            TargetKind::Directory(dir) => Ok(tokio::fs::create_dir_all(dir).await?),
            TargetKind::S3(_) => Ok(()),
        }
    }

    /// Copies `source` here as `name`, verified: written under a partial name, read back and hashed, and
    /// given its name only if its SHA-256 is `sha256`. Returns the size.
    #[tracing::instrument(skip(self, source, sha256, progress), fields(target = %self.name))]
    pub async fn put(&self, name: &str, source: &Path, sha256: &str, progress: &Progress) -> DomainResult<u64> {
        check_name(name)?;
        match &self.kind {
            TargetKind::Directory(dir) => self.put_in_directory(dir, name, source, sha256).await,
            TargetKind::S3(bucket) => bucket.put(name, source, sha256, progress).await,
        }
    }

    async fn put_in_directory(&self, dir: &Path, name: &str, source: &Path, sha256: &str) -> DomainResult<u64> {
        self.prepare().await?;
        let partial = dir.join(format!("{PARTIAL}{name}"));
        let mut input = tokio::fs::File::open(source).await?;
        let mut output = tokio::fs::File::create(&partial).await?;
        tokio::io::copy(&mut input, &mut output).await?;
        output.flush().await?;
        output.sync_all().await?;
        drop(output);
        let (read_back, bytes) = hash_file(&partial).await?;
        if read_back != sha256 {
            let _ = tokio::fs::remove_file(&partial).await;
            return Err(DomainError::Tampered(format!(
                "the copy of {name} on target {} reads back differently from what was written",
                self.name
            )));
        }
        tokio::fs::rename(&partial, dir.join(name)).await?;
        fsync_dir(dir).await?;
        Ok(bytes)
    }

    /// The copy `name` as a local file: a directory's own file, or a bucket's object downloaded into
    /// `scratch` (removed again when the answer is dropped).
    #[tracing::instrument(skip(self, scratch), fields(target = %self.name))]
    pub async fn fetch(&self, name: &str, scratch: &Path) -> DomainResult<Fetched> {
        check_name(name)?;
        match &self.kind {
            TargetKind::Directory(dir) => {
                let path = dir.join(name);
                if tokio::fs::try_exists(&path).await? {
                    Ok(Fetched { path, downloaded: false })
                } else {
                    Err(DomainError::NotFound)
                }
            }
            TargetKind::S3(bucket) => {
                tokio::fs::create_dir_all(scratch).await?;
                let fetched = Fetched {
                    path: scratch.join(format!("{PARTIAL}{}-{name}", uuid::Uuid::new_v4().simple())),
                    downloaded: true,
                };
                bucket.download(name, fetched.path()).await?;
                Ok(fetched)
            }
        }
    }

    /// SHA-256 and size of the copy `name`, read back from the target.
    pub async fn hash(&self, name: &str) -> DomainResult<(String, u64)> {
        check_name(name)?;
        match &self.kind {
            TargetKind::Directory(dir) => {
                let path = dir.join(name);
                match hash_file(&path).await {
                    Err(DomainError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => Err(DomainError::NotFound),
                    other => other,
                }
            }
            TargetKind::S3(bucket) => bucket.hash(name).await,
        }
    }

    pub async fn delete(&self, name: &str) -> DomainResult<()> {
        check_name(name)?;
        match &self.kind {
            TargetKind::Directory(dir) => match tokio::fs::remove_file(dir.join(name)).await {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                Err(e) => Err(e.into()),
            },
            TargetKind::S3(bucket) => bucket.delete(name).await,
        }
    }

    /// The complete backup files here (never partial ones), by name.
    pub async fn list(&self) -> DomainResult<Vec<String>> {
        let dir = match &self.kind {
            TargetKind::Directory(dir) => dir,
            TargetKind::S3(bucket) => return bucket.list().await,
        };
        let mut names = Vec::new();
        let mut entries = match tokio::fs::read_dir(dir).await {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(names),
            Err(e) => return Err(e.into()),
        };
        while let Some(entry) = entries.next_entry().await? {
            if let Some(name) = entry.file_name().to_str()
                && check_name(name).is_ok()
            {
                names.push(name.to_owned());
            }
        }
        names.sort();
        Ok(names)
    }

    /// Removes partial files older than `age` (left by a backup that was killed); returns how many.
    pub async fn clean_partials(&self, age: Duration) -> DomainResult<usize> {
        let dir = match &self.kind {
            TargetKind::Directory(dir) => dir,
            TargetKind::S3(bucket) => return bucket.clean_partials(age).await,
        };
        let mut removed = 0;
        let Ok(mut entries) = tokio::fs::read_dir(dir).await else { return Ok(0) };
        let now = SystemTime::now();
        while let Some(entry) = entries.next_entry().await? {
            let partial = entry.file_name().to_str().is_some_and(|n| n.starts_with(PARTIAL));
            let modified = entry.metadata().await?.modified()?;
            if partial && now.duration_since(modified).unwrap_or_default() >= age {
                tokio::fs::remove_file(entry.path()).await?;
                removed += 1;
            }
        }
        Ok(removed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    /// Proves: OPS1
    async fn a_copy_gets_its_name_only_after_it_read_back_right_and_partials_are_never_listed() {
        let dir = tempfile::tempdir().unwrap();
        let target = Target { name: "local".into(), kind: TargetKind::Directory(dir.path().join("t")) };
        let source = dir.path().join("source");
        std::fs::write(&source, b"backup bytes").unwrap();
        let (sha, _) = hash_file(&source).await.unwrap();
        let quiet = crate::backup::quiet();
        assert_eq!(target.put("a-1.srbk", &source, &sha, &quiet).await.unwrap(), 12);
        assert_eq!(target.list().await.unwrap(), vec!["a-1.srbk".to_owned()]);
        assert_eq!(target.hash("a-1.srbk").await.unwrap().0, sha);
        // A copy that does not read back as expected never gets its name.
        assert!(target.put("a-2.srbk", &source, &"0".repeat(64), &quiet).await.is_err());
        // A killed backup's partial file is not listed, and is cleaned up later.
        std::fs::write(dir.path().join("t/.partial-a-3.srbk"), b"half").unwrap();
        assert_eq!(target.list().await.unwrap(), vec!["a-1.srbk".to_owned()]);
        assert_eq!(target.clean_partials(Duration::from_secs(3600)).await.unwrap(), 0, "too young");
        assert_eq!(target.clean_partials(Duration::ZERO).await.unwrap(), 1);
        assert!(!dir.path().join("t/.partial-a-3.srbk").exists());
        for bad in ["../x.srbk", "x.db", ".partial-x.srbk", "A.srbk"] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
    }
}
